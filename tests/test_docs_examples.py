"""Every ``$ dangjian …`` example in README.md and docs/ shows what the command prints today.

Examples that read files outside the repository (``../shared/…``, a user's ``corpus/``) are left out; an expected
output ending in ``…`` is an excerpt, checked as a prefix. The commands run through a POSIX shell (they use ``cut``
and ``head``), with ``dangjian`` as ``python -m dangjian_cli`` and a fresh cache folder."""
from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str, str]]:
    """(page, command, expected output) of every example."""
    out = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            command, lines = None, []
            for line in block.splitlines() + ["$ "]:
                if line.startswith("$ "):
                    if command and command.startswith("dangjian "):
                        out.append((page.relative_to(ROOT).as_posix(), command, "\n".join(lines)))
                    command, lines = line[2:], []
                else:
                    lines.append(line)
    return out


def _runnable(command: str) -> bool:
    """Whether every path the command names (before any pipe) is in the repository."""
    for token in shlex.split(command.split("|")[0])[1:]:
        if token.startswith("-") or "/" not in token and not re.search(r"\.(jsonl|json|txt|csv|tsv|model)$", token):
            continue
        if not glob.glob(str(ROOT / token)) or not (ROOT / token).resolve().is_relative_to(ROOT.resolve()):
            return False
    return True


EXAMPLES = _examples()


def test_the_pages_have_examples():
    assert len(EXAMPLES) >= 15
    assert sum(_runnable(c) for _, c, _ in EXAMPLES) >= 12


@pytest.mark.skipif(shutil.which("sh") is None or shutil.which("cut") is None, reason="needs a POSIX shell")
@pytest.mark.parametrize("page, command, expected", [e for e in EXAMPLES if _runnable(e[1])],
                         ids=[f"{p}: {c[:50]}" for p, c, _ in EXAMPLES if _runnable(c)])
def test_example_prints_what_the_page_shows(page, command, expected, tmp_path):
    env = dict(os.environ, DANGJIAN_CACHE_DIR=str(tmp_path / "cache"), DANGJIAN_FORCE_TERMINAL="0",
               LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
    shell = command.replace("dangjian ", f"{shlex.quote(sys.executable)} -m dangjian_cli ", 1)
    r = subprocess.run(shell, shell=True, cwd=ROOT, env=env, capture_output=True, timeout=300)
    got = r.stdout.decode("utf-8", "replace").rstrip("\n")
    want = expected.rstrip("\n")
    if want.endswith("…"):
        assert got.startswith(want[:-1].rstrip()), f"{page}: {command}\n{got[:400]}"
    else:
        assert got == want, f"{page}: {command}\n--- page\n{want}\n--- now\n{got}"


def test_the_readme_python_example_gives_what_its_comments_show(monkeypatch):
    """The first ```python block of the README runs, and each line `expression  # shown` gives what is shown (… stands
    for the rest of a number)."""
    block = re.search(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    checked = 0
    for line in block.splitlines():
        code, _, shown = line.partition("  # ")
        exec(code.strip(), namespace)  # noqa: S102 - the README's own example
        expression = code.strip()
        if shown and "=" not in expression.split("(")[0] and not expression.startswith(("from ", "import ")):
            want = re.escape(shown.strip()).replace("…", "[0-9]*")
            assert re.fullmatch(want, repr(eval(expression, namespace))), (expression, shown)  # noqa: S307
            checked += 1
    assert checked == 2
