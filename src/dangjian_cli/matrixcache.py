"""The corpus matrix cache: a corpus's document-term counts, kept for the next run over the same files.

Researchers run ``keywords`` many times over one corpus, changing ``--top``, ``--method``, ``--min-df``, the scope or
the output, and ``similar`` once per query; every run used to read, normalise, segment and count the whole corpus
again. After a run over files (not stdin), the counts matrix, the title and lead weights (keywords), the vocabulary
and the rows' metadata are written to
``matrices/`` beside the token cache (one ``.npz`` file per corpus and settings, written whole and then renamed into
place, so a reader never sees half a file). The key is a hash of:

- the content of every input file (BLAKE2b of the bytes: an edited file, even of the same size and time, is a new key),
  and the loader's options (fields, encoding, glob, debris rules, date range);
- the tokenizer: engine and its version, dictionaries, lexicon, stop words, filters;
- the per-document settings that change the counts (``--pos``, ``--keep-script``, title and lead weights, the
  ``--group-by`` field);
- dangjian's version, a digest of its code (``cache.code_digest``) and the file format.

A file that cannot be read as a matrix of this format is ignored with a warning and made again; the cache never changes
an answer. ``--no-cache`` neither reads nor writes it; ``dangjian cache clear`` deletes it with the token cache. Only
the newest ``KEEP`` matrices are kept.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .errors import DangjianError

FORMAT = 1
KEEP = 8  # matrices kept; older ones are deleted when a new one is written
MAX_BYTES = 2 << 30  # larger matrices (a few million documents) are not stored: writing them costs more than it saves
FOLDER = "matrices"


class Cacheable(Protocol):
    """What ``through_cache`` keeps: a result that becomes arrays and JSON metadata and back, with the warnings that
    reading its corpus gave (said again when it is reused)."""

    warnings: list[str]

    def to_arrays(self) -> tuple[dict[str, Any], dict[str, Any]]: ...


T = TypeVar("T", bound=Cacheable)


def through_cache(docs: Any, analyzer: Any, parts: list[str], kind: Any, compute: Callable[[], T],
                  use: bool = True, background: bool = False) -> T:
    """``compute()``, or what an earlier run over the same files and ``parts`` (settings as text) stored: for every
    command that counts a whole corpus of files (``keywords``, ``similar``). ``kind.from_arrays(found)`` makes the
    result from what was stored. Not used (``compute()`` only) without the analyzer's matrix cache, for input that is
    not a reader of files (stdin), with ``skip_errors`` (what is skipped may change between runs), or ``use=False``.
    ``background``: a new result is stored by a thread while the caller goes on with it (the caller must not change
    its arrays, and calls ``MatrixCache.wait`` before it returns)."""
    store, key = getattr(analyzer, "matrix_cache", None), None
    if use and store is not None and hasattr(docs, "sources") \
            and not getattr(getattr(docs, "options", None), "skip_errors", True):
        from .parallel import import_in_background

        import_in_background("numpy", "scipy.sparse")  # while the input is hashed and the stored matrix read
        key = corpus_key(docs, parts)
        if key is not None:
            found = store.get(key)
            if found is not None:
                try:
                    result = kind.from_arrays(found)
                except (KeyError, ValueError, TypeError) as exc:
                    store.warn(f"corpus matrix cache entry {key} is unusable ({exc}); making it again")
                else:
                    say = getattr(docs, "say", None) or getattr(docs, "warn", None)  # a reader keeps them too
                    for message in result.warnings:
                        if say:
                            say(message)
                    return result
    # What the reader warns about while the corpus is counted is kept with the result, to be said again on reuse.
    said_before = len(getattr(docs, "warnings", ()))
    result = compute()
    result.warnings = list(getattr(docs, "warnings", ())[said_before:])
    if store is not None and key is not None:
        store.put(key, *result.to_arrays(), background=background)
    return result


def _silent(message: str) -> None:
    """The default ``warn``: say nothing."""


def default_matrix_cache(warn: Callable[[str], None] | None = None) -> MatrixCache:
    """The corpus matrix cache in the user's cache folder, beside the token cache."""
    from .cache import cache_dir

    return MatrixCache(cache_dir() / FOLDER, warn)


def corpus_key(reader: Any, parts: list[str]) -> str | None:
    """The key of a corpus reader's input and ``parts`` (settings as text); None when the input cannot be keyed
    (stdin, or a source that is not a readable file)."""
    from . import __version__
    from .cache import code_digest

    h = hashlib.blake2b(digest_size=20)
    h.update(f"dangjian {__version__} code {code_digest()} matrix format {FORMAT}\n".encode())
    options = getattr(reader, "options", None)
    sources = reader.sources() if hasattr(reader, "sources") else None
    if options is None or not sources or "-" in sources:
        return None
    fields = {k: v for k, v in vars(options).items() if k != "jobs"}
    h.update(json.dumps(fields, sort_keys=True, default=str).encode())
    boilerplate = getattr(reader, "boilerplate", None)
    for f in getattr(boilerplate, "files", ()):
        h.update(f"\nboilerplate {f.name}:{f.digest}".encode())
    for part in parts:
        h.update(f"\n{part}".encode("utf-8", "surrogatepass"))
    for source in sources:
        try:
            with open(source, "rb") as fh:
                # (fsencode: a file name's bytes that are not UTF-8 reach Python as lone surrogates)
                h.update(b"\nfile " + os.fsencode(os.path.abspath(source)) + b"\n")
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return None
    return h.hexdigest()


class MatrixCache:
    """``.npz`` files of corpus matrices in ``folder``."""

    def __init__(self, folder: Path, warn: Callable[[str], None] | None = None) -> None:
        self.folder = Path(folder)
        self.warn = warn or _silent  # a module function: an analyzer holding this cache is pickled to workers
        self._writing: Any = None  # the thread of a write in the background (put(background=True))
        self._unsaid: list[str] = []  # what that write had to warn about, said by wait()

    def wait(self) -> None:
        """Wait for a write in the background to finish, then say what it warned about (so warnings come out at
        the same point of every run)."""
        if self._writing is not None:
            self._writing.join()
            self._writing = None
        unsaid, self._unsaid = self._unsaid, []
        for message in unsaid:
            self.warn(message)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def get(self, key: str) -> dict[str, Any] | None:
        """The arrays and metadata stored under ``key``, or None."""
        self.wait()
        path = self._path(key)
        if not path.exists():
            return None  # before importing numpy: a cold run imports it in the background (import_in_background)
        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as npz:
                found = {name: npz[name] for name in npz.files}
            meta = json.loads(bytes(found.pop("meta")).decode("utf-8", "surrogatepass"))
            if meta.get("format") != FORMAT or meta.get("key") != key:
                raise ValueError("not a matrix of this format")
        except Exception as exc:  # noqa: BLE001 - any damage means: make it again
            self.warn(f"corpus matrix cache {path} is unreadable ({exc}); making it again")
            return None
        found["meta"] = meta
        try:
            os.utime(path)  # newest first when old ones are pruned
        except OSError:
            pass
        return found

    def put(self, key: str, arrays: dict[str, Any], meta: dict[str, Any], background: bool = False) -> None:
        """Store atomically; a failure to write only costs the next run its time. ``background``: in a thread (see
        ``through_cache``; writing the bench corpus's matrices takes 0.05-0.1 s, numpy and the file system mostly
        without Python's lock, while ranking goes on), its warnings said by ``wait``."""
        self.wait()
        if sum(getattr(a, "nbytes", 0) for a in arrays.values()) > MAX_BYTES:
            return
        meta = dict(meta, format=FORMAT, key=key)
        if not background:
            self._write(key, arrays, meta, self.warn)
            return
        import threading

        # Not a daemon: the interpreter lets it finish (the file is renamed into place whole, or not at all).
        self._writing = threading.Thread(target=self._write, args=(key, arrays, meta, self._unsaid.append),
                                         name="dangjian-matrix-cache")
        self._writing.start()

    def _write(self, key: str, arrays: dict[str, Any], meta: dict[str, Any], warn: Callable[[str], None]) -> None:
        import numpy as np

        from .output import atomic_path

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with atomic_path(self._path(key)) as tmp, open(tmp, "wb") as fh:
                # (surrogatepass: ids from file names that are not UTF-8 come back as they were)
                meta_bytes = json.dumps(meta, ensure_ascii=False).encode("utf-8", "surrogatepass")
                np.savez(fh, meta=np.frombuffer(meta_bytes, dtype=np.uint8), **arrays)
            self._prune()
        except (OSError, DangjianError) as exc:  # (DangjianError: atomic_path found the folder not writable)
            warn(f"corpus matrix cache {self.folder} cannot be written ({exc}); continuing without it")

    def _prune(self) -> None:
        files = sorted(self._files(), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            try:
                old.unlink()
            except OSError:
                pass

    def _files(self) -> list[Path]:
        """The stored matrices (not another process's file being written, whose name starts with a dot)."""
        if not self.folder.is_dir():
            return []
        return [p for p in self.folder.glob("*.npz") if not p.name.startswith(".")]

    def info(self) -> dict[str, object]:
        self.wait()
        files = self._files()
        return {"matrices": len(files), "matrix_bytes": sum(f.stat().st_size for f in files)}

    def clear(self) -> None:
        self.wait()
        if self.folder.is_dir():
            for f in self.folder.iterdir():
                try:
                    f.unlink()
                except OSError:
                    pass
