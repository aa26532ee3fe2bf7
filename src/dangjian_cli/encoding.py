"""Decoding Chinese text files: BOMs, UTF-8, GB18030 (covers GBK/GB2312) and Big5, detected per file."""
from __future__ import annotations

import codecs
import re
from functools import lru_cache

CANDIDATES = ("utf-8", "gb18030", "big5")
ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig",
    "utf-16": "utf-16", "utf16": "utf-16", "utf-16le": "utf-16-le", "utf-16-le": "utf-16-le",
    "utf-16be": "utf-16-be", "utf-16-be": "utf-16-be", "gb18030": "gb18030", "gbk": "gb18030",
    "gb2312": "gb18030", "cp936": "gb18030", "big5": "big5", "big5hkscs": "big5hkscs", "cp950": "big5",
}

# A forced encoding is doubted when fewer than this share of the decoded text's non-ASCII characters are common
# Chinese characters or punctuation (the bar that auto-detection sets GB18030 and Big5); correctly decoded news
# scores above 0.99, UTF-8 read as Latin-9 0, as UTF-16 about 0.1, Big5 read as GB18030 0.24–0.43 (the seeds).
PLAUSIBLE = 0.6
DOUBT_SAMPLE = 16384  # bytes at the start of a file that the doubt is decided on


class UndecodableError(ValueError):
    """The bytes are not text in any supported encoding. ``hint``: what to do, when the bytes say more than "not
    text" (a PDF, a Word file: another encoding would not help)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


_SAVE_AS_TEXT = "save it as UTF-8 text (.txt), or a table as CSV: dangjian reads .txt, .jsonl, .json, .csv and .tsv"
# Files researchers are sent that are not text, by their first bytes.
_NOT_TEXT = (
    (b"%PDF", "a PDF file", "copy its text out into a .txt file (pdftotext does)"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .xlsx or .zip file)", _SAVE_AS_TEXT + "; unpack an archive first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office 97–2003 or WPS file (.doc, .xls, .wps)", _SAVE_AS_TEXT),
    (b"Rar!\x1a\x07", "a RAR archive", "unpack it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it first"),
    (b"\x1f\x8b", "gzip-compressed", "name it with .gz at the end (text.txt.gz, items.jsonl.gz): such files are "
                                     "decompressed as they are read"),
)


def canonical_encoding(name: str) -> str:
    key = name.strip().lower().replace("_", "-")
    if key in ALIASES:
        return ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ValueError(name) from None


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """The 3,755 level-1 GB2312 characters, the 5,401 frequent Big5 characters and CJK punctuation (U+3000–303F,
    full-width forms U+FF00–FFEF, dashes and quotes U+2010–2027): text decoded with the right codec is mostly made
    of these; text decoded with the wrong one is not."""
    chars: set[str] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes((hi, lo)).decode("big5"))
            except UnicodeDecodeError:
                pass
    for first, last in ((0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x2027)):
        chars.update(map(chr, range(first, last + 1)))
    return frozenset(chars)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plausibility(text: str, sample: int = 20000) -> float:
    """Share of the non-ASCII characters (among the first ``sample``) that are common Chinese characters or CJK
    punctuation; 1.0 for text without any."""
    non_ascii = _NON_ASCII.findall(text, 0, sample)
    if not non_ascii:
        return 1.0
    return sum(map(_common_chars().__contains__, non_ascii)) / len(non_ascii)


def known_binary(start: bytes) -> tuple[str, str] | None:
    """``(message, hint)`` when a file's first bytes are those of a known format that is not text (PDF, Word,
    Excel, an archive, gzip without .gz in the name); else None."""
    for magic, what, hint in _NOT_TEXT:
        if start.startswith(magic):
            return f"is {what}, not text", hint
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > max(2, len(sample) // 100)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` when ``data`` is UTF-16 written without a byte order mark, as some
    exporters write it: the byte order under which it decodes, without NUL characters, into Chinese text (the same
    bar as GB18030 and Big5; the other order turns every character into a rare one)."""
    if len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _NON_ASCII.search(text) and _plausibility(text) >= PLAUSIBLE:
            return text, enc
    return None


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding_name)``. Raises UndecodableError with a reason."""
    if encoding:
        enc = canonical_encoding(encoding)
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            raise UndecodableError(f"not valid {enc} (byte {exc.start})") from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UndecodableError(f"has a UTF-8 BOM but is not valid UTF-8 (byte {exc.start})") from None
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UndecodableError("has a UTF-16 BOM but is not valid UTF-16") from None
        share = _plausibility(text)
        if share < PLAUSIBLE:  # UTF-8 or GB18030 bytes behind a stray BOM decode as UTF-16 without any error
            raise UndecodableError(f"has a UTF-16 BOM, but read as UTF-16 its text is not Chinese ({share:.0%} of "
                                   "its non-ASCII characters are common Chinese characters or punctuation); if "
                                   "the BOM (its first two bytes) is a stray one, remove it")
        return text, "utf-16"
    if _looks_binary(data):
        known = known_binary(data)
        if known:
            raise UndecodableError(*known)
        unmarked = _utf16_without_bom(data)
        if unmarked:
            return unmarked
        raise UndecodableError("looks like a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, enc, text)
    if best is None or best[0] < PLAUSIBLE:
        unmarked = _utf16_without_bom(data)  # all Han, no line break or ASCII: no NUL byte told it apart above
        if unmarked:
            return unmarked
        raise UndecodableError("is not UTF-8, GB18030, Big5 or UTF-16 text")
    return best[2], best[1]


def doubt_forced(data: bytes, encoding: str) -> str | None:
    """Why ``data`` (the start of a file) read as a forced ``encoding`` does not look like Chinese text, or None.

    An encoding given by the user is used as given (a file is theirs to know), but a wrong one turns Chinese into
    mojibake that every count would then be made of: this says so, naming the encoding auto-detection finds when it
    finds a plausible one."""
    enc = canonical_encoding(encoding)
    sample = data[:DOUBT_SAMPLE]
    if len(data) >= DOUBT_SAMPLE and b"\n" in sample:
        sample = sample[:sample.rindex(b"\n") + 1]  # whole lines: a line break is no part of a multi-byte character
    share = _plausibility(sample.decode(enc, errors="replace"))
    if share >= PLAUSIBLE:
        return None
    try:
        text, found = decode_bytes(sample)
    except UndecodableError:
        found = ""
    else:
        if _plausibility(text) < PLAUSIBLE or found == enc:
            found = ""
    hint = f"without --encoding it reads as {found}: drop --encoding" if found else \
        "pass the file's own encoding to --encoding"
    return (f"read as {enc} (--encoding), the text does not look like Chinese ({share:.0%} of its non-ASCII "
            f"characters are common Chinese characters or punctuation); {hint}")

