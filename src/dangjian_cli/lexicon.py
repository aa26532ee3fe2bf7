"""The slogan lexicon: formulations counted verbatim and kept whole by the tokenizer.

Entries come from ``data/lexicon.tsv`` and from users' files in the same format (``--lexicon FILE``): a user entry
with the same canonical form replaces the shipped one. Each entry's surface forms (its canonical form, its variants,
the same with 、，；, a space or nothing between clauses, and their traditional forms) are matched in one
Aho-Corasick pass; overlapping matches resolve to the longest.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from .errors import InputError
from .resources import DataFile, package_file, user_file

KINDS = ("campaign", "slogan", "formula", "requirement", "term")
_SEPARATORS = ("、", "，", "；", "")
_SEP_RE = re.compile(r"[、，；,;]")
_QUOTES = "“”‘’\"'"
MIN_FORM_CHARS = 2  # a shorter form would be cut out of every word it stands in: never matched, never a token


@dataclass(frozen=True)
class LexiconEntry:
    canonical: str
    kind: str
    campaign: str  # campaign id or ""
    first_year: int | None
    variants: tuple[str, ...]
    note: str
    origin: str

    @property
    def key(self) -> str:
        """The canonical form without quotes: the token's text."""
        return strip_quotes(self.canonical)


def strip_quotes(text: str) -> str:
    return "".join(ch for ch in text if ch not in _QUOTES)


def too_short(form: str) -> bool:
    """Whether a form written in a data file is shorter than ``MIN_FORM_CHARS`` without its quotes: ``expand_forms``
    would drop it, so a file holding one is refused rather than counting it as never found."""
    return len(strip_quotes(form).strip()) < MIN_FORM_CHARS


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: LexiconEntry


def _parse_entries(f: DataFile) -> list[LexiconEntry]:
    out = []
    for index, line in enumerate(f.lines):
        n = f.line_number(index)
        cells = [c.strip() for c in line.split("\t")]
        if cells[0] == "canonical":
            continue  # header
        if len(cells) < 2:
            raise InputError(f.origin, f"lexicon line {n} needs at least canonical and kind, tab-separated",
                             "see docs/data-files.md for the format")
        cells += ["-"] * (6 - len(cells))
        canonical, kind, campaign, first_year, variants, note = cells[:6]
        if kind not in KINDS:
            raise InputError(f.origin, f"lexicon line {n}: unknown kind {kind!r}", f"use one of {', '.join(KINDS)}")
        year: int | None = None
        if first_year not in ("", "-"):
            if not first_year.isdigit():
                raise InputError(f.origin, f"lexicon line {n}: first_year {first_year!r} is not a year")
            year = int(first_year)
        vs = tuple(v.strip() for v in variants.split("|") if v.strip() and v.strip() != "-")
        short = next((form for form in (canonical, *vs) if too_short(form)), None)
        if short is not None:
            raise InputError(f.origin, f"lexicon line {n}: {short!r} has fewer than two characters",
                             "give the formulation in full; count a single character with `dangjian trends`")
        out.append(LexiconEntry(canonical, kind, "" if campaign in ("", "-") else campaign, year, vs,
                                "" if note == "-" else note, f.origin))
    return out


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def expand_forms(base: str) -> set[str]:
    """A formulation's surface forms: 、，；, a space (as headlines write them: 学党史 悟思想 办实事 开新局) or nothing
    between its clauses, with and without quotes, traditional."""
    forms: set[str] = set()
    for b in {base, strip_quotes(base)}:
        parts = _SEP_RE.split(b)
        if len(parts) > 1:
            for sep in (*_SEPARATORS, " "):
                forms.add(sep.join(parts))
        forms.add(b)
    trad = {_s2t().convert(f) for f in forms}
    return {f for f in forms | trad if len(f) >= MIN_FORM_CHARS}


def surface_forms(entry: LexiconEntry) -> set[str]:
    """Every form the entry is matched in: separators varied, quotes dropped, traditional forms added."""
    forms: set[str] = set()
    for base in (entry.canonical, *entry.variants):
        forms |= expand_forms(base)
    return forms


DFA_MAX_STRINGS = 5000


class LongestMatcher:
    """Finds fixed strings in text: the leftmost-longest, non-overlapping matches, in text order, each with the value
    given for its string. One Aho-Corasick automaton (ahocorasick_rs) made on first use; pickled without
    it, so a worker process makes its own.

    Leftmost-longest: at each position, the longest string that starts there, and the search goes on after it; a
    string inside a longer one that fails to complete is still found (in 践行“三严三实”, next to the string
    “三严三实”专题教育)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._strings = [s for s in values if s]  # the automaton refuses an empty string
        self._values = [values[s] for s in self._strings]
        self._automaton: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_automaton": None}

    def __len__(self) -> int:
        return len(self._strings)

    def matches(self, text: str) -> list[tuple[int, int, Any]]:
        """``(start, end, value)`` of each match; offsets are character offsets into ``text``."""
        if not self._strings:
            return []
        automaton = self._automaton
        if automaton is None:
            import ahocorasick_rs

            # A DFA finds matches 2-3x faster than the library's default automaton, and every document passes
            # through it; it costs 13 ms and a few MB to build for the shipped lexicon's 609 forms, but 0.5 s and
            # 300 MB for 50,000 forms (a user's lexicon of place names), so larger sets get the default.
            dfa = len(self._strings) <= DFA_MAX_STRINGS
            automaton = self._automaton = ahocorasick_rs.AhoCorasick(
                self._strings, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                implementation=ahocorasick_rs.Implementation.DFA if dfa else None)
        values = self._values
        return [(start, end, values[i]) for i, start, end in automaton.find_matches_as_indexes(text)]


class Lexicon:
    """Entries and their Aho-Corasick automaton."""

    def __init__(self, entries: list[LexiconEntry], files: list[DataFile]) -> None:
        self.files = files
        by_canonical: dict[str, LexiconEntry] = {}
        for e in entries:
            by_canonical[e.key] = e  # later files replace earlier entries
        self.entries: list[LexiconEntry] = list(by_canonical.values())

    @cached_property
    def surface_to_entry(self) -> dict[str, LexiconEntry]:
        """Every surface form → its entry. Made on first use: the traditional forms need OpenCC's converter (0.03 s
        to load), which a run served from the corpus matrix cache never needs. Pickled with the lexicon once made."""
        found: dict[str, LexiconEntry] = {}
        for e in self.entries:
            for form in sorted(surface_forms(e)):
                # A form shared by two entries belongs to the one whose canonical form it is.
                if form not in found or form == e.key:
                    found[form] = e
        return found

    @cached_property
    def matcher(self) -> LongestMatcher:
        """Every surface form → its entry's canonical key."""
        return LongestMatcher({form: entry.key for form, entry in self.surface_to_entry.items()})

    def __len__(self) -> int:
        return len(self.entries)

    def provenance(self) -> dict[str, str]:
        from .resources import provenance

        return provenance(self.files)

    def find(self, text: str) -> Iterator[Match]:
        """Leftmost-longest, non-overlapping matches of any surface form, in text order."""
        entries = self.surface_to_entry
        for start, end, _key in self.matcher.matches(text):
            yield Match(start, end, entries[text[start:end]])

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, canonical key)`` of every match, in text order."""
        return self.matcher.matches(text)

    @cached_property
    def _by_name(self) -> dict[str, LexiconEntry]:
        # Keys are unique (see __init__), and a canonical form is its key with quotes, so no name has two entries.
        return {name: e for e in self.entries for name in (e.key, e.canonical)}

    def get(self, canonical: str) -> LexiconEntry | None:
        """The entry with this key or canonical form, or None."""
        return self._by_name.get(canonical)

    def __getstate__(self) -> dict:
        self.surface_to_entry  # made once here, not again in every worker process that unpickles the lexicon
        return self.__dict__.copy()


def load_lexicon(extra_files: tuple[str, ...] = (), use_default: bool = True) -> Lexicon:
    files = ([package_file("lexicon.tsv")] if use_default else []) + [user_file(f, "lexicon") for f in extra_files]
    entries: list[LexiconEntry] = []
    for f in files:
        entries.extend(_parse_entries(f))
    return Lexicon(entries, files)
