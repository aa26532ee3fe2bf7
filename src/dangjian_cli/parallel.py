"""Worker processes for the per-document part of every command (``--jobs N``).

The main process reads the input (``CorpusReader.units``: decoded documents; ranges of the lines of uncompressed
JSON Lines files, only measured, not kept; the lines of compressed ones as bytes) and keeps everything that depends
on order; workers read the ranges from their files, parse the JSON lines, normalise each record into a Document and
run the command's per-document function on it (segmentation, filtering, counting, scoring). Results come back in
input order, so output is byte-identical whatever the number of workers; warnings and errors about rows come back
with them and are given in input order, as one process would give them.

Workers are started with the ``spawn`` method on every OS: nothing relies on ``fork`` (the function and its data are
pickled once per worker), and no worker inherits the main process's open files or threads. Small inputs (fewer than
``SERIAL_BELOW`` documents and characters) run in the main process: starting workers would cost more than it saves.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from .allocator import tune_allocator
from .corpus import Document, IdTally, JsonLine, JsonRange, LeftOut, RawRecord, python_warning, unit_rows
from .errors import DangjianError, InputError

CHUNK_DOCS = 128  # documents per task: large enough to amortise pickling, small enough to keep workers even
CHUNK_CHARS = 400_000
SERIAL_BELOW = (200, 500_000)  # (documents, characters): below both, no workers are started


def default_jobs() -> int:
    """The machine's cores (what ``--jobs`` defaults to on the command line)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def map_documents(docs: Iterable[Document], func: Callable[[Document], Any] | None = None, jobs: int | None = None,
                  analyzer: Any = None, metadata_only: bool = False, check_ids: bool = False
                  ) -> Iterator[tuple[Document, Any]]:
    """``(doc, func(doc))`` for every document, in input order.

    ``docs`` is any iterable of Documents; when it is a corpus reader (it has ``units()``, ``rows`` and ``maker``)
    and ``jobs`` (default: the reader's ``options.jobs``) is above 1, documents are made (JSON Lines parsed too)
    and ``func`` runs in that many worker processes. ``func`` must then be picklable (a module-level function, a
    ``functools.partial`` of one, or an object with ``__call__``). ``analyzer``: the Analyzer ``func`` uses, whose
    token cache workers flush after each chunk. ``metadata_only``: workers send back documents without their texts
    (``text``, ``original`` and the offset map are emptied), for callers that need only ``func``'s result and the
    metadata; it saves copying every text between processes. ``check_ids``: for commands whose rows name documents
    by id, warn (through the reader's ``say``) after the last document when some id names more than one."""
    pairs = _map_documents(docs, func, jobs, analyzer, metadata_only)
    return _checking_ids(pairs, docs, batches=False) if check_ids else pairs


def _map_documents(docs: Iterable[Document], func: Callable[[Document], Any] | None, jobs: int | None,
                   analyzer: Any, metadata_only: bool) -> Iterator[tuple[Document, Any]]:
    head = _parallel_head(docs, jobs)
    if head is None:
        for doc in docs:
            yield doc, func(doc) if func is not None else None
        return
    units, reader = head
    if isinstance(units, list):  # too small for workers
        for doc in reader.in_range(map(reader.maker, _in_this_process(units, reader))):
            yield doc, func(doc) if func is not None else None
        return
    failed: set[int] = set()
    tally = reader.date_tally()
    for entries in _pooled(_chunks(units), reader, func, analyzer, _jobs(docs, jobs), _work, metadata_only):
        for source, doc, result in entries:
            if source in failed:
                continue
            if type(doc) is _Problem:
                _problem(doc, source, reader, failed)
                continue
            if type(doc) is LeftOut:
                tally.count(doc)
                continue
            tally.count(None)
            yield (_document(doc) if metadata_only else doc), result
    tally.end()


def map_batches(docs: Iterable[Document], func: Callable[[list[Document]], Any], jobs: int | None = None,
                analyzer: Any = None, metadata_only: bool = False, check_ids: bool = False
                ) -> Iterator[tuple[list[Document], Any]]:
    """``(batch, func(batch))`` for consecutive batches of documents (at most CHUNK_DOCS documents or CHUNK_CHARS
    characters each), in input order: for per-document work that is cheaper done on many documents at once (numpy
    over their concatenated texts, or a model's features). Workers, ``jobs``, ``analyzer``, ``metadata_only`` and
    ``check_ids`` as in ``map_documents``. When rows are
    dropped after a batch was made (the rest of a file that turned out bad, with ``skip_errors``), ``func``'s
    result must offer ``select(indices)``."""
    pairs = _map_batches(docs, func, jobs, analyzer, metadata_only)
    return _checking_ids(pairs, docs, batches=True) if check_ids else pairs


def _map_batches(docs: Iterable[Document], func: Callable[[list[Document]], Any], jobs: int | None, analyzer: Any,
                 metadata_only: bool) -> Iterator[tuple[list[Document], Any]]:
    head = _parallel_head(docs, jobs)
    if head is None or isinstance(head[0], list):
        batch: list[Document] = []
        chars = 0
        made = docs if head is None else head[1].in_range(map(head[1].maker, _in_this_process(head[0], head[1])))
        for doc in made:
            batch.append(doc)
            chars += len(doc.text)
            if len(batch) >= CHUNK_DOCS or chars >= CHUNK_CHARS:
                yield batch, func(batch)
                batch, chars = [], 0
        if batch:
            yield batch, func(batch)
        return
    units, reader = head
    failed: set[int] = set()
    tally = reader.date_tally()
    for entries, result in _pooled(_chunks(units), reader, func, analyzer, _jobs(docs, jobs), _work_batch,
                                   metadata_only):
        received: list[Document] = []
        kept: list[int] = []
        position = 0
        for source, doc in entries:
            if type(doc) is _Problem:
                if source not in failed:
                    _problem(doc, source, reader, failed)
                continue
            if type(doc) is LeftOut:  # not among the documents func was given
                if source not in failed:
                    tally.count(doc)
                continue
            if source not in failed:
                tally.count(None)
                received.append(_document(doc) if metadata_only else doc)
                kept.append(position)
            position += 1
        if len(kept) < position:
            result = result.select(kept)
        if received:
            yield received, result
    tally.end()


def _checking_ids(pairs: Iterator[Any], docs: Any, batches: bool) -> Iterator[Any]:
    """``pairs`` as they come; after the last, a warning if some id names more than one document."""
    tally = IdTally()
    for pair in pairs:
        if batches:
            for doc in pair[0]:
                tally.add(doc.id)
        else:
            tally.add(pair[0].id)
        yield pair
    message = tally.warning()
    if message:
        getattr(docs, "say", python_warning)(message)


def _jobs(docs: Any, jobs: int | None) -> int:
    return jobs if jobs is not None else getattr(getattr(docs, "options", None), "jobs", 1)


def _parallel_head(docs: Any, jobs: int | None) -> tuple[list[Any] | Iterator[Any], Any] | None:
    """None when ``docs`` runs in this process (one job, or not a corpus reader); else ``(units, reader)``, with
    ``units`` a list when the input is too small to be worth starting workers (SERIAL_BELOW)."""
    if _jobs(docs, jobs) <= 1 or not all(hasattr(docs, name) for name in ("units", "rows", "maker")):
        return None
    stream = iter(docs.units(CHUNK_DOCS, CHUNK_CHARS))
    head, more = _take(stream, *SERIAL_BELOW)
    return (_chain(head, stream) if more else head), docs


def _take(units: Iterator[Any], most_rows: int, most_size: int) -> tuple[list[Any], bool]:
    """The next units, until they hold ``most_rows`` rows or ``most_size`` characters (bytes, for JSON lines); and
    whether that limit was reached (else ``units`` ran out)."""
    taken: list[Any] = []
    rows = size = 0
    for unit in units:
        taken.append(unit)
        rows += unit_rows(unit)
        size += _size(unit)
        if rows >= most_rows or size >= most_size:
            return taken, True
    return taken, False


def _size(unit: RawRecord | JsonLine | JsonRange) -> int:
    """Characters of a raw document; bytes of JSON lines (what decides chunks and the serial threshold)."""
    kind = type(unit)
    if kind is JsonLine:
        return len(unit.line)
    if kind is JsonRange:
        return unit.end - unit.start
    return len(unit.raw)


def _in_this_process(units: list[Any], reader: Any) -> Iterator[RawRecord]:
    """The records of units handled here (inputs too small for workers), with the reader's own handling of bad
    and skipped rows, as the main process gives them for the workers' results."""
    failed: set[int] = set()
    for source, outcome in _records(units, reader.rows):
        if source in failed:
            continue
        if type(outcome) is _Problem:
            _problem(outcome, source, reader, failed)
        else:
            yield outcome


class _Problem(NamedTuple):
    """A JSON line that gave no document (the warning of a skipped row, or the error that ends its file), or the
    warning about a row that gave one (``kept``)."""

    message: str
    error: InputError | None = None
    kept: bool = False  # a warning about a row that still gives its document (which follows it)


def _parse(rows: Any, unit: JsonLine) -> RawRecord | _Problem:
    try:
        outcome = rows.line(unit.line, unit.path, unit.n, unit.encoding)
    except InputError as exc:
        return _Problem(exc.one_line(), exc)
    return _Problem(outcome) if isinstance(outcome, str) else outcome


def _problem(problem: _Problem, source: int, reader: Any, failed: set[int]) -> None:
    """In the main process, in input order: a skipped row (empty text; with ``skip_errors`` a bad line too) said and
    counted; an error raised, or with ``skip_errors`` said, and the rest of its file dropped."""
    if problem.kept:
        reader.say(problem.message)
        return
    if problem.error is None:
        reader.row_skipped(problem.message)
        return
    failed.add(source)
    reader.failed(problem.error)


def _chain(head: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest


def _chunks(units: Iterator[Any]) -> Iterator[list[Any]]:
    units = iter(units)
    more = True
    while more:
        chunk, more = _take(units, CHUNK_DOCS, CHUNK_CHARS)
        if chunk:
            yield chunk


def _pooled(chunks: Iterator[list[Any]], reader: Any, func: Any, analyzer: Any, jobs: int, work: Any,
            metadata_only: bool) -> Iterator[Any]:
    """``work(chunk, metadata_only)`` of each chunk in a worker process, in order."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    cache = getattr(analyzer, "cache", None)
    if cache is not None:
        cache.open()  # made here, once, before workers open it
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                               initargs=(reader.maker, reader.rows, func, analyzer))
    # A bounded window of tasks in flight: memory stays flat however long the input is.
    window = 3 * jobs
    pending: deque[Any] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(work, chunk, metadata_only))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        raise DangjianError("a worker process stopped before finishing (out of memory, killed, or a script that "
                            "starts workers outside `if __name__ == \"__main__\":`)",
                            "run again with --jobs 1 (or jobs=1), or guard the script's entry point") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def import_in_background(*modules: str) -> Any:
    """Import ``modules`` in a thread of this process, for a command that needs them once the workers' results are
    in (matrices, sorting): this process mostly waits while the workers run, so their import time (numpy and
    scipy.sparse: 0.1–0.2 s) no longer adds to the end of the run. Returns the thread (None when all are loaded)."""
    import importlib
    import sys
    import threading

    missing = [m for m in modules if m not in sys.modules]
    if not missing:
        return None

    def load() -> None:
        for name in missing:
            try:
                importlib.import_module(name)
            except ImportError:  # the command itself will say what is missing, when it needs it
                continue

    thread = threading.Thread(target=load, name="dangjian-imports", daemon=True)
    thread.start()
    return thread


_WORKER: tuple[Any, Any, Any, Any] | None = None


def _start_worker(maker: Any, rows: Any, func: Any, analyzer: Any) -> None:
    global _WORKER
    tune_allocator()
    _WORKER = (maker, rows, func, analyzer)


def _records(chunk: list[Any], rows: Any) -> Iterator[tuple[int, RawRecord | _Problem]]:
    """(source, record or problem) of each unit of a chunk; a JSON line's source is its file's number, other
    records' -1. After a bad line the rest of its file in the chunk is left out (the main process drops the rest
    of the file in later chunks)."""
    bad: set[int] = set()
    for unit in _lines(chunk, bad):
        if type(unit) is _Unreadable:
            yield unit.source, unit.problem
        elif type(unit) is not JsonLine:
            yield -1, unit
        elif unit.source not in bad:
            outcome = _parse(rows, unit)
            if type(outcome) is _Problem and outcome.error is not None:
                bad.add(unit.source)
            elif type(outcome) is RawRecord and "notice" in outcome.meta:
                yield unit.source, _Problem(outcome.meta["notice"], kept=True)
            yield unit.source, outcome


class _Unreadable(NamedTuple):
    """A range of JSON lines whose file could not be read again: the error that ends its file."""

    source: int
    problem: _Problem


def _lines(chunk: list[Any], bad: set[int]) -> Iterator[Any]:
    """The units of a chunk with each range of JSON lines read from its file (``JsonRange.json_lines``)."""
    for unit in chunk:
        if type(unit) is not JsonRange:
            yield unit
        elif unit.source not in bad:
            try:
                yield from unit.json_lines()
            except InputError as exc:
                bad.add(unit.source)
                yield _Unreadable(unit.source, _Problem(exc.one_line(), exc))


def _work(chunk: list[Any], metadata_only: bool) -> list[tuple[int, Any, Any]]:
    """Per unit: (source, document, func(document)), or (source, problem, None)."""
    assert _WORKER is not None
    maker, rows, func, analyzer = _WORKER
    out: list[tuple[int, Any, Any]] = []
    for source, record in _records(chunk, rows):
        if type(record) is _Problem:
            out.append((source, record, None))
            continue
        doc = maker(record)
        left_out = maker.left_out(doc)
        if left_out is not None:
            out.append((source, left_out, None))
            continue
        result = func(doc) if func is not None else None
        # Without its texts a document travels as a plain tuple: pickling dataclasses cost more than the work
        # of a light command (slogans, corpus) on short items.
        out.append((source, _metadata(doc) if metadata_only else doc, result))
    if analyzer is not None:
        analyzer.flush()  # cache entries reach the file before the results are used
    return out


def _work_batch(chunk: list[Any], metadata_only: bool) -> tuple[list[tuple[int, Any]], Any]:
    """Per chunk: ((source, document or problem) per unit, func(the documents))."""
    assert _WORKER is not None
    maker, rows, func, analyzer = _WORKER
    entries: list[tuple[int, Any]] = []
    docs: list[Document] = []
    for source, record in _records(chunk, rows):
        if type(record) is _Problem:
            entries.append((source, record))
            continue
        doc = maker(record)
        left_out = maker.left_out(doc)
        if left_out is not None:
            entries.append((source, left_out))
            continue
        docs.append(doc)
        entries.append((source, _metadata(doc) if metadata_only else doc))
    result = func(docs)
    if analyzer is not None:
        analyzer.flush()  # cache entries reach the file before the results are used
    return entries, result


def _metadata(doc: Document) -> tuple[Any, ...]:
    return (doc.id, doc.title, doc.date, doc.source, doc.author, doc.script, doc.encoding, doc.path, doc.fields)


def _document(meta: tuple[Any, ...]) -> Document:
    """A document without its texts (``text``, ``original`` and the offset map empty), from ``_metadata``."""
    doc_id, title, date, source, author, script, encoding, path, fields = meta
    return Document(doc_id, "", "", title, date, source, author, script, encoding, path, fields)
