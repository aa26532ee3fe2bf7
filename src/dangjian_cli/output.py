"""The output layer shared by every command: rows with named columns rendered as a Rich table on a terminal and
as TSV/CSV/JSON/JSONL elsewhere, written atomically with ``--output``.

``Environment`` holds the streams and whether they are terminals, so tests can fake a terminal or a pipe.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import re
import sys
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from .errors import DangjianError, UsageError

FORMATS = ("table", "tsv", "csv", "json", "jsonl")
# A file's rows with the same warning (FILE:LINE: empty text; skipped) are said this many times, then counted and
# summed up once at the end (``--all-warnings`` says each): a corpus with thousands of empty rows would otherwise
# bury every other message.
ROW_WARNINGS_SAID = 5
_ROW_WARNING = re.compile(r"^(.*):(\d+): (.+)$", re.DOTALL)


@dataclass
class Environment:
    """Where output goes, and what kind of place that is."""

    stdout: TextIO
    stderr: TextIO | None  # None once its reader went away
    stdout_isatty: bool
    stderr_isatty: bool
    quiet: bool = False
    all_warnings: bool = False
    # (file, warning) → [rows said, rows only counted]
    _row_warnings: dict[tuple[str, str], list[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_system(cls) -> Environment:
        force = os.environ.get("DANGJIAN_FORCE_TERMINAL")
        return cls(sys.stdout, sys.stderr,
                   stdout_isatty=_isatty(sys.stdout) if force is None else force == "1",
                   stderr_isatty=_isatty(sys.stderr) if force is None else force == "1")

    def __getstate__(self) -> dict[str, Any]:
        # Streams cannot cross processes: a worker writes to its own stdout/stderr (inherited from the main
        # process), with the same terminal flags and --quiet.
        state = self.__dict__.copy()
        state.update(stdout=None, stderr=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.stdout, self.stderr = sys.stdout, sys.stderr

    def warn(self, message: str) -> None:
        """Warnings go to stderr unless ``--quiet``: a skipped file must never pass unnoticed in a pipeline. A
        row's warning beyond the ``ROW_WARNINGS_SAID``-th of its kind in its file is counted for ``finish``."""
        if self.quiet:
            return
        row = None if self.all_warnings else _ROW_WARNING.match(message)
        if row is not None:
            seen = self._row_warnings.setdefault((row.group(1), row.group(3)), [0, 0])
            if seen[0] >= ROW_WARNINGS_SAID:
                seen[1] += 1
                return
            seen[0] += 1
        self._say(f"dangjian: warning: {message}")

    def finish(self) -> None:
        """Sum up the rows' warnings that were counted and not said (one line per file and kind)."""
        counted = [(key, said, more) for key, (said, more) in self._row_warnings.items() if more]
        self._row_warnings.clear()
        for (path, what), said, more in counted:
            self._say(f"dangjian: warning: {path}: {more:,} more rows like that ({what}), {said + more:,} in all; "
                      "--all-warnings says each")

    def note(self, message: str) -> None:
        """Informational messages: only on a terminal."""
        if not self.quiet and self.stderr_isatty:
            self._say(f"dangjian: {message}")

    def _say(self, line: str) -> None:
        """One line on stderr. If its reader went away (``2>&1 | head``), the rest is dropped quietly: the command
        goes on (and ends quietly when its stdout goes the same way) instead of failing on a warning."""
        if self.stderr is None:
            return
        try:
            print(line, file=self.stderr, flush=True)
        except BrokenPipeError:
            gone, self.stderr = self.stderr, None
            if gone is sys.stderr:  # what is left in its buffer must not fail again at exit
                try:
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, gone.fileno())
                    os.close(devnull)
                except (OSError, ValueError):
                    pass

    @property
    def show_progress(self) -> bool:
        return self.stderr_isatty and not self.quiet

    def progress(self, items: Iterable[Any], description: str = "documents",
                 weight: Callable[[Any], int] | None = None) -> Iterator[Any]:
        """Yield ``items``, counting them on stderr when it is a terminal (never in a pipe or under --quiet);
        ``weight``: how many each item counts for (one by default)."""
        if not self.show_progress:
            yield from items
            return
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.console import Console

        console = Console(file=self.stderr)
        with Progress(SpinnerColumn(), TextColumn("{task.description}: {task.completed}"), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task(description, total=None)
            for item in items:
                yield item
                bar.advance(task, weight(item) if weight is not None else 1)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@dataclass
class Table:
    """A command's result: named columns and rows (an iterable, consumed once, so rows can stream)."""

    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    highlight: str | None = None  # a column shown in bold on a terminal
    if_empty: str | None = None  # a warning said when no row was written: why the table is empty


class RowBlocks(Sequence[tuple[Any, ...]]):
    """Rows held as blocks of columns (each block: one list per column, of equal lengths), as a command that ranks
    with numpy a block of documents at a time makes them. To its users it is a sequence of tuples; the TSV writer
    formats it a block at a time straight from the columns, without making a tuple per row and taking them apart
    again (writing keywords' 196,000 rows of bench: 0.21 -> 0.14 s)."""

    def __init__(self, blocks: Iterable[Sequence[list[Any]]] = ()) -> None:
        self.blocks: list[tuple[list[Any], ...]] = []
        self._starts = [0]  # the index of each block's first row, then the number of rows
        for columns in blocks:
            self.add(columns)

    def add(self, columns: Sequence[list[Any]]) -> None:
        rows = len(columns[0]) if columns else 0
        if any(len(c) != rows for c in columns):
            raise ValueError("the columns of a block must have equal lengths")
        if rows:
            self.blocks.append(tuple(columns))
            self._starts.append(self._starts[-1] + rows)

    def __len__(self) -> int:
        return self._starts[-1]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for columns in self.blocks:
            yield from zip(*columns)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        i = index + len(self) if index < 0 else index
        if not 0 <= i < len(self):
            raise IndexError("row index out of range")
        k = bisect_right(self._starts, i) - 1
        return tuple(column[i - self._starts[k]] for column in self.blocks[k])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value, like a list

    def __repr__(self) -> str:
        return repr(list(self))


def format_value(value: Any) -> str:
    """Text of a cell for TSV/CSV/table: deterministic, six significant digits for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = format(value, ".6g")
        return "0" if text == "-0" else text
    if isinstance(value, (list, tuple)):
        return "|".join(format_value(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def json_value(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(format(value, ".6g"))
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def _tsv_cell(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is float:
        text = format(value, ".6g")  # nan, inf and -inf come out as format_value writes them
        return "0" if text == "-0" else text
    text = value if kind is str else format_value(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


_FAST_CELL = {str: "{}", int: "{}", float: "{:.6g}"}
TSV_BLOCK_ROWS = 8192  # rows formatted and written at once

_UNSEEN = object()


def tsv_lines(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Each row as a TSV line (without its line break), cells as ``_tsv_cell`` writes them.

    Rows whose cells are all plain str, int or float are written with one ``str.format`` call for their types,
    and kept only when the line shows that no cell needed escaping or the ``-0`` fix (no backslash, line break or
    extra tab; no ``-0`` cell): the same bytes, three times faster on long outputs. Any other row, and any such row
    that fails the check, goes cell by cell."""
    formats: dict[tuple[type, ...], str | None] = {}
    for row in rows:
        kinds = tuple(map(type, row))
        form = formats.get(kinds, _UNSEEN)
        if form is _UNSEEN:
            form = formats[kinds] = "\t".join(map(_FAST_CELL.__getitem__, kinds)) \
                if all(k in _FAST_CELL for k in kinds) else None
        if form is not None:
            line = form.format(*row)
            if "\\" not in line and "\n" not in line and "\r" not in line and line.count("\t") == len(kinds) - 1 \
                    and "-0\t" not in line and not line.endswith("-0"):
                yield line
                continue
        yield "\t".join(map(_tsv_cell, row))


def tsv_block(rows: Sequence[Sequence[Any]]) -> str:
    """``rows`` as TSV lines, each ending in a line break: the bytes of ``tsv_lines``.

    When every column holds one plain type (str, int or float) the block is formatted column-wise in C (one format
    call per row, no Python code per row) and kept only if the whole text passes the checks ``tsv_lines`` makes per
    line; otherwise, and on any doubt, row by row."""
    width = len(rows[0]) if rows else 0
    if width and set(map(len, rows)) == {width}:
        text = _tsv_columns(list(zip(*rows)), len(rows))
        if text is not None:
            return text
    return "".join(line + "\n" for line in tsv_lines(rows))


def tsv_column_block(columns: Sequence[Sequence[Any]]) -> str:
    """The rows that ``columns`` (one sequence per column, of equal lengths) hold, as ``tsv_block`` writes them."""
    n = len(columns[0]) if columns else 0
    text = _tsv_columns(columns, n) if n else None
    return text if text is not None else "".join(line + "\n" for line in tsv_lines(zip(*columns)))


def _tsv_columns(columns: Sequence[Sequence[Any]], n: int) -> str | None:
    """The fast path of ``tsv_block``: None when a column mixes types or holds another type, or a cell would need
    escaping or the ``-0`` fix."""
    kinds = [set(map(type, column)) for column in columns]
    if not all(len(k) == 1 and next(iter(k)) in _FAST_CELL for k in kinds):
        return None
    width = len(columns)
    form = "\t".join(_FAST_CELL[next(iter(k))] for k in kinds)
    text = "\n".join(map(form.format, *columns)) + "\n"
    if "\\" not in text and "\r" not in text and text.count("\n") == n \
            and text.count("\t") == n * (width - 1) and "-0\t" not in text and "-0\n" not in text:
        return text
    return None


def render(table: Table, fmt: str, out: TextIO, header: bool = True, env: Environment | None = None) -> int:
    """Write ``table`` to ``out`` in ``fmt``; return the number of rows."""
    n = 0
    if not isinstance(table.rows, RowBlocks):  # RowBlocks are made already: no input left that could fail
        # Take the first row before writing anything, so that an error in reading the input leaves no header behind.
        rows = iter(table.rows)
        try:
            first = next(rows)
        except StopIteration:
            table = replace(table, rows=[])
        else:
            table = replace(table, rows=itertools.chain([first], rows))
    if fmt == "tsv":
        if header:
            out.write("\t".join(table.columns) + "\n")
        if isinstance(table.rows, RowBlocks):  # a block at a time, from its columns
            for columns in table.rows.blocks:
                for a in range(0, len(columns[0]), TSV_BLOCK_ROWS):
                    out.write(tsv_column_block([column[a:a + TSV_BLOCK_ROWS] for column in columns]))
            return len(table.rows)
        rows = iter(table.rows)
        while chunk := list(itertools.islice(rows, TSV_BLOCK_ROWS)):  # a few large writes, not one per row
            out.write(tsv_block(chunk))
            n += len(chunk)
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        if header:
            writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([format_value(v) for v in row])
            n += 1
    elif fmt == "jsonl":
        cols = list(table.columns)
        for row in table.rows:
            out.write(json.dumps({c: json_value(v) for c, v in zip(cols, row)}, ensure_ascii=False) + "\n")
            n += 1
    elif fmt == "json":
        cols = list(table.columns)
        out.write("{\n")
        if table.meta:
            out.write(f'"meta": {json.dumps(json_value(table.meta), ensure_ascii=False, sort_keys=True)},\n')
        out.write('"rows": [')
        for row in table.rows:
            out.write(("," if n else "") + "\n" + json.dumps({c: json_value(v) for c, v in zip(cols, row)},
                                                               ensure_ascii=False))
            n += 1
        out.write("\n]}\n" if n else "]}\n")
    elif fmt == "table":
        n = _render_rich(table, out, header, env)
    else:
        raise UsageError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
    return n


def _render_rich(table: Table, out: TextIO, header: bool, env: Environment | None) -> int:
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    rows = [list(r) for r in table.rows]
    console = Console(file=out, force_terminal=env.stdout_isatty if env else None, soft_wrap=False,
                      highlight=False)
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) and not isinstance(r[i], bool) or r[i] is None
                                  for r in rows) for i in range(len(table.columns))]
    caption = _caption(table.meta.get("provenance", {}))
    cells = [[v if isinstance(v, Text) else Text(format_value(v)) for v in r] for r in rows]
    fit = _fit_columns(table.columns, cells, numeric, header, console.width, table.highlight)
    if fit is not None and fit.cramped:  # identifiers fold too, and if that is not enough, a block per row
        fit = _fit_columns(table.columns, cells, numeric, header, console.width, table.highlight, False)
        if fit.cramped and cells:
            return _render_records(table, cells, console, caption, header)
    rt = RichTable(title=table.title or None, show_header=header, header_style="bold", caption=caption,
                   caption_style="dim", padding=(0, 1) if fit is None or fit.padded else (0, 0))
    for i, col in enumerate(table.columns):
        rt.add_column(col if fit is None else _folded_header(col, fit.widths[i]),
                      justify="right" if numeric[i] else "left",
                      style="bold cyan" if col == table.highlight else None,
                      overflow="ellipsis" if col == "title" else "fold", no_wrap=col == "title",
                      width=None if fit is None else fit.widths[i],
                      max_width=24 if col == "title" and fit is None else None)
    for r in cells:
        rt.add_row(*r)
    console.print(rt)
    if not rows:
        console.print(Text("(no rows)", style="dim"))
    return len(rows)


MIN_TEXT_WIDTH = 6  # a text column narrower than this shows too little of each line to be read
FOLDED_LINES = 4  # a text column folded into more lines than this is read better a row at a time
IDENTIFIER_WIDTH = 28  # an identifier column (doc_id: ASCII, no spaces) is kept whole up to this width
SHORT_TEXT = 10  # a text column whose values are all this short (a date) is not folded
HIGHLIGHT_WIDTH = 20  # the highlighted column (the answer) is kept whole up to this width
_ASCII_WORD = re.compile(r"[!-~]+")  # a name in a text column (a tag, a campaign id): folded between, not inside


@dataclass
class _Fit:
    """How a table wider than the terminal is drawn: each column's width, and whether cells keep a space either
    side (dropped when the numbers would not fit otherwise)."""
    widths: list[int]
    padded: bool
    cramped: bool = False  # wider than the terminal even so, or a text column folded into too many lines

    @property
    def total(self) -> int:
        return sum(self.widths) + (3 if self.padded else 1) * len(self.widths) + 1


def _header_pieces(name: str) -> list[str]:
    """A column name's pieces, each ending at an underscore (target_per_10k → target_, per_, 10k): where a
    header folded into a narrow column breaks first."""
    pieces = name.split("_")
    return [p + "_" for p in pieces[:-1]] + [pieces[-1]]


def _folded_header(name: str, width: int) -> str:
    """``name`` in lines of at most ``width`` cells, broken after underscores where it can, else anywhere."""
    if not name.isascii():  # a field's own name (来源): Rich folds it by the cells its characters take
        return name
    lines: list[str] = []
    for piece in _header_pieces(name):
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines.extend(piece[k:k + width] for k in range(0, len(piece), width))
    return "\n".join(lines)


def _fit_columns(columns: Sequence[str], cells: list[list[Any]], numeric: list[bool], header: bool,
                 terminal: int, highlight: str | None = None, keep_identifiers: bool = True) -> _Fit | None:
    """Column widths for a table wider than the terminal, or None when it fits as it is. Rich's own fitting cuts
    every column alike in the end, numbers too (0.000167671 shown as 0.0001676). Here a number column keeps its
    widest value whole and its header folds; so do a column of short values (dates, none) and the highlighted column
    (the answer: keyword, label, term…) up to 20 cells, and with ``keep_identifiers`` the first identifier column
    (doc_id, query: ASCII without spaces) up to 28. The other text columns fold (between ASCII names such as tags,
    never inside one) and share the rest, the widest giving way first; the headers of number and short columns are
    made whole first. A title column shows at most 24 cells, shortened with an ellipsis, as when the table fits.
    ``cramped`` says that not even that fits, or that a text column folds into more than FOLDED_LINES lines."""
    from rich.cells import cell_len

    natural, readable, needed, headed, folded = [], [], [], [], []
    for i, col in enumerate(columns):
        content = max((c.cell_len for c in (r[i] for r in cells)), default=0)
        if col == "title":
            content = min(content, 24)
        head = cell_len(col) if header else 0
        piece = max(map(cell_len, _header_pieces(col))) if header else 0  # the header folded after underscores
        natural.append(max(content, head, 1))
        if numeric[i]:
            needed.append(max(content, 1))
            readable.append(max(content, piece, 1))
            headed.append(readable[-1])
        else:
            # Short values (dates, labels such as none or over), identifiers and the highlighted column are kept
            # whole too: an identifier folded across two lines is hard to read back and to copy.
            if col == highlight or content <= SHORT_TEXT:
                needed.append(min(max(content, 1), HIGHLIGHT_WIDTH))
                headed.append(max(needed[-1], piece) if content <= SHORT_TEXT else needed[-1])
            elif (keep_identifiers and content <= IDENTIFIER_WIDTH and col != "title"
                  and all(_identifier(r[i].plain) for r in cells)):
                needed.append(content)
                keep_identifiers = False  # the first one only: the row's key (doc_id, query, id)
            else:
                if col == "title":  # a title is shortened with an ellipsis by design, not folded
                    needed.append(min(natural[-1], MIN_TEXT_WIDTH))
                else:  # folded between names (campaign ids, tags), not inside one; Chinese folds anywhere
                    word = min(_longest_ascii_word(r[i].plain for r in cells), IDENTIFIER_WIDTH)
                    needed.append(max(min(natural[-1], MIN_TEXT_WIDTH), word))
                    folded.append(i)
            if len(headed) < len(needed):
                headed.append(needed[-1])
            readable.append(natural[-1])
    if sum(natural) + 3 * len(columns) + 1 <= terminal:
        return None
    fit = _Fit(list(needed), padded=True)
    if _Fit(headed, padded=True).total > terminal:  # the space either side goes before the short columns' headers
        fit.padded = False
    if fit.total > terminal:  # wider than the terminal whatever is done: number headers are not folded further
        fit.widths = [readable[i] if numeric[i] else w for i, w in enumerate(fit.widths)]
    # The spare cells go first to the headers of the number and short columns, the header nearest whole first (a
    # header cut in mid-word is hard to read), then one at a time to the narrowest column short of its readable width
    # (a number column: its header's longest piece), then of its natural width: the widest columns give way first.
    for goal, first in ((headed, lambda i: (headed[i] - fit.widths[i], i)), (readable, lambda i: (fit.widths[i], i)),
                        (natural, lambda i: (fit.widths[i], i))):
        while fit.total < terminal:
            short = [i for i in range(len(columns)) if fit.widths[i] < goal[i]]
            if not short:
                break
            fit.widths[min(short, key=first)] += 1
    fit.cramped = fit.total > terminal or any(-(-natural[i] // fit.widths[i]) > FOLDED_LINES for i in folded)
    return fit


def _longest_ascii_word(values: Iterable[str]) -> int:
    """The widest run of ASCII letters, digits and punctuation in ``values`` (a tag list such as
    chuangwei|environment): a column narrower than that folds a name in two, which is hard to read back."""
    return max((len(w) for v in values for w in _ASCII_WORD.findall(v)), default=0)



def _identifier(value: str) -> bool:
    """A value such as a document id or a file name: ASCII without spaces (a folded one is hard to read back)."""
    return value.isascii() and " " not in value


def _render_records(table: Table, cells: list[list[Any]], console: Any, caption: str | None,
                    header: bool = True) -> int:
    """Each row as a block of ``column  value`` lines (as psql's expanded display): for a table that would not
    fit the terminal with its text readable, such as classify --explain's evidence on 80 columns. Values fold at the
    terminal's edge; nothing is cut. Without the header (--no-header) a blank line stands between rows instead of
    the ``row N`` rule, as psql's tuples-only expanded display."""
    from rich.cells import cell_len
    from rich.rule import Rule
    from rich.text import Text

    names = [str(c) for c in table.columns]
    key_width = max(map(cell_len, names), default=0)
    width = max(console.width - key_width - 2, 8)
    if table.title:
        console.print(Text(table.title, style="italic"), justify="center")
    for k, row in enumerate(cells, 1):
        if header:
            console.print(Rule(f"row {k}", align="left", style="dim"))
        elif k > 1:
            console.print()
        block: list[Text] = []
        for name, value in zip(names, row):
            value = Text(value.plain, style="bold cyan") if name == table.highlight else value
            lines = value.wrap(console, width, overflow="fold") if value.plain else [Text()]
            for j, line in enumerate(lines):
                key = Text(name + " " * (key_width - cell_len(name)) + "  ", style="bold") if j == 0 else \
                    Text(" " * (key_width + 2))
                line = key + line
                line.rstrip()  # an empty value leaves no spaces behind its name
                block.append(line)
        console.print(Text("\n").join(block), no_wrap=True, crop=False)
    if caption:
        console.print(Text(caption, style="dim"))
    return len(cells)


def _caption(prov: dict[str, str]) -> str | None:
    """A short provenance line: the engine and the data versions (one version when all shipped files agree)."""
    if not prov:
        return None
    parts = [f"{k} {v}" for k, v in prov.items() if k == "engine"]
    data = {k: v for k, v in prov.items() if k != "engine"}
    versions = {v for k, v in data.items() if "(" not in k}
    if len(versions) == 1:
        parts.append(f"data {versions.pop()}")
    else:
        parts.extend(f"{k} {v}" for k, v in data.items() if "(" not in k)
    parts.extend(f"{k} {v}" for k, v in data.items() if "(" in k)
    return " · ".join(parts)


def choose_format(fmt: str | None, output: Path | None, env: Environment) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
        return fmt
    if output is not None:
        ext = output.suffix.lower().lstrip(".")
        return ext if ext in ("tsv", "csv", "json", "jsonl") else "tsv"
    return "table" if env.stdout_isatty else "tsv"


def check_writable(path: Path) -> Path:
    """``path`` itself when a file can be written there (its folder exists and takes new files, and it is not a
    folder); else the one-line error the user needs. Commands check their output files before the work, not after."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise DangjianError(f"cannot write {path}: it is a folder", f"give a file name, such as {path / 'out.tsv'}")
    if not directory.is_dir():
        raise DangjianError(f"cannot write {path}: folder {directory} does not exist", "create it first")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise DangjianError(f"cannot write {path}: folder {directory} is not writable",
                            "choose another folder, or change its permissions")
    return path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only when the block finished: never half-written output."""
    path = check_writable(Path(path))
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=directory)
    except OSError as exc:
        raise DangjianError(f"cannot write {path}: {exc.strerror or exc}", "choose another place for it") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text file that appears at ``path`` only when writing finished."""
    with atomic_path(path) as tmp:
        # surrogateescape, as on stdout: a file name's bytes that are not UTF-8 are written back as they were.
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            yield fh


def emit(table: Table, fmt: str | None, output: Path | None, header: bool, env: Environment) -> int:
    """Render ``table`` to ``output`` (atomically) or to the environment's stdout; the number of rows written."""
    chosen = choose_format(fmt, output, env)
    if output is not None:
        with atomic_writer(output) as fh:
            file_env = Environment(fh, env.stderr, False, env.stderr_isatty, env.quiet)
            n = render(table, chosen, fh, header, file_env)
    else:
        n = render(table, chosen, env.stdout, header, env)
        env.stdout.flush()
    if n == 0 and table.if_empty:
        env.warn(table.if_empty)  # an empty table alone reads as "nothing there"; this says why
    return n


def render_to_string(table: Table, fmt: str, header: bool = True) -> str:
    buf = io.StringIO()
    render(table, fmt, buf, header)
    return buf.getvalue()
