"""Deterministic extraction of intake fields from one citizen message.

Everything here is pure (no I/O) and fast. The Rasa actions call it on every user message so
that a rich first message fills every field it contains, and a bare answer to a question
("13898765432", "老李", "铁西区建设大道88号") fills the field that was asked for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bot.language.words import words
from bot.profile import Profile

REQUEST_TYPES = ("咨询", "求助", "投诉", "举报", "意见建议")

# ---------------------------------------------------------------- normalisation

_CN_DIGITS = {
    "零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2",
    "贰": "2", "三": "3", "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6",
    "陆": "6", "七": "7", "柒": "7", "拐": "7", "八": "8", "捌": "8", "九": "9", "玖": "9",
    "勾": "9",
}
# A run of Chinese digit words long enough to be a phone number (7+), spaces allowed.
_CN_DIGIT_RUN = re.compile("[" + "".join(_CN_DIGITS) + r"0-9][" + "".join(_CN_DIGITS) + r"0-9\s\-]{6,}")


def normalize(text: str | None) -> str:
    """NFKC (full-width digits and letters to half-width), trimmed."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", text).strip()


def _cn_digits_to_arabic(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        digits = sum(1 for ch in run if ch in _CN_DIGITS or ch.isdigit())
        if digits < 7 or not any(ch in _CN_DIGITS for ch in run):
            return run
        return "".join(_CN_DIGITS.get(ch, ch) for ch in run)

    return _CN_DIGIT_RUN.sub(repl, text)


# ---------------------------------------------------------------- phone

_SEP = r"[\s\-]?"
_MOBILE = re.compile(r"(?<!\d)(?:\+?86" + _SEP + r")?(1[3-9]\d(?:" + _SEP + r"\d){8})(?!\d)")
_FIXED_AREA = re.compile(r"(?<!\d)[(（]?(0\d{2,3})[)）]?" + _SEP + r"(\d(?:" + _SEP + r"\d){6,7})(?!\d)")
_FIXED_LOCAL = re.compile(r"(?<![\d\-])([2-9]\d{2,3}" + _SEP + r"\d{4})(?![\d\-])")
_DIGITISH = re.compile(r"\d[\d\s\-]*\d|\d")


@dataclass(frozen=True)
class Phone:
    value: str          # digits only, e.g. 13898765432 or 04125551234
    span: tuple[int, int]


_PUT_RIGHT = re.compile(r"不对|错了|说错|打错|记错|输错|应该是|更正|纠正|改成|不是")


def find_phone(text: str, *, asked: bool = False) -> Phone | None:
    """The first contact number in ``text``.

    A bare 7-8 digit local number counts only when the bot asked for a phone or the message
    says it is one (电话/手机/联系), so that house numbers and amounts are not taken for phones.
    """
    t = _cn_digits_to_arabic(normalize(text))
    for rx in (_MOBILE, _FIXED_AREA):
        m = rx.search(t)
        if m:
            # 「电话13804128890 哦不对 是13804128980」: the number put right in the same breath
            later = rx.search(t, m.end())
            if later and _PUT_RIGHT.search(t[m.end():later.start()]):
                m = later
            digits = re.sub(r"\D", "", m.group(0))
            if digits.startswith("86") and len(digits) == 13:
                digits = digits[2:]
            return Phone(digits, m.span())
    if asked or re.search(r"电话|手机|联系|号码|打这个", t):
        m = _FIXED_LOCAL.search(t)
        if m:
            return Phone(re.sub(r"\D", "", m.group(0)), m.span())
    return None


NO_PHONE = "未留电话"
# Declining to give a phone (the form goes on without one; only an explicit cancel cancels).
_DECLINES_PHONE = re.compile(
    r"不(?:方便|想|愿意?|能|用|必)?(?:留|给|说|告诉|透露)|就?算了|没有?(?:电话|手机)|不方便|不想说|不告诉|保密|"
    r"不要(?:留|打)|别(?:留|打)(?:电话)?|不用(?:了|联系)")


def declines_phone(text: str) -> bool:
    """Whether an answer to "your phone?" declines to give one (「电话就算了吧，我不方便留」)."""
    t = normalize(text)
    return not re.search(r"\d{3}", t) and bool(_DECLINES_PHONE.search(t))


def digit_count(text: str) -> int:
    """Digits in the longest run of the text (after Chinese numerals), for error messages."""
    runs = [re.sub(r"\D", "", r) for r in _DIGITISH.findall(_cn_digits_to_arabic(normalize(text)))]
    return max((len(r) for r in runs), default=0)


def phone_problem(text: str) -> str | None:
    """Code of why the digits typed are not a usable phone (None if there are no digits).
    Codes name responses ``utter_invalid_<code>`` in domain.yml."""
    t = _cn_digits_to_arabic(normalize(text))
    runs = [re.sub(r"\D", "", r) for r in _DIGITISH.findall(t)]
    runs = [r for r in runs if len(r) >= 3]
    if not runs:
        return None
    longest = max(runs, key=len)
    if longest.startswith("1") and len(longest) != 11:
        return "phone_mobile_length"
    if longest.startswith("1"):
        return "phone_mobile_prefix"
    if longest.startswith("0"):
        return "phone_fixed_format"
    return "phone_digits"


# ---------------------------------------------------------------- name

_SURNAMES = tuple(
    sorted(
        (Path(__file__).resolve().parent.parent / "lexicon" / "surnames.txt").read_text(encoding="utf-8").split(),
        key=len,
        reverse=True,
    )
)
_SURNAME_RX = "(?:" + "|".join(_SURNAMES) + ")"
_HONORIFIC = r"(?:先生|女士|小姐|阿姨|大爷|大姐|大哥|老师|师傅|大妈|奶奶|爷爷|同志)"
# A name stops at punctuation, digits or the next phrase of the message.
_NAME_STOP = (
    r"(?=[\s,，。.!！?？;；:：、\d]|电话|手机|联系|住在|住|家住|在|是|今年|我|的|号码|身份证|$)"
)
_NAME_PATTERNS = [
    # 我叫王建国 / 名字是… / 本人…
    # 「名字写错了 是珍珠的珍 王淑珍」: the name said again after saying it was wrong
    re.compile(r"(?:名字|姓名)(?:写|打|记|弄)?错了[^。]{0,16}?(?<![\u4e00-\u9fa5])(" + _SURNAME_RX + r"[\u4e00-\u9fa5]{1,2})(?=[\s,，。!！]|$)"),
    re.compile(r"(?:我叫|俺叫|我的名字是|我名字叫|俺名字叫|我名叫|名字叫|名字是|姓名[:：]?|本人(?=" + _SURNAME_RX + r")"
               r"|(?:^|(?<=[\s,，。]))叫(?!我|啥|什么|不上|不出|他|她))"
               r"\s*([\u4e00-\u9fa5·]{2,5}?)" + _NAME_STOP),
    # 王女士 / 刘大姐 (preferred over a bare 姓X said in the same message)
    re.compile(r"(?:(?<![\u4e00-\u9fa5])|(?<=[是我俺]))(" + _SURNAME_RX + _HONORIFIC + r")"),
    # 我姓綦 / 俺姓张 (any character after an explicit 我姓), 姓王 (known surnames)
    *(_SURNAME_ONLY := (
        re.compile(r"(?:免贵姓|我姓|俺姓|本人姓)\s*(" + _SURNAME_RX + r"|[\u4e00-\u9fa5])"),
        # 「姓刘的养猪场」「姓孙那家」: someone else's
        re.compile(r"(?<![\u4e00-\u9fa5])姓\s*(" + _SURNAME_RX + r")(?!" + _SURNAME_RX + r"[\u4e00-\u9fa5]|的|那|这|家|开)"),
    )),
    re.compile(r"(?:叫我|称呼我|喊我)\s*([\u4e00-\u9fa5]{1,4}?)" + r"(?=[\s,，。.!！?？;；]|就行|就可以|吧|$)"),
    re.compile(r"(?:我是|俺是)\s*(" + _SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}?)" + _NAME_STOP),
    re.compile(r"(?:我是|这里是|这边是)?((?:老|小)" + _SURNAME_RX + r")(?=[\s,，。.!！]|$)"),
    # a role and the person: 「我是法人周明」「法定代表人：周明」, a letter's sign-off 「居民：赵淑芬」
    re.compile(r"(?:法人代表|法定代表人|法人|负责人|总经理|经理|店主|户主|联系人|申请人|反映人|举报人|投诉人|来信人|"
               r"居民|市民|业主|村民|署名|落款)[:：\s]*(" + _SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}?)" + _NAME_STOP),
    # a bare name opening the message: 「张建华 13504120078 铁西区」
    re.compile(r"^(" + _SURNAME_RX + r"[\u4e00-\u9fa5]{1,2})(?=[\s,，:：]*(?:[\d+]|电话|手机|联系)|[\s,，:：]+(?:[一二三四五六七八九零幺]|[\u4e00-\u9fa5]{1,4}(?:区|县|市)))"),
    # a foreign resident's name said in English: 「My name is Mark Thompson, phone …」
    re.compile(r"(?i:my name is|my name's|name is|name[:：]|call me)\s*([A-Z][A-Za-z'-]+(?:\s[A-Z][A-Za-z'-]+){0,2})"),
    # whose name goes on the order: 「名字写我奶奶的 吴凤琴」「姓名就写我爸的，刘德山」
    re.compile(r"(?:名字|姓名|称呼)(?:就|可以|还是)?(?:写|填|登记|记|留)(?:成|上|个|一个|下)?(?:吧)?(?:我|俺)?(?:的|[\u4e00-\u9fa5]{1,3}的)?[\s,，:：]*(" + _SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}?)" + _NAME_STOP),
]
NOT_NAMES = words("not_names")
# Acknowledgements, thanks and small words, alone or strung together (「好的谢谢」「嗯嗯知道了」):
# never a name, whatever question was asked.
_FILLER = re.compile(
    r"^(?:好的?|好吧|好嘞|好滴|行|行吧|嗯+|恩+|哦+|噢+|喔+|啊+|呃+|额+|对|对的|是的?|谢谢(?:你|您|啦|了|哈)?|多谢|感谢|"
    r"辛苦(?:了|啦|你了|您了)?|麻烦(?:了|你了|您了)?|收到|明白(?:了)?|知道(?:了)?|了解|ok|okay|没问题|可以|再见|"
    r"拜拜|不客气|稍等|等一下|在吗|在不在|你好|您好|喂|哈+|呵+|嘿|的|了|啦|呀|吧|哈|呢)+$"
)


def is_filler(text: str) -> bool:
    """Whether a message says nothing but acknowledgements and thanks."""
    t = re.sub(r"[\W_]+", "", normalize(text).lower())
    return bool(t) and bool(_FILLER.match(t))


ANONYMOUS = "匿名"
_ANONYMOUS = re.compile(r"匿名|不想说|不愿意?透露|不方便说|不方便透露|保密不说|不告诉你|不(?:想|愿意?|方便|用)?留(?:名|姓名|名字)|"
                        r"(?:名字|姓名|称呼)(?:就)?(?:不(?:想|愿意?|方便|用)?(?:说|留|写|告诉)|别(?:写|留|登记|记)|能不能不(?:写|留|登记)|算了|保密|不重要|无所谓)|不说(?:名字|姓名)"
                        r"|(?:甭|别|不用)管我(?:叫|姓)(?:啥|什么)|(?:我)?叫(?:啥|什么)(?:不重要|无所谓|你就别问了)")
# Declining the name or the phone, in any message (「我不留名 电话也不留」「名字不说了 电话也别留了」).
_DECLINES_NAME_ANYWHERE = _ANONYMOUS
_DECLINES_PHONE_ANYWHERE = re.compile(
    r"(?:电话|手机|号码|联系方式)(?:号)?(?:也|就|我)?(?:不(?:想|愿意?|方便|用|能)?(?:留|给|说|告诉)|别留|算了|保密)|"
    r"不(?:想|愿意?|方便)?留(?:电话|手机|号码|联系方式)")


# Cancelling the request itself, not a field: 「不办了」「取消」「不用登记了」.
_EXPLICIT_CANCEL = re.compile(
    r"(?:^|[，,。.!！\s])(?:那就|那|就|我要|我想|还是|帮我)?(?:取消|撤销|撤回)(?:吧|了吧|算了|登记|这个|工单|诉求|反映|掉)?"
    r"(?=$|[，,。.!！\s])|不办了|不反映了|不投诉了|不举报了|不登记了|不弄了|不提交了?|不用(?:给我)?登记|不用(?:你们)?管了|"
    r"(?<![说让叫])(?:不用|不要|不)(?:再)?(?:报|报了|上报|反映|投诉)了|(?:已经)?(?:解决|处理好|拿到)了(?:[，,\s]*不用(?:了|报|反映))|"
    r"我自己(?:找他|找她|解决|处理)|不麻烦(?:你们)?了")


_THANKS = re.compile(r"^(?:谢谢|谢谢你|谢谢你们|谢谢您|多谢|麻烦了|麻烦你了|麻烦您了|麻烦你们了|辛苦了|辛苦你们了|辛苦你了"
                     r"|(?:快点儿?|赶紧的?|抓紧|尽快)(?:给|帮)?(?:我)?(?:办|弄|处理|解决)?(?:一下)?)(?:了|啊|哈|呀|啦|吧)*"
                     r"(?:孩子|闺女|姑娘|同志|小伙子?|妹子|大姐|领导|师傅|老师)?(?:了|啊|哈|呀|啦)*$")
_AFFIRM_PART = re.compile(r"^(?:(?:内容|信息|地址|电话|名字|都|全都|全部|上面的?|以上|这些|那就|就|那|先|按(?:建议|投诉|举报|求助|咨询|这个|这样|这些|上面的?)?)+)?"
                          r"(?:确认|确定|对|对的|是|是的|没错|没问题|可以|行|好|好的|嗯|ok|提交|确认提交|无误|都对|正确"
                          r"|这么的|这样|这么办|这么着|这么报|这样报|这么写|这么弄|就这|这个|报|报上去|上报|交上去|提交上去|中|成|要得|妥|得嘞|好嘞|行嘞)+"
                          r"(?:就行|就好|就可以|即可)?(?:了|吧|啦|的|呀|哈|呢|嘛)*$")


def affirms(text: str) -> bool:
    """Whether the message only says yes (「内容没问题，提交。」「对 都对 提交吧」): every part of it
    an affirmation, and nothing in it cancelling or correcting."""
    t = normalize(text).lower()
    parts = [p for p in re.split(r"[，,。.!！~～\s、]+", t) if p and not _THANKS.match(p)]
    # 「行 提交吧 有消息给我回个电话」「不保密 确认」: the form's own answers beside the yes
    said = [p for p in parts if parse_wants_reply(p) is None and parse_confidential(p) is None]
    return bool(said) and all(_AFFIRM_PART.match(p) for p in said)


def explicit_cancel(text: str) -> bool:
    return bool(_EXPLICIT_CANCEL.search(normalize(text)))


def declined_fields(text: str) -> set[str]:
    """The fields a message declines to give, whatever was asked: {"name", "phone"}."""
    t = normalize(text)
    out = set()
    if _DECLINES_NAME_ANYWHERE.search(t):
        out.add("name")
    if _DECLINES_PHONE_ANYWHERE.search(t) and not re.search(r"\d{7}", t):
        out.add("phone")
    return out


@dataclass(frozen=True)
class Name:
    value: str
    span: tuple[int, int]


_A_BUSINESS = re.compile(r"铺|店|馆|超市|公司|厂|物业|驿站|中心|小区|学校|医院|门市|市场")
_NAMES_A_PLACE = re.compile(r"(?:门市|门脸|店|馆|小区|工地|公司|超市|饭店|楼盘|市场|学校|驾校|厂|网吧|网咖|诊所|医院|酒店|宾馆)"
                            r"(?:的)?(?:名字|名)?[\s,，]*(?:叫|是|名叫)\s*$")


# How to write the name, said in a sentence (「名字就写高先生」「称呼写老刘」).
_WRITTEN_AS = re.compile(r"(?:名字|称呼|姓名)(?:就|你就|您就)?(?:写|填|记)(?:成|作)?[:：]?\s*([\u4e00-\u9fa5]{1,3}?" + _HONORIFIC
                         + r"?)(?:吧|就行|就好|就可以)?(?=[\s,，。!！]|$)")


def find_name(text: str) -> Name | None:
    """A name or how to address the citizen, stated in a sentence (我叫… / 我姓… / 王女士)."""
    t = normalize(text)
    for rx in _NAME_PATTERNS:
        m = rx.search(t)
        if m:
            value = m.group(1)
            if value in NOT_NAMES or any(w in value for w in ("区", "市", "路", "街")) or _A_BUSINESS.search(value):
                continue  # 「…学校大门东边 叫快乐小铺」: a shop's name
            if _NAMES_A_PLACE.search(t[: m.start(1)]):
                continue  # 「一楼门市 叫蜀香园」: the shop's name, not the citizen's
            if rx in _SURNAME_ONLY:
                # 「我姓罗 罗小梅」: the full name said right after wins over 姓罗
                full = re.match(r"[\s,，。]*(" + re.escape(value) + r"[\u4e00-\u9fa5]{1,2}?)" + _NAME_STOP, t[m.end():])
                if full and full.group(1) not in NOT_NAMES:
                    return Name(full.group(1), (m.start(), m.end() + full.end(1)))
                # 「我姓高 … 名字就写高先生」: how the citizen asks to be written, said later, wins too
                written = _WRITTEN_AS.search(t, m.end())
                if written and written.group(1).startswith(value):
                    return Name(written.group(1), (written.start(), written.end(1)))
                value = f"姓{value}"
            return Name(value, (m.start(), m.end()))
    return None


# A reply to "how should we address you" that is a sentence or an organisation, not a person.
_NOT_A_PERSON = re.compile(r"[你他它吧吗呢啊呀叫]|帮|登记|写|说|不|没|要|想|确认|提交|取消|算了|对的|公司|有限|物流|集团|店|厂|中心|"
                           r"单位|部门|协会|学校|医院|银行|物业|超市|驿站|铺|门市|市场|酒店|饭馆|局|站")
# Words that answer "is this right?" or say "OK" in dialect: never a name (「确认提交」「对 提交」「中」).
_CONFIRMING = re.compile(r"^(?:确认|提交|确认提交|对|对的|对提交|没错|没问题|中|中中|得劲|妥了|可以|行|好|就这样)+$")


_ENGLISH_NOT_NAMES = {"yes", "no", "ok", "okay", "hello", "hi", "thanks", "thank you", "sorry", "what", "why", "submit",
                      "yes correct", "no thanks", "anonymous", "human", "help", "english", "i don't know"}


def parse_name_answer(text: str) -> tuple[str | None, str | None]:
    """Read a direct answer to "how should we address you". Returns (value, problem code)."""
    t = normalize(text)
    found = find_name(t)
    if found:
        return found.value, None
    if _ANONYMOUS.search(t):
        return ANONYMOUS, None
    if affirms(t):
        return None, "name_empty"  # 「嗯 就这么的」 agrees; it names no one
    # 「名字就写小陈吧」「就写王先生」「称呼写老刘就行」: how to write it, not a sentence
    bare = re.sub(r"^(?:(?:我是|我叫|俺是|俺叫|叫|是|姓名|名字|称呼)(?:你|就|你就)?(?:写|填|记|叫|写成|填成|记成)?|(?:你|就|你就)(?:写|填|记)(?:成)?)[:：]?",
                  "", t).strip(" ,，。.!！~～")
    if not bare or bare in NOT_NAMES or is_filler(bare) or _CONFIRMING.match(re.sub(r"[\s,，。!！]", "", bare)):
        return None, "name_empty"
    phone = find_phone(bare)
    if phone is not None:  # 「王桂兰 电话13842215637」: the phone is its own field
        bare = (bare[: phone.span[0]] + bare[phone.span[1]:]).strip(" ,，。")
        bare = re.sub(r"[\s,，]*(?:我的)?(?:电话|手机|联系电话)(?:号码|号)?(?:是|为)?[:：]?$", "", bare)
    unasked = re.sub(r"(?<=[\u4e00-\u9fa5])(?:吧|就行|就好|就可以|就成|行了)(?=[\s,，。!！]|$)", "", bare).strip(" ,，。.!！~～")
    if re.fullmatch(r"(?:" + _SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}|[老小][\u4e00-\u9fa5])" + _HONORIFIC + "?", unasked):
        bare = unasked  # 「刘丽丽吧」「小陈就行」, not 「第二个，算建议吧」
    last = re.split(r"[\s,，。;；:：、]+", bare)[-1]
    if last != bare and re.fullmatch(_SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}", last):
        return last, None  # 「我信里写了，赵淑芬」
    if re.search(r"\d", bare):
        return None, "name_digits"
    if re.fullmatch(r"[A-Z][A-Za-z'.-]*(?:\s[A-Z][A-Za-z'.-]*){0,3}", bare) and len(bare) <= 40 \
            and not _CONFIRMING.match(bare) and bare.lower() not in _ENGLISH_NOT_NAMES:
        return bare, None  # 「Mark Thompson」 is a name, not a long one
    if re.fullmatch(r"[A-Za-z\s,.!?'-]+", bare):
        return None, "name_empty"  # 「Hello」「I am tired」: English, but no name
    if len(bare) > 12:
        return None, "name_long"
    if re.search(r"[我俺咱你您他她]", bare):
        first = re.split(r"[\s,，。;；:：、]+", bare)[0]
        if first != bare and re.fullmatch(_SURNAME_RX + r"[\u4e00-\u9fa5]{1,2}", first):
            return first, None  # 「刘德华 你记一下」
        return None, "name_empty"  # 「有记录 我扫码付的款」: a sentence about something else
    if len(bare) > 5 and re.fullmatch(r"[\u4e00-\u9fa5]+", bare) and not re.fullmatch(
            _SURNAME_RX + r"[\u4e00-\u9fa5]{1,3}" + _HONORIFIC + "?", bare):
        return None, "name_empty"  # 「时间是昨天上午九点多」: a sentence, not how to address a person
    if _NOT_A_PERSON.search(bare):
        return None, "name_empty"  # 「那你帮我登记吧」「顺达物流」: not how to address a person
    if re.search(r"(?:区|县|市|路|街|道|号|小区|楼|村|镇|乡|屯)(?:的|那|那边|那块)?$|\d", bare) and len(bare) > 3:
        return None, "name_empty"  # an address or a number given where a name was asked
    if not re.search(r"[\u4e00-\u9fa5A-Za-z]", bare):
        return None, "name_empty"
    return bare, None


# ---------------------------------------------------------------- address

_PLACE_WORDS = (
    "大街|大道|大路|胡同|小区|花园|家园|新村|公寓|广场|大厦|市场|商场|公园|医院|学校|中学|小学|幼儿园|学院|大学|服务中心|活动中心|购物中心|"
    r"[一二三四五六七八九十\d]+中|车站|火车站|客运站|交叉口|交口|路口|街道|社区|乡道|村口|村|屯|镇|乡|"
    r"(?<![的跑绕让带堵走赶问找拦顺退活思套])路(?![灯况费面线由])|(?<!的)街|巷|(?<!村)里|苑|府|城|湾|园|(?<![家法])庭(?!院)|公馆|名邸|楼|栋|号|单元|室|寺|那块|那边|一带|"
    "门口|楼下|附近|对面|旁边|后身|西侧|东侧|南侧|北侧|拐角|底商|门市|住宅|宿舍|家属院|家属楼|大院|"
    # landmarks and businesses named as the place (鞍山站, 好又多超市, 公积金大厅二号窗口, 金嗓子KTV)
    r"(?<![公车加])站(?![着在起了住岗队])|超市|大厅|窗口|饭店|饭馆|酒店|宾馆|商店|商行|KTV|ktv|网吧|浴池|工地|厂区|停车场|服务区|收费站"
    r"|(?<=[府园苑城庭湾])[一二三四五六七八九十\d]期"  # 锦绣华府二期
)
_PLACE_RX = re.compile(
    r"(?:\d+(?:-\d+)*\s*(?:号楼下?|号院|号|栋|幢|单元|楼下?|层|室|门)(?:\d{2,4}(?:室|号)?)?|" + _PLACE_WORDS + ")"
    r"(?:楼下|下面|门口|附近|对面|旁边|后面|前面|[东南西北后正侧]门|东边|西边|南边|北边|东侧|西侧|南侧|北侧)?"
)
# After a space, only a named part of the same address continues it (曙光小区23号楼, 7号楼4单元,
# 御景华庭): 「12号楼 楼道灯坏了」「12号 门口的下水井」 begin the matter.
_NAMED_PLACE_PART = re.compile(
    r"(?![楼门路院家屋室旁那这我俺他她咱你整]|一整|一条|一个|一片)[\u4e00-\u9fa5\d]{1,8}"
    r"(?:小区|花园|家园|新村|公寓|苑|府|庭|城|湾|园|大厦|广场|市场|商场|街道|社区|村|镇|乡|大街|大道|路|街|胡同|巷|屯|号楼|号院|号|栋|单元|住宅|宿舍|家属院|家属楼|大院"
    r"|小学|中学|学校|医院|公园|车站|站|交口|交叉口|路口|超市|大厅|窗口|饭店|饭馆|酒店|宾馆|商店|KTV|工地|停车场)"
    r"(?:楼下|下面|门口|附近|对面|旁边|后面|前面|[东南西北后正侧]门|东边|西边|南边|北边|东侧|西侧|南侧|北侧)?"
)
_ADDRESS_INTRO = re.compile(r"(?:地址是|地址在|地址[:：]|地点是|地点在|位置在|位置是|住在|家住|住址是|就在|位于|在"
                            r"|(?:工地|小区|楼盘|店|饭店|超市|商场|市场|单位|地方)(?:名)?(?:叫|是|名叫|名字叫))")
_ADDRESS_STOPWORDS = re.compile(
    r"天天|每天|一直|总是|经常|晚上|白天|半夜|凌晨|早上|有人|有个|有家|有一|那个|这个|太|很|特别|非常|严重|"
    r"乱|被|把|让|没人|不管|我要|我想|投诉|举报|反映|请|麻烦|帮|能不能|怎么|为什么|了|吗|呢|吧"
)
_NO_PLACE = re.compile(r"^(?:无|没有|不涉及|没有具体地址|不需要|不用|没地址|没有地点|无具体地点|跟地址没关系|不是具体地方)")
NO_ADDRESS = "（不涉及具体地点）"
_GENERIC_PLACE = re.compile(
    r"(?:我们|咱们|俺们|我家|他们|们)?(?:居民楼|楼道|楼上|楼下|马路|路边|路上|街上|大街|小区|院里|院子|家里|家门口|门口|单位|公司|学校|学院|大学|医院|"
    r"市场|商场|公园|广场|附近|对面|旁边|村里|城里|这里|那里|这边|那边)[里上下边内外]?"
    # a business said only by where it stands from the citizen (「楼下饭店的油烟」「隔壁工地」) names no place
    r"|(?:我们|我家|咱们|俺们|他们|小区|楼下|楼上|隔壁|对面|旁边|门口|附近|路边|街边|路口|这家|那家|一家|这个|那个|家)+的?"
    r"(?:饭店|饭馆|酒店|宾馆|超市|商店|网吧|浴池|工地|停车场|KTV|ktv|烧烤店|小卖部)[里上下边内外]?"
    # a kind of business, unnamed (「举报个加油站」): which one is still to be asked
    r"|(?:个|一个|这个|那个|有个|有家|一家)?(?:加油站|超市|饭店|饭馆|酒店|宾馆|网吧|网咖|驾校|健身房|诊所|药店|银行|工地|烧烤店|小卖部|商店)"
)
_CAME_FROM = re.compile(r"从(?P<origin>[\u4e00-\u9fa5\d]{2,10}?)(?:打车|坐车|打的|乘车|开车|骑车|坐出租车?|坐|乘)?(?:到|去|往)$")
_BUS_LINE = re.compile(r"\d{1,4}路(?:车|公交(?:车)?|汽车|大巴)?")
_BUS_STOP = re.compile(r"在\s*(?P<stop>[\u4e00-\u9fa5]{2,8}?)\s*(?:那|这)?(?:一|个)?站(?:点|牌)?(?![长着在起了住岗队务])")
# A side or a door of something named elsewhere (东门附近, 门口旁边): no place by itself.
_RELATIVE_ONLY = re.compile(r"(?:[东南西北后正侧]门|[东南西北]边|[东南西北]侧|门口|楼下|楼上)(?:附近|对面|旁边|口|那块|这块)?")
_QUESTION = re.compile(r"[吗呢？?]|怎么|为什么|什么|找谁|谁管|哪个部门|咋")


@dataclass(frozen=True)
class Address:
    value: str
    district: str | None
    span: tuple[int, int]


# Spoken addresses come with fillers and pauses: 「铁东区那个，那个胜利街道，叫啥来着，园林小区吧，3号楼」.
_SPOKEN_FILLER = re.compile(r"(?:那个|这个|叫啥来着|叫什么来着|什么来着|叫啥|好像是|应该是|大概是|就是|嗯+|呃+|额+)")
_PAUSE_BETWEEN_PLACES = re.compile(r"(?<=[区县市镇乡村屯街道路号楼栋城园苑里巷])[吧呢啊]?[,，、\s]+(?=[\u4e00-\u9fa5\d])")


def _collapse_spoken(t: str) -> str:
    collapsed = _SPOKEN_FILLER.sub("", t)
    collapsed = re.sub(r"[,，、\s]+(?=[,，、\s])", "", collapsed)
    return _PAUSE_BETWEEN_PLACES.sub("", collapsed)


def find_address(text: str, profile: Profile) -> Address | None:
    """The place of the matter, from the district or an address phrase to its last place word.

    Every plausible start (a district, "住在/就在…", a street name) is tried and the longest
    address wins, so 「我是海城的…海城市牛庄镇中心小学旁边」 gives the second one. A spoken address
    is read again without its fillers and pauses, and that reading wins when it is longer."""
    t = normalize(text)
    found = _find_address(t, profile)
    if found is not None:
        found = _where_it_happens(t, found, profile)
    if found is not None and _SPOKEN_FILLER.search(t):
        spoken = _find_address(_collapse_spoken(t), profile)
        longer = spoken is not None and len(spoken.value) >= len(found.value) + 3
        if spoken is not None and spoken.value.startswith(found.value[:2]) and (
                longer or _collapse_spoken(found.value) == spoken.value):
            tail = spoken.value[-2:]
            end = t.rfind(tail, found.span[0])
            return Address(spoken.value, spoken.district, (found.span[0], end + 2 if end >= 0 else found.span[1]))
    return found


# Where the citizen lives, said to introduce themselves (「本人居住于铁东区长甸街道」「本人系铁西区繁荣
# 街道居民」「我是…小区的一名普通居民」), not necessarily where the matter happens.
_RESIDENCE_BEFORE = re.compile(r"(?:本人|我|俺)(?:现)?(?:居住于|居住在|住在|家住|住于|系|是)$")
_RESIDENCE_AFTER = re.compile(r"^(?:的)?(?:一名|一位|一个)?(?:普通)?(?:居民|住户|业主|村民)")
# A place named in the matter precisely enough to be where it happens (a school's gate, a crossing).
_MATTER_PLACE = re.compile(r"(?:中学|小学|学校|学院|大学|幼儿园|医院|公园|广场|车站|公交站|市场|商场|超市)(?:的)?(?:门前(?:路段)?|门口|[东南西北正后侧]?门|对面|附近|路段)?"
                           r"|交叉口|交口|路口|路段|十字路口|丁字路口")
# A building, its doors and rooms (「我小区12号楼2单元」): where in the compound named.
_BUILDING = re.compile(r"\d+(?:号楼|栋|幢)(?:\d+单元)?(?:\d+(?:室|号))?")
_COMPOUND_END = re.compile(r"(?:小区|花园|家园|新村|新城|公寓|苑|府|城|园|庭|名邸|公馆)$")


# A business named right after the place (「…工业园区里 有个叫 鑫达化工 的厂子」).
_BUSINESS_NAMED = re.compile(r"[\s,，]*(?:那|这)?(?:里|边)?(?:有|有个|有家|有一家|有一个)(?:个|家)?(?:叫|名叫|叫做)\s*(?P<name>[\u4e00-\u9fa5A-Za-z0-9]{2,12}?)\s*的"
                             r"(?:厂子?|工厂|公司|店|饭店|饭馆|超市|商店|门市|作坊|养殖场|养猪场|工地|驾校|诊所|网吧|KTV)")


def _where_it_happens(t: str, found: Address, profile: Profile) -> Address:
    """The address read, put right for a letter's habits: the place the matter happens rather than
    where the writer lives, and the building within the compound named."""
    start, end = found.span
    if _RESIDENCE_BEFORE.search(t[max(0, start - 6):start]) or _RESIDENCE_AFTER.match(t[end:end + 8]):
        # 「本人居住于铁东区长甸街道，每日…途经鞍山市第十五中学门前路段」: the school's road is the place
        for clause in ([] if _COMPOUND_END.search(found.value) else re.finditer(r"[^，,。；;！!？?]+", t[end:])):
            other = _find_address(clause.group(0), profile)
            named = re.split(r"途经|经过|路过|经|在|于|到", other.value)[-1] if other else ""
            if other is None or not _MATTER_PLACE.search(named) or len(named) < 4:
                continue
            district = other.district or found.district
            prefix = district if district and district not in named else ""
            at = end + clause.start()
            return Address(prefix + named, district, (at + other.span[0], at + other.span[1]))
    named = _BUSINESS_NAMED.match(t, end) or _BUSINESS_NAMED.match(t, end + 1)
    if named and named.group("name") not in found.value:
        # 「台安县 工业园区里 有个叫 鑫达化工 的厂子」: the place is the business named in it
        return Address(found.value + named.group("name"), found.district, (start, named.end("name")))
    if _COMPOUND_END.search(found.value) and not _BUILDING.search(found.value):
        # 「…明达新城小区的一名普通居民…我小区12号楼2单元电梯…」: the building is in the compound named
        building = _BUILDING.search(t, end)
        if building is not None:
            return Address(found.value + building.group(0), found.district, found.span)
    return found


def _find_address(t: str, profile: Profile) -> Address | None:
    starts: list[tuple[int, int, int]] = []  # (rank, start, minimal end); lower rank wins
    for m in profile.district_spans(t):
        city = re.search("(?:" + re.escape(profile.city) + "|" + re.escape(profile.city_short) + ")$", t[: m[0]])
        starts.append((0, city.start() if city else m[0], m[1]))
    for intro in _ADDRESS_INTRO.finditer(t):
        nxt = _PLACE_RX.search(t, intro.end(), min(len(t), intro.end() + 16))
        if nxt and not re.search(r"[,，。.!！?？;；\s]", t[intro.end():nxt.start()]):
            # 「在鞍山站 我说去铁西」: where it happened, said with 在, outranks a district named later
            landmark = intro.group(0) == "在" and re.match(r"[\u4e00-\u9fa5]{1,6}?(?:站|超市|大厅|医院|公园|广场|市场|商场)", t[intro.end():])
            starts.append((0 if landmark else 1, intro.end(), intro.end()))
    for pm in re.finditer(r"[\u4e00-\u9fa5\d]{2,8}?(?:大街|大道|路|街|小区|花园|家园|新村|公园|广场|商场|市场|医院|学院|大学|服务中心|[一二三四五六七八九十]中|(?<=[镇乡])[\u4e00-\u9fa5]{2,4}村(?!子|里|民|委|长|口|头|村)"
                          r"|(?<![公车加])站(?![着在起了住岗队])|超市|大厅|饭店|酒店|宾馆|工地)", t):
        run = pm.group(0)
        cut = max((run.rfind(w) + len(w) for w in ("在", "住", "是", "到", "于", "我们", "他们", "咱们", "俺们", "你们", "我", "的", "个", "往",
                                                     "向", "朝", "把", "从", "沿", "问问", "问", "去", "了", "叫") if w in run), default=0)
        if len(run) - cut >= 3:
            starts.append((2, pm.start() + cut, pm.start() + cut))
    best: tuple[int, int] | None = None
    found: Address | None = None
    for rank, start, min_end in starts:
        end = max(_extend_address(t, start), min_end)
        value = t[start:end].strip(" ,，:：")
        if len(value) < 2 or (len(value) <= 4 and not profile.find_district(value) and not _PLACE_RX.search(value)):
            continue
        if not profile.find_district(value) and _GENERIC_PLACE.fullmatch(value):
            continue  # 「在居民楼里」「马路上」 say where things happen, not which place
        if _BUS_LINE.fullmatch(value):
            continue  # 「16路车」 is a bus line, not a place
        if _RELATIVE_ONLY.fullmatch(value):
            rank = 3  # 「在东门附近再建一个厕所」 after 「二一九公园东门那块」: the place named wins
        key = (-rank, len(value))
        if best is None or key > best:
            joined = re.sub(r"(?<=[\u4e00-\u9fa5\d])[ \u3000、]+(?=[\u4e00-\u9fa5\d])", "", value)  # typed with spaces
            best, found = key, Address(joined, profile.find_district(value), (start, end))
    if found is not None and (came := _CAME_FROM.search(t[: found.span[0]])):
        # 「从鞍山西站打车到铁东区万达广场」: a ride is where it began and where it went
        return Address(f"{came.group('origin')}到{found.value}", found.district or profile.find_district(came.group("origin")),
                       (came.start("origin"), found.span[1]))
    if found is None and (stop := _BUS_STOP.search(t)):
        # 「在 站前 那站 我在站牌底下招手」: the stop, named as the citizen said it
        return Address(stop.group("stop") + "站", profile.find_district(stop.group("stop")), stop.span("stop"))
    return found


def _continues(gap: str, place: str, longest: int, *, stopwords: bool) -> bool:
    """Whether ``gap`` then the place word ``place`` go on with the address read so far. Parts
    typed with a space between them (「立山区 曙光小区23号楼」) go on when the part after the
    space is a named place (_NAMED_PLACE_PART)."""
    before, after = gap, ""
    spaced = re.search(r"[ \u3000、]{1,2}", gap)
    if spaced:
        before, after = gap[:spaced.start()], gap[spaced.end():]
        # … right after a place word or a district (海州管理区 天成名苑小区), never after the matter
        # (「居民楼里做豆腐 下水直接往马路上排」)
        if before and not re.search(r"(?:区|县|市|镇|乡|街道|村|屯)$", before):
            return False
        if not _NAMED_PLACE_PART.fullmatch(after + place):
            return False
    if len(before) > longest or re.search(r"[,，。.!！?？;；\s]", before + after):
        return False
    return not (_ADDRESS_STOPWORDS.search(after) or stopwords and _ADDRESS_STOPWORDS.search(before))


def _extend_address(t: str, start: int) -> int:
    """Walk place words forward from ``start`` while they stay close together."""
    end = start
    pos = start
    limit = min(len(t), start + 60)
    while pos < limit:
        m = _PLACE_RX.search(t, pos, limit)
        if not m:
            break
        longest, stopwords = (8, True) if end > start else (12, False)
        while not _continues(t[end:m.start()], m.group(0), longest, stopwords=stopwords):
            # 「立山区 园林小区」: the place word found first (园) is inside the name; the name's own
            # place word (小区) further on in the same word may still go on with the address
            later = _PLACE_RX.search(t, m.end(), limit)
            if later is None or re.search(r"[\s,，。.!！?？;；、]", t[m.end():later.start()]):
                break
            m = later
        else:
            end = m.end()
            pos = m.end()
            continue
        break
    if end == start:
        # A district alone ("铁东区那边") is still an address.
        m = re.match(r"[\u4e00-\u9fa5]{2,8}?(?:区|县|市)", t[start:])
        if m:
            end = start + m.end()
    return end


# What an answer to "where" may hold besides the place: the matter, the form, doubt or a question.
_NOT_A_PLACE_AS_SAID = re.compile(
    r"天天|每天|一直|总是|经常|晚上|白天|半夜|凌晨|早上|(?<!所)有(?!限)|太|很|特别|非常|严重|乱|没人|不管|我要|我想|投诉|举报|反映"
    r"|麻烦|能不能|(?<!过)了|坏|堵|漏|吵|臭|脏|丢|不|没|知道|记得|好的|是的|谢谢|我叫|我姓|俺叫|名字|姓名|电话|手机")
# A word of the answer that only agrees (「铁东区胜利路 对 就那」): the answer says more than a place.
_AGREEING_WORD = re.compile(r"(?:对|行|嗯|啊|呢|吧|哈|好|中|是|的|对的|是的|就那|就这)+")


def _names_more_place(rest: str) -> bool:
    """Whether what an answer says beyond the address read names a place too (a named place, a
    school, 附近/对面/楼上…)."""
    return bool(_NAMED_PLACE_PART.search(rest) or _PLACE_RX.search(rest)
                or re.search(r"附近|对面|旁边|门口|[东南西北]边|[一二三四五六七八九十\d]+中(?:学)?|小学|楼"
                             r"|底下|下面|那段|这段|路段|人行道|便道|桥|山|河|沟|湖|广场|公园", rest))


def _place_as_said(t: str) -> str | None:
    """A short answer to "where" as the citizen said it, without fillers, the words that introduce
    it (「地址是」「超市叫」) and the pauses between its parts; None when it holds more than a place."""
    said = _SPOKEN_FILLER.sub(" ", t)
    said = re.sub(r"^\s*(?:地址|地点|位置|就在|在)?(?:是|在)?[:：]?\s*", "", said)
    said = re.sub(r"^[\u4e00-\u9fa5]{1,4}叫\s*", "", said)  # 「驾校叫 鞍山顺达驾校…」
    words = [re.sub(r"(?<=[\u4e00-\u9fa5])[吧呢啊呀]$", "", w) for w in re.split(r"[\s,，、。.!！]+", said) if w]
    if any(_AGREEING_WORD.fullmatch(w) for w in words):
        return None
    said = " ".join(words)
    said = re.sub(r"(?<=[\u4e00-\u9fa5\d])[\s,，、]+(?=[\u4e00-\u9fa5\d])", "", said).strip(" ,，。.!！、")
    if not 4 <= len(said) <= 40 or _NOT_A_PLACE_AS_SAID.search(said) or _QUESTION.search(said) or find_phone(said):
        return None
    return said


def parse_address_answer(text: str, profile: Profile) -> tuple[str | None, str | None, str | None]:
    """Read a direct answer to "where is it". Returns (address, district, problem code).

    Beyond what find_address recognises, a short answer is taken as written only when it
    names a place (a place word, a landmark direction, a number): 「胜利广场东边那个公交站」 is
    an address, 「有帮助，谢谢」 is not."""
    t = normalize(text)
    if _NO_PLACE.search(t):
        return NO_ADDRESS, None, None
    found = find_address(t, profile)
    if found and (said := _place_as_said(t)) and len(said) >= len(found.value) + 3 and (
            (found.district and len(found.value) <= len(found.district) + 1)
            or _names_more_place(said.replace(found.value, "", 1))):
        # 「铁东区 万象汇 四楼 动感派健身」「鞍海路上 海城方向 过了 腾鳌 那块的 路北那个 鑫源加油站」
        # 「超市叫好又多便民超市 铁西区 鞍钢二中对面那个」: an answer to "where" that names more than the
        # reader's address is the place as said, in the citizen's order
        return said, found.district or profile.find_district(said), None
    if found:
        return found.value, found.district, None
    bare = re.sub(r"^(?:地址|地点|位置)?(?:是|在)?[:：]?", "", t).strip(" ,，。.!！")
    if (
        len(bare) < 3 or bare in NOT_NAMES or not re.search(r"[\u4e00-\u9fa5]", bare) or _QUESTION.search(bare)
        or not (_PLACE_RX.search(bare) or re.search(r"\d|[东南西北]边|附近|旁边|对面|门口", bare))
        or find_phone(bare) or find_name(bare)
    ):
        return None, None, "address_unclear"
    if len(bare) > 80:
        return None, None, "address_long"
    return bare, profile.find_district(bare), None


# ---------------------------------------------------------------- request type

_TYPE_KEYWORDS: list[tuple[str, re.Pattern[str]]] = [
    ("举报", re.compile(r"举报|举抱|检举|揭发")),
    ("投诉", re.compile(r"投诉|投塑|告状|太不像话|不作为|态度.{0,4}(?:差|恶劣)")),
    ("意见建议", re.compile(r"建议|意见|提议|希望.{0,10}(?:增加|加装|多开|开通|设置|改进)|能不能.{0,8}(?:增设|多开|加装)")),
    ("求助", re.compile(r"求助|帮帮|帮忙|救救|怎么办啊|咋整|咋办")),
    ("咨询", re.compile(r"咨询|请问|问一下|问问|想了解|怎么办理|如何办理|需要什么材料|在哪办|哪里办")),
]


def infer_request_type(text: str) -> str | None:
    """The request type the citizen names or clearly implies, or None when unclear."""
    t = normalize(text)
    for kind, rx in _TYPE_KEYWORDS:
        if rx.search(t):
            return kind
    for kind in REQUEST_TYPES:
        if kind in t:
            return kind
    return None


_NAMED_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("举报", re.compile(r"举报|检举|\breport (?:a|an|this)?\s*(?:violation|illegal)", re.I)),
    ("投诉", re.compile(r"投诉|\b(?:file|make|lodge|submit) (?:a |my )?complaint|\bi (?:want to |would like to )?complain\b", re.I)),
    ("意见建议", re.compile(r"建议|提个意见|提意见|\b(?:make|give|have) a suggestion", re.I)),
    ("求助", re.compile(r"求助")), ("咨询", re.compile(r"咨询")),
]
NOT_NAMING = re.compile(r"(?:不是|不算|不想|不要|别)(?:要)?(?:举报|检举|投诉|建议|求助|咨询)"
                        r"|(?:要说|说是)?(?:举报|检举|投诉|求助|咨询)(?:也|还|倒|的话)?(?:不算|谈不上|算不上|说不上)")


# The citizen correcting the type in the same breath: 「我想投诉一下 不对 算建议吧」 — the later one is meant.
RENAMED_TYPE = re.compile(r"(?:不对|不是不是|算了|改成|改为|应该是|其实是|还是)[，,。!！\s]*(?:算|是|改成|当|就)?(?:个|一个|一下|成)?"
                          r"(建议|意见|投诉|举报|检举|求助|咨询)")
_RENAMED_KINDS = {"建议": "意见建议", "意见": "意见建议", "检举": "举报"}


def named_request_type(text: str) -> str | None:
    """The type the citizen names in so many words (「…，我要投诉」): their own choice, which
    stands over what the classifier reads into the matter (「不是投诉」 names nothing); a type
    corrected in the same message is the corrected one."""
    t = NOT_NAMING.sub("", normalize(text))
    renamed = list(RENAMED_TYPE.finditer(t))
    if renamed and any(rx.search(t[: renamed[-1].start()]) for _, rx in _NAMED_TYPES):
        return _RENAMED_KINDS.get(renamed[-1].group(1), renamed[-1].group(1))
    for kind, rx in _NAMED_TYPES:
        if rx.search(t):
            return kind
    return None


def parse_request_type_answer(text: str) -> str | None:
    t = normalize(text)
    if t in {"1", "2", "3", "4", "5"}:
        return REQUEST_TYPES[int(t) - 1]
    if t in {"建议", "意见", "提建议"}:
        return "意见建议"
    return infer_request_type(t)


# ---------------------------------------------------------------- yes/no style fields

_CONFIDENTIAL_NO = re.compile(r"(?:不|唔|无|毋|没|甭|别|用不着|犯不着|没有?必要|不太?需要|唔需要|唔使|冇必要|不咋)(?:用|要|需要?|须|使|必|着)?(?:给我|帮我)?(?:保密|匿名)"
                               r"|保密(?:就|也)?(?:不用|不必|没必要|算了)|不保密|可以公开|无所谓|(?:同意|愿意|可以|就)实名|实名(?:反映|就行|没问题|也行)")
_CONFIDENTIAL_YES = re.compile(r"保密|匿名|(?:不要|别|莫)透露|(?:不要|别|莫)告诉|(?:不想|别|不要|不能|千万别|莫)让.{0,8}知道|隐藏我的|"
                               # 「别跟他说是我举报的」「莫跟她说是我反映的哈」(Sichuan 莫, don't)
                               r"(?:别|不要|莫|千万别|千万莫|不能)(?:跟|和|对|给|向)?[^，,。]{0,6}?(?:说|讲|提)(?:是)?(?:我|俺)(?!们|家|们家)"
                               r"|怕.{0,8}(?:报复|知道是我|找我麻烦)|让人知道了?我")
_REPLY_NO = re.compile(r"不用回复|不需要回复|无需回复|不用回电|不需要回电|不用给我回|别给我打电话|不用联系我|不需要联系我|不要回访|不用回访")
_REPLY_YES = re.compile(r"需要回复|要回复|给我回复|回个电话|给我回电|需要回电|联系我|回访")


def parse_confidential(text: str) -> bool | None:
    t = normalize(text)
    if _CONFIDENTIAL_NO.search(t):
        return False
    if _CONFIDENTIAL_YES.search(t):
        return True
    return None


def parse_wants_reply(text: str) -> bool | None:
    t = normalize(text)
    if _REPLY_NO.search(t):
        return False
    if _REPLY_YES.search(t):
        return True
    return None


# ---------------------------------------------------------------- content

_TYPE_ONLY = re.compile(
    r"^(?:我|我们)?(?:要|想|想要|需要|来)?(?:投诉|举报|反映|咨询|求助|建议|提个?建议|提个?意见|意见建议|问)"
    r"(?:一下|个|一个|点)?(?:事|事情|问题|情况|东西)?(?:儿)?[。.!！,，~～\s]*$"
)
MIN_CONTENT_CHARS = 6
MAX_CONTENT_CHARS = 5000


# 「这事你们管不管」「这个能找你们吗」: asking whether the hotline takes a matter, told in a line.
_ASKS_IF_HANDLED = re.compile(
    r"(?:管不管|管吗|能管吗|能不能管|管得了吗|归你们管|归不归你们管|归谁管|该找谁|找谁管|能找你们|可以找你们|找你们(?:管用|好使|行)?吗"
    r"|能不能找你们|能反映吗|能投诉吗|能举报吗|受理吗|受不受理|你们办不办|能帮忙吗|能不能帮"
    r"|(?:不能|能|可以|可不可以)在你(?:们)?这(?:儿|里|边)?(?:投诉|举报|反映|办|报)(?:吗|不|嘛)?)"
)


def asks_if_handled(text: str | None) -> bool:
    """A short question whether the hotline takes the matter, before the matter is told."""
    t = normalize(text or "")
    return bool(t) and len(t) <= 40 and bool(_ASKS_IF_HANDLED.search(t))


def describes_matter(text: str) -> bool:
    """True when the text says what happened (not only "我要投诉")."""
    t = normalize(text)
    if _TYPE_ONLY.match(t):
        return False
    meaningful = re.sub(r"[^\u4e00-\u9fa5A-Za-z]", "", t)
    chinese = re.sub(r"[^\u4e00-\u9fa5]", "", t)
    return len(meaningful) >= MIN_CONTENT_CHARS and len(chinese) >= 4


def clean_content(text: str, spans: list[tuple[int, int]]) -> str:
    """The description with the citizen's own name and phone cut out (they live in their fields,
    which the handling unit may not see when the request is confidential)."""
    t = normalize(text)
    for start, end in sorted(spans, reverse=True):
        t = t[:start] + t[end:]
    t = re.sub(r"(?:电话|手机|联系方式|联系电话)(?:号码)?(?:是|为)?[:：]?\s*(?=[,，。]|$)", "", t)
    t = re.sub(r"^[,，。.;；、\s]+", "", t)
    t = re.sub(r"[,，。;；\s]*(?:我|我们)?(?:要|想)(?:投诉|举报|反映|求助)(?:一下)?[。!！]*$", "", t)
    t = re.sub(r"[,，]{2,}", "，", t)
    return t.strip()[:MAX_CONTENT_CHARS]


# Abuse of the hotline is answered calmly and never filed (issue 19: 「你们这帮废物，拿着纳税人的钱不干人事」
# became an order's content and the real matter was lost).
_ABUSE = re.compile(
    r"废物|垃圾(?:政府|部门|热线|东西)|饭桶|混蛋|王八蛋|狗官|狗东西|傻[逼比屄]|sb|草泥马|他妈的|妈的|去死|滚蛋|"
    r"不干人事|吃干饭|白拿(?:工资|钱)|拿着纳税人的钱|一群(?:蛀虫|废物|饭桶)|你们这帮|你们这群|屁用|有个屁用|"
    r"养你们(?:有|干)|骗子热线|摆设")
_CLAUSES = re.compile(r"[^，,。.!！？?；;\n]+[，,。.!！？?；;\n]*")


def without_abuse(text: str) -> str:
    """The text without its clauses of abuse (the matter, if any, stays in the citizen's words)."""
    kept = [c for c in _CLAUSES.findall(text) if not _ABUSE.search(c.lower())]
    return "".join(kept).strip(" ，,。.;；")


# Short outbursts and tag questions carry no fact of the matter (「气死我了」「中不中」「你管不着」).
_OUTBURST = re.compile(r"^(?:真是)?(?:气死(?:我|人)了?|烦死(?:我|人)了?|急死(?:我|人)了?|愁死(?:我|人)了?|中不中|行不行|好不好|"
                       r"对吧|是不是|你说是不是|你管不着|(?:你们)?(?:还)?管不管了?|打错了|哎呀?|唉|真是的|服了|无语了?)"
                       r"[啊呀吧呢了！!。，,？?\s]*$")


def without_outbursts(text: str) -> str:
    clauses = re.findall(r"[^，,。.!！？?；;\n\s]+[，,。.!！？?；;\n\s]*", text) or [text]
    kept = [c for c in clauses if not _OUTBURST.match(re.sub(r"^[\s，,。]+", "", c))]
    return "".join(kept).strip(" ，,。") if kept else text


_HALF_TO_FULL = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}
_CJK_PUNCT = re.compile(r"(?<=[\u4e00-\u9fff！？，：；（）])[,?!:;()]+|[,?!:;()]+(?=[\u4e00-\u9fff])")


# Greetings, forms of address and a letter's formalities are not the matter (issue 19: 「大兄弟」,
# 「领导您好」 and 「此致」 ended up in orders).
_COURTESY = re.compile(
    r"^(?:尊敬的[^，,。:：]{0,16}[:：,，]?|(?:各位)?领导(?:们)?(?:您好|你们好|好)?[!！,，。:：]?|(?:您好|你好|喂)[!！,，。]?|"
    r"(?:打扰(?:了|一下|您了)|不好意思|麻烦(?:问一下|您了))[!！,，。]?|"
    r"(?:大兄弟|老弟|老妹儿?|闺女啊?|姑娘啊?|小伙子|同志|师傅|大姐|大哥)(?:啊|呀)?[,，!！]?)+|"
    r"[,，。!！\s]*此致\s*敬礼[\s\S]{0,60}$|"  # the letter's closing and the signature after it
    r"[,，。!！\s]*(?:此致|敬礼|此致敬礼|谢谢(?:你们|您|领导|啦|了)?|麻烦(?:你们|您)?了|辛苦(?:你们|您)?了|盼复|望回复|"
    r"望(?:早日|尽快)?(?:解决|答复)为盼|特此反映)[!！。,，\s]*$")


# Opening words that announce a matter without telling it (「你是那个12345不 我跟你说个事儿」).
_PREAMBLE = re.compile(r"(?:跟你|给你|和你|向你们?)?(?:说|讲|反映|问|咨询)(?:个|一个|点|件)事儿?|有(?:个|件)事儿?(?:想|要)?|"
                       r"(?:你|您)?是(?:那个)?(?:12345|热线|政府)(?:不|吗|吧)?|在吗|在不在|有人吗|能听见吗")


def without_courtesies(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _COURTESY.sub("", text).strip(" ，,。")
    parts = re.split(r"([，,。!！?？\s]+)", text)
    kept = [p for p in parts[::2] if not (p and _PREAMBLE.search(p) and len(_PREAMBLE.sub("", p)) <= 3)]
    if len(kept) < len([p for p in parts[::2] if p]):
        text = "，".join(k for k in kept if k).strip(" ，,。")
    return text


# How a name is spelled out: 「周末的周，明天的明」「弓长张」「耳东陈」.
_SPELLING = (r"[是就]?(?:(?P<c>[\u4e00-\u9fa5])[\u4e00-\u9fa5]{0,3}的(?P=c)"
             r"|弓长张|立早章|木子李|耳东陈|口天吴|草头黄|双木林|古月胡|言午许|禾呈程|人可何|双口吕|三横王|日月明|文武斌|走肖赵|关耳郑)")
_SPELLS_NAME = re.compile(r"^(?:" + _SPELLING + r")+$")


_ONLY_NAME_OR_PHONE = re.compile(
    r"^(?:(?:我的?|本人)?(?:电话|手机|联系电话|手机号)(?:号码)?(?:是|为|[:：])?[\d\-\s]{7,20}"
    r"|(?:我叫|我是|我姓|免贵姓|名字(?:就)?(?:是|叫)|姓名[:：]?|本人)[\u4e00-\u9fa5]{1,4}?(?:" + _SPELLING + r")?)$"
)


def only_about_the_form(text: str) -> bool:
    """A message about the form itself (declining the name or the phone, asking for 保密 or no
    reply, spelling the name out), with no more of the matter in it: it is not added to the content."""
    t = normalize(text)
    clauses = _CLAUSES.findall(t) or [t]
    rest = [c for c in clauses
            if not (declined_fields(c) or parse_confidential(c) is not None or parse_wants_reply(c) is not None
                    or _SPELLS_NAME.match(bare := re.sub(r"[\s，,。、]+", "", c)) or _ONLY_NAME_OR_PHONE.match(bare)
                    or _DECLINES_PHONE_ANYWHERE.search(c)
                    # 「不方便留」 alone declines; 「…不给就不让拿」 tells the matter
                    or (_DECLINES_PHONE.search(c) and len(re.sub(r"[\W_]+", "", c)) <= 8))]
    return len(rest) < len(clauses) and not describes_matter("".join(rest))


def chinese_punctuation(text: str) -> str:
    """Full-width punctuation between Chinese words again (normalising for reading turned the
    citizen's 「，」 into ","), and no stray comma at the end."""
    return _CJK_PUNCT.sub(lambda m: "".join(_HALF_TO_FULL[c] for c in m.group(0)), text).rstrip(" ,，、;；")


def is_abuse_only(text: str) -> bool:
    """Abuse or venting with no matter in it."""
    t = normalize(text)
    return bool(_ABUSE.search(t.lower())) and not describes_matter(without_abuse(t))


# ---------------------------------------------------------------- all at once

@dataclass
class Fields:
    request_type: str | None = None
    content: str | None = None
    address: str | None = None
    district: str | None = None
    address_span: tuple[int, int] | None = None
    name: str | None = None
    phone: str | None = None
    confidential: bool | None = None
    wants_reply: bool | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def extract_fields(text: str, profile: Profile) -> Fields:
    """Every intake field one message states outright."""
    t = normalize(text)
    f = Fields()
    phone = find_phone(t)
    if phone:
        f.phone = phone.value
        f.spans.append(phone.span)
    name = find_name(t)
    if name:
        f.name = name.value
        f.spans.append(name.span)
    address = find_address(t, profile)
    if address:
        address = _named_place_after(t, address, profile)
        f.address, f.district, f.address_span = address.value, address.district, address.span
    f.request_type = infer_request_type(t)
    f.confidential = parse_confidential(t)
    f.wants_reply = parse_wants_reply(t)
    f.content = content_of(t, profile)
    return f


# A shop or business by its name alone (老四季抻面, 刘记烧烤, 金凤凰洗浴, 小王修车铺): said right after an
# address, it is the place.
_BUSINESS_NAME = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]{1,6}(?:抻面|拉面|面馆|饺子馆?|包子铺?|烧烤|火锅|麻辣烫|串店|烤肉|冷面|酒馆|饭庄"
                            r"|洗浴|浴池|足疗|按摩|美发|理发店?|诊所|药房|药店|超市|便利店|商店|商行|修车铺?|汽修|洗车|网吧|棋牌室"
                            r"|幼儿园|托管班?|培训班|培训学校|教育|驾校|健身房|台球厅|歌厅|网咖|网吧|酒吧|会所|旅馆|宾馆|酒店|加油站"
                            r"|KTV|ktv|[店馆铺坊厅行])")


def _named_place_after(t: str, address: Address, profile: Profile) -> Address:
    """The address with the shop or business said by its name right after it, which has no place
    word to be found by (「铁西区兴盛街 刘记烧烤 天天半夜吵」「兴盛街那个老刘家烧烤」)."""
    gap = re.match(r"[\s,，、]*(?:那个|这个|就是|叫)?[\s,，、]*", t[address.span[1]:])
    start = address.span[1] + (gap.end() if gap else 0)
    if start == address.span[1] and start < len(t) and not t[start - 1].isspace():
        return address  # the address ends inside a word: nothing follows it as a place
    word = re.match(r"[^\s,，。.、；;：:！!？?]+", t[start:])
    named = word.group(0) if word else ""
    if len(named) < 3 or not _BUSINESS_NAME.fullmatch(named):
        return address  # 「饭店」 alone is what, not which; 「司机绕路」 is no shop
    return Address(address.value + named, address.district, (address.span[0], start + len(named)))


def content_of(text: str, profile: Profile) -> str | None:
    """The matter of one message as the order's content (bot/language/matter keeps its matter
    segments), without the citizen's own name and phone; None when it tells no matter."""
    from bot.language import matter  # matter reads segments with this module's rules

    kept = matter.matter_text(normalize(text), profile)
    if not kept:
        return None
    spans = [found.span for found in (find_phone(kept), find_name(kept)) if found is not None]
    cleaned = clean_content(kept, _merge_name_phone_spans(kept, spans))
    if _ABUSE.search(cleaned.lower()):
        cleaned = without_abuse(cleaned)
    cleaned = without_outbursts(without_courtesies(cleaned))
    return chinese_punctuation(cleaned) if describes_matter(cleaned) else None


def _merge_name_phone_spans(t: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Widen each span over the words that introduce it (我叫 / 电话是) and the comma after it."""
    out = []
    for start, end in spans:
        m = re.search(r"(?:我的)?(?:联系)?(?:电话|手机)(?:号码|号)?(?:是|为)?[:：]?\s*$", t[:start])
        if m:
            start = m.start()
        tail = re.match(r"\s*[,，。;；、]?", t[end:])
        if tail:
            end += tail.end()
        out.append((start, end))
    return out


def describes_more_than_details(text: str, fields: Fields) -> bool:
    """True when the message says what happened, beyond a name, a phone and an address
    (so that 「我叫刘芳，13700001111，立山区胜利小区3号楼门口井盖没了」 is a request, while
    「住在铁西区建设大道88号」 is only an address)."""
    t = normalize(text)
    spans = _merge_name_phone_spans(t, fields.spans) + ([fields.address_span] if fields.address_span else [])
    rest = clean_content(t, spans)
    rest = re.sub(r"^(?:地址|住址|地点|位置)?(?:是|在)?", "", rest)
    return describes_matter(rest) and len(re.sub(r"[^\u4e00-\u9fa5]", "", rest)) >= 6
