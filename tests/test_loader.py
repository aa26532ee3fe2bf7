from __future__ import annotations

import gzip
import json
import os

import pytest

from conftest import SEED_IDS, SEEDS, run_cli, run_process, seed
from dangjian_cli.corpus import LoaderOptions, iter_documents, load_documents
from dangjian_cli.errors import DangjianWarning, EmptyCorpusError, InputError, UsageError
from dangjian_cli.metadata import date_from_text, normalize_date
from dangjian_cli.normalize import detect_script, to_simplified


@pytest.fixture(scope="module")
def seeds():
    return {d.id: d for d in load_documents([str(SEEDS)])}


def test_seeds_load_in_order_with_metadata(seeds):
    assert list(seeds) == SEED_IDS
    d4 = seeds["004_f03987007a3fccd1"]
    assert d4.date == "2016-09-02"
    assert d4.source == "人民网-中国共产党新闻网"
    assert d4.title == "践行两学一做 释放发展动能"
    assert seeds["000_4a5ffb8b83af9862"].title == "武义县“两学一做”助推创国卫"
    assert seeds["002_f28af7c7846c6d33"].author == "张孟涛"
    # A bare month and day is not a date.
    assert seeds["002_f28af7c7846c6d33"].date == ""
    assert seeds["001_3dcc71c6bc6fd224"].title == ""  # the first line is a paragraph, not a title


def test_traditional_seed_is_detected_and_converted(seeds):
    d3 = seeds["003_caf6c99ba3fcd165"]
    assert d3.script == "traditional"
    assert "两学一做" in d3.text and "兩學一做" not in d3.text
    assert "兩學一做" in d3.original
    assert d3.title == "匯聚推進跨越發展的強大動力"  # titles are shown as written
    assert all(d.script == "simplified" for k, d in seeds.items() if k != "003_caf6c99ba3fcd165")


def test_debris_is_removed_from_seed_004(seeds):
    text = seeds["004_f03987007a3fccd1"].text
    assert "中国共产党新闻网>>" not in text
    assert "来源" not in text and "10:26" not in text
    assert not text.startswith("中国共产党")
    raw = run_cli("segment", "--keep-boilerplate", "--all", str(seed(4)))
    assert "中国共产党 新闻网 > > 党建" in raw.stdout
    assert "扫一扫" in raw.stdout and "扫一扫" not in text


def test_lines_broken_mid_sentence_are_joined(seeds):
    text = seeds["001_3dcc71c6bc6fd224"].text
    assert "不断增强党组织和党员的政治意识" in text
    assert "各级党组织要把" in text
    assert "与“三会一课”紧密结合，每年" in text
    # Headings stay on their own lines.
    assert "\n写好“学字诀”，党员教育“升级版”\n" in text
    assert "\n义乌市依托“微系列”\n" in seeds["000_4a5ffb8b83af9862"].text


def test_offsets_lead_back_to_the_original(seeds):
    for d in seeds.values():
        converted = to_simplified(d.original) if d.script == "traditional" else d.original
        for i in range(0, len(d.text), 7):
            ch = d.text[i]
            o = d.offsets.to_original(i)
            src = converted[o]
            # Only width, quote and punctuation changes are allowed between the two.
            assert ch == src or ch in "“”‘’，；：？！（）\"" or (ch.isascii() and ch.isalnum()), (d.id, i, ch, src)
    d3 = seeds["003_caf6c99ba3fcd165"]
    i = d3.text.index("两学一做")
    assert d3.original_slice(i, i + 4) == "兩學一做"


@pytest.mark.parametrize("encoding,write", [
    ("gb18030", lambda s: s.encode("gb18030")),
    ("utf-8-sig", lambda s: s.encode("utf-8-sig")),
    ("utf-16", lambda s: s.encode("utf-16")),
    ("utf-16-le", lambda s: s.encode("utf-16-le")),  # no byte order mark, as some exporters write it
    ("utf-16-be", lambda s: s.encode("utf-16-be")),
])
def test_reencoded_seeds_read_back_identical(tmp_path, seeds, encoding, write):
    for n in (0, 1, 2, 4):
        original = seed(n).read_text(encoding="utf-8")
        path = tmp_path / f"{SEED_IDS[n]}.txt"
        path.write_bytes(write(original))
        (doc,) = load_documents([str(path)])
        assert doc.original == original
        assert doc.text == seeds[SEED_IDS[n]].text
        assert doc.encoding == encoding


def test_utf16_without_a_byte_order_mark_and_without_ascii_is_read_too(tmp_path):
    # All Han characters, no line break or digit: no NUL byte tells it from GB18030 or Big5.
    text = "两学一做学习教育在全市党员干部中深入开展"
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        (doc,) = load_documents([str(path)])
        assert (doc.text, doc.encoding) == (text, encoding)


def test_big5_traditional_seed_reads_back_identical(tmp_path, seeds):
    original = seed(3).read_text(encoding="utf-8")
    path = tmp_path / "big5.txt"
    path.write_bytes(original.encode("big5"))
    (doc,) = load_documents([str(path)])
    assert doc.encoding == "big5"
    assert doc.original == original
    assert doc.text == seeds[SEED_IDS[3]].text
    forced = load_documents([str(path)], LoaderOptions(encoding="big5"))[0]
    assert forced.text == doc.text


def test_a_forced_encoding_that_makes_mojibake_is_said(tmp_path, seeds):
    """--encoding is obeyed, but a file it turns into something that is not Chinese gets a warning naming the
    encoding it reads as: plain text, JSON Lines (before any row, with any --jobs), gzip and stdin."""
    original = seed(3).read_text(encoding="utf-8")
    big5 = tmp_path / "big5.txt"
    big5.write_bytes(original.encode("big5"))
    r = run_cli("corpus", "--encoding", "gbk", str(big5))
    assert r.exit_code == 0 and SEED_IDS[3] not in r.stdout  # the file's stem is its id: "big5"
    assert r.stderr == (f"dangjian: warning: {big5}: read as gb18030 (--encoding), the text does not look like "
                        "Chinese (43% of its non-ASCII characters are common Chinese characters or punctuation); "
                        "without --encoding it reads as big5: drop --encoding\n")
    rows = tmp_path / "rows.jsonl"
    text = seed(0).read_text(encoding="utf-8")
    rows.write_text("".join(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n" for i in range(20))
                    + '{"id": "x", "text": ""}\n', encoding="utf-8")
    for jobs in ("1", "2"):
        r = run_cli("corpus", "--encoding", "latin9", "--jobs", jobs, str(rows))
        assert r.exit_code == 0
        first, second = r.stderr.splitlines()
        assert first.startswith(f"dangjian: warning: {rows}: read as iso8859-15 (--encoding), the text does not look")
        assert "(0% of its" in first and first.endswith("without --encoding it reads as utf-8: drop --encoding")
        assert "rows.jsonl:21: empty text" in second
    gz = tmp_path / "rows.jsonl.gz"
    gz.write_bytes(gzip.compress(rows.read_bytes()))
    r = run_cli("corpus", "--encoding", "utf-16", str(gz))
    assert r.exit_code == 1 and "read as utf-16 (--encoding)" in r.stderr.splitlines()[0]
    assert r.stderr.splitlines()[1].endswith("rows.jsonl.gz:1: not valid utf-16; check --encoding")
    r = run_cli("corpus", "--encoding", "latin1", "-", input=text.encode("utf-8"))
    assert "<stdin>: read as iso8859-1 (--encoding)" in r.stderr
    # A right encoding, forced, says nothing; nor does one whose text has no non-ASCII character at all.
    for args in (("--encoding", "big5", str(big5)), ("--encoding", "utf-8", str(rows)), ("--encoding", "latin1",
                                                                                       str(tmp_path / "a.txt"))):
        (tmp_path / "a.txt").write_text("plain ASCII text", encoding="ascii")
        r = run_cli("corpus", *args)
        assert r.exit_code == 0 and "(--encoding)" not in r.stderr, args
    # Python callers get the same as a Python warning.
    with pytest.warns(DangjianWarning, match="read as gb18030"):
        load_documents([str(big5)], LoaderOptions(encoding="gb2312"))
    # One encoding is forced on every file: a folder of them names five, then says once that there are more.
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(8):
        (folder / f"a{i}.txt").write_text(text, encoding="utf-8")
    said = [run_cli("keywords", "--encoding", "latin1", "--jobs", jobs, str(folder)).stderr for jobs in ("1", "2")]
    assert said[0] == said[1]
    lines = said[0].splitlines()
    assert len(lines) == 6 and all(f"a{i}.txt: read as iso8859-1 (--encoding)" in lines[i] for i in range(5))
    assert lines[5] == (f"dangjian: warning: {folder / 'a5.txt'} and maybe more files: read as iso8859-1 (--encoding), "
                        "the text does not look like Chinese either; they are not named")


def test_a_stray_utf16_bom_before_utf8_text_is_an_error_not_mojibake(tmp_path):
    # UTF-8 bytes decode as UTF-16 without any error (into rare CJK characters): the BOM alone cannot be trusted.
    text = seed(0).read_text(encoding="utf-8")
    stray = tmp_path / "stray.txt"
    stray.write_bytes(b"\xff\xfe" + text.encode("utf-8"))
    r = run_cli("corpus", str(stray))
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith(f"dangjian: error: {stray}: has a UTF-16 BOM, but read as UTF-16 its text is not "
                               "Chinese") and len(r.stderr.splitlines()) == 1
    real = tmp_path / "real.txt"
    real.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    assert load_documents([str(real)])[0].encoding == "utf-16"


def test_gb18030_is_not_mistaken_for_big5(tmp_path):
    path = tmp_path / "gb.txt"
    path.write_bytes(seed(2).read_text(encoding="utf-8").encode("gbk"))
    assert load_documents([str(path)])[0].encoding == "gb18030"


def test_structured_inputs(tmp_path):
    text0 = seed(0).read_text(encoding="utf-8")
    rows = [{"doc_id": "a1", "headline": "标题一", "pubdate": "2016/9/2 10:00", "content": text0, "province": "浙江"},
            {"doc_id": "a2", "headline": "标题二", "pubdate": "2019年11月", "content": "推进“不忘初心、牢记使命”主题教育。",
             "province": "四川"}]
    jl = tmp_path / "x.jsonl"
    jl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    docs = load_documents([str(jl)])
    assert [d.id for d in docs] == ["a1", "a2"]
    assert docs[0].title == "标题一" and docs[0].date == "2016-09-02" and docs[1].date == "2019-11"
    assert docs[0].fields == {"province": "浙江"}
    assert docs[0].get("province") == "浙江" and docs[1].get("year") == "2019"
    js = tmp_path / "x.json"
    js.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    assert [d.text for d in load_documents([str(js)])] == [d.text for d in docs]
    import csv

    for ext, delim in ((".csv", ","), (".tsv", "\t")):
        p = tmp_path / f"x{ext}"
        with p.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delim)
            w.writeheader()
            w.writerows(rows)
        assert [d.text for d in load_documents([str(p)])] == [d.text for d in docs]
    named = tmp_path / "named.jsonl"
    named.write_text(json.dumps({"k": "x", "wenben": "党史学习教育"}, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="--text-field"):
        load_documents([str(named)])
    assert load_documents([str(named)], LoaderOptions(text_field="wenben", id_field="k"))[0].id == "x"


def test_folders_globs_and_stdin(tmp_path):
    assert len(load_documents([str(SEEDS / "00[0-2]*.txt")])) == 3
    r = run_cli("corpus", "-", input=seed(4).read_bytes())
    assert r.exit_code == 0 and "stdin\t践行两学一做 释放发展动能\t2016-09-02" in r.stdout
    lines = "\n".join(json.dumps({"id": f"s{i}", "text": f"第{i}篇：两学一做"}, ensure_ascii=False) for i in range(3))
    r = run_cli("corpus", "-", input=lines.encode())
    assert [ln.split("\t")[0] for ln in r.stdout.splitlines()[1:]] == ["s0", "s1", "s2"]


def test_documents_that_are_not_text_are_named_with_what_to_do(tmp_path):
    # What researchers are sent: a PDF, a spreadsheet saved under a text name, a JSON Lines dump gzipped in place.
    pdf = tmp_path / "report.txt"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02")
    sheet = tmp_path / "items.csv"
    sheet.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(32)) * 8)
    dump = tmp_path / "items.jsonl"
    dump.write_bytes(gzip.compress(json.dumps({"id": "a", "text": "两学一做学习教育"}).encode() * 40))
    for path, said in [(pdf, "is a PDF file, not text; copy its text out into a .txt file (pdftotext does)"),
                       (sheet, "is a ZIP archive (a .docx, .xlsx or .zip file), not text; save it as UTF-8 text"),
                       (dump, "is gzip-compressed, not text; name it with .gz at the end")]:
        for jobs in ("1", "2"):
            r = run_cli("corpus", str(path), "-j", jobs)
            assert r.exit_code == 1 and r.stdout == "", r.stderr
            assert r.stderr.startswith(f"dangjian: error: {path}: {said}") and len(r.stderr.splitlines()) == 1
            assert r.stderr.endswith("--skip-errors to skip it\n")
    # Skipped whole, with one warning, not line by line.
    r = run_cli("corpus", str(dump), str(seed(0)), "--skip-errors")
    assert r.exit_code == 0 and r.stderr == f"dangjian: warning: {dump}: is gzip-compressed, not text; skipped\n"


def test_errors_are_one_line_with_status(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    fifo = None
    if hasattr(os, "mkfifo"):  # a named pipe, as `<(zcat …)` gives, is refused with advice
        fifo = tmp_path / "pipe.jsonl"
        os.mkfifo(fifo)
    for args, fragment in (([str(empty)], "file is empty"), ([str(binary)], "binary"),
                           ([str(tmp_path / "missing.txt")], "no such file or folder"),
                           *([([str(fifo)], "is not a regular file (a pipe or a device)")] if fifo else [])):
        r = run_cli("corpus", *args)
        assert r.exit_code == 1
        assert r.stdout == ""
        assert len(r.stderr.strip().splitlines()) == 1 and fragment in r.stderr
        assert r.stderr.startswith("dangjian: error: ")
    r = run_cli("corpus", "--skip-errors", str(binary), str(seed(0)))
    assert r.exit_code == 0 and SEED_IDS[0] in r.stdout and "skipped" in r.stderr
    r = run_cli("corpus", "--encoding", "klingon", str(seed(0)))
    assert r.exit_code == 2 and "unknown encoding" in r.stderr
    gb = tmp_path / "gb.txt"
    gb.write_bytes(seed(0).read_text(encoding="utf-8").encode("gb18030"))
    r = run_cli("corpus", "--encoding", "utf-8", str(gb))
    assert r.exit_code == 1 and "not valid utf-8" in r.stderr and "--encoding" in r.stderr
    with pytest.raises(EmptyCorpusError):
        load_documents([str(empty)], LoaderOptions(skip_errors=True), warn=lambda m: None)
    with pytest.raises(UsageError):
        LoaderOptions(encoding="nope")


def _rows(n: int) -> bytes:
    text = seed(0).read_text(encoding="utf-8")
    return b"".join(json.dumps({"id": f"r{i:03d}", "text": f"第{i}条。{text}"}, ensure_ascii=False).encode() + b"\n"
                    for i in range(n))


def test_damaged_or_mislabelled_gzip_is_one_line_or_skipped(tmp_path):
    """A .gz that is not gzip, gzip data cut short (a download stopped half way) or damaged: one line saying which
    and what to do, never a traceback; with --skip-errors a warning, and of a file cut short the rows before the cut
    are kept, and said to be only part of it."""
    import gzip

    fake = tmp_path / "fake.jsonl.gz"
    fake.write_bytes(_rows(3))
    packed = gzip.compress(_rows(300))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    damaged = tmp_path / "damaged.txt.gz"
    whole = bytearray(gzip.compress(seed(0).read_bytes()))
    whole[len(whole) // 2: len(whole) // 2 + 40] = bytes(40)
    damaged.write_bytes(bytes(whole))
    for path, says in ((fake, "not a gzip file, though its name ends in .gz; rename it, or compress it with gzip"),
                       (cut, "its gzip data is damaged or cut short after line "),
                       (damaged, "its gzip data is damaged or cut short; compress the file again")):
        r = run_cli("corpus", str(path))
        assert r.exit_code == 1 and r.stdout == "", r.stderr
        assert r.stderr.startswith(f"dangjian: error: {path}: {says}") and len(r.stderr.splitlines()) == 1
        assert r.stderr.rstrip().endswith("or pass --skip-errors to skip it")
    r = run_cli("corpus", "--skip-errors", str(fake), str(cut), str(damaged), str(seed(1)))
    assert r.exit_code == 0
    warnings = r.stderr.splitlines()
    assert warnings[0] == f"dangjian: warning: {fake}: not a gzip file, though its name ends in .gz; skipped"
    kept = int(warnings[1].split("after line ")[1].split(";")[0])
    assert 0 < kept < 300
    assert warnings[1] == (f"dangjian: warning: {cut}: its gzip data is damaged or cut short after line {kept}; "
                           "the rest of it skipped")
    assert warnings[2] == f"dangjian: warning: {damaged}: its gzip data is damaged or cut short; skipped"
    ids = [line.split("\t")[0] for line in r.stdout.splitlines()[1:]]
    assert ids == [f"r{i:03d}" for i in range(kept)] + [SEED_IDS[1]]


def test_a_bad_json_line_is_an_error_or_with_skip_errors_only_that_line_skipped(tmp_path):
    jl = tmp_path / "rows.jsonl"
    jl.write_text('{"id": "a", "text": "两学一做学习教育"}\n{"id": "b", "text": \n[1, 2]\n'
                  '{"id": "c", "text": "党史学习教育"}\n', encoding="utf-8")
    r = run_cli("corpus", str(jl))
    assert r.exit_code == 1
    assert r.stderr == f"dangjian: error: {jl}:2: not valid JSON (Expecting value); fix that line\n"
    said: list[str] = []
    docs = load_documents([str(jl)], LoaderOptions(skip_errors=True), warn=said.append)
    assert [d.id for d in docs] == ["a", "c"]
    assert said == [f"{jl}:2: not valid JSON (Expecting value); skipped", f"{jl}:3: line is not a JSON object; skipped"]
    r = run_cli("corpus", "--skip-errors", str(jl), "--jobs", "2")
    assert r.exit_code == 0 and [line.split("\t")[0] for line in r.stdout.splitlines()] == ["id", "a", "c"]
    # A record split by a raw line break in its text: the decoder's "Invalid control character at" said plainly.
    split = tmp_path / "split.jsonl"
    split.write_text('{"id": "a", "text": "两学一做\n学习教育"}\n', encoding="utf-8")
    r = run_cli("corpus", str(split))
    assert r.exit_code == 1 and r.stderr == (f"dangjian: error: {split}:1: not valid JSON (a raw control character "
                                             "inside a string: a record split over two lines?); fix that line\n")


def test_half_of_a_surrogate_pair_in_json_becomes_a_replacement_character_with_a_notice(tmp_path):
    """Scrapers cut text between the two halves of an emoji: JSON then holds a lone \\ud83d, which Python reads
    but cannot write as UTF-8. Each becomes U+FFFD (one character for one, so offsets hold), said once a row; a
    whole pair stays the emoji. Rows, JSON files and stdin alike."""
    row1 = '{"id": "s1", "title": "标题\\ud83d", "text": "两学一做\\ud800学习教育", "tags": ["\\udfff"]}'
    row2 = '{"id": "s2", "text": "党史学习教育\\ud83d\\ude00"}'
    jl = tmp_path / "rows.jsonl"
    jl.write_text(f"{row1}\n{row2}\n", encoding="utf-8")
    js = tmp_path / "rows.json"
    js.write_text(f"[{row1}, {row2}]", encoding="utf-8")
    notice = "half of a UTF-16 surrogate pair (a \\ud800-\\udfff escape standing alone) replaced by U+FFFD"
    for path in (jl, js):
        said: list[str] = []
        docs = load_documents([str(path)], warn=said.append)
        assert [d.text for d in docs] == ["两学一做\ufffd学习教育", "党史学习教育\U0001f600"]
        assert docs[0].title == "标题\ufffd" and docs[0].fields == {"tags": ["\ufffd"]}
        assert said == [f"{path}:1: {notice}"]
    r = run_process("kwic", "两学一做", str(jl), "-w", "2")
    assert r.returncode == 0 and r.stderr.decode() == f"dangjian: warning: {jl}:1: {notice}\n"
    assert r.stdout.decode().splitlines()[1].split("\t")[3:] == ["", "两学一做", "\ufffd学"]
    r = run_process("corpus", "-", input=f"{row1}\n{row2}\n".encode())
    assert r.returncode == 0 and r.stderr.decode() == f"dangjian: warning: <stdin>:1: {notice}\n"


def test_csv_mistakes_that_would_cut_or_swallow_text_are_said(tmp_path):
    """Rows are numbered by the line they start on; a field longer than csv's default limit is read; a comma in
    unquoted text (more values than columns) and a quotation mark never closed (the rest of the file one field) are
    errors, or with --skip-errors that row (or the rest) skipped, never text silently cut or swallowed."""
    long_text = "两学一做学习教育。" * 20_000  # 180,000 characters: above csv's default limit of 131,072
    table = tmp_path / "rows.csv"
    table.write_text(f'id,text,date\na,"第一段\n第二段",2016年4月\nb,,2016\nc,{long_text},2016\n', encoding="utf-8")
    said: list[str] = []
    docs = load_documents([str(table)], warn=said.append)
    assert [(d.id, d.date, len(d.original)) for d in docs] == [("a", "2016-04", 7), ("c", "2016", 180_000)]
    assert said == [f"{table}:4: empty text; skipped"]  # line 4: row a takes lines 2 and 3
    comma = tmp_path / "comma.csv"
    comma.write_text("id,text\na,两学一做,在全党开展\nb,党史学习教育\n", encoding="utf-8")
    unclosed = tmp_path / "unclosed.tsv"
    unclosed.write_text('id\ttext\na\t两学一做\nb\t"党史学习教育\nc\t主题教育\n', encoding="utf-8")
    for path, says in ((comma, "comma.csv:2: 3 values for 2 columns (a comma in text that is not quoted?); quote "
                               "that field, or pass --skip-errors to skip the row"),
                       (unclosed, "unclosed.tsv:3: a quotation mark in this row is never closed, so the rest of the "
                                  "file would be one field; close it, or pass --skip-errors to skip the rest")):
        r = run_cli("corpus", str(path))
        assert r.exit_code == 1 and r.stderr == f"dangjian: error: {tmp_path}/{says}\n"
    said = []
    docs = load_documents([str(comma), str(unclosed)], LoaderOptions(skip_errors=True), warn=said.append)
    assert [d.id for d in docs] == ["b", "a"]
    assert said == [f"{comma}:2: 3 values for 2 columns (a comma in text that is not quoted?); skipped",
                    f"{unclosed}:3: a quotation mark in this row is never closed, so the rest of the file would be "
                    "one field; the rest of it skipped"]


def test_columns_that_share_a_name_are_said(tmp_path):
    # An export with two 'text' columns: a row keeps the last, so the first column's text is not read.
    table = tmp_path / "twice.csv"
    table.write_text("id,text,title,text,title\n1,党支部组织学习,题一,两学一做学习教育,题二\n", encoding="utf-8")
    said: list[str] = []
    docs = load_documents([str(table)], warn=said.append)
    assert [(d.id, d.title, d.text) for d in docs] == [("1", "题二", "两学一做学习教育")]
    assert said == [f"{table}: the header names 2 columns 'text' (columns 2, 4); only the last is read: rename the "
                    "others to read them",
                    f"{table}: the header names 2 columns 'title' (columns 3, 5); only the last is read: rename the "
                    "others to read them"]


def test_a_text_field_that_is_not_a_string(tmp_path):
    """A list of paragraphs (how many scrapers store an article) is the article, one paragraph a line; a number is
    its digits; an object or true/false is no text: the row is skipped with a warning. Never Python's repr."""
    jl = tmp_path / "rows.jsonl"
    jl.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in (
        {"id": "p", "text": ["两学一做学习教育在全党开展。", None, "党员干部积极参与。"]},
        {"id": 7, "text": 2016, "title": ["主标题", "副标题"], "source": {"name": "人民网"}, "author": None,
         "tags": ["党建", "基层"], "flag": True},
        {"id": "o", "text": {"body": "两学一做"}},
        {"id": "b", "text": True},
        {"id": "l", "text": ["两学一做", {"p": 1}]})) + "\n", encoding="utf-8")
    said: list[str] = []
    docs = load_documents([str(jl)], warn=said.append)
    assert [(d.id, d.original) for d in docs] == [("p", "两学一做学习教育在全党开展。\n党员干部积极参与。"), ("7", "2016")]
    # Metadata that is not a string: a list of texts joined, anything else as JSON writes it.
    assert (docs[1].title, docs[1].source, docs[1].author) == ("主标题 副标题", '{"name": "人民网"}', "")
    assert (docs[1].get("tags"), docs[1].get("flag"), docs[0].get("tags")) == ("党建 基层", "true", "")  # --group-by
    assert said == [f"{jl}:3: text field 'text' is an object, not text; skipped",
                    f"{jl}:4: text field 'text' is true or false, not text; skipped",
                    f"{jl}:5: text field 'text' is a list holding more than text, not text; skipped"]


def test_a_term_that_is_not_utf8_is_a_usage_error():
    """A terminal not set to UTF-8 gives Python the term's bytes as lone surrogates (PEP 383): said, not a crash."""
    for args in (["kwic", "\udcff", str(seed(0))], ["trends", "两\udcff", str(seed(0))],
                 ["similar", "--text", "\udcff"]):
        r = run_process(*args)
        assert r.returncode == 2 and r.stdout == b""
        assert r.stderr.decode().startswith("dangjian: error: ") and "is not UTF-8 text; set the terminal to " \
            "UTF-8" in r.stderr.decode() and len(r.stderr.splitlines()) == 1, r.stderr
    r = run_cli("similar", "--text", " ")
    assert r.exit_code == 2 and r.stderr == ("dangjian: error: --text is empty; give the text to search with, or a "
                                             "file or - as QUERY\n")


def test_dates():
    assert normalize_date("2016-09-02") == "2016-09-02"
    assert normalize_date("2016年9月2日") == "2016-09-02"
    assert normalize_date("20160902") == "2016-09-02"
    assert normalize_date("2025") == "2025"
    assert normalize_date("2019-11") == "2019-11"
    assert normalize_date("2019-13-01") == "" and normalize_date("昨天") == ""
    # A year alone with 年, a day with 号, a weekday after the date, and the Chinese numerals documents are signed
    # with; a malformed numeral or an impossible date is no date.
    assert normalize_date("2021年") == "2021" and normalize_date("2019年10月31号") == "2019-10-31"
    assert normalize_date("2019-11-06（星期三）") == normalize_date("2019年11月6日 星期三") == "2019-11-06"
    assert normalize_date("二〇一九年十一月六日") == "2019-11-06" and normalize_date("二○一六年九月二日") == "2016-09-02"
    assert normalize_date("二〇一九年十月二十六日") == "2019-10-26" and normalize_date("二〇二一年七月") == "2021-07"
    assert normalize_date("二〇二一年") == "2021"
    for bad in ("二〇一九年十三月六日", "二〇一九年二月三十日", "二〇一九年一十月六日", "二〇一九年十二十月", "2019-1106"):
        assert normalize_date(bad) == "", bad
    assert date_from_text("标题\n2016年09月02日10:26    来源:人民网\n正文") == "2016-09-02"
    assert date_from_text("11月6日，北白象镇召开") == ""
    assert date_from_text("（2016年12月31日）\n正文") == "2016-12-31"  # a line that is only a date
    assert date_from_text("标题\n发布时间：2020-05-01\n正文") == "2020-05-01"
    # A date inside a sentence is an event's, often years before the report: no date rather than a wrong one.
    assert date_from_text("2011年3月25日，用优秀共产党员做标签的微博开通。") == ""
    assert date_from_text("本规定自2019年1月1日起施行。此前发布的有关规定同时废止") == ""


def test_unix_times_are_dates_in_china_standard_time(tmp_path):
    # 1465920000 is 2016-06-14 16:00 UTC, midnight of the 15th in Beijing: the date a reader there saw.
    assert normalize_date(1465920000) == normalize_date("1465920000") == "2016-06-15"
    assert normalize_date(1465919999) == "2016-06-14"
    assert normalize_date(1465920000123) == normalize_date(1465920000.5) == "2016-06-15"  # milliseconds; a float
    assert normalize_date(123456789) == normalize_date(9999999999) == ""  # 9 digits; past 2100
    rows = tmp_path / "stamps.jsonl"
    rows.write_text('{"id": "a", "publish_time": 1465920000, "text": "党史学习教育。"}\n'
                    '{"id": "b", "publish_time": 1466006399999, "text": "两学一做学习教育。"}\n', encoding="utf-8")
    r = run_cli("corpus", str(rows))
    assert r.exit_code == 0 and r.stderr == ""
    assert [line.split("\t")[2] for line in r.stdout.splitlines()[1:]] == ["2016-06-15", "2016-06-15"]


def test_script_detection():
    assert detect_script(seed(3).read_text(encoding="utf-8")) == "traditional"
    assert detect_script("乾隆年间，他们推进两学一做学习教育") == "simplified"


def test_iteration_streams(tmp_path):
    # A generator: documents come one by one, nothing is read before it is asked for.
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as fh:
        for i in range(2000):
            fh.write(json.dumps({"id": i, "text": "两学一做" * 5}, ensure_ascii=False) + "\n")
        fh.write("{not json\n")
    it = iter_documents([str(big)])
    first = next(it)
    assert first.id == "0"
    with pytest.raises(InputError, match=r"big.jsonl:2001"):
        for _ in it:
            pass


def test_rows_of_one_file_may_have_different_fields(tmp_path):
    """Which field is the text, title or date is decided once per set of field names, so rows that differ in their
    fields each get their own."""
    rows = [{"id": "a", "title": "甲", "text": "党史学习教育。"},
            {"id": "b", "content": "两学一做学习教育。", "date": "2016-05-01"},
            {"text": "主题教育。", "title": "丙", "province": "浙江"},
            {"id": "d", "title": "丁", "text": "  "},
            {"id": "e", "title": "戊", "text": "不忘初心、牢记使命。"}]
    jl = tmp_path / "mixed.jsonl"
    jl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    warnings: list[str] = []
    docs = load_documents([str(jl)], warn=warnings.append)
    assert [(d.id, d.title, d.date, d.text, d.fields) for d in docs] == [
        ("a", "甲", "", "党史学习教育。", {}),
        ("b", "", "2016-05-01", "两学一做学习教育。", {}),
        ("mixed:3", "丙", "", "主题教育。", {"province": "浙江"}),
        ("e", "戊", "", "不忘初心、牢记使命。", {})]
    assert warnings == [f"{jl}:4: empty text; skipped"]


def test_library_warns_through_python_warnings_without_a_callback(tmp_path):
    """Without a ``warn`` callback the library does not print: a skipped row is a DangjianWarning a script can
    filter or turn into an error."""
    import warnings


    jl = tmp_path / "rows.jsonl"
    jl.write_text('{"id": "a", "text": "党史学习教育。"}\n{"id": "b", "text": ""}\n', encoding="utf-8")
    with pytest.warns(DangjianWarning, match=r"rows.jsonl:2: empty text; skipped"):
        docs = load_documents([str(jl)])
    assert [d.id for d in docs] == ["a"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DangjianWarning)
        with pytest.raises(DangjianWarning):
            load_documents([str(jl)])


def test_debris_lines_inline_debris_and_tail_are_removed_with_offsets():
    """Debris lines go with their line break, inline debris inside a kept line, and everything from a tail line
    ("相关新闻：") on; the first and the last line (no line break after it) are tested like any other."""
    from dangjian_cli.normalize import load_boilerplate, normalize

    raw = ("两学一做学习教育在全市展开。\n责任编辑：张三\n各级党组织认真学习党章党规（责编：李四）并召开专题会议。\n  \n"
           "相关新闻：\n不该出现的链接文字")
    n = normalize(raw, load_boilerplate())
    assert n.text == "两学一做学习教育在全市展开。\n各级党组织认真学习党章党规并召开专题会议。"
    assert raw[n.offsets.to_original(15):].startswith("各级党组织")
    assert raw[n.offsets.to_original(28):].startswith("并召开专题会议")
    assert normalize("分享到：微博 微信\n正文一段。", load_boilerplate()).text == "正文一段。"
    assert normalize("正文。\n图：党员学习现场", load_boilerplate()).text == "正文。"


def test_html_markup_in_scraped_text_is_removed_with_offsets_kept(tmp_path):
    from dangjian_cli.normalize import load_boilerplate, normalize

    raw = ('<p style="text-align:center">&nbsp;自&ldquo;两学一做&rdquo;学习教育开展以来<br/>党员干部积极参与</p>'
           "<script>var 两学一做 = 1;</script><!-- 两学一做 --><p>R&D 与 a<b 不是标签&#65292;"
           "&#x4E24;学一做&amp;《人民日报》&bogus;</p>")
    n = normalize(raw, load_boilerplate())
    assert n.text == ("自“两学一做”学习教育开展以来\n党员干部积极参与\n"
                      "R&D 与 a<b 不是标签，两学一做&《人民日报》&bogus;")
    # Every kept character maps back to the one it came from (a reference to its "&").
    for i, char in enumerate(n.text):
        o = n.offsets.to_original(i)
        assert raw[o] == char or raw[o] in "&<", (i, char, raw[o:o + 8])
    at = n.text.index("两学一做")
    assert raw[n.offsets.to_original(at):].startswith("两学一做&rdquo;")
    # Through the loader: a JSON Lines dump with markup in its text, and an HTML page with its title.
    dump = tmp_path / "items.jsonl"
    dump.write_text(json.dumps({"id": "a", "title": "<b>两学一做</b>&nbsp;在行动", "text": raw}, ensure_ascii=False)
                    + "\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>践行<b>两学一做</b> 释放动能</title><style>p {color: red}</style></head>"
                    "<body><div>首页 &gt; 党建</div><p>空港新城强化基层党组织建设。</p></body></html>",
                    encoding="utf-8")
    r = run_cli("segment", str(dump), str(page))
    assert r.exit_code == 0 and r.stdout.splitlines()[1:] == [
        "a\t两学一做 党员干部 积极参与 标签 两学一做 人民日报 bogus",
        "page\t践行 两学一做 释放 动能 空港 新城 基层党组织"]  # 首页 > 党建: a breadcrumb, debris
    assert [d.title for d in load_documents([str(dump), str(page)])] == ["两学一做 在行动", "践行两学一做 释放动能"]


def test_many_empty_rows_are_said_five_times_then_summed_up(tmp_path):
    """On the command line a file's rows with the same warning are said five times, then counted in one line at the
    end (before an error, which stays the last line); --all-warnings says each; the library still gets every one."""
    rows = [{"id": f"e{i}", "text": ""} for i in range(8)] + [{"id": "a", "text": "党史学习教育。"}]
    jl = tmp_path / "rows.jsonl"
    jl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    said = run_process("corpus", str(jl)).stderr.decode().splitlines()
    assert said == [f"dangjian: warning: {jl}:{n}: empty text; skipped" for n in range(1, 6)] + [
        f"dangjian: warning: {jl}: 3 more rows like that (empty text; skipped), 8 in all; --all-warnings says each"]
    every = run_cli("corpus", str(jl), "--all-warnings").stderr.splitlines()
    assert every == [f"dangjian: warning: {jl}:{n}: empty text; skipped" for n in range(1, 9)]
    assert run_cli("corpus", str(jl), "-q").stderr == ""
    (tmp_path / "z.jsonl").write_text("{broken\n", encoding="utf-8")
    failing = run_cli("corpus", str(jl), str(tmp_path / "z.jsonl")).stderr.splitlines()
    assert len(failing) == 7
    assert failing[5].endswith("8 in all; --all-warnings says each") and failing[6].startswith("dangjian: error: ")
    warnings: list[str] = []
    load_documents([str(jl)], warn=warnings.append)
    assert len(warnings) == 8


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_date_field_that_is_not_a_date_is_said_and_the_document_kept(tmp_path, jobs):
    # 300 rows: with 2 jobs the JSON lines are parsed in worker processes, and their warnings come back in order.
    dates = ["2016-13-01", "03/05/2016", "2016-05-04", "March 5, 2016"]
    rows = [{"id": f"r{i}", "text": "党史学习教育。", "date": dates[i % 4]} for i in range(300)]
    jl = tmp_path / "dates.jsonl"
    jl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = run_cli("corpus", str(jl), "-j", jobs, "-f", "jsonl")
    assert r.exit_code == 0
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(docs) == 300 and [d["date"] for d in docs[:4]] == ["", "", "2016-05-04", ""]
    said = "date not understood, so the document is undated; write dates as YYYY-MM-DD, YYYY-MM, YYYY, YYYYMMDD or " \
           "2016年3月5日"
    assert r.stderr.splitlines() == [f"dangjian: warning: {jl}:{n}: {said}" for n in (1, 2, 4, 5, 6)] + [
        f"dangjian: warning: {jl}: 220 more rows like that ({said}), 225 in all; --all-warnings says each"]
    table = tmp_path / "dates.csv"
    table.write_text("id,text,date\na,党史学习教育。,2021年7月1日\nb,党史学习教育。,7/1/21\n", encoding="utf-8")
    warnings: list[str] = []
    docs = load_documents([str(table)], warn=warnings.append)
    assert [d.date for d in docs] == ["2021-07-01", ""] and warnings == [f"{table}:3: {said}"]


def test_a_file_named_twice_is_read_once_with_a_warning():
    # By its folder and by its own path (and a second spelling of the path): its document once, not three times.
    r = run_cli("corpus", str(SEEDS), str(seed(0)), os.path.join(str(SEEDS), ".", os.path.basename(seed(0))))
    assert r.exit_code == 0
    assert [line.split("\t")[0] for line in r.stdout.splitlines()[1:]] == SEED_IDS
    assert r.stderr.strip() == (f"dangjian: warning: 2 files are named more than once in the paths given ({seed(0)}, "
                                f"{os.path.join(str(SEEDS), '.', os.path.basename(seed(0)))}); each file is read once")



def test_field_options_given_with_plain_text_files_only_are_said_to_be_unused(tmp_path):
    r = run_cli("corpus", str(SEEDS), "--text-field", "body", "--date-field", "published")
    assert r.exit_code == 0 and [line.split("\t")[0] for line in r.stdout.splitlines()[1:]] == SEED_IDS
    assert r.stderr == ("dangjian: warning: --text-field, --date-field are not used: the input is plain text, which "
                        "has no fields (they name columns of JSONL, JSON, CSV or TSV files)\n")
    # With a table among the inputs, the option names its column: no warning.
    table = tmp_path / "t.csv"
    table.write_text("body,published\n两学一做学习教育在全市展开。,2016-05-01\n", encoding="utf-8")
    warnings: list[str] = []
    docs = load_documents([str(seed(0)), str(table)], LoaderOptions(text_field="body", date_field="published"),
                          warn=warnings.append)
    assert warnings == [] and docs[1].date == "2016-05-01"


SHARED_ID_WARNING = ("dangjian: warning: 1 id names more than one document (first: 'a', 2 documents), so their rows "
                     "cannot be told apart: give each document its own id (--id-field), or drop repeated articles "
                     "('dangjian duplicates' finds them)")


@pytest.fixture()
def shared_id(tmp_path):
    """Three seeds as JSON Lines, the first two under one id (a scraped dump with an article saved twice)."""
    path = tmp_path / "ids.jsonl"
    rows = [{"id": ident, "date": "2016-06-01", "text": seed(n).read_text(encoding="utf-8")}
            for n, ident in ((0, "a"), (1, "a"), (3, "b"))]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["corpus"], ["segment"], ["kwic", "两学一做"], ["classify"], ["duplicates"],
                                     ["slogans", "--per-doc"], ["keywords"], ["similar", "--all", "--corpus"]])
def test_rows_that_name_documents_by_an_id_two_share_are_warned_about(shared_id, command):
    r = run_cli(*command, str(shared_id))
    assert r.exit_code == 0
    assert r.stderr.strip() == SHARED_ID_WARNING


@pytest.mark.parametrize("command", [["corpus", "--summary"], ["slogans"], ["keywords", "--group-by", "year"],
                                     ["keywords", "--scope", "corpus"], ["trends", "两学一做"]])
def test_totals_do_not_name_documents_so_a_shared_id_is_not_warned_about(shared_id, command):
    r = run_cli(*command, str(shared_id))
    assert r.exit_code == 0 and r.stderr == ""


def test_a_shared_id_is_warned_about_from_the_matrix_cache_too(shared_id):
    # keywords checks the matrix's rows, so a run the cache serves (after one that did not need the check) says it.
    assert run_cli("keywords", str(shared_id), "--group-by", "year").stderr == ""
    warm = run_cli("keywords", str(shared_id))
    assert warm.exit_code == 0 and warm.stderr.strip() == SHARED_ID_WARNING


def test_the_library_warns_about_shared_ids_without_a_callback(shared_id):
    from dangjian_cli.classify import classify, load_campaigns
    from dangjian_cli.corpus import IdTally

    docs = load_documents([str(shared_id)])
    with pytest.warns(DangjianWarning, match="1 id names more than one document"):
        assert [row.doc_id for row in classify(docs, load_campaigns())] == ["a", "a", "b"]
    tally = IdTally(["x", "y", "x", "z", "y", "x"])
    assert tally.shared == {"x": 3, "y": 2}
    assert tally.warning().startswith("2 ids name more than one document (first: 'x', 3 documents)")
    assert IdTally(["x", "y"]).warning() is None


def test_stdin_named_twice_is_read_once_with_a_warning():
    r = run_cli("corpus", "-", "-", input=seed(0).read_bytes())
    assert r.exit_code == 0
    assert [line.split("\t")[0] for line in r.stdout.splitlines()[1:]] == ["stdin"]
    assert r.stderr.strip() == ("dangjian: warning: 1 file is named more than once in the paths given (-); each file "
                                "is read once")


# -- --since / --until ---------------------------------------------------------------------------------------------
def test_a_date_range_compares_at_the_coarser_precision():
    from dangjian_cli.corpus import DateRange

    june_on = DateRange(since="2019-06")
    assert [june_on.admits(d) for d in ("2019-05-31", "2019-06-01", "2019", "2018", "2020-01", "")] == \
        [False, True, True, False, True, False]  # a year-only date may be from June on; no date is never in
    to_2019 = DateRange(until="2019")
    assert [to_2019.admits(d) for d in ("2019-12-31", "2020-01-01", "2019-06", "1954")] == [True, False, True, True]
    day = DateRange("2019-11-06", "2019-11-06")
    assert [day.admits(d) for d in ("2019-11-06", "2019-11-05", "2019-11", "2019")] == [True, False, True, True]
    assert str(DateRange("2019", "2020-06")) == "--since 2019 --until 2020-06"


def test_date_bounds_are_normalised_and_checked():
    assert LoaderOptions(since="2019/6", until="2020年1月").dates.__dict__ == {"since": "2019-06", "until": "2020-01"}
    assert LoaderOptions().dates is None
    for since, until in (("2019-13", None), ("yesterday", None), ("2020", "2019-12")):
        with pytest.raises(UsageError):
            LoaderOptions(since=since, until=until)


@pytest.fixture()
def dated(tmp_path):
    """Six articles: four dated (a year only, a month, two days), two without a date."""
    rows = [("a", "2015"), ("b", "2016-03"), ("c", "2019-11-06"), ("d", "2019-12-31"), ("e", ""), ("f", None)]
    topics = ["推进“两学一做”学习教育常态化制度化", "扎实开展主题教育"]
    path = tmp_path / "dated.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, (doc_id, date) in enumerate(rows):
            row = {"id": doc_id, "text": f"{topics[i // 2 % 2]}，助力乡村振兴。" + "党支部书记带头讲党课。" * (i % 2)}
            if date is not None:
                row["date"] = date
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


@pytest.mark.parametrize("args, ids", [
    (["--since", "2016"], "bcd"),
    (["--until", "2016-03"], "ab"),
    (["--since", "2019-11", "--until", "2019"], "cd"),
    (["--since", "2015-07", "--until", "2019-11-06"], "abc"),  # 2015 alone may be from July on
])
def test_since_and_until_choose_documents_by_date_and_say_what_had_none(dated, args, ids):
    r = run_cli("corpus", str(dated), *args)
    assert r.exit_code == 0
    assert [line.split("\t")[0] for line in r.stdout.splitlines()[1:]] == list(ids)
    assert r.stderr.strip() == (f"dangjian: warning: 2 documents without a date left out by {' '.join(args)}; if the "
                                "dates are in a column, name it with --date-field")


def test_a_range_no_document_is_in_is_one_error_line(dated):
    r = run_process("keywords", str(dated), "--since", "2021")
    assert r.returncode == 1
    assert r.stdout == b""
    assert r.stderr.decode().strip() == ("dangjian: error: no document is dated within --since 2021 (4 dated outside "
                                         "it, 2 without a date); widen the range, or name the date column with "
                                         "--date-field")


def test_bad_date_bounds_are_usage_errors(dated):
    for args, said in ((["--since", "2019-13"], "--since '2019-13' is not a date"),
                       (["--since", "2020", "--until", "2019-06"], "--since 2020 is after --until 2019-06")):
        r = run_process("corpus", str(dated), *args)
        assert r.returncode == 2
        assert r.stderr.decode().startswith(f"dangjian: error: {said}")


def test_the_library_reads_the_same_range_and_leaves_queries_and_idf_corpora_whole(dated):
    docs = load_documents([str(dated)], LoaderOptions(since="2019"), warn=lambda message: None)
    assert [d.id for d in docs] == ["c", "d"]
    assert LoaderOptions(since="2019").all_dates() == LoaderOptions()
    # --idf-from reads its corpus whole: the same IDF as without the range.
    ranged = run_cli("keywords", str(dated), "--since", "2019", "--idf-from", str(dated), "--no-cache", "-q")
    whole = run_cli("keywords", str(dated), "--idf-from", str(dated), "--no-cache", "-q")
    assert ranged.exit_code == 0 and ranged.stdout.splitlines()[1:] == [
        line for line in whole.stdout.splitlines()[1:] if line.split("\t")[0] in "cd"]
    # A query file is not part of the corpus: an undated one is still the query.
    query = dated.parent / "query.txt"
    query.write_text("扎实开展主题教育，助力乡村振兴。", encoding="utf-8")
    found = run_cli("similar", str(query), "--corpus", str(dated), "--since", "2019", "--no-cache", "-q")
    assert found.exit_code == 0, found.stderr
    assert [line.split("\t")[2] for line in found.stdout.splitlines()[1:]] == ["c", "d"]


def test_a_field_read_as_title_date_or_source_answers_to_its_own_name(tmp_path):
    # The loader reads 标题 as the title, 日期 as the date, 来源 as the source: asked for by those names (--group-by,
    # --label-field), they give the same values, not an error that no document has them.
    p = tmp_path / "zh.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (
        {"编号": "a", "标题": "甲", "日期": "2016-05-01", "来源": "人民日报", "正文": "两学一做学习教育在各地扎实开展。"},
        {"编号": "b", "标题": "乙", "日期": "2019-07-01", "来源": "新华社", "栏目": "要闻",
         "正文": "不忘初心、牢记使命主题教育深入开展。"})), encoding="utf-8")
    a, b = load_documents([str(p)])
    assert (a.get("标题"), a.get("日期"), a.get("来源"), a.get("Source")) == ("甲", "2016-05-01", "人民日报", "人民日报")
    assert (a.get("栏目"), b.get("栏目"), a.get("作者")) == ("", "要闻", "")
    out = run_cli("keywords", str(p), "--group-by", "来源", "--top", "1", "-f", "tsv").stdout
    assert [line.split("\t")[0] for line in out.splitlines()] == ["group", "人民日报", "新华社"]
