"""Library functions behind the base commands (``corpus``, ``segment``): each returns rows, the CLI renders them."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .corpus import Document
from .errors import EmptyCorpusError
from .parallel import map_documents
from .pipeline import Analyzer

CORPUS_COLUMNS = ("id", "title", "date", "source", "author", "chars", "script", "encoding", "path")
SUMMARY_COLUMNS = ("statistic", "value")


def _chars(doc: Document) -> int:
    return doc.chars


def corpus_rows(docs: Iterable[Document]) -> Iterator[tuple[Any, ...]]:
    """One row per document (streams)."""
    any_doc = False
    for d, chars in map_documents(docs, _chars, metadata_only=True, check_ids=True):
        any_doc = True
        yield (d.id, d.title, d.date, d.source, d.author, chars, d.script, d.encoding, d.path)
    if not any_doc:
        raise EmptyCorpusError()


@dataclass
class CorpusSummary:
    documents: int = 0
    chars: int = 0
    original_chars: int = 0
    traditional: int = 0
    dated: int = 0
    first_date: str = ""
    last_date: str = ""
    with_title: int = 0
    sources: int = 0
    encodings: str = ""

    def rows(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in self.__dict__.items()]


def _sizes(doc: Document) -> tuple[int, int]:
    return doc.chars, len(doc.original)


def corpus_summary(docs: Iterable[Document]) -> CorpusSummary:
    """Corpus totals in one streaming pass (memory does not grow with the corpus, except distinct sources)."""
    s = CorpusSummary()
    sources: set[str] = set()
    encodings: dict[str, int] = {}
    for d, (chars, original_chars) in map_documents(docs, _sizes, metadata_only=True):
        s.documents += 1
        s.chars += chars
        s.original_chars += original_chars
        s.traditional += d.script == "traditional"
        if d.title:
            s.with_title += 1
        if d.date:
            s.dated += 1
            if not s.first_date or d.date < s.first_date:
                s.first_date = d.date
            if d.date > s.last_date:
                s.last_date = d.date
        if d.source:
            sources.add(d.source)
        encodings[d.encoding] = encodings.get(d.encoding, 0) + 1
    if s.documents == 0:
        raise EmptyCorpusError()
    s.sources = len(sources)
    s.encodings = ", ".join(f"{k} {v}" for k, v in sorted(encodings.items()))
    return s


SEGMENT_COLUMNS = ("id", "tokens")
SEGMENT_TOKEN_COLUMNS = ("id", "tokens")


def segment_rows(docs: Iterable[Document], analyzer: Analyzer, offsets: bool = False,
                 filtered: bool = True) -> Iterator[tuple[Any, ...]]:
    """``(id, "tok tok …")`` per document, or ``(id, [{token, start, end, original_start, original_end, kind}])``
    (segmented in worker processes with ``--jobs``)."""
    any_doc = False
    for d, tokens in map_documents(docs, _Segmented(analyzer, offsets, filtered), analyzer=analyzer,
                                   metadata_only=True, check_ids=True):
        any_doc = True
        yield (d.id, tokens)
    if not any_doc:
        raise EmptyCorpusError()


class _Segmented:
    """One document's tokens as ``segment`` prints them (picklable, for worker processes)."""

    def __init__(self, analyzer: Analyzer, offsets: bool, filtered: bool) -> None:
        self.analyzer, self.offsets, self.filtered = analyzer, offsets, filtered

    def __call__(self, d: Document) -> Any:
        analyzer = self.analyzer
        if not self.offsets:
            if self.filtered:
                return " ".join(analyzer.words(d))
            return " ".join(t.surface for t in analyzer.tokens(d, filtered=False) if t.surface.strip())
        toks = []
        for t in analyzer.tokens(d, filtered=self.filtered):
            oa, ob = d.original_span(t.start, t.end)
            toks.append({"token": t.text, "start": t.start, "end": t.end, "original_start": oa,
                         "original_end": ob, "kind": t.kind})
        return toks
