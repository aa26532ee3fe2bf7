"""Keyword quality on real 新闻联播 items: dangjian keywords (TF-IDF fitted on the corpus) against
jieba.analyse.extract_tags, top 10 of each item.

Usage: python benchmarks/keyword_quality.py [../shared/corpus/dev.jsonl] [--sample-out FILE]

Measures, over every item with text:
- slogan fragments: a keyword that is a strict part of a lexicon formulation that stands in the item (两学 where the
  item says 两学一做, 初心 where it says 不忘初心);
- cut slogans: a keyword that stands in the item only inside lexicon formulations (so it can only come from cutting
  one apart; 初心 where the item says 不忘初心 and never 初心 alone);
- numbers: a keyword with a digit, only Chinese numerals, or an ordinal or count in Chinese numerals (第二批, 五位),
  unless it is a lexicon entry (十九大);
- generic words: a keyword in GENERIC below (an evaluation list written for this check, wider than the issue's
  examples 工作, 开展, 学习, 教育);
- title recall: the share of the title's content words (jieba.lcut of the title, 2+ characters, not a number as
  above, not generic) found among the top 10 (equal to a keyword, or one contained in the other).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GENERIC = set("""工作 开展 学习 教育 推进 加强 发展 建设 活动 组织 坚持 全面 深入 进一步 积极 重要 要求 落实 实现 提高 不断
切实 认真 扎实 推动 举行 召开 会议 表示 强调 指出 进行 我们 今天 记者 新闻联播 中国 国家 全国 方面 问题 以来 目前 情况""".split())
# A number to a reader: a digit, Chinese numerals, an ordinal or a count (第二批, 第十九届, 五位, 两项), also with a
# unit of measure (万例 of 3.5万例, 亿美元, 万吨, 八成, 两架; counted since session 31). Such a keyword counts as a
# number unless it is a lexicon entry (十九大, “十四五”); such a title word is not a content word.
NUMBER = re.compile(r"\d|^第?[零〇一二三四五六七八九十百千万亿两几]+[多余]?(?:周年|季度|年代|年间|分点|公里|人次|"
                    r"[美欧日港]元|英镑|瓦时|立方米|平方米|平方公里|公顷|公斤|标箱|架次|个月|小时|分钟|阶段|"
                    r"[个名位人次届批场项家条起轮期季件座所户支份张篇部处台套种类级层代年月日号元岁天周倍万亿书论评卷集亩里辆节"
                    r"只头吨斤克米瓦伏桶例剂册架艘枚颗列栋幢块根盏首本片成点时步])?$")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default=str(ROOT.parent / "shared/corpus/dev.jsonl"))
    ap.add_argument("--sample-out", default=str(ROOT / "benchmarks/out/keyword_sample.txt"))
    ap.add_argument("--sample", type=int, default=40)
    args = ap.parse_args()

    import logging

    import jieba
    import jieba.analyse

    from dangjian_cli.corpus import load_documents
    from dangjian_cli.keywords import KeywordSettings, extract_keywords
    from dangjian_cli.pipeline import Analyzer

    jieba.setLogLevel(logging.WARNING)
    docs = load_documents([args.path], warn=lambda m: None)
    raw = {}
    for line in open(args.path, encoding="utf-8"):
        row = json.loads(line)
        raw[row["id"]] = row
    analyzer = Analyzer()

    def top10(documents, **settings) -> dict[str, list[str]]:
        result = extract_keywords(documents, analyzer, KeywordSettings(top=10, **settings))
        out: dict[str, list[str]] = {}
        for doc_id, _title, _rank, kw, _score, _count in result.rows:
            out.setdefault(doc_id, []).append(kw)
        return out

    t0 = time.perf_counter()
    ours = top10(docs)
    t_ours = time.perf_counter() - t0
    # The same documents without their title field, for a comparison with jieba on the text alone.
    untitled = [dataclasses.replace(d, title="") for d in docs]
    ours_text = top10(untitled)
    ours_plain = top10(docs, tf="sublinear", title_weight=1, lead_weight=1)
    t0 = time.perf_counter()
    base = {d.id: jieba.analyse.extract_tags(raw[d.id]["text"], topK=10) for d in docs}
    t_base = time.perf_counter() - t0
    # dangjian counts a separate title field as part of the document; jieba given the same title + text:
    base_titled = {d.id: jieba.analyse.extract_tags(raw[d.id].get("title", "") + "\n" + raw[d.id]["text"], topK=10)
                   for d in docs}

    forms = [(e.key, sorted({f for f in analyzer.tokenizer.lexicon.surface_to_entry if
                             analyzer.tokenizer.lexicon.surface_to_entry[f] is e}, key=len))
             for e in analyzer.tokenizer.lexicon.entries]

    fragments: dict[str, int] = {}
    cuts: dict[str, int] = {}
    numbers: dict[str, int] = {}

    def fragment(kw: str, text: str) -> bool:
        for key, surfaces in forms:
            if kw != key and len(kw) < len(key) and kw in key and any(s in text for s in surfaces):
                fragments[kw] = fragments.get(kw, 0) + 1
                return True
        return False

    lexicon_keys = {key for key, _ in forms}
    all_surfaces = sorted({s for _, surfaces in forms for s in surfaces}, key=len, reverse=True)

    def cut_slogan(kw: str, text: str) -> bool:
        """The keyword stands in the item only inside lexicon formulations: it can only come from cutting one."""
        if kw not in text or kw in lexicon_keys:
            return False  # a lexicon entry is a whole formulation, whatever longer one it stands in
        rest = text
        for surface in all_surfaces:
            if kw in surface and surface != kw and surface in rest:
                rest = rest.replace(surface, "\x00")
        if kw in rest:
            return False
        cuts[kw] = cuts.get(kw, 0) + 1
        return True

    def title_words(title: str) -> list[str]:
        return [w for w in jieba.lcut(title) if len(w) >= 2 and not NUMBER.search(w) and w not in GENERIC
                and re.search(r"[\u4e00-\u9fff]", w)]

    def score(keywords: dict[str, list[str]]) -> dict[str, float]:
        n_kw = frag = cut = num = gen = 0
        t_total = t_hit = 0
        for d in docs:
            kws = keywords.get(d.id, [])
            text = raw[d.id]["text"]
            for k in kws:
                n_kw += 1
                frag += fragment(k, text)
                cut += cut_slogan(k, text)
                if NUMBER.search(k) and k not in lexicon_keys:
                    num += 1
                    numbers[k] = numbers.get(k, 0) + 1
                gen += k in GENERIC
            for w in title_words(raw[d.id].get("title", "")):
                t_total += 1
                t_hit += any(w == k or (len(k) >= 2 and (w in k or k in w)) for k in kws)
        return {"keywords": n_kw, "fragment": frag / n_kw, "cut": cut / n_kw, "number": num / n_kw,
                "generic": gen / n_kw, "title_recall": t_hit / t_total, "title_words": t_total}

    a = score(ours)
    ours_fragments, ours_cuts, ours_numbers = dict(fragments), dict(cuts), dict(numbers)
    a_text, a_plain = score(ours_text), score(ours_plain)
    b, c = score(base), score(base_titled)
    print(f"corpus: {args.path}: {len(docs)} items with text")
    columns = (("dangjian", a), ("jieba title+text", c), ("dangjian text", a_text), ("jieba text", b),
               ("dangjian v0.1", a_plain))
    print(f"{'':24}" + "".join(f"{name:>18}" for name, _ in columns))
    for key, label in (("keywords", "keywords (top 10)"), ("fragment", "slogan fragments"),
                       ("cut", "cut slogans"), ("number", "numbers"),
                       ("generic", "generic words"), ("title_recall", "title words recovered")):
        cells = [f"{x[key]:.2%}" if isinstance(x[key], float) else str(x[key]) for _, x in columns]
        print(f"{label:24}" + "".join(f"{cell:>18}" for cell in cells))
    print("dangjian: defaults (raw tf, title and first sentence weighted 2); dangjian text: the same without the "
          "title field; dangjian v0.1: sublinear tf, no position weights (the first release's defaults)")
    print("dangjian's 'fragments':", ", ".join(f"{k} {v}" for k, v in sorted(ours_fragments.items(),
                                                                              key=lambda kv: -kv[1])[:15]))
    print("dangjian's 'cut slogans':", ", ".join(f"{k} {v}" for k, v in sorted(ours_cuts.items(),
                                                                                 key=lambda kv: -kv[1])[:15]))
    print("dangjian's 'numbers':", ", ".join(f"{k} {v}" for k, v in sorted(ours_numbers.items(),
                                                                            key=lambda kv: -kv[1])[:15]))
    print(f"{'title content words':28}{a['title_words']:>16}")
    print(f"time: dangjian {t_ours:.1f} s (load excluded), jieba {t_base:.1f} s")

    out = Path(args.sample_out)
    out.parent.mkdir(parents=True, exist_ok=True)
    step = max(1, len(docs) // args.sample)
    with out.open("w", encoding="utf-8") as fh:
        for d in docs[::step][:args.sample]:
            fh.write(f"{d.id} {d.date} {raw[d.id].get('title', '')}\n  ours : {' '.join(ours.get(d.id, []))}\n"
                     f"  jieba: {' '.join(base[d.id])}\n")
    print(f"sample for reading: {out}")


if __name__ == "__main__":
    main()
