"""similar (TF-IDF cosine) and duplicates (MinHash/LSH, verified): real seeds and reprints written by the tests."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import DEV, SEEDS, SEED_IDS, needs_shared, run_cli, run_process, seed


def _rows(stdout: str) -> list[dict]:
    return [json.loads(x) for x in stdout.splitlines()]


def test_similar_scores_are_symmetric_and_in_range():
    r = run_cli("similar", "--matrix", "-f", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    ids = [row["id"] for row in rows]
    assert ids == SEED_IDS
    for row in rows:
        for other in ids:
            v = row[other]
            assert 0.0 <= v <= 1.0
            assert v == next(x for x in rows if x["id"] == other)[row["id"]]
        assert row[row["id"]] == 1.0
    # The neighbours of one document agree with the matrix.
    n = _rows(run_cli("similar", SEED_IDS[4], "-f", "jsonl").stdout)
    assert [x["doc_id"] for x in n] == sorted((i for i in ids if i != SEED_IDS[4]),
                                              key=lambda i: -next(x for x in rows if x["id"] == i)[SEED_IDS[4]])
    assert n[0]["score"] == next(x for x in rows if x["id"] == n[0]["doc_id"])[SEED_IDS[4]]


def test_a_document_queried_by_its_own_text_finds_itself_first():
    text = seed(2).read_bytes()
    p = run_process("similar", "-", "--corpus", str(SEEDS), "-f", "jsonl", input=text)
    assert p.returncode == 0, p.stderr
    rows = _rows(p.stdout.decode())
    assert rows[0]["query"] == "(stdin)" and rows[0]["doc_id"] == SEED_IDS[2] and rows[0]["score"] == 1.0
    r = run_cli("similar", "--text", "空港新城 两学一做 招商引资", "-n", "1", "-f", "jsonl")
    assert _rows(r.stdout)[0]["doc_id"] == SEED_IDS[4]
    f = run_cli("similar", str(seed(3)), "-n", "1", "-f", "jsonl")
    assert _rows(f.stdout)[0]["doc_id"] == SEED_IDS[3]  # a file query: the same text is in the corpus


def test_similar_explain_all_and_errors():
    r = run_cli("similar", SEED_IDS[0], "--explain", "-n", "1", "-f", "jsonl")
    row = _rows(r.stdout)[0]
    assert row["doc_id"] == SEED_IDS[1] and len(row["terms"].split("|")) == 5
    shares = [float(t.split(":")[1]) for t in row["terms"].split("|")]
    assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.0001
    a = run_cli("similar", "--all", "-n", "2")
    lines = a.stdout.splitlines()
    assert lines[0] == "query\trank\tdoc_id\ttitle\tdate\tscore" and len(lines) == 1 + 5 * 2
    missing = run_cli("similar", "no-such-id")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == ("dangjian: error: no document with id 'no-such-id' in the corpus; list the ids "
                                      "with 'dangjian corpus', or give a file, - or --text")
    both = run_cli("similar", SEED_IDS[0], "--all", "--corpus", str(SEEDS))
    assert both.exit_code == 2 and both.stderr.strip() == (
        "dangjian: error: give only one of: QUERY (an id, a file or -), --text, --all or --matrix")
    # `similar --all seeds/`, as other commands take their paths: the message says where the corpus goes.
    paths_as_query = run_cli("similar", "--all", str(SEEDS))
    assert paths_as_query.exit_code == 2 and paths_as_query.stderr.strip() == (
        f"dangjian: error: --all takes no QUERY, and {str(SEEDS)!r} was given as one; name the corpus with --corpus: "
        f"dangjian similar --all --corpus {SEEDS}")
    text_and_paths = run_cli("similar", str(SEEDS), "--text", "两学一做")
    assert text_and_paths.exit_code == 2 and text_and_paths.stderr.strip() == (
        f"dangjian: error: --text takes no QUERY, and {str(SEEDS)!r} was given as one; name the corpus with --corpus: "
        f"dangjian similar --text '两学一做' --corpus {SEEDS}")
    none = run_cli("similar")
    assert none.exit_code == 2 and "give one of:" in none.stderr


def test_a_query_without_words_is_an_error_and_one_the_corpus_lacks_a_warning(tmp_path):
    # Empty tables, said why: a query of stop words has nothing to compare; a query whose words the corpus never
    # uses, or a document of the corpus without words, is like no document.
    empty = run_cli("similar", "--text", "的了吗？")
    assert empty.exit_code == 2 and empty.stdout == ""
    assert empty.stderr.strip() == ("dangjian: error: the query (text) has no words to compare once stop words, "
                                    "numbers and punctuation are left out; give a query with content words")
    unknown = run_cli("similar", "--text", "量子计算机")
    assert unknown.exit_code == 0 and unknown.stdout == "query\trank\tdoc_id\ttitle\tdate\tscore\n"
    assert unknown.stderr.strip() == ("dangjian: warning: none of the query's words (量子、计算机) is in the corpus, "
                                      "so no document is like it")
    corpus = tmp_path / "own.jsonl"
    corpus.write_text('{"id": "x", "text": "的了吗"}\n{"id": "y", "text": "党支部组织党员读书。"}\n', encoding="utf-8")
    wordless = run_cli("similar", "x", "--corpus", str(corpus), "--no-cache")
    assert wordless.exit_code == 0 and wordless.stdout.count("\n") == 1
    assert wordless.stderr.strip() == ("dangjian: warning: document x has no words to compare (only stop words, "
                                       "numbers or punctuation), so no document is like it")


def test_an_id_two_documents_share_is_not_a_query(tmp_path):
    # The later document used to answer for both, silently.
    corpus = tmp_path / "ids.jsonl"
    rows = [{"id": "a", "text": "两学一做学习教育在全党开展"}, {"id": "a", "text": "不忘初心、牢记使命主题教育"},
            {"id": "b", "text": "党史学习教育动员大会召开"}]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    r = run_cli("similar", "a", "--corpus", str(corpus))
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.strip() == ("dangjian: error: 2 documents have the id 'a' (documents 1, 2 of the corpus); give "
                                "them distinct ids (--id-field), or query with a file, - or --text")
    assert run_cli("similar", "b", "--corpus", str(corpus), "-q").exit_code == 0
    table = run_cli("similar", "--all", "--corpus", str(corpus))
    assert table.exit_code == 0 and table.stderr.strip() == (
        "dangjian: warning: 1 id names more than one document (first: 'a', 2 documents), so their rows cannot be "
        "told apart: give each document its own id (--id-field), or drop repeated articles ('dangjian duplicates' "
        "finds them)")
    matrix = run_cli("similar", "--matrix", "--corpus", str(corpus))
    assert matrix.exit_code == 0 and matrix.stderr == table.stderr
    # The library says it too, to the caller's warn (the CLI passes its own).
    from dangjian_cli import Analyzer, load_documents
    from dangjian_cli.similar import all_neighbours, fit_vectors, matrix_rows

    vectors = fit_vectors(load_documents([str(corpus)]), Analyzer())
    heard: list[str] = []
    list(all_neighbours(vectors, 1, warn=heard.append))
    matrix_rows(vectors, warn=heard.append)
    assert heard == [table.stderr.strip().removeprefix("dangjian: warning: ")] * 2


def test_all_breaks_ties_by_id_even_beyond_the_candidates(tmp_path):
    # Nine copies of one seed (ties at every place), the smallest id in the middle of the input; with --top 1 each
    # copy's neighbour must be the smallest id among the others, which the k-NN product's few candidates per row
    # do not always include (the product keeps some of the tied columns, not the first by id).
    text = seed(0).read_text(encoding="utf-8")
    rows = [{"id": f"copy{n}", "text": text} for n in (2, 3, 4, 5, 1, 6, 7, 8, 9)]
    corpus = tmp_path / "ties.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    r = run_cli("similar", "--all", "--corpus", str(corpus), "--top", "1", "-f", "jsonl")
    assert r.exit_code == 0, r.stderr
    best = {x["query"]: x["doc_id"] for x in _rows(r.stdout)}
    assert best["copy1"] == "copy2"
    for n in range(2, 10):
        assert best[f"copy{n}"] == "copy1"


def test_matrix_refuses_large_corpora_without_force(tmp_path, monkeypatch):
    from dangjian_cli import similar

    monkeypatch.setattr(similar, "MATRIX_LIMIT", 3)
    r = run_cli("similar", "--matrix")
    assert r.exit_code == 2 and "5 documents: the full matrix would have 25 cells" in r.stderr
    assert run_cli("similar", "--matrix", "--force").exit_code == 0


@pytest.fixture()
def reprint_corpus(tmp_path: Path) -> Path:
    """The seeds, the traditional seed converted to simplified, and a reprint of seed 004 (an intro paragraph added,
    a paragraph dropped, place names changed), written by the test."""
    import opencc

    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "003_simplified.txt").write_text(opencc.OpenCC("t2s").convert(seed(3).read_text(encoding="utf-8")),
                                               encoding="utf-8")
    paras = seed(4).read_text(encoding="utf-8").split("\n")
    drop = next(k for k, p in enumerate(paras) if p.startswith("空港新城党委坚持领导带头"))
    body = "\n".join(p for k, p in enumerate(paras) if k != drop)
    reprint = ("本报讯 近日，记者在某区采访时了解到，该区学习借鉴外地经验，扎实推进党建工作。以下为有关情况。\n"
               + body.replace("空港新城", "临江新区").replace("西咸新区", "东江新区"))
    (folder / "reprint_004.txt").write_text(reprint, encoding="utf-8")
    return folder


def test_duplicates_find_the_reprint_and_the_converted_seed(reprint_corpus):
    r = run_cli("duplicates", str(reprint_corpus), "-f", "jsonl")
    assert r.exit_code == 0, r.stderr
    rows = _rows(r.stdout)
    clusters: dict[int, list[str]] = {}
    for row in rows:
        clusters.setdefault(row["cluster"], []).append(row["doc_id"])
    assert sorted(clusters.values()) == [[SEED_IDS[3], "003_simplified"], [SEED_IDS[4], "reprint_004"]]
    trad = next(x for x in rows if x["doc_id"] == "003_simplified")
    assert trad["jaccard"] == 1.0 and trad["containment"] == 1.0 and trad["copy_share"] == 1.0
    rep = next(x for x in rows if x["doc_id"] == "reprint_004")
    assert 0.7 < rep["jaccard"] < 1.0 and rep["containment"] > 0.85 and rep["size"] == 2
    first = next(x for x in rows if x["cluster"] == rep["cluster"])
    assert first["doc_id"] == SEED_IDS[4] and first["date"] == "2016-09-02"  # earliest member first


def test_min_shared_leaves_out_short_items_that_share_only_a_formula(reprint_corpus):
    # Two announcements written to the formula of a newspaper's commentaries: the formula alone makes their
    # containment over 0.5, though they share no word of what they announce.
    formula = "央视网消息（新闻联播）：明天出版的人民日报将发表评论员文章，题目是《{}》。"
    (reprint_corpus / "announce_a.txt").write_text(formula.format("坚定理想信念——一论学习贯彻全会精神"),
                                                   encoding="utf-8")
    (reprint_corpus / "announce_b.txt").write_text(formula.format("改进工作作风——二论学习贯彻全会精神"),
                                                   encoding="utf-8")

    def pairs(*options: str) -> list[tuple[str, str]]:
        r = run_cli("duplicates", str(reprint_corpus), "--pairs", *options)
        assert r.exit_code == 0, r.stderr
        return sorted(tuple(sorted(line.split("\t")[:2])) for line in r.stdout.splitlines()[1:])

    copies = [(SEED_IDS[3], "003_simplified"), (SEED_IDS[4], "reprint_004")]
    assert pairs() == sorted(copies + [("announce_a", "announce_b")])
    assert pairs("--min-shared", "50") == copies  # the reprint shares hundreds of shingles with its source
    rows = run_cli("duplicates", str(reprint_corpus), "--pairs").stdout.splitlines()
    assert rows[0].endswith("\tdate_a\tdate_b\tshared")
    formula_pair = next(line.split("\t") for line in rows if line.startswith("announce_"))
    assert formula_pair[3] == "0.731707" and formula_pair[6] == "30"  # 30 of 41 shingles: the formula's
    as_json = json.loads(run_cli("duplicates", str(reprint_corpus), "--min-shared", "50", "-f", "json").stdout)
    assert as_json["meta"]["min_shared"] == 50 and as_json["meta"]["copy_pairs"] == 2
    bad = run_cli("duplicates", str(reprint_corpus), "--min-shared", "-1")
    assert bad.exit_code == 2 and bad.stderr == "dangjian: error: --min-shared must be ≥ 0\n"


def test_shared_passages_have_offsets_into_both_texts(reprint_corpus):
    from dangjian_cli import load_documents

    r = run_cli("duplicates", str(reprint_corpus), "--passages", "60", "-f", "jsonl")
    rows = [x for x in _rows(r.stdout) if x["doc_b"] == "reprint_004"]
    assert rows
    docs = {d.id: d for d in load_documents([str(reprint_corpus)])}
    a, b = docs[SEED_IDS[4]], docs["reprint_004"]
    for row in rows:
        assert row["chars"] >= 60
        assert a.text[row["start_a"]:row["end_a"]] == b.text[row["start_b"]:row["end_b"]] == row["text"]
        # Original offsets point at the same first and last characters (debris the loader removed, such as an
        # image caption with the place names, may lie between them and differ between the two originals).
        for doc, s, e in ((a, row["original_start_a"], row["original_end_a"]),
                          (b, row["original_start_b"], row["original_end_b"])):
            assert doc.original[s] == row["text"][0] and doc.original[e - 1] == row["text"][-1]
        assert "空港新城" not in row["text"] and "临江新区" not in row["text"]
    # The dropped paragraph is in no passage; the paragraph after it is.
    assert not any("领导带头以上率下" in row["text"] for row in rows)
    assert any("招商引资是新城发展的生命线" in row["text"] for row in rows)


def test_distinct_seeds_are_not_duplicates():
    r = run_cli("duplicates", str(SEEDS), "-f", "jsonl")
    assert r.exit_code == 0 and r.stdout == ""
    s = _rows(run_cli("duplicates", str(SEEDS), "--shares", "-f", "jsonl").stdout)
    assert len(s) == 5 and all(x["partners"] == "" and x["copy_share"] < 0.2 for x in s)
    assert run_cli("duplicates", str(SEEDS), "--pairs", "--shares").exit_code == 2


def test_a_short_article_copied_into_a_long_one_is_a_copy(tmp_path):
    short = seed(0).read_text(encoding="utf-8").split("\n")
    excerpt = "\n".join(short[2:8])
    long_text = seed(1).read_text(encoding="utf-8") + "\n" + excerpt + "\n" + seed(2).read_text(encoding="utf-8")
    (tmp_path / "a_short.txt").write_text(excerpt, encoding="utf-8")
    (tmp_path / "b_long.txt").write_text(long_text, encoding="utf-8")
    rows = _rows(run_cli("duplicates", str(tmp_path), "--pairs", "-f", "jsonl").stdout)
    assert len(rows) == 1
    assert rows[0]["containment"] == 1.0 and rows[0]["jaccard"] < 0.2


def test_fingerprints_do_not_depend_on_the_batch():
    """A batch of documents is fingerprinted at once (numpy over the concatenated texts): each document's shingles,
    distinct hashes, inverse and band keys are what it gets alone, whatever stands before or after it (empty and
    very short texts, a character beyond the BMP, and a lone surrogate included)."""
    import numpy as np

    from dangjian_cli.duplicates import fingerprint_batch

    texts = [seed(k).read_text(encoding="utf-8") for k in range(5)]
    texts[2:2] = ["", "短文", "党建𠀀工作" * 30, "\ud800" + texts[0][:300]]
    together = fingerprint_batch(texts, keep_positions=True)
    for k, text in enumerate(texts):
        alone = fingerprint_batch([text], keep_positions=True)
        for name in ("unique", "inverse", "keys"):
            at = getattr(together, f"{name}_at")
            assert np.array_equal(getattr(together, name)[at[k]:at[k + 1]], getattr(alone, name)), (k, name)
        assert together.chars[k] == alone.chars[0] and together.positions[k] == alone.positions[0]
    assert together.chars[2] == 0 and len(together.keys) > 0
    assert fingerprint_batch(["党建𠀀工作"]).chars[0] == 5  # 𠀀 (U+20000) is a word character too


def test_repeated_values_are_exact_when_high_bits_agree():
    """Values shared between documents are found by sorting them with their index in the low bits: values that
    differ only in those bits must not count as repeated."""
    import numpy as np

    from dangjian_cli.duplicates import _repeated

    rng = np.random.default_rng(7)
    values = rng.integers(0, 2**64 - 1, size=5000, dtype=np.uint64)
    values[100:200] = values[0:100]  # repeated
    values[300:400] = values[200:300] ^ np.uint64(1)  # same high bits, different values
    values[400:450] = (values[450:500] >> np.uint64(24)) << np.uint64(24)  # likewise, low bits cleared
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    assert np.array_equal(_repeated(values), counts[inverse] > 1)
    assert _repeated(values)[:200].all() and not _repeated(values)[200:400].any()


def test_copy_shares_do_not_depend_on_how_the_work_is_split(reprint_corpus, monkeypatch):
    """Repeats are found a part of the hash space at a time and coverage a block of documents at a time (bounded
    memory on large corpora): tiny parts and blocks give the same shares as one piece."""
    import numpy as np

    import dangjian_cli.duplicates as dup
    from dangjian_cli import load_documents

    docs = load_documents([str(reprint_corpus)])
    whole = dup.find_duplicates(docs).shares
    monkeypatch.setattr(dup, "PART_VALUES", 64)
    monkeypatch.setattr(dup, "DOC_BLOCK", 2)
    assert dup.find_duplicates(docs).shares == whole
    rng = np.random.default_rng(5)
    values = rng.integers(0, 2**64 - 1, size=20000, dtype=np.uint64)
    values[::7] = values[3]
    assert np.array_equal(dup._repeated_in_parts(values), dup._repeated(values))
    assert any(share > 0.5 for *_, share, _partners in whole)


def test_a_row_scored_in_full_ranks_as_if_every_score_were_rounded():
    """A row tied beyond its candidates is scored against every document; only the scores that can round to its
    k-th or above are rounded and ranked. The result must be what rounding and ranking every score gives, here on
    copies and near-copies of the seeds (ties and near-ties at six digits)."""
    import numpy as np

    from dangjian_cli.corpus import load_documents
    from dangjian_cli.pipeline import Analyzer
    from dangjian_cli.similar import _full_row, fit_vectors

    docs = load_documents([str(SEEDS)])
    for d in list(docs):
        for n in range(3):  # a copy, and copies with one more and two more sentences of another seed
            extra = "".join(docs[(n + 1) % 5].text.split("。")[:n]) + "。" if n else ""
            docs.append(type(d)(f"{d.id}~{n}", d.text + extra, d.original, d.title, d.date, d.source, d.author,
                                d.script, d.encoding, d.path, d.fields))
    v = fit_vectors(docs, Analyzer())
    x = v.matrix.tocsr()
    xt = x.T.tocsr()
    n = x.shape[0]
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[sorted(range(n), key=v.ids.__getitem__)] = np.arange(n)
    for k in (1, 2, 5):
        for i in range(n):
            got = [(row[2], row[5]) for row in _full_row(v, x, xt, i, k, 0.0, id_rank, False)]
            full = np.asarray((x[i] @ xt).todense()).ravel()
            every = [(round(min(1.0, float(full[j])), 6), v.ids[j]) for j in range(n) if j != i and full[j] > 0]
            expected = [(doc, score) for score, doc in sorted(every, key=lambda t: (-t[0], t[1]))[:k]]
            assert got == expected, (k, v.ids[i])


def _mixed_seed_documents(count: int = 150) -> list:
    """Documents made of sentences of the seeds, drawn with a fixed seed: some near-copies, many loosely related."""
    import random

    from dangjian_cli.corpus import Document

    sentences = [s for n in range(5) for s in seed(n).read_text(encoding="utf-8").split("。") if len(s) > 10]
    rng = random.Random(7)
    docs = []
    for n in range(count):
        picked = rng.sample(sentences, rng.randint(2, 9))
        if n % 10 == 3:  # a near-copy of the previous document: ties and high scores
            picked = docs[-1].text.split("。")[:-1] + picked[:1]
        text = "。".join(picked) + "。"
        docs.append(Document(f"d{n:03d}", text, text, "", "", "", "", "simplified", "utf-8", None, {}))
    return docs


@pytest.mark.parametrize("top,block,cap,path", [(1, 16, 25, "capped rows"), (10, 64, 100, "capped rows"),
                                                (5, 32, 60, "capped rows"), (30, 32, 2000, "rows below the floor"),
                                                (10, 16, 5, "blocks by rows")])
def test_all_by_halves_gives_the_table_by_rows(monkeypatch, top, block, cap, path):
    """Scoring each pair once (halves) must give exactly the table of multiplying every row with the whole matrix,
    whether rows pass the cap (multiplied again), have too few scores above the floor (scored by rows), or most of a
    block passes the cap (the rest by rows); each case is checked to have happened."""
    from dangjian_cli import similar
    from dangjian_cli.pipeline import Analyzer

    v = similar.fit_vectors(_mixed_seed_documents(), Analyzer())
    monkeypatch.setattr(similar, "ROW_CAP", cap)
    by_rows = list(similar.all_neighbours(v, top, block=block, method="rows"))
    stats: dict = {}
    assert list(similar.all_neighbours(v, top, block=block, method="halves", stats=stats)) == by_rows
    assert len({row[0] for row in by_rows}) == len(v.ids) and 0 < stats["floor"] < 1
    assert stats[path] > 0, stats


def test_all_by_halves_hands_on_scores_a_row_past_the_cap_left_out(monkeypatch):
    """Document 0 is close to a group of 30 and less close to document j, which is still the best neighbour j has;
    and j comes blocks later. Row 0 passes the cap (25), j does not: the score row 0 hands on to j is found only
    when row 0 is multiplied again without the cap."""
    import numpy as np
    import scipy.sparse as sp

    from dangjian_cli import similar

    group, others = 30, 20
    n = 1 + group + 1 + others
    width = 3 + group + others
    dense = np.zeros((n, width))
    dense[0, [0, 1]] = [1.0, 0.6]  # 0: the group's term, and the term it shares with j
    for g in range(group):
        dense[1 + g, [0, 3 + g]] = [1.0, 0.2]
    j = 1 + group
    dense[j, [1, 2]] = [1.0, 1.0]
    for h in range(others):  # j's other neighbours, further from it than 0 is (and not tied: ties are rescored)
        dense[j + 1 + h, [2, 3 + group + h]] = [1.0, 3.0 + h / 10]
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    ids = [f"r{i:02d}" for i in range(n)]
    v = similar.CorpusVectors(ids, ids, [""] * n, sp.csr_matrix(dense), {}, [f"t{c}" for c in range(width)],
                              np.ones(width))
    monkeypatch.setattr(similar, "ROW_CAP", 25)
    monkeypatch.setattr(similar, "CAPPED_SHARE", 1.0)
    by_rows = list(similar.all_neighbours(v, 10, block=8, method="rows"))
    stats: dict = {}
    assert list(similar.all_neighbours(v, 10, block=8, method="halves", stats=stats)) == by_rows
    assert stats["capped rows"] > 0 and stats["blocks by rows"] == 0
    assert next(row for row in by_rows if row[0] == ids[j])[2] == "r00"


@needs_shared
def test_all_by_halves_gives_the_table_by_rows_on_real_news():
    from dangjian_cli import similar
    from dangjian_cli.corpus import CorpusReader, LoaderOptions
    from dangjian_cli.pipeline import Analyzer

    v = similar.fit_vectors(CorpusReader([str(DEV)], LoaderOptions(jobs=2), warn=lambda m: None), Analyzer())
    stats: dict = {}
    by_halves = list(similar.all_neighbours(v, 10, block=1024, method="halves", threads=2, stats=stats))
    assert by_halves == list(similar.all_neighbours(v, 10, block=1024, method="rows", threads=2))
    assert stats["blocks by rows"] == 0 and stats["rows below the floor"] > 0
