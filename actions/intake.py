"""The intake form: extract and validate fields on every turn, confirm, file the work order.

How the pieces fit (Rasa 3.6):
- every slot of the form has a ``custom`` mapping run by ``action_extract_fields``, which Rasa
  calls after each user message, inside or outside the form. It reads the whole message with
  bot.language.extract, so a rich first message fills every field at once and a bare answer fills the
  field that was asked; only valid values are ever set, invalid ones get a reason.
- ``validate_intake_form`` decides which fields a request needs and checks the values again at
  form activation (slots filled before the form started are validated too).
- ``action_ask_confirmed`` shows the summary; ``action_file_work_order`` files it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    INTAKE_SLOTS,
    REQUEST_INTENT_TYPES,
    SOFT_INTERRUPTIONS,
    URGENT_INTERRUPTIONS,
    channel,
    hand_over,
    intake_texts,
    latest_intent,
    latest_location,
    latest_text,
    latest_user_timestamp,
    profile,
    since_last_turn,
    spoken_number,
)
from bot import citizen_texts
from bot.language import extract, matter, questions, request_types
from bot.orders.filing import file_request
from bot.profile import Profile
from bot.store import repository
from bot.store.models import OrderStatus

log = logging.getLogger(__name__)

FORM = "intake_form"
DEFAULT_TYPE = "求助"  # when the matter says nothing of its kind after the question was asked once
HANDOFF_NOTICE = "utter_handoff_field_failed"
FIELD_LABELS = {
    "request_type": "诉求类型",
    "content": "诉求内容",
    "address": "事发地点",
    "name": "姓名/称呼",
    "phone": "联系电话",
    "confidential": "保密要求",
    "wants_reply": "答复要求",
}
_AFFIRM = re.compile(r"^(?:确认|确定|对|对的|是|是的|没错|没问题|可以|行|好|好的|嗯|嗯嗯|ok|OK|提交|提交吧|确认提交|无误|就这样)[。.!！~～啦了吧的]*$")
_NO_ADDRESS_TYPES = ("咨询", "意见建议")


def ranked_request_type(tracker: Tracker, floor: float = 0.15) -> str | None:
    """The request type the classifier ranks highest when the top intent was not a request
    (「我叫刘芳，电话…，井盖没了好几天」 reads as provide_info, but its ranking knows better)."""
    for entry in (tracker.latest_message or {}).get("intent_ranking") or []:
        kind = REQUEST_INTENT_TYPES.get(entry.get("name") or "")
        if kind and float(entry.get("confidence") or 0) >= floor:
            return kind
    return None


def read_request_type(content: str | None) -> str | None:
    """The request type the matter reads as (bot/language/request_types), when the reading is sure.
    Between 求助 and 投诉, a party named as failing the citizen (物业 that does not repair, a boss who
    does not pay, a clerk who is rude) makes it a 投诉, as an agent files it."""
    reading = request_types.classify(content)
    if reading is not None and reading.type == "求助" and reading.scores.get("投诉", 0.0) >= 0.2 \
            and _PARTY_FAILING.search(extract.normalize(content)):
        return "投诉"
    return reading.type if request_types.sure(reading) else None


_PARTY = (r"(?:物业|热力公司|热力|供暖公司|供热公司|开发商|老板|包工头|工头|公司|商家|店家|老板娘|房东|中介|工作人员|"
          r"社区(?:的|那个)?(?:人|女的|男的|主任|书记|干部)|司机|窗口|城管|单位|厂家|客服)")
_FAILING = (r"(?:不管|不修|不来|没来人|没人来|不给|不退|推给|推来推去|踢皮球|拖着|一直拖|欠|打不通|不接|甩脸子|态度|乱收费|多收|"
            r"不理|说等|等配件|说来看看|不办|不让|关了|停了|扣|说没(?:有)?(?:材料|配件|钱|人|办法)|没材料|不处理|没处理|不解决|没解决|"
            r"没(?:有)?(?:回复|下文|动静|人管)|不作为)")
_PARTY_FAILING = re.compile(_PARTY + r"[^。！？!?]{0,30}?" + _FAILING + "|" + _FAILING + r"[^。！？!?]{0,12}?" + _PARTY)


class Notices:
    """Messages for the citizen produced while extracting, said by validate_intake_form."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, response: str, **kwargs: Any) -> None:
        self.items.append({"response": response, **kwargs})

    def say(self, text: str) -> None:
        self.items.append({"text": text})

    def events(self) -> list[EventType]:
        return [SlotSet("notices", self.items)]


def default_confidential(request_type: str | None) -> bool:
    """举报人 identity is protected by default; anyone may ask for it."""
    return request_type == "举报"


class ActionExtractFields(Action):
    """Runs after every user message (custom slot mapping) and sets only valid values."""

    def name(self) -> str:
        return "action_extract_fields"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        intent = latest_intent(tracker)
        if not text.strip() or intent in URGENT_INTERRUPTIONS:
            return [SlotSet("notices", [])]
        p = profile()
        found = extract.extract_fields(text, p)
        form_active = (tracker.active_loop or {}).get("name") == FORM
        # While a person holds the conversation (Rasa paused) what the citizen says still fills
        # the form, silently: it is not an answer to the bot's last question, and nothing is
        # queued to be said later (it would come out as a burst at hand back).
        paused = tracker.is_paused()
        requested = tracker.get_slot("requested_slot") if form_active and not paused else None
        correcting = intent == "correct_field" or requested == "confirmed"
        updates: dict[str, Any] = {}
        # Rasa keeps only SlotSet events from slot-mapping actions, so what this action has to
        # tell the citizen is queued in the ``notices`` slot and said by validate_intake_form.
        notices = Notices()

        def offer(slot: str, value: Any) -> None:
            current = tracker.get_slot(slot)
            if value is None or value == current:
                return
            if current is None or correcting or slot == requested:
                updates[slot] = value

        offer("phone", found.phone)
        offer("name", found.name)
        # Declining a field in any message is an answer to it (「我不留名 电话也不留」).
        declined = extract.declined_fields(text) if form_active else set()
        # A name given and then taken back (「名字能不能不写啊 … 名字别写了」) is withdrawn.
        if "name" in declined and tracker.get_slot("name") != extract.ANONYMOUS and found.name is None:
            updates["name"] = extract.ANONYMOUS
            notices.add("utter_name_declined")
        if "phone" in declined and tracker.get_slot("phone") is None and found.phone is None:
            updates["phone"] = extract.NO_PHONE
            notices.add("utter_phone_declined")
        pin = latest_location(tracker)
        if pin is not None:
            # A location pin (WeChat) is the place itself: its label and coordinates.
            coords = f"经纬度 {pin['lat']},{pin['lon']}" if pin["lat"] and pin["lon"] else ""
            label = pin["label"]
            offer("address", f"{label}（{coords}）" if label and coords else (label or coords))
            if label:
                offer("district", extract.parse_address_answer(label, p)[1])
            found.address = found.content = None  # 「我的位置：…」 is not what happened
        if found.address and requested:
            # (a place given when another question was asked is the place all the same)
            as_said, said_district, _ = extract.parse_address_answer(text, p)
            if as_said and as_said != extract.NO_ADDRESS and len(as_said) > len(found.address):
                # the answer to "where" as said (「鞍海路上 海城方向 过了 腾鳌 … 鑫源加油站」), not only
                # the part the reader knows (「海城」)
                found.address, found.district = as_said, said_district or found.district
        placed = _ADDRESS_SAID.match(extract.normalize(text).strip()) if form_active else None
        if placed:
            # 「地址就写西柳服装市场周边 中心路那块」: the place as the citizen wants it written
            as_said, said_district, _ = extract.parse_address_answer(extract.normalize(text).strip()[placed.end():], p)
            if as_said and as_said != extract.NO_ADDRESS:
                district = said_district or found.district or tracker.get_slot("district")
                # (「店地址是胜利北路188号」 keeps the district said before: 立山区胜利北路188号)
                updates["address"] = as_said if not district or said_district else district + as_said
                updates["district"] = district
                found.address = found.content = None
        renumbered = None if placed else _renumbered(text, tracker.get_slot("address"))
        narrowed = None if placed or renumbered or requested == "address" else _narrowed_place(text, tracker.get_slot("address"), p)
        if narrowed:
            # 「就在腾鳌那个老钢厂西边 一个大铁皮房子里」 said when the name was asked: where exactly,
            # within the place kept
            updates["address"] = narrowed
        if renumbered:  # 「哦不对不对 是220号 216是我家 我说反了」: the number put right in the place kept
            updates["address"] = renumbered
            content = tracker.get_slot("content") or ""
            old_place, new_place = _changed_number(tracker.get_slot("address") or "", renumbered)
            if old_place and old_place in content:  # and in the matter, where the place was told too
                updates["content"] = content.replace(old_place, new_place)
        elif found.address and (intent in REQUEST_INTENT_TYPES or intent in ("provide_info", "correct_field", "nlu_fallback") or form_active):
            current_address = tracker.get_slot("address")
            vague = _VAGUE_PLACE.search(current_address or "")
            if vague and re.search(vague.group("kind") + r"\w{0,2}$", found.address) and found.address not in (current_address or ""):
                # 「岫岩县的我们村」 first, 「是大营子镇石湖沟村」 later: the village named
                updates["address"] = (current_address or "")[: vague.start()] + found.address
                updates["district"] = found.district or tracker.get_slot("district")
            elif current_address and more_specific(found.address, found.district, current_address, tracker.get_slot("district")):
                # 「俺家住一楼」 first, 「铁西区繁荣街道新华小区2号楼」 later: the better place wins.
                updates["address"], updates["district"] = found.address, found.district or tracker.get_slot("district")
            elif current_address and (named := _names_the_place(text, found.address, current_address)):
                # 「高新区越岭路边上盖楼的工地」 first, 「工地叫锦绣华府二期」 later: the site named
                updates["address"] = f"{current_address}（{named}）"
            elif current_address and not found.district and _only_a_district(current_address, p):
                # 「铁西区」 first, 「人民路和民生路交叉口 往西五十米」 next: the street within the district
                updates["address"] = current_address + found.address
            elif current_address and tracker.get_slot("district") and not found.district \
                    and intent != "correct_field" and not _CORRECTS.match(extract.normalize(text)):
                pass  # 「我住7号楼 就在KTV对面」 at the summary does not replace 「海城市海州管理区天成名苑小区临街」
            else:
                offer("address", found.address)
                offer("district", found.district)
        # A question outside the form goes to the knowledge base first; it becomes a 咨询
        # request only if the answer does not help (action_kb_not_helpful).
        question_only = intent == "consult" and not form_active
        kind = None if question_only else REQUEST_INTENT_TYPES.get(intent or "")
        named = None if question_only else extract.named_request_type(text)
        if named:
            kind = named
        elif found.request_type and (kind is None or intent == "correct_field" or found.request_type == "举报"):
            kind = found.request_type
        if kind is None and found.content and tracker.get_slot("request_type") is None and not question_only:
            # a question or a greeting in the middle of the form is not what the matter is
            kind = (read_request_type(found.content) if intent not in SOFT_INTERRUPTIONS else None) \
                or ranked_request_type(tracker)
        # A type the citizen names later in the form is what it is when it is a 举报 (「那我举报他违建
        # 行不行」), when the citizen re-frames it (「其实也不算投诉，就当提个建议」「算建议吧」), or when
        # what was kept is the 咨询 an opening question gave (「低保怎么申请」 … 「我要投诉她」).
        current_type = tracker.get_slot("request_type")
        if named and current_type not in (None, named) and (
                named == "举报" or _REFRAMES.search(text) or (current_type == "咨询" and not question_only)
                # a kind only read so far (「我是接孙子的…」 then 「我想提个建议啊…」): the one named now is it
                or (request_types.declared_type(text) == named
                    and not any(extract.named_request_type(t) for t in intake_texts(tracker)[:-1]))):
            updates["request_type"] = named
        elif kind and (current_type is None or intent == "correct_field" or requested == "request_type"):
            offer("request_type", kind)
        offer("confidential", found.confidential)
        offer("wants_reply", found.wants_reply)
        if not question_only:
            self._offer_content(tracker, notices, text, intent, found, requested, form_active, updates)
            if "content" in updates and updates["content"]:
                _read_type_again(tracker, updates)
        if paused:
            return [SlotSet(k, v) for k, v in updates.items() if k in FIELD_LABELS or k == "district"]

        if requested and requested not in updates:
            answered = self._answer_requested(requested, text, intent, tracker, notices, updates)
            if answered is None:
                # Not an answer to the question: a soft interruption (a question about the
                # hotline, a greeting) is left to the rules, and the form asks again after it.
                return [SlotSet(k, v) for k, v in updates.items()] + notices.events()
        elif requested and requested in updates:
            updates["field_failures"] = 0.0

        if requested == "confirmed" and "confirmed" not in updates and any(
            k in updates for k in FIELD_LABELS
        ):
            # A correction or an added detail at the summary: show the summary again.
            updates["confirmed"] = None
            if "content" not in updates:
                changed = "、".join(FIELD_LABELS[k] for k in updates if k in FIELD_LABELS)
                notices.add("utter_field_updated", field_label=changed)
        return [SlotSet(k, v) for k, v in updates.items()] + notices.events()

    @staticmethod
    def _offer_content(
        tracker: Tracker,
        notices: Notices,
        text: str,
        intent: str | None,
        found: extract.Fields,
        requested: str | None,
        form_active: bool,
        updates: dict[str, Any],
    ) -> None:
        current = tracker.get_slot("content")
        if current is None and found.content is None and (unsettled := _unsettled_question(tracker)) is not None:
            # 「…低保申请了三个多月没信儿…」 offered a choice of articles, then 「岫岩县 岫岩镇 东关社区」:
            # the citizen went on to file; the matter is what they asked
            updates["content"] = matter.without_questions_beside(unsettled)
            return
        if current and (fixed_word := matter.word_fixed(current, extract.normalize(text))) is not None:
            # 「…景盖没了…」 then 「对是井盖 语音打错了 不是景盖」: the word put right, nothing added
            updates["content"] = fixed_word
            if requested != "confirmed":
                notices.add("utter_content_added")
            return
        if current and (chosen := matter.only_the_one(current, extract.normalize(text))) is not None:
            # 「那就先把路灯的登记上 … 公交那个我回头单独再反映」: this order is the one matter chosen
            updates["content"] = chosen
            notices.say(citizen_texts.ONE_OF_SEVERAL)
            return
        if found.content is None:  # nothing in the message describes the matter
            if requested == "address" and current and (beside := _places_beside_the_address(text, found)):
                # 「…明达新区3栋2单元 我们是1202 对门是1201」: which door the matter is behind
                updates["content"] = matter.join(current, beside)[: extract.MAX_CONTENT_CHARS]
            elif current and (party := _PARTY_NAMED.search(extract.normalize(text))) \
                    and (party.group("name") or party.group("its_name")) not in current:
                # 「超市叫好又多便民超市 铁西区…」 after 「在家门口超市买的酸奶…」: the unit needs the party's name
                named = (f"{party.group('kind')}叫{party.group('name')}" if party.group("name")
                         else f"{party.group('body')}是{party.group('its_name')}")
                updates["content"] = matter.join(current, named)[: extract.MAX_CONTENT_CHARS]
            return
        starts_request = intent in REQUEST_INTENT_TYPES or intent == "nlu_fallback" or (
            intent in ("provide_info", "correct_field") and extract.describes_more_than_details(text, found)
        )
        if requested == "content" or (current is None and starts_request):
            if len(extract.normalize(text)) > extract.MAX_CONTENT_CHARS:
                notices.add("utter_content_truncated")
            updates["content"] = matter.without_questions_beside(_with_the_question_it_answers(tracker, found.content))
            if requested == "content":
                updates["content"] = _with_the_few_words_before(tracker, updates["content"])
        elif current and _CORRECTS.match(extract.normalize(text)) and (
                fixed := matter.corrected(current, found.content, extract.normalize(text))) is not None:
            # 「不对 我刚才说错了 是三天没拉了」: the fact corrected in place, not added beside the wrong one
            updates["content"] = fixed[: extract.MAX_CONTENT_CHARS]
            if requested != "confirmed":
                notices.add("utter_content_added")
        elif current and _RESTATES.search(extract.normalize(text)) and len(found.content) >= _RESTATED_MATTER:
            # 「等等我重新说一下 刚才说的不对 快递没丢 是…」: the matter told again replaces the one taken back
            updates["content"] = found.content[: extract.MAX_CONTENT_CHARS]
            if requested != "confirmed":
                notices.add("utter_content_replaced")
        elif (
            form_active and current and found.content not in current and intent != "consult"
            and (intent in REQUEST_INTENT_TYPES or intent == "provide_info" or (
                # the classifier unsure, or reading a detail as a question: still the matter,
                # unless it really asks something (a question goes to the knowledge base)
                intent in ("nlu_fallback", "chitchat") and extract.describes_more_than_details(text, found)
                and (not questions.asks(text) or matter.asks_action(text))))
        ):
            # (a question in the middle of the form goes to the knowledge base instead)
            # More detail while the form runs: add it, lose nothing.
            if found.address and found.content.strip() == found.address:
                return
            if extract.only_about_the_form(text) and not matter.asks_action(found.content):
                return  # 「名字不说了 电话也别留了…」「保密吧，毕竟楼上楼下的」 answer the form, not the matter
            if extract.asks_if_handled(current) and extract.describes_more_than_details(text, found):
                # 「干活不给钱这事你们管不管」 first, the matter itself next: the matter is the content,
                # and its type is read again from it (the question read as 咨询).
                updates["content"] = found.content
                if tracker.get_slot("request_type") == "咨询" and not extract.named_request_type(current):
                    retyped = read_request_type(found.content)
                    if retyped:
                        updates["request_type"] = retyped
                return
            more = found.content
            if _CORRECTS.match(extract.normalize(text)):  # 「不对不对 不是小区大门 是我们单元那个铁门」
                more = matter.without_misheard(more) or more
            updates["content"] = matter.join(current, more)[: extract.MAX_CONTENT_CHARS]
            if requested != "confirmed":
                notices.add("utter_content_added")

    def _answer_requested(
        self,
        requested: str,
        text: str,
        intent: str | None,
        tracker: Tracker,
        notices: Notices,
        updates: dict[str, Any],
    ) -> bool | None:
        """Read ``text`` as the answer to the question the form asked.

        Returns True when answered, False when it was an answer but invalid (a reason was
        given), None when the message was about something else."""
        p = profile()
        if intent in SOFT_INTERRUPTIONS and not _clearly_answers(requested, text):
            return None
        if requested in ("name", "address", "phone") and _IS_QUESTION.search(extract.normalize(text)) \
                and not _clearly_answers(requested, text):
            return None  # 「那我不能在你这举报吗？」 asked when the name was: a question, not a name
        value: Any = None
        problem: str | None = None
        extra: dict[str, Any] = {}
        if requested == "request_type":
            value = extract.parse_request_type_answer(text)
            content = updates.get("content") or tracker.get_slot("content")
            if not value and content:
                # The citizen told the matter instead of naming its kind (「今年这暖气不热乎…」):
                # read the kind from the matter, as an agent would; it can be changed at the summary.
                value = (read_request_type(content) or ranked_request_type(tracker)
                         or (DEFAULT_TYPE if "content" in updates or tracker.get_slot("field_failures") else None))
            problem = None if value else "request_type"
        elif requested == "content":
            problem = "content_short"
        elif requested == "address":
            value, district, problem = extract.parse_address_answer(text, p)
            if value:
                updates["district"] = district
        elif requested == "name":
            part = re.sub(r"\s", "", extract.normalize(text))
            address = updates.get("address") or tracker.get_slot("address")
            if address and _ADDRESS_PART.match(part) and part not in address:
                # 「8号楼」 said when the name was asked: the building the place lacked, not a name
                updates["address"] = address + part
                notices.add("utter_field_updated", field_label="事发地点")
                return True
            value, problem = extract.parse_name_answer(text)
        elif requested == "phone":
            phone = extract.find_phone(text, asked=True)
            value = phone.value if phone else None
            if not value and extract.declines_phone(text):
                value = extract.NO_PHONE  # refusing a field is not cancelling: say what follows
                notices.add("utter_phone_declined")
            elif not value:
                problem = extract.phone_problem(text) or "phone_none"
                extra["digits"] = extract.digit_count(text)
        elif requested == "confirmed":
            return self._answer_confirmation(text, intent, notices, updates)

        if value is not None:
            updates[requested] = value
            updates["field_failures"] = 0.0
            return True
        if updates and any(k in FIELD_LABELS for k in updates):
            return True  # the message filled other fields; the form asks this one again
        notices.add(f"utter_invalid_{problem}", **extra)
        failures = float(tracker.get_slot("field_failures") or 0) + 1
        updates["field_failures"] = failures
        updates[requested] = None  # counts as an answer, so the form asks again
        if failures >= profile().field_attempts:
            notices.add(HANDOFF_NOTICE)  # validate_intake_form hands the conversation over
        return False

    @staticmethod
    def _answer_confirmation(
        text: str, intent: str | None, notices: Notices, updates: dict[str, Any]
    ) -> bool | None:
        t = extract.normalize(text)
        if any(k in updates for k in FIELD_LABELS):
            return True
        if intent == "affirm" or _AFFIRM.match(t) or extract.affirms(t):
            updates["confirmed"] = True
            return True
        if intent in SOFT_INTERRUPTIONS:
            return None
        notices.add("utter_fix_hint")
        updates["confirmed"] = None
        return False


_REFRAMES = re.compile(r"不算|算(?:是|作|成)?(?:个|一个)?(?:投诉|求助|咨询|建议|意见|举报)|就当|当(?:我|是)|其实是|应该(?:是|算)|改成|换成"
                       r"|不是(?:投诉|求助|咨询|建议|举报)")


# A question about the citizen's own case (not how a service works in general).
_OWN_CASE = re.compile(r"我家|俺家|咱家|我们家|我的|俺的|我妈|我爸|我儿子|我女儿|我孩子|我老伴|本人|我(?:申请|办|交|报|提交)")
# A message that opens another matter.
_NEW_MATTER = re.compile(r"^(?:另外|还有|再就是|顺便|对了|另一个|还想|再问)")
# The citizen takes back how the matter was told and tells it again (not one fact put right).
_RESTATES = re.compile(r"重新说|重说一下|再说一遍|刚才(?:说|讲|写)的?(?:不对|错了|有误|不准)|(?:前面|上面)(?:说|写)的(?:不对|错了)|不是这么回事")
_RESTATED_MATTER = 12  # characters of matter: enough to stand as the whole matter


_IS_QUESTION = re.compile(r"[？?]|(?:吗|么|呢|不)[。！!~～\s]*$|^(?:那|是)?(?:能不能|可不可以|是不是|有没有|咋整|怎么办)")
_CORRECTS = re.compile(r"^(?:不对|不是不是|错了|说错了|我?刚才说错了|我说错了|更正|纠正|改一下|应该是)")
# 「那我要投诉 我们小区物业就是这么干的」 after 「物业能因为没交物业费就给停水吗」: the matter points back.
_POINTS_BACK = re.compile(r"这么干|这样干|这么做|这样做|这么弄|这样弄|就是这样|就是这么|这种情况|这种事|这个情况|这事儿?|这个事儿?|也是这样")


_KB_UNSETTLED = ("您想问的是下面哪一个", "这个问题我暂时没有找到准确的答案")


def _unsettled_question(tracker: Tracker) -> str | None:
    """The matter of the citizen's question the knowledge base just left unsettled (it offered a
    choice, or had no answer), when the citizen goes on to file instead; None otherwise."""
    asked = tracker.get_slot("kb_question")
    if not asked:
        return None
    reply = next((e for e in since_last_turn(tracker) if e.get("event") == "bot"), None)
    if reply is not None and (reply.get("text") or "").startswith(_KB_UNSETTLED):
        return extract.content_of(asked, profile())
    return None


# The party a matter is about, named when asked where (「超市叫好又多便民超市」「驾校叫 鞍山顺达驾校」).
_PARTY_NAMED = re.compile(r"(?P<kind>超市|饭店|饭馆|门市|商店|店|驾校|公司|健身房|网吧|网咖|加油站|诊所|药店|培训班|培训学校|幼儿园)"
                          r"(?:的)?(?:名字)?(?:叫|名叫)\s*(?P<name>[\u4e00-\u9fa5A-Za-z0-9]{2,16})"
                          # 「社区是立山区曙光街道光明社区」: the body the matter is about, named
                          r"|(?<![\u4e00-\u9fa5])(?P<body>社区|居委会|村委会|村委|街道办|物业公司|物业)(?:是|就是)\s*"
                          r"(?P<its_name>[\u4e00-\u9fa5A-Za-z0-9]{2,16}(?:社区|居委会|村委会|村|街道办事处|街道|物业|公司))(?![\u4e00-\u9fa5])")


def _places_beside_the_address(text: str, found: extract.Fields) -> str | None:
    """The place details said after the address in its answer that it does not hold (the room
    numbers of the citizen and of the party the matter is about), or None."""
    if not found.address_span:
        return None
    rest = extract.normalize(text)[found.address_span[1]:]
    kept = "".join(seg.text for seg in matter.read(rest, profile()) if seg.label in matter.KEPT)
    kept = kept.strip(" ，,。、；;：:\n")
    if len(kept) < 3 or not re.search(r"\d|[\u4e00-\u9fa5]{2}", kept) or kept in (found.address or ""):
        return None
    return extract.chinese_punctuation(kept)


def _with_the_question_it_answers(tracker: Tracker, content: str) -> str:
    """The matter, led by the citizen's question just before it when the matter points back to it."""
    texts = intake_texts(tracker)
    if len(texts) < 2:
        return content
    own_case = (_OWN_CASE.search(texts[-2]) and not _NEW_MATTER.match(extract.normalize(texts[-1]))
                and not extract.named_request_type(texts[-1]))
    if not (_POINTS_BACK.search(content) or own_case):
        return content
    # 「问一下 我家低保 申请了俩月了 咋没信呢」 answered, then 「村里说交上去了 镇上说没看着」: the question
    # about the citizen's own case is where the matter begins
    asked = extract.content_of(texts[-2], profile())
    if not asked or not questions.asks(texts[-2]):
        return content
    return matter.join(asked, content)


# The place as the citizen wants it written (「地址就写…」「地点填…」「位置改成…」).
_ADDRESS_SAID = re.compile(r"^(?:那|那就|就)?(?:(?:我|我们|俺)?(?:家|店|饭店|门市|单位|公司|厂子?|摊位)的?)?(?:地址|地点|事发地点|位置)(?:就|还是|的话)?(?:写成|填成|改成|改为|写|填|是|为)[:：，,\s]*")
# A building, entrance or flat said alone (「8号楼」「2单元501」「三栋」).
_ADDRESS_PART = re.compile(r"^(?:[\d一二三四五六七八九十]+(?:号楼|栋|幢|座|单元|号院|号|室|楼|层|门)){1,4}[\d]*(?:室|号)?$")


def _with_the_few_words_before(tracker: Tracker, content: str) -> str:
    """「停水了」, then, asked what happened, 「一点没通知 投诉自来水公司」: the matter begins with the
    few words that started the request (too short to be taken alone, they were not kept)."""
    texts = intake_texts(tracker)
    if len(texts) < 2:
        return content
    before = matter.matter_text(texts[-2], profile()).strip()
    if not before or before in content:
        return content
    return matter.join(before, content)[: extract.MAX_CONTENT_CHARS]


# A request opened by saying it is a question (「问一下…」「问个事…」「想咨询下…」).
_OPENS_ASKING = re.compile(r"^(?:你好|您好|喂|那个)?[\s，,。!！]*(?:我)?(?:想|就想)?(?:问一下|问下|问个事儿?|问一嘴|问问|想问|咨询一下|咨询下|打听一下|打听下)")


# …unless the question is a reproach (「我就想问问你们政务大厅的人是不是都这样」).
_RHETORICAL = re.compile(r"是不是都这样|都这样吗|都这么|凭什么|什么态度|有没有人管|还管不管|咋这样|怎么这样|怎么回事")


def _read_type_again(tracker: Tracker, updates: dict[str, Any]) -> None:
    """The kind of request read again from the whole matter as it grows, as an agent would, unless
    the citizen named the kind in this request (「我要投诉」, an answer to the question)."""
    texts = intake_texts(tracker)
    if any(extract.named_request_type(t) for t in texts):
        return
    # 「问一下 我家低保 申请了俩月了 咋没信呢」, then what happened: the citizen came to ask, a 咨询
    # (of their own case) unless they name another kind
    opened = extract.normalize(texts[0]).strip() if texts else ""
    asked = _OPENS_ASKING.match(opened) and questions.asks(opened) and not _RHETORICAL.search(opened) \
        and matter.without_questions_beside(opened) == opened  # (not a question beside the matter filed)
    retyped = "咨询" if asked else read_request_type(updates["content"])
    if retyped and retyped != (updates.get("request_type") or tracker.get_slot("request_type")):
        updates["request_type"] = retyped


def _only_a_district(address: str, p: Profile) -> bool:
    district = p.find_district(address)
    if not district:
        return False
    return len(re.sub(r"[^\u4e00-\u9fa5]", "", address)) <= len(district) + 2


_NAMING = re.compile(r"(工地|小区|楼盘|店|饭店|饭馆|超市|商场|市场|单位|厂|公司|学校|医院|村)(?:名)?(?:叫|是|名叫|名字叫)")


def _names_the_place(text: str, new: str, old: str) -> str | None:
    """The name a later message gives the place the kept address only described (「工地叫锦绣华府二期」
    for 「…那个盖楼的工地」), or None."""
    m = _NAMING.search(extract.normalize(text))
    if not m or m.group(1) not in old or new in old or not extract.normalize(text)[m.end():].startswith(new[:2]):
        return None
    return new


_NUMBERED = re.compile(r"(\d+)(号楼|号院|号|栋|幢|单元|室)")
_SAYS_WRONG = re.compile(r"不对|说错了|说反了|错了|更正|应该是|记错了|打错了")


def _renumbered(text: str, address: str | None) -> str | None:
    """The kept address with one number put right, when the citizen says a number of it was wrong
    (「不对 是220号」 for 「人民路216号」); None otherwise."""
    t = extract.normalize(text)
    if not address or not _SAYS_WRONG.search(t):
        return None
    kept = {unit: m for m in _NUMBERED.finditer(address) for unit in [m.group(2)]}
    for m in _NUMBERED.finditer(t):
        old = kept.get(m.group(2))
        if old is not None and old.group(1) != m.group(1):
            return address[: old.start(1)] + m.group(1) + address[old.end(1):]
    return None


def _changed_number(old: str, new: str) -> tuple[str, str]:
    """The numbered part that differs between two forms of one address (「128号」, 「126号」)."""
    before = [m.group(0) for m in _NUMBERED.finditer(old)]
    after = [m.group(0) for m in _NUMBERED.finditer(new)]
    for a, b in zip(before, after, strict=False):
        if a != b:
            return a, b
    return "", ""


# A place said without its name (「岫岩县的我们村」「我们小区」), to be named later.
_VAGUE_PLACE = re.compile(r"的?(?:我们|俺们|咱们|我|俺|咱)(?:这个?|那个?)?(?P<kind>村|屯|小区|镇|乡|社区)$")
# Where exactly, said on its own (「就在…」「具体位置在…」「地点在…」).
_EXACTLY_AT = re.compile(r"^(?:就|具体|具体就|位置|具体位置|地点|具体地点|地方|具体地方)(?:是)?在")


def _narrowed_place(text: str, kept: str | None, p: Profile) -> str | None:
    """The kept place with where exactly the citizen says it is (「海城腾鳌镇（腾鳌那个老钢厂西边…）」),
    or the place said in full when the kept one was a bare name without a district and the new one
    has its numbers (「政务大厅」, then 「市政务服务中心 二楼 社保那块 18号窗口」)."""
    if not kept or kept == extract.NO_ADDRESS:
        return None
    t = extract.normalize(text).strip()
    at = _EXACTLY_AT.match(t)
    if at:
        said, _, _ = extract.parse_address_answer(t[at.end():], p)
        if said and said != extract.NO_ADDRESS and said not in kept and len(said) >= 4:
            return (kept + "（" + re.sub(r"\s+", "", said) + "）")[:120]
        return None
    found = extract.find_address(t, p)
    if found is None or p.find_district(kept) or found.district or re.search(r"\d", kept):
        return None
    said, _, _ = extract.parse_address_answer(t, p)
    if said and re.search(r"\d", said) and len(said) > len(kept) and found.value not in kept and not questions.asks(t):
        return said
    return None


def more_specific(new: str, new_district: str | None, old: str, old_district: str | None) -> bool:
    """Whether an address said later says more than the one kept: it names a district the kept
    one lacks, or it contains the kept one and more."""
    if new == old or extract.NO_ADDRESS in (new, old):
        return False
    if new_district and not old_district:
        return True
    a, b = extract.normalize(old), extract.normalize(new)
    if len(b) <= len(a):
        return False
    # 「海城牛庄镇」 then 「海城市牛庄镇前进村…」: every character of the kept one, in order, and more
    rest = iter(b)
    return a in b or (len(b) >= len(a) + 3 and all(ch in rest for ch in a))


def _clearly_answers(requested: str, text: str) -> bool:
    """Whether a message the NLU read as a question or small talk still plainly answers the
    form's question (a name said as "我姓李", a phone number, an address)."""
    t = extract.normalize(text)
    if requested == "name":
        return extract.find_name(t) is not None or (len(t) <= 4 and t not in extract.NOT_NAMES
                                                     and not extract.is_filler(t) and not re.search(r"[吗呢？?]", t))
    if requested == "address":
        return extract.find_address(t, profile()) is not None
    if requested == "phone":
        return extract.find_phone(t, asked=True) is not None or extract.digit_count(t) >= 3
    if requested == "request_type":
        return extract.parse_request_type_answer(t) is not None
    if requested == "confirmed":
        return bool(_AFFIRM.match(t))
    return False


class ValidateIntakeForm(FormValidationAction):
    """Which fields a request needs, and a second check of every value the form receives
    (including those filled before the form started)."""

    def name(self) -> str:
        return "validate_intake_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        notices = tracker.get_slot("notices") or []
        for notice in notices:
            if notice.get("response") != HANDOFF_NOTICE:
                dispatcher.utter_message(**notice)
        handoff: list[EventType] = []
        if any(n.get("response") == HANDOFF_NOTICE for n in notices):
            # A field failed twice: a person helps (the form stays where it is, so that after
            # hand-back, or at once when nobody is online, it goes on from this question).
            handoff = [SlotSet("field_failures", 0.0)] + hand_over(
                dispatcher, tracker, "field_failed", HANDOFF_NOTICE)
        events = await super().run(dispatcher, tracker, domain)
        return events + ([SlotSet("notices", [])] if notices else []) + handoff

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = list(domain_slots)
        if tracker.get_slot("request_type") in _NO_ADDRESS_TYPES and tracker.get_slot("address") is None:
            slots.remove("address")
        return slots

    def validate_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if value == extract.NO_PHONE:
            return {"phone": value}
        phone = extract.find_phone(str(value or ""), asked=True)
        return {"phone": phone.value if phone else None}

    def validate_request_type(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"request_type": value if value in extract.REQUEST_TYPES else None}

    def validate_content(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"content": text[: extract.MAX_CONTENT_CHARS] if text else None}

    def validate_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"name": text[:20] if text else None}


class ActionAskConfirmed(Action):
    """The summary the citizen confirms before anything is filed."""

    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = tracker.get_slot("request_type")
        content = tracker.get_slot("content") or ""
        preview = content if len(content) <= 300 else content[:300] + f"……（共{len(content)}字）"
        confidential = tracker.get_slot("confidential")
        if confidential is None:
            confidential = default_confidential(kind)
        wants_reply = tracker.get_slot("wants_reply")
        dispatcher.utter_message(
            response="utter_confirm_summary",
            request_type=kind,
            content_preview=preview,
            address_text=tracker.get_slot("address") or extract.NO_ADDRESS,
            name=tracker.get_slot("name"),
            phone=tracker.get_slot("phone") or extract.NO_PHONE,
            confidential_text="是（承办单位看不到您的姓名和电话）" if confidential else "否",
            reply_text="不需要" if wants_reply is False else "需要",
        )
        return []


class ActionFileWorkOrder(Action):
    """File the confirmed request (or tell the progress of the same request still open)."""

    def name(self) -> str:
        return "action_file_work_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        p = profile()
        kind = tracker.get_slot("request_type") or "咨询"
        confidential = tracker.get_slot("confidential")
        if confidential is None:
            confidential = default_confidential(kind)
        wants_reply = tracker.get_slot("wants_reply") is not False
        request = repository.OrderRequest(
            request_type=kind,
            content=tracker.get_slot("content") or "",
            address=tracker.get_slot("address"),
            district=tracker.get_slot("district"),
            name=filed_name(tracker.get_slot("name")),
            phone=filed_phone(tracker.get_slot("phone")),
            confidential=bool(confidential),
            wants_reply=wants_reply,
            channel=channel(tracker),
            sender_id=tracker.sender_id,
            idempotency_key=f"{tracker.sender_id}:{latest_user_timestamp(tracker)}",
        )
        try:
            filing = file_request(request, p, sentence_model())
        except Exception:  # the store is down: keep everything, let the citizen retry
            log.exception("filing failed for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_filing_failed")
            return [SlotSet("confirmed", None)]
        order = filing.order
        if filing.repeat and order.status == OrderStatus.CLOSED:
            dispatcher.utter_message(text=citizen_texts.repeat_closed(order.number, order.result))
            return [*reset_intake(), SlotSet("last_order_number", order.number)]
        if filing.repeat:
            dispatcher.utter_message(
                response="utter_repeat_request",
                number=order.number,
                status=order.status_label,
                deadline=order.deadline.strftime("%Y年%m月%d日"),
            )
            return [*reset_intake(), SlotSet("last_order_number", order.number)]
        dispatcher.utter_message(
            response="utter_filed",
            request_type=kind,
            number=order.number,
            number_spoken=spoken_number(order.number),
            working_days=str(p.working_days),
            deadline=order.deadline.strftime("%Y年%m月%d日"),
        )
        if filing.follows:
            dispatcher.utter_message(text=citizen_texts.FOLLOWS_CLOSED.format(number=filing.follows))
        if order.urgent:
            dispatcher.utter_message(text=citizen_texts.urgent_filed(order.urgent, p.urgent_hours, order.unit))
        if filing.others:
            dispatcher.utter_message(text=citizen_texts.several_orders(
                [(o.number, o.content, o.unit or unit) for o, unit in filing.others]))
        if filing.attached:
            dispatcher.utter_message(response="utter_filed_attachments", count=str(filing.attached))
        if order.confidential:
            dispatcher.utter_message(response="utter_filed_confidential")
        if not order.wants_reply:
            dispatcher.utter_message(response="utter_filed_no_reply")
        return [*reset_intake(), SlotSet("last_order_number", order.number)]


def filed_phone(slot: str | None) -> str | None:
    """The slot's phone as the order keeps it: none when the citizen declined to give one."""
    return None if not slot or slot == extract.NO_PHONE else slot


def filed_name(slot: str | None) -> str | None:
    """An anonymous citizen's order has no name (「匿名」 is the form's answer, not a name)."""
    return None if not slot or slot == extract.ANONYMOUS else slot


def sentence_model():
    """The knowledge base's sentence model, loaded once in this process, for 智能派单, 集中反映 and
    the multi-matter split (None: the dispatcher loads its own)."""
    from actions.knowledge import knowledge_base

    try:
        return knowledge_base().current().embedder
    except Exception:
        log.exception("no embedder for dispatch; the dispatcher loads its own")
        return None


def reset_intake() -> list[EventType]:
    """Clear the request's fields; name and phone stay for a next request in this session."""
    return [SlotSet(slot, None) for slot in INTAKE_SLOTS] + [
        SlotSet("field_failures", 0.0),
        SlotSet("requested_slot", None),
    ]


_FIELD_WORDS = {"phone": re.compile(r"电话|手机|号码|联系方式"), "name": re.compile(r"名字|姓名|称呼|名儿")}


class ActionCancelIntake(Action):
    """「算了」: cancels the request, unless it only declines the field just asked for
    (「电话就算了吧，我不方便留」): refusing a field is not cancelling."""

    def name(self) -> str:
        return "action_cancel_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        requested = tracker.get_slot("requested_slot")
        declines = sorted(extract.declined_fields(text)) or [f for f, rx in _FIELD_WORDS.items() if rx.search(text)] or (
            [requested] if requested in _FIELD_WORDS and not extract.explicit_cancel(text) else [])
        if declines and not extract.explicit_cancel(text):
            events: list[EventType] = []
            if "phone" in declines:
                dispatcher.utter_message(response="utter_phone_declined")
                events.append(SlotSet("phone", extract.NO_PHONE))
            if "name" in declines:
                dispatcher.utter_message(response="utter_name_declined")
                events.append(SlotSet("name", extract.ANONYMOUS))
            elif (named := extract.find_name(text)) is not None:
                events.append(SlotSet("name", named.value))  # 「电话就算了 名字留个吧 孙鹏」
            return [*events, FollowupAction(FORM)]
        dispatcher.utter_message(response="utter_cancelled")
        return [ActiveLoop(None), *reset_intake()]

