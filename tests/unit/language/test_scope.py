"""Out-of-scope matters and the legal route the citizen is told about."""

from __future__ import annotations

import pytest

from bot.citizen_texts import SCOPE_ROUTE_NAMES, route_answer, scope_reply
from bot.language import scope
from bot.language.scope import ROUTES, OutOfScope
from bot.profile import load_profile

ANSHAN = load_profile("anshan")
WEIFANG = load_profile("weifang")
TIANJIN = load_profile("tianjin")

# (message, route) for the Anshan profile
OUT_OF_SCOPE: list[tuple[str, str]] = [
    # litigation
    ("离婚财产分割的官司法院判了我不服，你们帮我改判", "litigation"),
    ("一审判决不公平，我想上诉", "litigation"),
    ("法院判决下来了，对方一直不执行，执行款拿不到", "litigation"),
    ("法院判了，对方还是不还钱", "litigation"),
    ("我想起诉物业", "litigation"),
    ("开发商延期交房，我想起诉他们", "litigation"),
    ("我想打官司", "litigation"),
    ("朋友借了我五万块钱一直不还", "litigation"),
    ("判决书下来了我不服，12345能不能给我重新判", "litigation"),
    ("法院一直不给立案，你们管管", "litigation"),
    ("法院判决让对方赔我钱，他就是不给，你们能不能帮我要", "litigation"),
    ("邻居占了我家的地，我想去法院告他", "litigation"),
    ("我是原告，法官一直拖着不开庭", "litigation"),
    ("法院已经判了让开发商退钱，到现在都没执行", "litigation"),
    ("我要告医院，我爸就是被他们治死的", "litigation"),
    # arbitration
    ("我要申请劳动仲裁，公司拖欠工资", "arbitration"),
    ("劳动仲裁裁决下来了，公司不执行", "arbitration"),
    ("对仲裁结果不服", "arbitration"),
    ("仲裁委已经受理了，开庭一直拖着", "arbitration"),
    ("公司不给我补偿，我想去仲裁", "arbitration"),
    ("公司无缘无故把我辞了 干了六年 一分钱补偿不给 说我试用期不合格", "arbitration"),
    # discipline
    ("我要举报我们镇的书记贪污扶贫款，我愿意实名", "discipline"),
    ("村干部贪污低保款", "discipline"),
    ("我们村书记收了人家的红包，给他家批了宅基地", "discipline"),
    ("局长滥用职权", "discipline"),
    ("实名举报村支书", "discipline"),
    ("我要实名举报村支书，电话13800000000", "discipline"),
    ("村会计优亲厚友，把低保都给了他亲戚", "discipline"),
    ("镇长受贿，帮开发商违规拿地", "discipline"),
    ("举报我们社区主任收好处费", "discipline"),
    ("村支书把村里的地偷偷卖了，钱进了自己腰包", "discipline"),
    ("城管收了摊贩的保护费", "discipline"),
    ("我们村的村主任把低保名额都给了他亲戚", "discipline"),
    ("镇干部吃拿卡要，办个证要送礼", "discipline"),
    # administrative review
    ("交警罚单我不服，我根本没有违停", "admin_review"),
    ("城管罚款不合理，我要撤销", "admin_review"),
    ("对行政处罚决定不服", "admin_review"),
    ("我要申请行政复议", "admin_review"),
    ("城管把我的三轮车没收了，我不服", "admin_review"),
    ("交警罚了我200块，我不服", "admin_review"),
    ("派出所对我行政拘留五天，我不服", "admin_review"),
    ("对工伤认定结论不服", "admin_review"),
    ("拆迁补偿决定不合理", "admin_review"),
    ("交警开的罚单不合理，我要复议", "admin_review"),
    ("城管强拆了我家的房子，我不服", "admin_review"),
    ("社保局不认定我的工伤，我不服", "admin_review"),
    ("我被交警罚了款扣了分，觉得不合理，想申请撤销", "admin_review"),
    ("市场监管局对我的店罚了五万，太冤了", "admin_review"),
    # petition already under way
    ("信访局已经受理了，我想问问进度", "petition"),
    ("我这个事正在信访，你们帮我催一下", "petition"),
    ("我之前去信访局反映过了", "petition"),
    ("这个问题我已经信访三年了", "petition"),
    ("我的信访件一直没人处理", "petition"),
    ("上访好几年了也没解决", "petition"),
    ("这件事我去年就去信访局登记过了，现在还没结果", "petition"),
    # information disclosure
    ("我要申请公开拆迁补偿方案的文件", "info_disclosure"),
    ("我想看一下政府征收我们村土地的批复文件", "info_disclosure"),
    ("我要申请政府信息公开", "info_disclosure"),
    ("我想申请公开我们村征地补偿款的发放明细", "info_disclosure"),
    ("我想让你们把规划局批复的那个项目的文件给我看看", "info_disclosure"),
    ("想看看小区改造的预算、决算明细，社区说没有权限给", "info_disclosure"),
    # other people's private information
    ("帮我查一下张三的身份证号", "privacy"),
    ("我想查我老公的开房记录", "privacy"),
    ("能告诉我是谁举报的我吗", "privacy"),
    ("帮我查一下这个车牌是谁的", "privacy"),
    ("能不能查到欠我钱那个人的家庭住址", "privacy"),
    ("我想知道前夫现在住在哪", "privacy"),
    ("我老公出轨了，帮我查他的开房记录", "privacy"),
    ("告诉我投诉人的电话，我找他当面说", "privacy"),
    ("你们能不能告诉我举报我的人的电话", "privacy"),
    ("帮我查查这个人是不是有犯罪记录", "privacy"),
    ("你们能不能把我邻居的手机号告诉我，他家漏水我联系不上", "privacy"),
    ("帮我查下我前妻现在住哪个小区", "privacy"),
    # state, work and commercial secrets (鞍山条例第十五条第三项, 通辽第十一条, 潍坊第十九条, 天津第十三条)
    ("你们能不能把那份机密文件发我看看", "secrets"),
    ("我发现单位有人泄露国家秘密", "secrets"),
    ("帮我查一下竞争对手的客户名单和报价", "secrets"),
    ("下周那个工程招标，能不能提前透露一下标底", "secrets"),
    ("区里开会的会议纪要能发我一份吗 我想看看领导怎么说的", "secrets"),
    ("前员工把我们公司的商业秘密带到了对手公司", "secrets"),
    # against public order and good morals
    ("帮我找小三", "public_order"),
    ("帮我讨赌债", "public_order"),
    ("哪里可以找代孕", "public_order"),
    ("我想找人把欠我钱的那个人打一顿", "public_order"),
    ("他欠我赌债不还，你们帮我要回来", "public_order"),
    ("我老公出轨了，你们帮我把小三抓起来", "public_order"),
    ("怎么办假证", "public_order"),
    ("能不能帮我把我老公外面那个女的找出来", "public_order"),
    ("我想买个孩子，哪里有渠道", "public_order"),
    # outside the city
    ("我在沈阳买的房子开发商不给办证", "outside_city"),
    ("营口的一家公司欠我工资", "outside_city"),
    ("辽阳那边的高速口堵车", "outside_city"),
    ("我在葫芦岛打工，老板拖欠工资", "outside_city"),
    ("我在广东省深圳市南山区，楼下噪音扰民", "outside_city"),
    ("我现在在大连旅游，酒店乱收费", "outside_city"),
    ("辽阳市白塔区有个工地扰民", "outside_city"),
    ("我在朝阳上班，单位不给交社保", "outside_city"),
    ("葫芦岛兴城的海边浴场乱收费", "outside_city"),
    ("我在营口鲅鱼圈买的海景房，开发商延期交房", "outside_city"),
    # litigation: pushing or swaying a case already filed
    ("我的案子在法院立案三个月了，你们帮我催催法官", "litigation"),
    ("案子已经立案了还没开庭，能不能让对方先把钱给我", "litigation"),
    ("法院还没判，你们先让他把欠款给我", "litigation"),
    ("我们这个案子已经起诉了，你们帮我们判一下", "litigation"),
    ("官司还在审，你们能不能督促一下法院快点判", "litigation"),
    ("这案子法院受理了，你们帮我跟法官说一下判我赢", "litigation"),
    ("俺那官司法院拖着不开庭，恁给催催法官", "litigation"),
    # arbitration: the hotline asked to rule a labour, contract or land-contract dispute itself
    ("公司把我辞退了，你们判他赔钱", "arbitration"),
    ("公司说我旷工把我开除了，你们给定个性算不算违法解除", "arbitration"),
    ("工伤认定已经下来了，你们让老板按标准赔", "arbitration"),
    ("工伤认定书下来了，老板就是不赔，你们督促老板按规定赔偿", "arbitration"),
    ("我跟村里签的土地承包合同，现在村里要收回，你们评评理判一下这地归谁", "arbitration"),
    ("我和邻居的承包地地界有争议，你们给断一下归谁", "arbitration"),
    ("老板不给加班费，你们给判一下该不该给", "arbitration"),
    ("厂里不给我签劳动合同还把我辞了，你们说算不算违法", "arbitration"),
    # discipline: an official's misconduct told without 贪污/受贿
    ("我们镇的科长收了开发商的钱", "discipline"),
    ("民警办案的时候收了对方的钱", "discipline"),
    ("校长吃回扣，食堂的菜又贵又差", "discipline"),
    ("村干部上班时间在村委会赌博", "discipline"),
    ("局长天天开公车接送孩子上学", "discipline"),
    ("城管队长照顾关系户，别人摆摊就罚", "discipline"),
    ("社区主任不给钱就不给盖章", "discipline"),
    ("村官把他亲戚安排进了村委会", "discipline"),
    ("街道的工作人员上班时间打麻将", "discipline"),
    # administrative review: a specific decision the citizen wants overturned
    ("城管认定我家阳台是违建要拆，我不认", "admin_review"),
    ("不动产登记中心不予登记，我想推翻这个决定", "admin_review"),
    ("社保局不予认定工伤，我要求复查", "admin_review"),
    ("市场监管局罚了我两万，我想让他们撤销", "admin_review"),
    ("环保局的罚款决定我不认，要求重新认定", "admin_review"),
    ("人社局不予认定工伤的决定，我想推翻", "admin_review"),
    # petition: in the 信访 channel for a while
    ("我这个事信访好几年了，你们帮忙协调一下", "petition"),
    ("信访局一直在办，你们帮我催催", "petition"),
    ("我在信访局反映了两年了还没解决", "petition"),
    ("上访三年了没人管，你们给协调协调", "petition"),
    ("这事儿信访局还在处理，你们能帮我问问吗", "petition"),
    ("我那个信访的事都一年了 信访办老说在办 你们帮我推一推", "petition"),
    ("去年好几次到区信访局上访，给的处理意见我不满意，你们给我转给书记", "petition"),
    # undone by the hotline: a ticket, a fine, a refusal
    ("城管罚了我家饭店五千 你们把这个罚款给我免了", "admin_review"),
    ("恳请热线撤销区自然资源局对我作出的限期拆除决定", "admin_review"),
    ("交警贴的罚单你们帮我撤了吧 那地方根本没牌子", "admin_review"),
    # a formal request for government information
    ("本人依据《政府信息公开条例》，申请公开以下信息：1.征收补偿方案", "info_disclosure"),
    ("请依法公开我村2023年土地征收补偿款的发放明细，我以公民身份申请", "info_disclosure"),
    # a family or partnership dispute the hotline is asked to rule on
    ("我爸走了留下两套房 我姐说都归她 你们给评评理到底该咋分", "litigation"),
    ("法院判了我每月能看孩子 她就是不让看 你们强制她执行判决", "litigation"),
    ("我跟朋友合伙开店出资一半 他不给我分红 你们认定一下我该分得多少", "litigation"),
    # other people's information, the hotline asked to help deceive
    ("帮我查个人，叫王**，我要他家住址", "privacy"),
    ("我想要楼下那家的电话 他家空调滴水", "privacy"),
    ("隔壁老李一个月挣多少钱 你们能查着吧 告诉我呗", "privacy"),
    ("我家低保还想领着 孩子上班了 你们帮我把这事瞒过去", "public_order"),
    ("有没有办法帮我把车检糊弄过去 给点钱也行", "public_order"),
    ("帮我开个有病的证明 让孩子躲过兵役", "public_order"),
    # elsewhere, though the citizen lives here or asks this city's hotline
    ("我是铁东区的，在沈阳市和平区一家店买的冰箱坏了，店里不给修", "outside_city"),
    ("我在大连住院那家医院乱收费 你们鞍山12345管不管", "outside_city"),
    ("在上海打工老板不给工资跑了 我现在在鞍山 你们能管吗", "outside_city"),
    ("锦州凌河区我老房子漏水 物业不管 你们鞍山12345给管管吧", "outside_city"),
    ("我在本溪一个工地干活 老板欠我工资跑了 我家在鞍山 你们去本溪把钱要回来", "outside_city"),
    # the hotline asked to rule directly, to undo a decision, to look up a person
    ("村里的承包地边界有纠纷 要求你们派人到现场直接裁定这块地归谁", "arbitration"),
    ("城管给我下了限期拆除决定书 你们给我把这决定撤了", "admin_review"),
    ("帮我查一下这名女子的身份证号和住址", "privacy"),
]

# In scope: look-alikes, and plain questions about how to use a route (the hotline answers them).
IN_SCOPE: list[str] = [
    "投诉法院门口违停",
    "法院门口的共享单车堆成山了",
    "举报商家卖假货",
    "我找了律师，但是还是想投诉物业乱收费",
    "我不想打官司，就想让你们协调一下",
    "劳动仲裁去哪申请",
    "咨询怎么申请行政复议",
    "怎么起诉物业",
    "怎么申请政府信息公开",
    "纪委电话是多少",
    "离婚诉讼怎么立案",
    "我要离婚，孩子抚养权怎么判",
    "物业罚款不合理",
    "公司拖欠工资三个月",
    "村务公开不及时",
    "帮我查一下物业的电话",
    "查一下我的社保缴费记录",
    "我的个人信息被泄露了",
    "举报有人做代孕中介",
    "你们再不解决我就去上访",
    "我是沈阳人，在鞍山上班，社保怎么交",
    "我老家在辽阳，想把户口迁到鞍山",
    "大连路上的路灯坏了",
    "铁东区朝阳街路灯坏了",
    "朝阳小区门口乱停车",
    "我在天津，想问问鞍山的落户政策",
    "在外地打工被拖欠工资",
    "律师费太贵了",
    "法院的电话是多少",
    "村书记家门口乱堆垃圾，我要举报",
    "小区门口早市占道经营",
    "打官司需要多少钱",
    "仲裁需要带什么材料",
    "政府应该公开拆迁补偿标准",
    "北京来的游客在鞍山被宰",
    "我儿子在北京上大学，学费贷款怎么办理",
    "在深圳打工，社保能转回来吗",
    "派出所不给我办户口",
    "我要投诉交警态度不好",
    "小区物业要起诉业主交物业费，合法吗",
    "我想问一下劳动仲裁需要多长时间",
    "行政复议和行政诉讼有什么区别",
    "帮我查一下我自己的个人征信",
    "大连路的路灯坏了",
    "我是大连理工的学生，在鞍山实习被欠薪",
    "我要投诉",
    "",
    # unpaid wages: the hotline passes them to 劳动监察
    "老板拖欠我三个月工资，你们帮我要回来",
    "公司欠薪半年了",
    "包工头欠我们农民工工资不给，你们给判一下让他把钱给我们",
    "我们公司的工资一直没发，你们管管",
    "我可以要求单位支付经济补偿吗",
    # a plea to judge that is not a labour, contract or court matter
    "我白天上班晚上还被楼上吵，你们评评理",
    "快递公司丢了我的件，你们评评理",
    "饭店老板缺斤少两，你们给评评理",
    "我想问问法院立案要多久",
    "你们帮我认定一下工伤",
    "社保局不给我报销，你们评评理",
    "饭店员工态度差，你们评评理",
    "你们看看这个合同是不是霸王条款",
    # rude attitude, private employers and fees are complaints
    "派出所民警态度差",
    "我要投诉城管态度很差，骂人",
    "我们公司采购经理吃回扣",
    "物业经理收了钱",
    "村委会收钱修路合理吗",
    "私立学校校长收家长的钱",
    "城管要礼貌执法",
    "派出所办户口要了我50块工本费",
    # questions about review, complaints about 违建, a petition only threatened or asked about
    "行政复议要多长时间",
    "交警罚款在哪里交",
    "邻居家违建，城管不拆",
    "小区里违建太多，街道不管，太不合理了",
    "信访局电话是多少",
    "我想去信访局反映",
    # a question about a route, even with the matter behind it told
    "我对交警的罚款不服，想问一下行政复议在哪申请，要多长时间",
    "请帮我解答：怎么申请政府信息公开？多久答复？",
    "法院判了我不服，上诉的期限是几天？",
    # a settled case told as background, then a new matter
    "前几年跟开发商打过官司已经判完了，这事不提了。另一件事：小区门口路灯坏了一个月",
    # the institution as a place or an office to reach
    "法院诉讼服务中心大厅漏雨 地上全是水",
    "纪委大楼门口的井盖丢了",
    "仲裁委的电话一直打不通",
    # a labour dismissal for 严重违纪 is not a matter for 纪检监察; unpaid wages stay in scope
    "小区保安队长天天在门岗打牌喝酒，物业也不管",
    "在沈阳出差的时候，家里楼下烧烤店油烟太大，家住铁西区",
    # a settled case or petition as background, a threat as emphasis, a route set aside
    "前几年为拆迁上访过 那事早就结了 现在想问问小区啥时候通天然气",
    "跟物业打过官司，法院调解结案了，物业也按调解书把钱退了。现在电梯又坏了一个礼拜没人修",
    "垃圾站臭了一夏天 再不管我就上纪委告他们去 你们先给催催",
    "律师说可以走诉讼，但我们只想让开发商把漏水修好",
    "热水器漏电 厂家不给换 能不打官司就不打 你们帮着协调一下",
    "来电人为吉林省长春市游客，在千山风景区丢了手机，询问失物招领电话",
    "学校让家长买指定的教辅 不买就给孩子穿小鞋",
    "我在北京看病，回来鞍山怎么报销",
    # secrets' words in ordinary matters
    "公司让我签保密协议，不签就不给转正，这合法吗",
    "我反映的事请对我的信息保密",
    "小区内部道路坑坑洼洼，物业说是开发商的事",
    "社区发的内部通知说下周停水，具体哪天停",
    "招标公告在哪里能看到",
    "我是涉密单位退休的，养老金怎么调整",
]


@pytest.mark.parametrize(("text", "route"), OUT_OF_SCOPE, ids=[t[:24] for t, _ in OUT_OF_SCOPE])
def test_out_of_scope_route(text: str, route: str) -> None:
    found = scope.detect(text, ANSHAN)
    assert found is not None, text
    assert found.route == route, (text, found)
    assert found.matched


@pytest.mark.parametrize("text", IN_SCOPE, ids=[t[:24] or "empty" for t in IN_SCOPE])
def test_in_scope(text: str) -> None:
    assert scope.detect(text, ANSHAN) is None, (text, scope.detect(text, ANSHAN))


def test_every_route_is_reachable() -> None:
    assert {route for _, route in OUT_OF_SCOPE} == set(ROUTES)


@pytest.mark.parametrize(
    ("profile_key", "text", "route"),
    [
        ("weifang", "我在青岛上班，公司不交社保", "outside_city"),
        ("weifang", "我在济南买的房子漏水", "outside_city"),
        ("weifang", "青州的路灯坏了", None),
        ("weifang", "滨海区有人乱倒垃圾", None),
        ("weifang", "青岛路上有人乱摆摊", None),
        ("tianjin", "河北区的路灯坏了", None),
        ("tianjin", "河北路上有人乱摆摊", None),
        ("tianjin", "我在河北廊坊买的房子，开发商跑路了", "outside_city"),
        ("tianjin", "在北京朝阳区被拖欠工资", "outside_city"),
        ("tianjin", "在北京看病能报销吗", None),
        ("anshan", "我在天津上班，公司不交社保", "outside_city"),
        ("tongliao", "我在内蒙古买的房子漏水", None),  # its own 自治区
        ("tongliao", "科左中旗的路灯坏了一个月了", None),
        ("tongliao", "我在赤峰打工，老板拖欠工资", "outside_city"),
        ("anshan", "我在内蒙古买的房子漏水", "outside_city"),
    ],
)
def test_outside_city_follows_the_profile(profile_key: str, text: str, route: str | None) -> None:
    found = scope.detect(text, load_profile(profile_key))
    assert (found.route if found else None) == route, (text, found)


def test_outside_city_names_the_place() -> None:
    found = scope.detect("我在沈阳买的房子开发商不给办证", ANSHAN)
    assert found == OutOfScope("outside_city", "沈阳")


def test_default_profile_is_used() -> None:
    assert scope.detect("我在沈阳买的房子开发商不给办证") is not None


def test_full_width_and_spaces() -> None:
    found = scope.detect("法院 判了 我不服 ， 帮我 改判 ！", ANSHAN)
    assert found is not None and found.route == "litigation"


# ---------------------------------------------------------------- what the citizen reads

def test_every_route_has_a_name() -> None:
    assert set(SCOPE_ROUTE_NAMES) == set(ROUTES)


@pytest.mark.parametrize("route", ROUTES)
def test_reply_cites_the_regulation_and_offers_more_help(route: str) -> None:
    reply = scope_reply(OutOfScope(route, "沈阳"), ANSHAN)
    assert ANSHAN.cite("classify") in reply
    assert "第十五条" in reply
    assert "鞍山" in reply.splitlines()[-1]
    assert "立即拨打" not in reply


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ("litigation", ["人民法院", "上诉", "再审", "12348"]),
        ("arbitration", ["劳动人事争议仲裁委员会", "仲裁", "人民法院"]),
        ("discipline", ["纪检监察", "12388", "实名举报受法律保护"]),
        ("admin_review", ["行政复议", "60日", "行政诉讼"]),
        ("petition", ["信访", "进度"]),
        ("info_disclosure", ["政府信息公开申请", "行政机关"]),
        ("privacy", ["个人信息", "公安机关", "人民法院"]),
        ("public_order", ["公序良俗"]),
        ("outside_city", ["沈阳", "12345", "国家政务服务平台"]),
    ],
)
def test_reply_names_the_route(route: str, words: list[str]) -> None:
    reply = scope_reply(OutOfScope(route, "沈阳"), ANSHAN)
    for word in words:
        assert word in reply, (route, word, reply)


def test_reply_follows_the_profile() -> None:
    reply = scope_reply(OutOfScope("litigation", "改判"), WEIFANG)
    assert "潍坊市12345政务服务便民热线条例" in reply and "第十九条" in reply
    reply = scope_reply(OutOfScope("outside_city", "北京"), TIANJIN)
    assert "北京" in reply and "天津市" in reply


def test_reply_without_citation_still_reads_well() -> None:
    from dataclasses import replace

    bare = replace(ANSHAN, citations={})
    reply = scope_reply(OutOfScope("discipline", "贪污"), bare)
    assert "根据，" not in reply and "12388" in reply


def test_another_citys_matter_gets_that_citys_12345_with_its_area_code():
    """Issue 19: 「沈阳那边的号是多少」 — the reply names the number to dial, not just "the local 12345"."""
    from bot import citizen_texts
    from bot.language import scope
    from bot.profile import load_profile

    p = load_profile("anshan")
    for text, number in (("我上周在沈阳浑南那边一个健身房办的年卡，交完钱第二天就跑路了", "024-12345"),
                         ("大连市甘井子区的小区物业乱收费", "0411-12345")):
        oos = scope.detect(text, p)
        assert oos is not None and oos.route == "outside_city", text
        assert number in citizen_texts.scope_reply(oos, p)


def test_a_citizen_sent_away_can_always_reach_a_person():
    """A route named wrongly must not lose the request: every refusal says how to reach an agent."""
    for route in ROUTES:
        assert "转人工" in scope_reply(OutOfScope(route, "沈阳"), ANSHAN)


def test_the_nlu_layer_sends_away_only_what_the_rules_name():
    """The classifier alone does not send a citizen away: without a route the rules name, the
    next intent of the ranking is taken (the request is filed); with one, it is legal_route. A
    question about how to use a route is legal_route too, answered with the route's procedure."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import LEGAL_INTENT, SafetyOverride

    layer = SafetyOverride({})
    cases = (("纪委旁边的公厕太脏了", "legal_route", None, None),
             ("法院判了我不服 你们帮我改判", "complain", "litigation", None),
             ("咨询一下 怎么申请政府信息公开 在哪递材料", "legal_route", None, "info_disclosure"),
             ("劳动仲裁要交钱吗", "consult", None, "arbitration"),
             # read as a question about the hotline: a question about a route is still answered as one
             ("是不是得走什么信息公开？具体怎么申请 网上能弄吗", "faq", None, "info_disclosure"))
    for text, intent, route, question in cases:
        message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                                "intent_ranking": [{"name": intent, "confidence": 0.9},
                                                   {"name": "report_emergency", "confidence": 0.06},
                                                   {"name": "consult", "confidence": 0.04}]})
        layer.process([message])
        named = scope.detect(text, ANSHAN)
        assert (named.route if named else None) == route
        assert scope.asked_about(text) == question
        got = message.get("intent")["name"]
        assert got == (LEGAL_INTENT if route or question else "consult"), (text, got)
        assert message.get("safety").get("scope") == route
        assert message.get("safety").get("route_question") == question


def test_a_question_about_a_route_is_answered_with_its_procedure():
    reply = route_answer("arbitration", ANSHAN)
    assert "不收费" in reply and "一年" in reply and "转人工" in reply
    assert "不能" not in reply.splitlines()[0]  # an answer, not a refusal


def test_where_the_family_lives_is_not_where_the_matter_is():
    from bot.language import scope

    assert scope.detect("我老伴前年没了 儿子在大连上班 一年回不来两趟 今年这暖气不热乎 屋里才14度") is None
    assert scope.detect("闺女在沈阳工作 我家楼下烧烤店太吵") is None
    assert scope.detect("我在大连上班，公司欠薪三个月").route == "outside_city"


def test_an_official_asking_money_to_do_the_job_is_for_the_discipline_commission():
    from bot.language import scope

    assert scope.detect("我妈申请低保 他明着说不给两千块钱就给卡着 别人家给了钱的都批下来了").route == "discipline"
    assert scope.detect("村里办宅基地证 不给钱就压着不批").route == "discipline"
    assert scope.detect("物业说不给钱就不给办") is None


def test_disputes_between_private_persons_are_told_mediation_legal_aid_and_the_court():
    from bot.citizen_texts import scope_reply
    from bot.language import scope

    for text in ("我在铁东区万达附近租的 房东是个人 不是中介 押金2400 他说墙上有几个钉子眼要扣全部押金",
                 "这仨儿子谁也不管我 一提给钱就互相推",
                 "同事借了我五千块钱一直不还"):
        found = scope.detect(text, ANSHAN)
        assert found is not None and found.route == "litigation" and found.private, text
        reply = scope_reply(found, ANSHAN)
        assert "调解" in reply and "12348" in reply and "法院" in reply
    # a company, an agency or wages owed stay with the hotline
    for text in ("中介不退押金", "公寓房东不退押金 自如的", "老板欠我工资不给", "我儿子不管我 社区也不管 低保也没批"):
        assert scope.detect(text, ANSHAN) is None, text
    # asking how to sue is answered, not sent away
    assert scope.read("朋友借我两万块钱 一年多了不还 想问问要是起诉的话去哪个法院", ANSHAN) == (None, "litigation")


def test_a_detail_read_as_a_question_about_the_hotline_is_not_answered_as_one():
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    layer = SafetyOverride({})
    for text, expected in (("车牌系辽CT5209 今日下昼两点几", "complain"), ("你们晚上几点下班？", "faq"),
                           ("12345晚上有人接吗", "faq")):
        message = Message(data={"text": text, "intent": {"name": "faq", "confidence": 0.8},
                                "intent_ranking": [{"name": "faq", "confidence": 0.8}, {"name": "cancel", "confidence": 0.1},
                                                   {"name": "complain", "confidence": 0.05}]})
        layer.process([message])
        assert message.get("intent")["name"] == expected, text
    # never read as declining or cancelling: a detail when nothing in the ranking tells a matter
    message = Message(data={"text": "车牌是辽CT5209 下午两点", "intent": {"name": "faq", "confidence": 0.8},
                            "intent_ranking": [{"name": "faq", "confidence": 0.8}, {"name": "deny", "confidence": 0.2}]})
    layer.process([message])
    assert message.get("intent")["name"] == "provide_info"


def test_a_plate_read_as_a_lookup_is_a_detail_but_an_order_number_is_a_lookup():
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    layer = SafetyOverride({})
    for text, expected in (("车号我记着呢 辽C T2875 绿色的", "provide_info"), ("AS-20261123-0007 办得怎么样了", "check_status"),
                           ("我那个工单2026年12月报的 查一下进度", "check_status")):
        message = Message(data={"text": text, "intent": {"name": "check_status", "confidence": 0.7},
                                "intent_ranking": [{"name": "check_status", "confidence": 0.7},
                                                   {"name": "provide_info", "confidence": 0.2}]})
        layer.process([message])
        assert message.get("intent")["name"] == expected, text


def test_saying_yes_in_a_sentence_is_not_cancelling():
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.nlu import SafetyOverride

    for text, intent, expected in (("内容没问题，提交。", "cancel", "affirm"), ("不提交了 算了", "deny", "cancel"),
                                   ("没问题 但是电话改一下", "deny", "deny")):
        message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.7},
                                "intent_ranking": [{"name": intent, "confidence": 0.7}]})
        SafetyOverride({}).process([message])
        assert message.get("intent")["name"] == expected, text


def test_the_route_reader_is_trained_on_the_current_cases():
    import numpy as np

    from scripts.train_routes import sources_digest

    stored = str(np.load(scope.ROUTES_WEIGHTS)["digest"])
    assert stored == sources_digest(), "training data changed: run .venv/bin/python -m scripts.train_routes"


def test_the_route_reader_only_adds_to_the_rules_and_sends_nothing_away_below_its_threshold():
    """A message no rule sends away goes to a route only when the reader is sure of it; the
    hotline's everyday matters stay."""
    m = scope.route_model()
    assert m is not None and 0.5 <= m.ask_below < 1.0
    for text in ["老板拖欠我三个月工资不给 我想投诉", "铁东区政务大厅窗口工作人员态度太差了", "楼上漏水到我家 物业不管",
                 "问一下劳动仲裁在哪申请", "法院门口天天有人乱停车"]:
        assert scope.detect(text, ANSHAN) is None, text


def test_a_matter_in_another_city_told_as_a_life_story_names_that_city():
    found = scope.detect("我在大连打工 大连那边的社保局不给我办退休手续 跑了好几趟了 你们鞍山给大连打个招呼呗", ANSHAN)
    assert found is not None and found.route == "outside_city" and found.matched == "大连"


def test_the_reader_keeps_what_the_rules_send_away_only_when_sure_it_is_in_scope(monkeypatch):
    text = "公司无缘无故把我辞了 干了六年 一分钱补偿不给 说我试用期不合格"
    assert scope.rules_read(text, ANSHAN) == "arbitration"
    m = scope.route_model()
    assert m is not None and 0.6 <= m.veto_from <= 1.01
    p_in_scope = float(m.probabilities(text)[m.classes.index(scope.IN_SCOPE)])
    monkeypatch.setattr(m, "veto_from", p_in_scope + 0.01)
    assert scope.detect(text, ANSHAN).route == "arbitration"
    monkeypatch.setattr(m, "veto_from", p_in_scope)
    assert scope.detect(text, ANSHAN) is None
    monkeypatch.setattr(m, "veto_from", 0.0)
    assert scope.detect("帮我查一下他的电话号码", ANSHAN) is not None  # too short for the reader to overrule


@pytest.mark.parametrize("text", ["15141238806", "我叫何丽 电话15141238806 莫跟她说是我反映的哈", "电话13912345678 麻烦你们帮我处理一下"])
def test_a_phone_number_holding_a_service_number_sends_nobody_away(text):
    assert scope.detect(text) is None


def test_suing_an_employer_is_arbitration_first():
    found = scope.detect("我是残疾人 手是在厂里干活压的 厂里一直不给赔 想打官司")
    assert found is not None and found.route == "arbitration"


def test_public_money_gone_under_an_official_is_for_the_discipline_commission_and_another_city_is_named():
    told = "我想反映我们村书记的问题，村里修路的钱 上面拨下来的 路就修了一半 剩下的钱不知道哪去了 他家去年盖了二层楼"
    assert scope.read(told, ANSHAN)[0].route == "discipline"
    assert scope.read("我借给朋友的钱不知道哪去了", ANSHAN)[0] is None
    assert scope.elsewhere("你好 我在沈阳浑南区租的房子 房东不退押金", ANSHAN) == "沈阳"
    assert scope.elsewhere("楼下烧烤店太吵", ANSHAN) is None


def test_a_court_not_chosen_is_no_route_to_court():
    p = load_profile("anshan")
    said = "机构关门了 老板电话不接 我们没有选择去法院起诉 恳请教育部门督促退费"
    assert scope.read(said, p)[0] is None
