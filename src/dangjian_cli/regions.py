"""Where a news item's parts stand: title, first sentence, lead, body.

Shared by ``classify`` (salience of a campaign's cues) and ``keywords`` (position weights), so both agree on what the
lead of an article is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .corpus import Document
from .normalize import normalize

# The lead ends at the first sentence's end, or here, whichever is later (the first sentence is capped).
LEAD_CHARS = 160
# A broadcast or wire prefix (央视网消息（新闻联播）：, 新华社北京3月1日电) is not part of the first sentence's content.
_BROADCAST_PREFIX = re.compile(r"\s*(?:央视网消息|中国网络电视台消息|新华社[^：:]{0,12}电|本台消息)[^：:]{0,12}[：:]\s*"
                               r"(?:【口播】\s*)?(?:本台消息[：:])?\s*")
_SENTENCE_END = re.compile(r"[。！？!?]")


# The parts of a news item, in order; ``Regions.region_of`` gives an offset's index into this.
REGION_NAMES = ("title", "first sentence", "lead", "body")


@dataclass(frozen=True)
class Regions:
    """Offsets into the document's normalised text. ``title`` is the normalised title; ``body_start`` is 0, or the end
    of the title line when the text begins with the title (so the title is never counted twice)."""

    title: str
    title_in_text: bool
    body_start: int
    first_sentence_end: int
    lead_end: int

    @property
    def separate_title(self) -> str:
        """The title when it is a part of the article the text lacks (a title field, JSONL or CSV, not repeated as
        the text's first line): counted once with the text's words. Empty otherwise."""
        return self.title if self.title and not self.title_in_text else ""

    def region_of(self, offset: int) -> int:
        """The index in REGION_NAMES of the part of the text where ``offset`` (at or after ``body_start``) lies: 1,
        2 or 3 (0, the title, is a string of its own). A word that straddles a cut counts where it starts."""
        return 1 if offset < self.first_sentence_end else 2 if offset < self.lead_end else 3


def analysed_title(doc: Document) -> str:
    """The title as analysis sees it: normalised like the text (traditional → simplified, width, quotes)."""
    return normalize(doc.title, None).text if doc.title else ""


def find_regions(doc: Document) -> Regions:
    text = doc.text
    title = analysed_title(doc)
    in_text = bool(title) and text.startswith(title)
    start = len(title) if in_text else 0
    while start < len(text) and text[start].isspace():
        start += 1
    m = _BROADCAST_PREFIX.match(text, start)
    content = m.end() if m else start
    end = _SENTENCE_END.search(text, content)
    cut = min(end.end() if end else len(text), content + LEAD_CHARS)
    lead_end = min(len(text), max(cut, start + LEAD_CHARS))
    return Regions(title, in_text, start, cut, lead_end)

