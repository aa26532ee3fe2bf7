"""Slogans, discovery, phrases, kwic and trends: counts checked against hand counts and written text."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import DEV, SEEDS, SEED_IDS, needs_shared, run_cli, seed
from dangjian_cli.corpus import Document
from dangjian_cli.lexicon import load_lexicon
from dangjian_cli.normalize import normalize

HERE = Path(__file__).parent


def _doc(text: str, id: str = "t", date: str = "", title: str = "") -> Document:
    n = normalize(text, None)
    return Document(id=id, text=n.text, original=text, title=title, date=date, script=n.script, offsets=n.offsets)


def _tsv(stdout: str) -> list[list[str]]:
    return [line.split("\t") for line in stdout.splitlines()]


def test_slogan_counts_on_the_seeds_match_the_hand_counts():
    expected = {}
    for line in (HERE / "fixtures" / "slogan_counts_seeds.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            doc_id, slogan, count, _note = line.split("\t")
            expected[(doc_id, slogan)] = int(count)
    r = run_cli("slogans", str(SEEDS), "--per-doc")
    assert r.exit_code == 0, r.stderr
    rows = _tsv(r.stdout)
    assert rows[0] == ["doc_id", "title", "date", "slogan", "kind", "campaign", "count", "per_10k"]
    got = {(row[0], row[3]): int(row[6]) for row in rows[1:]}
    for key, count in expected.items():
        assert got.get(key) == count, key
    # No slogan is counted where the hand count found none.
    assert ("002_f28af7c7846c6d33", "两学一做") not in got and ("000_4a5ffb8b83af9862", "主题教育") not in got


def test_corpus_rows_and_rates():
    r = run_cli("slogans", str(seed(0)), str(seed(4)), "--campaign", "liangxue_yizuo_2016")
    rows = _tsv(r.stdout)
    assert rows[0] == ["slogan", "kind", "campaign", "count", "docs", "per_10k", "first_date", "first_doc",
                       "last_date"]
    assert rows[1][:5] == ["两学一做", "formula", "liangxue_yizuo_2016", "30", "2"]
    chars = sum(int(x.split("\t")[5]) for x in run_cli("corpus", str(seed(0)), str(seed(4))).stdout.splitlines()[1:])
    assert float(rows[1][5]) == pytest.approx(30 * 10000 / chars, rel=1e-5)
    assert {row[0] for row in rows[1:]} == {"两学一做", "四讲四有", "基础在学，关键在做"}
    assert run_cli("slogans", str(SEEDS), "--min-count", "13").stdout.splitlines()[1:] == [
        "两学一做\tformula\tliangxue_yizuo_2016\t62\t4\t39.3152\t2016-09-02\t004_f03987007a3fccd1\t2016-09-02",
        "主题教育\tterm\t\t27\t1\t17.1211\t\t\t"]


def test_unknown_campaign_is_a_usage_error():
    r = run_cli("slogans", str(SEEDS), "--campaign", "nope")
    assert r.exit_code == 2
    assert "no lexicon entry belongs to campaign 'nope'" in r.stderr and "liangxue_yizuo_2016" in r.stderr


def test_variants_and_traditional_forms_count_under_the_canonical_form():
    from dangjian_cli.slogans import doc_counts

    lx = load_lexicon()
    text = ("会议强调，要牢记“不忘初心”、“牢记使命”，开展不忘初心，牢记使命主题教育。"
            "本文為繁體字：推進兩學一做學習教育常態化制度化，落實三會一課。另有“两学一做”。")
    counts = doc_counts(_doc(text).text, lx)
    assert counts["不忘初心、牢记使命"] == 2
    assert counts["两学一做"] == 2 and counts["三会一课"] == 1
    assert "不忘初心" not in counts and "牢记使命" not in counts
    # A headline spaces the clauses; the spaced form is the one slogan, not its clauses one by one.
    counts = doc_counts(_doc("【学党史 悟思想 办实事 开新局】我为群众办实事").text, lx)
    assert counts == {"学党史、悟思想、办实事、开新局": 1, "我为群众办实事": 1}


def test_an_entry_is_found_by_its_key_or_its_quoted_canonical_form():
    from dangjian_cli.lexicon import Lexicon, LexiconEntry

    lx = load_lexicon()
    assert lx.get("两学一做").campaign == "liangxue_yizuo_2016"
    assert lx.get("不忘初心、牢记使命").kind == "slogan"
    assert lx.get("两学") is None
    quoted = LexiconEntry("“五水共治”", "formula", "-", 2013, (), "", "user")
    lx = Lexicon([*lx.entries, quoted], lx.files)
    assert lx.get("五水共治") is quoted and lx.get("“五水共治”") is quoted


def test_overlapping_entries_are_not_double_counted():
    from dangjian_cli.slogans import doc_counts

    counts = doc_counts("深入贯彻中央八项规定精神学习教育。严格落实中央八项规定精神，执行八项规定。", load_lexicon())
    assert counts == {"深入贯彻中央八项规定精神学习教育": 1, "中央八项规定精神": 1, "八项规定": 1}


def test_group_by_year(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "date": "2016-03-01", "text": "推进两学一做学习教育。两学一做要常态化。"},
        {"id": "b", "date": "2016-05-01", "text": "两学一做。"},
        {"id": "c", "date": "2019-06-01", "text": "开展不忘初心、牢记使命主题教育。"},
        {"id": "d", "text": "没有日期的文章提到两学一做。"}]) + "\n", encoding="utf-8")
    r = run_cli("slogans", str(p), "--group-by", "year")
    assert _tsv(r.stdout)[1:] == [
        ["(none)", "两学一做", "formula", "liangxue_yizuo_2016", "1", "1", "1", "714.286", "", "", ""],
        ["2016", "两学一做", "formula", "liangxue_yizuo_2016", "3", "2", "2", "1200", "2016-03-01", "a", "2016-05-01"],
        ["2019", "不忘初心、牢记使命", "slogan", "buwang_chuxin_2019", "1", "1", "1", "625", "2019-06-01", "c",
         "2019-06-01"],
        ["2019", "主题教育", "term", "", "1", "1", "1", "625", "2019-06-01", "c", "2019-06-01"]]


def test_first_and_last_attestation_name_the_earliest_dated_document(tmp_path):
    # Rows out of date order, a tie on the earliest date, a year-only date, an undated row: the first attestation
    # is the earliest date (a year alone sorts before its days), the first such row read; undated rows never count.
    p = tmp_path / "c.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "late", "date": "2017-03-01", "text": "推进两学一做常态化制度化。"},
        {"id": "undated", "text": "两学一做，三会一课。"},
        {"id": "tie1", "date": "2016-02-28", "text": "两学一做学习教育。"},
        {"id": "tie2", "date": "2016-02-28", "text": "两学一做学习教育，三会一课。"},
        {"id": "year", "date": "2018", "text": "三会一课。“五看五查”“五看五查”。"},
        {"id": "last", "date": "2018-07-01", "text": "两学一做。"}]) + "\n", encoding="utf-8")
    rows = {row[0]: row[6:] for row in _tsv(run_cli("slogans", str(p)).stdout)[1:]}
    assert rows["两学一做"] == ["2016-02-28", "tie1", "2018-07-01"]
    assert rows["三会一课"] == ["2016-02-28", "tie2", "2018"]
    discovered = {row[0]: row[5:] for row in _tsv(run_cli("slogans", str(p), "--discover").stdout)[1:]}
    assert discovered["五看五查"] == ["year", "2018", "year", "2018"]
    assert discovered["三会一课"] == ["undated", "2016-02-28", "tie2", "2018"]
    # The same with two worker processes.
    assert run_cli("slogans", str(p), "-j", "2").stdout == run_cli("slogans", str(p), "-j", "1").stdout


def test_discovery_on_the_seeds_finds_the_local_formulae():
    r = run_cli("slogans", str(SEEDS), "--discover")
    assert r.exit_code == 0, r.stderr
    rows = {row[0]: row for row in _tsv(r.stdout)[1:]}
    for phrase in ("四讲四有", "三会一课", "两路两侧", "三亮三比", "五看五查"):
        assert phrase in rows, phrase
    assert rows["两路两侧"][1:5] == ["numeric+quoted", "5", "1", "false"]
    assert rows["三会一课"][4] == "true"
    assert rows["在党爱党、在党言党、在党为党"][1] == "parallel"
    # Idioms and plain counted things are not formulae.
    assert "一心一意" not in rows and "五个方面" not in rows
    new = run_cli("slogans", str(SEEDS), "--discover", "--new-only", "--pattern", "numeric").stdout
    assert "三会一课" not in new and "两路两侧" in new


def test_discovery_patterns_on_written_text():
    from dangjian_cli.slogans import find_candidates

    text = "全面落实“三会一课”，深化五查五看，严防三个月内反弹，做到学史明理、学史增信、学史崇德、学史力行。他一心一意。"
    found = {(p, k) for p, k, _ in find_candidates(text, frozenset({"一心一意"}))}
    assert ("三会一课", "numeric") in found and ("三会一课", "quoted") in found
    assert ("五查五看", "numeric") in found
    assert ("学史明理、学史增信、学史崇德、学史力行", "parallel") in found
    assert not any(p.startswith("三个月") for p, _ in found) and ("一心一意", "numeric") not in found
    # A repeated count, a step with its 个, an ordinal: none is a formula; 两个维护 beside them still is.
    text = "把问题一项一项解决，一步一个脚印，第二个答案是，一村一个样，坚决做到“两个维护”。"
    assert [p for p, k, _ in find_candidates(text) if k == "numeric"] == ["两个维护"]

def test_a_parallel_run_inside_longer_han_text_counts_only_when_its_clauses_share_a_character():
    """A run of four-character clauses that starts a stretch of Han text is a candidate; one that starts inside a
    longer stretch counts only when its clauses are visibly parallel. Offsets point at the run. (Pins what the
    pattern did when it matched the stretch's start as a lazy prefix, which took time quadratic in the stretch's
    length: the stretch of 16,000 characters below took 3.5 s that way, against 0.01 s now.)"""
    from dangjian_cli.slogans import find_candidates

    def parallel_runs(text: str) -> list[tuple[str, int]]:
        return [(phrase, at) for phrase, kind, at in find_candidates(text) if kind == "parallel"]

    assert parallel_runs("坚定信念、服务群众、清正廉洁。") == [("坚定信念、服务群众、清正廉洁", 0)]
    assert parallel_runs("会议，坚定信念、服务群众、清正廉洁。") == [("坚定信念、服务群众、清正廉洁", 3)]
    assert parallel_runs("会议强调坚定信念、服务群众、清正廉洁。") == []
    assert parallel_runs("会议强调学史明理、学史增信、学史崇德。") == [("学史明理、学史增信、学史崇德", 4)]
    long_text = "两学一做学习教育" * 2000 + "。坚定信念、服务群众、清正廉洁"
    assert parallel_runs(long_text) == [("坚定信念、服务群众、清正廉洁", 16001)]



def test_kwic_offsets_point_at_the_original_text():
    r = run_cli("kwic", "两学一做", str(seed(3)), str(seed(4)), "--window", "5", "-f", "jsonl")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) == 18 + 18
    originals = {i: seed(n).read_bytes().decode("utf-8") for n, i in ((3, SEED_IDS[3]), (4, SEED_IDS[4]))}
    from dangjian_cli import load_documents

    docs = {d.id: d for d in load_documents([str(seed(3)), str(seed(4))])}
    for row in rows:
        original = docs[row["doc_id"]].original
        assert original[row["offset"]:row["offset"] + len(row["match"])] == row["match"]
        assert original[row["offset"] - len(row["left"]):row["offset"]].replace("\n", " ") == row["left"]
    trad = [r for r in rows if r["doc_id"] == SEED_IDS[3]]
    assert {r["match"] for r in trad} == {"兩學一做"}  # traditional stays traditional
    assert trad[0]["offset"] == originals[SEED_IDS[3]].index("兩學一做")


def test_kwic_context_in_a_web_page_shows_the_text_without_its_markup(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<html><head><style>p{color:red}</style></head><body>\n<p style="text-align:center">各地深入开展'
                    "&ldquo;两学一做&rdquo;学习教育，</p><p>推动<b>两学一做</b>常态化制度化。</p>\n</body></html>",
                    encoding="utf-8")
    r = run_cli("kwic", "两学一做", str(page), "--window", "6")
    assert r.exit_code == 0 and _tsv(r.stdout)[1:] == [
        ["page", "", "95", "地深入开展“", "两学一做", "”学习教育，"],
        ["page", "", "123", "育，  推动", "两学一做", "常态化制度化"]]  # each </p> and <p> a space
    original = page.read_text(encoding="utf-8")
    assert original[95:99] == original[123:127] == "两学一做"
    # A match that ends in a reference shows the character it names; a window larger than the text shows all of it.
    quoted = _tsv(run_cli("kwic", "开展“两学一做”", str(page), "--window", "100").stdout)[1]
    assert quoted[3:] == ["  各地深入", "开展“两学一做”", "学习教育，  推动两学一做常态化制度化。  "]


def test_markup_free_view_counts_the_characters_shown():
    from dangjian_cli.normalize import MarkupFreeView

    text = '甲乙<span class="x">丙</span>丁&amp;戊<br/>己'
    view = MarkupFreeView(text)
    assert view.slice(0, len(text)) == "甲乙丙丁&戊\n己"
    assert view.slice(4, len(text)) == "丙丁&戊\n己"  # a tag cut by the start is left out whole
    assert view.slice(0, 30) == "甲乙丙丁"  # and one cut by the end ("&amp;" starts at 27)
    at = text.index("戊")
    assert view.before(at, 4) == "乙丙丁&" and view.before(at, 0) == "" and view.before(at, 50) == "甲乙丙丁&"
    assert view.after(text.index("丁"), 3) == "丁&戊" and view.after(len(text), 5) == ""
    assert view.end_of(text.index("&amp;") + 1) == text.index("戊")
    plain = MarkupFreeView("a<b 与 R&D")  # no markup: the original as it is
    assert plain.slice(0, 9) == "a<b 与 R&D" and plain.before(5, 3) == "b 与"


def test_kwic_sort_regex_and_traditional_pattern():
    r = run_cli("kwic", "三[会會]一[课課]", str(SEEDS), "--regex", "-w", "3", "--sort", "right")
    rows = _tsv(r.stdout)
    assert rows[0] == ["doc_id", "date", "offset", "left", "match", "right"]
    assert len(rows) == 4 and [x[5] for x in rows[1:]] == sorted(x[5] for x in rows[1:])
    # A pattern written in traditional characters finds simplified articles too.
    assert len(run_cli("kwic", "兩學一做", str(seed(0))).stdout.splitlines()) == 13
    bad = run_cli("kwic", "([", str(SEEDS), "--regex")
    assert bad.exit_code == 2 and "bad regular expression" in bad.stderr


def test_a_kwic_with_no_line_says_why_and_suggests_regex_for_a_pattern_that_looks_like_one():
    plain = run_cli("kwic", "不存在的词", str(SEEDS))
    assert plain.exit_code == 0 and plain.stdout == "doc_id\tdate\toffset\tleft\tmatch\tright\n"
    assert plain.stderr == "dangjian: warning: '不存在的词' occurs in none of the documents read\n"
    literal = run_cli("kwic", "两学(一", str(SEEDS))
    assert literal.stderr == ("dangjian: warning: '两学(一' occurs in none of the documents read; it was searched as "
                              "written: pass --regex for a regular expression\n")
    regex = run_cli("kwic", "两学.做", str(SEEDS), "--regex", "--sample", "2")
    assert regex.stderr == "" and len(regex.stdout.splitlines()) == 3
    none = run_cli("kwic", "不.在", str(SEEDS), "--regex")
    assert none.stderr == "dangjian: warning: the regular expression '不.在' matches nothing in the documents read\n"


def test_kwic_with_the_corpus_before_the_pattern_says_the_order():
    swapped = run_cli("kwic", str(seed(0)), "两学一做")
    assert swapped.exit_code == 2 and swapped.stdout == ""
    assert swapped.stderr == (f"dangjian: error: '两学一做' is not a file and the pattern '{seed(0)}' is one; give "
                              "the pattern first: dangjian kwic PATTERN PATHS…\n")
    # A pattern that happens to name a file is still a pattern when the paths exist.
    ordinary = run_cli("kwic", str(seed(0)), str(SEEDS))
    assert ordinary.exit_code == 0 and "occurs in none of the documents read" in ordinary.stderr


def test_kwic_sample_draws_lines_of_the_full_concordance_at_random():
    full = run_cli("kwic", "两学一做", str(SEEDS), "-w", "4").stdout.splitlines()
    assert len(full) == 1 + 62
    drawn = run_cli("kwic", "两学一做", str(SEEDS), "-w", "4", "--sample", "5", "--seed", "3")
    assert drawn.exit_code == 0
    lines = drawn.stdout.splitlines()
    assert lines[0] == full[0] and len(lines) == 6
    assert [full.index(line) for line in lines[1:]] == sorted(full.index(line) for line in lines[1:])  # doc order
    assert run_cli("kwic", "两学一做", str(SEEDS), "-w", "4", "--sample", "5", "--seed", "3").stdout == drawn.stdout
    assert run_cli("kwic", "两学一做", str(SEEDS), "-w", "4", "--sample", "5", "--seed", "4").stdout != drawn.stdout
    right = _tsv(run_cli("kwic", "两学一做", str(SEEDS), "-w", "4", "--sample", "5", "--seed", "3",
                         "--sort", "right").stdout)
    assert sorted(map(tuple, right[1:])) == sorted(tuple(x.split("\t")) for x in lines[1:])
    assert [x[5] for x in right[1:]] == sorted(x[5] for x in right[1:])
    assert run_cli("kwic", "两学一做", str(SEEDS), "-w", "4", "--sample", "100").stdout.splitlines() == full
    as_json = json.loads(run_cli("kwic", "两学一做", str(SEEDS), "--sample", "5", "--seed", "3", "-f", "json").stdout)
    assert as_json["meta"] == {"sample": 5, "of_lines": 62, "seed": 3} and len(as_json["rows"]) == 5
    bad = run_cli("kwic", "两学一做", "no/such/file.txt", "--sample", "0")
    assert bad.exit_code == 2 and "--sample must be 1 or more" in bad.stderr  # said before any file is read


def test_kwic_sample_gives_every_line_the_same_chance():
    from dangjian_cli import load_documents
    from dangjian_cli.trends import sample_kwic, term_pattern

    docs = load_documents([str(SEEDS)])
    pattern = term_pattern("两学一做", load_lexicon())
    drawn = Counter()
    for s in range(400):
        result = sample_kwic(docs, pattern, 10, seed=s, window=0)
        assert result.total == 62 and len(result.rows) == 10
        drawn.update((row[0], row[2]) for row in result.rows)
    # Each of the 62 lines is expected 400 × 10 / 62 ≈ 64.5 times (standard deviation about 7.3).
    assert len(drawn) == 62 and 35 <= min(drawn.values()) and max(drawn.values()) <= 95


def test_trends_periods_gaps_and_undated(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "date": "2016-03-01", "text": "推进两学一做学习教育。两学一做要常态化。"},
        {"id": "b", "date": "2018-05-01", "text": "两学一做。坚持中央八项规定精神。"},
        {"id": "c", "text": "没有日期：两学一做。"}]) + "\n", encoding="utf-8")
    r = run_cli("trends", "两学一做", "八项规定", str(p))
    assert r.exit_code == 0, r.stderr
    assert "1 document(s) without a date" in r.stderr
    assert _tsv(r.stdout) == [
        ["term", "period", "count", "docs", "period_docs", "period_chars", "per_10k"],
        ["两学一做", "2016", "2", "1", "1", "20", "1000"],
        ["两学一做", "2017", "0", "0", "0", "0", "0"],
        ["两学一做", "2018", "1", "1", "1", "16", "625"],
        ["两学一做", "undated", "1", "1", "1", "10", "1000"],
        ["八项规定", "2016", "0", "0", "1", "20", "0"],
        ["八项规定", "2017", "0", "0", "0", "0", "0"],
        ["八项规定", "2018", "1", "1", "1", "16", "625"],
        ["八项规定", "undated", "0", "0", "1", "10", "0"]]
    q = run_cli("trends", "--term", "两学一做", str(p), "--by", "quarter", "-f", "table")
    assert "2016-Q1 to 2018-Q2" in q.stdout and "█" in q.stdout


def test_trends_needs_terms():
    r = run_cli("trends", str(SEEDS))
    assert r.exit_code == 2 and "no terms given" in r.stderr


def test_trends_mistyped_path_is_an_error_not_a_term(tmp_path):
    # Otherwise the missing file would be counted as a term over the seed articles, exit status 0.
    missing = tmp_path / "corpus.jsonl"
    r = run_cli("trends", "两学一做", str(missing))
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.strip() == (f"dangjian: error: {missing}: no such file or folder; check the path, "
                                f"or pass a term that looks like a file name with --term {missing}")
    named = run_cli("trends", "--term", "x.txt", str(SEEDS), "-q")
    assert named.exit_code == 0 and named.stdout.startswith("term\tperiod")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".html"])
def test_trends_chart_is_a_valid_image(tmp_path, suffix):
    pytest.importorskip("matplotlib")
    p = tmp_path / "c.jsonl"
    p.write_text("\n".join(json.dumps({"id": str(y), "date": f"{y}-06-01", "text": "两学一做。" * (y - 2014)},
                                      ensure_ascii=False) for y in range(2015, 2019)) + "\n", encoding="utf-8")
    chart = tmp_path / f"chart{suffix}"
    r = run_cli("trends", "两学一做", str(p), "--plot", str(chart), "-q")
    assert r.exit_code == 0, r.stderr
    data = chart.read_bytes()
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        from matplotlib import image

        assert image.imread(str(chart)).shape[1] == 1000
    else:
        import xml.etree.ElementTree as ET

        text = data.decode("utf-8")
        svg = text[text.index("<svg"):text.index("</svg>") + 6]
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        assert "两学一做" in svg and "occurrences per 10,000 characters" in svg
    assert not list(tmp_path.glob(".chart*"))  # no temporary file left


def test_plot_refuses_unknown_suffix(tmp_path):
    r = run_cli("trends", "两学一做", str(SEEDS), "--plot", str(tmp_path / "x.jpg"))
    assert r.exit_code == 2 and "cannot plot to x.jpg" in r.stderr


@needs_shared
def test_liangxue_yizuo_rises_in_2016_on_dev():
    r = run_cli("trends", "两学一做", str(DEV), "-q")
    rate = {row[1]: float(row[6]) for row in _tsv(r.stdout)[1:]}
    assert rate["2015"] == 0 and rate["2016"] > 1.0
    assert rate["2016"] == max(rate.values())


def test_phrases_never_cross_punctuation_or_stop_words():
    from dangjian_cli.phrases import PhraseSettings, count_phrases
    from dangjian_cli.pipeline import Analyzer

    docs = [_doc("壮大村级集体经济。壮大村级集体经济，带动农民增收。带动农民增收的壮大村级集体经济")]
    rows = count_phrases(docs, Analyzer(), PhraseSettings(min_n=2, max_n=3, min_count=1, top=20))
    grams = {r[0]: r[2] for r in rows}
    assert grams == {"壮大 村级": 3, "村级 集体经济": 3, "壮大 村级 集体经济": 3, "农民 增收": 2}
    chars = count_phrases(docs, None, PhraseSettings(unit="char", min_n=4, max_n=4, min_count=3, top=3))
    assert chars == [("壮大村级", 4, 3, 1, 3.0), ("大村级集", 4, 3, 1, 3.0), ("村级集体", 4, 3, 1, 3.0)]


def test_collocation_log_likelihood_matches_scipy():
    from scipy.stats import chi2_contingency

    from dangjian_cli.phrases import contingency_g2

    table = [[12, 30], [25, 1933]]
    g2, *_ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert contingency_g2(12, 30, 25, 1933) == pytest.approx(g2, rel=1e-9)


def test_phrases_cli_measures():
    for measure in ("count", "pmi", "llr", "tscore"):
        r = run_cli("phrases", str(SEEDS), "--measure", measure, "--min-count", "3", "-n", "3")
        assert r.exit_code == 0, r.stderr
        rows = _tsv(r.stdout)
        assert rows[0] == ["ngram", "n", "count", "docs", "score"] and len(rows) == 4
    assert _tsv(run_cli("phrases", str(SEEDS), "-n", "1").stdout)[1] == ["空港 新城", "2", "19", "1", "19"]
    bad = run_cli("phrases", str(SEEDS), "--measure", "dice")
    assert bad.exit_code == 2 and "unknown measure 'dice'" in bad.stderr


def test_leftmost_longest_keeps_a_shorter_form_inside_a_failed_longer_one():
    """The lexicon's matching (slogans, protected spans of the tokenizer, classify's cues) takes the leftmost-longest
    matches: a form inside a longer form that does not complete is still found, offsets count characters, and the
    matcher still works after pickling (as worker processes receive it)."""
    import pickle

    from dangjian_cli.lexicon import DFA_MAX_STRINGS, LongestMatcher

    matcher = LongestMatcher({form: form.upper() if form.isascii() else form
                              for form in ("知识产权", "国家知识产权局", "两学一做", "两学一做学习教育", "学习", "ab", "")})
    assert [m[2] for m in matcher.matches("国家知识产权")] == ["知识产权"]
    expected = [(2, 10, "两学一做学习教育"), (11, 15, "两学一做"), (16, 18, "学习"), (19, 21, "AB")]
    assert matcher.matches("开展两学一做学习教育，两学一做，学习 ab") == expected
    assert pickle.loads(pickle.dumps(matcher)).matches("开展两学一做学习教育，两学一做，学习 ab") == expected
    assert LongestMatcher({}).matches("两学一做") == []
    # Past DFA_MAX_STRINGS strings the automaton is another kind: the same matches.
    many = {form: form.upper() if form.isascii() else form
            for form in ("知识产权", "国家知识产权局", "两学一做", "两学一做学习教育", "学习", "ab")}
    many.update((f"填充{i}号", "") for i in range(DFA_MAX_STRINGS))
    assert LongestMatcher(many).matches("开展两学一做学习教育，两学一做，学习 ab，填充7号") == [
        *expected, (22, 26, "")]


@pytest.mark.parametrize("command", ["keywords", "slogans", "phrases"])
def test_group_by_a_field_no_document_has_is_an_error(command):
    # A mistyped field would otherwise give one group, "(none)", with exit status 0.
    r = run_cli(command, str(SEEDS), "--group-by", "yaer")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.strip() == ("dangjian: error: --group-by yaer: no document has a value in field 'yaer'; use "
                                "year, quarter, month, source, or a column of the JSONL/CSV/TSV input")
    by_year = run_cli(command, str(SEEDS), "--group-by", "year", "-q")
    groups = {line.split("\t")[0] for line in by_year.stdout.splitlines()}
    assert by_year.exit_code == 0 and {"2016", "(none)"} <= groups


def test_an_empty_phrase_table_says_why(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("学习教育在全县展开。", encoding="utf-8")
    r = run_cli("phrases", str(p))
    assert r.exit_code == 0 and r.stdout.splitlines() == ["ngram\tn\tcount\tdocs\tscore"]
    assert r.stderr.strip() == ("dangjian: warning: no word n-gram of 2–3 units occurs 2 times or more; lower "
                                "--min-count (or --min-n) for small corpora")
    assert run_cli("phrases", str(p), "--min-count", "1").stderr == ""
