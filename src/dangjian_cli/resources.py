"""Package data files (lexicon, dictionary, stop lists, boilerplate patterns) and user overrides.

Every data file starts with comment lines; ``# version: …`` and ``# source: …`` among them are read as provenance.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import InputError

PACKAGE_DATA = "dangjian_cli.data"


@dataclass(frozen=True)
class DataFile:
    """The lines of one data file, without comments, with its provenance."""

    name: str
    version: str
    source: str
    lines: tuple[str, ...]
    origin: str  # "package" or the user's path
    digest: str = field(default="")
    line_numbers: tuple[int, ...] = ()  # the file's line number of each of ``lines`` (errors name it)

    def line_number(self, index: int) -> int:
        """The line of the file on which ``lines[index]`` stands."""
        return self.line_numbers[index] if index < len(self.line_numbers) else index + 1

    def numbered_text(self) -> str:
        """``lines`` as text, each on its own line of the file, the comment and blank lines between them turned into
        ``#`` (for a parser that reads the text and names line numbers, such as configparser)."""
        out = ["#"] * (self.line_number(len(self.lines) - 1) if self.lines else 0)
        for index, line in enumerate(self.lines):
            out[self.line_number(index) - 1] = line
        return "\n".join(out) + "\n"


def _parse(name: str, text: str, origin: str) -> DataFile:
    version = ""
    source_parts: list[str] = []
    lines: list[str] = []
    numbers: list[int] = []
    in_source = False
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.startswith("#"):
            body = raw[1:].strip()
            if body.lower().startswith("version:"):
                version = body.split(":", 1)[1].strip()
                in_source = False
            elif body.lower().startswith("source:"):
                source_parts = [body.split(":", 1)[1].strip()]
                in_source = True
            elif in_source and raw.startswith("#  "):
                source_parts.append(body)
            else:
                in_source = False
            continue
        in_source = False
        if raw.strip():
            lines.append(raw.rstrip("\n\r"))
            numbers.append(number)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return DataFile(name, version or "unversioned", " ".join(source_parts), tuple(lines), origin, digest,
                    tuple(numbers))


def package_file(name: str) -> DataFile:
    """One of the files shipped in ``dangjian_cli/data``."""
    text = resources.files(PACKAGE_DATA).joinpath(name).read_text(encoding="utf-8")
    return _parse(name, text, "package")


def user_file(path: str | Path, what: str) -> DataFile:
    """A user's own data file (UTF-8, same format as the shipped one)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(p), f"{what} file not found", "check the path") from None
    except OSError as exc:
        raise InputError(str(p), f"cannot read {what} file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(str(p), f"{what} file is not UTF-8", "save it as UTF-8") from None
    return _parse(p.name, text, str(p))


def provenance(files: list[DataFile]) -> dict[str, str]:
    """``{name: "version (origin)"}`` for output metadata."""
    out: dict[str, str] = {}
    for f in files:
        key = f.name if f.origin == "package" else f"{f.name} ({f.origin})"
        out[key] = f.version
    return out
