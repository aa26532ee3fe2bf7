"""Counts of terms over time, and keyword-in-context: character-level matching, so a slogan is found however a
segmenter would cut it.

Each term is counted on its own (八项规定 includes the occurrences inside 中央八项规定精神); a term that is a lexicon
entry, or a surface form of one, is counted with all of that entry's forms (with or without quotes and separators,
traditional forms).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import Document
from .errors import EmptyCorpusError, UsageError
from .lexicon import Lexicon, strip_quotes, surface_forms
from .normalize import MarkupFreeView
from .parallel import map_documents
from .slogans import per_10k

PERIODS = ("year", "quarter", "month")
TREND_COLUMNS = ("term", "period", "count", "docs", "period_docs", "period_chars", "per_10k")
SPARK_COLUMNS = ("term", "count", "docs", "peak", "peak_per_10k", "trend")
UNDATED = "undated"
KWIC_COLUMNS = ("doc_id", "date", "offset", "left", "match", "right")
SORTS = ("doc", "left", "right")


@dataclass(frozen=True)
class TermPattern:
    """One term and the regular expression of all the forms it is counted in."""

    term: str
    forms: tuple[str, ...]
    regex: re.Pattern

    def count(self, text: str) -> int:
        return sum(1 for _ in self.regex.finditer(text))


def term_pattern(term: str, lexicon: Lexicon | None = None, regex: bool = False) -> TermPattern:
    """A term's forms: the lexicon entry's surface forms when it names one, else the term itself (simplified)."""
    from .normalize import require_utf8, to_simplified

    require_utf8(term, "the term")
    if regex:
        try:
            return TermPattern(term, (term,), re.compile(term))
        except re.error as exc:
            raise UsageError(f"bad regular expression {term!r}: {exc}") from None
    if not term.strip():
        raise UsageError("an empty term cannot be counted")
    simplified = to_simplified(term.strip())
    entry = lexicon.surface_to_entry.get(simplified) if lexicon is not None else None
    if entry is None and lexicon is not None:
        entry = lexicon.surface_to_entry.get(strip_quotes(simplified))
    forms = {simplified}
    label = simplified
    if entry is not None and entry.key == strip_quotes(simplified):
        forms |= surface_forms(entry)
        label = entry.key
    ordered = tuple(sorted(forms, key=lambda f: (-len(f), f)))  # longest first: one match per stretch of text
    return TermPattern(label, ordered, re.compile("|".join(re.escape(f) for f in ordered)))


def _period(date: str, by: str) -> str:
    if len(date) < 4:
        return ""
    if by == "year":
        return date[:4]
    if len(date) < 7:
        return ""
    if by == "month":
        return date[:7]
    return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"


def _next_period(p: str, by: str) -> str:
    if by == "year":
        return str(int(p) + 1)
    y = int(p[:4])
    if by == "month":
        m = int(p[5:7])
        return f"{y + (m == 12)}-{m % 12 + 1:02d}"
    q = int(p[-1])
    return f"{y + (q == 4)}-Q{q % 4 + 1}"


def period_range(first: str, last: str, by: str) -> list[str]:
    """Every period from first to last, gaps included (a trend needs its zeros)."""
    out = [first]
    while out[-1] < last and len(out) < 100000:
        out.append(_next_period(out[-1], by))
    return out


@dataclass
class TrendResult:
    terms: list[str]
    periods: list[str]  # dated periods in order, gaps filled
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (term, period) → occurrences
    docs: dict[tuple[str, str], int] = field(default_factory=dict)  # (term, period) → documents with the term
    period_docs: Counter = field(default_factory=Counter)
    period_chars: Counter = field(default_factory=Counter)
    undated_docs: int = 0

    def rate(self, term: str, period: str) -> float:
        return per_10k(self.counts.get((term, period), 0), self.period_chars.get(period, 0))

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """TREND_COLUMNS, one row per term and period; undated documents in a last row per term."""
        periods = self.periods + ([UNDATED] if self.undated_docs else [])
        for term in self.terms:
            for p in periods:
                yield (term, p, self.counts.get((term, p), 0), self.docs.get((term, p), 0), self.period_docs[p],
                       self.period_chars[p], self.rate(term, p))

    def spark_rows(self) -> Iterator[tuple[Any, ...]]:
        """SPARK_COLUMNS: one row per term with a sparkline of its rate over the dated periods."""
        for term in self.terms:
            rates = [self.rate(term, p) for p in self.periods]
            total = sum(self.counts.get((term, p), 0) for p in self.periods + [UNDATED])
            docs = sum(self.docs.get((term, p), 0) for p in self.periods + [UNDATED])
            peak = max(range(len(rates)), key=lambda i: (rates[i], -i)) if rates else None
            yield (term, total, docs, self.periods[peak] if peak is not None and rates[peak] > 0 else "",
                   rates[peak] if peak is not None else 0.0, sparkline(rates))


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    top = max(values, default=0.0)
    if top <= 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[min(len(_BARS) - 1, int(v / top * (len(_BARS) - 1) + 0.5))] for v in values)


class _PatternCounts:
    """A document's characters and the (term, count) of each term it has (picklable, for worker processes)."""

    def __init__(self, patterns: list[TermPattern]) -> None:
        self.patterns = patterns

    def __call__(self, doc: Document) -> tuple[int, list[tuple[str, int]]]:
        found = []
        for tp in self.patterns:
            c = tp.count(doc.text)
            if c:
                found.append((tp.term, c))
        return doc.chars, found


def trends(docs: Iterable[Document], patterns: list[TermPattern], by: str = "year") -> TrendResult:
    """Counts and per-10k-character rates of each term per period, in one pass over the corpus."""
    if by not in PERIODS:
        raise UsageError(f"unknown period {by!r}", f"use one of: {', '.join(PERIODS)}")
    if not patterns:
        raise UsageError("no terms to count", "give at least one term")
    counts: Counter = Counter()
    docs_with: Counter = Counter()
    period_docs: Counter = Counter()
    period_chars: Counter = Counter()
    undated = 0
    n = 0
    for doc, (chars, found) in map_documents(docs, _PatternCounts(patterns), metadata_only=True):
        n += 1
        p = _period(doc.date, by) or UNDATED
        undated += p == UNDATED
        period_docs[p] += 1
        period_chars[p] += chars
        for term, c in found:
            counts[(term, p)] += c
            docs_with[(term, p)] += 1
    if n == 0:
        raise EmptyCorpusError()
    dated = sorted(p for p in period_docs if p != UNDATED)
    periods = period_range(dated[0], dated[-1], by) if dated else []
    terms = list(dict.fromkeys(tp.term for tp in patterns))
    return TrendResult(terms, periods, dict(counts), dict(docs_with), period_docs, period_chars, undated)


# -- keyword in context --------------------------------------------------------------------------------------------
def _flat(text: str) -> str:
    return re.sub(r"\s", " ", text)


class _Concordance:
    """A document's concordance lines (offset, left, match, right), from its original text without markup
    (picklable)."""

    def __init__(self, pattern: TermPattern, window: int) -> None:
        self.pattern, self.window = pattern, window

    def __call__(self, doc: Document) -> list[tuple[int, str, str, str]]:
        lines = []
        window = self.window
        view = None
        for m in self.pattern.regex.finditer(doc.text):
            if m.end() == m.start():
                continue
            a, b = doc.original_span(m.start(), m.end())
            view = view or MarkupFreeView(doc.original)
            b = view.end_of(b)
            lines.append((a, _flat(view.before(a, window)), _flat(view.slice(a, b)), _flat(view.after(b, window))))
        return lines


def kwic(docs: Iterable[Document], pattern: TermPattern, window: int = 20, sort: str = "doc"
         ) -> Iterator[tuple[Any, ...]]:
    """KWIC_COLUMNS. Matching runs on the normalised text; offset, left, match and right come from the original
    text (traditional stays traditional), so ``original[offset:offset + len(match)] == match``, except that HTML
    markup in the original is not shown (a reference shows as its character, a paragraph tag as a space) and
    ``window`` counts the characters shown."""
    check_kwic(window, sort)

    def rows() -> Iterator[tuple[Any, ...]]:
        n = 0
        for doc, lines in map_documents(docs, _Concordance(pattern, window), metadata_only=True,
                                        check_ids=True):
            n += 1
            for line in lines:
                yield (doc.id, doc.date, *line)
        if n == 0:
            raise EmptyCorpusError()

    yield from _sorted_lines(rows(), sort)


def check_kwic(window: int = 20, sort: str = "doc", sample: int | None = None) -> None:
    """The errors in kwic's settings, before any document is read."""
    if sort not in SORTS:
        raise UsageError(f"unknown sort {sort!r}", f"use one of: {', '.join(SORTS)}")
    if window < 0:
        raise UsageError("--window must be 0 or more")
    if sample is not None and sample < 1:
        raise UsageError("--sample must be 1 or more")


_REGEX_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")


def why_no_kwic_lines(pattern: str, regex: bool = False) -> str:
    """The warning of a kwic table with no line. A pattern written like a regular expression but searched as written
    (without --regex) is the likely reason, and said."""
    if regex:
        return f"the regular expression {pattern!r} matches nothing in the documents read"
    looks_like_regex = _REGEX_SYNTAX.search(pattern) is not None
    hint = "; it was searched as written: pass --regex for a regular expression" if looks_like_regex else ""
    return f"{pattern!r} occurs in none of the documents read{hint}"


def _sorted_lines(lines: Iterable[tuple[Any, ...]], sort: str) -> Iterable[tuple[Any, ...]]:
    if sort == "doc":
        return lines
    if sort == "left":
        return sorted(lines, key=lambda r: (r[3][::-1], r[0], r[2]))
    return sorted(lines, key=lambda r: (r[5], r[0], r[2]))


@dataclass
class KwicSample:
    """Concordance lines drawn at random: ``rows`` (KWIC_COLUMNS, in the order asked for) out of ``total`` lines."""

    rows: list[tuple[Any, ...]]
    total: int
    seed: int

    @property
    def meta(self) -> dict[str, int]:
        """What a reader of the sample must know to cite it (``--format json`` puts it in its ``meta``)."""
        return {"sample": len(self.rows), "of_lines": self.total, "seed": self.seed}


def sample_kwic(docs: Iterable[Document], pattern: TermPattern, n: int, seed: int = 0, window: int = 20,
                sort: str = "doc") -> KwicSample:
    """``n`` lines of ``kwic`` drawn at random, each line as likely as any other (reservoir sampling over the lines in
    input order, so memory holds ``n`` lines however many match). The same input, ``n`` and ``seed`` give the same
    lines, with any number of workers; the sample is then put in ``sort`` order."""
    import random

    check_kwic(window, sort, n)
    rng = random.Random(seed)
    drawn: list[tuple[int, tuple[Any, ...]]] = []
    total = 0
    for total, line in enumerate(kwic(docs, pattern, window=window), 1):
        if total <= n:
            drawn.append((total, line))
        else:
            j = rng.randrange(total)
            if j < n:
                drawn[j] = (total, line)
    in_order = [line for _, line in sorted(drawn, key=lambda d: d[0])]
    return KwicSample(list(_sorted_lines(in_order, sort)), total, seed)


# -- charts --------------------------------------------------------------------------------------------------------
PLOT_SUFFIXES = (".png", ".svg", ".html")


def plot_target(path: Any) -> Path:
    """``path`` when a chart can be drawn there (a known file type, in a folder that takes new files); else the
    error. The CLI checks it before reading the corpus."""
    from .output import check_writable

    path = Path(path)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"cannot plot to {path.name}", f"use a file ending in {', '.join(PLOT_SUFFIXES)}")
    return check_writable(path)


def plot(result: TrendResult, path: Any, measure: str = "rate", title: str = "") -> list[str]:
    """A line chart, one line per term: .png and .svg by matplotlib, .html a page with the SVG chart and the data.

    SVG (and so HTML) keeps labels as text, which the viewer draws with its own fonts; a PNG needs a font with Han
    characters on this machine. Returns warnings for the user."""
    from .output import atomic_path, atomic_writer

    path = plot_target(path)
    suffix = path.suffix.lower()
    if not result.periods:
        raise UsageError("no dated documents: nothing to plot", "check --date-field")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("charts need matplotlib", "pip install 'dangjian[plot]'") from None
    from datetime import date

    def start(p: str) -> date:
        if len(p) == 4:
            return date(int(p), 1, 1)
        if "Q" in p:
            return date(int(p[:4]), (int(p[-1]) - 1) * 3 + 1, 1)
        return date(int(p[:4]), int(p[5:7]), 1)

    import warnings

    notes: list[str] = []
    matplotlib.rcParams["svg.fonttype"] = "none"
    font = _cjk_font()
    if font is None:
        font = matplotlib.font_manager.FontProperties()
        if suffix == ".png" and any(ord(ch) > 0x2E80 for t in result.terms for ch in t):
            notes.append("no font with Chinese characters found: term names in the PNG may show as boxes; "
                         "use .svg or .html, or install a CJK font (e.g. fonts-noto-cjk)")
    xs = [start(p) for p in result.periods]
    fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
    for term in result.terms:
        ys = [result.rate(term, p) if measure == "rate" else result.counts.get((term, p), 0)
              for p in result.periods]
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.5, label=term)
    ax.set_xlabel("date")
    ax.set_ylabel("occurrences per 10,000 characters" if measure == "rate" else "occurrences")
    ax.set_title(title or "dangjian trends")
    ax.grid(True, alpha=0.3)
    ax.legend(prop=font)
    fig.autofmt_xdate()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing-glyph warnings: reported once above
        fig.tight_layout()
    if suffix == ".html":
        import html
        import io

        buf = io.StringIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.savefig(buf, format="svg")
        svg = buf.getvalue()
        svg = svg[svg.index("<svg"):]
        head = "".join(f"<th>{html.escape(t)}</th>" for t in result.terms)
        body = "".join(
            f"<tr><td>{p}</td>" + "".join(f"<td>{result.counts.get((t, p), 0)}</td>" for t in result.terms) + "</tr>"
            for p in result.periods)
        page = (f"<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(title or 'trends')}</title></head><body>\n{svg}\n"
                f"<table border=\"1\"><tr><th>period</th>{head}</tr>{body}</table>\n"
                f"<p>undated documents: {result.undated_docs}</p></body></html>\n")
        with atomic_writer(path) as fh:
            fh.write(page)
    else:
        with atomic_path(path) as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.savefig(tmp, format=suffix[1:])
    plt.close(fig)
    return notes


def _cjk_font() -> Any | None:
    """A font that has Han characters, when the system has one (labels are the terms)."""
    from matplotlib import font_manager

    for name in ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "SimHei",
                 "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN"):
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
            return font_manager.FontProperties(fname=path)
        except ValueError:
            continue
    return None
