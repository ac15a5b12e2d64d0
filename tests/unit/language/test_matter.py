"""What of a message is the matter (bot/language/matter): the order's content as an agent writes it."""

import pytest

from bot.language import matter
from bot.language.extract import content_of
from bot.profile import load_profile

P = load_profile("anshan")


@pytest.mark.parametrize("text", [
    "闺女啊 你是那个12345不 我跟你说个事儿",
    "我是替我奶奶发的 她说我打",
    "王桂兰 电话13842215637",
    "名字写我奶奶的 吴凤琴 电话写我的 15142278890",
    "不用保密 你给我登上就行",
    "奶奶说行 提交吧",
    "对 就这么写 提交吧",
    "您好，在吗？",
    "我要投诉",
    "电话 138 4229 8765",
])
def test_messages_without_a_matter_give_no_content(text):
    assert matter.matter_text(text, P) == ""
    assert content_of(text, P) is None


def test_segments_give_the_message_back():
    for text in ("我奶奶说：你们得管管这个物业 我们楼电梯坏了快一个月了", "电话 138 4229 8765 住铁东区",
                 "尊敬的领导：您好！\n本人系退休教师。公园北门至湖心岛一带座椅甚少。", ""):
        assert "".join(matter.segments(text)) == text


def test_the_matter_keeps_its_place_and_drops_the_talk_around_it():
    kept = matter.matter_text("大兄弟 铁东区园林小区12号楼 暖气不热 屋里才14度 我叫王桂兰 13842215637", P)
    assert kept == "铁东区园林小区12号楼 暖气不热 屋里才14度"
    told = content_of("我奶奶说：你们得管管这个物业 我们楼电梯坏了快一个月了 物业就说等配件", P)
    assert told is not None and "电梯坏了快一个月了" in told and "等配件" in told and "奶奶" not in told


def test_the_citizens_punctuation_stays():
    told = content_of("领导您好！我们小区垃圾堆成山了，三天没人拉，苍蝇到处飞。谢谢！", P)
    assert told == "我们小区垃圾堆成山了，三天没人拉，苍蝇到处飞"


def test_a_long_matter_is_kept_whole():
    text = "，".join(f"第{i}件事是楼下烧烤店油烟太大影响休息" for i in range(1, 40))
    told = content_of(text, P)
    assert told is not None and told.count("烧烤店") == 39


def test_a_long_unpunctuated_message_is_never_dropped_whole():
    """Voice input without pauses mixes the matter with the citizen's life (「我上夜班…」): one segment,
    and the matter in it must reach the order."""
    told = content_of("你好我想投诉一下我们小区楼下跳广场舞的音响开的特别大从早上五点半就开始跳我上夜班白天回来睡觉根本睡不了", P)
    assert told is not None and "广场舞" in told and "五点半" in told


def test_later_messages_join_with_the_citizens_kind_of_pause():
    assert matter.join(None, "暖气不热") == "暖气不热"
    assert matter.join("暖气不热 屋里才14度", "找过热力公司了 没来人") == "暖气不热 屋里才14度 找过热力公司了 没来人"
    assert matter.join("暖气不热，屋里才14度", "找过热力公司了") == "暖气不热，屋里才14度。找过热力公司了"
    assert matter.join("暖气不热。", "找过热力公司了") == "暖气不热。找过热力公司了"
    assert matter.join("暖气不热", "") == "暖气不热"


@pytest.mark.parametrize("text", ["", "   ", "，。！", "😀😀😀", "a" * 20000, "<script>alert(1)</script>"])
def test_odd_input_is_read_without_error(text):
    assert isinstance(matter.matter_text(text, P), str)


def test_the_party_and_the_act_with_its_object_are_the_matter():
    assert matter.matter_text("鞍山鑫达商贸有限公司 在铁西区永乐街道建国大道 鑫达大厦5楼", P).startswith("鞍山鑫达商贸有限公司")
    assert matter.matter_text("我要投诉广场舞扰民！！", P) == "我要投诉广场舞扰民！！"
    assert matter.matter_text("我要投诉一下", P) == ""


def test_fear_of_the_reported_person_belongs_to_confidentiality_not_the_matter():
    assert matter.matter_text("千万保密啊 老板知道了我就得卷铺盖走人", P) == ""
    assert matter.matter_text("保密吧 别让那帮跳舞的知道是我", P) == ""
    assert matter.matter_text("哦问名字啊 李红霞", P) == ""


def test_a_corrected_fact_replaces_the_wrong_one_in_place():
    assert matter.corrected("我们小区垃圾都堆成山了 两天没人拉了 臭得要死", "不对 是三天没拉了") == \
        "我们小区垃圾都堆成山了 三天没拉了 臭得要死"
    assert matter.corrected("楼下烧烤店营业到凌晨两点，油烟太大", "是营业到凌晨三点") == "楼下烧烤店营业到凌晨三点，油烟太大"
    assert matter.corrected("楼下烧烤店营业到凌晨两点，油烟太大", "我叫张三") is None
    assert matter.corrected("楼下烧烤店营业到凌晨两点", "") is None


def test_the_segment_reader_is_trained_on_the_current_segments():
    import numpy as np

    from scripts.train_matter import sources_digest

    stored = str(np.load(matter.WEIGHTS)["digest"])
    assert stored == sources_digest(), "training data changed: run .venv/bin/python -m scripts.train_matter"


def test_a_plate_is_the_matter_and_a_room_number_beside_an_address_is_a_place():
    assert matter.matter_text("车牌系辽CT5209 今日下昼两点几", P) == "车牌系辽CT5209 今日下昼两点几"
    labels = [s.label for s in matter.read("铁东区山南街道明达新区3栋2单元 我们是1202 对门是1201", P)]
    assert labels == ["place", "place", "place"]
    assert matter.matter_text("举报人陈思远，电话13898016324。", P) == ""


def test_several_matters_and_the_one_chosen():
    told = "一是北门那条路，路灯坏了七八盏；二是22路公交车末班车提前到7点半。"
    assert len(matter.items(told)) == 2 and matter.items("楼上漏水三天了") == ["楼上漏水三天了"]
    assert matter.only_the_one(told, "只登记公交那个吧") == "22路公交车末班车提前到7点半"
    assert matter.only_the_one(told, "先把路灯的登记上") == "北门那条路，路灯坏了七八盏"
    assert matter.only_the_one(told, "都登记上吧") is None and matter.only_the_one("楼上漏水三天了", "只登记漏水的") is None


@pytest.mark.parametrize("said", ["对是井盖 语音打错了 不是景盖", "不是景盖 是井盖", "打错字了 不是景盖是井盖",
                                  "不是景盖是井盖 语音打错了 就下水道那个井盖没了 晚上看不着"])
def test_a_word_the_citizen_says_was_wrong_is_put_right(said):
    current = "千山路跟汤岗子那个路口往南一百米 马路中间景盖没了就剩一个大窟窿"
    assert matter.word_fixed(current, said) == current.replace("景盖", "井盖")


@pytest.mark.parametrize("said", ["是井盖", "我不是本地人 是外地的", "不是小区大门 是我们单元那个铁门"])
def test_a_fix_of_a_word_not_in_the_matter_changes_nothing(said):
    assert matter.word_fixed("马路中间景盖没了就剩一个大窟窿", said) is None


@pytest.mark.parametrize("segment", ["赶紧给撒点融雪剂", "请尽快派人来修一下", "麻烦你们给清理一下"])
def test_what_the_citizen_asks_the_government_to_do_is_the_matter(segment):
    assert matter.rule_label(segment, P) == "matter"


@pytest.mark.parametrize("text, matter_only", [
    ("我今年七十八了 暖气不热 屋里才十四度", "暖气不热 屋里才十四度"),
    ("年逾八旬，楼道灯坏了三个月", "楼道灯坏了三个月"),
    ("本人系退休教师，年逾八旬，公园北门一带没有座椅", "公园北门一带没有座椅"),
    ("我家就住附近 那个工地天天半夜施工", "那个工地天天半夜施工"),
    ("我今年七十八了 高龄补贴咋还没发", "我今年七十八了 高龄补贴咋还没发"),
    ("包工头欠了四个月工资 俺们过年回不了家了", "包工头欠了四个月工资"),
    ("包工头欠了四个月工资 俺们十几个人过年回不了家了", "包工头欠了四个月工资 俺们十几个人"),
    ("早市摆摊摆到马路中间 车根本过不去 上班天天迟到", "早市摆摊摆到马路中间 车根本过不去"),
])
def test_who_the_citizen_is_is_no_matter_unless_it_decides_the_matter(text, matter_only):
    assert matter.matter_text(text, P) == matter_only


def test_a_segment_read_as_a_place_that_tells_what_happens_there_is_the_matter():
    told = content_of("铁东区胜利路那个洗浴中心的锅炉房天天半夜轰隆隆响，吵得睡不着", P)
    assert told is not None and "锅炉房" in told
    assert matter.matter_text("立山区 园林小区 3号楼2单元501", P) == ""


@pytest.mark.parametrize("text, asks", [("能不能找人给抓走", True), ("想让园林给修剪一下 能办不", True),
                                        ("能不能找人来修一下路灯", True), ("能不能帮我查一下工单", False),
                                        ("能不能转人工", False), ("你们能不能快点", False)])
def test_asking_for_the_matter_to_be_done(text, asks):
    assert matter.asks_action(text) is asks


@pytest.mark.parametrize("text, kept", [("我想反映一下我们小区门口那个垃圾桶 哎算了那个不重要", ""),
                                        ("楼道灯坏了 算了 这个不重要 主要是电梯坏了三天", "主要是电梯坏了三天")])
def test_what_the_citizen_takes_back_is_not_the_matter(text, kept):
    assert matter.matter_text(text, P) == kept


@pytest.mark.parametrize("text, kept", [
    ("楼下烧烤店天天后半夜两三点还在那喝酒划拳吵得根本睡不着觉我明天还得早起上班啊啊啊", "楼下烧烤店天天后半夜两三点还在那喝酒划拳吵得根本睡不着觉"),
    ("一共欠了我们二十多万 眼瞅过年了回家咋整啊", "一共欠了我们二十多万"),
])
def test_what_the_matter_does_to_the_citizens_own_day_is_left_out(text, kept):
    assert matter.matter_text(text, P) == kept


def test_two_matters_told_as_one_and_the_other_and_the_one_chosen():
    told = "一个是我们小区垃圾站好几天没人清了 臭得不行 另一个是楼下新开了个烧烤店 油烟直接往我们楼上窜"
    assert len(matter.items(told)) == 2
    assert matter.only_the_one(told, "先报烧烤那个吧 垃圾的我再问问物业") == "楼下新开了个烧烤店 油烟直接往我们楼上窜"
    told = "一个是屯子口那个小桥的栏杆折了 一边儿啥也没有了 另一个是屯里路灯有好几个不亮"
    assert matter.only_the_one(told, "先整那个桥的 那玩意儿危险 路灯那个不着急") == "屯子口那个小桥的栏杆折了 一边儿啥也没有了"


def test_what_the_citizen_thinks_of_the_hotline_is_not_the_matter():
    assert matter.matter_text("就你们这破热线 反映了也白反映 我就试最后一次", P) == ""


@pytest.mark.parametrize("text, asks", [("能不能中午再加一班，或者把发车间隔缩短一些。", True), ("能不能派个铲车来推一推", True),
                                        ("能不能网上办", False), ("请问能不能办居住证", False), ("能不能告诉我去哪办", False)])
def test_what_is_asked_of_the_government_to_do(text, asks):
    assert matter.asks_action(text) is asks


def test_a_question_asked_beside_a_matter_is_not_the_matters_content():
    said = "两个事 一个是我们小区门口那个快递驿站 快递全堆在人行道上 人都没法走 还有一个就是想问问 公租房怎么申请"
    assert matter.without_questions_beside(said) == "我们小区门口那个快递驿站 快递全堆在人行道上 人都没法走"
    assert matter.without_questions_beside("一个是路灯坏了 另一个是井盖丢了") == "一个是路灯坏了 另一个是井盖丢了"
    assert matter.without_questions_beside("问一下 我家低保 申请了俩月了 咋没信呢") == "问一下 我家低保 申请了俩月了 咋没信呢"


@pytest.mark.parametrize("segment", ["我是开出租的", "我是外卖员，", "我是高二学生", "我是大屯村的", "我是吉林的车，"])
def test_what_the_citizen_does_or_where_they_are_from_is_no_name(segment):
    """「我是外卖员，小区保安不让电动车进」: the reader reads it, the rules do not take it for a name."""
    assert matter.rule_label(segment, P) != "form"


@pytest.mark.parametrize("segment", ["我是王桂兰", "我是张大民", "我是李卫东", "本人刘淑芬"])
def test_a_name_after_wo_shi_is_still_the_form(segment):
    assert matter.rule_label(segment, P) == "form"


@pytest.mark.parametrize("segment", ["我本人今年六十九岁，", "患有严重的膝关节炎，", "我老伴腿脚也不好", "孩子都在外地",
                                     "我们是甘肃过来的", "在这摆摊十来年了", "其实也不算投诉吧", "冬天冻死人", "吵得我孩子作业都写不了"])
def test_the_citizens_own_circumstances_are_told_by_their_words(segment):
    assert matter.tells_mine(segment)


@pytest.mark.parametrize("segment", ["楼里住着十几户老人，", "电梯坏了两年了", "物业不扫雪", "吵得整栋楼都睡不着", "欠我们八个人三个月工钱",
                                     "我婆婆八十几岁了爬不动十一楼"])
def test_facts_the_unit_needs_are_not_the_citizens_own_circumstances(segment):
    assert not matter.tells_mine(segment)


def test_a_letter_keeps_the_matter_and_leaves_out_the_writers_age_and_illness():
    told = content_of("领导您好：我今年七十九岁，患有严重的膝关节炎，走几步路就疼。我家住在铁东区园林路和平小区6号楼14楼，"
                      "单元电梯自本月3日起停运至今，物业称需等待厂家配件。楼内住着十几户老人，现在都下不了楼。"
                      "恳请督促物业尽快修复电梯。此致敬礼！", P)
    assert told is not None
    for fact in ("电梯自本月3日起停运至今", "等待厂家配件", "十几户老人", "尽快修复电梯"):
        assert fact in told
    for aside in ("七十九岁", "膝关节炎", "此致"):
        assert aside not in told


def test_where_the_citizens_circumstances_decide_the_matter_they_stay():
    told = matter.matter_text("我一个人住 今年六十八了 没有退休金 想问问能申请低保不", P)
    assert "六十八" in told and "低保" in told


def test_a_question_then_another_item_leaves_the_question_out():
    said = "问一下今年暖气费啥时候截止交啊？另外我们单元楼道灯全坏了 晚上黑灯瞎火的"
    assert matter.without_questions_beside(said) == "我们单元楼道灯全坏了 晚上黑灯瞎火的"
    assert matter.without_questions_beside("楼道灯全坏了 另外问一下暖气费啥时候交") == "楼道灯全坏了"
