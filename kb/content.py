"""Knowledge-base articles: plain YAML files, one per question, kept current by the units.

An article names its responsible unit, its source and the date it must be reviewed by; text
may use the city-profile placeholders {city}, {hotline_name}, {hotline_number},
{working_days} and {max_extension_months}, filled in when the base is loaded for a city.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.profile import Profile

# HOTLINE_KB_DIR points a deployment (or a test) at its own copy of the articles.
ARTICLES_DIR = Path(os.environ.get("HOTLINE_KB_DIR") or Path(__file__).resolve().parent / "articles")
REQUIRED = ("id", "title", "topic", "questions", "answer", "unit", "source", "updated_at", "review_by")
ID_RX = re.compile(r"^[a-z0-9][a-z0-9\-]{1,63}$")
PLACEHOLDERS = ("city", "hotline_name", "hotline_number", "working_days", "max_extension_months")


class ArticleError(ValueError):
    """An article file that cannot be used, with the reason in Chinese and English."""


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    topic: str
    questions: tuple[str, ...]
    answer: str
    unit: str
    source: str
    updated_at: dt.date
    review_by: dt.date
    contact: str | None = None
    hours: str | None = None
    confirm: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    path: str | None = field(default=None, compare=False)

    def render(self, profile: Profile) -> Article:
        values = {
            "city": profile.city,
            "hotline_name": profile.hotline_name,
            "hotline_number": profile.hotline_number,
            "working_days": str(profile.working_days),
            "max_extension_months": str(profile.max_extension_months),
        }

        def fill(text: str) -> str:
            return re.sub(r"\{(" + "|".join(PLACEHOLDERS) + r")\}", lambda m: values[m.group(1)], text)

        return Article(
            id=self.id, title=fill(self.title), topic=self.topic,
            questions=tuple(fill(q) for q in self.questions), answer=fill(self.answer).strip(),
            unit=fill(self.unit), source=self.source, updated_at=self.updated_at, review_by=self.review_by,
            contact=fill(self.contact) if self.contact else None, hours=self.hours, confirm=self.confirm,
            tags=self.tags, path=self.path,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "topic": self.topic, "questions": list(self.questions),
            "answer": self.answer, "unit": self.unit, "contact": self.contact, "hours": self.hours,
            "source": self.source, "updated_at": self.updated_at.isoformat(),
            "review_by": self.review_by.isoformat(), "confirm": list(self.confirm), "tags": list(self.tags),
        }


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ArticleError(f"{key} 不是日期（YYYY-MM-DD）: {value!r}") from exc


def article_from_dict(data: Any, path: str | None = None) -> Article:
    """Validate one article's fields; raise ArticleError with every problem found."""
    if not isinstance(data, dict):
        raise ArticleError("文章应为键值结构 (a mapping)")
    problems = [f"缺少字段 {k}" for k in REQUIRED if not data.get(k)]
    if problems:
        raise ArticleError("；".join(problems))
    if not ID_RX.match(str(data["id"])):
        raise ArticleError(f"id 只能用小写字母、数字和连字符: {data['id']!r}")
    questions = data["questions"]
    if isinstance(questions, str) or not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
        raise ArticleError("questions 应为非空的问题列表")
    for key in ("title", "answer", "unit", "source", "topic"):
        if not isinstance(data[key], str):
            raise ArticleError(f"{key} 应为文字")
    if len(data["answer"]) > 4000:
        raise ArticleError("answer 超过4000字，请拆成几篇")
    return Article(
        id=str(data["id"]), title=data["title"].strip(), topic=data["topic"].strip(),
        questions=tuple(q.strip() for q in questions), answer=data["answer"].strip(), unit=data["unit"].strip(),
        source=data["source"].strip(), updated_at=_date(data["updated_at"], "updated_at"),
        review_by=_date(data["review_by"], "review_by"), contact=(str(data["contact"]) if data.get("contact") else None),
        hours=(str(data["hours"]) if data.get("hours") else None), confirm=tuple(str(c) for c in data.get("confirm") or ()), tags=tuple(str(t) for t in data.get("tags") or ()),
        path=path,
    )


def load_file(path: Path) -> Article:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ArticleError(f"无法解析 YAML: {exc}") from exc
    article = article_from_dict(data, str(path))
    if path.stem != article.id:
        raise ArticleError(f"文件名 {path.name} 应与 id {article.id} 一致")
    return article


def load_dir(directory: Path = ARTICLES_DIR) -> tuple[list[Article], list[tuple[str, str]]]:
    """All valid articles under ``directory`` and the (path, problem) of every invalid one.
    A broken file never stops the others from loading."""
    articles: list[Article] = []
    errors: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.rglob("*.yml")):
        try:
            article = load_file(path)
        except ArticleError as exc:
            errors.append((str(path), str(exc)))
            continue
        if article.id in seen:
            errors.append((str(path), f"id {article.id} 与 {seen[article.id]} 重复"))
            continue
        seen[article.id] = str(path)
        articles.append(article)
    return articles, errors


def write_article(article: Article, directory: Path = ARTICLES_DIR) -> Path:
    """Write (add or replace) one article as YAML under its topic folder."""
    existing = next(directory.rglob(f"{article.id}.yml"), None)
    path = existing or directory / "imported" / f"{article.id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yml.tmp")
    tmp.write_text(yaml.safe_dump(article.as_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)
    return path
