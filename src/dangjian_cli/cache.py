"""The token cache: segmentation results keyed by text content and tokenizer settings.

One SQLite file in the user's cache directory (``$DANGJIAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/dangjian``, else
``~/.cache/dangjian``). SQLite because it is in the standard library, is a single file, and handles several processes
writing at once (WAL journal, busy timeout). A corrupt or foreign file is rebuilt with a warning; a failing cache
never changes an answer, it only costs the time of segmenting again.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from array import array
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

SCHEMA_VERSION = 1
APPLICATION_ID = 0x646A6331  # "djc1"
FILE_NAME = "tokens.sqlite3"


def cache_dir() -> Path:
    env = os.environ.get("DANGJIAN_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "dangjian"


def cache_path() -> Path:
    return cache_dir() / FILE_NAME


@lru_cache(maxsize=None)
def code_digest(folder: Path = Path(__file__).parent) -> str:
    """A digest of dangjian's own source files (``*.py`` in ``folder``), part of every cache key: what another build
    computed (an edited checkout, a development version that kept the version number) is never reused, even where
    the version, the data files and the settings are the same. Hashing the package's 0.4 MB of code takes about 1 ms,
    once per process."""
    h = hashlib.blake2b(digest_size=8)
    for path in sorted(folder.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class TokenCache:
    """Maps (segmentation key, text) to cut positions."""

    def __init__(self, path: Path | None = None, warn: Callable[[str], None] | None = None,
                 batch: int = 500) -> None:
        self.path = path or cache_path()
        self.warn = warn or _ignore
        self.batch = batch
        self._pending: list[tuple[bytes, bytes]] = []
        self._conn: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        self.disabled = False

    def __getstate__(self) -> dict:
        # A worker process opens its own connection (SQLite connections cannot cross processes).
        # The warning callback goes along (the CLI's Environment pickles, so --quiet holds in workers).
        state = self.__dict__.copy()
        state.update(_conn=None, _pending=[], hits=0, misses=0)
        return state

    # -- connection ----------------------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is not None or self.disabled:
            return self._conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open_retrying()
        except sqlite3.OperationalError as exc:
            if _transient(exc):
                # Another process holds the lock for longer than the busy timeout: the file is fine, so it is left
                # alone (never deleted) and this process goes on without the cache.
                self._give_up(exc)
                return None
            self._rebuild(exc)
        except (sqlite3.DatabaseError, _Foreign) as exc:
            self._rebuild(exc)
        except OSError as exc:
            self._give_up(exc)
        return self._conn

    def _open_retrying(self, attempts: int = 100) -> sqlite3.Connection:
        """Open, waiting out the moments when another process is creating the file or switching it to WAL (SQLite
        reports those as "locked" at once, without its busy timeout)."""
        import time

        for attempt in range(attempts):
            try:
                return self._open()
            except sqlite3.OperationalError as exc:
                if not _transient(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def open(self) -> bool:
        """Open (and create) the cache file now; True when it can be used. Called before worker processes start,
        so that they find it made and never race to create it."""
        return self._connect() is not None

    def _rebuild(self, exc: Exception) -> None:
        self.warn(f"token cache {self.path} is unreadable ({exc}); rebuilding it")
        self._remove_files()
        try:
            self._conn = self._open()
        except (sqlite3.DatabaseError, OSError, _Foreign) as exc2:
            self._give_up(exc2)

    def _give_up(self, exc: Exception) -> None:
        self.warn(f"token cache {self.path} cannot be used ({exc}); continuing without it")
        self.disabled = True
        self._conn = None

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 60000")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if app_id == 0 and not tables:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("BEGIN IMMEDIATE")
                # Another process may have created it between our check and the lock.
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if not tables:
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    conn.execute("CREATE TABLE segments (key BLOB PRIMARY KEY, bounds BLOB NOT NULL) WITHOUT ROWID")
                conn.execute("COMMIT")
            # Read again in any case: another process may have finished creating the file since the first read.
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID or version != SCHEMA_VERSION:
                raise _Foreign("not a dangjian token cache of this version")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("SELECT count(*) FROM (SELECT 1 FROM segments LIMIT 1)").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            try:
                Path(str(self.path) + suffix).unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass

    # -- use -----------------------------------------------------------------------------------------------------
    @staticmethod
    def key(segmentation_key: str, text: str) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{segmentation_key}|{code_digest()}".encode())
        h.update(b"\x00")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.digest()

    def get(self, key: bytes, text_length: int) -> array | None:
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT bounds FROM segments WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            self._give_up(exc)
            return None
        if row is None:
            self.misses += 1
            return None
        bounds = array("I")
        try:
            bounds.frombytes(row[0])
        except (ValueError, TypeError):
            bounds = array("I")
        # A damaged entry is never trusted: bounds must cover the text exactly.
        if len(bounds) < 1 or bounds[0] != 0 or bounds[-1] != text_length:
            self.misses += 1
            return None
        self.hits += 1
        return bounds

    def put(self, key: bytes, bounds: array) -> None:
        if self.disabled:
            return
        self._pending.append((key, bounds.tobytes()))
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        conn = self._connect()
        pending, self._pending = self._pending, []
        if conn is None:
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR IGNORE INTO segments (key, bounds) VALUES (?, ?)", pending)
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass
            self._give_up(exc)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> TokenCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- maintenance ---------------------------------------------------------------------------------------------
    def info(self) -> dict[str, object]:
        exists = self.path.exists()
        entries = 0
        if exists:
            conn = self._connect()
            if conn is not None:
                entries = conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        size = sum(Path(str(self.path) + s).stat().st_size for s in ("", "-wal", "-shm")
                   if Path(str(self.path) + s).exists())
        return {"path": str(self.path), "exists": exists, "entries": entries, "bytes": size}

    def clear(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._remove_files()


def _transient(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _ignore(message: str) -> None:
    """The default warning callback: none (a module-level function, so the cache can be sent to workers)."""


class _Foreign(Exception):
    pass
