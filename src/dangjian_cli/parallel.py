"""Worker processes for the per-document part of every command (``--jobs N``).

The main process reads and decodes the input (``CorpusReader.records``) and keeps everything that depends on order;
workers normalise each record into a Document and run the command's per-document function on it (segmentation,
filtering, counting, scoring). Results come back in input order, so output is byte-identical whatever the number of
workers.

Workers are started with the ``spawn`` method on every OS: nothing relies on ``fork`` (the function and its data are
pickled once per worker), and no worker inherits the main process's open files or threads. Small inputs (fewer than
``SERIAL_BELOW`` documents and characters) run in the main process: starting workers would cost more than it saves.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .corpus import Document, RawRecord
from .errors import DangjianError

CHUNK_DOCS = 64  # documents per task: large enough to amortise pickling, small enough to keep workers even
CHUNK_CHARS = 400_000
SERIAL_BELOW = (200, 500_000)  # (documents, characters): below both, no workers are started


def default_jobs() -> int:
    """The machine's cores (what ``--jobs`` defaults to on the command line)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def tune_allocator() -> None:
    """Keep freed memory in the process instead of giving it back to the OS at once (glibc only; elsewhere
    nothing). numpy's large temporaries are otherwise mapped and unmapped on every call, and touching fresh pages
    cost duplicates about a third of its time in the kernel. Called by the command line and by every worker."""
    global _TUNED
    if _TUNED or not sys.platform.startswith("linux"):
        return
    _TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD: glibc's largest (32 MB on 64-bit)
        libc.mallopt(-1, 256 * 1024 * 1024)  # M_TRIM_THRESHOLD: free memory kept before trimming the heap
    except (OSError, AttributeError):
        pass  # not glibc (musl, another libc): its default behaviour


_TUNED = False


def map_documents(docs: Iterable[Document], func: Callable[[Document], Any] | None = None, jobs: int | None = None,
                  analyzer: Any = None, metadata_only: bool = False) -> Iterator[tuple[Document, Any]]:
    """``(doc, func(doc))`` for every document, in input order.

    ``docs`` is any iterable of Documents; when it is a corpus reader (it has ``records()`` and ``maker``) and
    ``jobs`` (default: the reader's ``options.jobs``) is above 1, documents are made and ``func`` runs in that many
    worker processes. ``func`` must then be picklable (a module-level function, a ``functools.partial`` of one, or
    an object with ``__call__``). ``analyzer``: the Analyzer ``func`` uses, whose token cache workers flush after
    each chunk. ``metadata_only``: workers send back documents without their texts (``text``, ``original`` and the
    offset map are emptied), for callers that need only ``func``'s result and the metadata; it saves copying every
    text between processes."""
    head = _parallel_head(docs, jobs)
    if head is None:
        for doc in docs:
            yield doc, func(doc) if func is not None else None
        return
    records, maker = head
    if isinstance(records, list):  # too small for workers
        for record in records:
            doc = maker(record)
            yield doc, func(doc) if func is not None else None
        return
    for batch in _pooled(_chunks(records), maker, func, analyzer, _jobs(docs, jobs), _work, metadata_only):
        yield from batch


def map_batches(docs: Iterable[Document], func: Callable[[list[Document]], Any], jobs: int | None = None,
                metadata_only: bool = False) -> Iterator[tuple[list[Document], Any]]:
    """``(batch, func(batch))`` for consecutive batches of documents (at most CHUNK_DOCS documents or CHUNK_CHARS
    characters each), in input order: for per-document work that is cheaper done on many documents at once (numpy
    over their concatenated texts). Workers, ``jobs`` and ``metadata_only`` as in ``map_documents``."""
    head = _parallel_head(docs, jobs)
    if head is None or isinstance(head[0], list):
        batch: list[Document] = []
        chars = 0
        made = docs if head is None else map(head[1], head[0])
        for doc in made:
            batch.append(doc)
            chars += len(doc.text)
            if len(batch) >= CHUNK_DOCS or chars >= CHUNK_CHARS:
                yield batch, func(batch)
                batch, chars = [], 0
        if batch:
            yield batch, func(batch)
        return
    records, maker = head
    yield from _pooled(_chunks(records), maker, func, None, _jobs(docs, jobs), _work_batch, metadata_only)


def _jobs(docs: Any, jobs: int | None) -> int:
    return jobs if jobs is not None else getattr(getattr(docs, "options", None), "jobs", 1)


def _parallel_head(docs: Any, jobs: int | None) -> tuple[list[RawRecord] | Iterator[RawRecord], Any] | None:
    """None when ``docs`` runs in this process (one job, or not a corpus reader); else ``(records, maker)``, with
    ``records`` a list when the input is too small to be worth starting workers (SERIAL_BELOW)."""
    records = getattr(docs, "records", None)
    maker = getattr(docs, "maker", None)
    if _jobs(docs, jobs) <= 1 or records is None or maker is None:
        return None
    stream = iter(records())
    head: list[RawRecord] = []
    chars = 0
    for record in stream:
        head.append(record)
        chars += len(record.raw)
        if len(head) >= SERIAL_BELOW[0] or chars >= SERIAL_BELOW[1]:
            return _chain(head, stream), maker
    return head, maker


def _chain(head: list[RawRecord], rest: Iterator[RawRecord]) -> Iterator[RawRecord]:
    yield from head
    yield from rest


def _chunks(records: Iterator[RawRecord]) -> Iterator[list[RawRecord]]:
    chunk: list[RawRecord] = []
    chars = 0
    for record in records:
        chunk.append(record)
        chars += len(record.raw)
        if len(chunk) >= CHUNK_DOCS or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _pooled(chunks: Iterator[list[RawRecord]], maker: Any, func: Any, analyzer: Any, jobs: int, work: Any,
            metadata_only: bool) -> Iterator[Any]:
    """``work(chunk, metadata_only)`` of each chunk in a worker process, in order (documents received without
    their texts made into Documents again)."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    cache = getattr(analyzer, "cache", None)
    if cache is not None:
        cache.open()  # made here, once, before workers open it
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(maker, func, analyzer))
    # A bounded window of tasks in flight: memory stays flat however long the input is.
    window = 3 * jobs
    pending: deque[Any] = deque()
    receive = _from_metadata if metadata_only else _as_is
    try:
        for chunk in chunks:
            pending.append(pool.submit(work, chunk, metadata_only))
            if len(pending) >= window:
                yield receive(work, pending.popleft().result())
        while pending:
            yield receive(work, pending.popleft().result())
    except BrokenProcessPool:
        raise DangjianError("a worker process stopped before finishing (out of memory, killed, or a script that "
                            "starts workers outside `if __name__ == \"__main__\":`)",
                            "run again with --jobs 1 (or jobs=1), or guard the script's entry point") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_WORKER: tuple[Any, Any, Any] | None = None


def _start_worker(maker: Any, func: Any, analyzer: Any) -> None:
    global _WORKER
    tune_allocator()
    _WORKER = (maker, func, analyzer)


def _work(chunk: list[RawRecord], metadata_only: bool) -> list[tuple[Any, Any]]:
    """Per document: (document, func(document))."""
    assert _WORKER is not None
    maker, func, analyzer = _WORKER
    out: list[tuple[Any, Any]] = []
    for record in chunk:
        doc = maker(record)
        result = func(doc) if func is not None else None
        # Without its texts a document travels as a plain tuple: pickling dataclasses cost more than the work
        # of a light command (slogans, corpus) on short items.
        out.append((_metadata(doc) if metadata_only else doc, result))
    if analyzer is not None:
        analyzer.flush()  # cache entries reach the file before the results are used
    return out


def _work_batch(chunk: list[RawRecord], metadata_only: bool) -> tuple[list[Any], Any]:
    """Per chunk: (its documents, func(documents))."""
    assert _WORKER is not None
    maker, func, _analyzer = _WORKER
    docs = list(map(maker, chunk))
    result = func(docs)
    return (list(map(_metadata, docs)) if metadata_only else docs), result


def _metadata(doc: Document) -> tuple[Any, ...]:
    return (doc.id, doc.title, doc.date, doc.source, doc.author, doc.script, doc.encoding, doc.path, doc.fields)


def _document(meta: tuple[Any, ...]) -> Document:
    """A document without its texts (``text``, ``original`` and the offset map empty), from ``_metadata``."""
    doc_id, title, date, source, author, script, encoding, path, fields = meta
    return Document(doc_id, "", "", title, date, source, author, script, encoding, path, fields)


def _from_metadata(work: Any, result: Any) -> Any:
    if work is _work_batch:
        metas, value = result
        return list(map(_document, metas)), value
    return [(_document(meta), value) for meta, value in result]


def _as_is(work: Any, result: Any) -> Any:
    return result
