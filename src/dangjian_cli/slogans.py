"""Slogan (提法) counts: one Aho-Corasick pass of the lexicon over each normalised text, and discovery of
formulations the lexicon does not have yet (numeric formulae, quoted phrases, parallel clauses).

Counting follows the lexicon's matching rule: every stretch of text is counted once, under the longest entry that
matches there (中央八项规定精神 is not also counted as 八项规定). ``trends`` counts terms one by one instead.
"""
from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .corpus import Document, check_groups, group_of
from .errors import EmptyCorpusError, UsageError
from .lexicon import Lexicon
from .parallel import map_documents

# first_date, first_doc, last_date: when a slogan is first and last attested among the dated documents (see
# ``Attestation``), so that "when did this formulation appear?" is answered with a document to cite.
DATE_COLUMNS = ("first_date", "first_doc", "last_date")
CORPUS_COLUMNS = ("slogan", "kind", "campaign", "count", "docs", "per_10k", *DATE_COLUMNS)
DOC_COLUMNS = ("doc_id", "title", "date", "slogan", "kind", "campaign", "count", "per_10k")
GROUP_COLUMNS = ("group", "slogan", "kind", "campaign", "count", "docs", "group_docs", "per_10k", *DATE_COLUMNS)
DISCOVER_COLUMNS = ("phrase", "pattern", "count", "docs", "in_lexicon", "example_doc", *DATE_COLUMNS)


def per_10k(count: int, chars: int) -> float:
    """Occurrences per 10,000 characters of normalised text."""
    return 0.0 if chars <= 0 else count * 10000.0 / chars


@dataclass
class SloganSettings:
    per_doc: bool = False
    group_by: str | None = None
    campaign: str | None = None
    min_count: int = 1

    def __post_init__(self) -> None:
        if self.per_doc and self.group_by:
            raise UsageError("--per-doc and --group-by cannot be used together", "choose one")
        if self.min_count < 0:
            raise UsageError("--min-count must be 0 or more")


def _restrict(lexicon: Lexicon, campaign: str | None) -> set[str] | None:
    if not campaign:
        return None
    keys = {e.key for e in lexicon.entries if e.campaign == campaign}
    if not keys:
        known = sorted({e.campaign for e in lexicon.entries if e.campaign})
        raise UsageError(f"no lexicon entry belongs to campaign {campaign!r}", f"use one of: {', '.join(known)}")
    return keys


def doc_counts(text: str, lexicon: Lexicon) -> Counter[str]:
    """Canonical key → occurrences in one normalised text."""
    return Counter(key for _, _, key in lexicon.spans(text))


def _document_counts(doc: Document, lexicon: Lexicon) -> tuple[dict[str, int], int]:
    return dict(doc_counts(doc.text, lexicon)), doc.chars  # a plain dict crosses processes faster than a Counter


class Attestation:
    """The earliest and latest dated documents of each term. Dates are ISO strings, compared as strings: a date
    given only as a year or a month sorts before the days within it (``2016`` before ``2016-03-01``). Among
    documents of the same earliest date, the first read is the one named; undated documents are not counted."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[str, str]] = {}  # term → (date, doc id)
        self.last: dict[str, str] = {}

    def add(self, terms: Iterable[str], date: str, doc_id: str) -> None:
        if not date:
            return
        first, last = self.first, self.last
        for term in terms:
            seen = first.get(term)
            if seen is None:
                first[term] = (date, doc_id)
                last[term] = date
            elif date < seen[0]:
                first[term] = (date, doc_id)
            elif date > last[term]:
                last[term] = date

    def columns(self, term: str) -> tuple[str, str, str]:
        """``first_date, first_doc, last_date`` of ``term`` (empty when no dated document has it)."""
        date, doc_id = self.first.get(term, ("", ""))
        return date, doc_id, self.last.get(term, "")


@dataclass
class _Group:
    counts: Counter = field(default_factory=Counter)
    docs: Counter = field(default_factory=Counter)
    n_docs: int = 0
    chars: int = 0
    dates: Attestation = field(default_factory=Attestation)


def count_slogans(docs: Iterable[Document], lexicon: Lexicon, settings: SloganSettings | None = None
                  ) -> Iterator[tuple[Any, ...]]:
    """Rows of slogan counts: CORPUS_COLUMNS, DOC_COLUMNS (``per_doc``) or GROUP_COLUMNS (``group_by``).

    Per-document rows stream; corpus and group rows come once the input is read (memory: one counter per group)."""
    s = settings or SloganSettings()
    allowed = _restrict(lexicon, s.campaign)
    entries = {e.key: e for e in lexicon.entries}
    groups: dict[str, _Group] = defaultdict(_Group)
    n = 0
    for doc, (counts, chars) in map_documents(docs, functools.partial(_document_counts, lexicon=lexicon),
                                              metadata_only=True, check_ids=s.per_doc):
        n += 1
        if allowed is not None:
            counts = {k: v for k, v in counts.items() if k in allowed}
        if s.per_doc:
            for key, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                if c >= max(s.min_count, 1):
                    e = entries[key]
                    yield (doc.id, doc.title, doc.date, key, e.kind, e.campaign, c, per_10k(c, chars))
            continue
        g = groups[group_of(doc, s.group_by) if s.group_by else ""]
        g.n_docs += 1
        g.chars += chars
        g.counts.update(counts)
        g.docs.update(counts.keys())
        g.dates.add(counts.keys(), doc.date, doc.id)
    if n == 0:
        raise EmptyCorpusError()
    if s.per_doc:
        return
    check_groups(s.group_by, groups)
    for name in sorted(groups):
        g = groups[name]
        for key, c in sorted(g.counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if c < max(s.min_count, 1):
                continue
            e = entries[key]
            row = (key, e.kind, e.campaign, c, g.docs[key])
            if s.group_by:
                yield (name, *row, g.n_docs, per_10k(c, g.chars), *g.dates.columns(key))
            else:
                yield (*row, per_10k(c, g.chars), *g.dates.columns(key))


# -- discovery -----------------------------------------------------------------------------------------------------
_NUM = "一二两三四五六七八九十百千"
_HAN = "\u4e00-\u9fff"
# A numeral and a one-character stem, twice: 四讲四有, 三会一课, 两学一做, 一岗双责.
_PAIRED = re.compile(rf"(?<![{_NUM}])[{_NUM}][^{_NUM}\W\d][{_NUM}双][^{_NUM}\W\d]")
# A numeral, a classifier and a two-character stem, standing alone: 两个维护, 四个意识, 三大攻坚战, 八项规定.
_COUNTED = re.compile(rf"(?<![{_NUM}\d第])[{_NUM.replace('一', '')}](?:个|大|项|种|条|张)[{_HAN}]{{2,3}}(?=[”’、，。；：！？）\s]|$)")
# Stems that make a quantity, not a formula: 三个月, 两个多小时, 五大洲, 一步一个(脚印).
_NOT_STEM = set("月年天日时小多次位名人家所元万亿千百分岁周星点层个")
# Counted things that are not formulae: 五个方面, 八个专题.
_GENERIC_STEMS = frozenset("方面 问题 专题 项目 部分 阶段 环节 地方 单位 部门 层面 领域 步骤 途径 办法 措施 内容 类型 "
                           "观摩点 区域 乡镇 村庄 社区 班子 小组 批次 板块 重点".split())
_QUOTED = re.compile(r"[“‘]([^“”‘’。！？\n]{2,24})[”’]")
_CLAUSE = rf"[{_HAN}]{{4}}"
_PARALLEL = re.compile(rf"{_CLAUSE}(?:[、，]{_CLAUSE}){{2,3}}(?![{_HAN}])")
_HAN_CHAR = re.compile(f"[{_HAN}]")
PATTERNS = ("numeric", "quoted", "parallel")


def _idioms() -> frozenset[str]:
    """Four-character idioms from jieba's dictionary (tags i and l): 一心一意 has the shape of a formula but is not."""
    from importlib import resources

    words = set()
    with resources.files("jieba").joinpath("dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] in ("i", "l") and len(parts[0]) == 4:
                words.add(parts[0])
    return frozenset(words)


def find_candidates(text: str, idioms: frozenset[str] = frozenset()) -> Iterator[tuple[str, str, int]]:
    """``(phrase, pattern, offset)`` of every formulation-shaped stretch of a normalised text."""
    for m in _PAIRED.finditer(text):
        phrase = m.group()
        # A repeated count (一项一项, 一件一件) says "one by one", not a formula.
        if phrase in idioms or phrase[1] in _NOT_STEM or phrase[3] in _NOT_STEM or phrase[:2] == phrase[2:]:
            continue
        yield phrase, "numeric", m.start()
    for m in _COUNTED.finditer(text):
        phrase = m.group()
        if phrase[2] in _NOT_STEM or phrase in idioms or phrase[2:] in _GENERIC_STEMS:
            continue
        yield phrase, "numeric", m.start()
    for m in _QUOTED.finditer(text):
        inner = m.group(1).strip()
        if len(inner) >= 2 and _HAN_CHAR.search(inner):
            yield inner, "quoted", m.start(1)
    for m in _PARALLEL.finditer(text):
        run, start = m.group(), m.start()
        clauses = re.split("[、，]", run)
        # Whether the run starts a stretch of Han text. (Matching the stretch's start as a lazy prefix in the
        # pattern took time quadratic in the stretch's length: minutes for a long text without punctuation.)
        bounded = start == 0 or not _HAN_CHAR.match(text, start - 1)
        # A run that starts inside a longer stretch of Han text counts only when its clauses are visibly parallel
        # (the same character in the same place in every clause: 学史明理、学史增信、学史崇德).
        parallel = any(len({c[i] for c in clauses}) == 1 for i in range(4))
        if bounded or parallel:
            yield run, "parallel", start


def discover(docs: Iterable[Document], lexicon: Lexicon, min_count: int = 1, patterns: tuple[str, ...] = PATTERNS,
             new_only: bool = False) -> list[tuple[Any, ...]]:
    """Formulation candidates over the corpus (DISCOVER_COLUMNS), most widespread first.

    A phrase found by several patterns (四讲四有 is numeric and, when quoted, quoted) is one row; its count is the
    number of distinct places it was found."""
    for p in patterns:
        if p not in PATTERNS:
            raise UsageError(f"unknown pattern {p!r}", f"use one of: {', '.join(PATTERNS)}")
    idioms = _idioms()
    counts: Counter[str] = Counter()
    doc_freq: Counter[str] = Counter()
    found_by: dict[str, set[str]] = defaultdict(set)
    first_doc: dict[str, str] = {}
    dates = Attestation()
    n = 0
    for doc in docs:
        n += 1
        places: set[tuple[str, int]] = set()
        for phrase, pattern, offset in find_candidates(doc.text, idioms):
            if pattern in patterns:
                places.add((phrase, offset))
                found_by[phrase].add(pattern)
        per_doc = Counter(phrase for phrase, _ in places)
        counts.update(per_doc)
        doc_freq.update(per_doc.keys())
        for phrase in per_doc:
            first_doc.setdefault(phrase, doc.id)
        dates.add(per_doc.keys(), doc.date, doc.id)
    if n == 0:
        raise EmptyCorpusError()
    forms = lexicon.surface_to_entry
    rows = []
    for phrase, c in counts.items():
        if c < min_count:
            continue
        known = phrase in forms
        if new_only and known:
            continue
        pattern = "+".join(p for p in PATTERNS if p in found_by[phrase])
        rows.append((phrase, pattern, c, doc_freq[phrase], known, first_doc[phrase], *dates.columns(phrase)))
    rows.sort(key=lambda r: (-r[3], -r[2], r[0]))
    return rows
