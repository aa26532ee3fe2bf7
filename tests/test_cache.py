from __future__ import annotations

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

    procs = [subprocess.Popen([sys.executable, "-m", "dangjian_cli", "segment", str(SEEDS)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env})
             for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    assert len({o[0] for o in outs}) == 1
    assert all(o[1] == b"" for o in outs)
    info = run_process("cache", "info", env=env).stdout.decode()
    assert "entries\t5" in info
    assert run_process("cache", "clear", env=env).returncode == 0
    assert not (tmp_path / "tokens.sqlite3").exists()
