"""The corpus loader: every subcommand reads its documents through ``iter_documents``.

Inputs are files, folders (recursive, ``*.txt`` by default), shell globs and ``-`` for stdin. Plain-text files hold one
document each; ``.jsonl``/``.ndjson``/``.json``/``.csv``/``.tsv`` (optionally ``.gz``) hold one document per row.
Rows stream: a large JSONL file is never read into memory as a whole.
"""
from __future__ import annotations

import csv
import glob as globmod
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from . import metadata
from .encoding import DOUBT_SAMPLE, UndecodableError, canonical_encoding, decode_bytes, doubt_forced, known_binary
from .errors import DangjianWarning, EmptyCorpusError, InputError, UsageError
from .normalize import (LONE_SURROGATE, BoilerplatePatterns, Normalized, OffsetMap, load_boilerplate, normalize,
                        strip_markup)

TEXT_FIELDS = ("text", "content", "body", "正文", "内容", "全文", "fulltext", "full_text", "article", "article_text")
ID_FIELDS = ("id", "doc_id", "docid", "uuid", "guid", "编号", "url")
TITLE_FIELDS = ("title", "标题", "题目", "headline")
DATE_FIELDS = ("date", "日期", "pubdate", "pub_date", "publish_date", "published", "publish_time", "发布时间", "time",
               "datetime")
SOURCE_FIELDS = ("source", "来源", "media", "outlet", "publisher", "newspaper", "报纸")
AUTHOR_FIELDS = ("author", "作者", "reporter", "记者", "byline")
_ATTRIBUTE_OF_FIELD = {name: attr for attr, names in (("title", TITLE_FIELDS), ("date", DATE_FIELDS),
                                                       ("source", SOURCE_FIELDS), ("author", AUTHOR_FIELDS))
                       for name in names}
STRUCTURED = (".jsonl", ".ndjson", ".json", ".csv", ".tsv")

Warn = Callable[[str], None]


def _json_problem(exc: json.JSONDecodeError) -> str:
    """The decoder's message, said plainly where it is cryptic: "Invalid control character at" is a raw line break
    or tab inside a string, most often a record split over two lines of a JSON Lines file."""
    if exc.msg.startswith("Invalid control character"):
        return "a raw control character inside a string: a record split over two lines?"
    return exc.msg


@dataclass
class Document:
    """One article: metadata, the original text as read, and the normalised text analysis runs on."""

    id: str
    text: str
    original: str
    title: str = ""
    date: str = ""
    source: str = ""
    author: str = ""
    script: str = "simplified"
    encoding: str = ""
    path: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    offsets: OffsetMap = field(default_factory=OffsetMap)

    @property
    def chars(self) -> int:
        """Characters of normalised text."""
        return len(self.text)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that normalised ``text[start:end]`` came from."""
        return self.offsets.span_to_original(start, end)

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]

    def get(self, name: str) -> str:
        """A metadata value by name (``year``, ``month``, ``quarter`` and any kept field too)."""
        if name == "year":
            return self.date[:4]
        if name == "month":
            return self.date[:7] if len(self.date) >= 7 else ""
        if name == "quarter":
            if len(self.date) < 7:
                return ""
            return f"{self.date[:4]}-Q{(int(self.date[5:7]) - 1) // 3 + 1}"
        if name in ("id", "title", "date", "source", "author", "script", "encoding", "path"):
            return getattr(self, name)
        value = self.fields.get(name)
        if value is None:
            # A field the loader read as the title, date, source or author (标题, 日期, 来源…) is no longer among the
            # kept fields: asked for by its own name, it is that value.
            return getattr(self, _ATTRIBUTE_OF_FIELD[name.lower()]) if name.lower() in _ATTRIBUTE_OF_FIELD else ""
        return value if type(value) is str else _meta_text(value)


NO_GROUP = "(none)"


def group_of(doc: Document, field: str) -> str:
    """The group a document falls in under ``--group-by FIELD``; documents without a value share NO_GROUP."""
    return doc.get(field) or NO_GROUP


def check_groups(field: str | None, groups: Iterable[str]) -> None:
    """A --group-by that gives no document a value is a mistyped field (or undated documents), not one group."""
    if field and all(g == NO_GROUP for g in groups):
        what = "a date" if field in ("year", "month", "quarter") else f"a value in field {field!r}"
        raise UsageError(f"--group-by {field}: no document has {what}",
                         "use year, quarter, month, source, or a column of the JSONL/CSV/TSV input")


@dataclass(frozen=True)
class LoaderOptions:
    glob: str = "*.txt"
    encoding: str | None = None
    text_field: str | None = None
    id_field: str | None = None
    title_field: str | None = None
    date_field: str | None = None
    source_field: str | None = None
    skip_errors: bool = False
    keep_boilerplate: bool = False
    boilerplate_files: tuple[str, ...] = ()
    use_default_boilerplate: bool = True  # False: only ``boilerplate_files`` (the shipped patterns replaced)
    jobs: int = 1  # processes that make documents (and run a command's per-document work): see parallel.py
    since: str | None = None  # only documents dated on or after (see DateRange)
    until: str | None = None  # only documents dated on or before

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise UsageError(f"--jobs {self.jobs} is not a number of processes", "use 1 or more")
        # Bounds are kept normalised (2019/6 → 2019-06): the matrix cache's key is made of these fields.
        object.__setattr__(self, "since", _date_bound("--since", self.since))
        object.__setattr__(self, "until", _date_bound("--until", self.until))
        if self.keep_boilerplate and self.boilerplate_files:
            raise UsageError("--keep-boilerplate keeps all debris, so the --boilerplate patterns would not be used",
                             "to use only your own patterns, give --no-default-boilerplate with --boilerplate")
        if self.since and self.until:
            n = min(len(self.since), len(self.until))
            if self.since[:n] > self.until[:n]:
                raise UsageError(f"--since {self.since} is after --until {self.until}", "swap them")
        if self.encoding:
            try:
                canonical_encoding(self.encoding)
            except ValueError:
                raise UsageError(f"unknown encoding {self.encoding!r}",
                                 "use utf-8, utf-8-sig, utf-16, gb18030, gbk, big5 or another codec Python "
                                 "knows") from None

    @property
    def dates(self) -> DateRange | None:
        """The documents' date range, or None when every document is read."""
        return DateRange(self.since or "", self.until or "") if self.since or self.until else None

    def all_dates(self) -> LoaderOptions:
        """The same options without a date range: for input that is not the corpus under study (a similarity
        query, the corpus IDF is fitted on)."""
        return replace(self, since=None, until=None) if self.dates else self


def _date_bound(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    date = metadata.normalize_date(value)
    if not date or not value.strip()[:1].isdigit():
        raise UsageError(f"{option} {value!r} is not a date", "use YYYY, YYYY-MM or YYYY-MM-DD")
    return date


@dataclass(frozen=True)
class DateRange:
    """Which documents ``--since``/``--until`` let through, by their date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
    Both bounds are inclusive and compared at the coarser precision of the two: ``--until 2019`` takes in
    2019-12-31, and a document dated only 2019 is within ``--since 2019-06`` (it may be from any month of 2019). A
    document without a date is outside every range: its commands' figures would otherwise mix periods."""

    since: str = ""
    until: str = ""

    def admits(self, date: str) -> bool:
        if not date:
            return False
        if self.since and date[:len(self.since)] < self.since[:len(date)]:
            return False
        return not (self.until and date[:len(self.until)] > self.until[:len(date)])

    def __str__(self) -> str:
        return " ".join(f"{option} {bound}" for option, bound in (("--since", self.since), ("--until", self.until))
                        if bound)


class LeftOut(NamedTuple):
    """A document outside the date range: what a worker sends back instead of it, so that the main process can
    count what was left out."""

    undated: bool


class DateTally:
    """The documents one pass over a corpus left out for their dates. At the end of the pass the reader says, once,
    how many had no date (a corpus whose dates are in a column the loader did not find would otherwise shrink
    without a word); when no document was in the range, the pass ends in EmptyCorpusError, which says so."""

    def __init__(self, reader: CorpusReader) -> None:
        self.reader = reader
        self.kept = self.outside = self.undated = 0

    def keep(self, doc: Document) -> bool:
        """Whether the document is in the range; counted either way."""
        left_out = self.reader.maker.left_out(doc)
        self.count(left_out)
        return left_out is None

    def count(self, left_out: LeftOut | None) -> None:
        """One document: kept (None), or left out and why (what a worker sent back instead of it)."""
        if left_out is None:
            self.kept += 1
        elif left_out.undated:
            self.undated += 1
        else:
            self.outside += 1

    def end(self) -> None:
        reader = self.reader
        dates = reader.maker.dates
        if dates is None or reader.dates_said or not (self.outside or self.undated):
            return
        reader.dates_said = True
        if not self.kept:
            raise EmptyCorpusError(f"no document is dated within {dates} ({self.outside:,} dated outside it, "
                                   f"{self.undated:,} without a date)",
                                   "widen the range, or name the date column with --date-field")
        if self.undated:
            s = "s" if self.undated > 1 else ""
            reader.say(f"{self.undated:,} document{s} without a date left out by {dates}; if the dates are in a "
                       "column, name it with --date-field")


DOUBTS_SAID = 5  # files named in a warning that a forced encoding does not give Chinese text


def python_warning(message: str) -> None:
    """A warning for a Python caller that gave no ``warn`` callback."""
    import warnings

    warnings.warn(message, DangjianWarning, stacklevel=3)


class IdTally:
    """How many documents carry each id, for commands whose rows name documents by id: when two documents share an
    id their rows cannot be told apart (and in a scraped dump the same article is often there twice). Keeps every
    id it is given, so only commands that hold or emit a row per document use it."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._seen: set[str] = set()
        self._shared: dict[str, int] = {}  # id → its documents, for ids seen more than once, in order of the repeat
        for doc_id in ids:
            self.add(doc_id)

    def add(self, doc_id: str) -> None:
        if doc_id in self._seen:
            self._shared[doc_id] = self._shared.get(doc_id, 1) + 1
        else:
            self._seen.add(doc_id)

    @property
    def shared(self) -> dict[str, int]:
        """Ids that more than one document has, with their number of documents, in the order they repeat."""
        return dict(self._shared)

    def warning(self) -> str | None:
        """What to tell the user, or None when every id is distinct."""
        if not self._shared:
            return None
        first, n = next(iter(self._shared.items()))
        k = len(self._shared)
        return (f"{k:,} id{'s' if k > 1 else ''} name{'' if k > 1 else 's'} more than one document (first: "
                f"{first!r}, {n} documents), so their rows cannot be told apart: give each document its own id "
                "(--id-field), or drop repeated articles ('dangjian duplicates' finds them)")


def warn_about_shared_ids(ids: Iterable[str], warn: Warn | None) -> None:
    """Say through ``warn`` that some ids name more than one document (nothing when each is distinct): for a table
    that names every document by id, made from ids already in hand (a matrix's rows)."""
    message = IdTally(ids).warning()
    if message and warn is not None:
        warn(message)


class CorpusReader:
    """Reads documents from paths with one set of options. Create once, iterate as often as needed."""

    def __init__(self, paths: Iterable[str], options: LoaderOptions | None = None, warn: Warn | None = None,
                 stdin: BinaryIO | None = None) -> None:
        self.paths = list(paths)
        self.options = options or LoaderOptions()
        self.warn = warn or python_warning  # the CLI passes its own (said on stderr unless --quiet)
        self.warnings: list[str] = []  # every warning given, in order (a cached result says them again)
        self._stdin = stdin
        self._stdin_cache: bytes | None = None
        self.boilerplate: BoilerplatePatterns | None = (
            None if self.options.keep_boilerplate
            else load_boilerplate(self.options.boilerplate_files, self.options.use_default_boilerplate)
        )
        self.maker = DocumentMaker(self.boilerplate, self.options.dates)
        self.dates_said = False  # DateTally.end: what the date range left out is said once per reader
        self.rows = RowParser(self.options)
        self.skipped = 0
        self._sources: list[str] | None = None
        self._doubted: set[str] = set()  # files whose forced encoding was doubted (see _doubt_encoding)

    # -- sources -------------------------------------------------------------------------------------------------
    def sources(self) -> list[str]:
        """The files to read, in a stable order, with ``-`` for stdin; found once per reader (the matrix cache's
        key and the reading itself use the same list). A file named twice (by a folder and by its own path, say) is
        read once, with a warning: its documents would otherwise be counted twice."""
        if self._sources is None:
            self._sources = self._find_sources()
        return self._sources

    def _find_sources(self) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        again: list[str] = []

        def add(files: Iterable[str]) -> None:
            for f in files:
                key = f if f == "-" else os.path.realpath(f)  # stdin named twice is read once too
                if key in seen:
                    again.append(f)
                else:
                    seen.add(key)
                    out.append(f)

        for p in self.paths:
            if p == "-":
                add(["-"])
                continue
            path = Path(p)
            if path.is_dir():
                found = sorted(str(f) for f in path.rglob(self.options.glob) if f.is_file())
                if not found:
                    self._problem(p, f"folder has no files matching {self.options.glob!r}",
                                  "pass --glob to choose other files")
                add(found)
            elif path.is_file():
                add([p])
            elif any(ch in p for ch in "*?["):
                found = sorted(f for f in globmod.glob(p, recursive=True) if Path(f).is_file())
                if not found:
                    self._problem(p, "no file matches this pattern", "check the pattern")
                add(found)
            elif path.exists():  # a pipe (`<(zcat …)`) or a device: an input file may be read more than once (the
                # matrix cache hashes it, workers read their ranges of it), a pipe only once
                self._problem(p, "is not a regular file (a pipe or a device)",
                              "pipe it in and pass - to read stdin, or save it to a file first")
            else:
                self._problem(p, "no such file or folder", "check the path")
        if again:
            named = ", ".join(again[:3]) + (", …" if len(again) > 3 else "")
            self.say(f"{len(again)} file{'s are' if len(again) > 1 else ' is'} named more than once in the paths "
                     f"given ({named}); each file is read once")
        fields = [f"--{name}-field" for name in ("text", "id", "title", "date", "source")
                  if getattr(self.options, f"{name}_field")]
        if fields and out and "-" not in out and not any(_format_of(f)[0] in STRUCTURED for f in out):
            self.say(f"{', '.join(fields)} {'is' if len(fields) == 1 else 'are'} not used: the input is plain text, "
                     "which has no fields (they name columns of JSONL, JSON, CSV or TSV files)")
        return out

    def say(self, message: str) -> None:
        """A warning given (to ``warn``) and kept in ``warnings``."""
        self.warnings.append(message)
        self.warn(message)

    def _problem(self, path: str, message: str, hint: str | None = None) -> None:
        if self.options.skip_errors:
            self.skipped += 1
            self.say(f"{path}: {message}; skipped")
            return
        raise InputError(path, message, hint or "pass --skip-errors to skip it")

    # -- documents -----------------------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Document]:
        return self.in_range(map(self.maker, self.records()))

    def in_range(self, docs: Iterator[Document]) -> Iterator[Document]:
        """``docs`` without those outside the date range (``--since``/``--until``), counted and said at the end."""
        return docs if self.maker.dates is None else self._in_range(docs)

    def _in_range(self, docs: Iterator[Document]) -> Iterator[Document]:
        tally = self.date_tally()
        yield from filter(tally.keep, docs)
        tally.end()

    def date_tally(self) -> DateTally:
        return DateTally(self)

    def records(self) -> Iterator[RawRecord]:
        """The raw documents, read and decoded but not normalised."""
        return self._stream(parse_lines=True)

    def units(self, range_lines: int = 128, range_bytes: int = 400_000) -> Iterator[RawRecord | JsonLine | JsonRange]:
        """What worker processes turn into Documents, in input order: raw documents, except that the rows of a JSON
        Lines file are left to the workers: an uncompressed file comes as ranges of its lines (``JsonRange``, at most
        ``range_lines`` rows or ``range_bytes`` bytes each), which a worker reads from the file itself; a compressed
        one as its undecoded lines (``JsonLine``). Workers parse them with ``rows`` (reading, parsing and sending
        every line from this process bounded the fast commands)."""
        return self._stream(parse_lines=False, range_lines=range_lines, range_bytes=range_bytes)

    def _stream(self, parse_lines: bool, range_lines: int = 0, range_bytes: int = 0) -> Iterator[Any]:
        seen_stems: set[str] = set()
        for number, source in enumerate(self.sources()):
            try:
                if source == "-":
                    yield from self._read_stdin()
                    continue
                ext, gz = _format_of(source)
                if ext in (".jsonl", ".ndjson"):
                    if not gz:
                        self._check_not_binary(source)
                    if not parse_lines and not gz:
                        yield from self._jsonl_ranges(number, source, range_lines, range_bytes)
                        continue
                    lines = self._jsonl_lines(source, gz)
                    if parse_lines:
                        for n, line, enc, _ in lines:
                            record = self._parsed(self.rows.line(line, source, n, enc))
                            if record is not None:
                                yield record
                    else:
                        yield from (JsonLine(number, source, n, enc, line) for n, line, enc, _ in lines)
                elif ext in STRUCTURED:
                    yield from self._read_structured(source, ext, gz)
                else:
                    yield self._read_plain(source, gz, seen_stems)
            except InputError as exc:
                self.failed(exc)

    def _check_not_binary(self, path: str) -> None:
        """A JSON Lines file that is a PDF, a spreadsheet or gzip data is said to be so (and skipped whole with
        --skip-errors), rather than each of its "lines" being said not to be UTF-8."""
        try:
            with open(path, "rb") as fh:
                known = known_binary(fh.read(16))
        except OSError as exc:
            raise _read_failure(path, exc) from None
        if known:
            message, hint = known
            raise InputError(path, message, f"{hint}, or pass --skip-errors to skip it")

    def failed(self, exc: InputError) -> None:
        """A source that cannot be read further: raised, or with ``skip_errors`` said and counted."""
        if not self.options.skip_errors:
            raise exc
        self.skipped += 1
        self.say(exc.skipped())

    def _open_bytes(self, path: str, gz: bool) -> bytes:
        try:
            if gz:
                with gzip.open(path, "rb") as f:
                    return f.read()
            return Path(path).read_bytes()
        except (OSError, EOFError, zlib.error) as exc:
            raise _read_failure(path, exc) from None

    def _decode(self, path: str, data: bytes) -> tuple[str, str]:
        try:
            decoded = decode_bytes(data, self.options.encoding)
        except UndecodableError as exc:
            hint = exc.hint or ("pass --encoding (utf-8, gb18030, big5, utf-16)" if not self.options.encoding else
                                "check --encoding")
            raise InputError(path, str(exc), hint + ", or --skip-errors to skip it") from None
        self._doubt_encoding(path, data)
        return decoded

    def _doubt_encoding(self, path: str, data: bytes) -> None:
        """Says when the file's start, read as the encoding forced by --encoding, does not look like Chinese: for
        the first ``DOUBTS_SAID`` files, then once that there are more (one encoding is forced on every file, so a
        folder of thousands would otherwise give thousands of lines)."""
        if not self.options.encoding or path in self._doubted or len(self._doubted) > DOUBTS_SAID:
            return
        doubt = doubt_forced(data, self.options.encoding)
        if doubt is None:
            return
        self._doubted.add(path)
        if len(self._doubted) <= DOUBTS_SAID:
            self.say(f"{path}: {doubt}")
        else:
            self.say(f"{path} and maybe more files: read as {canonical_encoding(self.options.encoding)} "
                     "(--encoding), the text does not look like Chinese either; they are not named")

    def _read_plain(self, path: str, gz: bool, seen_stems: set[str]) -> RawRecord:
        data = self._open_bytes(path, gz)
        if not data.strip():
            raise InputError(path, "file is empty", "remove it, or pass --skip-errors to skip it")
        raw, enc = self._decode(path, data)
        stem = Path(path).name.split(".")[0]
        doc_id = stem if stem not in seen_stems else str(Path(path).with_suffix(""))
        seen_stems.add(stem)
        return RawRecord(doc_id, raw, {}, enc, path)

    def text_document(self, text: str, ident: str = "text") -> Document:
        """A document from a string, normalised with this reader's options (for queries given on the command
        line)."""
        return self.maker(RawRecord(ident, text, {}, "utf-8", "-"))

    def _read_stdin(self) -> Iterator[RawRecord]:
        if self._stdin_cache is None:
            stream = self._stdin if self._stdin is not None else sys.stdin.buffer
            self._stdin_cache = stream.read()
        data = self._stdin_cache
        if not data.strip():
            raise InputError("<stdin>", "no input on standard input", "pipe text or JSONL into the command")
        raw, enc = self._decode("<stdin>", data)
        lines = [ln for ln in raw.splitlines() if ln.strip()]
        rows = []
        if lines and all(ln.lstrip().startswith("{") for ln in lines):
            try:
                rows = [json.loads(ln) for ln in lines]
            except json.JSONDecodeError:
                rows = []
        if rows and all(isinstance(r, dict) for r in rows):
            escapes = "\\u" in raw
            for n, row in enumerate(rows, 1):
                record = self._from_row(row, "<stdin>", n, enc, escapes=escapes)
                if record is not None:
                    yield record
        else:
            yield RawRecord("stdin", raw, {}, enc, "-")

    def _read_structured(self, path: str, ext: str, gz: bool) -> Iterator[RawRecord]:
        """.json, .csv and .tsv files (JSON Lines are read line by line in ``_stream``)."""
        data = self._open_bytes(path, gz)
        if not data.strip():
            raise InputError(path, "file is empty", "remove it, or pass --skip-errors to skip it")
        raw, enc = self._decode(path, data)
        if ext == ".json":
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(path, f"not valid JSON (line {exc.lineno}: {_json_problem(exc)})",
                                 "fix the file, or use JSON Lines (.jsonl)") from None
            if isinstance(value, dict):
                inner = next((value[k] for k in ("documents", "docs", "data", "items", "articles")
                              if isinstance(value.get(k), list)), None)
                value = inner if inner is not None else [value]
            if not isinstance(value, list):
                raise InputError(path, "JSON must be an object or a list of objects")
            escapes = "\\u" in raw
            for n, row in enumerate(value, 1):
                if not isinstance(row, dict):
                    raise InputError(path, f"item {n} is not a JSON object")
                record = self._from_row(row, path, n, enc, escapes=escapes)
                if record is not None:
                    yield record
            return
        del data
        yield from self._read_table(path, raw, enc, "\t" if ext == ".tsv" else ",")

    def _read_table(self, path: str, raw: str, enc: str, delimiter: str) -> Iterator[RawRecord]:
        """The rows of a CSV or TSV file, numbered by the line each starts on (a quoted field may hold newlines).
        Its mistakes that would otherwise cut or swallow text silently are said: a row with more values than the
        header has columns (a delimiter in unquoted text), and a quotation mark never closed (everything after it
        read as one field)."""
        csv.field_size_limit(2**31 - 1)  # (the default, 131,072 characters, is less than a long report)
        reader = csv.DictReader(io.StringIO(raw), delimiter=delimiter)
        columns = len(reader.fieldnames or ())
        self._say_repeated_columns(path, reader.fieldnames or [])
        last_line = raw.count("\n") + (not raw.endswith("\n"))
        start = 2
        for row in reader:
            n, start = start, reader.line_num + 1
            if None in row:
                self._bad_row(InputError(f"{path}:{n}", f"{columns + len(row[None])} values for {columns} columns (a "
                                         f"{'tab' if delimiter == chr(9) else 'comma'} in text that is not quoted?)",
                                         "quote that field, or pass --skip-errors to skip the row"))
                continue
            if reader.line_num > n and reader.line_num >= last_line and not _quotes_close(raw, n, delimiter):
                raise InputError(f"{path}:{n}", "a quotation mark in this row is never closed, so the rest of the file "
                                 "would be one field", "close it, or pass --skip-errors to skip the rest",
                                 lines_read=n - 1 if n > 2 else 0)
            record = self._from_row(row, path, n, enc)
            if record is not None:
                yield record

    def _say_repeated_columns(self, path: str, names: list[str]) -> None:
        # A row keeps one value per name: of columns that share a name, all but the last would be lost unsaid.
        at: dict[str, list[int]] = {}
        for k, name in enumerate(names, 1):
            at.setdefault(name, []).append(k)
        for name, columns in at.items():
            if len(columns) > 1:
                self.say(f"{path}: the header names {len(columns)} columns {name!r} (columns "
                         f"{', '.join(map(str, columns))}); only the last is read: rename the others to read them")

    def _bad_row(self, exc: InputError) -> None:
        self.row_skipped(self.rows.bad_row(exc))

    def _jsonl_lines(self, path: str, gz: bool) -> Iterator[tuple[int, bytes, str, int]]:
        """(line number, line, encoding, bytes read so far) of each non-blank line of a JSON Lines file."""
        opener = gzip.open if gz else open
        try:
            fh = opener(path, "rb")
        except OSError as exc:
            raise _read_failure(path, exc) from None
        enc = canonical_encoding(self.options.encoding) if self.options.encoding else "utf-8"
        if self.options.encoding:
            try:  # said before any row's warning, with any --jobs
                with opener(path, "rb") as head:
                    self._doubt_encoding(path, head.read(DOUBT_SAMPLE))
            except (OSError, EOFError, zlib.error):
                pass  # reading the lines below says what is wrong
        any_row = False
        pos = 0
        n = 0
        with fh:
            lines = enumerate(fh, 1)
            while True:
                try:
                    n, line = next(lines)
                except StopIteration:
                    break
                except (OSError, EOFError, zlib.error) as exc:
                    raise _read_failure(path, exc, after_line=n) from None
                pos += len(line)
                if n == 1 and line.startswith(BOM):
                    enc = "utf-8-sig"
                row = _row_line(n, line)
                if row is None:
                    continue
                any_row = True
                yield n, row, enc, pos
        if not any_row:
            raise InputError(path, "file is empty", "remove it, or pass --skip-errors to skip it")

    def _jsonl_ranges(self, number: int, path: str, most_lines: int, most_bytes: int) -> Iterator[JsonRange]:
        """The non-blank lines of an uncompressed JSON Lines file as ranges of bytes (see ``JsonRange``): the lines
        are only measured here, and read again by the worker that parses them."""
        start = end = 0  # bytes: where the range being measured starts, and where its last row ends
        first = 1  # the range's first line
        rows = 0
        enc = "utf-8"
        for n, _line, enc, end in self._jsonl_lines(path, False):
            rows += 1
            if rows >= most_lines or end - start >= most_bytes:
                yield JsonRange(number, path, start, end, first, rows, enc)
                start, first, rows = end, n + 1, 0
        if rows:
            yield JsonRange(number, path, start, end, first, rows, enc)

    # -- rows ----------------------------------------------------------------------------------------------------
    def _from_row(self, row: dict[str, Any], path: str, n: int, enc: str, escapes: bool = False) -> RawRecord | None:
        return self._parsed(self.rows.record(row, path, n, enc, escapes))

    def _parsed(self, outcome: RawRecord | str) -> RawRecord | None:
        """A record, or None for a skipped row (its warning said)."""
        if isinstance(outcome, str):
            self.row_skipped(outcome)
            return None
        if "notice" in outcome.meta:
            self.say(outcome.meta["notice"])
        return outcome

    def row_skipped(self, message: str) -> None:
        """A row that gave no document (empty text): said and counted."""
        self.say(message)
        self.skipped += 1


class RowParser:
    """Rows (JSON objects, CSV rows, lines of JSON Lines) → raw records, with the loader's field options.
    Picklable, so that worker processes parse JSON Lines too."""

    def __init__(self, options: LoaderOptions) -> None:
        self.options = options
        self._keys: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"options": self.options, "_keys": {}}

    def line(self, line: bytes, path: str, n: int, enc: str) -> RawRecord | str:
        """One line of a JSON Lines file: its record, or the warning of a row skipped. A line that is not a JSON
        object in ``enc`` (or lacks the text field) is an InputError, or with ``skip_errors`` a row skipped: one
        damaged line in a dump of a million costs that line, not the rest of the file."""
        try:
            try:
                row = json.loads(line.decode(enc))
            except UnicodeDecodeError:
                raise InputError(f"{path}:{n}", f"not valid {enc}",
                                 "check --encoding" if self.options.encoding else
                                 "JSON Lines must be UTF-8; pass --encoding if it is not") from None
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}", f"not valid JSON ({_json_problem(exc)})", "fix that line") from None
            if not isinstance(row, dict):
                raise InputError(f"{path}:{n}", "line is not a JSON object", "fix that line")
            return self.record(row, path, n, enc, escapes=b"\\u" in line)
        except InputError as exc:
            return self.bad_row(exc)

    def bad_row(self, exc: InputError) -> str:
        """A row that cannot be read as it stands (a JSON line, a CSV row): the error raised, or with
        ``skip_errors`` the warning of that row skipped. The one place that decides it, in workers too."""
        if not self.options.skip_errors:
            raise exc
        return exc.skipped()

    def record(self, row: dict[str, Any], path: str, n: int, enc: str, escapes: bool = False) -> RawRecord | str:
        """A row's record, or the warning of a row skipped (empty text). ``escapes``: the row came from JSON with
        ``\\u`` escapes, which may hold half of a UTF-16 pair (a scraper that cut text between the halves of an
        emoji): such a half cannot be written as UTF-8, so it becomes U+FFFD, one character for one, with a notice."""
        where = f"{path}:{n}"
        repaired = False
        if escapes:
            row, repaired = _without_lone_surrogates(row)
        # Rows of one file mostly share their fields: which field is the text, id, title… is decided once per set
        # of field names.
        shape = tuple(row)
        keys = self._keys.get(shape)
        if keys is None:
            keys = self._keys[shape] = self._keys_of(row, where)
        text_key, id_key, title_key, date_key, source_key, author_key, extra_keys = keys
        text = row[text_key]
        if type(text) is not str:
            value, text = text, _json_text(text)
            if text is None:
                kind = {dict: "an object", bool: "true or false"}.get(type(value), "a list holding more than text")
                return f"{where}: text field {text_key!r} is {kind}, not text; skipped"
        if not text.strip():
            return f"{where}: empty text; skipped"
        doc_id = row[id_key] if id_key is not None else None
        title = row[title_key] if title_key is not None else None
        date = row[date_key] if date_key is not None else None
        source = row[source_key] if source_key is not None else None
        author = row[author_key] if author_key is not None else None
        meta = {
            "title": title.strip() if type(title) is str else _meta_text(title),
            "date": metadata.normalize_date(date),
            "date_given": date is not None and str(date).strip() != "",
            "source": source.strip() if type(source) is str else _meta_text(source),
            "author": author.strip() if type(author) is str else _meta_text(author),
        }
        notices = []
        if meta["date_given"] and not meta["date"]:
            # Said, not guessed: the row's own date field wins over a date in its text. No value in the message,
            # so that a file of such rows is summed up as one kind of warning.
            notices.append("date not understood, so the document is undated; write dates as YYYY-MM-DD, YYYY-MM, "
                           "YYYY, YYYYMMDD or 2016年3月5日")
        if repaired:
            notices.append("half of a UTF-16 surrogate pair (a \\ud800-\\udfff escape standing alone) replaced by "
                           "U+FFFD")
        if notices:
            meta["notice"] = f"{where}: {'; '.join(notices)}"
        ident = str(doc_id) if doc_id not in (None, "") else f"{_stem(path)}:{n}"
        extra = {k: row[k] for k in extra_keys}
        return RawRecord(ident, text, meta, enc, path if path != "<stdin>" else "-", extra)

    def _keys_of(self, row: dict[str, Any], where: str) -> tuple[Any, ...]:
        """The fields of a row that hold the text, id, title, date, source and author (None: absent), and the
        others."""
        o = self.options
        lowered = {str(k).lower(): k for k in row}
        text_key = self._field(row, lowered, o.text_field, TEXT_FIELDS, where, "text")
        if text_key is None:
            raise InputError(where, f"no text field found (fields: {', '.join(map(str, row))})",
                             "name it with --text-field")
        id_key = self._field(row, lowered, o.id_field, ID_FIELDS, where, "id")
        title_key = self._field(row, lowered, o.title_field, TITLE_FIELDS, where, "title")
        date_key = self._field(row, lowered, o.date_field, DATE_FIELDS, where, "date")
        source_key = self._field(row, lowered, o.source_field, SOURCE_FIELDS, where, "source")
        author_key = self._field(row, lowered, None, AUTHOR_FIELDS, where, "author")
        used = {text_key, id_key, title_key, date_key, source_key, author_key}
        return (text_key, id_key, title_key, date_key, source_key, author_key, tuple(k for k in row if k not in used))

    @staticmethod
    def _field(row: dict[str, Any], lowered: dict[str, Any], explicit: str | None, candidates: tuple[str, ...],
               where: str, what: str) -> Any:
        if explicit:
            if explicit not in row:
                raise InputError(where, f"has no field {explicit!r} (fields: {', '.join(map(str, row))})",
                                 f"check --{what}-field")
            return explicit
        for c in candidates:
            if c in lowered:
                return lowered[c]
        return None


class JsonLine(NamedTuple):
    """One undecoded line of a JSON Lines file, numbered, with the number of its source among the reader's."""

    source: int
    path: str
    n: int
    encoding: str
    line: bytes


class JsonRange(NamedTuple):
    """Consecutive lines of an uncompressed JSON Lines file, given by where they stand in it (bytes ``start`` to
    ``end``; the first is line ``first``), with the number of its source among the reader's: a worker reads and
    parses them itself (``json_lines``), so that their bytes never pass through the main process. ``rows``: the
    non-blank lines among them. ``encoding`` is the file's (``utf-8-sig`` after a byte order mark)."""

    source: int
    path: str
    start: int
    end: int
    first: int
    rows: int
    encoding: str

    def json_lines(self) -> list[JsonLine]:
        """The range's non-blank lines, read from the file; InputError when it cannot be read as it was measured."""
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.start)
                data = fh.read(self.end - self.start)
        except OSError as exc:
            raise InputError(self.path, f"cannot read ({exc.strerror})", "check the file",
                             lines_read=self.first - 1) from None
        if len(data) != self.end - self.start:
            raise InputError(self.path, "the file changed while it was read", "run again on a file not being written",
                             lines_read=self.first - 1)
        out = []
        for n, line in enumerate(io.BytesIO(data), self.first):
            row = _row_line(n, line)
            if row is not None:
                out.append(JsonLine(self.source, self.path, n, self.encoding, row))
        return out


def _quotes_close(raw: str, line: int, delimiter: str) -> bool:
    """Whether the CSV text from ``line`` (1-based) on ends outside a quoted field: the strict parser says so."""
    tail = "".join(io.StringIO(raw).readlines()[line - 1:])
    try:
        for _ in csv.reader(io.StringIO(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" not in str(exc)
    return True


def _json_text(value: Any) -> str | None:
    """The text of a text field that is not a string: "" for null, a number as written, a list of paragraphs (the
    way many scrapers store an article) one a line; None for what is not text (an object, true or false, a list
    holding one)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        parts = [_json_text(v) for v in value]
        return None if any(p is None for p in parts) else "\n".join(p for p in parts if p)
    return value if isinstance(value, str) else None


def _meta_text(value: Any) -> str:
    """A metadata field that is not a string, as text: a list of texts joined by spaces (several authors), else
    the value as JSON writes it (never Python's repr)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(v.strip() for v in value if v.strip())
    text = _json_text(value) if not isinstance(value, list) else None
    return text.strip() if text is not None else json.dumps(value, ensure_ascii=False, default=str)


def _without_lone_surrogates(value: Any) -> tuple[Any, bool]:
    """``value`` (a JSON value) with every lone surrogate in its strings replaced by U+FFFD, and whether any was."""
    if isinstance(value, str):
        return (LONE_SURROGATE.sub("\ufffd", value), True) if LONE_SURROGATE.search(value) else (value, False)
    if isinstance(value, dict):
        pairs = [(_without_lone_surrogates(k), _without_lone_surrogates(v)) for k, v in value.items()]
        if any(k[1] or v[1] for k, v in pairs):
            return {k[0]: v[0] for k, v in pairs}, True
        return value, False
    if isinstance(value, list):
        items = [_without_lone_surrogates(v) for v in value]
        if any(changed for _, changed in items):
            return [v for v, _ in items], True
    return value, False


def _read_failure(path: str, exc: BaseException, after_line: int = 0) -> InputError:
    """The error for a file that cannot be read through: damaged or mislabelled compression, or the system's refusal.
    ``after_line``: the rows before it were read (and used) already."""
    # BadGzipFile is also what a failed CRC or length check raises: only a wrong magic number means "not gzip".
    if isinstance(exc, gzip.BadGzipFile) and str(exc).startswith("Not a gzipped file"):
        reason, hint = "not a gzip file, though its name ends in .gz", "rename it, or compress it with gzip"
    elif isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
        reason, hint = "its gzip data is damaged or cut short", "compress the file again"
    else:
        reason, hint = f"cannot read ({getattr(exc, 'strerror', None) or exc})", "check the file"
    if after_line:
        reason += f" after line {after_line}"
    return InputError(path, reason, hint + ", or pass --skip-errors to skip it", lines_read=after_line)


def _row_line(n: int, line: bytes) -> bytes | None:
    """Line ``n`` of a JSON Lines file as a row (a byte order mark taken off the first), or None for a blank line."""
    if n == 1 and line.startswith(BOM):
        line = line[3:]
    if line.isspace() or not line:  # (no copy of the line, as strip() would make)
        return None
    return line


def unit_rows(unit: RawRecord | JsonLine | JsonRange) -> int:
    """How many documents a unit of ``CorpusReader.units`` may give (a range: its non-blank lines)."""
    return unit.rows if type(unit) is JsonRange else 1


BOM = b"\xef\xbb\xbf"


def _format_of(path: str) -> tuple[str, bool]:
    """A file's format by its name: the extension before any ``.gz`` (lower case, with the dot), and whether it is
    gzipped."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    return (suffixes[-2] if gz and len(suffixes) > 1 else suffixes[-1]) if suffixes else "", gz


@lru_cache(maxsize=64)
def _stem(path: str) -> str:
    """What ids of rows without one start with: the file's name up to its first dot."""
    return Path(path).name.split(".")[0] if path != "<stdin>" else "stdin"


class RawRecord(NamedTuple):
    """A document as read: id, raw text, metadata found in the row, encoding, path and the row's other fields."""

    doc_id: str
    raw: str
    meta: dict[str, Any]
    encoding: str
    path: str
    extra: dict[str, Any] | None = None


class DocumentMaker:
    """Turns a raw record into a Document: normalisation, and metadata found in the text. Picklable, so worker
    processes can run it."""

    def __init__(self, boilerplate: BoilerplatePatterns | None, dates: DateRange | None = None) -> None:
        self.boilerplate = boilerplate
        self.dates = dates

    def left_out(self, doc: Document) -> LeftOut | None:
        """None when the document is in the date range (or there is none); else why it is left out."""
        if self.dates is None or self.dates.admits(doc.date):
            return None
        return LeftOut(not doc.date)

    def __call__(self, record: RawRecord) -> Document:
        doc_id, raw, meta, enc, path, extra = record
        norm: Normalized = normalize(raw, self.boilerplate)
        title = meta.get("title")
        title = strip_markup(title) if title else _title_from(norm, raw, self.boilerplate)
        date = meta.get("date") or ("" if meta.get("date_given") else metadata.date_from_text(norm.converted))
        source = meta.get("source") or metadata.source_from_text(norm.converted)
        author = meta.get("author") or metadata.author_from_text(norm.converted)
        return Document(id=doc_id, text=norm.text, original=raw, title=title, date=date, source=source,
                        author=author, script=norm.script, encoding=enc, path=path, fields=extra or {},
                        offsets=norm.offsets)


def _title_from(norm: Normalized, raw: str, boilerplate: BoilerplatePatterns | None) -> str:
    """The first line, if it looks like a title (short, no sentence-final punctuation), in the original script."""
    start = 0
    text = norm.text
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end]
        if line.strip() and not (boilerplate and boilerplate.is_debris_line(line)) and ">>" not in line:
            if metadata.looks_like_title(line):
                a, b = norm.offsets.span_to_original(start, end)
                return " ".join(strip_markup(raw[a:b]).split())
            return ""
        start = end + 1
    return ""


def iter_documents(paths: Iterable[str], options: LoaderOptions | None = None, warn: Warn | None = None
                   ) -> Iterator[Document]:
    """Stream the documents of ``paths``."""
    return iter(CorpusReader(paths, options, warn))


def load_documents(paths: Iterable[str], options: LoaderOptions | None = None, warn: Warn | None = None
                   ) -> list[Document]:
    """All documents of ``paths`` in a list; raises EmptyCorpusError when there are none."""
    docs = list(iter_documents(paths, options, warn))
    if not docs:
        raise EmptyCorpusError()
    return docs


def default_corpus_paths() -> list[str]:
    """The embedded seed articles: the default corpus when a command is given no paths."""
    from importlib import resources

    packaged = resources.files("dangjian_cli").joinpath("seeds")
    if packaged.is_dir():
        return [str(packaged)]
    repo_seeds = Path(__file__).resolve().parents[2] / "seeds"
    if repo_seeds.is_dir():
        return [str(repo_seeds)]
    raise UsageError("no input paths given and no embedded seed corpus found", "pass files or folders to analyse")
