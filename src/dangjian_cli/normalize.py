"""Normalisation of raw article text for analysis, with a map back to the original offsets.

Steps, in order: traditional → simplified (per document, only when the document is traditional), full-width Latin
letters and digits → half-width, quote variants unified, HTML markup removed, web and broadcast debris removed, lines
broken mid-sentence joined, white space tidied. Character replacements keep every offset; deletions are recorded in
an ``OffsetMap`` so that any span of the normalised text can be traced to the original.
"""
from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass
from collections.abc import Callable, Iterator
from functools import cached_property, lru_cache
from itertools import accumulate, compress

from .resources import DataFile, package_file, user_file

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Full-width Latin letters and digits to half-width; Chinese punctuation is kept. Quote variants are unified so that
# lexicon forms written with “” match text written with 「」 or 『』.
_TRANSLATE = {code: code - 0xFEE0 for code in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B))
              + list(range(0xFF41, 0xFF5B))}
_TRANSLATE.update({0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: 0x20,
                   0xFEFF: 0x20, 0x09: 0x20, ord("「"): ord("“"), ord("」"): ord("”"), ord("『"): ord("‘"),
                   ord("』"): ord("’"), ord("〝"): ord("“"), ord("〞"): ord("”"), ord("＂"): ord('"'),
                   ord("﹁"): ord("“"), ord("﹂"): ord("”"), ord("\r"): ord("\n"), 0x2028: ord("\n"),
                   0x2029: ord("\n"), ord("．"): ord(".")})
# Most documents hold none of these characters: finding that out by one regex scan is ten times faster than
# str.translate with a dict over the whole text.
_TRANSLATABLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _TRANSLATE) + "]")

# A line that ends with one of these ends a sentence; a line that does not may have been broken mid-sentence.
SENTENCE_END = set("。！？!?；;…”’」』)）】》:：.")
# Characters that cannot begin a sentence: a line starting with one continues the line before.
CONTINUATION_START = set("的地得了着过和与及或并而但却也又就才都，、。；：！？”’）)》」』")

TRADITIONAL_SHARE = 0.10  # share of Han characters that change under t2s above which a document is traditional


@dataclass(frozen=True)
class OffsetMap:
    """Piecewise-linear map from normalised offsets to original offsets.

    Segment k covers normalised offsets [norm_starts[k], norm_starts[k+1]) and maps offset i to
    orig_starts[k] + (i - norm_starts[k]).
    """

    norm_starts: tuple[int, ...] = (0,)
    orig_starts: tuple[int, ...] = (0,)

    def to_original(self, offset: int) -> int:
        k = bisect_right(self.norm_starts, offset) - 1
        return self.orig_starts[k] + (offset - self.norm_starts[k])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalised ``[start, end)``; deleted text inside the span is included."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1


def _delete_spans(text: str, omap: OffsetMap, spans: list[tuple[int, int]]) -> tuple[str, OffsetMap]:
    """Remove sorted, non-overlapping ``spans`` from ``text`` and compose the offset map."""
    if not spans:
        return text, omap
    pieces: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    old_n, old_o = omap.norm_starts, omap.orig_starts
    pos = 0
    new_len = 0

    def keep(a: int, b: int) -> None:
        nonlocal new_len
        if b <= a:
            return
        pieces.append(text[a:b])
        k = bisect_right(old_n, a) - 1
        cursor = a
        while cursor < b:
            seg_end = old_n[k + 1] if k + 1 < len(old_n) else b
            stop = min(seg_end, b)
            orig = old_o[k] + (cursor - old_n[k])
            if norm_starts and orig_starts[-1] + (new_len - norm_starts[-1]) == orig:
                pass  # contiguous with the previous segment
            else:
                norm_starts.append(new_len)
                orig_starts.append(orig)
            new_len += stop - cursor
            cursor = stop
            k += 1

    for a, b in spans:
        keep(pos, a)
        pos = max(pos, b)
    keep(pos, len(text))
    if not norm_starts:
        norm_starts, orig_starts = [0], [omap.to_original(0) if text else 0]
    return "".join(pieces), OffsetMap(tuple(norm_starts), tuple(orig_starts))


@dataclass(frozen=True, eq=False)
class BoilerplatePatterns:
    line_patterns: tuple[re.Pattern[str], ...]
    inline_patterns: tuple[re.Pattern[str], ...]
    files: tuple[DataFile, ...]
    tail_patterns: tuple[re.Pattern[str], ...] = ()

    def is_tail_line(self, line: str) -> bool:
        s = line.strip()
        return bool(s) and self._tail_test is not None and self._tail_test(s) is not None

    def is_debris_line(self, line: str) -> bool:
        s = line.strip()
        return bool(s) and self._debris_test is not None and self._debris_test(s) is not None

    def __getstate__(self) -> dict:
        # Compiled line tests are made again where they are used (a worker process), not pickled.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def inline_patterns_in(self, text: str) -> tuple[re.Pattern[str], ...]:
        """The inline patterns that may match some line of ``text``. A pattern without anchors or look-behind that
        matches inside a line also matches the whole text, so one search of the whole text rules most out."""
        return tuple(p for p, scannable in self._inline_scannable if not scannable or p.search(text))

    def debris_spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of ``text`` to delete, in order: debris lines (with their line break), inline debris, and
        everything from the first tail line on. Each line is tested as ``is_tail_line`` and ``is_debris_line`` do;
        the tests run over all lines through ``map`` because a Python loop over every line cost more than the
        matching itself."""
        lines = text.split("\n")
        stripped = list(map(str.strip, lines))
        n = len(lines)
        tail = self._tail_test
        if tail is not None:
            n = next((i for i in compress(range(n), map(tail, stripped)) if stripped[i]), n)
        debris = self._debris_test
        hits = [] if debris is None else [i for i in compress(range(n), map(debris, stripped[:n])) if stripped[i]]
        before = list(accumulate(map(len, lines), initial=0))  # characters before line i, line breaks not counted

        def start(i: int) -> int:
            return before[i] + i

        def end(i: int) -> int:  # with the line break
            return min(before[i + 1] + i + 1, len(text))

        inline = self.inline_patterns_in(text)
        spans: list[tuple[int, int]] = []
        if not inline:
            spans = [(start(i), end(i)) for i in hits]
        else:
            is_debris = set(hits)
            for i in range(n):
                if i in is_debris:
                    spans.append((start(i), end(i)))
                    continue
                a, b = start(i), end(i)
                line = text[a:b]
                inner = [(a + x.start(), a + x.end()) for p in inline for x in p.finditer(line) if x.end() > x.start()]
                if inner:
                    spans.extend(_merge(sorted(inner)))
        if n < len(lines):
            spans.append((start(n), len(text)))
        return spans

    @cached_property
    def _tail_test(self) -> Callable[[str], object] | None:
        return _line_test(self.tail_patterns, _combine(self.tail_patterns))

    @cached_property
    def _debris_test(self) -> Callable[[str], object] | None:
        return _line_test(self.line_patterns, _combine(self.line_patterns))

    @cached_property
    def _inline_scannable(self) -> tuple[tuple[re.Pattern[str], bool], ...]:
        def anchored(source: str) -> bool:
            return re.search(r"\^|\$|\\[AZbB]|\(\?<", source.replace("[^", "[")) is not None

        return tuple((p, not anchored(p.pattern)) for p in self.inline_patterns)


def _line_test(patterns: tuple[re.Pattern[str], ...], combined: re.Pattern[str] | None
               ) -> Callable[[str], object] | None:
    """A function telling whether a stripped line matches one of ``patterns`` in full (None: no patterns)."""
    if not patterns:
        return None
    if combined is not None:
        return combined.fullmatch
    return lambda s: next((m for p in patterns if (m := p.fullmatch(s)) is not None), None)


def _combine(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """Patterns as one alternation (one regex call per line instead of one per pattern); None when a pattern cannot
    be combined (a back-reference or an inline flag)."""
    sources = [p.pattern for p in patterns]
    if not sources or any(re.search(r"\\\d|\(\?[aiLmsux]", src) for src in sources):
        return None
    try:
        return re.compile("|".join(f"(?:{src})" for src in sources))
    except re.error:
        return None


def load_boilerplate(extra_files: tuple[str, ...] = (), use_default: bool = True) -> BoilerplatePatterns:
    files = ([package_file("boilerplate.txt")] if use_default else []) + [
        user_file(f, "boilerplate") for f in extra_files]
    lines, inline, tail = [], [], []
    for f in files:
        for index, row in enumerate(f.lines):
            kind, _, pattern = row.partition("\t")
            try:
                compiled = re.compile(pattern.strip())
            except re.error as exc:
                from .errors import InputError

                raise InputError(f.origin, f"line {f.line_number(index)}: bad boilerplate pattern {pattern!r} ({exc})"
                                 ) from None
            kind = kind.strip()
            {"line": lines, "inline": inline, "tail": tail}.get(kind, inline).append(compiled)
    return BoilerplatePatterns(tuple(lines), tuple(inline), tuple(files), tuple(tail))


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> re.Pattern[str]:
    """Characters that OpenCC's t2s changes: their share tells traditional documents from simplified ones."""
    conv = _t2s()
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    changed = []
    # Convert in chunks separated by newlines so phrase rules cannot join neighbours.
    for i in range(0, len(chars), 2000):
        chunk = chars[i:i + 2000]
        out = conv.convert("\n".join(chunk)).split("\n")
        if len(out) != len(chunk):
            out = [conv.convert(c) for c in chunk]
        changed.extend(c for c, o in zip(chunk, out) if o != c)
    return re.compile("[" + "".join(changed) + "]")


# Half of a UTF-16 pair: what a JSON "\\ud83d" escape without its partner gives, and what Python makes of a command-line
# argument's bytes that are not UTF-8 (PEP 383). Neither can be written as UTF-8 (or converted by OpenCC).
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def require_utf8(value: str, what: str) -> str:
    """``value`` when it is text that can be written as UTF-8; else the UsageError naming ``what`` (for text given
    on the command line by a terminal that is not set to UTF-8)."""
    from .errors import UsageError

    if LONE_SURROGATE.search(value):
        raise UsageError(f"{what} {value.encode('utf-8', 'surrogateescape')!r} is not UTF-8 text",
                         "set the terminal to UTF-8 (for example LANG=C.UTF-8) and type it again")
    return value


def detect_script(text: str) -> str:
    """``"traditional"`` when at least 10 % of the Han characters are traditional-only forms, else ``"simplified"``."""
    trad = len(_traditional_chars().findall(text))
    if trad < 3:
        return "simplified"  # most documents: no need to count their Han characters
    han = len(HAN.findall(text))
    return "traditional" if trad / han >= TRADITIONAL_SHARE else "simplified"


def to_simplified(text: str) -> str:
    """OpenCC t2s, keeping every character at its offset (lines whose length would change go char by char)."""
    conv = _t2s()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    lines = text.split("\n")
    fixed = []
    for line in lines:
        c = conv.convert(line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := conv.convert(ch)) == 1 else ch for ch in line)
        fixed.append(c)
    return "\n".join(fixed)


@dataclass(frozen=True)
class Normalized:
    text: str  # what analysis runs on
    converted: str  # the original after 1:1 replacements (script and width), before deletions
    offsets: OffsetMap
    script: str


_FULLWIDTH_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\u201c\u201d\u3001\u3002\uff08\uff09"
_HAN_OR_MARK = re.compile(f"[{_HAN_CLASS}]")
_ASCII_PUNCT = re.compile(r"[,;:?!()]")
_LINE = re.compile(r"[^\n]*\n?")
_SPACES = re.compile(r" +")
_NEWLINE_RUN = re.compile(r"\n[ \n]*")


def _chinese_punct_if_beside_han(m: re.Match[str]) -> str:
    """The Chinese form of an ASCII punctuation mark that stands next to Han text (or a Chinese mark)."""
    text, i = m.string, m.start()
    if (i > 0 and _HAN_OR_MARK.match(text, i - 1)) or _HAN_OR_MARK.match(text, i + 1):
        return _FULLWIDTH_PUNCT[m.group()]
    return m.group()


def _should_join(text: str, a: int, b: int) -> bool:
    """Was the paragraph break ``text[a:b]`` (line breaks and spaces, with text on both sides) a line broken
    mid-sentence? Decided on the last character before it, the first after it and the length of the line before,
    without copying either line."""
    first, last = text[b], text[a - 1]
    if first in CONTINUATION_START:
        return True
    if last in SENTENCE_END:
        return False
    if not HAN.match(last) or not HAN.match(first):
        return False
    start = text.rfind("\n", 0, a) + 1
    return a - start >= 40 or (a - start >= 20 and (text.find("，", start, a) >= 0 or text.find("。", start, a) >= 0))


# HTML left in scraped text: tags, comments, the content of script and style blocks, character references. A tag
# needs a letter after ``<`` (or ``</``, ``<!``), and a reference its closing ``;``, so 《》, "a < b" and "R&D" are text.
_MARKUP = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<![A-Za-z][^<>]*>"
                     r"|</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>"
                     r"|&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});", re.S | re.I)
# Tags that end a line of text where they stand (a paragraph, a line break, a cell, a heading).
_LINE_TAGS = frozenset("p br div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table thead tbody section article "
                       "header footer aside nav blockquote pre hr title figure figcaption caption form".split())


def _markup_pieces(text: str) -> Iterator[tuple[int, int, str]]:
    """Each piece of markup in ``text``: its span and what it stands for (a line break for a paragraph tag, the
    character a reference names, else nothing)."""
    for m in _MARKUP.finditer(text):
        found = m.group()
        if found[0] == "&":
            char = html.unescape(found)
            if char == found:  # not a reference HTML knows: text
                continue
            char = char.translate(_TRANSLATE) if len(char) == 1 else ""
        else:
            char = "\n" if (m.group(2) or "").lower() in _LINE_TAGS else ""
        yield m.start(), m.end(), char


def _markup(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with the first character of each piece of markup replaced by what the markup stands for, and the
    spans that then remain to delete: offsets keep, as for the other one-for-one replacements."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for a, b, char in _markup_pieces(text):
        if char:
            pieces.append(text[pos:a])
            pieces.append(char)
            pos = a + 1
            a += 1
        spans.append((a, b))
    if pos:
        pieces.append(text[pos:])
        text = "".join(pieces)
    return text, spans


def strip_markup(text: str) -> str:
    """``text`` without HTML markup, references replaced (for a short string, such as a title)."""
    if "<" not in text and "&" not in text:
        return text
    text, spans = _markup(text)
    return _delete_spans(text, OffsetMap(), spans)[0]


class MarkupFreeView:
    """Slices of an original text shown without its HTML markup, counted in the characters a reader sees: for
    kwic's context, which comes from the original (so traditional stays traditional) but should not show ``<p
    style=…>``. Without markup, every slice is the original's."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pieces = list(_markup_pieces(text)) if "<" in text or "&" in text else []
        self.starts = [a for a, _, _ in self.pieces]

    def _inside(self, offset: int) -> tuple[int, int, str] | None:
        """The piece of markup ``offset`` falls strictly inside, if any."""
        k = bisect_right(self.starts, offset) - 1
        if k >= 0 and self.pieces[k][0] < offset < self.pieces[k][1]:
            return self.pieces[k]
        return None

    def end_of(self, offset: int) -> int:
        """``offset``, moved to the end of the piece of markup it falls inside (a match ending in ``&rdquo;``)."""
        piece = self._inside(offset)
        return piece[1] if piece else offset

    def slice(self, start: int, end: int) -> str:
        """``text[start:end]`` without markup; a piece cut by either end is left out whole."""
        if not self.pieces:
            return self.text[start:end]
        out: list[str] = []
        pos = start
        for a, b, char in self.pieces[max(0, bisect_right(self.starts, start) - 1):]:
            if a >= end:
                break
            if b <= start:
                continue
            out.append(self.text[pos:a] if a > pos else "")
            if a >= start and b <= end:
                out.append(char)
            pos = max(pos, b)
        if pos < end:
            out.append(self.text[pos:end])
        return "".join(out)

    def before(self, offset: int, n: int) -> str:
        """The last ``n`` visible characters before ``offset``."""
        lo, seen = offset, ""
        while n and lo > 0 and len(seen) < n:
            lo = max(0, lo - (n - len(seen)))
            piece = self._inside(lo)
            lo = piece[0] if piece else lo
            seen = self.slice(lo, offset)
        return seen[max(0, len(seen) - n):] if n else ""

    def after(self, offset: int, n: int) -> str:
        """The first ``n`` visible characters from ``offset``."""
        hi, seen = offset, ""
        while n and hi < len(self.text) and len(seen) < n:
            hi = min(len(self.text), hi + (n - len(seen)))
            hi = self.end_of(hi)
            seen = self.slice(offset, hi)
        return seen[:n]


def normalize(raw: str, boilerplate: BoilerplatePatterns | None, script: str | None = None) -> Normalized:
    """Normalise ``raw``; ``boilerplate=None`` keeps debris."""
    script = script or detect_script(raw)
    text = to_simplified(raw) if script == "traditional" else raw
    if _TRANSLATABLE.search(text):
        text = text.translate(_TRANSLATE)
    markup: list[tuple[int, int]] = []
    if "<" in text or "&" in text:  # before the punctuation step, which would turn a reference's ";" into "；"
        text, markup = _markup(text)
    # ASCII punctuation inside Chinese text becomes the Chinese form (one character for one: offsets keep).
    if _ASCII_PUNCT.search(text):
        text = _ASCII_PUNCT.sub(_chinese_punct_if_beside_han, text)
    converted = text
    omap = OffsetMap()
    if markup:
        text, omap = _delete_spans(text, omap, markup)

    if boilerplate is not None:
        text, omap = _delete_spans(text, omap, boilerplate.debris_spans(text))

    # White space: drop spaces at line edges, collapse runs of spaces, then decide each paragraph break.
    spans = []
    end = len(text)
    for m in _SPACES.finditer(text):
        a, b = m.span()
        if a == 0 or b == end or text[a - 1] == "\n" or text[b] == "\n":
            spans.append((a, b))  # at a line's edge: all of it goes
        elif b - a > 1:
            spans.append((a + 1, b))  # inside a line: a run becomes one space
    text, omap = _delete_spans(text, omap, spans)

    spans = []
    for m in _NEWLINE_RUN.finditer(text):
        a, b = m.start(), m.end()
        if a == 0 or b == len(text):
            spans.append((a, b))
            continue
        if _should_join(text, a, b):
            spans.append((a, b))
        elif b - a > 1:
            spans.append((a + 1, b))
    text, omap = _delete_spans(text, omap, spans)
    return Normalized(text, converted, omap, script)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
