"""The deterministic emergency layer, tried the way citizens actually write.

Every positive names the kind and the first number the citizen must be told; negatives are the
look-alikes the layer exists to keep quiet about (the past, questions about the services, fire
safety complaints, routine utility matters, hypotheticals, hearsay, idioms).
"""

from __future__ import annotations

import re

import pytest

from bot.citizen_texts import emergency_generic_reply, emergency_reply
from bot.language import emergency
from bot.language.emergency.lexicon import KINDS, Emergency, detect
from bot.profile import load_profile

# (message, kind, first number)
POSITIVES: list[tuple[str, str, str]] = [
    # --- fire
    ("我们单元楼下的电动车着火了，烟往楼上窜", "fire", "119"),
    ("着活了快来人", "fire", "119"),
    ("楼下冒黑烟", "fire", "119"),
    ("我家厨房着火啦！！！", "fire", "119"),
    ("楼道里全是烟，看不清路", "fire", "119"),
    ("我家电线冒火花了", "fire", "119"),
    ("插座冒烟了还有焦糊味", "fire", "119"),
    ("隔壁家一股糊味，敲门没人应", "fire", "119"),
    ("仓库那边火越来越大了", "fire", "119"),
    ("山上着了，火往村子这边烧", "fire", "119"),
    ("小区里有辆车自燃了", "fire", "119"),
    ("楼下一声巨响，玻璃都碎了", "fire", "119"),
    ("煤气罐要爆炸了", "fire", "119"),
    ("🔥🔥🔥我家着火了", "fire", "119"),
    ("楼下ＦＩＲＥ了", "fire", "119"),
    ("打１１９，着火了", "fire", "119"),
    ("119！！", "fire", "119"),
    ("着火了怎么逃生", "fire", "119"),
    ("屋里着火咯", "fire", "119"),
    ("着 火 了", "fire", "119"),
    ("有人往楼道里泼汽油要放火", "fire", "119"),
    ("我闻到楼道里有烧东西的味道，还有点呛", "fire", "119"),
    ("楼上邻居家窗户往外冒烟，家里好像没人", "fire", "119"),
    ("快来人啊，三楼阳台着了", "fire", "119"),
    ("额滴神，房子烧起来了", "fire", "119"),
    ("着伙了", "fire", "119"),
    ("我家著火了", "fire", "119"),
    ("家里🔥了", "fire", "119"),
    ("fire!!", "fire", "119"),
    # --- gas
    ("一进门就闻到一股很冲的燃气味", "gas", "119"),
    ("煤气味儿贼大", "gas", "119"),
    ("家里天然气泄漏了怎么办", "gas", "119"),
    ("厨房有股臭鸡蛋味，我头有点晕", "gas", "119"),
    ("燃气管道漏气，滋滋响", "gas", "119"),
    ("楼道里好大的液化气味", "gas", "119"),
    ("燃气报警器一直在响", "gas", "119"),
    ("我家煤气漏了😱", "gas", "119"),
    ("gas泄漏了，怎么办", "gas", "119"),
    ("煤 气 泄 漏", "gas", "119"),
    ("燃气泄漏了有爆炸风险", "gas", "119"),
    ("屋里有股怪味，闻着头晕恶心", "gas", "119"),
    ("家里液化气罐阀门关不上，一直呲呲往外喷气", "gas", "119"),
    ("煤汽味好大", "gas", "119"),
    ("煤氣洩漏", "gas", "119"),
    ("gas味很重", "gas", "119"),
    # --- lift
    ("电梯卡在两层中间", "lift", "119"),
    ("电梯困人了，我在里面出不来", "lift", "119"),
    ("我被困在电梯里了", "lift", "119"),
    ("电梯突然往下掉，里面有老人", "lift", "119"),
    ("孩子被关在电梯里了", "lift", "119"),
    ("电梯停了，里面有人，按铃没人理", "lift", "119"),
    ("电梯 困人 了 快来", "lift", "119"),
    ("电梯坏在半空中了，我和孩子都在里面", "lift", "119"),
    ("被关电梯里半个小时了没人来", "lift", "119"),
    ("电体困人", "lift", "119"),
    ("电梯门开了一半卡住了，孩子夹在中间", "lift", "119"),
    ("lift困住了，救命", "lift", "119"),
    # --- medical
    ("我奶奶突然说不出话，半边身子动不了", "medical", "120"),
    ("人倒地上叫不醒", "medical", "120"),
    ("我妈喘不上气", "medical", "120"),
    ("我爸突然晕倒了", "medical", "120"),
    ("我爸突然晕到了", "medical", "120"),
    ("我妈昏迷了叫不醒", "medical", "120"),
    ("孩子发高烧抽搐了", "medical", "120"),
    ("我老公胸口疼得厉害，一身冷汗", "medical", "120"),
    ("我爷爷嘴歪了，说话不清楚", "medical", "120"),
    ("孩子误食了洗衣凝珠", "medical", "120"),
    ("我儿子从三楼摔下来了", "medical", "120"),
    ("工地上有个工人从脚手架上掉下来了", "medical", "120"),
    ("我爸煤气中毒了", "medical", "120"),
    ("孩子掉河里了", "medical", "110"),
    ("孩子被鱼刺卡住喉咙了", "medical", "120"),
    ("我老婆羊水破了，要生了", "medical", "120"),
    ("my dad晕倒了", "medical", "120"),
    ("快打１２０，我妈不行了", "medical", "120"),
    ("那边有个人躺在地上一动不动", "medical", "120"),
    ("我家老人在卫生间摔倒了起不来", "medical", "120"),
    ("孩子吃东西噎住了，脸都紫了", "medical", "120"),
    ("我 爸 晕 倒 了", "medical", "120"),
    ("老爷子撅过去了", "medical", "120"),
    ("小孩手指被门夹断了", "medical", "120"),
    ("邻居被电到了，倒在地上", "medical", "120"),
    ("我爸晕倒了，120怎么还不来", "medical", "120"),
    ("能不能派个救护车来我爸晕倒了", "medical", "120"),
    ("他会不会死啊一直流血", "medical", "120"),
    ("我儿子喝了半瓶84消毒液", "medical", "120"),
    ("孩子误喝了洗洁精", "medical", "120"),
    ("孩子考试的时候晕倒了", "medical", "120"),
    ("有人受伤了怎么办", "medical", "120"),
    ("会不会是煤气中毒了，我妈一直叫不醒", "medical", "120"),
    ("我爷爷突然说话说不清，一只手没劲", "medical", "120"),
    ("我老婆突然肚子疼得打滚，脸色煞白", "medical", "120"),
    ("孩子把硬币吞下去了", "medical", "120"),
    ("我爸刚才吃饭的时候突然倒了，口吐白沫", "medical", "120"),
    ("有个老太太在超市门口摔倒了，头在流血", "medical", "120"),
    ("小区的大树被风刮倒了，砸到一个人", "medical", "120"),
    ("俺娘摔了一跤起不来了", "medical", "120"),
    ("老头子突然背过气去了", "medical", "120"),
    ("喘不上起了", "medical", "120"),
    ("快叫🚑", "medical", "120"),
    ("my mom昏迷了", "medical", "120"),
    # --- self-harm
    ("他割腕了，流了好多血", "self_harm", "120"),
    ("他吃了一整瓶安眠药", "self_harm", "120"),
    ("我不想活了", "self_harm", "110"),
    ("我朋友说要跳楼，现在站在天台上", "self_harm", "110"),
    ("有人站在桥上要往下跳", "self_harm", "110"),
    ("你们再不给我解决，我就从楼上跳下去", "self_harm", "110"),
    ("我真的活不下去了", "self_harm", "110"),
    ("我喝了农药", "self_harm", "120"),
    ("我吞了好多片药，现在有点晕", "self_harm", "120"),
    ("我老婆抱着孩子要从阳台跳下去", "self_harm", "110"),
    ("我站在楼顶上，不想活了", "self_harm", "110"),
    ("我儿子说活着没意思，把自己锁在屋里了", "self_harm", "110"),
    # --- violence
    ("有个男的一直跟着我，还想拽我上车", "violence", "110"),
    ("我被人捅了", "violence", "110"),
    ("有人拿刀", "violence", "110"),
    ("楼下有人打架，还动了刀", "violence", "110"),
    ("有人抢了我的包", "violence", "110"),
    ("有个人拿着菜刀在街上乱砍", "violence", "110"),
    ("有人在撬我家的门", "violence", "110"),
    ("救命，有人闯进我家了", "violence", "110"),
    ("那个男的在楼下砸车，还说要弄死我", "violence", "110"),
    ("快叫妖妖灵，有人抢劫", "violence", "110"),
    ("Help me 有人跟踪我", "violence", "110"),
    ("救命🆘", "violence", "110"),
    ("两伙人在烧烤店门口干起来了，拿着酒瓶子", "violence", "110"),
    ("有人在我家门口一直敲门，说要进来，我一个人在家很害怕", "violence", "110"),
    ("出租车司机不让我下车，一直往郊区开", "violence", "110"),
    ("隔壁天天打孩子，现在孩子哭得撕心裂肺", "violence", "110"),
    ("有人偷我家电动车，现在还在楼下", "violence", "110"),
    ("我在路上被人抢了手机", "violence", "110"),
    ("孩子在幼儿园门口被人抱走了", "violence", "110"),
    ("公交车上有人耍流氓", "violence", "110"),
    ("有人拿🔪", "violence", "110"),
    ("我在回家路上被两个男的拦住了，他们让我把钱交出来", "violence", "110"),
    ("我弟弟被人绑了，对方打电话要赎金", "violence", "110"),
    ("我被人打了", "violence", "110"),
    # --- domestic violence
    ("我老公喝醉了在打我", "domestic_violence", "110"),
    ("他又在打我了，救救我", "domestic_violence", "110"),
    ("我老公拿刀要砍我", "domestic_violence", "110"),
    ("我被家暴了，现在躲在厕所里", "domestic_violence", "110"),
    ("我男朋友掐我脖子", "domestic_violence", "110"),
    # --- missing person
    ("我家孩子找不到了", "missing_person", "110"),
    ("孩子在商场走丢了", "missing_person", "110"),
    ("我妈有老年痴呆，早上出门到现在还没回来", "missing_person", "110"),
    ("我闺女放学到现在还没回家，电话也打不通", "missing_person", "110"),
    ("有个老人迷路了，说不清家在哪", "missing_person", "110"),
    ("俺家小子找不着了", "missing_person", "110"),
    ("我儿子有自闭症，在公园走失了", "missing_person", "110"),
    # --- fraud
    ("我刚被骗了三万块", "fraud", "110"),
    ("刚才有个自称公安的说我涉嫌洗钱，让我把钱转到安全账户，我已经转了两万", "fraud", "110"),
    ("有人冒充客服让我共享屏幕，我银行卡的钱被转走了", "fraud", "110"),
    ("我刚转了五万给一个自称是客服的人，现在联系不上了", "fraud", "110"),
    ("刚被骗了，对方冒充公检法", "fraud", "110"),
    ("我在网上刷单被骗了八万", "fraud", "110"),
    ("我妈刚才把养老钱转给了一个冒充我的人", "fraud", "110"),
    ("对方说是快递理赔，让我下载了一个app，钱被转走了", "fraud", "110"),
    ("昨天被人冒充公安骗了十万", "fraud", "110"),
    ("有个自称是银行的人让我把钱转到新账户，我已经转了三万", "fraud", "110"),
    ("网恋对象让我投资，我刚把十万转过去了，现在拉黑我了", "fraud", "110"),
    # --- traffic
    ("车祸", "traffic", "122"),
    ("前面路口出车祸了", "traffic", "122"),
    ("追尾了，没人受伤", "traffic", "122"),
    ("高速上几辆车连环追尾", "traffic", "122"),
    ("出车获了", "traffic", "122"),
    ("外卖小哥闯红灯把我车刮了，人跑了", "traffic", "122"),
    # --- traffic with injuries
    ("两辆电动车在路口撞了，一个人腿好像断了", "traffic_injury", "122"),
    ("撞人了", "traffic_injury", "122"),
    ("我被车撞了，腿动不了", "traffic_injury", "122"),
    ("一辆货车侧翻了，司机卡在车里", "traffic_injury", "122"),
    ("有个孩子被车轧了", "traffic_injury", "122"),
    ("出车祸le，有人受伤", "traffic_injury", "122"),
    ("一辆大货车把一个骑三轮的老人撞了，肇事车跑了", "traffic_injury", "122"),
    ("路口两辆车撞了，有人被卡在车里出不来", "traffic_injury", "122"),
    ("我在ｘｘ路和ｙｙ路交叉口，刚才看到一辆SUV撞了一个骑电动车的，人倒在地上", "traffic_injury", "122"),
    # --- disaster
    ("发大水了，我们被困在屋顶上", "disaster", "119"),
    ("房子塌了，有人被埋在下面", "disaster", "119"),
    ("暴雨把我们困在车里了，水已经淹到车窗了", "disaster", "119"),
    ("宝宝被锁在车里了，天很热", "disaster", "119"),
    ("河水涨上来了，老人困在家里出不去", "disaster", "119"),
    ("工地塌方埋了两个人", "disaster", "119"),
    ("我们村的河堤决口了，水冲进村子了", "disaster", "119"),
    ("下暴雨，地下通道积水很深，有辆车熄火了里面有人", "disaster", "119"),
    # --- lift stopped or stuck, said without 困: someone inside, or doors that will not open
    ("电梯停了，门打不开，我妈在里面", "lift", "119"),
    ("电梯卡在十几楼不动了，里面有人", "lift", "119"),
    ("电梯卡住了 我婆婆出不来", "lift", "119"),
    ("电梯不动了，里头有个老太太一直在喊", "lift", "119"),
    ("我和孩子在电梯里，突然停了，门打不开", "lift", "119"),
    ("小区停电了，电梯里有人", "lift", "119"),
    ("电梯突然停了，扒不开门", "lift", "119"),
    ("客梯卡住了，里边还有两个人", "lift", "119"),
    ("电题卡住了，我爸在里头喊", "lift", "119"),
    ("俺们楼电梯停半截了，里头有人拍门", "lift", "119"),
    ("货梯卡在三楼了，工人在里面出不来", "lift", "119"),
    ("电梯停了门打不开", "lift", "119"),
    # --- violence told by the action, not by 打架
    ("几个人把一个学生堵在巷子里打", "violence", "110"),
    ("一群人围着一个人打，快来", "violence", "110"),
    ("有人把我儿子摁在地上打", "violence", "110"),
    ("小区门口一帮小混混在堵人，围着踢", "violence", "110"),
    ("三个男的把一个小伙按在地上揍，满脸是血", "violence", "110"),
    ("楼下好几个人围着一个老头拳打脚踢", "violence", "110"),
    ("有人往死里打一个女的", "violence", "110"),
    ("他们拿着钢管往人身上抡", "violence", "110"),
    ("有一伙人在街上追着一个人砍", "violence", "110"),
    ("有人抡着板凳砸人", "violence", "110"),
    ("俩人把我弟堵墙角打呢", "violence", "110"),
    ("一群人把他堵住了往死里揍", "violence", "110"),
    ("我老公把我摁在地上打", "domestic_violence", "110"),
    # --- a person hit by a vehicle and hurt: 122 first, 120 added (checked below)
    ("一辆车把我撞了，腿疼走不了", "traffic_injury", "122"),
    ("追尾了，后座的孩子一直哭说脖子疼", "traffic_injury", "122"),
    ("车祸，我老公胳膊肿了抬不起来", "traffic_injury", "122"),
    ("我被电动车剐倒了，腰疼站不起来", "traffic_injury", "122"),
    ("两车相撞，有个人被甩出去了", "traffic_injury", "122"),
    ("被车撞了一下，脚肿得厉害，走不动路", "traffic_injury", "122"),
    ("出车祸了，我朋友头磕破了", "traffic_injury", "122"),
    ("撞了我就开跑了，我腿疼走不了", "traffic_injury", "122"),
    ("有辆面包车把一个骑车的大爷撞倒了，司机开跑了，大爷躺在地上起不来", "traffic_injury", "122"),
    # --- hit-and-run: 122 leads even when the citizen asks for the police
    ("肇事逃逸了，快帮我报警", "traffic", "122"),
    ("有车撞了我的车，司机开跑了，帮我报警", "traffic", "122"),
]

# Messages with emergency words that are NOT an emergency now.
NEGATIVES: list[str] = [
    # the acceptance sample
    "小区消防通道被堆满了杂物，物业也不管",
    "110报警电话打错了会不会被罚款",
    "我要投诉。",
    # the past
    "去年冬天我家着过一次火，烧了半个厨房",
    "之前楼下饭店起过火，现在消防通道又被堵了",
    "以前电梯困过人，物业一直不修",
    "上个月出了交通事故，对方不赔钱",
    "前年被骗了五万块，现在想起诉，怎么弄",
    "我去年被电信诈骗了，钱能追回来吗",
    "我家孩子去年走丢过，现在想给他办个定位手表",
    "我妈上个月晕倒过，现在想申请家庭医生",
    "我妈去年中风了，现在瘫痪在床，想申请护理补贴",
    "去年小区着了一场大火，至今没有赔偿",
    "我老公以前打过我，现在想离婚",
    "昨天有人在我家门口打架，今天想问问派出所怎么处理的",
    "上周邻居打架的事派出所已经调解了，我想投诉物业",
    "我想问一下 去年着过火的那栋楼 现在能住吗",
    # questions about the services
    "120急救车怎么收费",
    "119能上门检查吗",
    "怎么报警",
    "打119要钱吗",
    "叫救护车要多少钱",
    "我想咨询一下消防车出警收费吗",
    "请问急救电话是多少",
    "120来得太慢了，我爸差点没命",
    "我爸昨天晕倒了，120一个小时才来，我要投诉",
    # fire-safety complaints and hazards
    "灭火器过期了没人换",
    "消防栓坏了没人修",
    "楼道里堆满了纸箱，有火灾隐患",
    "电动车楼道飞线充电，很容易着火",
    "消防通道被私家车堵了，万一着火消防车都进不来",
    "烟感一直误报，半夜乱响",
    # routine utility matters
    "燃气费怎么交",
    "燃气灶坏了打不着火",
    "换燃气表要多少钱",
    "燃气灶维修电话是多少",
    "液化气罐没气了去哪换",
    "暖气不热",
    "停水停电好几天了",
    "我家暖气管道爆了，水漫了一地",
    "楼道里燃气管道生锈了，担心漏气",
    "下水道一股臭鸡蛋味，太难闻了",
    "电梯年检过期了",
    "电梯坏了三天了没人修",
    "电梯经常困人，物业不管",
    "电梯停了我妈出不来门",
    # pollution, not fire
    "工厂烟囱天天冒黑烟，污染严重",
    "烧烤店冒烟呛得受不了",
    "有人在小区里烧纸，烟很大",
    "邻居在楼道抽烟，烟往我家飘",
    # hypotheticals, prevention, drills
    "万一着火了怎么办",
    "如果电梯困人了怎么办",
    "怎么预防火灾",
    "电梯困人应急演练",
    "如何防范电信诈骗",
    "井盖丢了，很危险，万一有人掉下去",
    "小区里的路灯坏了，晚上太黑容易摔倒",
    # hearsay and news
    "听说隔壁小区着火了",
    "新闻上说有人跳楼了",
    "网上有小区门口有人打架斗殴的视频",
    # idioms and metaphors
    "火烧眉毛了你们快点处理",
    "最近上火嗓子疼",
    "急死了社保还没到账",
    "这家店生意火爆",
    "老板对我发火",
    "楼下火锅店油烟太大",
    "要命的工资拖了三个月",
    "我想打官司",
    "笑死我了",
    "吵死人了，楼上天天装修",
    "我的救命钱被公司扣了",
    "他们吃错药了吧，乱收费",
    "系统又抽风了登不上",
    "物业这么办事，我想死的心都有了",
    "工资拖欠半年，我们都活不下去了",
    "商场搞跳楼价大甩卖",
    # resolved, handled, other
    "刚才燃气灶着火了，我已经扑灭了，没人受伤",
    "孩子刚才走丢了，现在已经找到了，谢谢",
    "我爸晕倒了，已经送到医院了，想问问医保",
    "打人的城管还在上班，为什么不处理",
    "交通事故快处快赔怎么操作",
    "车祸理赔要多久",
    "心梗患者的医保报销",
    "我爸有癫痫，想办残疾证",
    "我想咨询一下，家暴怎么申请保护令",
    "网购被骗了，商家不退款",
    "总是接到诈骗电话，能不能管管",
    "我家猫丢了",
    "我手机丢了",
    "路面结冰，好几个老人摔倒了",
    # second round: look-alikes of the wider vocabulary
    "有人偷偷在楼道堆东西",
    "我家楼下烧烤摊天天冒烟到半夜",
    "楼道里烟味很大，有人抽烟",
    "楼上装修吵得我头疼得受不了",
    "邻居家孩子哭得撕心裂肺，吵得睡不着",
    "快递员敲门太用力",
    "救护车收费太贵了，拉了五公里要三百",
    "燃气报警器坏了，一直误报",
    "暖气片爆了，水喷了一屋子",
    "电动车电瓶被偷了",
    "上周在超市被小偷偷了手机",
    "我想死你们了，终于打通电话了",
    "小区停车位火爆，根本抢不到",
    "过年放鞭炮吵死了",
    "假如发生火灾应该怎么逃生",
    "停电了，电梯也停了",
    "之前我家着过火，现在想问问保险怎么赔",
    "曾经有人在这个路口出过车祸，建议装个红绿灯",
    "110出警太慢了，我要投诉",
    "怎么打122报事故",
    "新闻上说隔壁市燃气爆炸了",
    "听说有人在小区里被抢了",
    "如果有人在家煤气中毒该怎么办",
    "燃气泄漏应急演练什么时候搞",
    "孩子考试考砸了，我都急死了",
    "上个月被骗了两万，怎么打官司要回来",
    "小区的电梯总是出故障，好几次把人困在里面",
    "去年暑假孩子在河边溺水，现在那里还没装护栏",
    "这个路口今年发生了好几起车祸",
    "高空抛物太危险了，万一砸到人怎么办",
    "我爸老年痴呆，想申请护理补贴",
    "小区门口的红绿灯坏了，差点出车祸",
    "孩子差点掉进河里",
    "有人冒充我们小区物业收费",
    "今天地震了吗",
    "我的车被撞了，对方全责，保险怎么走",
    "电线老化容易着火",
    "担心孩子走丢",
    "我家孩子在学校被老师打了一巴掌，我要投诉",
    "小区的健身器材坏了，孩子玩的时候受伤了，物业不管",
    "楼道里的电线乱拉，很容易起火",
    "我在淘宝被骗了，卖家不发货",
    "银行卡被冻结了，说是涉嫌电信诈骗，怎么解冻",
    "外卖员骑车太快差点撞到我孩子",
    "我想投诉派出所，报警了没人管",
    "我把房租转给房东了",
    # a lift out of service, not someone trapped
    "电梯停了好几天，老人出不去",
    "电梯坏了门打不开，只能走楼梯",
    "电梯门打不开，物业也不修，我们只能爬楼",
    "电梯经常卡住，里面有人的时候很吓人",
    "电梯里有人抽烟",
    "扶梯突然停了",
    "如果电梯停了人在里面怎么办",
    "去年电梯卡住过，里面有人",
    # beating words in games, the past, habits and fiction
    "车堵在路上打不到车",
    "昨天几个人把他堵在巷子里打了一顿，想问派出所怎么处理",
    "几个大爷围着打扑克",
    "孩子们在操场上围着打雪仗",
    "孩子们围着踢毽子",
    "学校里经常有学生被围着打，老师不管",
    "他把我按在地上打了一顿，上个月的事，想问怎么起诉",
    "电视剧里几个人把他堵在巷子里打",
    # habitual nuisance smoke from a business: a complaint, not a fire
    "楼下烧烤店每天晚上冒烟，呛人",
    "楼下烤串的炭火天天冒烟，熏得我家没法开窗",
    "隔壁饭店的烟囱总是冒黑烟，呛死人了",
    "楼下饭店总是烧炭火，烟很大，呛人",
    "烤鸭店的炉子每天冒烟，家里全是烟味",
    "楼下烧烤店一开门就冒烟，呛得我们没法开窗",
    "对面餐馆排烟管道天天往我家窗户冒烟",
    # fear of a crime that may happen
    "最近小区不太平，我怕被抢",
    "晚上下班一个人走，担心有人偷我电动车",
    "怕有人撬门，想换个锁",
    "我一个人在家，害怕有人入室抢劫，能不能多巡逻",
    "担心孩子在学校门口被人抱走",
    "我怕有人把孩子堵在路上打",
    "我想给家里装个防盗门，最近老有小偷",
    # buying or installing safety equipment
    "我想在家装个烟感报警器",
    "燃气泄漏报警器在哪里能买到",
    "小区要求每户安装燃气泄漏报警器，要收费吗",
    "家里想买个灭火器，去哪买",
    "燃气报警器坏了想换个新的",
    "想装燃气泄漏切断阀",
    "着火逃生用的绳子去哪买",
    "想给老人家装个一氧化碳报警器",
    "围着火炉打盹",
]

# The past (or a question) in one clause must never cancel a present emergency in another.
MIXED: list[tuple[str, str, str]] = [
    ("去年着过火，今天又着了，现在烟很大", "fire", "119"),
    ("我想问问120怎么收费，我爸现在胸口疼得厉害", "medical", "120"),
    ("去年我们小区着过一次火，今天又着了，现在烟很大，消防车还没到", "fire", "119"),
    ("之前投诉过楼道堆杂物没人管，现在楼道里全是烟", "fire", "119"),
    ("110打错了会被罚吗？算了先不说这个，有人在砸我家门", "violence", "110"),
    ("上个月电梯就困过人，刚才又把我儿子关在里面了", "lift", "119"),
    ("以前也晕倒过，刚才又晕过去了，叫不醒", "medical", "120"),
    ("万一着火了怎么办？现在楼道里就在冒烟", "fire", "119"),
    ("听说之前有人被骗过，我刚才也被骗了两万", "fraud", "110"),
    ("孩子上次走丢是在公园，这次在商场又找不到了", "missing_person", "110"),
    ("火灭了，但是现在又着了", "fire", "119"),
    ("有人在砸门，已经报警了", "violence", "110"),
    ("孩子走丢了，现在还没找到", "missing_person", "110"),
    (
        "你好，我想反映一下我们小区物业的问题，物业费收得贵服务又差，刚才我下楼的时候看到楼道里有个老人"
        "倒在地上叫不醒，另外垃圾也没人清理",
        "medical",
        "120",
    ),
    (
        "我是xx小区的业主然后我们楼下那个饭店不知道怎么回事冒了好多黑烟而且有一股烧焦的味道然后物业电话也打不通",
        "fire",
        "119",
    ),
    (
        "你好我想投诉一下我们小区的物业，他们不管事，楼道里堆满了杂物，然后刚才我闻到楼道里有很浓的煤气味，不知道是哪家的",
        "gas",
        "119",
    ),
    # a complaint, a worry or a purchase never hides a present emergency in the same message
    ("烧烤店着火了 现在火很大", "fire", "119"),
    ("楼下烧烤店天天冒烟，今天着火了，火很大", "fire", "119"),
    ("烧烤店天天冒烟，今天烟囱着了", "fire", "119"),
    ("烧烤店每天冒烟，刚才突然冒出好多黑烟", "fire", "119"),
    ("烧烤摊的煤气罐着了", "fire", "119"),
    ("我怕被抢，现在有个人一直跟着我", "violence", "110"),
    ("我担心有人偷车，刚才就看见有人在撬我的电动车锁", "violence", "110"),
    ("我好害怕有人正在撬我家门", "violence", "110"),
    ("想买灭火器，现在厨房着火了", "fire", "119"),
    ("燃气报警器坏了想换，但是现在闻到很大的煤气味", "gas", "119"),
    ("燃气泄漏报警器响了", "gas", "119"),
    ("电梯坏了好几天，今天又停了，我妈在里面出不来", "lift", "119"),
]


@pytest.mark.parametrize(("text", "kind", "first"), POSITIVES, ids=[p[0][:24] for p in POSITIVES])
def test_emergency_detected(text: str, kind: str, first: str) -> None:
    found = detect(text)
    assert found is not None, text
    assert found.kind == kind, (text, found)
    assert found.numbers[0] == first, (text, found)
    assert found.matched


@pytest.mark.parametrize("text", NEGATIVES, ids=[n[:24] for n in NEGATIVES])
def test_not_an_emergency_now(text: str) -> None:
    assert detect(text) is None, (text, detect(text))


@pytest.mark.parametrize(("text", "kind", "first"), MIXED, ids=[m[0][:24] for m in MIXED])
def test_past_or_question_never_cancels_a_present_emergency(text: str, kind: str, first: str) -> None:
    found = detect(text)
    assert found is not None, text
    assert found.kind == kind, (text, found)
    assert found.numbers[0] == first


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("我爸煤气中毒了", {"120", "119"}),
        ("我刚被骗了三万块", {"110", "96110"}),
        ("两辆电动车在路口撞了，一个人腿好像断了", {"122", "120"}),
        ("我朋友说要跳楼，现在站在天台上", {"110", "120"}),
        ("他割腕了，流了好多血", {"120", "110"}),
        ("闻到很重的煤气味，我妈已经晕过去了", {"119", "120"}),
        ("着火了，有人被烧伤了", {"119", "120"}),
        ("被人砍了一刀，流了好多血", {"110", "120"}),
        ("发大水了，我们被困在屋顶上", {"119", "110"}),
    ],
)
def test_every_needed_number_is_given(text: str, numbers: set[str]) -> None:
    found = detect(text)
    assert found is not None
    assert numbers <= set(found.numbers), found


@pytest.mark.parametrize(
    "text",
    [
        "一辆车把我撞了，腿疼走不了",
        "我被电动车剐倒了，腰疼站不起来",
        "追尾了，后座的孩子一直哭说脖子疼",
        "撞了我就开跑了，我腿疼走不了",
        "我骑电动车被一辆小轿车撞了，现在起不来",
        "出车祸了，我朋友头磕破了",
        "两车相撞，有个人被甩出去了",
        "车祸，我老公胳膊肿了抬不起来",
    ],
)
def test_traffic_injury_gives_122_then_120(text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == "traffic_injury", (text, found)
    assert found.numbers[:2] == ("122", "120"), found


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("肇事逃逸了，快帮我报警", ("122", "110")),
        ("有车撞了我的车，司机开跑了，帮我报警", ("122", "110")),
        ("撞车了，没人受伤，腿也不疼", ("122",)),
        ("追尾了，人没事，就是车灯坏了", ("122",)),
        ("追尾了，手机摔破了", ("122",)),
        ("车头撞破了，人没事", ("122",)),
        ("我爸晕倒了，快报警", ("120", "110")),
    ],
)
def test_a_request_for_a_service_never_leads_over_the_event(text: str, numbers: tuple[str, ...]) -> None:
    found = detect(text)
    assert found is not None
    assert found.numbers == numbers, found


def test_group_beating_with_blood_adds_120() -> None:
    found = detect("三个男的把一个小伙按在地上揍，满脸是血")
    assert found is not None and found.kind == "violence"
    assert found.numbers[0] == "110" and "120" in found.numbers


def test_no_injury_means_no_ambulance() -> None:
    found = detect("刚才追尾了，没有人受伤，车灯撞坏了")
    assert found is not None and found.kind == "traffic"
    assert found.numbers == ("122",)


def test_full_width_and_spoken_numbers_are_understood() -> None:
    assert emergency.normalize("打１１９") == "打119"
    assert emergency.normalize("快叫妖妖灵") == "快叫110"
    assert detect("快拨１２０！！人晕倒了").numbers[0] == "120"


def test_every_kind_is_reachable() -> None:
    kinds = {detect(t).kind for t, _, _ in POSITIVES}  # type: ignore[union-attr]
    assert kinds == set(KINDS)


@pytest.mark.parametrize("text", ["", "   ", "\n", "。。。", "😀", "a" * 5000, "嗯" * 3000])
def test_odd_input_is_harmless(text: str) -> None:
    assert detect(text) is None


def test_long_message_with_emergency_in_the_middle() -> None:
    filler = "物业费收得太贵了，小区绿化也没人管，停车位也不够用，"
    text = filler * 8 + "刚才楼下有个老人倒在地上叫不醒，" + filler * 8
    found = detect(text)
    assert found is not None and found.kind == "medical"


def test_emergency_is_immutable() -> None:
    found = detect("着火了")
    assert isinstance(found, Emergency)
    with pytest.raises(AttributeError):
        found.kind = "gas"  # type: ignore[misc]


# ---------------------------------------------------------------- what the citizen reads

ANSHAN = load_profile("anshan")


def _phone_like(text: str) -> set[str]:
    """Every run of three or more digits (step numbers and "24小时" are not phone numbers)."""
    return set(re.findall(r"\d{3,}", text))


@pytest.mark.parametrize(("text", "kind", "first"), POSITIVES[::3])
def test_reply_starts_with_every_number(text: str, kind: str, first: str) -> None:
    found = detect(text)
    assert found is not None
    reply = emergency_reply(found, ANSHAN)
    assert reply.startswith("情况紧急，请立即拨打")
    head = reply.split("。")[0]
    for number in found.numbers:
        assert number in head, (number, head)
    assert "我们已同步记录并通知热线值班人员" in reply


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_safety_steps(kind: str) -> None:
    em = Emergency(kind, emergency.DEFAULT_NUMBERS[kind], "test")
    reply = emergency_reply(em, ANSHAN)
    assert reply.startswith("情况紧急，请立即拨打")
    assert len(reply) > 60
    assert "我们已同步记录并通知热线值班人员" in reply


def test_gas_reply_never_invents_a_gas_company_number() -> None:
    assert ANSHAN.utility_lines.get("gas") is None
    em = detect("一进门就闻到一股很冲的燃气味")
    reply = emergency_reply(em, ANSHAN)
    assert "119" in reply
    assert "燃气公司" in reply and "24小时" in reply
    # the only numbers in the reply are the emergency numbers
    assert _phone_like(reply) <= {"119", "120"}, reply
    for step in ("开关", "窗", "室外"):
        assert step in reply


def test_gas_reply_gives_the_configured_gas_line() -> None:
    from dataclasses import replace

    profile = replace(ANSHAN, utility_lines={**ANSHAN.utility_lines, "gas": "0412-1234567"})
    reply = emergency_reply(Emergency("gas", ("119",), "燃气味"), profile)
    assert "0412-1234567" in reply


def test_fraud_reply_mentions_bank_and_96110() -> None:
    reply = emergency_reply(detect("我刚被骗了三万块"), ANSHAN)
    assert "96110" in reply and "银行" in reply


def test_generic_reply_lists_all_four_numbers_without_claiming_an_emergency() -> None:
    reply = emergency_generic_reply(ANSHAN)
    for number in ("110", "119", "120", "122"):
        assert number in reply
    assert "立即拨打110" not in reply and "立即拨打119" not in reply
    assert "我们已同步记录并通知热线值班人员" in reply



@pytest.mark.parametrize(
    "text",
    [
        "我心脏一直不好 刚才又开始疼 疼得厉害 家里就我一个人",
        "老伴有冠心病 现在说胸口憋得慌 一直冒汗",
        "俺爹心口窝那块突然疼 脸都白了",
    ],
)
def test_known_heart_condition_with_pain_now_is_medical(text):
    found = detect(text)
    assert found is not None and found.numbers[0] == "120"


@pytest.mark.parametrize("text", ["楼道里的应急灯坏了好几天了", "安全出口指示牌不亮了", "去年心脏疼过一回 现在已经好了 想问问医保报销"])
def test_facilities_and_past_pain_are_not_emergencies(text):
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "手机卡死了 系统一直转圈 我要死了🙃",            # a cry about an everyday trouble, said with a wink
        "救命 这破系统又崩了 笑死 预约了三遍",
        "救命啊 又停电了 空调一停我直接原地去世 到底几点来电",
    ],
)
def test_a_cry_used_as_a_figure_of_speech_is_not_taken_at_its_word(text):
    assert detect(text) is None


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("救命 我要死了 胸口疼得喘不上气😭", {"120"}),           # an emoji does not make a real one a joke
        ("救命 救命 楼下着火了", {"119"}),
        ("我爸在院子里拉电线 现在倒地上了 手里还攥着线呢", {"120", "119"}),  # still on the wire: power cut
        ("孩子被电线缠在身上了 一动不动", {"120", "119"}),
    ],
)
def test_real_cries_and_a_person_on_a_live_wire(text, numbers):
    found = detect(text)
    assert found is not None and numbers <= set(found.numbers)


@pytest.mark.parametrize("text", ["地下通道顶上在掉水泥块 还没砸到人", "掉水管里的东西捞不出来了", "水龙头坏了一直滴水"])
def test_falling_cement_is_not_falling_into_water(text):
    found = detect(text)
    assert found is None or found.matched not in {"掉水", "掉水里"}


@pytest.mark.parametrize(
    "text",
    [
        "上个月带闺女逛商场 她走丢了一会儿 后来保安把她领回来了 想建议商场加个广播",   # found again
        "我妈有老年痴呆 还没丢过 想给她办个防走失手环 社区管不管",                       # a thing named after it
        "庙会人多 有没有走失儿童的集合点",
        "要是我看到有人想不开要跳楼 应该打110还是120",                                  # imagined, asked about
        "我要死了真的 公积金提取跑了四趟 每次都说材料不全",                              # a figure of speech
    ],
)
def test_lost_found_prevented_imagined_and_exaggerated_are_not_emergencies(text):
    assert detect(text) is None


@pytest.mark.parametrize(
    "text, kind",
    [
        ("要是你们再不管 我就跳楼", "self_harm"),          # a threat of one's own stays one
        ("孩子在商场走丢了 还没找到", "missing_person"),
        ("我要死了 胸口疼得喘不上气", "medical"),
    ],
)
def test_the_same_words_said_now_stay_emergencies(text, kind):
    found = detect(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("text", ["水管子冻裂了 滋滋往外冒水 阀门关不上 咋整啊", "暖气管滋滋漏水 阀门关不上"])
def test_water_hissing_from_a_pipe_is_not_gas(text):
    assert detect(text) is None


def test_gas_named_beside_a_water_pipe_is_still_gas():
    found = detect("厨房燃气管滋滋响 阀门关不上 水管也漏水")
    assert found is not None and found.kind == "gas"


@pytest.mark.parametrize("text", ["楼上楼下为了漏水吵了一个月 昨天两家差点打起来 后来被劝开了 能不能请社区调解",
                                  "业主群里有人发视频 说是东区一个地下车库进水了 还说有人被困在里面 不知道真假"])
def test_a_fight_that_did_not_happen_and_a_video_in_a_group_chat_are_not_emergencies(text):
    assert detect(text) is None


def test_a_threat_reported_in_the_citizens_own_words_stays_one():
    found = detect("他说要杀了我 现在就在门外")
    assert found is not None and found.kind == "violence"


def test_a_child_usually_brought_home_who_is_not_home_is_still_missing():
    found = detect("孩子到现在还没回来 平时都是校车送回家的 电话也打不通")
    assert found is not None and found.kind == "missing_person"


# Session 19: the four kinds the sealed half still missed, told without their obvious word. Each
# combines halves that say little alone: going under in open water, gone and unreachable, a farewell
# and then silence, a crash told by what the vehicles did beside someone hurt.
@pytest.mark.parametrize(
    "text, kind, numbers",
    [
        ("村头鱼塘里有个娃在扑腾 一会儿冒头一会儿没了", "medical", {"110", "120"}),
        ("俺们几个在水库边耍 二娃游到中间就没上来", "medical", {"110", "120"}),
        ("江边 有人被浪卷下去了", "medical", {"110", "120"}),
        ("刚把我爸从河里拖上来 没呼吸了 在按胸口", "medical", {"110", "120"}),
        ("外婆下午出去散步 五个多小时了没回来 电话也打不通", "missing_person", {"110"}),
        ("庙会上人挤人 跟我闺女挤散了 她才四岁", "missing_person", {"110"}),
        ("儿子说去网吧 网吧老板说他根本没去 手机关机 到处找了", "missing_person", {"110"}),
        ("我姐刚发微信说 对不起 照顾好爸妈 然后就关机了", "self_harm", {"110", "120"}),
        ("我现在一个人坐在楼顶上 真的撑不下去了", "self_harm", {"110", "120"}),
        ("我爷爷把一瓶降压药全吃了 说不想拖累我们", "self_harm", {"110", "120"}),
        ("我要跳了", "self_harm", {"110", "120"}),
        ("三轮车被大货车别翻了 我妈躺地上腿流血起不来", "traffic_injury", {"122", "120"}),
        ("骑电动车的大哥被开门的车门撞飞 头破了在流血", "traffic_injury", {"122", "120"}),
    ],
)
def test_the_missed_kinds_told_in_halves(text, kind, numbers):
    found = detect(text)
    assert found is not None and found.kind == kind and numbers <= set(found.numbers)


@pytest.mark.parametrize(
    "text",
    [
        "孩子暑假想学游泳 哪个游泳馆有正规的教练",
        "学校发了防溺水告家长书 要签字交回去",
        "我儿子昨晚跟同学打球回来晚了 电话也没接 今天问了说手机没电 网吧几点关门",
        "物业经理电话老是关机 找也找不到人 楼道灯坏了没人修",
        "包工头跑了 电话打不通 人也找不到 欠我们三个月工钱",
        "烦死了 这个网站填了八遍还是提交失败 我想死",
        "卡得我想从楼上跳下去 宽带什么时候能修好",
        "毕业典礼上大家都说再见了 想问问档案怎么转",
        "我站在楼顶晒被子 看见对面在违章搭建",
        "我在江边跑步 发现有人往江里倒垃圾",
        "我要跳了 跳广场舞的地方被人停满了车",
    ],
)
def test_look_alikes_of_the_missed_kinds_stay_quiet(text):
    assert detect(text) is None


def test_a_crash_last_month_and_its_insurance_is_not_one():
    assert detect("上个月电动车被货车刮倒了 腿骨折住院 现在保险公司不赔 找哪个部门") is None
