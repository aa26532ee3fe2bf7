from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from conftest import ROOT, SEEDS, run_process
from dangjian_cli.cache import TokenCache
from dangjian_cli.corpus import load_documents
from dangjian_cli.pipeline import Analyzer
from dangjian_cli.tokenize import Tokenizer


def _words(cache_path, warnings):
    docs = load_documents([str(SEEDS)])
    an = Analyzer(Tokenizer(), TokenCache(cache_path, warn=warnings.append))
    out = [an.words(d) for d in docs]
    an.close()
    return out


def test_corrupt_cache_is_rebuilt_with_a_warning(tmp_path):
    path = tmp_path / "tokens.sqlite3"
    clean = _words(path, [])
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        p = tmp_path / f"tokens.sqlite3{suffix}"
        if p.exists():
            p.unlink()
    warnings: list[str] = []
    assert _words(path, warnings) == clean
    assert any("rebuilding" in w for w in warnings)
    assert _words(path, []) == clean


def test_foreign_sqlite_file_is_not_trusted(tmp_path):
    path = tmp_path / "tokens.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE segments (key BLOB PRIMARY KEY, bounds BLOB)")
    conn.commit()
    conn.close()
    warnings: list[str] = []
    clean = _words(tmp_path / "other.sqlite3", [])
    assert _words(path, warnings) == clean
    assert warnings


def test_damaged_entry_is_never_used(tmp_path):
    path = tmp_path / "tokens.sqlite3"
    clean = _words(path, [])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE segments SET bounds = x'00000000'")
    conn.commit()
    conn.close()
    assert _words(path, []) == clean


def test_two_processes_write_at_once(tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path)}
    import os

    procs = [subprocess.Popen([sys.executable, "-m", "dangjian_cli", "segment", str(SEEDS), "--engine", "jieba"],
                              cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
             for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    assert len({o[0] for o in outs}) == 1
    assert all(o[1] == b"" for o in outs)
    info = run_process("cache", "info", env=env).stdout.decode()
    assert "entries\t5" in info
    # Through the shared output layer: a header in a pipe, and every format.
    assert [line.split("\t")[0] for line in info.splitlines()] == [
        "field", "path", "exists", "entries", "bytes", "matrices", "matrix_bytes"]
    rows = json.loads(run_process("cache", "info", "-f", "json", env=env).stdout)["rows"]
    assert {"field": "exists", "value": True} in rows and {"field": "entries", "value": 5} in rows
    quiet = run_process("cache", "clear", "-q", env=env)
    assert quiet.returncode == 0 and quiet.stdout == b"" and not (tmp_path / "tokens.sqlite3").exists()
    assert run_process("cache", "clear", env=env).returncode == 0
    assert not (tmp_path / "tokens.sqlite3").exists()


def _fill_cache(path: str, k: int, queue) -> None:
    from array import array
    from pathlib import Path

    from dangjian_cli.cache import TokenCache

    warnings: list[str] = []
    cache = TokenCache(Path(path), warn=warnings.append, batch=10**9)
    for i in range(64):
        cache.put(bytes([k, i]) * 8, array("I", [0, 5]))
    cache.close()
    queue.put(warnings)


def test_processes_creating_the_cache_at_once_neither_delete_nor_lose_entries(tmp_path):
    # Two processes open a cache file that does not exist yet, at the same moment, ten times. Before the fix, one of
    # them sometimes saw "database is locked" or a half-made file, called it corrupt and deleted the other's file.
    import multiprocessing
    import sqlite3

    ctx = multiprocessing.get_context("spawn")
    for trial in range(10):
        path = tmp_path / f"t{trial}.sqlite3"
        queue = ctx.Queue()
        procs = [ctx.Process(target=_fill_cache, args=(str(path), k, queue)) for k in range(2)]
        for p in procs:
            p.start()
        warnings = [queue.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert warnings == [[], []]
        assert sqlite3.connect(path).execute("SELECT count(*) FROM segments").fetchone()[0] == 128
