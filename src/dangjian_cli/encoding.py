"""Decoding Chinese text files: BOMs, UTF-8, GB18030 (covers GBK/GB2312) and Big5, detected per file."""
from __future__ import annotations

import codecs
from functools import lru_cache

CANDIDATES = ("utf-8", "gb18030", "big5")
ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig",
    "utf-16": "utf-16", "utf16": "utf-16", "utf-16le": "utf-16-le", "utf-16-le": "utf-16-le",
    "utf-16be": "utf-16-be", "utf-16-be": "utf-16-be", "gb18030": "gb18030", "gbk": "gb18030",
    "gb2312": "gb18030", "cp936": "gb18030", "big5": "big5", "big5hkscs": "big5hkscs", "cp950": "big5",
}


class UndecodableError(ValueError):
    """The bytes are not text in any supported encoding."""


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
    """The 3,755 level-1 GB2312 characters and the 5,401 frequent Big5 characters: text decoded with the right
    codec is mostly made of these; text decoded with the wrong one is not."""
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
    return frozenset(chars)


def _plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or CJK punctuation."""
    common = _common_chars()
    sample = text[:20000]
    non_ascii = 0
    good = 0
    for ch in sample:
        if ch < "\x80":
            continue
        non_ascii += 1
        if ch in common or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u2027":
            good += 1
    return 1.0 if non_ascii == 0 else good / non_ascii


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > max(2, len(sample) // 100)


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
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UndecodableError("has a UTF-16 BOM but is not valid UTF-16") from None
    if _looks_binary(data):
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
    if best is None or best[0] < 0.6:
        raise UndecodableError("is not UTF-8, GB18030 or Big5 text")
    return best[2], best[1]
