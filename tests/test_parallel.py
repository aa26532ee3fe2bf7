"""--jobs: worker processes give byte-identical output."""
from __future__ import annotations

import json

import pytest

from conftest import SEED_IDS, run_process, seed
from dangjian_cli.parallel import SERIAL_BELOW


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """260 distinct documents, above the size where workers start: each joins three seed paragraphs in its own
    order, with its own title and date; one in five is the traditional seed's text."""
    paragraphs = []
    for n in range(len(SEED_IDS)):
        text = seed(n).read_text(encoding="utf-8")
        paragraphs.extend(p.strip() for p in text.split("\n") if len(p.strip()) > 40)
    path = tmp_path_factory.mktemp("par") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(260):
            picked = [paragraphs[(i * 7 + k * 13) % len(paragraphs)] for k in range(3)]
            if i % 5 == 0:
                picked.append(seed(3).read_text(encoding="utf-8"))
            row = {"id": f"d{i:03d}", "title": f"第{i}篇 {picked[0][:12]}", "date": f"{2015 + i % 8}-{1 + i % 12:02d}-01",
                   "text": f"本报讯（第{i}期）" + "\n".join(picked)}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    assert 260 > SERIAL_BELOW[0]
    return path


@pytest.mark.parametrize("args, rows", [
    (["keywords", "-n", "5"], 260 * 5),
    (["keywords", "--group-by", "year", "-n", "5"], 8 * 5),
    (["slogans", "--per-doc"], 260),
    (["classify", "--explain"], 260),
    (["corpus"], 260),
    (["similar", "--all", "-n", "3", "--corpus"], 260 * 3),
    (["duplicates", "--shares"], 260),
    (["duplicates", "--passages", "60"], 1),
    (["keywords", "-n", "3", "--idf-from", "{corpus}", "--scope", "corpus"], 3),
    (["keyness", "--group-by", "year", "--target", "2016", "-n", "20", "--min-count", "1"], 20),
    (["segment"], 260),
    (["segment", "--offsets", "-f", "jsonl"], 259),
    (["phrases", "--measure", "llr", "--max-n", "3", "-n", "30"], 30),
    (["phrases", "--unit", "char", "--group-by", "year", "-n", "5"], 40),
    (["trends", "两学一做", "党支部", "--by", "year"], 16),
    (["kwic", "两学一做", "--sort", "right"], 100),
    (["kwic", "两学一做", "--sample", "30", "--seed", "7"], 30),
    # A date range: documents left out in the workers (per document, and per batch for duplicates).
    (["keywords", "-n", "5", "--since", "2017", "--until", "2019-06"], 88 * 5),
    (["duplicates", "--shares", "--since", "2017", "--until", "2019-06"], 88),
])
def test_jobs_two_gives_the_same_bytes_as_one(corpus, args, rows):
    args = [str(corpus) if a == "{corpus}" else a for a in args]
    cache = "--no-cache" if args[0] in ("keywords", "similar", "keyness", "segment", "phrases") else "-q"
    one = run_process(*args, str(corpus), "--jobs", "1", cache)
    two = run_process(*args, str(corpus), "--jobs", "2", cache)
    assert one.returncode == 0, one.stderr.decode()
    assert two.returncode == 0, two.stderr.decode()
    assert len(one.stdout.splitlines()) >= rows + 1
    assert one.stdout == two.stdout


def test_workers_share_the_token_cache(corpus, tmp_path):
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    # The jieba engine: the one whose segmentation is cached (rjieba re-segments faster than the cache reads back).
    cold = run_process("keywords", str(corpus), "-j", "2", "--engine", "jieba", env=env)
    info = run_process("cache", "info", env=env)
    # Other weights: the counted corpus differs, so the documents are tokenised again, from the token cache.
    warm = run_process("keywords", str(corpus), "-j", "2", "--engine", "jieba", "--title-weight", "1", env=env)
    plain = run_process("keywords", str(corpus), "-j", "2", "--engine", "jieba", "--title-weight", "1",
                        "--no-cache", env=env)
    assert cold.returncode == 0 and warm.returncode == 0
    assert b"cache" not in cold.stderr + warm.stderr  # no worker had to give up or rebuild the cache
    assert warm.stdout == plain.stdout
    entries = dict(line.split("\t") for line in info.stdout.decode().splitlines())["entries"]
    assert int(entries) >= 260  # every document's segmentation was written by the workers


def test_bad_jobs_value():
    r = run_process("corpus", "--jobs", "0")
    assert r.returncode == 2 and b"--jobs" in r.stderr


def _worker_pid(doc) -> int:
    import os

    return os.getpid()


def test_map_documents_runs_in_workers_in_input_order(corpus):
    import os

    from dangjian_cli.corpus import CorpusReader, LoaderOptions
    from dangjian_cli.parallel import map_documents

    serial = [d.id for d, _ in map_documents(CorpusReader([str(corpus)]), _worker_pid, jobs=1)]
    reader = CorpusReader([str(corpus)], LoaderOptions(jobs=2))
    pairs = list(map_documents(reader, _worker_pid))
    assert [d.id for d, _ in pairs] == serial == [f"d{i:03d}" for i in range(260)]
    pids = {pid for _, pid in pairs}
    assert pids and os.getpid() not in pids  # (how the chunks spread over the two workers is up to the OS)
    # Small inputs stay in this process.
    small = CorpusReader([str(seed(0))], LoaderOptions(jobs=2))
    assert [pid for _, pid in map_documents(small, _worker_pid)] == [os.getpid()]


@pytest.fixture(scope="module")
def flawed(corpus, tmp_path_factory):
    """Two JSON Lines files parsed in the workers: the first has rows with empty text and, at row 250, a line that
    is not JSON (an error, or with --skip-errors one more row skipped); the second is sound."""
    lines = corpus.read_text(encoding="utf-8").splitlines()
    folder = tmp_path_factory.mktemp("flawed")
    first = lines[:240] + ['{"id": "e1", "text": ""}'] + lines[240:248] + ['{"id": "e2", "text": "  "}', "{broken"] \
        + lines[248:]
    (folder / "a.jsonl").write_text("\n".join(first) + "\n", encoding="utf-8")
    second = [line.replace('"id": "d', '"id": "b') for line in lines[:30]]
    (folder / "b.jsonl").write_text("\n".join(second) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [["corpus"], ["slogans", "--per-doc"], ["duplicates", "--shares"]])
def test_bad_rows_found_by_workers_are_reported_as_one_process_reports_them(flawed, command):
    """Rows are parsed in the worker processes; their warnings and errors still come in input order, the error
    ends the run where one process ends it, and with --skip-errors only the bad line is dropped."""
    paths = [str(flawed / "a.jsonl"), str(flawed / "b.jsonl")]
    one = run_process(*command, *paths, "--jobs", "1")
    two = run_process(*command, *paths, "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert one.stderr == two.stderr
    assert two.stderr.decode().strip().endswith("a.jsonl:251: not valid JSON (Expecting property name enclosed in "
                                                "double quotes); fix that line")
    one = run_process(*command, *paths, "--jobs", "1", "--skip-errors")
    two = run_process(*command, *paths, "--jobs", "2", "--skip-errors")
    assert one.returncode == two.returncode == 0, two.stderr.decode()
    assert one.stdout == two.stdout and one.stderr == two.stderr
    warnings = two.stderr.decode().splitlines()
    where = [w.split("warning: ", 1)[1].split(": ", 1)[0].rsplit("/", 1)[-1] for w in warnings]
    assert where == ["a.jsonl:241", "a.jsonl:250", "a.jsonl:251"]
    ids = {line.split("\t")[0] for line in two.stdout.decode().splitlines()[1:]}
    if command[0] != "slogans":  # (slogans lists only documents with a slogan)
        assert {"d247", "d248", "d259", "b000", "b029"} <= ids


def test_train_classify_and_evaluate_with_a_model_give_the_same_bytes_with_workers(corpus, tmp_path):
    """train and evaluate make each document's rules and words in the workers, classify --model the rules, words
    and features of each batch; the model, the probabilities, the labels and the figures are the ones one process
    gives."""
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    for n, row in enumerate(rows):
        row["campaign"] = "liangxue_yizuo_2016" if "两学一做" in row["text"] and n % 2 else "none"
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    model = tmp_path / "m.model"
    trained = run_process("train", str(labelled), "--label-field", "campaign", "--model", str(model), "-j", "1")
    assert trained.returncode == 0, trained.stderr.decode()
    # Training tokenises in the workers too, and gives the same model.
    again = run_process("train", str(labelled), "--label-field", "campaign", "--model", str(tmp_path / "m2.model"),
                        "-j", "2")
    assert again.returncode == 0 and (tmp_path / "m2.model").read_bytes() == model.read_bytes()
    one = run_process("classify", str(corpus), "--model", str(model), "--explain", "-j", "1", "-q")
    two = run_process("classify", str(corpus), "--model", str(model), "--explain", "-j", "2", "-q")
    assert one.returncode == 0, one.stderr.decode()
    assert len(one.stdout.splitlines()) == 261 and one.stdout == two.stdout
    for how in (["--model", str(model)], ["--cv", "3"], []):
        one = run_process("evaluate", str(labelled), "--label-field", "campaign", *how, "-f", "json", "-j", "1")
        two = run_process("evaluate", str(labelled), "--label-field", "campaign", *how, "-f", "json", "-j", "2")
        assert one.returncode == 0 and one.stdout == two.stdout and b'"accuracy"' in one.stdout, how


def test_ranges_of_json_lines_give_the_lines_one_process_reads(corpus, tmp_path):
    """An uncompressed JSON Lines file reaches the workers as ranges of bytes that they read themselves: a byte order
    mark, CRLF endings, blank and white-space lines and a last line without its line break give the same lines, line
    numbers and documents as reading the file line by line (and as its gzip copy, which is read line by line)."""
    import gzip

    from dangjian_cli.corpus import CorpusReader, JsonLine, JsonRange, LoaderOptions

    rows = corpus.read_text(encoding="utf-8").splitlines()
    lines = []
    for n, row in enumerate(rows):
        lines.append(row)
        if n % 9 == 0:
            lines.append("")
        if n % 13 == 0:
            lines.append(" \t ")
    raw = ("\ufeff" + "\r\n".join(lines)).encode("utf-8")  # no line break after the last row
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(raw)
    (tmp_path / "crlf.jsonl.gz").write_bytes(gzip.compress(raw))

    reader = CorpusReader([str(path)], LoaderOptions(jobs=2))
    ranges = list(reader.units(7, 5000))
    assert all(type(r) is JsonRange for r in ranges) and len(ranges) > len(rows) // 7
    assert sum(r.rows for r in ranges) == len(rows)
    from_ranges = [line for r in ranges for line in r.json_lines()]
    by_lines = [JsonLine(0, str(path), n, enc, line) for n, line, enc, _ in reader._jsonl_lines(str(path), False)]
    assert from_ranges == by_lines
    assert from_ranges[0].encoding == "utf-8-sig" and not from_ranges[0].line.startswith(b"\xef")

    one = run_process("corpus", str(path), "--jobs", "1")
    two = run_process("corpus", str(path), "--jobs", "2")
    packed = run_process("corpus", str(tmp_path / "crlf.jsonl.gz"), "--jobs", "2")
    assert one.returncode == two.returncode == packed.returncode == 0, two.stderr.decode()
    assert one.stdout == two.stdout == packed.stdout.replace(b"crlf.jsonl.gz", b"crlf.jsonl")
    assert len(two.stdout.decode().splitlines()) == len(rows) + 1


def test_a_file_cut_short_after_it_was_measured_is_an_error_of_that_file(corpus, tmp_path):
    from dangjian_cli.corpus import CorpusReader, LoaderOptions
    from dangjian_cli.parallel import _Problem, _records

    path = tmp_path / "short.jsonl"
    path.write_bytes(corpus.read_bytes())
    reader = CorpusReader([str(path)], LoaderOptions(jobs=2))
    ranges = list(reader.units(100, 10**9))
    path.write_bytes(corpus.read_bytes()[: ranges[1].start + 10])  # cut inside the second range
    out = list(_records(ranges, reader.rows))
    assert len(out) == 101  # the first range's rows, then the error; the third range is not read
    source, problem = out[-1]
    assert source == 0 and type(problem) is _Problem and "changed while it was read" in problem.message


def test_import_in_background_loads_modules_and_survives_missing_ones():
    import sys

    from dangjian_cli.parallel import import_in_background

    sys.modules.pop("colorsys", None)
    sys.modules.pop("wave", None)
    thread = import_in_background("no_such_module_dangjian", "colorsys", "wave")
    thread.join(10)
    assert "colorsys" in sys.modules and "wave" in sys.modules and not thread.is_alive()
    assert import_in_background("colorsys") is None  # nothing left to load


def test_the_library_defaults_work_with_workers(corpus, tmp_path, monkeypatch):
    """make_analyzer() without a warn callback (the library's default) crosses to worker processes: its corpus
    matrix cache once held a lambda, which cannot be pickled. Same vectors with one and two workers."""
    from dangjian_cli.corpus import CorpusReader, LoaderOptions
    from dangjian_cli.pipeline import make_analyzer
    from dangjian_cli.similar import fit_vectors

    monkeypatch.setenv("DANGJIAN_CACHE_DIR", str(tmp_path / "cache"))
    two = fit_vectors(CorpusReader([str(corpus)], LoaderOptions(jobs=2)), make_analyzer(use_cache=True))
    one = fit_vectors(CorpusReader([str(corpus)], LoaderOptions(jobs=1)), make_analyzer(use_cache=False))
    assert two.ids == one.ids and list(two.terms) == list(one.terms) and (two.counts != one.counts).nnz == 0


@pytest.mark.parametrize("command", [["classify"], ["duplicates"], ["corpus"]])
def test_ids_shared_across_workers_chunks_are_warned_about_as_one_process_does(corpus, tmp_path, command):
    # Ten ids used twice, 250 rows apart: the two documents of each are made by different tasks.
    lines = corpus.read_text(encoding="utf-8").splitlines()
    shared = tmp_path / "shared.jsonl"
    shared.write_text("\n".join(line.replace(f'"id": "d{i:03d}"', f'"id": "d{i % 250:03d}"')
                                for i, line in enumerate(lines)) + "\n", encoding="utf-8")
    one = run_process(*command, str(shared), "--jobs", "1")
    two = run_process(*command, str(shared), "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert two.stderr.decode().startswith("dangjian: warning: 10 ids name more than one document (first: 'd000', "
                                          "2 documents)")
    assert two.stderr.decode().count("\n") == 1


def test_documents_a_date_range_leaves_out_in_workers_are_said_as_one_process_says_them(corpus, tmp_path):
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    for row in rows[::10]:
        del row["date"]
    undated = tmp_path / "undated.jsonl"
    undated.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    for args in (["corpus"], ["classify"], ["duplicates", "--shares"]):
        one = run_process(*args, str(undated), "--since", "2016", "--jobs", "1")
        two = run_process(*args, str(undated), "--jobs", "2", "--since", "2016")
        assert one.returncode == 0, one.stderr.decode()
        assert (two.stdout, two.stderr) == (one.stdout, one.stderr)
        assert one.stderr.decode() == ("dangjian: warning: 26 documents without a date left out by --since 2016; if "
                                       "the dates are in a column, name it with --date-field\n")
