"""Rasa NLU component that puts the deterministic safety layer on top of the classifier.

It runs after DIETClassifier and FallbackClassifier:
- the emergency detector (bot.language.emergency: lexicon and learned layer, the same reading the gateway
  and /api/triage make) is confident: the intent becomes ``report_emergency`` with confidence
  1.0, whatever the classifier thought;
- the classifier says ``report_emergency`` and the detector is not confident: the next intent in
  the ranking wins (a possible emergency gets its numbers from the gateway, in one line before
  the ordinary answer);
- an out-of-scope matter with a legal route (bot.language.scope): the intent becomes ``legal_route``;
- a question for information read as a grievance (bot.language.questions): the intent becomes
  ``consult``, so the knowledge base answers first and a 咨询 order is offered when it cannot.
The reading is added to the parse data under ``safety`` for the actions and the logs.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from bot.language import emergency, extract, matter, questions, request_types, scope
from bot.language.request_types import INTENT_TYPES
from bot.profile import load_profile
from bot.rasa import patches
from bot.store.repository import foreign_order_number, normalize_order_number, order_shaped

patches.apply()  # this module is loaded with the model by every Rasa server: see bot/rasa/patches.py

EMERGENCY_INTENT = "report_emergency"
LEGAL_INTENT = "legal_route"
# Intents the scope rules must not overrule: the citizen is asking about their own order or
# for a person, not raising a matter.
SCOPE_KEEPS = {"check_status", "request_human", "cancel", "faq"}
CONSULT_INTENT = "consult"
HUMAN_INTENT = "request_human"
CANCEL_INTENT = "cancel"
FALLBACK_INTENT = "nlu_fallback"
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")
_ASKS_FOR_A_PERSON = re.compile(r"\b(?:human|person|agent|operator|staff|someone|somebody|real people|customer service|"
                                r"representative)\b", re.I)


# Intents a message of nothing but yes-words (and thanks) is never meant as.
_NOT_AN_AFFIRMATION = {CANCEL_INTENT, "deny", "faq", "chitchat", "nlu_fallback"}
# Thanks and goodbyes are read as such (「好的」 after an answer), unless the yes names the filing.
_POLITE = {"thank", "goodbye", "greet"}
_NAMES_A_PERSON = re.compile(r"人工|客服|真人|工作人员|接线员|找个人|转人")
_FILING_YES = re.compile(r"提交|报|确认|确定|这么着|这么办|这么的|这样吧|就这样|没问题|没错|无误|都对")


# What the classifier says of a few words it has not learned (「停电了」 was a 'deny').
_UNSURE = {FALLBACK_INTENT, "deny"}
# A no or a correction (「不是物业 是热力公司」) is not a new matter, whatever follows it.
_SAYS_NO = re.compile(r"^(?:不是|不对|错了|不用|不要|没有|别)")
_ASKS = re.compile(r"[吗嘛么呢?？]|怎么|咋|如何|啥|什么|哪|能不能|可不可以|是不是")


def _tells_a_matter(text: str) -> bool:
    """A short message that the intake's segment reader reads as the matter itself, not a form
    answer, an aside or a question."""
    return (len(text) <= 40 and not _ASKS.search(text) and not _SAYS_NO.match(text.strip())
            and bool(matter.matter_text(text, load_profile()).strip()))


def foreign_intent(text: str) -> str | None:
    """A message in English (no Chinese, words of Latin letters; not an order number or a phone):
    a person when it asks for one, else the not-understood path, which answers in English. The
    classifier, trained on Chinese, reads such messages as anything (「这个对话里还没有提交过工单」)."""
    if _CJK.search(text) or len(_LATIN_WORDS.findall(text)) < 2:
        return None
    return HUMAN_INTENT if _ASKS_FOR_A_PERSON.search(text) else FALLBACK_INTENT
# Intents a plain information question is often mistaken for.
QUESTION_TAKES = {"seek_help", "complain", "suggest", "nlu_fallback"}


# Intents that tell a matter or a detail of one.
TELLS = ("complain", "report_violation", "seek_help", "suggest", "provide_info", "correct_field")


# Words about an order's progress (an order number is read as the lookup reads it).
_ASKS_ABOUT_AN_ORDER = re.compile(r"工单|单号|进度|查询|查一下|查查|办得怎么样|办到哪|到哪一步|有结果|结果|回复了|处理了吗|催")


# A question asked on the side, in the middle of telling a matter.
_SIDE_QUESTION = re.compile(r"^(?:对了|顺便|另外|还有|哦对|诶)[\s，,、]*(?:问一嘴|问一下|问下|问个事儿?|问问|打听一下|咨询一下)"
                            r"|^(?:问一嘴|顺便问(?:一下|下|问)?|插一句)")
_ASKS_SOMETHING = re.compile(r"[？?]|吗|能不能|可不可以|是不是|有没有|怎么|咋|多少|哪|什么|(?<=[\u4e00-\u9fa5])不(?=[\s，,。！!]|$)")
# What a correction says (「电话说错了」「不是铁东区是立山区」「改成匿名」); a message the classifier reads
# as one without any of it tells (「我叫钱伟，电话…，兴盛街的路灯坏了」 had been refused as amending a
# filed order).
_SAYS_A_CORRECTION = re.compile(r"(?<!整)改(?!造|建|革|善|装|变)|错|不对|不是|更正|纠正|换成|作废|为准|说差|不准|应该"
                                r"|重新(?:说|给|填|写)|而是")
# Abuse, or words addressed to the hotline: what an insult has (the classifier also reads 「这玩意儿」
# in 「这玩意儿出事就是大事」 as one).
_ABUSE = re.compile(r"废物|傻|智障|吃干饭|垃圾|蠢|有病|饭桶|瞎|滚|憨批|狗|屁|笨|犊子|他妈|妈的|弱智|缺心眼|二货|神经病|混子|"
                    r"糊弄|混蛋|王八|去死|白痴|脑残|操|草泥马|尼玛|sb|SB|tm|TM|破(?:机器|系统|玩意|热线)|摆设|不干人事|什么东西")
_TO_US = re.compile(r"你|您|机器人|系统|客服|热线|12345|政府|当官|领导")
# A yes to the summary said first, something more after it.
_LEADING_YES = re.compile(r"^(.{0,8}?(?:提交|报上去|就这么报|确认)(?:吧|嘛|了|啊)?)[\s，,。!！]+(?=\S)")
# What a question about the hotline itself names (its scope, hours, channels, cost, privacy, orders).
_ABOUT_US = re.compile(r"你们|您|你|这里|这儿|热线|12345|号码|电话|受理|管|找|反映|投诉|举报|人工|客服|机器人|上班|下班|值班|有人|几点|时候"
                       r"|放假|过年|节|周末|晚上|半夜|渠道|网站|公众号|微信|小程序|APP|app|收费|花钱|要钱|保密|隐私|工单|单号|多久|回复|答复|处理"
                       r"|区别|作用|干嘛|是谁|功能|打通|办结|当天|快点|进度|查询|跟踪|办理情况|匿名|留名|个人信息|录音|评价|差评|满意|申诉|退回|重办|打分"
                       r"|反馈|网上|提交|邮件|写信|不给办|诉求")
# What the citizen found did not settle the question (「各说各的」「想要个准话」).
# (「我也说不清」 at the address question is no such thing: the others must be the ones unclear)
_UNCLEAR = re.compile(r"准话|准信|说法不一|说的不一样|说得不一样|说法都不一样|各说各的"
                      r"|(?:社区|村里|村委|街道|物业|网上|他们|人家|单位|部门|谁都|谁也|问了)(?:都|也)?(?:说不清|没说清|没说明白|讲不清|没讲明白)")
# A lookup without anything about an order or a request made before (「网上查的说法不一样 … 想要个准话」
# had been asked for an order number).
_TOLD_BEFORE = re.compile(r"上次|之前|以前|前几天|前两天|前些天|上个?月|上周|上礼拜|反映的|反映过|打过|报的|报过|提交的|提的|登记的"
                          r"|那个事|那事|咋样了|怎么样了|有信|回音|动静|答复|回复")
# Passing the matter to a body (「能不能帮我转给教育局」) asks for an order, not for a person now.
_FORWARD = re.compile(r"(?:转给|转到|转交|交给|递给|反映给|报给|反映到)(?:相关|有关)?.{0,8}?"
                      r"(?:局|委员会|委|办公室|部门|单位|政府|街道|社区|城管|公司)")
_TYPE_INTENTS = {kind: intent for intent, kind in INTENT_TYPES.items()}
# A matter raised again with an old order's number (「上次的工单2026…没解决 我要再投诉」) is a new request.
_RAISES_A_MATTER = {intent for intent, kind in INTENT_TYPES.items() if kind != "咨询"}
# An order number given with words that look it up (not a detail of a new matter).
_LOOKS_UP = re.compile(r"单号|工单|这单|那单|这个单|进度")  # not 查/咋回事: 「对方账号6222… 咋回事」 is a matter
# What a message holding only an order number may say besides it (「找着了 20261201-01127」).
_BESIDE_A_NUMBER = 12


def _only_an_order_number(text: str) -> bool:
    """A message that gives an order number and little else (「找着了 20261201-01127」)."""
    number = order_shaped(text)
    if number is None:
        return False
    rest = re.sub(r"[\W\d_A-Za-z]+", "", unicodedata.normalize("NFKC", text))
    return len(rest) <= _BESIDE_A_NUMBER


def _about_an_order(text: str) -> bool:
    return bool(_ASKS_ABOUT_AN_ORDER.search(text)) or normalize_order_number(text) is not None


def _a_detail_not_a_question(text: str) -> bool:
    """A message that asks nothing and tells a concrete detail (a number, a plate, a time)."""
    return len(text.strip()) >= 8 and bool(re.search(r"\d", text)) and not questions.asks(text)


def _demote(message: Message, name: str) -> bool:
    """The next intent of the ranking wins over ``name`` (and over an emergency or a legal route,
    which only the rules decide)."""
    ranking = [r for r in (message.get("intent_ranking") or [])
               if r.get("name") not in (name, EMERGENCY_INTENT, LEGAL_INTENT)]
    if not ranking:
        return False
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    return True


def _told(message: Message, also: tuple[str, ...] = ()) -> str:
    """The best reading that tells a matter or a detail of one (or one of ``also``), else provide_info;
    a correction only when the message says one."""
    text = message.get("text") or ""
    told = [r["name"] for r in (message.get("intent_ranking") or []) if r.get("name") in (*TELLS, *also)
            and (r.get("name") != "correct_field" or _SAYS_A_CORRECTION.search(text))]
    return told[0] if told else "provide_info"


def _tell(message: Message, confidence: float = 1.0) -> None:
    _set_intent(message, _told(message), confidence)


def _set_intent(message: Message, name: str, confidence: float) -> None:
    ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != name]
    top = {"name": name, "confidence": confidence}
    message.set("intent", top, add_to_output=True)
    message.set("intent_ranking", [top, *ranking], add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyOverride(GraphComponent):
    """Deterministic emergency and scope rules layered over the statistical NLU."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyOverride:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get("text") or ""
        if not text.strip():
            return
        intent = (message.get("intent") or {}).get("name")
        confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
        seen = emergency.assess(text)
        found = seen.confident
        reading: dict[str, Any] = {"emergency": None, "scope": None, "overrode": None}
        if found:
            reading["emergency"] = {"kind": found.kind, "numbers": list(found.numbers), "level": seen.level}
            if intent != EMERGENCY_INTENT or confidence < 1.0:
                _set_intent(message, EMERGENCY_INTENT, 1.0)
                reading["overrode"] = intent
        elif intent == EMERGENCY_INTENT:
            # One reading everywhere: the classifier alone does not make an emergency (the
            # gateway, /api/triage and the console would not agree); the next intent wins.
            if _demote(message, EMERGENCY_INTENT):
                reading["overrode"] = intent
        if seen.possible is not None:
            # The gateway gives the numbers in one line before the ordinary answer.
            reading["possible_emergency"] = {"kind": seen.possible.kind, "numbers": list(seen.possible.numbers)}
        current = (message.get("intent") or {}).get("name")  # after the emergency reading's changes
        foreign = None if reading["emergency"] else foreign_intent(text)
        if foreign is None and not reading["emergency"] and extract.explicit_cancel(text):
            foreign = CANCEL_INTENT  # 「算了…不用登记了 取消」 was read as a name or a detail
        elif foreign is None and not reading["emergency"] and current not in ("faq", CONSULT_INTENT) \
                and _SIDE_QUESTION.match(text.strip()) and _ASKS_SOMETHING.search(text):
            foreign = CONSULT_INTENT  # 「对了问一嘴 我那个公积金现在能提出来还房贷不 完了接着说路灯的事」
        elif foreign is None and not reading["emergency"] and extract.affirms(text) and (
                current in _NOT_AN_AFFIRMATION
                or (current in _POLITE and _FILING_YES.search(text))
                # 「行 提交吧 有消息给我回个电话」 asks for a call back, not for a person now
                or (current == HUMAN_INTENT and _FILING_YES.search(text) and not _NAMES_A_PERSON.search(text))):
            # 「内容没问题，提交。」 had been read as cancelling and lost the order; 「可以 提交」 as a
            # question about the channels, 「好 就这么报 谢谢你啊孩子」 as thanks: a summary shown again
            foreign = "affirm"
        elif foreign is None and not reading["emergency"] and (lead := _LEADING_YES.match(text.strip())) \
                and extract.affirms(lead.group(1)) and not _NAMES_A_PERSON.search(text) \
                and current not in ("affirm", "correct_field", "check_status", CANCEL_INTENT, *_RAISES_A_MATTER):
            foreign = "affirm"  # 「嗯 先提交吧 公租房的事你再给我说说」: yes first, then something more
        elif foreign is None and not reading["emergency"] and current in (*_UNSURE, "check_status", "faq") \
                and _UNCLEAR.search(text):
            foreign = "not_helpful"  # 「网上查的说法不一样 … 想要个准话」: what was found did not settle it
        elif foreign is None and not reading["emergency"] \
                and current in _UNSURE and _tells_a_matter(text) and scope.read(text, load_profile())[0] is None:
            # (a matter with a legal route elsewhere, 「我在营口鲅鱼圈有套房子…」, is read for its route below)
            foreign = "seek_help"  # 「停水了」「井盖丢了」: a matter in a few words, not 「我没明白」
        elif foreign is None and not reading["emergency"] and current not in _RAISES_A_MATTER and (
                ((_LOOKS_UP.search(text) or questions.URGES.search(text)) and (normalize_order_number(text) or foreign_order_number(text)))
                or _only_an_order_number(text)):
            # 「查下进度 单号是2026 1128 00457」 had been a correction of a field; 「20261127-00358」 given
            # when the lookup asked for it, the start of a new request
            foreign = "check_status"
        elif foreign is None and not reading["emergency"] and questions.URGES.search(text) and len(text) <= 30 \
                and current not in _RAISES_A_MATTER:
            foreign = "check_status"  # 「都十来天了 你给我催催」: 催办, told honestly by the lookup
        elif foreign is None and not reading["emergency"] and current in ("faq", FALLBACK_INTENT) \
                and extract.asks_if_handled(text) and not matter.matter_text(text, load_profile()).strip():
            # 「这个找你们行吗」「我户口是鞍山的啊 不能找你们吗」: about the matter already told; the route
            # action reads the conversation's last messages and says where it belongs
            foreign = LEGAL_INTENT
            reading["route_followup"] = True
        elif foreign is None and not reading["emergency"] and current in _UNSURE \
                and (declared := request_types.declared_type(text)) is not None:
            foreign = _TYPE_INTENTS[declared]  # 「咨询下学区的事」 had not been understood
        elif foreign is None and not reading["emergency"] and current == "check_status" \
                and not _about_an_order(text) and not foreign_order_number(text) and not _TOLD_BEFORE.search(text):
            declared = request_types.declared_type(text)
            foreign = _TYPE_INTENTS[declared] if declared else _told(message, also=(CONSULT_INTENT, "not_helpful"))
        elif foreign is None and not reading["emergency"] and current == "correct_field" \
                and not _SAYS_A_CORRECTION.search(text):
            foreign = _told(message)
        elif foreign is None and not reading["emergency"] and current == "faq" and not _ABOUT_US.search(text) \
                and (questions.asks(text) or _ASKS_SOMETHING.search(text) or "啥" in text):
            foreign = CONSULT_INTENT  # 「啥样的能吃低保啊」 asks about 低保, not about the hotline
        elif foreign is None and not reading["emergency"] and current == "faq" \
                and matter.asks_action(text):
            foreign = "provide_info"  # 「能不能找人给抓走」 asks for the matter to be done, not about the hotline
        if foreign is not None:
            if current != foreign:
                _set_intent(message, foreign, 1.0)
                reading["overrode"] = current
        elif not reading["emergency"]:
            oos, asked = scope.read(text, load_profile()) if current not in SCOPE_KEEPS or current == "faq" else (None, None)
            if current == "faq":
                oos = None  # a question about the hotline is not sent away; one about a route is answered
            if oos:
                reading["scope"] = oos.route
                if current != LEGAL_INTENT:
                    _set_intent(message, LEGAL_INTENT, 1.0)
                    reading["overrode"] = current
            elif asked and current in (LEGAL_INTENT, CONSULT_INTENT, "faq", *QUESTION_TAKES):
                # How to use a route (劳动仲裁要交钱吗): action_out_of_scope answers with its procedure.
                reading["route_question"] = asked
                if current != LEGAL_INTENT:
                    _set_intent(message, LEGAL_INTENT, 1.0)
                    reading["overrode"] = current
            elif current == LEGAL_INTENT:
                # The classifier alone does not send a citizen away (纪委旁边的公厕): without a
                # route the scope rules name, the request is taken.
                _demote(message, LEGAL_INTENT)
                reading["overrode"] = current
                if (message.get("intent") or {}).get("name") not in TELLS and _a_detail_not_a_question(text):
                    # 「车牌号辽CT6258，黄色的车」 is a detail of the matter, not a question about the bot
                    _tell(message)
            elif current == "insult" and not _ABUSE.search(text) and not _TO_US.search(text):
                # 「这玩意儿出事就是大事 一炸一片」 is about the danger, not abuse of the hotline
                _tell(message)
                reading["overrode"] = current
            elif (current == "faq" or (current == "check_status" and not _about_an_order(text))) \
                    and _a_detail_not_a_question(text):
                # (「车号我记着呢 辽C T2875 绿色的」 is no lookup: no order number, nothing asked about one)
                # 「车牌系辽CT5209 今日下昼两点几」 read as asking the hotline's hours: it asks nothing,
                # it tells: the next reading that tells a matter, or a detail of one
                _tell(message, max(confidence, 0.5))
                reading["overrode"] = current
            elif current in QUESTION_TAKES and questions.is_information_question(text):
                _set_intent(message, CONSULT_INTENT, max(confidence, 0.9))
                reading["overrode"] = current
        final = (message.get("intent") or {}).get("name")
        if final == HUMAN_INTENT and not reading["emergency"] and _FORWARD.search(text) and not _NAMES_A_PERSON.search(text):
            # 「能不能帮我转给教育局 让他们给个准话」 (also when a legal route was set aside): an order for
            # the body named, not a person now
            _set_intent(message, "provide_info", 1.0)
            reading["overrode"] = reading["overrode"] or final
        message.set("safety", reading, add_to_output=True)
