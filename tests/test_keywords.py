from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from conftest import SEEDS, run_cli, seed
from dangjian_cli.keyness import KeynessSettings, chi_square, keyness, log_likelihood, log_ratio
from dangjian_cli.keywords import DENSE_TEXTRANK_TERMS, IdfTable, textrank

HERE = Path(__file__).parent


def test_keywords_exact_tsv_on_the_seeds():
    r = run_cli("keywords", str(SEEDS), "--top", "3")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (HERE / "expected_keywords_seeds_top3.tsv").read_text(encoding="utf-8")


def test_keywords_formats_and_methods():
    r = run_cli("keywords", str(SEEDS), "-n", "2", "-f", "json")
    doc = json.loads(r.stdout)
    assert doc["meta"]["idf"] == "corpus" and doc["meta"]["documents"] == 5
    assert doc["rows"][0] == {"doc_id": "000_4a5ffb8b83af9862", "title": "武义县“两学一做”助推创国卫", "rank": 1,
                              "keyword": "先锋", "score": 0.246198, "count": 9}
    r = run_cli("keywords", str(seed(3)), str(seed(1)), "-n", "1", "-m", "frequency", "-f", "csv")
    assert r.stdout == ("doc_id,title,rank,keyword,score,count\n"
                        "003_caf6c99ba3fcd165,匯聚推進跨越發展的強大動力,1,两学一做,18,18\n"
                        "001_3dcc71c6bc6fd224,,1,党员,46,46\n")
    r = run_cli("keywords", str(seed(3)), str(seed(1)), "-n", "1", "-m", "textrank")
    assert r.stdout.splitlines()[1:] == ["003_caf6c99ba3fcd165\t匯聚推進跨越發展的強大動力\t1\t两学一做\t1\t18",
                                         "001_3dcc71c6bc6fd224\t\t1\t党员\t1\t46"]


def test_slogans_are_whole_keywords_and_traditional_gives_simplified():
    r = run_cli("keywords", str(SEEDS), "-n", "50", "-f", "jsonl")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    words = {x["keyword"] for x in rows}
    assert "两学一做" in words and "不忘初心、牢记使命" in words and "两路两侧" in words
    assert not words & {"两学", "一做", "初心", "使命", "不忘", "牢记"}
    assert not any(ch.isdigit() for w in words for ch in w)
    trad = [x["keyword"] for x in rows if x["doc_id"] == "003_caf6c99ba3fcd165"]
    assert "两学一做" in trad and "兩學一做" not in trad
    kept = run_cli("keywords", str(SEEDS), "-n", "50", "--keep-script", "-f", "jsonl").stdout
    trad_kept = [json.loads(x)["keyword"] for x in kept.splitlines() if "003_caf6c99ba3fcd165" in x]
    assert "兩學一做" in trad_kept


def test_groups_corpus_scope_top_zero_and_one_document(tmp_path):
    r = run_cli("keywords", str(SEEDS), "--scope", "corpus", "-n", "2")
    assert r.stdout == "rank\tkeyword\tscore\tcount\tdocs\n1\t党员\t0.23552\t102\t5\n2\t两学一做\t0.208608\t62\t4\n"
    r = run_cli("keywords", str(SEEDS), "--group-by", "script", "-n", "1")
    assert r.stdout.splitlines()[1:] == ["simplified\t1\t党员\t0.223448\t85\t4",
                                         "traditional\t1\t两学一做\t0.394764\t18\t1"]
    r = run_cli("keywords", str(SEEDS), "--top", "0")
    assert r.exit_code == 0 and r.stdout == "doc_id\ttitle\trank\tkeyword\tscore\tcount\n"
    r = run_cli("keywords", "-", input=seed(2).read_bytes())
    assert r.exit_code == 0
    assert "one document" in r.stderr and "--idf-from" in r.stderr
    assert r.stdout.splitlines()[1].startswith("stdin\t直面民生小事 秀出党建风采\t1\t主题教育\t")
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_cli("keywords", str(empty))
    assert r.exit_code == 1 and "no files matching" in r.stderr
    r = run_cli("keywords", str(SEEDS), "--method", "lda")
    assert r.exit_code == 2 and "unknown method" in r.stderr


def test_idf_save_load_and_idf_from(tmp_path):
    idf = tmp_path / "seeds.idf"
    r = run_cli("keywords", str(SEEDS), "--save-idf", str(idf), "--top", "0")
    assert r.exit_code == 0
    table = IdfTable.load(idf)
    assert table.documents == 5 and table.df["两学一做"] == 4 and table.df["创国卫"] == 1
    a = run_cli("keywords", str(seed(0)), "--load-idf", str(idf), "-n", "3").stdout
    b = run_cli("keywords", str(seed(0)), "--idf-from", str(SEEDS), "-n", "3").stdout
    assert a == b and "创国卫" in a
    assert math.isclose(table.idf("两学一做"), math.log(6 / 5) + 1)
    r = run_cli("keywords", str(seed(0)), "--load-idf", str(tmp_path / "nope.idf"))
    assert r.exit_code == 1 and "IDF file not found" in r.stderr
    (tmp_path / "gbk.idf").write_bytes("# documents: 2\n两学一做\t1\n".encode("gb18030"))
    r = run_cli("keywords", str(seed(0)), "--load-idf", str(tmp_path / "gbk.idf"))
    assert r.exit_code == 1 and r.stderr.strip().splitlines() == [
        f"dangjian: error: {tmp_path / 'gbk.idf'}: IDF file is not UTF-8 text; make IDF files with --save-idf"]
    assert b"warning" not in run_cli("keywords", str(seed(0)), "--load-idf", str(idf)).stderr_bytes


def test_an_idf_table_that_cannot_tell_terms_apart_is_said(tmp_path):
    """IDF from one document, or from texts that share no term with the input, gives every term (nearly) the same
    weight: the scores are then frequencies, and stderr says so."""
    one = run_cli("keywords", str(SEEDS), "--idf-from", str(seed(0)), "-n", "1")
    assert one.exit_code == 0 and one.stderr.strip().splitlines() == [
        f"dangjian: warning: the IDF table ({seed(0)}) comes from 1 document, so it gives nearly every term the same "
        "IDF and the scores are close to frequency; fit it on a corpus of many documents"]
    english = tmp_path / "english"
    english.mkdir()
    (english / "a.txt").write_text("The quick brown fox.", encoding="utf-8")
    (english / "b.txt").write_text("Another text in English.", encoding="utf-8")
    english_idf = tmp_path / "english.idf"
    assert run_cli("keywords", str(english), "--save-idf", str(english_idf), "-n", "0").exit_code == 0
    for option in (["--idf-from", str(english)], ["--load-idf", str(english_idf)]):
        r = run_cli("keywords", str(seed(0)), *option, "--scope", "corpus", "-n", "1")
        assert r.exit_code == 0 and "none of the" in r.stderr and "terms is in the IDF table" in r.stderr


# Position weights, by hand. Document a: title 社区, text 党员，社区。街道，街道，街道。 — counts 社区 2 (title + text),
# 党员 1, 街道 3; the title adds 1 to 社区, the first sentence (党员，社区。) adds 1 to 党员 and 社区: tf 社区 4, 党员 2,
# 街道 3. Document b: 街道，党员。 IDF (n = 2): 社区 ln(3/2) + 1 = 1.405465, 党员 and 街道 1. Weights of a: 5.621860, 2,
# 3; L2 norm 6.678721; scores 社区 0.841757, 街道 0.449188, 党员 0.299459. With --tf sublinear and both weights 1:
# 社区 (1 + ln 2)·1.405465 = 2.379659, 街道 1 + ln 3 = 2.098612, 党员 1; L2 norm 3.326703; scores 0.715321,
# 0.630839, 0.300598.
def test_title_and_lead_weights_against_hand_computed_scores(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "a", "title": "社区", "text": "党员，社区。街道，街道，街道。"}, ensure_ascii=False)
                      + "\n" + json.dumps({"id": "b", "text": "街道，党员。"}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    r = run_cli("keywords", str(corpus))
    assert r.stdout.splitlines()[1:4] == ["a\t社区\t1\t社区\t0.841757\t2", "a\t社区\t2\t街道\t0.449188\t3",
                                          "a\t社区\t3\t党员\t0.299459\t1"]
    r = run_cli("keywords", str(corpus), "--tf", "sublinear", "--title-weight", "1", "--lead-weight", "1")
    assert r.stdout.splitlines()[1:4] == ["a\t社区\t1\t社区\t0.715321\t2", "a\t社区\t2\t街道\t0.630839\t3",
                                          "a\t社区\t3\t党员\t0.300598\t1"]
    r = run_cli("keywords", str(corpus), "--title-weight", "0.5")
    assert r.exit_code == 2 and "--title-weight" in r.stderr


def test_textrank_ranks_the_hub_first():
    scores = textrank(["党建", "引领", "党建", "治理", "党建", "服务"], window=2)
    assert max(scores, key=scores.get) == "党建"


def _plain_pagerank(tokens: list[str], window: int = 5, damping: float = 0.85) -> dict[str, float]:
    """TextRank written out the slow, obvious way (iterated until nothing changes), to check the vectorised one
    against."""
    weights: dict[str, Counter] = {}
    for i, a in enumerate(tokens):
        for b in tokens[i + 1:i + window]:
            if a != b:
                weights.setdefault(a, Counter())[b] += 1
                weights.setdefault(b, Counter())[a] += 1
    out = {n: sum(w.values()) for n, w in weights.items()}
    score = {n: 1 / len(weights) for n in weights}
    for _ in range(1000):
        new = {n: (1 - damping) / len(weights) + damping * sum(w / out[m] * score[m] for m, w in weights[n].items())
               for n in weights}
        done = sum(abs(new[n] - score[n]) for n in weights) < 1e-15
        score = new
        if done:
            break
    top = max(score.values())
    return {n: v / top for n, v in score.items()}


def test_textrank_agrees_with_plain_pagerank_and_equal_places_tie_exactly():
    from dangjian_cli import load_documents
    from dangjian_cli.pipeline import Analyzer

    analyzer = Analyzer()
    for doc in load_documents([str(SEEDS)]):
        words = analyzer.words(doc)
        # The whole article (several hundred terms: power iteration) and its first 120 words (under
        # DENSE_TEXTRANK_TERMS terms: solved directly); either way, the PageRank vector to well within 6 digits.
        assert len(set(words)) > DENSE_TEXTRANK_TERMS >= len(set(words[:120])) > 50
        for part in (words, words[:120]):
            fast, plain = textrank(part), _plain_pagerank(part)
            assert fast.keys() == plain.keys()
            assert max(abs(fast[w] - plain[w]) for w in fast) < 1e-9
    # 甲 and 乙 hold the same place in the graph: equal scores, so the term order decides between them.
    path = textrank(["丙", "甲", "党建", "乙", "丁", "乙", "党建", "甲", "丙"], window=2)
    assert path["甲"] == path["乙"] and path["丙"] == path["丁"] and max(path.values()) == 1.0
    assert textrank(["党建"] * 3) == {"党建": 1.0} and textrank([]) == {}


# Keyness: a term counted a = 6 times among c = 10 target tokens and b = 2 times among d = 20 reference tokens.
# By hand: E1 = 10·8/30 = 2.666667, E2 = 20·8/30 = 5.333333;
# G² = 2·(6·ln(2.25) + 2·ln(0.375)) = 2·(4.8655813 − 1.9616585) = 5.807846;
# χ² on [[6, 2], [4, 18]] with expected [[2.666667, 5.333333], [7.333333, 14.666667]] = 4.166667 + 2.083333
#     + 1.515152 + 0.757576 = 8.522727; log-ratio = log2((6/10)/(2/20)) = log2(6) = 2.584963.
def test_keyness_statistics_against_hand_computed_values():
    assert log_likelihood(6, 2, 10, 20) == pytest.approx(5.807846, abs=1e-6)
    assert chi_square(6, 2, 10, 20) == pytest.approx(8.522727, abs=1e-6)
    assert log_ratio(6, 2, 10, 20) == pytest.approx(2.584963, abs=1e-6)
    assert log_ratio(3, 0, 10, 20) == pytest.approx(math.log2((3 / 10) / (0.5 / 20)))


def test_keyness_cli_on_a_written_fixture(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "r").mkdir()
    (tmp_path / "t" / "a.txt").write_text("社区，" * 6 + "街道，" * 4, encoding="utf-8")
    (tmp_path / "r" / "b.txt").write_text("社区，" * 2 + "街道，" * 18, encoding="utf-8")
    r = run_cli("keyness", str(tmp_path / "t"), "--reference", str(tmp_path / "r"), "--min-count", "1")
    assert r.stdout.splitlines() == [
        "term\ttarget_count\treference_count\ttarget_per_10k\treference_per_10k\tstatistic\tp\teffect\tdirection",
        "社区\t6\t2\t6000\t1000\t5.80785\t0.0159548\t2.58496\tover"]
    r = run_cli("keyness", str(tmp_path / "t"), "-r", str(tmp_path / "r"), "--min-count", "1", "--direction", "both",
                "--statistic", "chi2")
    lines = r.stdout.splitlines()[1:]
    assert lines[0].startswith("社区\t6\t2\t6000\t1000\t8.52273\t")
    assert lines[1].startswith("街道\t4\t18\t4000\t9000\t-8.52273\t") and lines[1].endswith("under")
    r = run_cli("keyness", str(tmp_path / "t"))
    assert r.exit_code == 2 and "--reference" in r.stderr


def test_keyness_of_a_period_against_the_one_before_it(tmp_path):
    # Three years: 2016 is the target; 2015 uses 社区 as 2016 does, 2017 uses 街道 only, one item has no date.
    rows = [("2015", "社区，" * 6 + "街道，" * 4), ("2016", "社区，" * 6 + "街道，" * 4), ("2017", "街道，" * 30),
            ("2016", "社区，" * 6 + "街道，" * 4), ("", "社区，" * 9)]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "date": d, "text": t}, ensure_ascii=False) + "\n"
                              for i, (d, t) in enumerate(rows)), encoding="utf-8")
    header = "term\ttarget_count\treference_count\ttarget_per_10k\treference_per_10k\tstatistic\tp\teffect\tdirection"

    def counts(*args: str) -> list[list[str]]:
        r = run_cli("keyness", str(corpus), "--group-by", "year", "--min-count", "1", "--direction", "both", *args)
        assert r.exit_code == 0 and r.stdout.splitlines()[0] == header, r.stderr
        return [line.split("\t")[:3] for line in r.stdout.splitlines()[1:]]

    # Against the rest (2015, 2017 and the undated item): 12 社区 and 8 街道 against 15 and 34.
    assert counts("--target", "2016") == [["社区", "12", "15"], ["街道", "8", "34"]]
    # Against 2015 alone the rates are equal: G² = 0 for both terms, the same as no difference.
    r = run_cli("keyness", str(corpus), "--group-by", "year", "--target", "2016", "--against", "2015",
                "--min-count", "1", "--direction", "both", "-f", "json")
    found = json.loads(r.stdout)
    assert [(row["term"], row["target_count"], row["reference_count"], row["statistic"]) for row in found["rows"]] \
        == [("社区", 12, 6, 0.0), ("街道", 8, 4, 0.0)]
    assert (found["meta"]["target_groups"], found["meta"]["reference_groups"]) == (["2016"], ["2015"])
    assert counts("--target", "2016", "--against", "2017") == [["社区", "12", "0"], ["街道", "8", "30"]]
    assert counts("--target", "2016", "--target", "2015", "--against", "2017") == [["社区", "18", "0"],
                                                                                    ["街道", "12", "30"]]
    assert counts("--target", "(none)", "--against", "2015") == [["街道", "0", "4"], ["社区", "9", "6"]]
    for args, message in [
            (["--target", "2016", "--against", "2014"],
             "no document has year = '2014'; list the values with 'dangjian corpus' or check --against"),
            (["--target", "2016", "--against", "2016"],
             "year = '2016' is given as both --target and --against; a group can be on one side only")]:
        r = run_cli("keyness", str(corpus), "--group-by", "year", *args)
        assert r.exit_code == 2 and r.stdout == "" and r.stderr.strip() == "dangjian: error: " + message
    r = run_cli("keyness", str(corpus), "-r", str(corpus), "--against", "2015")
    assert r.exit_code == 2 and "--against needs --group-by" in r.stderr
    # --target without --group-by says what is missing, not only the general usage.
    r = run_cli("keyness", str(corpus), "--target", "2016")
    assert r.exit_code == 2 and r.stderr.strip() == (
        "dangjian: error: --target needs --group-by FIELD (year, month, source or any field); "
        "with paths, give the reference with --reference")


def test_keyness_says_when_a_document_is_on_both_sides(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "r").mkdir()
    (tmp_path / "t" / "a.txt").write_text("社区，" * 6 + "街道，" * 4, encoding="utf-8")
    (tmp_path / "r" / "b.txt").write_text("社区，" * 2 + "街道，" * 18, encoding="utf-8")
    same = run_cli("keyness", str(tmp_path / "r"), "-r", str(tmp_path / "r" / "b.txt"))
    assert same.exit_code == 2 and same.stdout == ""
    assert same.stderr.strip() == ("dangjian: error: the target and the reference are the same 1 document; give a "
                                   "reference of other documents, or use --group-by FIELD --target VALUE")
    # An unquoted glob after -r, expanded by the shell: its second file lands among the target paths.
    both = run_cli("keyness", str(tmp_path / "t"), str(tmp_path / "r" / "b.txt"), "-r", str(tmp_path / "r"),
                   "--min-count", "1", "--direction", "both")
    assert both.exit_code == 0
    assert both.stderr.strip() == ("dangjian: warning: 1 document is in both the target and the reference (the same "
                                   "file and id); keyness compares two separate sets, so leave them out of one of "
                                   "them")
    # Counted on both sides, as given: 8 社区 and 22 街道 in the target.
    assert [line.split("\t")[:3] for line in both.stdout.splitlines()[1:]] == [["社区", "8", "2"], ["街道", "22", "18"]]


def test_keyness_directions_and_fightin():
    t = Counter({"两学一做": 30, "党员": 50, "主题教育": 1})
    ref = Counter({"两学一做": 2, "党员": 60, "主题教育": 40})
    over = keyness(t, ref, KeynessSettings(min_count=1))
    assert [r.term for r in over] == ["两学一做", "党员"]
    under = keyness(t, ref, KeynessSettings(min_count=1, direction="under", statistic="fightin"))
    assert [r.term for r in under] == ["主题教育"] and under[0].fightin_z < 0


def test_a_term_the_small_target_never_uses_is_under_used_whatever_the_half_count_says():
    # Target: 10 tokens, none of them 党员; reference: 102 of 3,540. Hardie's 0.5 for the zero gives the target a
    # rate of 0.05 against 0.0288: log2 of their ratio is +0.795, which would call the term over-used.
    assert math.log2((0.5 / 10) / (102 / 3540)) > 0
    assert log_ratio(0, 102, 10, 3540) == 0.0
    assert log_ratio(0, 102, 1000, 3540) == pytest.approx(math.log2((0.5 / 1000) / (102 / 3540)))  # < 0: kept
    t = Counter({"社区": 10})
    ref = Counter({"社区": 3438, "党员": 102})
    under = keyness(t, ref, KeynessSettings(min_count=5, direction="under"))
    assert [(r.term, r.direction, r.log_ratio) for r in under] == [("党员", "under", 0.0)]
    assert under[0].statistic("g2")[0] < 0
    assert [r.term for r in keyness(t, ref, KeynessSettings(min_count=5, direction="over"))] == ["社区"]


def test_an_empty_keyness_table_says_why(tmp_path):
    (tmp_path / "t.txt").write_text("社区，街道。", encoding="utf-8")
    (tmp_path / "r.txt").write_text("社区，" * 3 + "街道。", encoding="utf-8")
    r = run_cli("keyness", str(tmp_path / "t.txt"), "-r", str(tmp_path / "r.txt"))
    assert r.exit_code == 0 and r.stdout.splitlines() == [
        "term\ttarget_count\treference_count\ttarget_per_10k\treference_per_10k\tstatistic\tp\teffect\tdirection"]
    assert r.stderr.strip() == ("dangjian: warning: no term is over-used and counted at least 5 times in the target; "
                                "lower --min-count (or try --direction both) for small corpora")
    assert run_cli("keyness", str(tmp_path / "t.txt"), "-r", str(tmp_path / "r.txt"), "--top", "0").stderr == ""
    both = run_cli("keyness", str(tmp_path / "t.txt"), "-r", str(tmp_path / "r.txt"), "--direction", "both")
    assert both.stderr.strip() == ("dangjian: warning: no term is counted at least 5 times in the target or the "
                                   "reference; lower --min-count for small corpora")


def test_the_prefilter_of_per_document_ranking_keeps_every_entry_that_can_rank():
    """Per-document ranking first keeps, per row, the entries whose 32-bit quantised weight reaches the row's top-th
    largest; it must keep every entry at least as large as the row's top-th largest weight (ties included), for
    rows shorter and longer than ``top`` and for weights that differ below the quantisation step."""
    import numpy as np

    from dangjian_cli.keywords import _could_rank

    rng = np.random.default_rng(3)
    sizes = rng.integers(0, 40, size=300)
    row = np.repeat(np.arange(300), sizes)
    val = rng.choice([0.5, 0.25, 0.125, 0.1, 1e-12, 0.3], size=len(row)) + rng.integers(0, 3, len(row)) * 1e-15
    for top in (1, 3, 10, 50):
        kept = _could_rank(row, val, 300, top)
        for r in range(300):
            v = np.sort(val[row == r])[::-1]
            if len(v) == 0:
                continue
            threshold = v[min(top, len(v)) - 1]
            must = (row == r) & (val >= threshold)
            assert kept[must].all(), (top, r)
        assert kept.sum() < len(val) or top == 50
    assert not _could_rank(row, val, 300, 0).any()


@pytest.mark.parametrize("block", [1, 2, 3])
def test_ranking_rows_a_block_at_a_time_gives_the_rows_of_one_block(block, monkeypatch):
    """Per-document ranking takes ROW_BLOCK rows at a time (row numbers relative to the block's first): any block
    size gives the rows of one block holding every document, original forms (--keep-script) included."""
    import dangjian_cli.keywords as keywords

    whole = run_cli("keywords", str(SEEDS), "-n", "15", "--keep-script", "--no-cache")
    assert whole.exit_code == 0 and len(whole.stdout.splitlines()) == 1 + 5 * 15
    monkeypatch.setattr(keywords, "ROW_BLOCK", block)
    assert run_cli("keywords", str(SEEDS), "-n", "15", "--keep-script", "--no-cache").stdout == whole.stdout


def test_document_frequency_bounds_that_leave_no_term_are_an_error():
    r = run_cli("keywords", str(SEEDS), "--min-df", "3", "--max-df", "2")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.strip() == ("dangjian: error: --min-df 3 and --max-df 2 leave no term of the 5 documents "
                                "(at least 3, at most 2 documents); lower --min-df or raise --max-df")
    assert run_cli("keywords", str(SEEDS), "--max-df", "0.1").exit_code == 2
    # All five documents is still a bound some terms meet.
    kept = run_cli("keywords", str(SEEDS), "--min-df", "5", "--top", "1", "-q")
    assert kept.exit_code == 0 and kept.stdout.count("\n") == 6


def test_document_frequency_bounds_no_term_lies_between_are_an_error(tmp_path):
    # Possible bounds (2 to 3 documents) that no term meets: each of these texts has words of its own.
    corpus = tmp_path / "own.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in
                              (("a", "党支部组织党员读书。"), ("b", "村民修好道路桥梁。"), ("c", "企业扩大出口贸易。"))),
                      encoding="utf-8")
    r = run_cli("keywords", str(corpus), "--min-df", "2")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.strip() == ("dangjian: error: no term of the 3 documents is in at least 2 and at most 3 of them "
                                "(--min-df 2, --max-df 1; terms are in 1 to 1 documents); lower --min-df or raise "
                                "--max-df")
    assert run_cli("keywords", str(corpus), "--min-df", "1", "-q").stdout.count("\n") > 3


def test_pos_prefix_no_tag_starts_with_is_an_error(tmp_path):
    # It would keep nothing but the slogans, silently.
    r = run_cli("keywords", str(SEEDS), "--pos", "n,xx")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("dangjian: error: --pos: no jieba tag starts with 'xx'; use tag prefixes")
    words = tmp_path / "words.txt"
    words.write_text("创国卫 100 party\n", encoding="utf-8")
    own = run_cli("keywords", str(seed(0)), "--pos", "party", "--user-dict", str(words), "-q")
    assert own.exit_code == 0
    from dangjian_cli.lexicon import load_lexicon

    slogans = set(load_lexicon().surface_to_entry)
    assert {line.split("\t")[3] for line in own.stdout.splitlines()[1:]} - slogans == {"创国卫"}
