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

import dataclasses
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .corpus import Document, RawRecord
from .errors import DangjianError
from .normalize import OffsetMap

CHUNK_DOCS = 64  # documents per task: large enough to amortise pickling, small enough to keep workers even
CHUNK_CHARS = 400_000
SERIAL_BELOW = (200, 500_000)  # (documents, characters): below both, no workers are started


def default_jobs() -> int:
    """The machine's cores (what ``--jobs`` defaults to on the command line)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


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
    records = getattr(docs, "records", None)
    maker = getattr(docs, "maker", None)
    if jobs is None:
        jobs = getattr(getattr(docs, "options", None), "jobs", 1)
    if jobs <= 1 or records is None or maker is None:
        for doc in docs:
            yield doc, func(doc) if func is not None else None
        return
    stream = iter(records())
    head: list[RawRecord] = []
    chars = 0
    for record in stream:
        head.append(record)
        chars += len(record.raw)
        if len(head) >= SERIAL_BELOW[0] or chars >= SERIAL_BELOW[1]:
            break
    else:
        for record in head:
            doc = maker(record)
            yield doc, func(doc) if func is not None else None
        return
    yield from _pooled(_chunks(_chain(head, stream)), maker, func, analyzer, jobs, metadata_only)


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


def _pooled(chunks: Iterator[list[RawRecord]], maker: Any, func: Any, analyzer: Any, jobs: int,
            metadata_only: bool) -> Iterator[tuple[Document, Any]]:
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
    try:
        for chunk in chunks:
            pending.append(pool.submit(_work, chunk, metadata_only))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool:
        raise DangjianError("a worker process stopped before finishing (out of memory, killed, or a script that "
                            "starts workers outside `if __name__ == \"__main__\":`)",
                            "run again with --jobs 1 (or jobs=1), or guard the script's entry point") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_WORKER: tuple[Any, Any, Any] | None = None


def _start_worker(maker: Any, func: Any, analyzer: Any) -> None:
    global _WORKER
    _WORKER = (maker, func, analyzer)


def _work(chunk: list[RawRecord], metadata_only: bool) -> list[tuple[Document, Any]]:
    assert _WORKER is not None
    maker, func, analyzer = _WORKER
    out = []
    for record in chunk:
        doc = maker(record)
        result = func(doc) if func is not None else None
        if metadata_only:
            doc = dataclasses.replace(doc, text="", original="", offsets=OffsetMap())
        out.append((doc, result))
    if analyzer is not None:
        analyzer.flush()  # cache entries reach the file before the results are used
    return out

