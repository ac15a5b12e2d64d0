"""Messages in English (issue 19): the classifier, trained on Chinese, reads them as anything; the
NLU layer sends them to a person when they ask for one, else to the not-understood path, which
answers in English."""

from __future__ import annotations

import pytest


def foreign_intent(text: str) -> str | None:
    # Imported when run, not when collected: bot.rasa.nlu patches Rasa on import, and
    # tests/unit/rasa/test_patches.py keeps Rasa's original at collection.
    from bot.rasa.nlu import foreign_intent as read

    return read(text)


@pytest.mark.parametrize("text,intent", [
    ("How can I renew my work permit?", "nlu_fallback"),
    ("please connect me to a human", "request_human"),
    ("Can I talk to a real person please", "request_human"),
    ("I need customer service", "request_human"),
    ("hello, my neighbour is very noisy every night", "nlu_fallback"),
])
def test_english_is_understood_as_english(text, intent):
    assert foreign_intent(text) == intent


@pytest.mark.parametrize("text", ["AS-20261201-0003", "13812345678", "我要投诉 KTV 太吵", "ok", "WiFi 坏了", "",
                                  "查询工单 AS-20261201-0003 尾号1234", "OK OK 好的"])
def test_chinese_numbers_and_single_words_are_not_english(text):
    assert foreign_intent(text) is None


@pytest.mark.parametrize(
    "text, intent, read_as",
    [
        ("可以 提交", "faq", "affirm"),                          # had been a question about the channels
        ("好 就这么报 谢谢你啊孩子", "thank", "affirm"),        # had been thanks: the summary shown again
        ("是是 就这么着 快点啊", "chitchat", "affirm"),
        ("好的", "thank", "thank"),                               # after an answer: thanks, as read
        ("谢谢", "thank", "thank"),
    ],
)
def test_a_yes_to_the_summary_is_a_yes_whatever_the_classifier_thought(text, intent, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                            "intent_ranking": [{"name": intent, "confidence": 0.9}]})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == read_as


@pytest.mark.parametrize(
    "text, intent, read_as",
    [
        ("停水了", "nlu_fallback", "seek_help"),
        ("停电了", "deny", "seek_help"),
        ("井盖丢了", "nlu_fallback", "seek_help"),
        ("不对", "deny", "deny"),                    # a no stays a no
        ("没有", "deny", "deny"),
        ("停水了怎么办", "nlu_fallback", "nlu_fallback"),  # a question is left to the knowledge base's reading
    ],
)
def test_a_matter_in_a_few_words_starts_a_request(text, intent, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.5},
                            "intent_ranking": [{"name": intent, "confidence": 0.5}]})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == read_as


@pytest.mark.parametrize("text, intent, read_as", [("查下进度 单号是2026 1128 00457", "correct_field", "check_status"),
                                                   ("2026120100088 这单咋回事", "nlu_fallback", "check_status"),
                                                   ("上次的工单2026120100088没解决 我要再投诉", "complain", "complain"),
                                                   ("我电话13842298765 查一下", "provide_info", "provide_info")])
def test_an_order_number_of_any_shape_with_words_that_look_it_up_is_a_lookup(text, intent, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                            "intent_ranking": [{"name": intent, "confidence": 0.9}]})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == read_as


@pytest.mark.parametrize("text, intent", [("不是物业 是热力公司", "deny"), ("我被骗了 对方账号6222021234567890 咋回事", "complain"),
                                          ("暖气还是不热", "not_helpful")])
def test_a_no_a_correction_a_bank_account_and_an_unhelpful_answer_keep_their_reading(text, intent):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                            "intent_ranking": [{"name": intent, "confidence": 0.9}]})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] in (intent, "report_emergency")


def test_a_message_that_gives_only_an_order_number_looks_it_up():
    from bot.rasa.nlu import _only_an_order_number
    from bot.store.repository import foreign_order_number, order_shaped

    for text in ("20261127-00358", "找着了 20261201-01127", "AS-20261208-0001", "号是20240415000088 不对 是20240415000089"):
        assert _only_an_order_number(text), text
    for text in ("13504129876", "我的身份证号210302199001011234", "对方账号6222021234567890123 咋回事",
                 "我要投诉 单号20261201-01127的事没人管 楼道漏水一个月了 天天往下滴水"):
        assert not _only_an_order_number(text), text
    assert order_shaped("卡号6222021234567890") is None and order_shaped("20261127-00358") == "2026112700358"
    assert foreign_order_number("号是20240415000088 不对 是20240415000089") == "20240415000089"


def test_a_question_asked_on_the_side_is_a_question():
    from bot.rasa.nlu import _ASKS_SOMETHING, _SIDE_QUESTION

    text = "对了问一嘴 我那个公积金现在能提出来还房贷不 完了接着说路灯的事哈"
    assert _SIDE_QUESTION.match(text) and _ASKS_SOMETHING.search(text)
    assert not _SIDE_QUESTION.match("我们这胡同路灯黑了半个来月了")


def test_a_matter_in_a_few_words_with_a_route_elsewhere_keeps_its_route():
    from bot.language import scope
    from bot.profile import load_profile
    from bot.rasa.nlu import _tells_a_matter

    text = "我在营口鲅鱼圈有套房子 物业把我家门口的公共区域给占了 堆了一堆杂物"
    assert _tells_a_matter(text) and scope.read(text, load_profile())[0].route == "outside_city"


@pytest.mark.parametrize("text, read_as, kept", [
    ("我叫钱伟，电话13512345678，铁西区兴盛街12号楼的路灯坏了一个多月了，晚上黑漆漆的", "complain", False),
    ("电话说错了，是13812345678", None, True),
    ("我说的不是海城 是台安", None, True),
    ("联系人改成我吧 我是他闺女", None, True),
    ("门牌号不是88 是68", None, True),
])
def test_a_correction_says_so_and_a_matter_told_with_the_citizens_details_is_a_matter(text, read_as, kept):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    ranking = [{"name": "correct_field", "confidence": 0.5}, {"name": "complain", "confidence": 0.3},
               {"name": "faq", "confidence": 0.1}]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == ("correct_field" if kept else read_as)


@pytest.mark.parametrize("text, ranking, read_as", [
    ("咨询下学区的事", ["nlu_fallback", "faq"], "consult"),
    ("咨询一下学区的事 我在网上查了半天没查明白", ["check_status", "correct_field", "complain"], "consult"),
    ("网上查的说法不一样 有说华育小学的 有说实验小学的 想要个准话", ["check_status", "suggest"], "not_helpful"),
    ("这个能不能帮我转给教育局 让他们给个准话", ["request_human", "complain"], "provide_info"),
    ("我上次反映的事咋样了", ["check_status", "suggest"], "check_status"),
    ("帮我转人工", ["request_human", "legal_route"], "request_human"),
])
def test_a_type_declared_a_lookup_of_nothing_and_passing_the_matter_on_are_read_for_what_they_ask(text, ranking, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    ranked = [{"name": name, "confidence": 0.6 - 0.1 * i} for i, name in enumerate(ranking)]
    message = Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == read_as


@pytest.mark.parametrize("text, ranking, read_as", [
    ("这玩意儿出事就是大事 一炸一片", ["insult", "affirm", "seek_help"], "seek_help"),
    ("一帮混子 就知道糊弄老百姓", ["insult", "complain"], "insult"),
    ("什么破机器人", ["insult", "complain"], "insult"),
    ("车牌号辽CT6258，黄色的车", ["legal_route", "bot_challenge", "correct_field", "complain"], "complain"),
])
def test_an_insult_needs_abuse_and_a_detail_is_no_question_about_the_bot(text, ranking, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    ranked = [{"name": name, "confidence": 0.6 - 0.1 * i} for i, name in enumerate(ranking)]
    message = Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == read_as


@pytest.mark.parametrize("text, read_as", [("啥样的能吃低保啊", "consult"), ("你们几点上班", "faq"),
                                           ("礼拜天能打通不", "faq"), ("不满意可以给差评吗", "faq")])
def test_a_question_read_as_about_the_hotline_that_names_nothing_of_it_is_a_consultation(text, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    ranked = [{"name": "faq", "confidence": 0.7}, {"name": "consult", "confidence": 0.2}]
    message = Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == read_as


@pytest.mark.parametrize("text, intent, read_as", [
    ("嗯 先提交吧 公租房的事你再给我说说", "request_human", "affirm"),
    ("行 先提交 回头再问你公积金的事", "goodbye", "affirm"),
    ("先提交吧 然后帮我转人工", "request_human", "request_human"),
    ("提交了吗 我上周那个", "check_status", "check_status"),
])
def test_a_yes_said_first_is_a_yes_whatever_follows(text, intent, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    ranked = [{"name": intent, "confidence": 0.6}, {"name": "affirm", "confidence": 0.1}]
    message = Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] == read_as


@pytest.mark.parametrize("text, read_as", [("具体门牌号我也说不清", "nlu_fallback"), ("地址说不清楚 就在菜市场后身", "nlu_fallback"),
                                           ("网上查的说法不一样 社区也说不清 想要个准话", "not_helpful")])
def test_only_what_others_could_not_make_clear_is_an_unsettled_answer(text, read_as):
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    ranked = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "provide_info", "confidence": 0.3}]
    message = Message(data={"text": text, "intent": ranked[0], "intent_ranking": ranked})
    SafetyOverride({}).process([message])
    assert message.get("intent")["name"] in ((read_as,) if read_as == "not_helpful" else ("nlu_fallback", "provide_info", "seek_help"))
