from __future__ import annotations

import json
import re

from conftest import ROOT, SEED_IDS, SEEDS, run_cli, run_process, seed

EXPECTED_CORPUS = (
    "id\ttitle\tdate\tsource\tauthor\tchars\tscript\tencoding\tpath\n"
    f"000_4a5ffb8b83af9862\t武义县“两学一做”助推创国卫\t\t\t\t2393\tsimplified\tutf-8\t{SEEDS}/000_4a5ffb8b83af9862.txt\n"
    f"001_3dcc71c6bc6fd224\t\t\t\t黄合\t4861\tsimplified\tutf-8\t{SEEDS}/001_3dcc71c6bc6fd224.txt\n"
    f"002_f28af7c7846c6d33\t直面民生小事 秀出党建风采\t\t\t张孟涛\t3655\tsimplified\tutf-8\t{SEEDS}/002_f28af7c7846c6d33.txt\n"
    f"003_caf6c99ba3fcd165\t匯聚推進跨越發展的強大動力\t\t\t\t2053\ttraditional\tutf-8\t{SEEDS}/003_caf6c99ba3fcd165.txt\n"
    f"004_f03987007a3fccd1\t践行两学一做 释放发展动能\t2016-09-02\t人民网-中国共产党新闻网\t\t2808\tsimplified\tutf-8\t"
    f"{SEEDS}/004_f03987007a3fccd1.txt\n")


def test_corpus_exact_output():
    r = run_cli("corpus", str(SEEDS))
    assert r.exit_code == 0
    assert r.stdout == EXPECTED_CORPUS


def test_corpus_summary():
    r = run_cli("corpus", str(SEEDS), "--summary", "-f", "json")
    rows = {x["statistic"]: x["value"] for x in json.loads(r.stdout)["rows"]}
    assert rows["documents"] == 5 and rows["traditional"] == 1 and rows["dated"] == 1
    assert rows["first_date"] == "2016-09-02"


def test_default_corpus_is_the_embedded_seeds():
    r = run_cli("corpus", "--no-header")
    assert [ln.split("\t")[0] for ln in r.stdout.splitlines()] == SEED_IDS


def test_segment_plain_and_jsonl_offsets():
    r = run_cli("segment", str(seed(3)))
    line = r.stdout.splitlines()[1]
    assert line.startswith("003_caf6c99ba3fcd165\t汇聚 跨越 强大 动力 攀枝花市 两学一做 ")
    r = run_cli("segment", str(seed(3)), "-f", "jsonl")
    (row,) = [json.loads(x) for x in r.stdout.splitlines()]
    original = seed(3).read_text(encoding="utf-8")
    lexicon_tokens = [t for t in row["tokens"] if t["kind"] == "lexicon"]
    slices = [original[t["original_start"]:t["original_end"]] for t in lexicon_tokens]
    assert slices.count("兩學一做") == 18 and set(slices) == {"兩學一做", "三會一課", "主題黨日"}


def test_usage_errors_exit_2_in_one_line():
    for args in (["corpus", "--bogus"], ["corpus", "-f", "xml", str(SEEDS)], ["segment", "--engine", "hanlp"]):
        r = run_cli(*args)
        assert r.exit_code == 2, args
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert r.stderr.startswith("dangjian: error: ")


def test_errors_through_a_real_process(tmp_path):
    p = run_process("corpus", str(tmp_path / "nope.txt"))
    assert p.returncode == 1
    assert p.stderr.decode().strip().splitlines() == [
        f"dangjian: error: {tmp_path / 'nope.txt'}: no such file or folder; check the path"]
    assert b"Traceback" not in p.stderr and p.stdout == b""
    p = run_process("--version")
    assert p.returncode == 0 and p.stdout.decode().startswith("dangjian ")


def _commands():
    from dangjian_cli.cli import app
    import typer

    group = typer.main.get_command(app)
    out = {}
    for name, cmd in group.commands.items():
        sub = getattr(cmd, "commands", None)
        if sub:
            for sname, scmd in sub.items():
                out[f"{name} {sname}"] = scmd
        else:
            out[name] = cmd
    return out


def test_every_command_and_option_is_documented():
    docs = ROOT / "docs" / "commands"
    shared = (ROOT / "docs" / "options.md").read_text(encoding="utf-8")
    missing = []
    for name, cmd in _commands().items():
        page = docs / f"{name.split()[0]}.md"
        if not page.exists():
            missing.append(f"{page} (command {name})")
            continue
        text = page.read_text(encoding="utf-8")
        if f"dangjian {name}" not in text:
            missing.append(f"'dangjian {name}' in {page.name}")
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if not opt.startswith("--") or opt == "--help":
                    continue
                documented = re.search(re.escape(opt) + r"(?![\w-])", text) or (
                    "(../options.md)" in text and re.search(re.escape(opt) + r"(?![\w-])", shared))
                if not documented:
                    missing.append(f"{opt} in {page.name}")
    assert not missing, "undocumented: " + ", ".join(missing)


def test_readme_names_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in _commands():
        assert f"dangjian {name.split()[0]}" in readme, name
