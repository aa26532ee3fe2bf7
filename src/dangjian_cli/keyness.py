"""Keyness: which terms a target set of documents over-uses (or under-uses) against a reference set.

Statistics, for a term with count a in the target (c tokens) and b in the reference (d tokens):
- log-likelihood G² = 2 Σ O ln(O/E) over the two cells (Dunning 1993; Rayson & Garside 2000), p from χ²(1);
- Pearson χ² on the 2×2 table [[a, b], [c−a, d−b]] (no continuity correction), p from χ²(1);
- log-ratio = log2((a/c) / (b/d)), zero counts replaced by 0.5 (Hardie 2014): the effect size. In a small target
  (c far below d) the 0.5 can make a term the target never uses look over-used (0.5/c > b/d); the effect is then
  0, never a sign against the counts, and a term's direction is always that of its observed rates a/c and b/d;
- Fightin' Words: the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008),
  z = δ / √var, prior α_w = α0 · (a+b)/(c+d) from the two sets together, α0 = ``prior_mass``; p is two-sided normal.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .corpus import group_of
from .errors import EmptyCorpusError, UsageError

STATISTICS = ("g2", "chi2", "log-ratio", "fightin")
DIRECTIONS = ("over", "under", "both")
COLUMNS = ("term", "target_count", "reference_count", "target_per_10k", "reference_per_10k", "statistic", "p",
           "effect", "direction")


@dataclass(frozen=True)
class KeynessRow:
    term: str
    target_count: int
    reference_count: int
    target_per_10k: float
    reference_per_10k: float
    g2: float
    g2_p: float
    chi2: float
    chi2_p: float
    log_ratio: float
    fightin_z: float
    fightin_p: float
    direction: str  # over, under or equal: the observed rates compared (see ``direction_of``)

    def statistic(self, name: str) -> tuple[float, float]:
        """``(value, p)`` of the named statistic; values are signed for direction (negative: under-used)."""
        sign = -1.0 if self.direction == "under" else 1.0
        if name == "g2":
            return sign * self.g2, self.g2_p
        if name == "chi2":
            return sign * self.chi2, self.chi2_p
        if name == "log-ratio":
            return self.log_ratio, self.g2_p
        return self.fightin_z, self.fightin_p


def _xlogx_ratio(o: float, e: float) -> float:
    return o * math.log(o / e) if o > 0 else 0.0


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    return 2.0 * (_xlogx_ratio(a, e1) + _xlogx_ratio(b, e2))


def chi_square(a: int, b: int, c: int, d: int) -> float:
    """Pearson χ² on [[a, b], [c − a, d − b]]."""
    n = c + d
    cells = ((a, b), (c - a, d - b))
    rows = (a + b, n - a - b)
    cols = (c, d)
    total = 0.0
    for i in range(2):
        for j in range(2):
            e = rows[i] * cols[j] / n
            if e > 0:
                total += (cells[i][j] - e) ** 2 / e
    return total


def direction_of(a: int, b: int, c: int, d: int) -> str:
    """``over`` when the target's rate a/c is above the reference's b/d, ``under`` below, else ``equal`` (exact)."""
    observed = a * d - b * c
    return "over" if observed > 0 else ("under" if observed < 0 else "equal")


def log_ratio(a: int, b: int, c: int, d: int) -> float:
    """Hardie's log-ratio, 0 where the 0.5 put for a zero count would point against the observed rates."""
    value = math.log2(((a or 0.5) / c) / ((b or 0.5) / d))
    direction = direction_of(a, b, c, d)
    if direction == "under":
        return min(value, 0.0)
    if direction == "over":
        return max(value, 0.0)
    return 0.0


def fightin_words(a: int, b: int, c: int, d: int, prior_mass: float) -> float:
    alpha = prior_mass * (a + b) / (c + d)
    delta = math.log((a + alpha) / (c + prior_mass - a - alpha)) - math.log((b + alpha) / (d + prior_mass - b - alpha))
    var = 1.0 / (a + alpha) + 1.0 / (b + alpha)
    return delta / math.sqrt(var)


def _chi2_sf(x: float) -> float:
    # Survival function of χ² with one degree of freedom.
    return math.erfc(math.sqrt(max(x, 0.0) / 2.0))


def _normal_two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


@dataclass
class KeynessSettings:
    statistic: str = "g2"
    direction: str = "over"
    min_count: int = 5
    top: int = 50
    prior_mass: float = 1000.0

    def __post_init__(self) -> None:
        if self.statistic not in STATISTICS:
            raise UsageError(f"unknown statistic {self.statistic!r}", f"use one of: {', '.join(STATISTICS)}")
        if self.direction not in DIRECTIONS:
            raise UsageError(f"unknown direction {self.direction!r}", f"use one of: {', '.join(DIRECTIONS)}")
        if self.min_count < 0 or self.top < 0 or self.prior_mass <= 0:
            raise UsageError("--min-count and --top must be ≥ 0 and --prior-mass > 0")


def count_words(docs: Iterable[Any], analyzer: Any, seen: set[tuple[str, str]] | None = None
                ) -> tuple[Counter[str], int]:
    """Token counts of a corpus and its number of documents (tokenised in worker processes with ``--jobs``).
    ``seen``: each document's (file, id) is added to it (see ``target_and_reference``)."""
    counts: Counter[str] = Counter()
    n = 0
    real: dict[str, str] = {}  # a file's path → its real path (a JSON Lines file's rows share one)
    for doc, words in analyzer.map_words(docs, counted=True):
        counts.update(words)
        n += 1
        if seen is not None and doc.path not in ("", "-"):
            path = real.get(doc.path) or real.setdefault(doc.path, os.path.realpath(doc.path))
            seen.add((path, doc.id))
    return counts, n


def target_and_reference(target: Iterable[Any], reference: Iterable[Any], analyzer: Any,
                         warn: Callable[[str], None] | None = None
                         ) -> tuple[Counter[str], int, Counter[str], int]:
    """Token counts and numbers of documents of a target and a reference corpus. A document read in both (the
    same file and id) is counted in both, with a warning: keyness compares two separate sets. The same documents
    on both sides is an error (every term would be used alike)."""
    in_target: set[tuple[str, str]] = set()
    in_reference: set[tuple[str, str]] = set()
    tgt, n_t = count_words(target, analyzer, in_target)
    ref, n_r = count_words(reference, analyzer, in_reference)
    if n_t == 0 or n_r == 0:
        raise EmptyCorpusError("no documents with text in the " + ("target" if n_t == 0 else "reference"))
    shared = len(in_target & in_reference)
    if shared and shared == len(in_target) == len(in_reference) == n_t == n_r:
        raise UsageError(f"the target and the reference are the same {n_t} document{'s' if n_t > 1 else ''}",
                         "give a reference of other documents, or use --group-by FIELD --target VALUE")
    if shared and warn is not None:
        warn(f"{shared} document{'s are' if shared > 1 else ' is'} in both the target and the reference (the same "
             "file and id); keyness compares two separate sets, so leave them out of one of them")
    return tgt, n_t, ref, n_r


def split_counts(docs: Iterable[Any], analyzer: Any, field: str, target: str | Sequence[str],
                 against: Sequence[str] | None = None) -> tuple[Counter[str], int, Counter[str], int]:
    """Token counts and numbers of documents of the groups ``target`` (a value of ``field``, or several) and of the
    reference: the groups ``against`` when given (a period against the one before it), else every other document.
    Documents in neither are not counted; documents without a value are in the group ``(none)``. A group on both
    sides, or a named group no document is in, is an error (the values are the CLI's ``--target``/``--against``)."""
    targets = {target} if isinstance(target, str) else set(target)
    references = None if against is None else set(against)
    both = sorted(targets & (references or set()))
    if both:
        raise UsageError(f"{field} = {both[0]!r} is given as both --target and --against",
                         "a group can be on one side only")
    tgt: Counter[str] = Counter()
    ref: Counter[str] = Counter()
    n_t = n_r = 0
    for doc, words in analyzer.map_words(docs, counted=True):
        group = group_of(doc, field)
        if group in targets:
            tgt.update(words)
            n_t += 1
        elif references is None or group in references:
            ref.update(words)
            n_r += 1
    if n_t == 0 or (n_r == 0 and against):
        option, values = ("--target", [target] if isinstance(target, str) else target) if n_t == 0 \
            else ("--against", against)
        raise UsageError(f"no document has {field} = {' or '.join(map(repr, values))}",
                         f"list the values with 'dangjian corpus' or check {option}")
    return tgt, n_t, ref, n_r


def keyness(target: Counter[str], reference: Counter[str], settings: KeynessSettings) -> list[KeynessRow]:
    """Keyness rows sorted by the chosen statistic (strongest first), filtered by direction and minimum count."""
    c = sum(target.values())
    d = sum(reference.values())
    if c == 0:
        raise EmptyCorpusError("the target documents have no tokens", "check the target paths or --target value")
    if d == 0:
        raise EmptyCorpusError("the reference documents have no tokens", "check --reference or the group values")
    rows = []
    for term in set(target) | set(reference):
        a, b = target.get(term, 0), reference.get(term, 0)
        if settings.direction == "over" and a < settings.min_count:
            continue
        if settings.direction == "under" and b < settings.min_count:
            continue
        if settings.direction == "both" and max(a, b) < settings.min_count:
            continue
        g2 = log_likelihood(a, b, c, d)
        x2 = chi_square(a, b, c, d)
        z = fightin_words(a, b, c, d, settings.prior_mass)
        row = KeynessRow(term, a, b, a / c * 1e4, b / d * 1e4, g2, _chi2_sf(g2), x2, _chi2_sf(x2),
                         log_ratio(a, b, c, d), z, _normal_two_sided(z), direction_of(a, b, c, d))
        if settings.direction == "over" and row.direction != "over":
            continue
        if settings.direction == "under" and row.direction != "under":
            continue
        rows.append(row)
    rows.sort(key=lambda r: (-abs(r.statistic(settings.statistic)[0]), r.term))
    return rows[:settings.top] if settings.top else []


def why_no_rows(settings: KeynessSettings) -> str | None:
    """Why ``keyness`` gave no rows (a warning, since an empty table alone reads as "nothing differs"), or None
    when the empty table is what was asked for (``--top 0``)."""
    if not settings.top:
        return None
    used = {"over": "over-used and counted", "under": "under-used and counted", "both": "counted"}
    where = {"over": "in the target", "under": "in the reference", "both": "in the target or the reference"}
    return (f"no term is {used[settings.direction]} at least {settings.min_count} times "
            f"{where[settings.direction]}; lower --min-count"
            + (" (or try --direction both)" if settings.direction != "both" else "") + " for small corpora")


def keyness_table_rows(rows: list[KeynessRow], statistic: str) -> list[tuple[Any, ...]]:
    out = []
    for r in rows:
        value, p = r.statistic(statistic)
        out.append((r.term, r.target_count, r.reference_count, r.target_per_10k, r.reference_per_10k, value, p,
                    r.log_ratio, r.direction))
    return out
