"""Phrases: word n-grams over the shared tokens and character n-grams over runs of Han characters, with collocation
measures.

An n-gram never crosses punctuation or white space; word n-grams are also broken by a stop word, a number or any
other piece the tokenizer filters out: 推进/全面从严治党/向/基层/延伸 has the runs 推进 全面从严治党 and 基层 延伸.
Association of an n-gram (w1 … wn) with N unigram tokens and counts c(·):
- ``pmi``: log2(c(w1…wn) · N^(n−1) / Π c(wi));
- ``tscore``: (O − E) / √O with O = c(w1…wn), E = Π c(wi) / N^(n−1);
- ``llr``: Dunning's G² on the 2×2 table of (w1…wn−1, wn): its full four cells.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .corpus import Document, check_groups, group_of
from .errors import EmptyCorpusError, UsageError
from .parallel import map_documents
from .pipeline import Analyzer

UNITS = ("word", "char")
MEASURES = ("count", "pmi", "llr", "tscore")
COLUMNS = ("ngram", "n", "count", "docs", "score")
GROUP_COLUMNS = ("group", "ngram", "n", "count", "docs", "score")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass
class PhraseSettings:
    unit: str = "word"
    min_n: int = 2
    max_n: int = 3
    measure: str = "count"
    min_count: int = 2
    top: int = 50
    group_by: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise UsageError(f"unknown unit {self.unit!r}", f"use one of: {', '.join(UNITS)}")
        if self.measure not in MEASURES:
            raise UsageError(f"unknown measure {self.measure!r}", f"use one of: {', '.join(MEASURES)}")
        if not 1 <= self.min_n <= self.max_n <= 8:
            raise UsageError("n-gram sizes must satisfy 1 ≤ --min-n ≤ --max-n ≤ 8")
        if self.min_count < 1 or self.top < 0:
            raise UsageError("--min-count must be ≥ 1 and --top ≥ 0")


def why_no_rows(settings: PhraseSettings) -> str | None:
    """Why ``count_phrases`` gave no rows (a warning: an empty table alone says nothing of why), or None when the
    empty table is what was asked for (``--top 0``)."""
    if not settings.top:
        return None
    return (f"no {settings.unit} n-gram of {settings.min_n}–{settings.max_n} units occurs {settings.min_count} times "
            "or more; lower --min-count (or --min-n) for small corpora")


def runs(doc: Document | str, analyzer: Analyzer | None, unit: str) -> list[list[str]]:
    """The stretches n-grams may not cross: kept tokens between breaks (word), or Han runs as characters (char)."""
    text = doc if isinstance(doc, str) else doc.text
    if unit == "char":
        return [list(m.group()) for m in _HAN_RUN.finditer(text)]
    assert analyzer is not None
    out: list[list[str]] = []
    current: list[str] = []
    tok = analyzer.tokenizer
    for t in analyzer.tokens(text, filtered=False):
        if tok.keeps(t.surface):
            current.append(t.text)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def contingency_g2(o11: float, o12: float, o21: float, o22: float) -> float:
    """G² = 2 Σ O ln(O/E) over a full 2×2 table."""
    n = o11 + o12 + o21 + o22
    if n <= 0:
        return 0.0
    r1, r2, c1, c2 = o11 + o12, o21 + o22, o11 + o21, o12 + o22
    total = 0.0
    for o, e in ((o11, r1 * c1 / n), (o12, r1 * c2 / n), (o21, r2 * c1 / n), (o22, r2 * c2 / n)):
        if o > 0 and e > 0:
            total += o * math.log(o / e)
    return 2.0 * total


@dataclass
class _Counts:
    grams: Counter
    docs: Counter
    unigrams: Counter
    tokens: int


def _score(gram: tuple[str, ...], c: int, counts: _Counts, measure: str) -> float:
    if measure == "count" or len(gram) == 1:
        return float(c)
    n_tok = counts.tokens
    k = len(gram)
    product = 1.0
    for w in gram:
        product *= counts.unigrams[w]
    if measure == "pmi":
        return math.log2(c * n_tok ** (k - 1) / product)
    if measure == "tscore":
        expected = product / n_tok ** (k - 1)
        return (c - expected) / math.sqrt(c)
    prefix = counts.grams.get(gram[:-1], 0) if k > 2 else counts.unigrams[gram[0]]
    last = counts.unigrams[gram[-1]]
    o11 = c
    o12 = max(prefix - c, 0)
    o21 = max(last - c, 0)
    o22 = max(n_tok - o11 - o12 - o21, 0)
    return contingency_g2(o11, o12, o21, o22)


class _DocumentGrams:
    """One document's token count, unigram counts and n-gram counts (``lo``…``max_n``, at least bigrams), counted
    in worker processes with ``--jobs`` (picklable)."""

    def __init__(self, analyzer: Analyzer | None, unit: str, lo: int, max_n: int) -> None:
        self.analyzer, self.unit, self.lo, self.max_n = analyzer, unit, lo, max_n

    def __call__(self, doc: Document) -> tuple[int, dict[str, int], dict[tuple[str, ...], int]]:
        tokens = 0
        unigrams: Counter[str] = Counter()
        grams: Counter[tuple[str, ...]] = Counter()
        for run in runs(doc, self.analyzer, self.unit):
            tokens += len(run)
            unigrams.update(run)
            for k in range(max(self.lo, 2), self.max_n + 1):
                grams.update(tuple(run[i:i + k]) for i in range(len(run) - k + 1))
        return tokens, dict(unigrams), dict(grams)


def count_phrases(docs: Iterable[Document], analyzer: Analyzer | None, settings: PhraseSettings
                  ) -> list[tuple[Any, ...]]:
    """COLUMNS (or GROUP_COLUMNS), the top n-grams of each group by the chosen measure."""
    s = settings
    lo = 1 if s.measure == "llr" else s.min_n  # LLR for trigrams needs the bigram prefixes' counts
    groups: dict[str, _Counts] = defaultdict(lambda: _Counts(Counter(), Counter(), Counter(), 0))
    n = 0
    for doc, (tokens, unigrams, grams) in map_documents(docs, _DocumentGrams(analyzer, s.unit, lo, s.max_n),
                                                        analyzer=analyzer, metadata_only=True):
        n += 1
        g = groups[group_of(doc, s.group_by) if s.group_by else ""]
        g.tokens += tokens
        g.unigrams.update(unigrams)
        g.grams.update(grams)
        g.docs.update(grams.keys())
        if s.min_n == 1:
            g.docs.update((w,) for w in unigrams)
    if analyzer is not None:
        analyzer.flush()
    if n == 0:
        raise EmptyCorpusError()
    check_groups(s.group_by, groups)
    rows: list[tuple[Any, ...]] = []
    joiner = "" if s.unit == "char" else " "
    for name in sorted(groups):
        g = groups[name]
        candidates = [(gram, c) for gram, c in g.grams.items() if s.min_n <= len(gram) and c >= s.min_count]
        if s.min_n == 1:
            candidates += [((w,), c) for w, c in g.unigrams.items() if c >= s.min_count]
        scored = [(gram, c, _score(gram, c, g, s.measure)) for gram, c in candidates]
        scored.sort(key=lambda x: (-x[2], -x[1], x[0]))
        for gram, c, score in scored[:s.top]:
            row = (joiner.join(gram), len(gram), c, g.docs[gram], score)
            rows.append((name, *row) if s.group_by else row)
    return rows
