"""Why the exact k-NN product of `similar --all` is hard to cut: where its cost lies, and what leaving the most
frequent terms out of it (then re-scoring candidates exactly) would save and would need.

    python benchmarks/synthetic.py 100000 /tmp/syn100k.jsonl
    python benchmarks/similar_terms.py /tmp/syn100k.jsonl [--rows 2048] [--top 10]

Prints, for a random sample of rows: the product's time per 100,000 rows with the h most frequent terms left out,
and, for each h, how many documents per row a Cauchy–Schwarz bound on the left-out terms (|x_i^H|·|x_j^H|) cannot
rule out, given the light product's best N candidates and the row's true k-th score: those would need exact
scores before the row's top k is certain.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--rows", type=int, default=2048)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    import numpy as np
    from sparse_dot_topn import sp_matmul_topn

    from dangjian_cli.corpus import CorpusReader, LoaderOptions
    from dangjian_cli.pipeline import make_analyzer
    from dangjian_cli.similar import fit_vectors

    reader = CorpusReader([args.corpus], LoaderOptions(jobs=args.jobs), warn=lambda m: None)
    x = fit_vectors(reader, make_analyzer()).matrix.astype(np.float64).tocsr()
    n, m = x.shape
    df = np.bincount(x.indices, minlength=m).astype(np.float64)
    order = np.argsort(-df, kind="stable")
    share = np.cumsum(df[order] ** 2) / (df ** 2).sum()
    rows = np.sort(np.random.default_rng(1).choice(n, min(args.rows, n), replace=False))
    print(f"$ python benchmarks/similar_terms.py {args.corpus} --rows {len(rows)} --top {args.top}")
    print(f"{n:,} documents, {m:,} terms, {x.nnz:,} weights; multiply-adds of the full product: {(df ** 2).sum():.3g}")
    sp_matmul_topn(x[rows[:256]], x.T.tocsr(), top_n=args.top + 1, n_threads=args.jobs)  # warm-up: not timed
    start = time.perf_counter()
    full = sp_matmul_topn(x[rows], x.T.tocsr(), top_n=args.top + 1, sort=True, n_threads=args.jobs)
    seconds = time.perf_counter() - start
    touched = (x[rows[:200]] @ x.T.tocsr()).nnz / 200
    print(f"full product: {seconds * n / len(rows):.1f} s per {n:,} rows; a row touches {touched:,.0f} documents")
    kth = np.array([np.sort(full.data[full.indptr[r]:full.indptr[r + 1]])[::-1][min(args.top, full.indptr[r + 1]
                    - full.indptr[r] - 1)] for r in range(len(rows))])
    print(f"true k-th score (k={args.top}): median {np.median(kth):.3f}")
    print("left out  share of multiply-adds  product s/100k  |x^H| median  rows' documents left to score exactly "
          "(mean / median) for N = 50, 200")
    for h in (30, 100, 300, 1000):
        light = np.ones(m, dtype=bool)
        light[order[:h]] = False
        xl = x[:, np.flatnonzero(light)].tocsr()
        xh = x[:, order[:h]].tocsr()
        norms = np.sqrt(np.asarray(xh.multiply(xh).sum(axis=1)).ravel())
        sorted_norms = np.sort(norms)
        cells = []
        product = 0.0
        for best in (50, 200):
            start = time.perf_counter()
            r = sp_matmul_topn(xl[rows], xl.T.tocsr(), top_n=best, sort=True, n_threads=args.jobs)
            product = product or (time.perf_counter() - start) * n / len(rows)
            counts = np.diff(r.indptr)
            floor = np.where(counts == best, r.data[np.maximum(r.indptr[1:] - 1, 0)], 0.0)
            need = (kth - floor) / np.maximum(norms[rows], 1e-12)  # a document needs |x_j^H| >= this to get in
            left = n - np.searchsorted(sorted_norms, need)
            cells.append(f"{left.mean():,.0f} / {np.median(left):,.0f}")
        print(f"{h:>8}  {share[h - 1]:>22.2f}  {product:>14.1f}  {np.median(norms):>12.3f}  "
              f"{cells[0]:>18}  {cells[1]:>18}")


if __name__ == "__main__":
    main()
