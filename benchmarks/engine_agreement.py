"""Token-boundary and POS agreement between rjieba and jieba on real text, and their speed.

Usage: python benchmarks/engine_agreement.py [../shared/corpus/dev.jsonl]
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/corpus/dev.jsonl")
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    texts = [t for t in texts if t]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    import logging

    import jieba
    import jieba.posseg
    import rjieba

    jieba.setLogLevel(logging.WARNING)
    t0 = time.perf_counter()
    jt = jieba.Tokenizer()
    jt.initialize()
    t_jload = time.perf_counter() - t0
    t0 = time.perf_counter()
    rj = rjieba.Jieba()
    rj.cut("初始化")
    t_rload = time.perf_counter() - t0

    def bounds(tokens):
        out, at = set(), 0
        for tok in tokens:
            at += len(tok)
            out.add(at)
        return out

    t0 = time.perf_counter()
    jcuts = [jt.lcut(t) for t in texts]
    t_j = time.perf_counter() - t0
    t0 = time.perf_counter()
    rcuts = [rj.cut(t) for t in texts]
    t_r = time.perf_counter() - t0
    same = union = 0
    jn = rn = 0
    for a, b in zip(jcuts, rcuts):
        ba, bb = bounds(a), bounds(b)
        same += len(ba & bb)
        union += len(ba | bb)
        jn += len(a)
        rn += len(b)
    # POS: compare tags on tokens both engines cut identically, on a sample.
    sample = texts[:500]
    pos_same = pos_total = 0
    pt = jieba.posseg.POSTokenizer(jt)
    for t in sample:
        jp = [(w, f) for w, f in pt.lcut(t)]
        rp = rj.tag(t)
        jmap, at = {}, 0
        for w, f in jp:
            jmap[(at, w)] = f
            at += len(w)
        at = 0
        for w, f in rp:
            key = (at, w)
            if key in jmap and w.strip():
                pos_total += 1
                pos_same += jmap[key] == f
            at += len(w)
    print(f"corpus: {path} ({len(texts)} texts, {mb:.2f} MB)")
    print(f"dictionary load: jieba {t_jload:.2f} s, rjieba {t_rload:.2f} s")
    print(f"segmentation: jieba {mb / t_j:.2f} MB/s, rjieba {mb / t_r:.2f} MB/s ({t_j / t_r:.1f}x)")
    print(f"tokens: jieba {jn}, rjieba {rn}")
    print(f"boundary agreement: {same / union:.6%} of {union} boundaries")
    print(f"POS agreement on identical tokens (first 500 texts): {pos_same / pos_total:.2%} of {pos_total}")


if __name__ == "__main__":
    main()
