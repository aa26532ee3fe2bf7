"""Shared test helpers. Tests run the real libraries on real files; ../shared is used only where it exists."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
DEV = SHARED / "corpus" / "dev.jsonl"
SEED_IDS = ["000_4a5ffb8b83af9862", "001_3dcc71c6bc6fd224", "002_f28af7c7846c6d33", "003_caf6c99ba3fcd165",
            "004_f03987007a3fccd1"]

# Every test run gets its own token cache, never the user's.
os.environ["DANGJIAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="dangjian-test-cache-")
os.environ.pop("DANGJIAN_FORCE_TERMINAL", None)

needs_shared = pytest.mark.skipif(not DEV.exists(), reason="../shared/corpus is not present")


def seed(n: int) -> Path:
    return SEEDS / f"{SEED_IDS[n]}.txt"


def run_cli(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None):
    """The CLI through Typer's CliRunner (stdout and stderr kept apart)."""
    from typer.testing import CliRunner

    from dangjian_cli.cli import app

    runner = CliRunner()
    return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)


def run_process(*args: str, input: bytes | None = None, env: dict[str, str] | None = None,
                cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The CLI as a real process, ``python -m dangjian_cli``."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "dangjian_cli", *args], input=input, capture_output=True,
                          env=full_env, cwd=cwd, timeout=300)
