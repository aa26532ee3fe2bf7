"""Scale runs on a large synthetic corpus: wall time and peak memory of the whole process tree (main process and
its workers, summed, sampled every 0.2 s) for each command.

    python benchmarks/synthetic.py 1000000 /tmp/syn1m.jsonl
    python benchmarks/scale.py /tmp/syn1m.jsonl [--jobs 2] [--only keywords]
    python benchmarks/synthetic.py 100000 /tmp/syn100k.jsonl
    python benchmarks/scale.py /tmp/syn100k.jsonl --only similar

``similar --all`` (a k-NN table: work grows with the square of the corpus) runs only when ``--only`` names it: first
with an empty cache (it counts the corpus and stores the counts), then again from the cache.

Needs psutil (a dependency of sparse_dot_topn, so it is installed with dangjian). Prints one line per command with
the command itself; the token cache is a fresh folder under /tmp, removed at the end.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak summed RSS in MB, exit status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    top = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [top, *top.children(recursive=True)]
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        print(err.strip()[-500:], file=sys.stderr)
    return wall, peak / 1e6, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    mb = corpus.stat().st_size / 1e6
    cache = Path(tempfile.mkdtemp(prefix="dangjian-scale-cache-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), DANGJIAN_CACHE_DIR=str(cache))
    dj = [sys.executable, "-m", "dangjian_cli"]
    similar = ["similar", "--all", "--corpus", str(corpus), "--top", "10"]
    plans = [  # (name, arguments, run without --only)
        ("corpus --summary", ["corpus", str(corpus), "--summary"], True),
        ("slogans", ["slogans", str(corpus)], True),
        ("keywords --group-by year", ["keywords", str(corpus), "--group-by", "year"], True),
        ("similar --all, empty cache", similar, False),
        ("similar --all, from the cache", similar, False),
    ]
    print(f"# {corpus} ({mb:,.0f} MB), --jobs {args.jobs}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB")
    try:
        for name, cmd, by_default in plans:
            if (args.only and args.only not in name) or (not args.only and not by_default):
                continue
            full = dj + cmd + ["-j", args.jobs, "-q", "-f", "tsv"]
            wall, peak, status = run(full, env)
            print(f"{name:<30} {wall:8.1f} s  {mb / wall:6.2f} MB/s  peak {peak:8.0f} MB (process tree)  "
                  f"exit {status}   $ dangjian {' '.join(cmd)} -j {args.jobs} -q -f tsv", flush=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
