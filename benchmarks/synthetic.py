"""A large synthetic corpus from the real bench items, every text distinct, for scale runs.

    python benchmarks/synthetic.py 100000 /tmp/synthetic-100k.jsonl [--corpus ../shared/corpus/bench.jsonl]

Document k is bench item k mod n with its paragraphs rotated by k // n places and one sentence of another item
appended, so texts differ (no two are equal) while vocabulary and lengths stay those of real news. Ids are kept
distinct (suffixed with the copy number); dates are the original item's. Streams: memory does not grow with N.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    corpus = ROOT.parent / "shared" / "corpus" / "bench.jsonl"
    if "--corpus" in sys.argv:
        corpus = Path(sys.argv[sys.argv.index("--corpus") + 1])
        args = [a for a in args if a != str(corpus)]
    n_out, out = int(args[0]), Path(args[1])
    items = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    items = [r for r in items if r.get("text")]
    n = len(items)
    with out.open("w", encoding="utf-8") as fh:
        for k in range(n_out):
            r = dict(items[k % n])
            copy = k // n
            paras = r["text"].split("\n")
            shift = copy % max(len(paras), 1)
            # The appended sentence depends on the copy number too, so single-paragraph items differ across copies.
            other = items[(k * 7919 + 13 + copy * 7) % n]["text"].split("。")[0]
            r["text"] = "\n".join(paras[shift:] + paras[:shift]) + "\n" + other + "。"
            r["id"] = f"{r.get('id', k)}-{copy}"
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {n_out} documents to {out}")


if __name__ == "__main__":
    main()
