"""What a change to the domain dictionary changes: every cut that differs between the shipped dictionary and another
version of it, over real text, with counts and one context each.

Usage: python benchmarks/dictionary_diff.py OLD_DICT [CORPUS.jsonl ...]

OLD_DICT is the other version (for example `git show HEAD~1:src/dangjian_cli/data/domain_dict.txt > /tmp/old.txt`);
the corpora default to ../shared/corpus/dev.jsonl and bench.jsonl. Rows: count, old pieces -> new pieces | context.
The contexts are quotations of the corpus: print them, do not commit them.
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dangjian_cli.tokenize import Tokenizer, TokenizerConfig  # noqa: E402


def changed_cuts(text: str, old: list[str], new: list[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, old pieces, new pieces) of every stretch between two shared cut positions where the cuts differ."""
    old_ends = [0, *accumulate(map(len, old))]
    new_ends = [0, *accumulate(map(len, new))]
    shared = sorted(set(old_ends) & set(new_ends))
    out = []
    for start, end in zip(shared, shared[1:]):
        before = [text[a:b] for a, b in zip(old_ends, old_ends[1:]) if a >= start and b <= end]
        after = [text[a:b] for a, b in zip(new_ends, new_ends[1:]) if a >= start and b <= end]
        if before != after:
            out.append((start, end, "/".join(before), "/".join(after)))
    return out


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    shared = ROOT.parent / "shared/corpus"
    corpora = sys.argv[2:] or [str(shared / "dev.jsonl"), str(shared / "bench.jsonl")]
    new = Tokenizer()
    old = Tokenizer(TokenizerConfig(use_default_dict=False, user_dict_files=(sys.argv[1],)))
    counts: Counter[tuple[str, str]] = Counter()
    context: dict[tuple[str, str], str] = {}
    texts = 0
    for corpus in corpora:
        with open(corpus, encoding="utf-8") as lines:
            for line in lines:
                text = json.loads(line).get("text") or ""
                texts += 1
                old_pieces, new_pieces = old.cut(text), new.cut(text)
                if old_pieces == new_pieces:
                    continue
                for start, end, before, after in changed_cuts(text, old_pieces, new_pieces):
                    counts[before, after] += 1
                    context.setdefault((before, after), text[max(0, start - 8):end + 8].replace("\n", " "))
    print(f"# {texts} texts of {', '.join(corpora)}: {len(counts)} distinct changed cuts, "
          f"{sum(counts.values())} in all")
    for (before, after), n in counts.most_common():
        print(f"{n}\t{before} -> {after}\t| {context[before, after]}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # `… | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
