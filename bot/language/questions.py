"""Is a message a question for information (answer it from the knowledge base first) rather
than a matter to file? Citizens often ask 「请问…多久…」 about a service; the classifier, trained
mostly on grievances, reads such questions as 求助 or 投诉 and would start a form.

A message is an information question when it asks how, when, where, how long, how much or
what is needed, and names no grievance (something broken, a nuisance, a wrong done). A
grievance asked as a question (「楼下天天吵到半夜有人管吗」) stays a grievance.
"""

from __future__ import annotations

import re

# 催办: asking that an order be hurried (「能不能催一下」「给催催」), not 「物业天天催我交钱」.
URGES = re.compile(r"催(?:一下|一催|催|办|促|下)|(?:给|帮)(?:我|忙|俺)?催|加急办|快点(?:办|处理|给办)")

_ASKING = re.compile(
    r"咨询一下|咨询个|想咨询|请问|问一下|问下|想问|想了解|了解一下|打听"
    r"|多久|多长时间|多少天|什么时候|几点|哪天|几号|几月"
    r"|怎么(?:办理|申请|办|弄|查|交|缴|领|补|换|开|注册|预约|报名|算|规定|收费)"
    r"|如何(?:办理|申请|办|查询|缴纳|领取|补办|预约|报名)"
    r"|需要(?:什么|哪些)(?:材料|手续|证件|条件)|要带什么|带什么材料|什么材料|哪些材料|什么条件|啥条件"
    r"|跑几趟|要跑几次|(?:要|得|需要)?带啥|啥材料|啥手续|(?:要|得)?办啥手续"
    r"|在哪里?办|去哪里?办|在哪儿办|哪里可以办|到哪里|流程|标准是|收费标准|多少钱|怎么规定|有什么规定|是否可以"
    r"|能不能办|可以办吗|能办吗|有没有补贴|能报销吗|报销比例|政策是"
)
_GRIEVANCE = re.compile(
    r"投诉|举报|曝光|反映|坏了|损坏|漏水|渗水|跑水|没水|停水了|断水|不热|不供暖|太冷|没电|停电了|跳闸"
    r"|吵|噪音|扰民|油烟|异味|臭|乱收费|多收|拖欠|欠薪|不给|不发|不退|不办|不管|没人管|有人管|管不管|推诿"
    r"|占道|违建|违章|偷排|乱倒|堵了|堵塞|塌|裂|私自|强行|霸占|骗|态度|刁难|一直没|好几天|好几个月|多次|至今|还没"
)
_QUESTION_END = re.compile(r"[?？吗呢]\s*$")


def is_information_question(text: str) -> bool:
    t = (text or "").strip()
    if not t or len(t) > 120:
        return False
    if _GRIEVANCE.search(t):
        return False
    return bool(_ASKING.search(t)) or (bool(_QUESTION_END.search(t)) and len(t) <= 40 and "怎么" in t)


# Anything asked at all (「顺便问一下，社保卡丢了怎么补办？」「能不能…」「…吗」), an information question or not.
_ASKS = re.compile(r"[？?]|怎么|如何|哪里|哪儿|什么|能不能|可不可以|是否|吗[。！!，,\s]*$|问一下|请问|问一嘴|问个事|打听"
                   # 「能提出来还房贷不」「要交钱不」: a yes-or-no question asked the plain way
                   r"|(?:能|可以|行|会|是|有|要|用|还)[\u4e00-\u9fa5]{0,10}不(?=[\s，,。？?！!]|$)")


def asks(text: str) -> bool:
    """Whether the message asks something: then it is not only a detail of the matter."""
    return bool(_ASKS.search(text or "")) or is_information_question(text)


# 「想问一下：1.营业执照在哪办，能不能网上办？2.新办企业能申请哪些创业扶持政策？」
_NUMBERED = re.compile(r"(?:^|(?<=[\s：:，,。；;？?！!]))(?:[1-9１-９]|[（(][1-9一二三四五][）)]|[一二三四五])[\.、．）)]\s*")
_ASKED_SENTENCE = re.compile(r"[^？?。！!；;\n]+[？?]")


def several(text: str) -> list[str]:
    """The questions of a message that asks several (numbered points, or two or more sentences
    ending in a question mark), each with enough words to be looked up; [] when it asks one."""
    t = (text or "").strip()
    if not t or len(t) > 600:
        return []
    parts = [p.strip(" ，,。；;：:") for p in _NUMBERED.split(t)[1:]]
    if len(parts) < 2:
        parts = [m.group(0).strip(" ，,。；;：:") for m in _ASKED_SENTENCE.finditer(t)]
    parts = [p for p in parts if len(re.sub(r"[^\u4e00-\u9fa5A-Za-z0-9]", "", p)) >= 6]
    return parts if len(parts) >= 2 and all(asks(p) for p in parts) else []
