"""Where `similar --all` spends its time on a large corpus: loading (or counting) the corpus, the k-NN table and
the sparse product inside it, and writing the rows as TSV, measured in one process.

    python benchmarks/synthetic.py 100000 /tmp/syn100k.jsonl
    python benchmarks/similar_phases.py /tmp/syn100k.jsonl [--top 10] [--jobs 2] [--method auto|rows|halves]

Run it twice: the first run counts the corpus (and stores it in the corpus matrix cache), the second loads it.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import sparse_dot_topn  # noqa: E402

PRODUCT = {"seconds": 0.0}
_multiply = sparse_dot_topn.sp_matmul_topn


def _timed_product(*args, **kwargs):
    start = time.perf_counter()
    try:
        return _multiply(*args, **kwargs)
    finally:
        PRODUCT["seconds"] += time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--method", choices=("auto", "rows", "halves"), default="auto")
    args = ap.parse_args()
    sparse_dot_topn.sp_matmul_topn = _timed_product  # all_neighbours imports it when it runs
    from dangjian_cli.corpus import CorpusReader, LoaderOptions
    from dangjian_cli.output import tsv_lines
    from dangjian_cli.pipeline import make_analyzer
    from dangjian_cli.similar import all_neighbours, fit_vectors

    t0 = time.perf_counter()
    reader = CorpusReader([args.corpus], LoaderOptions(jobs=args.jobs), warn=lambda m: None)
    vectors = fit_vectors(reader, make_analyzer())
    t1 = time.perf_counter()
    stats: dict = {}
    rows = list(all_neighbours(vectors, top=args.top, threads=args.jobs, method=args.method, stats=stats))
    t2 = time.perf_counter()
    chars = sum(len(line) for line in tsv_lines(rows))
    t3 = time.perf_counter()
    print(f"$ python benchmarks/similar_phases.py {args.corpus} --top {args.top} --jobs {args.jobs} "
          f"--method {args.method}")
    print(f"{len(vectors.ids):,} documents, {vectors.matrix.nnz:,} stored weights")
    print(f"counting or loading the corpus, TF-IDF  {t1 - t0:7.2f} s")
    print(f"k-NN table                              {t2 - t1:7.2f} s  (sparse product {PRODUCT['seconds']:.2f} s)")
    print(f"TSV of {len(rows):,} rows ({chars:,} chars)   {t3 - t2:7.2f} s")
    if stats.get("floor") is not None:
        print(f"by halves: floor {stats['floor']:.4f}; " + ", ".join(f"{k} {v:,}" for k, v in stats.items()
                                                                   if k != "floor"))


if __name__ == "__main__":
    main()
