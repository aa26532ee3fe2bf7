"""Which campaign an article is about: date-aware, explainable, able to say ``none``.

Most articles that mention a campaign's slogan are not about the campaign (a leader's tour, a meeting with many
topics, a slogan used in passing, 八项规定 long after its campaign). So the decision weighs salience and the date:

- cues: each campaign's names (``short``), signature slogans (``cues``) and words it shares with other campaigns
  (``shared``: bare 主题教育 or 学习教育, which count only inside the campaign's window), matched on characters,
  longest form first (不忘初心、牢记使命主题教育 is one cue, not also 主题教育);
- where: a weighted hit in the title counts ``TITLE_WEIGHT``×, in the lead ``LEAD_WEIGHT``×; density per 1,000
  characters and the number of distinct cues add to the salience;
- when: the document's date against the campaign's window: inside 1, in the follow-up tail ``TAIL_FIT``, just
  before the start ``BEFORE_FIT``, elsewhere ``OUTSIDE_FIT``. Without a date, the latest plenary session the text
  names gives only the earliest it can be (党的十八大以来 is written for years after 2012): a campaign under way
  then is judged at that month, one that starts later is possible (``UNDATED_FIT``), one over by then is not;
- genre: a leader's tour (its title says who went where to inspect) counts a campaign it does not name in the
  title and names fewer than ``TOUR_HITS`` times at ``TOUR_FACTOR`` of its salience, an honour (追授…称号, 时代楷模)
  at ``HONOUR_FACTOR``;
- score = salience × date fit; confidence = score / (score + ``SCALE``); the label is the best campaign when its
  confidence reaches the threshold, else ``none``.
"""
from __future__ import annotations

import configparser
import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .corpus import Document
from .errors import EmptyCorpusError, InputError, UsageError
from .lexicon import LongestMatcher, expand_forms, too_short
from .parallel import map_documents
from .regions import REGION_NAMES, find_regions
from .resources import DataFile, package_file, provenance, user_file

KINDS = ("central", "local", "theme")
TITLE_WEIGHT = 4.0
FIRST_SENTENCE_WEIGHT = 3.0
LEAD_WEIGHT = 1.0
DENSITY_FLOOR = 1000  # characters: a short item is not made salient by one mention in few characters
TAIL_FIT = 0.8
BEFORE_FIT = 0.4
OUTSIDE_FIT = 0.08
UNDATED_FIT = 0.7
SCALE = 8.0
# A leader's tour (李希在湖南调研, 习近平在云南考察时强调…) lists many tasks; a campaign among them is not what the
# report is about unless the title names it or the report keeps coming back to it (TOUR_HITS cues or more): else its
# salience counts TOUR_FACTOR.
TOUR_FACTOR = 0.6
TOUR_HITS = 6
_TOUR_TITLE = re.compile(r"(?:^|——|\s)[\u4e00-\u9fff]{2,4}(?:总书记|主席)?(?:在|到|赴)[^，。：:]{1,14}?(?:调研|考察|视察|检查|看望)")
# An honour (追授…“全国优秀共产党员”称号, 时代楷模, a model's 先进事迹, 向…同志学习, 表彰) is about the people honoured: the
# campaign of the day stands in it as the frame (党的群众路线教育实践活动开展以来…), among the issuers (its leading
# group) or as a task (纳入…学习教育重要内容). Unless the title names the campaign or the report keeps coming back to
# it (TOUR_HITS), its salience counts HONOUR_FACTOR: benchmarks/data/classify_dev_labels.tsv, set honour.
HONOUR_FACTOR = 0.3
_HONOUR_TITLE = re.compile(r"追授|授予|称号|楷模|勋章|先进事迹|同志学习|表彰|优秀共产党员")
# A theme is a tag when the title names it, or the text comes back to it: THEME_MENTIONS mentions, or two in a short
# item (THEME_SHORT_CHARS characters or fewer, title included: a brief, a commentary). One mention is a passing one
# (统筹疫情防控和经济社会发展 in a communiqué, 巩固拓展脱贫攻坚成果 in a list of tasks), and so are two in a longer
# item more often than not (two tasks in a meeting's lists): benchmarks/data/tag_dev_labels.tsv, sets tags6 and tags6s.
THEME_MENTIONS = 3
THEME_SHORT_CHARS = 800
DEFAULT_THRESHOLD = 0.5
COLUMNS = ("doc_id", "title", "date", "label", "confidence", "runner_up", "tags")
EXPLAIN_COLUMNS = (*COLUMNS, "date_used", "date_fit", "evidence", "tag_evidence")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_KEY_OF_ROLE = {"name": "name", "short": "short", "cue": "cues", "shared": "shared"}  # a cue's key in the file


@dataclass(frozen=True)
class Cue:
    form: str  # as written in the definition
    role: str  # name, short, cue or shared
    weight: float


@dataclass(frozen=True)
class Campaign:
    id: str
    kind: str
    name: str
    short: tuple[str, ...]
    cues: tuple[Cue, ...]
    start: str = ""
    end: str = ""
    tail_end: str = ""
    predecessor: str = ""
    successor: str = ""
    note: str = ""
    origin: str = "package"

    def date_fit(self, date: str, earliest: bool = False) -> tuple[float, str]:
        """How well a date (YYYY, YYYY-MM or YYYY-MM-DD) fits the window, and why. ``earliest``: the document is
        from ``date`` or later (see ``infer_date``)."""
        if not self.start:
            return 1.0, "no window"
        if not date:
            return UNDATED_FIT, "undated"
        if earliest and date[:7] < self.start:
            return UNDATED_FIT, f"possible: from {date[:7]} on, window {self.start}..{self.tail_end or self.end}"
        month = date[:7]
        if len(date) == 4:  # a year only: the best month of that year
            months = [f"{date}-{m:02d}" for m in range(1, 13)]
            return max((self.date_fit(m) for m in months), key=lambda x: x[0])
        tail_end = self.tail_end or self.end
        if self.start <= month <= self.end:
            return 1.0, f"in window {self.start}..{self.end}"
        if self.end < month <= tail_end:
            return TAIL_FIT, f"in follow-up {self.end}..{tail_end}"
        if _months_between(month, self.start) in (1, 2):
            return BEFORE_FIT, f"just before start {self.start}"
        return OUTSIDE_FIT, f"outside window {self.start}..{tail_end}"


def _months_between(a: str, b: str) -> int:
    return (int(b[:4]) - int(a[:4])) * 12 + int(b[5:7]) - int(a[5:7])


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _parse(f: DataFile) -> list[Campaign]:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",), inline_comment_prefixes=None,
                                       strict=True)
    parser.optionxform = str  # type: ignore[assignment]
    try:
        parser.read_string(f.numbered_text(), source=f.origin)
    except configparser.Error as exc:
        raise InputError(f.origin, f"not a campaign file: {' '.join(str(exc).split())}",
                         "see docs/commands/classify.md for the format") from None
    out = []
    for cid in parser.sections():
        sec = parser[cid]
        kind = sec.get("kind", "local").strip()
        if kind not in KINDS:
            raise InputError(f.origin, f"campaign {cid}: unknown kind {kind!r}", f"use one of {', '.join(KINDS)}")
        name = sec.get("name", "").strip()
        if not name:
            raise InputError(f.origin, f"campaign {cid} has no name", "add a 'name = …' line")
        for key in ("start", "end", "tail_end"):
            v = sec.get(key, "").strip()
            if v and not _MONTH.match(v):
                raise InputError(f.origin, f"campaign {cid}: {key} {v!r} is not YYYY-MM")
        cues = [Cue(name, "name", 3.0)] + [Cue(s, "short", 3.0) for s in _split(sec.get("short", ""))]
        for role in ("cues", "shared"):
            for item in _split(sec.get(role, "")):
                form, _, weight = item.rpartition(":") if ":" in item else (item, "", "1")
                try:
                    w = float(weight)
                except ValueError:
                    raise InputError(f.origin, f"campaign {cid}: weight of {form!r} is not a number") from None
                cues.append(Cue(form.strip(), "cue" if role == "cues" else "shared", w))
        short_cue = next((c for c in cues if too_short(c.form)), None)
        if short_cue is not None:
            raise InputError(f.origin, f"campaign {cid}: {_KEY_OF_ROLE[short_cue.role]} {short_cue.form!r} has "
                             "fewer than two characters",
                             "give the cue in full; a single character is in too many words to count")
        start, end = sec.get("start", "").strip(), sec.get("end", "").strip()
        if start and not end:
            end = start[:4] + "-12"
        out.append(Campaign(cid, kind, name, tuple(_split(sec.get("short", ""))), tuple(cues), start, end,
                            sec.get("tail_end", "").strip(), sec.get("predecessor", "").strip(),
                            sec.get("successor", "").strip(), sec.get("note", "").strip(), f.origin))
    if not out:
        raise InputError(f.origin, "no campaign sections", "see docs/commands/classify.md for the format")
    return out


class Campaigns:
    """Campaign definitions and one matcher over all their cue forms."""

    def __init__(self, campaigns: list[Campaign], files: list[DataFile]) -> None:
        by_id: dict[str, Campaign] = {}
        for c in campaigns:
            by_id[c.id] = c  # a user's definition replaces a shipped one with the same id
        self.by_id = by_id
        self.files = files

    @property
    def central(self) -> list[Campaign]:
        return [c for c in self.by_id.values() if c.kind != "theme"]

    @property
    def themes(self) -> list[Campaign]:
        return [c for c in self.by_id.values() if c.kind == "theme"]

    @cached_property
    def form_table(self) -> dict[str, list[tuple[str, Cue]]]:
        table: dict[str, list[tuple[str, Cue]]] = defaultdict(list)
        for c in self.by_id.values():
            for cue in c.cues:
                for form in expand_forms(cue.form):
                    if not any(cid == c.id for cid, _ in table[form]):
                        table[form].append((c.id, cue))
        return dict(table)

    @cached_property
    def matcher(self) -> LongestMatcher:
        return LongestMatcher({form: form for form in self.form_table})

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, form)``, leftmost-longest, non-overlapping."""
        return self.matcher.matches(text)

    def provenance(self) -> dict[str, str]:
        return provenance(self.files)


def load_campaigns(extra_files: tuple[str, ...] = (), use_default: bool = True) -> Campaigns:
    files = ([package_file("campaigns.ini")] if use_default else []) + [
        user_file(f, "campaign") for f in extra_files]
    campaigns: list[Campaign] = []
    for f in files:
        campaigns.extend(_parse(f))
    if not campaigns:
        raise UsageError("no campaign definitions", "give --campaigns FILE or drop --no-default-campaigns")
    return Campaigns(campaigns, files)


# -- dates ---------------------------------------------------------------------------------------------------------
# Plenary sessions: a text naming one was written after it (the latest named bounds the date from below).
_PLENUMS = {
    "十六届三中全会": "2003-10", "十六届四中全会": "2004-09", "十六届五中全会": "2005-10", "十六届六中全会": "2006-10",
    "十七大": "2007-10", "十七届三中全会": "2008-10", "十七届四中全会": "2009-09", "十七届五中全会": "2010-10",
    "十七届六中全会": "2011-10", "十八大": "2012-11", "十八届三中全会": "2013-11", "十八届四中全会": "2014-10",
    "十八届五中全会": "2015-10", "十八届六中全会": "2016-10", "十九大": "2017-10", "十九届二中全会": "2018-01",
    "十九届三中全会": "2018-02", "十九届四中全会": "2019-10", "十九届五中全会": "2020-10",
    "十九届六中全会": "2021-11", "二十大": "2022-10", "二十届二中全会": "2023-02", "二十届三中全会": "2024-07",
    "二十届四中全会": "2025-10",
}
_PLENUM_RE = re.compile("|".join(sorted(map(re.escape, _PLENUMS), key=len, reverse=True)))


def infer_date(doc: Document) -> tuple[str, str, bool]:
    """The date to judge a document by, where it came from, and whether it is only the earliest the document can
    be: the metadata's date; else the month after the latest plenary session the text names, as the earliest (the
    text may be years later: 党的十八大以来). Years named in the text are not used: they are as often the past
    (1921年) or a target (到2035年) as the present; on the hand-checked dev items stripped of their dates, judging by
    them lowered accuracy (0.938 with them as the earliest, 0.929 as the date, 0.942 without)."""
    if doc.date:
        return doc.date, "metadata", False
    plenums = [_PLENUMS[m.group()] for m in _PLENUM_RE.finditer(doc.text)]
    latest = max(plenums, default="")
    if latest:
        name = next(k for k, v in _PLENUMS.items() if v == latest)
        return _next_month(latest), f"after {name} ({latest}), or later", True
    return "", "undated", False


def _next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12)}-{m % 12 + 1:02d}"


# -- the decision --------------------------------------------------------------------------------------------------
@dataclass
class Evidence:
    form: str
    count: int
    where: str  # title, lead or body (the most prominent place)
    weight: float

    def __str__(self) -> str:
        return f"{self.form}×{self.count} {self.where}"  # as --explain shows it


@dataclass
class CampaignScore:
    campaign: str
    salience: float
    date_fit: float
    date_reason: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.salience * self.date_fit

    @property
    def confidence(self) -> float:
        return self.score / (self.score + SCALE) if self.score > 0 else 0.0


@dataclass
class Classification:
    doc_id: str
    title: str
    date: str
    label: str
    confidence: float
    runner_up: str
    tags: tuple[str, ...]
    date_used: str
    date_source: str
    scores: list[CampaignScore]
    date_is_earliest: bool = False  # date_used is only the earliest the document can be (see infer_date)
    tag_evidence: dict[str, list[Evidence]] = field(default_factory=dict)  # theme → the cues that made it a tag

    def row(self, explain: bool = False) -> tuple[Any, ...]:
        base = (self.doc_id, self.title, self.date, self.label, round(self.confidence, 4), self.runner_up,
                "|".join(self.tags))
        if not explain:
            return base
        best = next((s for s in self.scores if s.campaign == self.label), self.scores[0] if self.scores else None)
        evidence = "; ".join(map(str, best.evidence)) if best else ""
        fit = f"{best.date_fit:g} {best.date_reason}" if best else ""
        tag_evidence = "; ".join(f"{theme}: " + ", ".join(map(str, found))
                                 for theme, found in self.tag_evidence.items())
        return (*base, f"{self.date_used} ({self.date_source})" if self.date_used else "undated", fit, evidence,
                tag_evidence)


def score_document(doc: Document, campaigns: Campaigns, date: str, earliest: bool = False
                   ) -> tuple[list[CampaignScore], dict[str, list[Evidence]]]:
    """Every campaign's salience, date fit and evidence for one document; and its theme tags, each with the cues that
    made it one. ``earliest``: see ``Campaign.date_fit``."""
    r = find_regions(doc)
    text = doc.text
    length = len(r.title) + len(text) - r.body_start
    chars = max(length, DENSITY_FLOOR)
    # campaign id → cue → hits in (title, first sentence, lead, body)
    found: dict[str, dict[Cue, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    for _, _, form in campaigns.matches(r.title):
        for cid, cue in campaigns.form_table[form]:
            found[cid][cue][0] += 1
    # The text is matched whole and each hit goes to the region where it starts: the lead ends at a character count,
    # and matching the regions apart lost a cue that straddled the cut (扫黑除|恶专项斗争).
    for start, _, form in campaigns.matches(text[r.body_start:]):
        where = r.region_of(start + r.body_start)
        for cid, cue in campaigns.form_table[form]:
            found[cid][cue][where] += 1
    scores: list[CampaignScore] = []
    tags: dict[str, list[Evidence]] = {}
    # A genre whose campaign mentions are seldom what it is about: its factor (1 for other articles).
    genre = min(TOUR_FACTOR if _TOUR_TITLE.search(r.title) else 1.0,
                HONOUR_FACTOR if _HONOUR_TITLE.search(r.title) else 1.0)
    for cid, cues in found.items():
        c = campaigns.by_id[cid]
        fit, reason = c.date_fit(date, earliest)
        salience = 0.0
        total = 0.0
        evidence = []
        for cue, (t, f, l, b) in cues.items():
            if cue.role == "shared" and fit < TAIL_FIT:
                continue  # bare 主题教育 outside this campaign's window belongs to another campaign
            salience += cue.weight * (TITLE_WEIGHT * min(t, 2) + FIRST_SENTENCE_WEIGHT * min(f, 1)
                                      + LEAD_WEIGHT * min(l, 2))
            total += cue.weight * (t + f + l + b)
            where = REGION_NAMES[next(i for i, c in enumerate((t, f, l, b)) if c)]
            evidence.append(Evidence(cue.form, t + f + l + b, where, cue.weight))
        if not evidence:
            continue
        density = total * 1000.0 / chars
        # Repetition and density matter, with diminishing returns: a passing mention stays small.
        salience += 1.5 * math.log1p(total) + 0.4 * min(density, 10.0) + 0.5 * (len(evidence) - 1)
        if genre < 1.0 and sum(e.count for e in evidence) < TOUR_HITS and not any(e.where == "title"
                                                                                  for e in evidence):
            salience *= genre
        evidence.sort(key=lambda e: (REGION_NAMES.index(e.where), -e.count * e.weight, e.form))
        if c.kind == "theme":
            mentions = sum(e.count for e in evidence)
            if any(e.where == "title" for e in evidence) or mentions >= THEME_MENTIONS or (
                    mentions >= 2 and length <= THEME_SHORT_CHARS):
                tags[cid] = evidence
            continue
        scores.append(CampaignScore(cid, salience, fit, reason, evidence))
    scores.sort(key=lambda s: (-s.score, s.campaign))
    return scores, dict(sorted(tags.items()))


def classify_document(doc: Document, campaigns: Campaigns, threshold: float = DEFAULT_THRESHOLD) -> Classification:
    date, source, earliest = infer_date(doc)
    scores, tags = score_document(doc, campaigns, date, earliest)
    best = scores[0] if scores else None
    label = best.campaign if best and best.confidence >= threshold else "none"
    confidence = best.confidence if best else 0.0
    if label == "none":
        confidence = 1.0 - confidence
    runner_up = ""
    if label != "none":
        runner_up = scores[1].campaign if len(scores) > 1 else "none"
    elif best is not None:
        runner_up = best.campaign
    return Classification(doc.id, doc.title, doc.date, label, confidence, runner_up, tuple(tags), date, source,
                          scores, earliest, tags)


def check_threshold(threshold: float) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise UsageError("--threshold must be between 0 and 1")


def classify(docs: Iterable[Document], campaigns: Campaigns, threshold: float = DEFAULT_THRESHOLD
             ) -> Iterator[Classification]:
    check_threshold(threshold)
    n = 0
    work = functools.partial(classify_document, campaigns=campaigns, threshold=threshold)
    for _doc, result in map_documents(docs, work, metadata_only=True, check_ids=True):
        n += 1
        yield result
    if n == 0:
        raise EmptyCorpusError()
