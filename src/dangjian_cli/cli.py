"""The command line: parses options, calls the library, renders rows. No analysis happens here."""
from __future__ import annotations

import functools
import inspect
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from . import __version__
from .errors import DangjianError


def _flags_without_metavar(params: list[Any]) -> list[Any]:
    """A flag takes no value: typer's help would show it as `--quiet <bool>`, as if it needed one."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class DangjianCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_without_metavar(super().get_params(ctx))


class DangjianGroup(TyperGroup):
    """Ends every failure in one line on stderr with the documented exit status."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_without_metavar(super().get_params(ctx))

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        code = 0
        try:
            rv = super().main(args=args, prog_name=prog_name or "dangjian", complete_var=complete_var,
                              standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except typer.Exit as exc:
            code = exc.exit_code
        except typer.TyperException as exc:
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError":
                code = 2  # the help was already printed
            elif exc.exit_code == 2:  # usage errors: unknown option, bad value, missing argument
                # Some parser errors (an option without its value) carry no context: the command is then the
                # first argument that names one.
                words = sys.argv[1:] if args is None else list(args)
                named = next((w for w in words if w in self.commands), None)
                command = ctx.command_path if ctx is not None else " ".join(filter(None, ("dangjian", named)))
                _fail(f"{exc.format_message()} (see '{command} --help')", 2)
            else:
                _fail(exc.format_message(), exc.exit_code)
        except typer.Abort:
            _fail("interrupted", 130)
        except DangjianError as exc:
            _fail(exc.one_line(), exc.exit_code)
        except BrokenPipeError:
            _pacify_stdout()
            code = 0
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:  # a bug: still one line, the traceback on request
            if os.environ.get("DANGJIAN_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set DANGJIAN_DEBUG=1 for the traceback and "
                  "please report it)", 1)
        _finish_environments()
        if standalone_mode:
            sys.exit(code)
        return code


_ENVIRONMENTS: list[Any] = []  # the commands' output environments, which sum up their counted warnings at the end


def _finish_environments() -> None:
    while _ENVIRONMENTS:
        try:
            _ENVIRONMENTS.pop().finish()
        except (BrokenPipeError, OSError):
            pass


def _fail(message: str, code: int) -> None:
    _finish_environments()  # before the error, which stays the last line
    try:
        print(f"dangjian: error: {' '.join(str(message).split())}", file=sys.stderr, flush=True)
    except BrokenPipeError:
        pass
    raise SystemExit(code)


def _pacify_stdout() -> None:
    """After the reader of our stdout went away (``| head``), send the rest to /dev/null quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


app = typer.Typer(
    cls=DangjianGroup,
    name="dangjian",
    help="Analyse Chinese party-building (党建) texts: keywords, similarity, slogans, campaigns.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dangjian {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Analyse Chinese party-building (党建) texts: keywords, similarity, slogans, campaigns."""


# -- shared option groups ------------------------------------------------------------------------------------------
def _kw(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


@dataclass(frozen=True)
class OptionGroup:
    """Options many commands share, declared once: the decorator adds them to a command's signature and gathers
    their values into one object (LoaderOptions, TokenizerConfig, OutputOptions)."""

    key: str
    params: tuple[inspect.Parameter, ...]
    build: Callable[[dict[str, Any]], Any]

    def take(self, kwargs: dict[str, Any]) -> Any:
        values = {p.name: kwargs.pop(p.name) for p in self.params}
        return self.build(values)


def _loader(v: dict[str, Any]) -> Any:
    from .corpus import LoaderOptions
    from .parallel import default_jobs

    return LoaderOptions(glob=v["glob"], encoding=v["encoding"], text_field=v["text_field"], id_field=v["id_field"],
                         title_field=v["title_field"], date_field=v["date_field"], source_field=v["source_field"],
                         skip_errors=v["skip_errors"], keep_boilerplate=v["keep_boilerplate"],
                         boilerplate_files=tuple(v["boilerplate"] or ()),
                         use_default_boilerplate=not v["no_default_boilerplate"],
                         jobs=v["jobs"] if v["jobs"] is not None else default_jobs(), since=v["since"],
                         until=v["until"])


P_IN = "Input"
INPUT = OptionGroup("loader", (
    _kw("glob", str, typer.Option("*.txt", "--glob", help="Files to read inside folders.", rich_help_panel=P_IN)),
    _kw("encoding", Optional[str], typer.Option(None, "--encoding", help="Force an encoding (utf-8, gb18030, big5, "
        "utf-16); detected per file by default.", rich_help_panel=P_IN)),
    _kw("text_field", Optional[str], typer.Option(None, "--text-field", help="Text column of JSONL/CSV/TSV input.",
        rich_help_panel=P_IN)),
    _kw("id_field", Optional[str], typer.Option(None, "--id-field", help="Id column.", rich_help_panel=P_IN)),
    _kw("title_field", Optional[str], typer.Option(None, "--title-field", help="Title column.", rich_help_panel=P_IN)),
    _kw("date_field", Optional[str], typer.Option(None, "--date-field", help="Date column.", rich_help_panel=P_IN)),
    _kw("source_field", Optional[str], typer.Option(None, "--source-field", help="Source column.",
        rich_help_panel=P_IN)),
    _kw("since", Optional[str], typer.Option(None, "--since", help="Only documents dated on or after this date "
        "(YYYY, YYYY-MM or YYYY-MM-DD); undated ones are left out.", rich_help_panel=P_IN, metavar="DATE")),
    _kw("until", Optional[str], typer.Option(None, "--until", help="Only documents dated on or before this date "
        "(--until 2019 takes in all of 2019).", rich_help_panel=P_IN, metavar="DATE")),
    _kw("skip_errors", bool, typer.Option(False, "--skip-errors", help="Skip unreadable files with a warning.",
        rich_help_panel=P_IN)),
    _kw("keep_boilerplate", bool, typer.Option(False, "--keep-boilerplate", help="Keep web and broadcast debris.",
        rich_help_panel=P_IN)),
    _kw("boilerplate", Optional[list[str]], typer.Option(None, "--boilerplate", help="Extra debris patterns file.",
        rich_help_panel=P_IN)),
    _kw("no_default_boilerplate", bool, typer.Option(False, "--no-default-boilerplate", help="Do not use the "
        "shipped debris patterns (only --boilerplate files).", rich_help_panel=P_IN)),
    _kw("jobs", Optional[int], typer.Option(None, "--jobs", "-j", help="Worker processes for reading and analysing "
        "documents (default: the machine's cores; output is the same for any number).", rich_help_panel=P_IN,
        show_default=False)),
), _loader)


def _tokenizer(v: dict[str, Any]) -> Any:
    from .tokenize import TokenizerConfig

    return TokenizerConfig(engine=v["engine"], lexicon_files=tuple(v["lexicon"] or ()),
                           use_default_lexicon=not v["no_default_lexicon"],
                           user_dict_files=tuple(v["user_dict"] or ()), use_default_dict=not v["no_default_dict"],
                           stopword_files=tuple(v["stopwords"] or ()),
                           use_default_stopwords=not v["no_default_stopwords"], keep_numbers=v["keep_numbers"]), \
        not v["no_cache"]


P_TOK = "Tokenizer"
_LEXICON_PARAMS = (
    _kw("lexicon", Optional[list[str]], typer.Option(None, "--lexicon", help="Extra slogan lexicon file (TSV).",
        rich_help_panel=P_TOK)),
    _kw("no_default_lexicon", bool, typer.Option(False, "--no-default-lexicon", help="Do not use the shipped "
        "lexicon.", rich_help_panel=P_TOK)),
)
# Commands that match the lexicon on characters (slogans, kwic, trends) take only its options.
LEXICON = OptionGroup("lexicon", _LEXICON_PARAMS,
                      lambda v: (tuple(v["lexicon"] or ()), not v["no_default_lexicon"]))
TOKENIZER = OptionGroup("tokenizer", (
    _kw("engine", str, typer.Option("rjieba", "--engine", help="Segmenter: rjieba (fast) or jieba.",
        rich_help_panel=P_TOK)),
    *_LEXICON_PARAMS,
    _kw("user_dict", Optional[list[str]], typer.Option(None, "--user-dict", help="Extra segmenter dictionary "
        "(jieba format).", rich_help_panel=P_TOK)),
    _kw("no_default_dict", bool, typer.Option(False, "--no-default-dict", help="Do not use the shipped domain "
        "dictionary (jieba's own and --user-dict files only).", rich_help_panel=P_TOK)),
    _kw("stopwords", Optional[list[str]], typer.Option(None, "--stopwords", help="Extra stop-word file (a word a "
        "line; @glued-first and @glued-last lines add function characters: docs/data-files.md).",
        rich_help_panel=P_TOK)),
    _kw("no_default_stopwords", bool, typer.Option(False, "--no-default-stopwords", help="Do not use the shipped "
        "stop lists.", rich_help_panel=P_TOK)),
    _kw("keep_numbers", bool, typer.Option(False, "--keep-numbers", help="Keep numbers as tokens.",
        rich_help_panel=P_TOK)),
    _kw("no_cache", bool, typer.Option(False, "--no-cache", help="Do not read or write the token cache or the "
                                       "corpus matrix cache.",
        rich_help_panel=P_TOK)),
), _tokenizer)


def writable(path: Path | None) -> Path | None:
    """An output file given by the user, checked before the work rather than after it (see ``check_writable``)."""
    if path is None:
        return None
    from .output import check_writable

    return check_writable(path)


@dataclass(frozen=True)
class OutputOptions:
    format: str | None
    output: Path | None
    header: bool
    quiet: bool
    all_warnings: bool = False


P_OUT = "Output"
OUTPUT = OptionGroup("out", (
    _kw("format", Optional[str], typer.Option(None, "--format", "-f", help="table, tsv, csv, json or jsonl "
        "(default: table on a terminal, tsv otherwise).", rich_help_panel=P_OUT)),
    _kw("output", Optional[Path], typer.Option(None, "--output", "-o", help="Write to this file (atomically).",
        rich_help_panel=P_OUT)),
    _kw("no_header", bool, typer.Option(False, "--no-header", help="Leave out the header row.",
        rich_help_panel=P_OUT)),
    _kw("quiet", bool, typer.Option(False, "--quiet", "-q", help="No warnings or progress on stderr.",
        rich_help_panel=P_OUT)),
    _kw("all_warnings", bool, typer.Option(False, "--all-warnings", help="Say every row's warning (by default a "
        "file's rows with the same warning are said five times, then counted).", rich_help_panel=P_OUT)),
), lambda v: OutputOptions(v["format"], writable(v["output"]), not v["no_header"], v["quiet"], v["all_warnings"]))


def command(*groups: OptionGroup, name: str | None = None, on: typer.Typer | None = None
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command (on ``app``, or the sub-app ``on``) whose function takes its own parameters plus one object
    per option group."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(func)
        keys = {g.key for g in groups}
        own = [p for p in sig.parameters.values() if p.name not in keys]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            for g in groups:
                kwargs[g.key] = g.take(kwargs)
            return func(**kwargs)

        positional = [p for p in own if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        keyword = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]
        params = positional + keyword
        params += [p for g in groups for p in g.params]
        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        del wrapper.__wrapped__
        # Typer takes a parameter's type from the function's annotations before its signature: the group objects'
        # own annotations (``lexicon: Any``) would otherwise override a group option of the same name (--lexicon
        # would take one string, not a list).
        wrapper.__annotations__ = {k: v for k, v in func.__annotations__.items() if k not in keys}
        (on or app).command(name=name or func.__name__.rstrip("_").replace("_", "-"), cls=DangjianCommand)(wrapper)
        return func

    return decorate


# -- helpers the commands share ------------------------------------------------------------------------------------
def environment(out: OutputOptions) -> Any:
    from .output import Environment

    env = Environment.from_system()
    env.quiet = out.quiet
    env.all_warnings = out.all_warnings
    _ENVIRONMENTS.append(env)
    return env


def reader(paths: list[str] | None, loader: Any, env: Any) -> Any:
    from .corpus import CorpusReader, default_corpus_paths

    if not paths:
        paths = default_corpus_paths()
        env.note("no paths given: reading the embedded seed articles")
    return _Progressing(CorpusReader(paths, loader, warn=env.warn), env)


class _Progressing:
    """A corpus reader whose iteration shows progress on a terminal's stderr."""

    def __init__(self, corpus: Any, env: Any) -> None:
        self.corpus = corpus
        self.env = env

    def __iter__(self) -> Any:
        return self.env.progress(iter(self.corpus))

    # What parallel.map_documents needs to hand documents to worker processes, with progress too.
    def units(self, *args: Any) -> Any:
        from .corpus import unit_rows

        return self.env.progress(self.corpus.units(*args), weight=unit_rows)

    def __getattr__(self, name: str) -> Any:
        # Everything else (maker, options, sources, warnings, warn…) is the reader's own.
        return getattr(self.corpus, name)


def analyzer(tokenizer: Any, env: Any) -> Any:
    from .pipeline import make_analyzer

    config, use_cache = tokenizer
    return make_analyzer(config, use_cache, env.warn)


def emit(table: Any, out: OutputOptions, env: Any) -> None:
    from .output import emit as _emit

    try:
        _emit(table, out.format, out.output, out.header, env)
    except BrokenPipeError:
        # The reader went away (`dangjian … | head`): not an error.
        _pacify_stdout()
        raise typer.Exit(0) from None


PATHS = typer.Argument(None, help="Files, folders, globs or - for stdin (default: the embedded seed articles).",
                       show_default=False)


# -- commands ------------------------------------------------------------------------------------------------------
@command(INPUT, OUTPUT)
def corpus(paths: Optional[list[str]] = PATHS,
           summary: bool = typer.Option(False, "--summary", help="Corpus totals instead of one row per document."),
           *, loader: Any = None, out: Any = None) -> None:
    """List the documents as the loader reads them: id, title, date, source, characters, script, encoding.

    Example: dangjian corpus seeds/ --summary"""
    from . import commands
    from .output import Table

    env = environment(out)
    docs = reader(paths, loader, env)
    if summary:
        s = commands.corpus_summary(docs)
        emit(Table(commands.SUMMARY_COLUMNS, s.rows(), title="corpus summary"), out, env)
    else:
        emit(Table(commands.CORPUS_COLUMNS, commands.corpus_rows(docs), title="documents"), out, env)


@command(INPUT, TOKENIZER, OUTPUT)
def segment(paths: Optional[list[str]] = PATHS,
            offsets: bool = typer.Option(False, "--offsets", help="Tokens with offsets (normalised and original); "
                                         "the default with --format json/jsonl."),
            all_tokens: bool = typer.Option(False, "--all", help="Every piece, stop words and punctuation "
                                            "included."),
            *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """The tokens of each document: one line per document, space-separated (JSONL with offsets).

    Example: dangjian segment seeds/ --format jsonl"""
    from . import commands
    from .output import Table

    env = environment(out)
    docs = reader(paths, loader, env)
    an = analyzer(tokenizer, env)
    with_offsets = offsets or (out.format in ("json", "jsonl"))
    try:
        rows = commands.segment_rows(docs, an, offsets=with_offsets, filtered=not all_tokens)
        emit(Table(commands.SEGMENT_COLUMNS, rows, title="tokens", meta={"provenance": an.tokenizer.provenance()}),
             out, env)
    finally:
        an.close()


@command(INPUT, TOKENIZER, OUTPUT)
def keywords(paths: Optional[list[str]] = PATHS,
             method: str = typer.Option("tfidf", "--method", "-m", help="tfidf, textrank or frequency."),
             top: int = typer.Option(10, "--top", "-n", help="Keywords per document or group (0: none)."),
             scope: str = typer.Option("document", "--scope", help="document, or corpus for the corpus as a whole."),
             group_by: Optional[str] = typer.Option(None, "--group-by", help="Keywords per group: year, month, "
                                                    "quarter, source or any field."),
             min_df: float = typer.Option(1, "--min-df", help="Ignore terms in fewer documents (a count, or a "
                                          "share below 1)."),
             max_df: float = typer.Option(1.0, "--max-df", help="Ignore terms in more documents (a share up to 1, "
                                          "or a count)."),
             pos: Optional[str] = typer.Option(None, "--pos", help="Keep only these jieba POS tag prefixes, e.g. "
                                               "n,vn (slogans are always kept)."),
             keep_script: bool = typer.Option(False, "--keep-script", help="Show keywords of traditional documents "
                                              "as written."),
             idf_from: Optional[list[str]] = typer.Option(None, "--idf-from", help="Fit IDF on this file, folder "
                                                          "or quoted glob instead of the input (repeat for more)."),
             save_idf: Optional[Path] = typer.Option(None, "--save-idf", help="Save the IDF table used to a file."),
             load_idf: Optional[Path] = typer.Option(None, "--load-idf", help="Use an IDF table saved with "
                                                     "--save-idf."),
             tf: str = typer.Option("raw", "--tf", help="Term frequency for tfidf: raw counts, or sublinear "
                                    "(1 + ln count)."),
             title_weight: float = typer.Option(2.0, "--title-weight", help="tfidf: a word in the title counts this "
                                                "many times (1: like any other)."),
             lead_weight: float = typer.Option(2.0, "--lead-weight", help="tfidf: a word in the first sentence "
                                               "counts this many times (1: like any other)."),
             *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """Keywords of each document (or group, or the corpus), with IDF fitted on your own corpus.

    Example: dangjian keywords seeds/ --top 5"""
    from .keywords import IdfTable, KeywordSettings, extract_keywords, fit_idf, parse_pos
    from .output import Table
    from .errors import UsageError

    env = environment(out)
    writable(save_idf)
    if idf_from and load_idf:
        raise UsageError("--idf-from and --load-idf cannot be used together", "choose one IDF source")
    docs = reader(paths, loader, env)
    an = analyzer(tokenizer, env)
    try:
        pos_prefixes = parse_pos(pos, an)  # before any reading: a bad --pos fails at once
        idf = None
        if load_idf:
            idf = IdfTable.load(load_idf)
            if idf.tokenizer_key and idf.tokenizer_key != an.tokenizer.segmentation_key:
                env.warn(f"{load_idf} was made with other tokenizer settings; its terms may not match")
        elif idf_from:
            idf_docs = reader(idf_from, loader.all_dates(), env)  # a reference corpus: read whole
            idf = fit_idf((words for _, words in an.map_words(idf_docs, article=True)), source=" ".join(idf_from),
                          tokenizer_key=an.tokenizer.segmentation_key)
        settings = KeywordSettings(method=method, top=top, min_df=min_df, max_df=max_df, pos=pos_prefixes,
                                   scope=scope, group_by=group_by, keep_script=keep_script, idf=idf, tf=tf,
                                   title_weight=title_weight, lead_weight=lead_weight)
        result = extract_keywords(docs, an, settings, warn=env.warn)
        if save_idf:
            result.idf_table.save(save_idf)
        meta = {"provenance": an.tokenizer.provenance(), "method": method, "idf": result.idf_source,
                "documents": result.documents}
        emit(Table(result.columns, result.rows, title=f"keywords ({method})", meta=meta, highlight="keyword"),
             out, env)
    finally:
        an.close()


@command(INPUT, TOKENIZER, OUTPUT)
def keyness(target: Optional[list[str]] = typer.Argument(None, help="Target files, folders or globs (or use "
                                                         "--group-by and --target).", show_default=False),
            reference: Optional[list[str]] = typer.Option(None, "--reference", "-r", help="A reference file, folder "
                                                          "or quoted glob (repeat the option for more)."),
            group_by: Optional[str] = typer.Option(None, "--group-by", help="Split one corpus by this field "
                                                   "(year, month, source or any field)."),
            target_value: Optional[list[str]] = typer.Option(None, "--target", help="With --group-by: the group "
                                                             "that is the target (repeat for several)."),
            against: Optional[list[str]] = typer.Option(None, "--against", help="With --group-by: the group that "
                                                        "is the reference (repeat for several; default: every "
                                                        "other document)."),
            statistic: str = typer.Option("g2", "--statistic", "-s", help="g2, chi2, log-ratio or fightin."),
            direction: str = typer.Option("over", "--direction", help="over, under or both."),
            min_count: int = typer.Option(5, "--min-count", help="Minimum count (in the target for over, in the "
                                          "reference for under, in either for both)."),
            top: int = typer.Option(50, "--top", "-n", help="Rows to show."),
            prior_mass: float = typer.Option(1000.0, "--prior-mass", help="α0 of the Fightin' Words prior."),
            *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """Terms over- or under-used in target documents against reference ones: G², χ², log-ratio, Fightin' Words.

    Example: dangjian keyness seeds/00[0134]* --reference seeds/002* --top 10"""
    from .errors import UsageError
    from .keyness import (COLUMNS, KeynessSettings, keyness as compute, keyness_table_rows, split_counts,
                          target_and_reference, why_no_rows)
    from .output import Table

    env = environment(out)
    settings = KeynessSettings(statistic=statistic, direction=direction, min_count=min_count, top=top,
                               prior_mass=prior_mass)
    an = analyzer(tokenizer, env)
    try:
        if group_by:
            if not target_value:
                raise UsageError("--group-by needs --target VALUE", "name the group to compare with the rest")
            if reference:
                raise UsageError("--group-by and --reference cannot be used together")
            tgt, n_t, ref, n_r = split_counts(reader(target, loader, env), an, group_by, target_value, against)
        else:
            if against or target_value:
                option = "--against" if against else "--target"
                raise UsageError(f"{option} needs --group-by FIELD (year, month, source or any field)",
                                 "with paths, give the reference with --reference")
            if not target or not reference:
                raise UsageError("give TARGET paths and --reference paths, or --group-by FIELD --target VALUE")
            tgt, n_t, ref, n_r = target_and_reference(reader(target, loader, env), reader(reference, loader, env),
                                                      an, env.warn)
        rows = compute(tgt, ref, settings)
        meta = {"provenance": an.tokenizer.provenance(), "statistic": statistic, "target_documents": n_t,
                **({"group_by": group_by, "target_groups": target_value, "reference_groups": against or None}
                   if group_by else {}),
                "reference_documents": n_r, "target_tokens": sum(tgt.values()),
                "reference_tokens": sum(ref.values())}
        emit(Table(COLUMNS, keyness_table_rows(rows, statistic), title=f"keyness ({statistic})", meta=meta,
                   highlight="term", if_empty=why_no_rows(settings)), out, env)
    finally:
        an.close()


@command(INPUT, LEXICON, OUTPUT)
def slogans(paths: Optional[list[str]] = PATHS,
            per_doc: bool = typer.Option(False, "--per-doc", help="One row per document and slogan."),
            group_by: Optional[str] = typer.Option(None, "--group-by", help="Counts per group: year, month, "
                                                   "quarter, source or any field."),
            campaign: Optional[str] = typer.Option(None, "--campaign", help="Only the entries of this campaign "
                                                   "id, e.g. liangxue_yizuo_2016."),
            min_count: int = typer.Option(1, "--min-count", help="Leave out rows with fewer occurrences."),
            discover: bool = typer.Option(False, "--discover", help="Find formulations not in the lexicon: numeric "
                                          "formulae, quoted phrases, parallel clauses."),
            pattern: Optional[list[str]] = typer.Option(None, "--pattern", help="With --discover: numeric, quoted "
                                                        "or parallel (repeatable; default all)."),
            new_only: bool = typer.Option(False, "--new-only", help="With --discover: only phrases the lexicon "
                                          "does not have."),
            *, loader: Any = None, lexicon: Any = None, out: Any = None) -> None:
    """Counts of the lexicon's slogans (提法): occurrences, documents, rate per 10,000 characters.

    Example: dangjian slogans seeds/ --discover --new-only"""
    from . import slogans as lib
    from .output import Table

    env = environment(out)
    lx = _lexicon(lexicon)
    docs = reader(paths, loader, env)
    meta = {"provenance": lx.provenance()}
    if discover:
        rows = lib.discover(docs, lx, min_count=min_count, patterns=tuple(pattern or lib.PATTERNS),
                            new_only=new_only)
        emit(Table(lib.DISCOVER_COLUMNS, rows, title="formulation candidates", meta=meta, highlight="phrase"),
             out, env)
        return
    settings = lib.SloganSettings(per_doc=per_doc, group_by=group_by, campaign=campaign, min_count=min_count)
    columns = lib.DOC_COLUMNS if per_doc else (lib.GROUP_COLUMNS if group_by else lib.CORPUS_COLUMNS)
    emit(Table(columns, lib.count_slogans(docs, lx, settings), title="slogans", meta=meta, highlight="slogan"),
         out, env)


def _lexicon(options: tuple[tuple[str, ...], bool]) -> Any:
    from .lexicon import load_lexicon

    files, use_default = options
    return load_lexicon(files, use_default)


@command(INPUT, TOKENIZER, OUTPUT)
def phrases(paths: Optional[list[str]] = PATHS,
            unit: str = typer.Option("word", "--unit", help="word (the shared tokens) or char (Han characters)."),
            min_n: int = typer.Option(2, "--min-n", help="Shortest n-gram."),
            max_n: int = typer.Option(3, "--max-n", help="Longest n-gram."),
            measure: str = typer.Option("count", "--measure", "--rank", help="count, pmi, llr (log-likelihood) or "
                                        "tscore."),
            min_count: int = typer.Option(2, "--min-count", help="Leave out n-grams seen fewer times."),
            top: int = typer.Option(50, "--top", "-n", help="Rows per group."),
            group_by: Optional[str] = typer.Option(None, "--group-by", help="Per group: year, month, quarter, "
                                                   "source or any field."),
            *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """Frequent word or character n-grams and collocations (PMI, log-likelihood, t-score), never across punctuation.

    Example: dangjian phrases seeds/ --measure llr --min-count 3"""
    from .phrases import COLUMNS, GROUP_COLUMNS, PhraseSettings, count_phrases, why_no_rows
    from .output import Table

    env = environment(out)
    settings = PhraseSettings(unit=unit, min_n=min_n, max_n=max_n, measure=measure, min_count=min_count, top=top,
                              group_by=group_by)
    docs = reader(paths, loader, env)
    an = analyzer(tokenizer, env) if unit == "word" else None
    try:
        rows = count_phrases(docs, an, settings)
        meta = {"provenance": an.tokenizer.provenance() if an else {}, "measure": measure, "unit": unit}
        emit(Table(GROUP_COLUMNS if group_by else COLUMNS, rows, title=f"phrases ({measure})", meta=meta,
                   highlight="ngram", if_empty=why_no_rows(settings)), out, env)
    finally:
        if an is not None:
            an.close()


@command(INPUT, LEXICON, OUTPUT)
def kwic(pattern: str = typer.Argument(..., help="The text to find (or a regular expression with --regex)."),
         paths: Optional[list[str]] = PATHS,
         regex: bool = typer.Option(False, "--regex", help="PATTERN is a Python regular expression."),
         window: int = typer.Option(20, "--window", "-w", help="Characters of context on each side."),
         sort: str = typer.Option("doc", "--sort", help="doc, left (by the left context read backwards) or "
                                  "right."),
         sample: Optional[int] = typer.Option(None, "--sample", help="N lines drawn at random from all the "
                                              "matches (the same N lines for the same input and --seed)."),
         seed: int = typer.Option(0, "--seed", help="Random seed of --sample."),
         *, loader: Any = None, lexicon: Any = None, out: Any = None) -> None:
    """Keyword in context, on characters: every occurrence with its offset in the original text.

    A slogan in the lexicon is found in all its forms; traditional documents are shown as written.

    Example: dangjian kwic 两学一做 seeds/ --window 10"""
    from .output import Table
    from .trends import KWIC_COLUMNS, check_kwic, kwic as find, sample_kwic, term_pattern, why_no_kwic_lines
    from .errors import UsageError

    env = environment(out)
    check_kwic(window, sort, sample)
    if paths and os.path.exists(pattern) and not any(p == "-" or os.path.exists(p) or any(ch in p for ch in "*?[")
                                                     for p in paths):
        # `dangjian kwic corpus.jsonl 两学一做`: the corpus taken as the pattern, the term as a missing file.
        raise UsageError(f"{paths[0]!r} is not a file and the pattern {pattern!r} is one",
                         "give the pattern first: dangjian kwic PATTERN PATHS…")
    tp = term_pattern(pattern, None if regex else _lexicon(lexicon), regex=regex)
    docs = reader(paths, loader, env)
    meta: dict[str, Any] = {}
    if sample is None:
        lines = find(docs, tp, window=window, sort=sort)
    else:
        drawn = sample_kwic(docs, tp, sample, seed, window=window, sort=sort)
        lines = drawn.rows
        meta = drawn.meta
        env.note(f"{len(lines):,} of {drawn.total:,} lines, drawn at random with --seed {seed}")
    emit(Table(KWIC_COLUMNS, lines, title=f"kwic {pattern}", highlight="match", meta=meta,
               if_empty=why_no_kwic_lines(pattern, regex)), out, env)


def split_terms(args: list[str]) -> tuple[list[str], list[str]]:
    """Leading arguments that are not existing paths (or -) are terms; the rest are paths.

    An argument that looks like a path (a folder separator, or a corpus file's extension) but names nothing is an
    error, not a term: a mistyped file name would otherwise be counted as a term over the seed articles."""
    import glob as globmod

    from .corpus import STRUCTURED
    from .errors import UsageError

    for i, a in enumerate(args):
        if a == "-" or os.path.exists(a) or (any(c in a for c in "*?[") and globmod.glob(a)):
            return args[:i], args[i:]
    for a in args:
        if "/" in a or os.sep in a or a.lower().endswith(STRUCTURED + (".txt", ".gz")):
            raise UsageError(f"{a}: no such file or folder",
                             f"check the path, or pass a term that looks like a file name with --term {a}")
    return list(args), []


@command(INPUT, LEXICON, OUTPUT)
def trends(args: Optional[list[str]] = typer.Argument(None, metavar="TERM... [PATHS]...", help="Terms, then "
                                                      "files, folders, globs or - (default: the seed articles).",
                                                      show_default=False),
           term: Optional[list[str]] = typer.Option(None, "--term", "-t", help="A term (repeatable); for terms "
                                                    "that are also file names."),
           campaigns: bool = typer.Option(False, "--campaigns", help="Count every campaign name of the lexicon."),
           by: str = typer.Option("year", "--by", help="year, quarter or month."),
           plot_file: Optional[Path] = typer.Option(None, "--plot", help="Also draw a chart: FILE.png, .svg or "
                                                    ".html."),
           measure: str = typer.Option("rate", "--measure", help="What the chart shows: rate (per 10,000 "
                                       "characters) or count."),
           *, loader: Any = None, lexicon: Any = None, out: Any = None) -> None:
    """Counts and rates of terms per year, quarter or month; a sparkline per term on a terminal.

    Undated documents are counted apart (period 'undated') and reported.

    Example: dangjian trends 两学一做 不忘初心、牢记使命 corpus.jsonl --by quarter --plot trend.svg"""
    from .errors import UsageError
    from .output import Table
    from .trends import UNDATED, SPARK_COLUMNS, TREND_COLUMNS, plot, plot_target, term_pattern, trends as compute

    env = environment(out)
    if measure not in ("rate", "count"):
        raise UsageError(f"unknown measure {measure!r}", "use rate or count")
    if plot_file is not None:
        plot_target(plot_file)
    lx = _lexicon(lexicon)
    terms, paths = split_terms(list(args or []))
    terms += list(term or [])
    if campaigns:
        terms += [e.key for e in lx.entries if e.kind == "campaign"]
    if not terms:
        raise UsageError("no terms given", "name terms before the paths, use --term, or --campaigns")
    patterns = [term_pattern(t, lx) for t in terms]
    result = compute(reader(paths, loader, env), patterns, by=by)
    if result.undated_docs:
        env.warn(f"{result.undated_docs} document(s) without a date: counted in period '{UNDATED}'")
    if plot_file is not None:
        for note in plot(result, plot_file, measure=measure, title=f"dangjian trends ({by})"):
            env.warn(note)
    meta = {"provenance": lx.provenance(), "by": by, "undated_documents": result.undated_docs}
    from .output import choose_format

    if choose_format(out.format, out.output, env) == "table":
        first, last = (result.periods[0], result.periods[-1]) if result.periods else ("", "")
        emit(Table(SPARK_COLUMNS, result.spark_rows(), title=f"trends per {by}, {first} to {last}", meta=meta,
                   highlight="term"), out, env)
    else:
        emit(Table(TREND_COLUMNS, result.rows(), title="trends", meta=meta, highlight="term"), out, env)


def _campaigns(files: Optional[list[str]], no_default: bool) -> Any:
    from .classify import load_campaigns

    return load_campaigns(tuple(files or ()), not no_default)


_CAMPAIGN_FILES = typer.Option(None, "--campaigns", help="Campaign definitions file to add (or replace by id).")
_NO_DEFAULT_CAMPAIGNS = typer.Option(False, "--no-default-campaigns", help="Use only the --campaigns files.")


def _warn_unused_tokenizer(tokenizer: Any, env: Any) -> None:
    """The rules match the campaign file's cues on characters: tokenizer options given to them change nothing."""
    from .tokenize import TokenizerConfig

    if tokenizer[0] != TokenizerConfig():
        env.warn("the tokenizer options (--engine, --lexicon, --user-dict, --stopwords, --keep-numbers…) are "
                 "used only by a model (--model, --cv); the rules match the campaign file's cues (--campaigns)")


@command(INPUT, TOKENIZER, OUTPUT)
def classify(paths: Optional[list[str]] = PATHS,
             explain: bool = typer.Option(False, "--explain", help="Add the evidence: cues, counts, where, the "
                                          "date's fit to the window, and the cues of each tag."),
             threshold: float = typer.Option(0.5, "--threshold", help="Confidence below which the label is none "
                                             "(0-1)."),
             model_file: Optional[Path] = typer.Option(None, "--model", help="Use a model made by 'dangjian "
                                                       "train' instead of the rules."),
             campaigns: Optional[list[str]] = _CAMPAIGN_FILES,
             no_default_campaigns: bool = _NO_DEFAULT_CAMPAIGNS,
             *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """Which campaign each article is about (or none): date-aware rules with evidence, or a trained model.

    Example: dangjian classify seeds/ --explain"""
    from . import classify as lib
    from .output import Table

    env = environment(out)
    cs = _campaigns(campaigns, no_default_campaigns)
    docs = reader(paths, loader, env)
    meta = {"provenance": cs.provenance(), "threshold": threshold}
    if model_file is None:
        _warn_unused_tokenizer(tokenizer, env)
        columns = lib.EXPLAIN_COLUMNS if explain else lib.COLUMNS
        rows = (c.row(explain) for c in lib.classify(docs, cs, threshold))
        emit(Table(columns, rows, title="campaigns", meta=meta, highlight="label"), out, env)
        return
    from .model import CampaignModel, classify_with_model

    model = CampaignModel.load(model_file)
    an = analyzer(tokenizer, env)
    try:
        if model.tokenizer_key != an.tokenizer.segmentation_key:
            env.warn(f"{model_file} was trained with other tokenizer settings")
        meta["model"] = str(model_file)
        emit(Table(lib.EXPLAIN_COLUMNS if explain else lib.COLUMNS,
                   classify_with_model(docs, model, an, cs, threshold, explain), title="campaigns (model)",
                   meta=meta, highlight="label"), out, env)
    finally:
        an.close()


@command(INPUT, TOKENIZER, OUTPUT)
def train(paths: Optional[list[str]] = PATHS,
          label_field: str = typer.Option(..., "--label-field", help="The column holding each document's campaign "
                                          "id or none."),
          model_file: Path = typer.Option(..., "--model", help="Where to save the model."),
          campaigns: Optional[list[str]] = _CAMPAIGN_FILES,
          no_default_campaigns: bool = _NO_DEFAULT_CAMPAIGNS,
          *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """Fit a campaign classifier on your labelled documents (TF-IDF + rule features, logistic regression).

    Example: dangjian train labelled.jsonl --label-field campaign --model campaigns.model"""
    from .model import train as fit
    from .output import Table

    env = environment(out)
    writable(model_file)
    cs = _campaigns(campaigns, no_default_campaigns)
    an = analyzer(tokenizer, env)
    try:
        model = fit(reader(paths, loader, env), an, cs, label_field)
        model.save(model_file)
    finally:
        an.close()
    rows = [("model", str(model_file)), ("documents", model.trained_on), ("labels", "|".join(model.labels)),
            ("features", len(model.vectorizer.vocabulary_) + 2 * len(model.campaign_ids))]
    emit(Table(("statistic", "value"), rows, title="trained"), out, env)


@command(INPUT, TOKENIZER, OUTPUT)
def evaluate(paths: Optional[list[str]] = PATHS,
             label_field: str = typer.Option(..., "--label-field", help="The column holding the true label."),
             model_file: Optional[Path] = typer.Option(None, "--model", help="Evaluate this trained model (default: "
                                                       "the rules)."),
             cv: int = typer.Option(0, "--cv", help="k-fold cross-validation of a model trained on these documents "
                                    "(k ≥ 2)."),
             threshold: float = typer.Option(0.5, "--threshold", help="The rules' (or model's) abstention "
                                             "threshold."),
             confusion: bool = typer.Option(False, "--confusion", help="Print the confusion matrix instead of the "
                                            "per-class figures."),
             campaigns: Optional[list[str]] = _CAMPAIGN_FILES,
             no_default_campaigns: bool = _NO_DEFAULT_CAMPAIGNS,
             *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix against your labels.

    Example: dangjian evaluate labelled.jsonl --label-field campaign --cv 5"""
    from .errors import UsageError
    from .model import CampaignModel, evaluate_labelled
    from .output import Table, choose_format

    env = environment(out)
    if model_file is not None and cv:
        raise UsageError("--model and --cv cannot be used together", "--cv trains its own models")
    if cv == 1 or cv < 0:
        raise UsageError("--cv needs k ≥ 2")
    cs = _campaigns(campaigns, no_default_campaigns)
    model = CampaignModel.load(model_file) if model_file is not None else None
    an = analyzer(tokenizer, env) if (model is not None or cv) else None
    if an is None:
        _warn_unused_tokenizer(tokenizer, env)
    try:
        e = evaluate_labelled(reader(paths, loader, env), label_field, cs, threshold, model, an, cv,
                              method=f"model {model_file}" if model is not None else None)
    finally:
        if an is not None:
            an.close()
    method = e.method
    meta = {"method": method, "documents": e.n, "accuracy": e.accuracy, "macro_f1": e.macro_f1,
            "labels": e.labels, "confusion": e.confusion}
    metrics = Table(("label", "precision", "recall", "f1", "support"), e.metric_rows(),
                    title=f"evaluation ({method}): accuracy {e.accuracy:.4g}, macro-F1 {e.macro_f1:.4g}", meta=meta)
    matrix = Table(("gold", *e.labels), e.confusion_rows(),
                   title="confusion matrix (rows: gold label, columns: predicted)", meta=meta)
    if choose_format(out.format, out.output, env) == "table" and not confusion:
        emit(metrics, out, env)
        emit(matrix, out, env)
    else:
        emit(matrix if confusion else metrics, out, env)


@command(INPUT, TOKENIZER, OUTPUT)
def similar(query: Optional[str] = typer.Argument(None, help="A document id of the corpus, a file, or - for text "
                                                   "on stdin.", show_default=False),
            corpus_paths: Optional[list[str]] = typer.Option(None, "--corpus", "-c", help="The corpus to search: a "
                                                             "file, folder or quoted glob, repeated for more "
                                                             "(default: the seed articles)."),
            text: Optional[str] = typer.Option(None, "--text", help="Query with this text."),
            top: int = typer.Option(10, "--top", "-n", help="Neighbours per query."),
            min_score: float = typer.Option(0.0, "--min-score", help="Leave out neighbours below this cosine."),
            all_docs: bool = typer.Option(False, "--all", help="Every document's neighbours (a k-NN table)."),
            matrix: bool = typer.Option(False, "--matrix", help="The full pairwise matrix (small corpora)."),
            force: bool = typer.Option(False, "--force", help="Write --matrix above the size limit."),
            explain: bool = typer.Option(False, "--explain", help="Add the terms that contribute most to each "
                                         "score."),
            *, loader: Any = None, tokenizer: Any = None, out: Any = None) -> None:
    """Documents most like a query (or every document's neighbours): cosine over the corpus's TF-IDF.

    Example: dangjian similar 004_f03987007a3fccd1 --corpus seeds/ --explain"""
    from .errors import UsageError
    from .output import Table
    from . import similar as lib

    env = environment(out)
    modes = sum(bool(x) for x in (query, text is not None, all_docs, matrix))
    if modes != 1:
        if query and modes == 2 and not corpus_paths:
            # `similar --all seeds/`, `similar corpus.jsonl --text …`: the paths other commands take as arguments
            # are the corpus here.
            mode = "--all" if all_docs else "--matrix" if matrix else "--text"
            shown = f"{mode} {text!r}" if mode == "--text" else mode
            raise UsageError(f"{mode} takes no QUERY, and {query!r} was given as one",
                             f"name the corpus with --corpus: dangjian similar {shown} --corpus {query}")
        raise UsageError(("give only one of" if modes else "give one of")
                         + ": QUERY (an id, a file or -), --text, --all or --matrix")
    if top < 0 or not 0.0 <= min_score <= 1.0:
        raise UsageError("--top must be ≥ 0 and --min-score between 0 and 1")
    if text is not None:
        lib.query_text(text)
    an = analyzer(tokenizer, env)
    try:
        vectors = lib.fit_vectors(reader(corpus_paths, loader, env), an)
        meta = {"provenance": an.tokenizer.provenance(), "documents": len(vectors.ids)}
        columns = lib.EXPLAIN_COLUMNS if explain else lib.COLUMNS
        if matrix:
            header, rows = lib.matrix_rows(vectors, force, warn=env.warn)
            emit(Table(header, rows, title="cosine similarity", meta=meta), out, env)
            return
        if all_docs:
            rows = lib.all_neighbours(vectors, top, min_score, explain=explain, threads=loader.jobs, warn=env.warn)
            emit(Table(columns, rows, title="neighbours", meta=meta, highlight="doc_id"), out, env)
            return
        label, q, exclude = lib.resolve_query(vectors, an, query, text, loader, env.warn)
        emit(Table(columns, lib.neighbours(vectors, q, label, top, min_score, exclude, explain), title="neighbours",
                   meta=meta, highlight="doc_id"), out, env)
    finally:
        an.close()


@command(INPUT, OUTPUT)
def duplicates(paths: Optional[list[str]] = PATHS,
               threshold: float = typer.Option(0.5, "--threshold", help="Containment (share of the shorter text's "
                                               "5-character shingles found in the other) that makes a copy."),
               pairs: bool = typer.Option(False, "--pairs", help="List the verified pairs instead of clusters."),
               passages: int = typer.Option(0, "--passages", help="List the shared passages of at least N "
                                            "characters, with offsets in both documents."),
               shares: bool = typer.Option(False, "--shares", help="Every document's copy share and partners."),
               min_shared: int = typer.Option(0, "--min-shared", help="Shingles a pair must share to be a copy, "
                                              "whatever its containment (50 leaves out short items that share "
                                              "only a formula)."),
               *, loader: Any = None, out: Any = None) -> None:
    """Near-duplicates and copies: MinHash/LSH candidates verified by exact Jaccard and containment.

    Example: dangjian duplicates corpus.jsonl --passages 50"""
    from .errors import UsageError
    from .output import Table
    from . import duplicates as lib

    env = environment(out)
    if sum(bool(x) for x in (pairs, passages, shares)) > 1:
        raise UsageError("choose one of --pairs, --passages and --shares")
    result = lib.find_duplicates(reader(paths, loader, env), threshold=threshold, passages=passages,
                                 min_shared=min_shared)
    meta = {"documents": result.documents, "candidate_pairs": result.candidates, "copy_pairs": len(result.pairs),
            "threshold": threshold, "min_shared": min_shared}
    if pairs:
        emit(Table(lib.PAIR_COLUMNS, result.pairs, title="copy pairs", meta=meta), out, env)
    elif passages:
        emit(Table(lib.PASSAGE_COLUMNS, result.passages, title="shared passages", meta=meta), out, env)
    elif shares:
        emit(Table(lib.SHARE_COLUMNS, result.shares, title="copy shares", meta=meta), out, env)
    else:
        emit(Table(lib.CLUSTER_COLUMNS, result.clusters, title="copy clusters (earliest first)", meta=meta,
                   highlight="doc_id"), out, env)


cache_app = typer.Typer(cls=DangjianGroup, help="Inspect or clear the token cache and the corpus matrix cache.",
                        no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@command(OUTPUT, name="info", on=cache_app)
def cache_info(*, out: Any = None) -> None:
    """Where the token cache is, how many documents it holds, its size, and the corpus matrices kept beside it.

    Example: dangjian cache info"""
    from .cache import TokenCache
    from .matrixcache import default_matrix_cache
    from .output import Table

    env = environment(out)
    rows = [*TokenCache().info().items(), *default_matrix_cache().info().items()]
    emit(Table(("field", "value"), rows, title="cache"), out, env)


@cache_app.command("clear", cls=DangjianCommand)
def cache_clear(quiet: bool = typer.Option(False, "--quiet", "-q", help="Say nothing.")) -> None:
    """Delete the token cache and the corpus matrices.

    Example: dangjian cache clear"""
    from .cache import TokenCache
    from .matrixcache import default_matrix_cache

    tokens, matrices = TokenCache(), default_matrix_cache()
    tokens.clear()
    matrices.clear()
    if not quiet:
        typer.echo(f"cleared {tokens.path} and {matrices.folder}")


def _set_up_streams() -> None:
    """Output bytes that do not depend on the locale: a pipe or file gets UTF-8 (as ``--output`` files do), a
    terminal its own encoding. A file name's bytes that are not UTF-8 (lone surrogates to Python) go out as they
    came in, and nothing a terminal cannot show ends the run: it is escaped."""
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        try:
            if stream.isatty():
                stream.reconfigure(errors="backslashreplace")
            else:
                stream.reconfigure(encoding="utf-8", errors=errors)
        except (AttributeError, OSError, ValueError):
            pass  # not a text stream we own (embedded, or replaced by the caller)


def main() -> None:
    from .allocator import tune_allocator

    tune_allocator()
    _set_up_streams()
    app()
