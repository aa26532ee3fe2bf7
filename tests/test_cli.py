from __future__ import annotations

import json
import re

import pytest

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
    # The help to see is the command's, also when the parser's error carries no context (an option without value).
    assert run_cli("keywords", str(SEEDS), "--top").stderr == (
        "dangjian: error: Option '--top' requires an argument. (see 'dangjian keywords --help')\n")
    assert run_cli("corpus", "--bogus").stderr.endswith("(see 'dangjian corpus --help')\n")
    assert run_cli("--bogus").stderr.endswith("(see 'dangjian --help')\n")


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


# -- the data-file options, through the CLI ------------------------------------------------------------------------
USER_TEXT = "浙江推进千村示范万村整治工程，推行最多跑一次改革。\n各地深化千万工程，开展巡河工作。点击进入专题页面\n"


def _user_files(tmp_path):
    doc = tmp_path / "zj.txt"
    doc.write_text(USER_TEXT, encoding="utf-8")
    lexicon = tmp_path / "mine.tsv"
    lexicon.write_text("# version: mine-1\n千村示范万村整治\tslogan\t-\t2003\t千万工程\t浙江\n", encoding="utf-8")
    second = tmp_path / "mine2.tsv"
    second.write_text("最多跑一次\tterm\n", encoding="utf-8")
    return doc, lexicon, second


@pytest.mark.parametrize("command", ["slogans", "trends", "kwic"])
def test_lexicon_files_reach_the_character_commands(tmp_path, command):
    # --lexicon is a list option: a file name was once taken as a list of its characters ("m: not found").
    doc, lexicon, second = _user_files(tmp_path)
    before = {"slogans": ["slogans", str(doc)], "trends": ["trends", "--term", "千村示范万村整治", str(doc)],
              "kwic": ["kwic", "千村示范万村整治", str(doc)]}[command]
    r = run_cli(*before, "--lexicon", str(lexicon), "--lexicon", str(second), "-f", "jsonl", "-q")
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    if command == "slogans":
        assert {(row["slogan"], row["count"]) for row in rows} == {("千村示范万村整治", 2), ("最多跑一次", 1)}
    elif command == "trends":
        # A term that is a lexicon entry is counted in all its forms: with the user's file, its variant too.
        assert [(row["term"], row["count"]) for row in rows] == [("千村示范万村整治", 2)]
    else:
        assert [row["match"] for row in rows] == ["千村示范万村整治", "千万工程"]
    missing = run_cli(*before, "--lexicon", str(tmp_path / "nope.tsv"))
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"dangjian: error: {tmp_path / 'nope.tsv'}: lexicon file not found; check the path"


def test_a_lexicon_form_of_one_character_is_refused_with_its_line(tmp_path):
    # It could never match (a form is kept whole only from two characters on): counting it as 0 would be wrong.
    for n, body in enumerate(["廉\tterm\n", "# version: 1\n清正廉洁\tterm\t-\t-\t清廉|“廉”\n"]):
        lexicon = tmp_path / f"short{n}.tsv"
        lexicon.write_text(body, encoding="utf-8")
        r = run_cli("slogans", str(seed(0)), "--lexicon", str(lexicon))
        assert r.exit_code == 1 and r.stdout == ""
        assert r.stderr == (f"dangjian: error: {lexicon}: lexicon line {n + 1}: {'廉' if n == 0 else '“廉”'!r} has "
                            "fewer than two characters; give the formulation in full; count a single character with "
                            "`dangjian trends`\n")


def test_a_campaign_cue_of_one_character_is_refused(tmp_path):
    # The automaton never holds a one-character form: a cue like 廉:2 would silently add no evidence.
    for key, line, said in [("cues", "cues = 清正廉洁:2|廉:2", "cues '廉'"), ("short", "short = 廉|清廉", "short '廉'"),
                            ("cues", "cues = “廉”:1", "cues '“廉”'"), ("cues", "cues = :2", "cues ''")]:
        campaigns = tmp_path / "campaigns.ini"
        campaigns.write_text(f"[lianjie]\nname = 清廉建设\n{line}\n", encoding="utf-8")
        r = run_cli("classify", str(seed(0)), "--campaigns", str(campaigns))
        assert r.exit_code == 1 and r.stdout == ""
        assert r.stderr == (f"dangjian: error: {campaigns}: campaign lianjie: {said} has fewer than two characters; "
                            "give the cue in full; a single character is in too many words to count\n"), key


def test_errors_in_data_files_name_the_line_of_the_file(tmp_path):
    # Comment and blank lines count: the line named is the one an editor shows.
    head = "# version: mine-1\n# source: written for this test\n\n"
    lexicon = tmp_path / "lexicon.tsv"
    lexicon.write_text(head + "五水共治\tslogan\n最多跑一次\tpolicy\n", encoding="utf-8")
    campaigns = tmp_path / "campaigns.ini"
    campaigns.write_text(head + "[wushui]\nname = 五水共治\n# a note\nname = 五水共治工作\n", encoding="utf-8")
    boilerplate = tmp_path / "boilerplate.txt"
    boilerplate.write_text(head + "line\t^责任编辑.*$\n\ninline\t([\n", encoding="utf-8")
    # A CSV given as a segmenter dictionary: each row would be one "word" with a comma, which never matches.
    csv_dict = tmp_path / "words.csv"
    csv_dict.write_text("word,freq\n最多跑一次,1000\n", encoding="utf-8")
    spaced = tmp_path / "spaced.txt"
    spaced.write_text(head + "最多跑一次 1000 n\n最多 跑一次 n\n", encoding="utf-8")
    for command, option, path, said in [
            ("slogans", "--lexicon", lexicon, "lexicon line 5: unknown kind 'policy'"),
            ("segment", "--user-dict", csv_dict, "dictionary line 1: 'word,freq' holds ',', at which the segmenter"),
            ("keywords", "--user-dict", spaced, "dictionary line 5: '最多 跑一次 n' is not word, frequency and tag"),
            ("classify", "--campaigns", campaigns, "line 7]: option 'name' in section 'wushui' already exists"),
            ("corpus", "--boilerplate", boilerplate, "line 6: bad boilerplate pattern '(['")]:
        r = run_cli(command, str(seed(0)), option, str(path))
        assert r.exit_code == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1
        assert said in r.stderr


def test_tokenizer_file_options_reach_the_tokenizer(tmp_path):
    doc, lexicon, second = _user_files(tmp_path)

    def tokens(*options):
        r = run_cli("segment", str(doc), *options, "-q")
        assert r.exit_code == 0, r.stderr
        return r.stdout.split("\t")[-1].split()

    plain = tokens()
    assert "千村示范万村整治" not in plain and "最多跑一次" not in plain
    assert {"千村示范万村整治", "最多跑一次"} <= set(tokens("--lexicon", str(lexicon), "--lexicon", str(second)))
    user_dict = tmp_path / "words.txt"
    user_dict.write_text("最多跑一次 1000 n\n", encoding="utf-8")
    assert "最多跑一次" in tokens("--user-dict", str(user_dict))
    stop = tmp_path / "stop.txt"
    stop.write_text("浙江\n巡河\n", encoding="utf-8")
    assert "浙江" in plain and not {"浙江", "巡河"} & set(tokens("--stopwords", str(stop)))
    keywords = run_cli("keywords", str(doc), "--lexicon", str(lexicon), "--top", "3", "-f", "jsonl", "-q")
    assert "千村示范万村整治" in [json.loads(line)["keyword"] for line in keywords.stdout.splitlines()]


def test_shipped_dictionary_and_debris_patterns_can_be_replaced_by_the_users_own(tmp_path):
    def tokens(*options, path="-", text="栗战书出席会议"):
        r = run_cli("segment", path, *options, "-q", input=text)
        assert r.exit_code == 0, r.stderr
        return r.stdout.splitlines()[1].split("\t")[-1].split()

    # The domain dictionary keeps 栗战书 whole; without it the engine's own dictionary cuts it, and a user's
    # dictionary given alone puts it back.
    assert tokens()[0] == "栗战书" and tokens("--no-default-dict")[0] != "栗战书"
    words = tmp_path / "names.txt"
    words.write_text("栗战书 2000 nr\n", encoding="utf-8")
    assert tokens("--no-default-dict", "--user-dict", str(words))[0] == "栗战书"

    # Seed 004's debris goes with the shipped patterns; with only the user's, only what they match goes.
    own = tmp_path / "debris.txt"
    own.write_text("line\t^微信“扫一扫”.*$\n", encoding="utf-8")

    def chars(*options):
        r = run_cli("corpus", str(seed(4)), "-f", "jsonl", *options)
        assert r.exit_code == 0, r.stderr
        return json.loads(r.stdout)["chars"]

    shipped, none, mine = chars(), chars("--no-default-boilerplate"), chars("--no-default-boilerplate",
                                                                             "--boilerplate", str(own))
    assert shipped < mine < none and none == chars("--keep-boilerplate")
    r = run_cli("corpus", str(seed(4)), "--keep-boilerplate", "--boilerplate", str(own))
    assert r.exit_code == 2 and r.stdout == "" and r.stderr == (
        "dangjian: error: --keep-boilerplate keeps all debris, so the --boilerplate patterns would not be used; to "
        "use only your own patterns, give --no-default-boilerplate with --boilerplate\n")


def test_boilerplate_file_option_removes_its_lines(tmp_path):
    doc, _, _ = _user_files(tmp_path)
    patterns = tmp_path / "debris.txt"
    patterns.write_text("inline\t点击进入专题页面\n", encoding="utf-8")

    def text(*options):
        r = run_cli("segment", str(doc), "--format", "jsonl", "--offsets", *options, "-q")
        assert r.exit_code == 0, r.stderr
        return "".join(t["token"] for t in json.loads(r.stdout)["tokens"])

    assert "专题" in text() and "专题" not in text("--boilerplate", str(patterns))


def test_tokenizer_options_given_to_the_rules_are_said_to_change_nothing(tmp_path):
    doc, lexicon, _ = _user_files(tmp_path)
    plain = run_cli("classify", str(doc))
    r = run_cli("classify", str(doc), "--lexicon", str(lexicon))
    assert r.exit_code == 0 and r.stdout == plain.stdout and plain.stderr == ""
    assert "used only by a model (--model, --cv)" in r.stderr


def test_every_shared_list_option_takes_many_values_in_every_command():
    # A command's group object named like one of the group's options (lexicon) once hid the option's list type.
    import typing

    import typer

    from dangjian_cli.cli import INPUT, LEXICON, OUTPUT, TOKENIZER, app

    list_options = {p.name for g in (INPUT, LEXICON, TOKENIZER, OUTPUT) for p in g.params
                    if list in {typing.get_origin(a) for a in typing.get_args(p.annotation)}}
    assert {"lexicon", "user_dict", "stopwords", "boilerplate"} <= list_options
    checked = 0
    for name, cmd in typer.main.get_command(app).commands.items():
        for param in getattr(cmd, "params", []):
            if param.name in list_options:
                assert param.multiple, f"{name} --{param.name.replace('_', '-')}"
                checked += 1
    assert checked > 20


def test_flags_show_no_value_in_help():
    # typer shows a flag as `--quiet <bool>`, as if it took a value.
    for name in ["", "cache", *_commands()]:
        r = run_cli(*name.split(), "--help", env={"COLUMNS": "200"})
        assert r.exit_code == 0 and "--help" in r.stdout, name
        assert "<bool>" not in r.stdout, name
    assert "--quiet" in run_cli("keywords", "--help", env={"COLUMNS": "200"}).stdout
