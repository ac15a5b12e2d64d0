"""A choice the citizen narrows by saying more (issue 19): the one article both choices offer is
the answer, without a third list."""

from __future__ import annotations

from types import SimpleNamespace

from actions.knowledge import _narrowed, offered_before
from tests.support.helpers import tracker

OFFER = ("您想问的是下面哪一个？请点选或回复问题名称：\n1. 单位不和我签劳动合同怎么办，能要二倍工资吗\n"
         "2. 被公司辞退没给补偿怎么办，经济补偿怎么算\n如果都不是，请回复“没解决”，我帮您登记咨询工单。")


def _hits(*titles: str) -> list:
    return [SimpleNamespace(article=SimpleNamespace(title=t)) for t in titles]


def test_the_choice_offered_just_before_is_read_back():
    history = [{"event": "user", "text": "公司辞退我不给补偿怎么维权"}, {"event": "bot", "text": OFFER}]
    t = tracker("不是拖欠工资，是辞退赔偿的问题。需要去哪里申请？", history=history)
    assert offered_before(t) == ["单位不和我签劳动合同怎么办，能要二倍工资吗", "被公司辞退没给补偿怎么办，经济补偿怎么算"]
    # an older choice, with the citizen's message in between, is not
    older = [{"event": "bot", "text": OFFER}, {"event": "user", "text": "好的"}, {"event": "bot", "text": "不客气"}]
    assert offered_before(tracker("还有个事", history=older)) == []


def test_the_one_article_both_choices_offer_is_the_answer():
    offered = ["单位不和我签劳动合同怎么办，能要二倍工资吗", "被公司辞退没给补偿怎么办，经济补偿怎么算"]
    hits = _hits("单位拖欠工资怎么办", "被公司辞退没给补偿怎么办，经济补偿怎么算")
    assert _narrowed(hits, offered).title == "被公司辞退没给补偿怎么办，经济补偿怎么算"
    assert _narrowed(_hits("单位拖欠工资怎么办", "社保断缴怎么办"), offered) is None
    assert _narrowed(_hits(*offered), offered) is None  # the same two again: still the citizen's choice
    assert _narrowed(hits, []) is None


def test_a_question_the_base_cannot_answer_while_the_form_runs_is_kept_in_the_matter():
    from actions.knowledge import _kept_in_the_matter

    slots = {"content": "我们这村子啊 太偏了 进县城看病得走七八里地到大道上等车"}
    asked = "我就想问问 能不能给我们村通个小客车 一天哪怕来两趟呢"
    kept = _kept_in_the_matter(tracker(asked, intent="consult", form="intake_form", slots=slots), asked)
    assert kept is not None and kept.startswith(slots["content"]) and "小客车" in kept
    # outside the form it is the knowledge base's 「I don't know」 and the offer of a 咨询 order
    assert _kept_in_the_matter(tracker(asked, intent="consult", slots=slots), asked) is None
    # already in the matter: nothing added
    assert _kept_in_the_matter(tracker(asked, intent="consult", form="intake_form", slots={"content": kept}), asked) is None


def test_a_detail_read_as_a_question_while_the_form_runs_is_more_of_the_matter():
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from actions.knowledge import ActionAnswerQuestion

    slots = {"content": "我想投诉的士司机兜路 从鞍山站上车去千山风景区 平时六十块 他收我一百二"}
    said = "车牌是辽CT5209 今天下午两点多"
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerQuestion().run(
        dispatcher, tracker(said, intent="consult", form="intake_form", slots=slots), {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_content_added"]
    content = next(e["value"] for e in events if e["name"] == "content")
    assert content.startswith(slots["content"]) and "辽CT5209" in content


def test_questions_are_not_details():
    from bot.language import questions

    for asked in ["顺便问一下，社保卡丢了怎么补办？", "能不能给我们村通个小客车", "这个归谁管啊？", "居住证办理流程",
                  "那我不能在你这举报吗"]:
        assert questions.asks(asked), asked
    for told in ["车牌是辽CT5209 今天下午两点多", "物业说等配件 都等了一个礼拜了", "楼下饭店的油烟太大了"]:
        assert not questions.asks(told), told


class _Base:
    """The knowledge base's decisions, by a word of each question."""

    embedder = None  # 智能派单 loads its own sentence model

    def __init__(self, answers: dict[str, str]) -> None:
        from bot.profile import load_profile

        self.answers = answers
        self.profile = load_profile("anshan")

    def current(self):  # noqa: ANN201
        return self

    def decide(self, query: str):  # noqa: ANN201
        for word, title in self.answers.items():
            if word in query:
                article = SimpleNamespace(id=title, title=title, topic="hotline", answer=f"{title}的办法", unit="某局",
                                          contact="", hours="")
                return SimpleNamespace(kind="answer", hits=(SimpleNamespace(article=article),))
        return SimpleNamespace(kind="unknown", hits=())


def _ask(monkeypatch, said: str, answers: dict[str, str], **kwargs):  # noqa: ANN202
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    import actions.knowledge as knowledge

    monkeypatch.setattr(knowledge, "knowledge_base", lambda: _Base(answers))
    dispatcher = CollectingDispatcher()
    events = asyncio.run(knowledge.ActionAnswerQuestion().run(dispatcher, tracker(said, intent="consult", **kwargs), {}))
    return dispatcher.messages, events


def test_several_questions_in_one_message_are_each_answered(monkeypatch):
    said = "你好，我准备在高新区注册一家软件公司。想问一下：1.营业执照在哪办，能不能网上办？2.新办企业能申请哪些创业扶持政策？"
    messages, _ = _ask(monkeypatch, said, {"营业执照": "办理营业执照", "扶持": "创业扶持政策"})
    assert [m.get("title") for m in messages if m.get("response") == "utter_kb_answer"] == ["办理营业执照", "创业扶持政策"]
    assert messages[-1]["response"] == "utter_kb_helpful"


def test_a_question_of_several_the_base_cannot_answer_is_named_not_dropped(monkeypatch):
    said = "居住证怎么办理？新生儿落户需要什么材料？"
    messages, _ = _ask(monkeypatch, said, {"居住证": "办理居住证"})
    assert [m.get("title") for m in messages if m.get("response") == "utter_kb_answer"] == ["办理居住证"]
    assert any("新生儿落户需要什么材料" in (m.get("text") or "") for m in messages)
    # while the form runs, the unanswered one is kept in the matter
    slots = {"content": "孩子上个月出生 户口还没上"}
    messages, events = _ask(monkeypatch, said, {"居住证": "办理居住证"}, form="intake_form", slots=slots)
    content = next(e["value"] for e in events if e.get("name") == "content")
    assert content.startswith(slots["content"]) and "新生儿落户" in content


def test_several_questions_none_answered_are_read_as_one(monkeypatch):
    messages, _ = _ask(monkeypatch, "居住证怎么办理？新生儿落户需要什么材料？", {})
    assert len(messages) == 1 and "没有找到准确的答案" in messages[0]["text"]
    assert "市公安局" in messages[0]["text"]  # the unit that handles it, read by 智能派单's catalogue


def test_a_question_no_unit_is_sure_of_gets_the_plain_answer(monkeypatch):
    messages, _ = _ask(monkeypatch, "今天天气怎么样啊", {})
    assert [m.get("response") for m in messages] == ["utter_kb_unknown"]


ANSWERED = [{"event": "user", "text": "户口想迁到我老公那 咋办"}, {"event": "action", "name": "action_answer_question"},
            {"event": "bot", "text": "户口迁移怎么办……"}, {"event": "action", "name": "action_listen"}]


def test_a_follow_up_is_read_with_the_question_the_base_just_answered(monkeypatch):
    said = "结婚三年了 在鞍山有房 房本上有我俩名"
    messages, _ = _ask(monkeypatch, said, {"户口": "户口迁移怎么办"}, history=ANSWERED,
                       slots={"kb_question": "户口想迁到我老公那 咋办"})
    assert messages[0]["title"] == "户口迁移怎么办"
    # not after something else, and not when the follow-up is answered alone
    messages, _ = _ask(monkeypatch, said, {"户口": "户口迁移怎么办"}, slots={"kb_question": "户口想迁到我老公那 咋办"},
                       history=[*ANSWERED[:2], {"event": "action", "name": "action_handoff"}])
    assert "title" not in messages[0]
    messages, _ = _ask(monkeypatch, "房本上有我俩名 能贷款吗", {"户口": "户口迁移怎么办", "贷款": "公积金贷款"}, history=ANSWERED,
                       slots={"kb_question": "户口想迁到我老公那 咋办"})
    assert messages[0]["title"] == "公积金贷款"


def test_an_unsettled_matter_without_a_question_before_is_itself_the_consult_orders_content():
    from actions.knowledge import ActionKbNotHelpful
    from tests.support.helpers import run, slots_set

    events, _ = run(ActionKbNotHelpful(), tracker("社区说不清 物业也说不清 到底归谁管", intent="not_helpful"))
    assert slots_set(events)["content"] == "社区说不清 物业也说不清 到底归谁管"
    events, _ = run(ActionKbNotHelpful(), tracker("没解决", intent="not_helpful", slots={"kb_question": "低保怎么申请"}))
    assert slots_set(events)["content"] == "低保怎么申请"
    events, _ = run(ActionKbNotHelpful(), tracker("没解决", intent="not_helpful"))
    assert "content" not in slots_set(events) and slots_set(events)["request_type"] == "咨询"


def _given() -> list[tuple]:
    from bot.store.db import session_scope
    from bot.store.models import DirectAnswer

    with session_scope() as s:
        return [(r.kind, r.channel, r.article, r.title, r.topic) for r in s.query(DirectAnswer).order_by(DirectAnswer.id)]


def test_each_article_given_is_counted_as_answered_directly_and_nothing_else_is(monkeypatch):
    """研判's 直接答复（知识库）: one row per article given, with the channel; not a choice offered,
    not an 「I don't know」, and nothing of the citizen's words."""
    said = "你好，我准备在高新区注册一家软件公司。想问一下：1.营业执照在哪办，能不能网上办？2.新办企业能申请哪些创业扶持政策？"
    _ask(monkeypatch, said, {"营业执照": "办理营业执照", "扶持": "创业扶持政策"})
    _ask(monkeypatch, "今天天气怎么样啊", {})
    assert _given() == [("kb", "rest", "办理营业执照", "办理营业执照", "hotline"),
                        ("kb", "rest", "创业扶持政策", "创业扶持政策", "hotline")]
    assert "营业执照在哪办" not in str(_given())


def test_an_answer_is_given_even_when_it_cannot_be_counted(monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("the database is away")

    monkeypatch.setattr("bot.store.answers.session_scope", broken)
    messages, _ = _ask(monkeypatch, "营业执照在哪办", {"营业执照": "办理营业执照"})
    assert messages[0]["title"] == "办理营业执照"
