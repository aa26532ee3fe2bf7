"""Whole-process timings of dangjian commands on ../shared/corpus/bench.jsonl, with their baselines, measured in the
same run; writes docs/performance.md.

    python benchmarks/run.py [--corpus ../shared/corpus/bench.jsonl] [--repeat 3] [--only keywords,slogans]

Each command runs as its own process (``python -m dangjian_cli …`` with output to /dev/null); wall time by the
clock, peak RSS from the child's rusage. Figures are medians over ``--repeat`` runs with the range. Baselines:
- segment: a plain loop of the engine's cut over the same texts (what keywords cannot be faster than);
- jieba: a plain loop of ``jieba.analyse.extract_tags(text, topK=10)`` over the same texts;
- datasketch: its plain per-document path (``MinHash(num_perm=128)`` over each text's 5-character shingles, inserted
  into a ``MinHashLSH(threshold=0.5)``), the baseline of ``duplicates``; run only where datasketch is installed (it is
  not a dependency of dangjian: ``pip install datasketch`` to measure it).
The caches live in a temporary folder: "cold" runs start with them empty (``dangjian cache clear``), the "warm"
keywords run reuses the corpus matrix the cold run left (and, with the jieba engine only, the token cache); the
"warm" similar runs follow one unmeasured run that stores the corpus's counts.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SEGMENT_BASELINE = """
import json, sys, rjieba
texts = [json.loads(l).get("text") or "" for l in open(sys.argv[1], encoding="utf-8")]
tok = rjieba.Jieba()
n = 0
for t in texts:
    n += len(tok.cut(t))
print(n)
"""
JIEBA_BASELINE = """
import json, sys, logging, jieba, jieba.analyse
jieba.setLogLevel(logging.WARNING)
for line in open(sys.argv[1], encoding="utf-8"):
    jieba.analyse.extract_tags(json.loads(line).get("text") or "", topK=10)
"""
DATASKETCH_BASELINE = """
import json, sys
from datasketch import MinHash, MinHashLSH
lsh = MinHashLSH(threshold=0.5, num_perm=128)
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    text = json.loads(line).get("text") or ""
    m = MinHash(num_perm=128)
    m.update_batch([text[i:i + 5].encode("utf-8") for i in range(max(len(text) - 4, 1))])
    lsh.insert(str(n), m)
"""


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``cmd`` under a tiny wrapper process so that its own peak RSS is reported, not the largest so far."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
               "w = time.perf_counter() - t; "
               "print(r.returncode, w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    p = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, env=env, cwd=ROOT, text=True)
    code, wall, rss = p.stdout.split()
    if code != "0":
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return float(wall), int(rss) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "bench.jsonl"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    mb = corpus.stat().st_size / 1e6
    py = sys.executable
    dj = [py, "-m", "dangjian_cli"]
    q = ["-q", "-f", "tsv"]
    cache = Path(tempfile.mkdtemp(prefix="dangjian-bench-cache-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), DANGJIAN_CACHE_DIR=str(cache))
    for k in ("DANGJIAN_FORCE_TERMINAL",):
        env.pop(k, None)
    plans = [
        ("segment baseline (rjieba cut loop)", [py, "-c", SEGMENT_BASELINE, str(corpus)], None),
        ("jieba.analyse.extract_tags loop", [py, "-c", JIEBA_BASELINE, str(corpus)], None),
        ("keywords, cold cache, 1 worker", dj + ["keywords", str(corpus), "-j", "1", *q], "clear"),
        ("keywords, cold cache, 2 workers", dj + ["keywords", str(corpus), "-j", "2", *q], "clear"),
        ("keywords, warm cache, 2 workers", dj + ["keywords", str(corpus), "-j", "2", *q], None),
        ("keywords --no-cache, 2 workers", dj + ["keywords", str(corpus), "--no-cache", "-j", "2", *q], None),
        ("slogans, 1 worker", dj + ["slogans", str(corpus), "-j", "1", *q], None),
        ("slogans, 2 workers", dj + ["slogans", str(corpus), "-j", "2", *q], None),
        ("corpus --summary, 2 workers", dj + ["corpus", str(corpus), "--summary", "-j", "2", *q], None),
        ("classify, 2 workers", dj + ["classify", str(corpus), "-j", "2", *q], None),
        ("datasketch MinHash + LSH loop", [py, "-c", DATASKETCH_BASELINE, str(corpus)], "datasketch"),
        ("duplicates, 1 worker", dj + ["duplicates", str(corpus), "-j", "1", *q], None),
        ("duplicates, 2 workers", dj + ["duplicates", str(corpus), "-j", "2", *q], None),
        ("similar --all --top 10, --no-cache, 2 workers", dj + ["similar", "--all", "--corpus", str(corpus), "-n",
                                                                 "10", "--no-cache", "-j", "2", *q], None),
        ("similar --all --top 10, warm cache, 2 workers", dj + ["similar", "--all", "--corpus", str(corpus), "-n",
                                                                 "10", "-j", "2", *q], "warm"),
        ("similar --text query, warm cache", dj + ["similar", "--text", "两学一做学习教育", "--corpus", str(corpus),
                                                   *q], "warm"),
    ]
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    results = []
    print(f"$ python benchmarks/run.py --repeat {args.repeat}   # {corpus} ({mb:.1f} MB)")
    for name, cmd, prep in plans:
        if only and not any(o in name for o in only):
            continue
        if prep == "datasketch" and importlib.util.find_spec("datasketch") is None:
            print(f"{name:<40} not measured: datasketch is not installed", flush=True)
            continue
        walls, rsss = [], []
        if prep == "warm":  # one unmeasured run fills the corpus matrix cache
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        for _ in range(args.repeat):
            if prep == "clear":
                subprocess.run(dj + ["cache", "clear"], env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
            w, r = measured(cmd, env)
            walls.append(w)
            rsss.append(r)
        med = statistics.median(walls)
        row = (name, med, min(walls), max(walls), mb / med, max(rsss), " ".join(c if c != py else "python"
                                                                              for c in cmd[:3]) + " …")
        results.append(row)
        print(f"{name:<40} {med:8.2f} s  [{min(walls):.2f}-{max(walls):.2f}]  {mb / med:7.2f} MB/s  "
              f"peak {max(rsss):7.0f} MB", flush=True)
    by = {r[0]: r for r in results}

    def ratio(a: str, b: str) -> str:
        return f"{by[a][1] / by[b][1]:.2f}" if a in by and b in by else "not measured"

    cold1, cold2, warm2 = ("keywords, cold cache, 1 worker", "keywords, cold cache, 2 workers",
                           "keywords, warm cache, 2 workers")
    ratios = [
        ("keywords cold, 1 worker / segment baseline (target ≤ 2)", ratio(cold1, "segment baseline (rjieba cut loop)")),
        ("jieba loop / keywords cold, 2 workers (target ≥ 12)", ratio("jieba.analyse.extract_tags loop", cold2)),
        ("keywords cold / warm, 2 workers (target ≥ 4)", ratio(cold2, warm2)),
        ("keywords cold, 2 workers, MB/s (target ≥ 10)", f"{by[cold2][4]:.2f}" if cold2 in by else "not measured"),
        ("datasketch loop / duplicates, 2 workers", ratio("datasketch MinHash + LSH loop", "duplicates, 2 workers")),
        ("duplicates, 2 workers, MB/s (target ≥ 10)", f"{by['duplicates, 2 workers'][4]:.2f}"
         if "duplicates, 2 workers" in by else "not measured"),
    ]
    for k, v in ratios:
        print(f"{k}: {v}")
    t0 = time.perf_counter()
    subprocess.run(dj + ["--help"], env=env, stdout=subprocess.DEVNULL)
    help_s = time.perf_counter() - t0
    print(f"dangjian --help: {help_s:.2f} s")
    seed = sorted((ROOT / "seeds").glob("004_*.txt"))[0]
    t0 = time.perf_counter()
    subprocess.run(dj + ["classify", "-"], env=env, stdin=seed.open("rb"), stdout=subprocess.DEVNULL)
    classify_s = time.perf_counter() - t0
    print(f"dangjian classify - < {seed.name}: {classify_s:.2f} s")
    if args.no_write:
        return
    import importlib.metadata as md

    versions = ", ".join(f"{p} {md.version(p)}" for p in ("rjieba", "jieba", "scikit-learn", "numpy", "opencc",
                                                           "ahocorasick-rs", "sparse_dot_topn", "typer", "rich"))
    lines = ["# Performance", "",
             "Measured by `python benchmarks/run.py --repeat " + str(args.repeat) + "` (whole processes, output to "
             "/dev/null; medians with the range over the repeats; peak RSS of the process).", "",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
             f"Python {platform.python_version()}",
             f"- versions: {versions}",
             f"- input: `{corpus.name}`, {mb:.1f} MB of JSONL, 20,000 news items", "",
             "| command | median s | range s | MB/s | peak RSS MB |", "|---|---|---|---|---|"]
    for name, med, lo, hi, speed, rss, _cmd in results:
        lines.append(f"| {name} | {med:.2f} | {lo:.2f}–{hi:.2f} | {speed:.2f} | {rss:.0f} |")
    lines += ["", "| ratio | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in ratios]
    lines += ["", f"`dangjian --help`: {help_s:.2f} s; `dangjian classify - < seeds/{seed.name}`: {classify_s:.2f} s.",
              "", "`-j N` is `--jobs N` (worker processes; the machine's cores by default). The caches are "
              "cleared before each cold run; the warm run reuses the corpus matrix cache.", ""]
    target = ROOT / "docs" / "performance.md"
    notes = ""
    if target.exists():  # the hand-written analysis after the figures is kept
        old = target.read_text(encoding="utf-8")
        if "\n## Where the time goes" in old:  # (and the 100,000 and 1,000,000 sections after it)
            notes = old[old.index("\n## Where the time goes") + 1:]
    target.write_text("\n".join(lines) + ("\n" + notes if notes else ""), encoding="utf-8")
    print("wrote docs/performance.md")


if __name__ == "__main__":
    main()
