"""Reading intake fields out of what citizens actually type."""

from __future__ import annotations

import pytest

from bot.language import extract
from bot.profile import load_profile

P = load_profile("anshan")


def test_rich_first_message_fills_every_field():
    f = extract.extract_fields(
        "我叫王建国，电话13898765432，铁东区胜利南路25号楼下烧烤店天天营业到凌晨两点，噪音油烟太大，我要投诉", P
    )
    assert f.name == "王建国"
    assert f.phone == "13898765432"
    assert f.address == "铁东区胜利南路25号楼下"
    assert f.district == "铁东区"
    assert f.request_type == "投诉"
    assert "烧烤店" in f.content and "噪音油烟" in f.content
    # the citizen's own name and phone are not copied into the description
    assert "13898765432" not in f.content and "王建国" not in f.content


@pytest.mark.parametrize(
    "text, phone",
    [
        ("13898765432", "13898765432"),
        ("138 9876 5432", "13898765432"),
        ("138-9876-5432", "13898765432"),
        ("+86 138 9876 5432", "13898765432"),
        ("８６１３８９８７６５４３２", "13898765432"),
        ("幺三八九八七六五四三二", "13898765432"),
        ("一三八九八七六五四三二", "13898765432"),
        ("电话0412-5551234", "04125551234"),
        ("座机 0412 5551234", "04125551234"),
        ("我电话是5551234", "5551234"),
        ("手机号码:139 1234 5678 随时打", "13912345678"),
    ],
)
def test_phone_formats(text, phone):
    found = extract.find_phone(text)
    assert found is not None and found.value == phone


def test_bare_local_number_only_when_asked():
    assert extract.find_phone("住25号楼1234室") is None
    assert extract.find_phone("5551234", asked=True).value == "5551234"


@pytest.mark.parametrize(
    "text, code",
    [("1389876543", "phone_mobile_length"), ("138987654321", "phone_mobile_length"),
     ("12898765432", "phone_mobile_prefix"), ("0412", "phone_fixed_format"), ("没有电话", None)],
)
def test_phone_problems_have_a_reason(text, code):
    assert extract.find_phone(text, asked=True) is None
    assert extract.phone_problem(text) == code


@pytest.mark.parametrize(
    "text, name",
    [("我叫刘芳", "刘芳"), ("我是张伟，家住千山区", "张伟"), ("免贵姓赵", "姓赵"), ("王女士", "王女士"),
     ("叫我老周就行", "老周"), ("本人李建华 电话13900001111", "李建华"), ("我姓欧阳", "姓欧阳")],
)
def test_names_in_sentences(text, name):
    assert extract.find_name(text).value == name


@pytest.mark.parametrize("text", ["我是铁东区的居民", "我是业主", "我是说楼下太吵"])
def test_not_names(text):
    found = extract.find_name(text)
    assert found is None or found.value not in {"铁东区的居民", "业主", "说楼下太吵"}


@pytest.mark.parametrize(
    "text, value, problem",
    [("老李", "老李", None), ("刘备", "刘备", None), ("匿名", "匿名", None), ("不想说", "匿名", None),
     ("好的", None, "name_empty"), ("", None, "name_empty"), ("王5", None, "name_digits"),
     ("我家楼下那个烧烤店老板人品太差了根本不讲理", None, "name_long")],
)
def test_name_answers(text, value, problem):
    assert extract.parse_name_answer(text) == (value, problem)


@pytest.mark.parametrize(
    "text, address, district",
    [
        ("立山区胜利小区3号楼门口有个井盖没了", "立山区胜利小区3号楼门口", "立山区"),
        ("住在铁西区建设大道88号3单元 楼上天天装修", "铁西区建设大道88号3单元", "铁西区"),
        ("就在园林路和二一九路交口那块", "园林路和二一九路交口那块", None),
        ("鞍山市千山区", "鞍山市千山区", "千山区"),
        ("海城的西柳市场门口", "海城的西柳市场门口", "海城市"),
        # parts typed with spaces between them are one address; the matter after a space is not
        ("立山区 光明小区15号楼 楼顶漏水好几年了", "立山区光明小区15号楼", "立山区"),
        ("我妈住千山区 锦绣华庭 6号楼2单元 暖气不热", "千山区锦绣华庭6号楼2单元", "千山区"),
        ("铁东区园林街道 东方红小学门口 红绿灯坏了", "铁东区园林街道东方红小学门口", "铁东区"),
        ("铁西区兴盛街8号 楼道里堆满杂物", "铁西区兴盛街8号", "铁西区"),
        ("高新区 路灯坏了一排", "高新区", "高新区"),
        # a name whose first character is a place word (园林小区) and a 住宅 are still parts of it
        ("立山区 园林小区 3号楼2单元501 我叫赵淑芬", "立山区园林小区3号楼2单元501", "立山区"),
        ("海城市 兴海街道 铁路住宅 18号楼", "海城市兴海街道铁路住宅18号楼", "海城市"),
    ],
)
def test_addresses(text, address, district):
    found = extract.find_address(text, P)
    assert found is not None
    assert found.value == address
    assert found.district == district


@pytest.mark.parametrize("text", ["楼下饭店的油烟太大了，熏得窗户都不敢开，好几个月了", "隔壁工地天天半夜施工",
                                  "我们小区门口超市占道经营", "举报个加油站 油箱标的一共就150升 它给我加出来163升"])
def test_a_business_said_only_by_where_it_stands_is_no_address(text):
    found = extract.find_address(text, P)
    assert found is None or not found.value.endswith(("饭店", "工地", "超市")), found


@pytest.mark.parametrize("text, address", [("铁东区 万象汇 四楼 动感派健身", "铁东区万象汇四楼动感派健身"),
                                           ("千山区 汤岗子 那个训练场", "千山区汤岗子训练场"), ("铁东区 不知道具体的", "铁东区"),
                                           ("高新区 路灯坏了一排", "高新区"), ("立山区 好的", "立山区"),
                                           ("鞍海路上 海城方向 过了 腾鳌 那块的 路北那个 鑫源加油站",
                                            "鞍海路上海城方向过了腾鳌那块的路北鑫源加油站"),
                                           ("超市叫好又多便民超市 铁西区 鞍钢二中对面那个", "好又多便民超市铁西区鞍钢二中对面"),
                                           ("驾校叫 鞍山顺达驾校 在 千山区 汤岗子 那个训练场", "鞍山顺达驾校在千山区汤岗子训练场"),
                                           ("在人民路 鞍山十五中 附近 二楼", "人民路鞍山十五中附近二楼"),
                                           ("海城市 海州街道 东方明珠小区 7栋 我屋头是1101", "海城市海州街道东方明珠小区7栋"),
                                           ("铁东区 湖南街道 那个 烈士山 底下 往 市政府 去那段人行道",
                                            "铁东区湖南街道烈士山底下往市政府去那段人行道")])
def test_an_answer_to_where_is_the_place_as_said_after_the_district(text, address):
    assert extract.parse_address_answer(text, P)[0] == address


def test_running_away_is_no_road():
    assert extract.find_address("健身房直接关门跑路了 老板微信拉黑", P) is None


def test_address_answer_none_and_unclear():
    assert extract.parse_address_answer("无", P)[0] == extract.NO_ADDRESS
    assert extract.parse_address_answer("不涉及具体地点", P)[0] == extract.NO_ADDRESS
    assert extract.parse_address_answer("啊", P) == (None, None, "address_unclear")
    value, district, problem = extract.parse_address_answer("胜利广场东边那个公交站", P)
    assert value and problem is None


@pytest.mark.parametrize(
    "text, kind",
    [("我要投诉", "投诉"), ("我要举报有人偷倒渣土", "举报"), ("提个建议，公交能不能多开几趟", "意见建议"),
     ("请问社保卡怎么补办", "咨询"), ("家里停水三天了咋整", "求助"), ("楼下烧烤太吵", None)],
)
def test_request_type(text, kind):
    assert extract.infer_request_type(text) == kind


def test_type_only_message_has_no_content():
    for text in ["我要投诉。", "投诉", "我想反映个问题", "举报", "我要咨询一下"]:
        assert extract.extract_fields(text, P).content is None, text


def test_confidential_and_reply():
    assert extract.parse_confidential("需要保密") is True
    assert extract.parse_confidential("不用保密") is False
    assert extract.parse_confidential("别告诉他们是我举报的") is True
    assert extract.parse_wants_reply("不用回复我") is False
    assert extract.parse_wants_reply("需要回电话") is True


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "<script>alert(1)</script>", "a" * 20000, "\x00\x01", "🔥" * 3])
def test_hostile_input_never_raises(text):
    extract.extract_fields(text, P)
    extract.parse_name_answer(text)
    extract.parse_address_answer(text, P)
    extract.find_phone(text, asked=True)


def test_huge_message_content_capped_but_kept_whole_elsewhere():
    text = "楼下烧烤店噪音太大" * 1000
    f = extract.extract_fields(text, P)
    assert len(f.content) == extract.MAX_CONTENT_CHARS


def test_other_city_profile_districts():
    weifang = load_profile("weifang")
    found = extract.find_address("奎文区东风东街100号门口", weifang)
    assert found.district == "奎文区"
    assert extract.find_address("奎文区东风东街100号门口", P).district is None


@pytest.mark.parametrize("text", ["有个小作坊在居民楼里做豆腐 下水直接往马路上排", "总有人在小区里遛狗不拴绳", "在马路上乱停车",
                                  "小区路灯坏了一个多月了晚上很黑", "这段路况太差了"])
def test_generic_places_are_not_addresses(text):
    assert extract.find_address(text, P) is None


def test_address_given_for_a_name_is_not_a_name():
    assert extract.parse_name_answer("铁西区兴盛街") == (None, "name_empty")
    assert extract.parse_name_answer("刘晓路")[0] == "刘晓路"


@pytest.mark.parametrize("text", ["有帮助，谢谢", "我叫孙丽，电话13604120000", "好的好的", "不知道啊"])
def test_non_places_are_not_address_answers(text):
    assert extract.parse_address_answer(text, P) == (None, None, "address_unclear")


def test_a_road_before_its_lamps_is_still_a_road():
    assert extract.find_address("胜利路路灯不亮", P).value == "胜利路"


def test_our_community_is_not_an_address():
    assert extract.find_address("去年我们小区着过火 现在消防通道又被堵了 物业也不管", P) is None


@pytest.mark.parametrize("text, kind", [
    ("公司拖欠工资三个月了一分钱没给，老板也联系不上，投诉", "投诉"),
    ("我家暖气一直不热，屋里才十四度，求助", "求助"),
    ("建议在路口加装红绿灯", "意见建议"),
    ("我要举报，工地晚上往河里倒垃圾", "举报"),
    ("想咨询一下公积金怎么提取", "咨询"),
    ("我不是投诉，就是想问问暖气什么时候来", None),
    ("楼下烧烤店太吵了", None),
    ("帮帮忙吧", None),  # implied, not named: the classifier decides
])
def test_the_type_a_citizen_names(text, kind):
    from bot.language.extract import named_request_type

    assert named_request_type(text) == kind


def test_abuse_is_never_the_matter_and_the_citizens_punctuation_stays():
    extract_fields = extract.extract_fields
    """Issue 19: an insult became an order's content; full-width punctuation became ASCII."""
    p = load_profile("anshan")
    assert extract_fields("你们这帮废物，拿着纳税人的钱不干人事", p).content is None
    assert extract_fields("垃圾热线有个屁用", p).content is None
    found = extract_fields("你们这帮废物，我家门口马路井盖丢了三天了，晚上黑灯瞎火的！", p).content
    assert found == "我家门口马路井盖丢了三天了，晚上黑灯瞎火的！"
    assert extract_fields("楼下烧烤店（老王家）天天营业到凌晨2:30，有油烟，", p).content == "楼下烧烤店（老王家）天天营业到凌晨2:30，有油烟"
    # 「吵死了」 alone is an exaggeration without a fact (the hours tell the noise): not the matter
    assert extract_fields("楼下烧烤店（老王家）天天营业到凌晨2:30，吵死了，", p).content == "楼下烧烤店（老王家）天天营业到凌晨2:30"


@pytest.mark.parametrize("text,name", [
    ("公司叫鞍山智联科技有限公司，我是法人周明", "周明"),   # the person, not the company
    ("此致敬礼 居民：赵淑芬", "赵淑芬"),                    # a letter's sign-off
    ("法定代表人：周明", "周明"),
])
def test_a_role_or_a_sign_off_names_the_person(text, name):
    assert extract.find_name(text).value == name


@pytest.mark.parametrize("text,expected", [
    ("那你帮我登记吧", (None, "name_empty")),   # a sentence, not a name (issue 19)
    ("顺达物流", (None, "name_empty")),         # an organisation
    ("我信里写了，赵淑芬", ("赵淑芬", None)),
])
def test_a_name_answer_is_a_person(text, expected):
    assert extract.parse_name_answer(text) == expected


@pytest.mark.parametrize("text,address", [
    ("住在铁东区那个，那个胜利街道，叫啥来着，园林小区吧，3号楼", "铁东区胜利街道园林小区3号楼"),  # issue 19
    ("铁西区那个建设大道58号", "铁西区建设大道58号"),
])
def test_a_spoken_address_is_read_without_its_fillers(text, address):
    assert extract.find_address(text, load_profile("anshan")).value == address


@pytest.mark.parametrize("text,about_the_form", [
    ("名字不说了 电话也别留了 都是一个屯子的 让人知道了我在村里没法待", True),  # issue 19: appended to the content
    ("一定得保密啊", True),
    ("不用保密 你给我登上就行", True),
    ("楼道灯黑了一个多月了 我上礼拜下楼差点踩空", False),
    # a name spelled out, the name and the phone said again, 实名
    ("电话13704129836，名字就是周明，周末的周，明天的明", True),
    ("不需要保密，大家都同意实名", True),
    ("我姓张 弓长张", True),
    ("我叫刘芳，13700001111，立山区胜利小区3号楼门口井盖没了", False),
    ("电话13704129836，楼道灯又坏了三天了", False),
    ("楼下又开始吵了，周末的时候最吵", False),
])
def test_answers_about_the_form_are_not_the_matter(text, about_the_form):
    assert extract.only_about_the_form(text) is about_the_form


def test_greetings_and_letter_formalities_are_not_the_matter():
    p = load_profile("anshan")
    assert extract.extract_fields("领导您好：小区门口的路灯坏了半个月了，晚上特别黑。此致敬礼", p).content == \
        "小区门口的路灯坏了半个月了，晚上特别黑"
    assert extract.extract_fields("您好，打扰了，想反映一下楼上养狗的事", p).content == "想反映一下楼上养狗的事"


def test_a_full_name_after_the_surname_wins_and_a_preamble_is_not_the_matter():
    assert extract.find_name("我姓罗 罗小梅 电话18841208862").value == "罗小梅"
    p = load_profile("anshan")
    assert extract.extract_fields("闺女啊 你是那个12345不 我跟你说个事儿", p).content is None
    assert extract.extract_fields("我跟你说个事 楼下烧烤店油烟太大", p).content == "楼下烧烤店油烟太大"


@pytest.mark.parametrize("text,content", [
    ("楼上漏水漏我家来了 天花板都泡了，气死我了", "楼上漏水漏我家来了 天花板都泡了"),
    ("垃圾堆成山了，你们还管不管了", "垃圾堆成山了"),
])
def test_outbursts_are_not_facts_of_the_matter(text, content):
    assert extract.extract_fields(text, load_profile("anshan")).content == content


def test_a_letters_closing_and_signature_are_not_the_matter():
    assert extract.without_courtesies("自来水发黄浑浊，尽快查明原因予以解决。此致 敬礼 居民：") == "自来水发黄浑浊，尽快查明原因予以解决"


def test_本人_opens_a_self_description_or_the_phone_not_only_a_name():
    assert extract.find_name("本人系退休教师，年逾八旬") is None
    assert extract.find_name("本人联系电话：13941260518。无须保密。") is None
    assert extract.find_name("本人李建华 电话13900001111").value == "李建华"
    assert extract.parse_confidential("无须保密") is False


def test_names_said_beside_the_phone_or_for_someone_else_are_read():
    from bot.language.extract import find_name, parse_name_answer

    assert parse_name_answer("王桂兰 电话13842215637") == ("王桂兰", None)
    assert parse_name_answer("名字写我奶奶的 吴凤琴 电话写我的 15142278890") == ("吴凤琴", None)
    assert find_name("电话就算了 名字留个吧 孙鹏").value == "孙鹏"
    # a sentence given where the name was asked is not a name
    assert parse_name_answer("时间是昨天上午九点多")[0] is None
    assert parse_name_answer("欧阳娜娜") == ("欧阳娜娜", None)


def test_landmarks_and_businesses_are_places():
    from bot.language.extract import find_address
    from bot.profile import load_profile

    p = load_profile("anshan")
    assert find_address("今天晚上在鞍山站 我说去铁西 他说不顺路不拉", p).value == "鞍山站"
    assert "好又多超市" in find_address("千山区汤岗子那块 好又多超市 我买的酸奶过期了", p).value
    assert find_address("就是铁东区那个公积金大厅 二号窗口 今天上午", p).value == "铁东区公积金大厅二号窗口"
    assert find_address("工地叫锦绣华府二期 大门口有牌子", p).value.startswith("锦绣华府")
    assert find_address("我站在路边等了半天", p) is None


def test_full_width_punctuation_comes_back_in_runs():
    from bot.language.extract import chinese_punctuation, normalize

    assert chinese_punctuation(normalize("我要投诉广场舞扰民！！每天都跳")) == "我要投诉广场舞扰民！！每天都跳"
    assert chinese_punctuation("真的吗?!好") == "真的吗？！好"


def test_names_in_dialect_and_corrected_names_are_read_and_places_are_not_names():
    from bot.language.extract import find_name

    assert find_name("俺叫李长有 电话15937612284").value == "李长有"
    assert find_name("名字写错了 是珍珠的珍 王淑珍 我刚才打岔了").value == "王淑珍"
    assert find_name("工地在高新区千山路那个 叫啥御景 俺也说不清 包工头姓宋") is None
    assert find_name("我姓罗 罗小梅 电话18841208862").value == "罗小梅"


@pytest.mark.parametrize("text, name", [("My name is Mark Thompson, phone 18242160731", "Mark Thompson"),
                                        ("Mark Thompson", "Mark Thompson"), ("Li Wei", "Li Wei")])
def test_names_said_in_english(text, name):
    assert extract.parse_name_answer(text) == (name, None)


@pytest.mark.parametrize("text", ["Yes, correct. Please submit.", "ok", "I am tired", "Hello"])
def test_english_that_is_not_a_name(text):
    assert extract.parse_name_answer(text)[0] is None


def test_a_named_place_right_after_the_address_is_part_of_it():
    """A shop's name has no place word to be found by; said right after the street, it is the place."""
    assert extract.extract_fields("铁西区兴盛街 刘记烧烤 天天半夜吵", P).address == "铁西区兴盛街刘记烧烤"
    # the matter, a name or the next part of the address are not taken for it
    assert extract.extract_fields("铁西区兴盛街8号 楼道里堆满杂物", P).address == "铁西区兴盛街8号"
    assert extract.extract_fields("铁东区园林小区 王桂兰 13842215637", P).address == "铁东区园林小区"
    # a shop by its name alone, after a pause and a filler
    assert extract.extract_fields("海城西柳镇 市场后街那个 老四季抻面 后厨用泔水油", P).address == "海城西柳镇市场后街老四季抻面"
    assert extract.extract_fields("铁东区园林小区3号楼 饭店 油烟大", P).address == "铁东区园林小区3号楼"
    assert extract.extract_fields("铁西区兴盛街那个老刘家烧烤 我就住他楼上", P).address == "铁西区兴盛街老刘家烧烤"
    assert extract.extract_fields("到铁东区万达广场，司机绕路，打表78元", P).address == "铁东区万达广场"


@pytest.mark.parametrize("text, yes", [("内容没问题，提交。", True), ("对 都对 提交吧", True), ("行行行", True),
                                       ("嗯 就这么的", True), ("好的，提交吧！", True), ("不对", False),
                                       ("不提交了", False), ("没问题 但是电话改一下", False), ("取消吧", False)])
def test_a_message_that_only_says_yes(text, yes):
    assert extract.affirms(text) is yes


@pytest.mark.parametrize("text, cancels", [("不用报了哈 谢谢", True), ("说以后九点以后再干 算了 不报了", True),
                                           ("不投诉了", True), ("报了好几次了", False), ("我报了警了 不管用", False),
                                           ("物业说不用报了 自己修", False)])
def test_the_citizen_no_longer_wanting_to_report(text, cancels):
    assert extract.explicit_cancel(text) is cancels


def test_a_shop_named_is_not_the_citizen():
    assert extract.find_name("立山区 友好街道 建材小区 2号楼 一楼门市 叫蜀香园") is None
    assert extract.find_name("店叫张记 我叫王明").value == "王明"


@pytest.mark.parametrize("text, address", [
    ("我想提个建议 二一九公园东门那块 早上锻炼的人老多了 能不能在东门附近再建一个厕所", "二一九公园东门那块"),
    ("16路车 今天早上七点四十 在 站前 那站 我在站牌底下招手 司机愣是没停", "站前站"),
    ("12月2日晚8点左右从鞍山西站打车到铁东区万达广场，司机绕路", "鞍山西站到铁东区万达广场"),
])
def test_places_named_around_the_matter(text, address):
    """A named place outranks a door of it said later; a bus line is no place, its stop is; a ride
    is where it began and where it went."""
    found = extract.find_address(text, P)
    assert found is not None and found.value == address


def test_a_bus_line_alone_is_no_place():
    assert extract.find_address("16路车司机开车打电话", P) is None


@pytest.mark.parametrize("text", ["嗯 就这么的", "对 就这个", "行"])
def test_agreeing_names_no_one(text):
    assert extract.parse_name_answer(text) == (None, "name_empty")


@pytest.mark.parametrize("text", ["甭管我叫啥 电话13604121190 赶紧给撒点融雪剂", "叫啥不重要", "名字无所谓"])
def test_not_caring_to_give_a_name_declines_it(text):
    assert "name" in extract.declined_fields(text)


@pytest.mark.parametrize("text, kind", [("My name is Daniel Brown, phone 18642290317. Please file a complaint.", "投诉"),
                                        ("I want to complain about the noise", "投诉"), ("I have a suggestion", "意见建议")])
def test_a_type_named_in_english(text, kind):
    assert extract.named_request_type(text) == kind


@pytest.mark.parametrize("text, name", [("有记录 我扫码付的款", None), ("刘德华 你记一下", "刘德华"),
                                        ("台安县桑林镇 大房村东头 姓刘的养猪场", None)])
def test_a_sentence_or_someone_elses_surname_is_not_the_citizens_name(text, name):
    assert extract.parse_name_answer(text)[0] == name


@pytest.mark.parametrize("text, address", [("立山广场那个公共厕所 晚上七点就锁门了", "立山广场"),
                                           ("我们小区广场上天天跳舞", None), ("去医院看病排队太长", None)])
def test_a_named_square_is_a_place_and_a_generic_one_is_not(text, address):
    assert extract.extract_fields(text, load_profile("anshan")).address == address


def test_the_intake_reads_a_type_corrected_in_the_same_breath_as_the_classifier_does():
    from bot.language.request_types import declared_type

    text = "我想投诉一下 不对 算建议吧 我们小区没有充电桩"
    assert extract.named_request_type(text) == declared_type(text) == "意见建议"


@pytest.mark.parametrize("text, name", [("名字就写小陈吧 电话15641208877", "小陈"), ("就写王先生", "王先生"),
                                        ("称呼写老刘就行", "老刘"), ("刘丽丽吧", "刘丽丽")])
def test_a_name_said_as_how_to_write_it(text, name):
    assert extract.parse_name_answer(text) == (name, None)


@pytest.mark.parametrize("text", ["铁东区的", "物业叫 鑫诚物业", "快乐小铺"])
def test_a_place_or_a_business_is_no_name(text):
    assert extract.parse_name_answer(text)[0] is None


def test_a_matter_that_says_no_is_not_an_answer_about_the_form():
    assert not extract.only_about_the_form("取个快递还要收一块钱 说是保管费 不给就不让拿 离谱")
    assert extract.only_about_the_form("电话就算了吧，我不方便留")


@pytest.mark.parametrize("text, place", [
    ("本人居住于铁东区长甸街道，每日接送孙子上下学途经鞍山市第十五中学门前路段。该路段早晚高峰车流量大", "铁东区鞍山市第十五中学门前路"),
    ("本人系铁西区繁荣街道居民，每天步行送孩子上学途经建设大道与西六道街交叉口。该路口车流量大", "铁西区建设大道与西六道街交叉口"),
    ("我是铁东区园林街道明达新城小区的一名普通居民。我小区12号楼2单元电梯频繁故障", "铁东区园林街道明达新城小区12号楼2单元"),
    ("我住在铁西区兴盛小区，楼下饭店油烟大", "铁西区兴盛小区"),
])
def test_a_letter_gives_where_the_matter_happens_not_only_where_the_writer_lives(text, place):
    assert extract.find_address(text, P).value == place


def test_a_name_taken_back_and_a_shop_named_with_jiao():
    assert extract.declined_fields("哎 你们那个名字能不能不写啊 怕人家知道 名字别写了 电话留着就行") == {"name"}
    assert extract.find_name("小卖部在学校大门东边 叫快乐小铺") is None


def test_a_choice_said_with_ba_is_no_name():
    assert extract.parse_name_answer("第二个，算建议吧")[0] is None


@pytest.mark.parametrize("text, wanted", [("唔使保密", False), ("没必要保密", False), ("保密就不用了", False), ("用不着保密", False),
                                          ("不要匿名", False), ("不用帮我保密", False), ("保密吧", True), ("能保密吗", True),
                                          ("千万别让他知道是我", True), ("一定保密", True)])
def test_confidentiality_declined_in_any_words_is_not_asked_for(text, wanted):
    assert extract.parse_confidential(text) is wanted


@pytest.mark.parametrize("text, yes", [("行 提交吧 有消息给我回个电话", True), ("不保密 确认", True), ("对 提交 不用回复", True),
                                       ("有消息给我回个电话", False), ("保密", False)])
def test_yes_said_with_the_forms_own_answers_is_yes(text, yes):
    assert extract.affirms(text) is yes


def test_an_address_typed_in_parts_holds_a_hutong_but_not_what_follows():
    assert extract.find_address("铁西区 大陆街道 西五胡同 一整条胡同都不亮", P).value == "铁西区大陆街道西五胡同"


def test_a_college_gate_is_a_place_a_college_alone_is_not():
    assert extract.find_address("就是鞍山师范学院北门那个公交站 连个候车亭都没有", P).value.startswith("鞍山师范学院北门")
    assert extract.find_address("我家孩子在大学", P) is None


def test_yes_said_as_file_it_this_way_is_yes():
    assert extract.affirms("是的，按建议提交就行。") and extract.affirms("按这个提交吧")
    assert not extract.affirms("不对 按投诉")


def test_a_letter_that_names_the_writers_street_first_gives_the_crossing_it_is_about():
    letter = ("本人系铁西区繁荣街道居民，每天步行送孩子上学途经建设大道与西六道街交叉口。该路口车流量大，但无信号灯、无人行横道。"
              "为此建议：一、在该路口增设红绿灯；二、施划人行横道线。")
    assert extract.find_address(letter, P).value == "铁西区建设大道与西六道街交叉口"


def test_a_business_named_after_the_place_is_where_it_happens():
    told = "台安县 工业园区里 有个叫 鑫达化工 的厂子 白天不排 一到后半夜就把废水直接往厂子后面那条沟里放"
    assert extract.find_address(told, P).value == "台安县工业园区里鑫达化工"


def test_how_the_citizen_asks_to_be_written_wins_over_the_surname_said_first():
    assert extract.find_name("我姓高 电话18241209966 名字就写高先生").value == "高先生"
    assert extract.find_name("我姓王 名字写王淑芬就行").value == "王淑芬"
    assert extract.find_name("我姓高 名字写李四").value == "姓高"  # someone else's name is not how to write mine
    assert extract.find_name("我姓高").value == "姓高"


@pytest.mark.parametrize("text, confidential", [("莫跟她说是我反映的哈", True), ("别跟他说是我举报的", True),
                                                ("不要说是我们小区的问题", None), ("别跟我说这些", None)])
def test_dont_tell_them_it_was_me_in_any_dialect_is_confidential(text, confidential):
    assert extract.parse_confidential(text) is confidential


def test_yes_in_dialect_with_a_particle_is_yes():
    assert extract.affirms("要得 提交嘛") and extract.affirms("提交嘛")


def test_a_phone_put_right_in_the_same_breath_is_the_one_put_right():
    assert extract.find_phone("我叫田野 电话13804128890 哦不对 是13804128980").value == "13804128980"
    assert extract.find_phone("我的13804128890 我老伴的13804128980").value == "13804128890"
