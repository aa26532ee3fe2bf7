"""The corpus matrix cache: a warm keywords run reuses the counted corpus, and never gives a different answer."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import SEEDS, SEED_IDS, run_process, seed


def _corpus(path, extra_row=None):
    rows = [{"id": i, "title": f"标题{n}", "date": f"201{n}-01-01", "text": seed(n).read_text(encoding="utf-8")}
            for n, i in enumerate(SEED_IDS)]
    if extra_row:
        rows.append(extra_row)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _matrices(cache):
    return sorted((cache / "matrices").glob("*.npz"))


def test_warm_run_reuses_the_matrix_and_gives_the_same_bytes(tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    corpus = _corpus(tmp_path / "c.jsonl")
    plain = run_process("keywords", str(corpus), "--no-cache", "-f", "tsv", env=env)
    assert not (tmp_path / "cache" / "matrices").exists()  # --no-cache writes nothing
    cold = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    assert len(_matrices(tmp_path / "cache")) == 1
    stamp = _matrices(tmp_path / "cache")[0].stat().st_mtime_ns
    warm = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    assert plain.returncode == cold.returncode == warm.returncode == 0
    assert plain.stdout == cold.stdout == warm.stdout
    assert len(_matrices(tmp_path / "cache")) == 1  # reused, not made again
    # Other settings that only change the scoring reuse the same matrix; the output still differs as it should.
    top3 = run_process("keywords", str(corpus), "-n", "3", "--tf", "sublinear", "-f", "tsv", env=env)
    assert top3.stdout == run_process("keywords", str(corpus), "-n", "3", "--tf", "sublinear", "--no-cache",
                                      "-f", "tsv", env=env).stdout
    assert len(_matrices(tmp_path / "cache")) == 1
    assert _matrices(tmp_path / "cache")[0].stat().st_mtime_ns >= stamp
    info = dict(line.split("\t") for line in run_process("cache", "info", env=env).stdout.decode().splitlines())
    assert info["matrices"] == "1"
    run_process("cache", "clear", env=env)
    assert _matrices(tmp_path / "cache") == []


def test_an_edited_file_of_the_same_size_is_counted_again(tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    corpus = _corpus(tmp_path / "c.jsonl")
    first = run_process("keywords", str(corpus), "--scope", "corpus", "-n", "50", "-f", "tsv", env=env)
    data = corpus.read_text(encoding="utf-8")
    assert "党支部" in data
    corpus.write_text(data.replace("党支部", "工委会"), encoding="utf-8")  # same length, same size in bytes
    second = run_process("keywords", str(corpus), "--scope", "corpus", "-n", "50", "-f", "tsv", env=env)
    fresh = run_process("keywords", str(corpus), "--scope", "corpus", "-n", "50", "--no-cache", "-f", "tsv", env=env)
    assert second.stdout == fresh.stdout != first.stdout
    assert "党支部" not in second.stdout.decode()


def test_a_damaged_matrix_is_made_again_with_a_warning(tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    corpus = _corpus(tmp_path / "c.jsonl")
    good = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    (matrix,) = _matrices(tmp_path / "cache")
    matrix.write_bytes(b"PK\x03\x04 not really a zip file" * 50)
    again = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    assert again.returncode == 0
    assert again.stdout == good.stdout
    assert "matrix cache" in again.stderr.decode() and "making it again" in again.stderr.decode()
    third = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    assert third.stdout == good.stdout and "matrix" not in third.stderr.decode()


def test_warnings_about_the_input_are_said_again_on_a_warm_run(tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    corpus = _corpus(tmp_path / "c.jsonl", extra_row={"id": "blank", "text": "  "})
    cold = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    warm = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    assert "empty text; skipped" in cold.stderr.decode()
    assert cold.stderr == warm.stderr
    assert cold.stdout == warm.stdout


def test_stdin_and_folders(tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    r = run_process("keywords", "-", "-f", "tsv", input=seed(0).read_bytes(), env=env)
    assert r.returncode == 0
    assert _matrices(tmp_path / "cache") == []  # stdin cannot be keyed: never stored
    a = run_process("keywords", str(SEEDS), "-f", "tsv", env=env)
    b = run_process("keywords", str(SEEDS), "-f", "tsv", env=env)
    assert a.stdout == b.stdout and len(_matrices(tmp_path / "cache")) == 1


def test_similar_reuses_the_corpus_vectors_for_every_query(tmp_path):
    """similar keeps the corpus's counts too (its own entry, beside keywords'): the second query does not count the
    corpus again, and every query, --all and --explain give the bytes of a run without the cache; warnings about the
    input are said again."""
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    corpus = _corpus(tmp_path / "c.jsonl", extra_row={"id": "blank", "text": "  "})
    queries = [[SEED_IDS[0]], ["--text", "两学一做学习教育 党支部"], ["--all", "-n", "2", "--explain"]]
    fresh = [run_process("similar", *q, "--corpus", str(corpus), "--no-cache", "-f", "tsv", env=env) for q in queries]
    assert not (tmp_path / "cache" / "matrices").exists()
    first = run_process("similar", *queries[0], "--corpus", str(corpus), "-f", "tsv", env=env)
    (stored,) = _matrices(tmp_path / "cache")
    stamp = stored.stat().st_mtime_ns
    cached = [run_process("similar", *q, "--corpus", str(corpus), "-f", "tsv", env=env) for q in queries]
    assert [r.returncode for r in cached] == [0, 0, 0]
    assert [r.stdout for r in cached] == [r.stdout for r in fresh] and first.stdout == fresh[0].stdout
    assert all(r.stderr == fresh[0].stderr for r in cached) and b"empty text; skipped" in fresh[0].stderr
    assert _matrices(tmp_path / "cache") == [stored] and stored.stat().st_mtime_ns >= stamp  # reused
    run_process("keywords", str(corpus), "-f", "tsv", env=env)
    assert len(_matrices(tmp_path / "cache")) == 2  # keywords' counts are another entry


def test_a_readers_warnings_are_the_same_on_a_warm_run_in_the_library(tmp_path, monkeypatch):
    """Through the Python API: the reader keeps (and its callback gets) the input's warnings on a warm run as on the
    cold one, and an analyzer whose callback is a lambda still goes to worker processes."""
    from dangjian_cli.corpus import CorpusReader, LoaderOptions
    from dangjian_cli.pipeline import make_analyzer
    from dangjian_cli.similar import fit_vectors

    monkeypatch.setenv("DANGJIAN_CACHE_DIR", str(tmp_path / "cache"))
    # Above the size where workers start: the seeds 42 times over, then a blank row (line 211).
    rows = [{"id": f"{i}-{k}", "text": seed(n).read_text(encoding="utf-8")} for k in range(42)
            for n, i in enumerate(SEED_IDS)] + [{"id": "blank", "text": "  "}]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    runs = []
    for _ in range(2):
        said: list[str] = []
        reader = CorpusReader([str(corpus)], LoaderOptions(jobs=2), warn=said.append)
        fit_vectors(reader, make_analyzer(warn=lambda message: None))
        runs.append((reader.warnings, said))
    assert _matrices(tmp_path / "cache")
    assert runs[0] == runs[1] and runs[0][0] == [f"{corpus}:211: empty text; skipped"]


def test_a_matrix_written_in_the_background_is_whole_and_its_warnings_are_said_at_wait(tmp_path):
    """keywords stores a new matrix from a thread while it ranks: the file is there, whole, once the command is done;
    when it cannot be written, the warning is said once, by ``wait``, and the answer is the same."""
    import numpy as np

    from dangjian_cli.matrixcache import MatrixCache

    said: list[str] = []
    store = MatrixCache(tmp_path / "m", warn=said.append)
    arrays = {"a": np.arange(1_000_000, dtype=np.int64)}
    store.put("k1", arrays, {"x": 1}, background=True)
    found = store.get("k1")  # waits for the write first
    assert found is not None and (found["a"] == arrays["a"]).all() and found["meta"]["x"] == 1
    blocked = MatrixCache(tmp_path / "file-not-folder", warn=said.append)
    (tmp_path / "file-not-folder").write_text("x")
    blocked.put("k2", arrays, {}, background=True)
    blocked._writing.join()
    assert said == []  # not from the thread: at wait()
    blocked.wait()
    blocked.wait()
    assert len(said) == 1 and "cannot be written" in said[0]
    in_the_way = MatrixCache(tmp_path / "m2", warn=said.append)  # the matrix's own file name taken by a folder
    in_the_way._path("k3").mkdir(parents=True)
    in_the_way.put("k3", arrays, {}, background=True)
    in_the_way.wait()
    assert len(said) == 2 and "cannot be written (cannot write" in said[1] and "it is a folder" in said[1]

    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "matrices").write_text("in the way")
    corpus = _corpus(tmp_path / "c.jsonl")
    r = run_process("keywords", str(corpus), "-f", "tsv", env=env)
    assert r.returncode == 0 and r.stdout == run_process("keywords", str(corpus), "--no-cache", "-f", "tsv").stdout
    assert r.stderr.decode().count("cannot be written") == 1 and len(r.stderr.decode().splitlines()) == 1


def test_the_weights_positions_are_stored_once_and_old_entries_still_load(tmp_path):
    """The title and lead weights have the counts' entries: a stored corpus keeps their positions once; an entry that
    has them separately (as written before) loads to the same matrices."""
    from dangjian_cli.corpus import load_documents
    from dangjian_cli.keywords import CountedCorpus, KeywordSettings, count_corpus
    from dangjian_cli.pipeline import Analyzer

    counted = count_corpus(load_documents([str(SEEDS)]), Analyzer(), KeywordSettings())
    arrays, meta = counted.to_arrays()
    assert "weights_data" in arrays and "weights_indices" not in arrays
    old = dict(arrays, weights_indices=counted.weighted_tf.indices.copy(),
               weights_indptr=counted.weighted_tf.indptr.copy())
    for stored in (arrays, old):
        back = CountedCorpus.from_arrays({**stored, "meta": meta})
        assert (back.counts != counted.counts).nnz == 0 and (back.weighted_tf != counted.weighted_tf).nnz == 0
        assert back.vocab == counted.vocab and back.meta == counted.meta


def test_what_other_code_cached_is_never_reused(tmp_path):
    """Two builds of the same version (an edited checkout) share the cache folder: the second one's answers are its
    own, for the corpus matrix cache (keywords) and the token cache (segment with jieba)."""
    import shutil

    import dangjian_cli

    package = Path(dangjian_cli.__file__).parent
    builds = {}
    for name in ("a", "b"):
        shutil.copytree(package, tmp_path / name / "dangjian_cli", ignore=shutil.ignore_patterns("__pycache__"))
        builds[name] = {"PYTHONPATH": str(tmp_path / name), "DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    tokenize_b = tmp_path / "b" / "dangjian_cli" / "tokenize.py"
    code = tokenize_b.read_text(encoding="utf-8")
    # Build b keeps no lexicon span whole (so 两学一做 is cut) and drops every two-character word.
    for old, new in [("spans = [(a, b) for a, b, _key in self.lexicon.spans(text)]", "spans = []"),
                     ("len(word) < 2", "len(word) < 3")]:
        assert old in code
        code = code.replace(old, new)
    tokenize_b.write_text(code, encoding="utf-8")

    def run(build, *args):
        done = run_process(*args, "-f", "tsv", env=builds[build])
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    keywords = ("keywords", str(SEEDS), "-n", "5")
    segment = ("segment", str(seed(4)), "--engine", "jieba")
    first = {args: run("a", *args) for args in (keywords, segment)}  # fills both caches
    assert _matrices(tmp_path / "cache") and (tmp_path / "cache" / "tokens.sqlite3").exists()
    for args in (keywords, segment):
        fresh = run("b", *args, "--no-cache")
        assert fresh != first[args]  # build b's own code runs
        assert run("b", *args) == fresh
    assert "两学一做" in first[segment] and "两学一做" not in run("b", *segment)


def test_a_date_range_is_part_of_the_key_and_its_warning_is_said_again(tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    corpus = _corpus(tmp_path / "c.jsonl", extra_row={"id": "undated", "text": seed(2).read_text(encoding="utf-8")})
    runs = {}
    for args in (["--since", "2012"], [], ["--since", "2012"], ["--since", "2011-06", "--until", "2013"]):
        runs.setdefault(tuple(args), []).append(run_process("keywords", str(corpus), *args, "-f", "tsv", env=env))
    assert len(_matrices(tmp_path / "cache")) == 3  # one per range
    for args, (first, *again) in runs.items():
        plain = run_process("keywords", str(corpus), *args, "-f", "tsv", "--no-cache", env=env)
        assert first.returncode == 0
        assert all((r.stdout, r.stderr) == (first.stdout, first.stderr) == (plain.stdout, plain.stderr)
                   for r in again)
    docs = {tuple(a): {line.split(b"\t")[0] for line in r[0].stdout.splitlines()[1:]} for a, r in runs.items()}
    assert len(docs[()]) == 6
    assert len(docs[("--since", "2012")]) == 3 and len(docs[("--since", "2011-06", "--until", "2013")]) == 2
    assert b"1 document without a date left out by --since 2012" in runs[("--since", "2012")][1].stderr
