"""City profiles: what differs between hotlines (number, districts, deadlines, citations).

The active profile is named by the HOTLINE_PROFILE environment variable (default ``anshan``,
the newest regulation) or given as a path to a YAML file of the same shape.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROFILE_DIR = Path(__file__).parent / "profiles"
DEFAULT_PROFILE = "anshan"
# What a city's profile does not list otherwise (warnings.sensitive_words): signs of a group
# incident, a petition beyond the hotline, a threat to one's life, the press.
DEFAULT_SENSITIVE_WORDS = ("群体性", "上访", "跳楼", "自焚", "集体", "媒体曝光", "拉横幅", "静坐")


@dataclass(frozen=True)
class Profile:
    key: str
    city: str
    province: str
    hotline_name: str
    hotline_number: str
    order_prefix: str
    area_code: str
    service_hours: str
    channels: tuple[str, ...]
    districts: dict[str, tuple[str, ...]]
    neighbours: tuple[str, ...]
    working_days: int
    max_extension_months: int
    # The hotline sets each order's time limit at dispatch (通辽条例第十八条第二项); ``working_days``
    # is then the default it starts from.
    deadline_per_order: bool = False
    # A unit may ask to send back an order that is not its business within this many working
    # days of receiving it (疑难复杂: the second figure); after that it handles it (天津办法第十七条;
    # the other cities set no figure: the same default).
    return_working_days: tuple[int, int] = (1, 2)
    citations: dict[str, str] = field(default_factory=dict)
    utility_lines: dict[str, str | None] = field(default_factory=dict)
    # The duty desk: linkage contacts per number or kind, escalation and grouping (bot/desk).
    duty_desk: dict = field(default_factory=dict)
    # Urgent orders (outages for many households, disasters): hours to deal with them and the
    # catalogue's unit per kind (bot/language/emergency/urgent.py).
    urgent: dict = field(default_factory=dict)
    # 回访 by telephone (bot/orders/callbacks.py): how long a chat follow-up may go unanswered
    # before the order joins the agents' call-back list, and how many calls are tried.
    follow_up: dict = field(default_factory=dict)
    # The topic catalogue's name (bot/profiles/topics/<name>.yml; "" = the default).
    topics: str = ""
    # The units' evaluation (考核): the fewest orders in a period for a unit to be ranked.
    evaluation: dict = field(default_factory=dict)
    # The intake form: how many answers in a row a field may fail to read before a person is offered.
    intake: dict = field(default_factory=dict)
    # How long citizens' personal data lives (bot/orders/retention.py): days after an order is
    # closed, days after a conversation's last message.
    retention: dict = field(default_factory=dict)
    # The monthly 研判报告 kept after each month (bot/analytics/archive.py): how many months.
    reports: dict = field(default_factory=dict)
    # The streets (街道/镇/乡) of each district, official name -> other spellings, when the city
    # lists them: an order's street is read from its address against this list (else by the shape
    # of a street's name; bot/language/streets.py).
    streets: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # 研判's early warnings (bot/analytics/warnings.py): the sensitive words, the size of a
    # 集中反映 group and the repeat caller's count and days.
    warnings: dict = field(default_factory=dict)
    # 研判's figures (bot/analytics/queries.py): the fewest orders a base period needs for a
    # 同比/环比 to be given.
    statistics: dict = field(default_factory=dict)

    @property
    def sensitive_words(self) -> tuple[str, ...]:
        """Words in an order's content that a supervisor should see at once (群体性事件, 上访,
        极端行为, 舆情): the profile's ``warnings.sensitive_words``, else ``DEFAULT_SENSITIVE_WORDS``."""
        given = (self.warnings or {}).get("sensitive_words")
        if isinstance(given, list):
            return tuple(dict.fromkeys(str(w).strip()[:16] for w in given if str(w).strip()))
        return DEFAULT_SENSITIVE_WORDS

    @property
    def cluster_warning_size(self) -> int:
        """A 集中反映 group warns when this many different citizens have raised it."""
        return _bounded((self.warnings or {}).get("cluster_citizens"), 5, 2, 1000)

    @property
    def repeat_warning_orders(self) -> int:
        """One citizen filing this many orders within ``repeat_warning_days`` is a repeat caller."""
        return _bounded((self.warnings or {}).get("repeat_orders"), 3, 3, 100)

    @property
    def repeat_warning_days(self) -> int:
        return _bounded((self.warnings or {}).get("repeat_days"), 7, 1, 60)

    @property
    def dispatch_within_hours(self) -> int:
        """How long a filed order may wait for a dispatcher before it is flagged (及时派单,
        通辽条例第十六条第一项; no city sets hours: a default the profile may change)."""
        return _bounded((self.urgent or {}).get("dispatch_within_hours"), 2, 1, 72)

    @property
    def supplement_stops_clock(self) -> bool:
        """While the citizen is asked for more information (补充材料), the unit's clock stops: the
        deadline moves by the working days waited (``follow_up.supplement_stops_clock``)."""
        return bool((self.follow_up or {}).get("supplement_stops_clock", False))

    @property
    def evaluation_min_orders(self) -> int:
        """A unit is ranked in the evaluation (考核) only with at least this many orders in the period."""
        return _bounded((self.evaluation or {}).get("min_orders"), 10, 1, 1000)

    @property
    def comparison_min_orders(self) -> int:
        """同比/环比 are given only against a base period with at least this many orders (else 「—」 and why)."""
        return _bounded((self.statistics or {}).get("min_base_orders"), 30, 1, 100_000)

    @property
    def report_keep_months(self) -> int:
        """How many months' 研判报告 are kept (the newest; an older one is deleted)."""
        return _bounded((self.reports or {}).get("keep_months"), 60, 1, 1200)

    @property
    def field_attempts(self) -> int:
        """Answers in a row one of the form's fields may fail to read before a person is offered."""
        return _bounded((self.intake or {}).get("field_attempts"), 2, 1, 10)

    @property
    def callback_after_hours(self) -> int:
        return _bounded((self.follow_up or {}).get("chat_wait_hours"), 48, 1, 24 * 14)

    @property
    def callback_attempts(self) -> int:
        return _bounded((self.follow_up or {}).get("attempts"), 3, 1, 10)

    @property
    def urgent_hours(self) -> int:
        try:
            hours = int((self.urgent or {}).get("deadline_hours", 24))
        except (TypeError, ValueError):
            hours = 24
        return min(max(hours, 1), 72)

    def urgent_unit(self, kind: str) -> str | None:
        unit = ((self.urgent or {}).get("units") or {}).get(kind)
        return str(unit) if unit else None

    @property
    def city_short(self) -> str:
        """鞍山市 -> 鞍山 (how people say it)."""
        return self.city[:-1] if self.city.endswith("市") and len(self.city) > 2 else self.city

    def district_names(self) -> dict[str, str]:
        """Every spelling of a district (official name and aliases) -> official name."""
        names: dict[str, str] = {}
        for official, aliases in self.districts.items():
            names[official] = official
            for alias in aliases:
                names[alias] = official
        return names

    def district_spans(self, text: str) -> list[tuple[int, int]]:
        """Where districts are named in ``text`` (longest spelling first at each place).

        A short alias that is really part of a street name (千山 in 千山路) does not count."""
        names = sorted(self.district_names(), key=len, reverse=True)
        rx = re.compile("|".join(re.escape(n) for n in names))
        spans = []
        for m in rx.finditer(text):
            if m.group(0) not in self.districts and re.match(r"(?:[东西南北中]?路|大?街|大道|公园|广场)", text[m.end():]):
                continue
            spans.append(m.span())
        return spans

    def find_district(self, text: str) -> str | None:
        """The official district named in ``text`` (the first one named)."""
        spans = self.district_spans(text)
        if not spans:
            return None
        return self.district_names()[text[spans[0][0]:spans[0][1]]]

    def cite(self, key: str) -> str:
        return self.citations.get(key, "")


def _return_window(value: object) -> tuple[int, int]:
    """``[ordinary, complex]`` working days; a single number is both; anything else the default."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if isinstance(value, list | tuple) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 30 for v in value):
        return int(value[0]), max(int(value[0]), int(value[1]))
    return (1, 2)


def _bounded(value: Any, default: int, low: int, high: int) -> int:
    """``value`` as read from the profile's YAML, as a whole number within [low, high]."""
    try:
        number = int(value) if value is not None else default
    except (TypeError, ValueError):
        number = default
    return min(max(number, low), high)


def _from_dict(data: dict) -> Profile:
    deadline = data.get("deadline") or {}
    return Profile(
        key=data["key"],
        city=data["city"],
        province=data.get("province", ""),
        hotline_name=data["hotline_name"],
        hotline_number=str(data.get("hotline_number", "12345")),
        order_prefix=data["order_prefix"],
        area_code=str(data.get("area_code", "")),
        service_hours=data.get("service_hours", "7×24小时"),
        channels=tuple(data.get("channels") or ()),
        districts={k: tuple(v or ()) for k, v in (data.get("districts") or {}).items()},
        neighbours=tuple(data.get("neighbours") or ()),
        working_days=int(deadline.get("working_days", 5)),
        max_extension_months=int(deadline.get("max_extension_months", 2)),
        deadline_per_order=bool(deadline.get("per_order", False)),
        return_working_days=_return_window(deadline.get("return_working_days")),
        citations=dict(data.get("citations") or {}),
        utility_lines=dict(data.get("utility_lines") or {}),
        duty_desk=dict(data.get("duty_desk") or {}),
        urgent=dict(data.get("urgent") or {}),
        follow_up=dict(data.get("follow_up") or {}),
        topics=str(data.get("topics") or ""),
        evaluation=dict(data.get("evaluation") or {}),
        intake=dict(data.get("intake") or {}),
        retention=dict(data.get("retention") or {}),
        reports=dict(data.get("reports") or {}),
        streets={d: _streets(names) for d, names in (data.get("streets") or {}).items()},
        warnings=dict(data.get("warnings") or {}),
        statistics=dict(data.get("statistics") or {}),
    )


def _streets(names: object) -> dict[str, tuple[str, ...]]:
    """``[胜利街道, …]`` or ``{胜利街道: [胜利], …}`` -> official name -> other spellings."""
    if isinstance(names, dict):
        return {str(k): tuple(str(a) for a in (v or ())) for k, v in names.items()}
    if isinstance(names, list):
        return {str(k): () for k in names}
    return {}


def load_profile(name: str | None = None) -> Profile:
    """Load a profile by key (``anshan``) or by path to a YAML file; by default the one named
    by HOTLINE_PROFILE."""
    return _load(name or os.environ.get("HOTLINE_PROFILE") or DEFAULT_PROFILE)


@lru_cache(maxsize=16)
def _load(name: str) -> Profile:
    path = Path(name)
    if not path.suffix:
        path = PROFILE_DIR / f"{name}.yml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROFILE_DIR.glob("*.yml")))
        raise ValueError(f"unknown city profile {name!r}; known profiles: {known}")
    with path.open(encoding="utf-8") as fh:
        return _from_dict(yaml.safe_load(fh))


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yml"))
