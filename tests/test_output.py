from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SEEDS, run_cli, run_process, seed
from dangjian_cli.errors import DangjianError
from dangjian_cli.output import Environment, Table, emit, render_to_string

TABLE = Table(["term", "count", "score", "note"], [("两学一做", 3, 0.123456789, "a\tb"), ("三会一课", 1, 2.0, None)])


def test_formats_exact():
    rows = list(TABLE.rows)

    def t():
        return Table(TABLE.columns, rows, meta={"provenance": {"lexicon.tsv": "v1"}})

    assert render_to_string(t(), "tsv") == "term\tcount\tscore\tnote\n两学一做\t3\t0.123457\ta\\tb\n三会一课\t1\t2\t\n"
    assert render_to_string(t(), "tsv", header=False) == "两学一做\t3\t0.123457\ta\\tb\n三会一课\t1\t2\t\n"
    assert render_to_string(t(), "csv") == 'term,count,score,note\n两学一做,3,0.123457,a\tb\n三会一课,1,2,\n'
    assert render_to_string(t(), "jsonl") == (
        '{"term": "两学一做", "count": 3, "score": 0.123457, "note": "a\\tb"}\n'
        '{"term": "三会一课", "count": 1, "score": 2.0, "note": null}\n')
    doc = json.loads(render_to_string(t(), "json"))
    assert doc["meta"] == {"provenance": {"lexicon.tsv": "v1"}}
    assert doc["rows"][0] == {"term": "两学一做", "count": 3, "score": 0.123457, "note": "a\tb"}
    assert json.loads(render_to_string(Table(["a"], []), "json")) == {"rows": []}


def _env(tty: bool) -> Environment:
    return Environment(io.StringIO(), io.StringIO(), stdout_isatty=tty, stderr_isatty=tty)


def test_terminal_gets_a_table_and_a_pipe_gets_tsv():
    env = _env(True)
    emit(Table(["term", "count"], [("两学一做", 3)]), None, None, True, env)
    out = env.stdout.getvalue()
    assert "┃" in out or "│" in out
    assert "两学一做" in out
    env = _env(False)
    emit(Table(["term", "count"], [("两学一做", 3)]), None, None, True, env)
    assert env.stdout.getvalue() == "term\tcount\n两学一做\t3\n"


def test_fake_terminal_through_the_cli():
    r = run_cli("corpus", str(seed(0)), env={"DANGJIAN_FORCE_TERMINAL": "1", "COLUMNS": "200"})
    assert "━" in r.stdout and "武义县" in r.stdout
    r = run_cli("corpus", str(seed(0)))
    assert r.stdout.startswith("id\ttitle\t")


def test_output_file_is_atomic(tmp_path):
    target = tmp_path / "out.tsv"

    def rows():
        yield ("a", 1)
        raise DangjianError("boom")

    with pytest.raises(DangjianError):
        emit(Table(["x", "y"], rows()), None, target, True, _env(False))
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    emit(Table(["x", "y"], [("a", 1)]), None, target, True, _env(False))
    assert target.read_text(encoding="utf-8") == "x\ty\na\t1\n"
    emit(Table(["x", "y"], [("a", 1)]), None, tmp_path / "out.jsonl", True, _env(False))
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == '{"x": "a", "y": 1}\n'


def test_cli_output_option_writes_nothing_on_error(tmp_path):
    target = tmp_path / "docs.csv"
    r = run_cli("corpus", str(SEEDS), str(tmp_path / "missing"), "-o", str(target))
    assert r.exit_code == 1 and not target.exists()
    r = run_cli("corpus", str(SEEDS), "-o", str(target))
    assert r.exit_code == 0 and r.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("id,title,date,source,author,chars,script,encoding,path\n")


def test_an_output_file_that_cannot_be_written_is_said_before_the_work(tmp_path):
    """-o, --save-idf, --model and --plot are checked before the corpus is read: the error names the output even
    when the input is missing too, so a long run never ends in a file it cannot write."""
    missing_input = str(tmp_path / "missing.jsonl")
    nowhere = tmp_path / "no" / "such"
    for args, says in (
            (["corpus", missing_input, "-o", str(tmp_path)],
             f"cannot write {tmp_path}: it is a folder; give a file name, such as {tmp_path / 'out.tsv'}"),
            (["corpus", missing_input, "-o", str(nowhere / "out.tsv")],
             f"cannot write {nowhere / 'out.tsv'}: folder {nowhere} does not exist; create it first"),
            (["keywords", missing_input, "--save-idf", str(tmp_path)], f"cannot write {tmp_path}: it is a folder"),
            (["train", missing_input, "--label-field", "campaign", "--model", str(nowhere / "m.model")],
             f"cannot write {nowhere / 'm.model'}: folder {nowhere} does not exist"),
            (["trends", "两学一做", missing_input, "--plot", str(nowhere / "t.svg")],
             f"cannot write {nowhere / 't.svg'}: folder {nowhere} does not exist")):
        r = run_cli(*args)
        assert r.exit_code == 1 and r.stdout == "", (args, r.stderr)
        assert r.stderr.startswith(f"dangjian: error: {says}") and len(r.stderr.splitlines()) == 1, r.stderr
    r = run_cli("trends", "两学一做", missing_input, "--plot", str(tmp_path / "t.pdf"))
    assert r.exit_code == 2 and "cannot plot to t.pdf; use a file ending in .png, .svg, .html" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_pipe_gets_utf8_whatever_the_locale_and_file_names_keep_their_bytes(tmp_path):
    """Output bytes do not depend on the locale (a Windows pipe would be GBK otherwise), and a file name that is
    not UTF-8 (an archive unpacked from a GBK system) is written back as it came, to stdout, to -o files and
    through the matrix cache."""
    r = run_process("kwic", "两学一做", str(seed(0)), "-w", "1", env={"PYTHONIOENCODING": "latin-1"})
    assert r.returncode == 0 and "\t两学一做\t" in r.stdout.decode("utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        (folder / "gbk\udcc1\udcbd.txt").write_bytes(seed(0).read_bytes())
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only UTF-8 file names")
    (folder / "z.txt").write_bytes(seed(1).read_bytes())
    env = {"DANGJIAN_CACHE_DIR": str(tmp_path / "cache")}
    r = run_process("corpus", str(folder), env=env)
    assert r.returncode == 0 and b"\ngbk\xc1\xbd\t" in r.stdout and b"/gbk\xc1\xbd.txt\n" in r.stdout
    for _ in range(2):  # cold, then warm from the matrix cache
        r = run_process("keywords", str(folder), "--top", "1", "-o", str(tmp_path / "out.tsv"), env=env)
        assert r.returncode == 0 and r.stderr == b""
        expected_start = b"doc_id\ttitle\trank\tkeyword\tscore\tcount\ngbk\xc1\xbd\t"
        assert (tmp_path / "out.tsv").read_bytes().startswith(expected_start)


def test_pipe_to_head_ends_quietly(tmp_path):
    # More output than a pipe holds (each file is read once, so the seeds are copied under other names).
    for copy in range(3):
        for n in range(5):
            (tmp_path / f"{copy}_{n}.txt").write_bytes(seed(n).read_bytes())
    cmd = f"{sys.executable} -m dangjian_cli segment {tmp_path} | head -1"
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT, capture_output=True, timeout=300)
    assert p.stdout.decode() == "id\ttokens\n"
    assert p.stderr == b""
    assert p.returncode == 0


def test_warnings_and_output_into_one_pipe_that_closes_end_quietly(tmp_path):
    # `dangjian … 2>&1 | head`: a warning written after the reader went away once ended the run with status 1.
    rows = ['{"id": "e%d", "text": ""}' % i for i in range(3000)] + ['{"id": "a", "text": "两学一做学习教育"}']
    flawed = tmp_path / "flawed.jsonl"
    flawed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cmd = f"{sys.executable} -m dangjian_cli keywords {flawed} --all-warnings -j 1 2>&1 | head -1"
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT, capture_output=True, timeout=300)
    assert p.stdout.decode().startswith(f"dangjian: warning: {flawed}:1: empty text")
    assert p.stderr == b""
    assert p.returncode == 0


def test_a_warning_to_a_closed_stderr_is_dropped_and_the_rest_go_on():
    import contextlib
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    closed = os.fdopen(write_end, "w")
    env = Environment(io.StringIO(), closed, stdout_isatty=False, stderr_isatty=False)
    env.warn("first")  # the pipe's reader is gone: dropped, not raised
    env.warn("second")
    env.finish()
    assert env.stderr is None
    with contextlib.suppress(BrokenPipeError):
        closed.close()


def test_output_is_deterministic():
    a = run_cli("segment", str(SEEDS), "-f", "jsonl").stdout
    b = run_cli("segment", str(SEEDS), "-f", "jsonl", "--no-cache").stdout
    assert a == b and len(a) > 1000


# Every command whose result passes through sets or dicts of strings, run in processes with different string hashes
# (Python randomises them per process): the bytes must not depend on the iteration order of a set.
_HASH_SEED_PROGRAM = """
import json, sys
from typer.testing import CliRunner
from dangjian_cli.cli import app
seeds, model = sys.argv[1], sys.argv[2]
commands = [
    ["keywords", seeds], ["keywords", seeds, "-m", "textrank"], ["keywords", seeds, "--scope", "corpus", "-n", "30"],
    ["keywords", seeds, "--keep-script", "--pos", "n,vn"],
    ["keyness", seeds + "/000_4a5ffb8b83af9862.txt", "-r", seeds, "-s", "fightin", "--direction", "both",
     "--min-count", "1"],
    ["slogans", seeds, "--per-doc"], ["slogans", seeds, "--discover"], ["phrases", seeds, "--measure", "pmi"],
    ["phrases", seeds, "--unit", "char", "--measure", "llr"], ["classify", seeds, "--explain"],
    ["similar", "--all", "--corpus", seeds, "--explain"], ["duplicates", seeds, "--passages", "20"],
    ["segment", seeds, "-f", "jsonl"], ["trends", "两学一做", seeds, "--by", "month"], ["kwic", "两学一做", seeds],
    ["train", seeds, "--label-field", "title", "--model", model],
]
runner = CliRunner()
out = {}
for command in commands:
    result = runner.invoke(app, command + ["-f", "tsv"], catch_exceptions=False)
    out[" ".join(command)] = [result.exit_code, result.stdout]
out["model file"] = open(model, "rb").read().hex()
print(json.dumps(out))
"""


def test_output_does_not_depend_on_string_hashing(tmp_path):
    import os

    outputs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, DANGJIAN_CACHE_DIR=str(tmp_path / f"cache{hash_seed}"),
                   PYTHONPATH=os.pathsep.join(sys.path))
        folder = tmp_path / f"run{hash_seed}"
        folder.mkdir()
        p = subprocess.run([sys.executable, "-c", _HASH_SEED_PROGRAM, str(SEEDS), "model.pkl"],
                           capture_output=True, env=env, cwd=folder, timeout=300)
        assert p.returncode == 0, p.stderr.decode()[-2000:]
        outputs.append(json.loads(p.stdout))
    first, second = outputs
    assert all(code == 0 and len(text) > 100 for code, text in (v for k, v in first.items() if k != "model file"))
    for command in first:
        assert first[command] == second[command], command


def test_fast_tsv_lines_are_the_bytes_of_cell_by_cell_writing():
    """tsv_lines writes rows of plain str/int/float with one format call and checks the line; every kind of cell
    that needs escaping or fixing must still come out as the cell-by-cell writer gives it."""
    import itertools
    import math

    from dangjian_cli.output import _tsv_cell, tsv_lines

    cells = ["两学一做", "", "a\tb", "back\\slash", "line\nbreak", "cr\r", "2016-0", "-0", "{0}", "x{}y",
             0, -7, 10**20, True, False, None, 0.0, -0.0, 1.5, -1e-05, 123456789.0, math.nan, math.inf, -math.inf,
             ["a", 1], {"k": "v"}, ("t", 2.5)]
    rows = [tuple(c) for c in itertools.product(cells, repeat=2)]
    rows += [tuple(cells[(i * 7 + j) % len(cells)] for j in range(6)) for i in range(200)] + [()]
    expected = ["\t".join(map(_tsv_cell, row)) for row in rows]
    assert list(tsv_lines(rows)) == expected
    assert "0\t0" in expected  # -0.0 and 0.0 both print 0


def test_tsv_blocks_are_the_bytes_of_tsv_lines():
    """tsv_block formats a block column-wise when each column holds one plain type; a value that needs escaping or
    the -0 fix anywhere in the block must send it back to the row-by-row writer, with the same bytes."""
    import math

    from dangjian_cli.output import tsv_block, tsv_lines

    def by_lines(rows):
        return "".join(line + "\n" for line in tsv_lines(rows))

    strings = ["两学一做", "", "a\tb", "back\\slash", "line\nbreak", "cr\r", "2016-0", "-0", "{0}", "x{}y"]
    numbers = [0, -7, 10**20, 0.0, -0.0, 1.5, -1e-05, 123456789.0, math.nan, math.inf, -math.inf]
    clean = [(f"doc{i}", "题目", i, i / 7) for i in range(50)]
    for s in strings:
        for x in numbers:
            for at in (0, 25, 50):  # the odd row first, in the middle, last
                block = clean[:at] + [(s, "词", 3, x)] + clean[at:]
                assert tsv_block(block) == by_lines(block), (s, x, at)
    assert tsv_block(clean) == by_lines(clean) and tsv_block(clean).count("\n") == 50
    mixed = [("a", 1, 2.5), ("b", 2.5, 1), ("c", True, None), ("d", [1, 2], {"k": "v"})]
    for block in (mixed, [("a", 1), ("b",)], [(), ()], [("only",)], []):
        assert tsv_block(block) == by_lines(block)


def test_row_blocks_are_a_sequence_of_tuples_and_render_as_the_same_rows_would(monkeypatch):
    """RowBlocks (rows kept as blocks of columns) is what per-document keywords return: indexing, slicing, length,
    equality and iteration as a list of tuples; every format renders the bytes the same rows give as a list,
    including cells that send TSV to the cell-by-cell writer, and blocks longer than one TSV write."""
    import math

    import dangjian_cli.output as output
    from dangjian_cli.output import RowBlocks

    first = [["d1", "d1", "d2"], ["题目", "题目", "a\tb"], [1, 2, 1], ["两学一做", "三会一课", "-0"], [0.5, -0.0, 2.0]]
    second = [["d3"], ["题"], [1], [None], [math.nan]]
    rows = RowBlocks([first, [[], [], [], [], []], second])
    as_list = [("d1", "题目", 1, "两学一做", 0.5), ("d1", "题目", 2, "三会一课", -0.0), ("d2", "a\tb", 1, "-0", 2.0),
               ("d3", "题", 1, None, math.nan)]
    assert len(rows) == 4 and len(rows.blocks) == 2  # the empty block is not kept
    assert rows[0] == as_list[0] and rows[3][:4] == as_list[3][:4] and rows[-2] == as_list[2]
    assert rows[1:3] == as_list[1:3] and list(rows)[:3] == as_list[:3]
    assert RowBlocks([first]) == as_list[:3] and RowBlocks() == [] and RowBlocks([first]) != as_list
    with pytest.raises(IndexError):
        rows[4]
    with pytest.raises(ValueError):
        RowBlocks([[["a", "b"], [1]]])
    columns = ["doc_id", "title", "rank", "keyword", "score"]
    for fmt in ("tsv", "csv", "jsonl", "json", "table"):
        assert render_to_string(Table(columns, rows), fmt) == render_to_string(Table(columns, as_list), fmt), fmt
    clean = RowBlocks([[[f"d{i}" for i in range(7)], ["题目"] * 7, list(range(7)), ["词"] * 7, [i / 7 for i in range(7)]]])
    expected = render_to_string(Table(columns, list(clean)), "tsv")
    assert render_to_string(Table(columns, clean), "tsv") == expected and expected.count("\n") == 8
    monkeypatch.setattr(output, "TSV_BLOCK_ROWS", 3)  # a block written in three parts
    assert render_to_string(Table(columns, clean), "tsv") == expected
    assert render_to_string(Table(columns, RowBlocks()), "tsv") == "\t".join(columns) + "\n"


def test_a_table_wider_than_the_terminal_keeps_every_number_whole(monkeypatch):
    """Rich alone cuts every column alike when a table is too wide: keyness's p-value 0.000167671 came out as
    0.0001676 on a 100-column terminal. Numbers, dates and the highlighted column stay whole; text folds."""
    columns = ["term", "target_count", "reference_count", "target_per_10k", "reference_per_10k", "statistic", "p",
               "effect", "direction", "note"]
    rows = [("不忘初心、牢记使命", 62, 0, 229.97, 0, 33.7723, 6.19537e-09, 5.27869, "over", "长的说明" * 6),
            ("新城", 26, 0, 96.4392, 0, 14.1626, 0.000167671, 4.02493, "under", "")]
    for width in (40, 60, 80, 100, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        env = _env(True)
        emit(Table(columns, rows, highlight="term"), "table", None, True, env)
        lines = re.sub(r"\x1b\[[0-9;]*m", "", env.stdout.getvalue()).splitlines()
        # A table's cells, or a block per row (column, two spaces, value) where no table fits.
        cells = [c.strip() for line in lines for c in re.split(r"[│┃]| {2,}", line)]
        for value in ("不忘初心、牢记使命", "62", "229.97", "33.7723", "6.19537e-09", "0.000167671", "4.02493",
                      "under"):
            assert value in cells, (width, value)
        assert max(map(len, lines)) <= width, width  # inside the terminal: nothing wraps, nothing is cut
        if width == 40:  # no table fits: a block per row
            assert "row 1" in env.stdout.getvalue()
        if width == 200:  # room for everything: one line per row, headers whole
            assert "target_count" in cells and "长的说明" * 6 in cells


def _screen(env: Environment) -> list[str]:
    return re.sub(r"\x1b\[[0-9;]*m", "", env.stdout.getvalue()).splitlines()


def test_a_table_too_wide_to_read_is_shown_a_row_at_a_time(monkeypatch):
    """classify --explain on 80 columns: eleven columns left the evidence 6 cells wide, 20-odd lines a row. Such a
    table is shown as a block per row (as psql's expanded display): each column's name, then its value, folded at
    the terminal's edge and never cut."""
    monkeypatch.setenv("COLUMNS", "80")
    evidence = "两学一做×3 title; “两学一做”学习教育×9 first sentence; 基础在学，关键在做×1 first sentence; 四讲四有×1 body"
    columns = ["doc_id", "title", "date", "label", "confidence", "runner_up", "tags", "date_used", "date_fit",
               "evidence"]
    rows = [("000_4a5ffb8b83af9862", "武义县“两学一做”助推创国卫", "", "liangxue_yizuo_2016", 0.7691, "none",
             "chuangwei|environment", "undated", "0.7 undated", evidence),
            ("004_f03987007a3fccd1", "践行两学一做 释放发展动能", "2016-09-02", "liangxue_yizuo_2016", 0.8189, "none",
             "", "2016-09-02", "1 in window 2016-02..2016-12", "两学一做×4 title")]
    env = _env(True)
    emit(Table(columns, rows, title="campaigns", highlight="label"), "table", None, True, env)
    lines = _screen(env)
    assert "┃" not in env.stdout.getvalue() and max(map(len, lines)) <= 80
    assert [line.split()[:2] for line in lines if line.startswith("row ")] == [["row", "1"], ["row", "2"]]
    assert "doc_id      000_4a5ffb8b83af9862" in lines and "confidence  0.7691" in lines and "date" in lines
    # The evidence: its name, then the value folded over the lines below it, whole.
    at = next(k for k, line in enumerate(lines) if line.startswith("evidence"))
    folded = [lines[at][12:]] + [line[12:] for line in lines[at + 1:at + 4] if line.startswith(" " * 12)]
    assert len(folded) > 1 and "".join(folded).replace(" ", "") == evidence.replace(" ", "")
    # --no-header: no row rules; a blank line between the blocks, the column names kept (they say what each is).
    env = _env(True)
    emit(Table(columns, rows, title="campaigns", highlight="label"), "table", None, False, env)
    bare = _screen(env)
    assert not [line for line in bare if line.startswith("row ")] and "confidence  0.7691" in bare
    assert bare == ["" if line.startswith("row 2") else line for line in lines if not line.startswith("row 1")]
    # Where the table fits, it is a table.
    monkeypatch.setenv("COLUMNS", "250")
    env = _env(True)
    emit(Table(columns, rows, title="campaigns", highlight="label"), "table", None, True, env)
    assert "┃" in env.stdout.getvalue() and "row 1" not in env.stdout.getvalue()


def test_the_row_key_is_not_folded_when_another_text_column_can_give_way(monkeypatch):
    """keywords on 80 columns folded the doc_id over two lines (000_4a5ffb8b83af98 / 62) while the title kept 20
    cells: the first identifier column (ASCII, no spaces) is kept whole and the title is shortened instead."""
    monkeypatch.setenv("COLUMNS", "80")
    rows = [(f"00{k}_4a5ffb8b83af9862", "武义县“两学一做”助推创国卫", 1, "两学一做", 0.238126, 12) for k in range(3)]
    env = _env(True)
    emit(Table(["doc_id", "title", "rank", "keyword", "score", "count"], rows, highlight="keyword"), "table", None,
         True, env)
    lines = _screen(env)
    assert max(map(len, lines)) <= 80
    assert sum("002_4a5ffb8b83af9862" in line for line in lines) == 1 and "0.238126" in lines[3]



def test_names_are_not_folded_in_mid_word_and_a_title_keeps_one_line(monkeypatch):
    """classify on 100 columns folded its tags as chuangw / ei|envi / ronment and each two-part title over two lines:
    a column of ASCII names (tags, campaign ids) folds between names, never inside one, the Chinese columns give way
    instead, and a number column's header is whole before a text column gets wider. Where even that does not fit (80
    columns), each row is a block."""
    columns = ["doc_id", "title", "date", "label", "confidence", "runner_up", "tags"]
    rows = [("000_4a5ffb8b83af9862", "武义县“两学一做”助推创国卫", "", "liangxue_yizuo_2016", 0.7691, "none",
             "chuangwei|environment"),
            ("002_f28af7c7846c6d33", "直面民生小事 秀出党建风采", "", "buwang_chuxin_2019", 0.7206, "none",
             "wenming_city")]
    for width in (100, 120):
        monkeypatch.setenv("COLUMNS", str(width))
        env = _env(True)
        emit(Table(columns, rows, title="campaigns", highlight="label"), "table", None, True, env)
        lines = _screen(env)
        body = [line for line in lines if line.startswith("│")]
        assert max(map(len, lines)) <= width and len(body) == 2, (width, lines)  # one line a row
        cells = [c.strip() for line in body for c in line.split("│")]
        assert "chuangwei|environment" in cells and "wenming_city" in cells and "liangxue_yizuo_2016" in cells
        assert any(c.strip() == "confidence" for line in lines for c in line.split("┃")), width
    monkeypatch.setenv("COLUMNS", "80")
    env = _env(True)
    emit(Table(columns, rows, title="campaigns", highlight="label"), "table", None, True, env)
    assert "tags        chuangwei|environment" in _screen(env)
