"""Metadata found in the text of plain-text articles: title, date, source and reporter."""
from __future__ import annotations

import re
from datetime import date as _date
from functools import lru_cache

_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-/.](\d{1,2})[-/.](\d{1,2})(?!\d))")
_TIME = re.compile(r"\d{1,2}:\d{2}")
# What may stand beside the date on a line that is only a date: brackets, a weekday, spaces.
_ONLY_DATE = re.compile(r"[\s（）()【】\[\]]*(?:星期[一二三四五六日天]|周[一二三四五六日])?[\s（）()【】\[\]]*")
_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s|｜，,。]{2,40})")
_REPORTER = re.compile(r"记者\s*[:：]?\s*([\u4e00-\u9fff]{2,4}?)(?=[\s　,，、)）】■]|通讯员|$|文/|摄)")
_TITLE_MAX = 40
_TITLE_BAD_END = set("。！？；;，,：:")

_UNIX_TIME = re.compile(r"(\d{10}(?:\.\d*)?)|(\d{13})")  # seconds (from 2001-09-09) or milliseconds
# 2019-11-06, 2019/11/6, 2019.11.06, 2019年11月6日 (or 6号), 2019年, followed by nothing, a time or a weekday.
_ISO_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})[日号]?)?月?)?年?(?:[ T（(].*)?$")


# Dates in Chinese numerals, as official documents sign them: 二〇一九年十一月六日 (the year digit by digit, month
# and day as numbers: 十一, 二十六, 三十一).
_CHINESE_DIGITS = dict(zip("〇○零一二三四五六七八九", (0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)))
_CHINESE_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})\s*年(?:\s*([一二三四五六七八九十]{1,3})\s*月"
                           r"(?:\s*([一二三四五六七八九十]{1,3})\s*[日号])?)?")


def _chinese_number(text: str) -> int:
    """1–99 written in Chinese numerals (六, 十一, 二十, 二十六); 0 if ``text`` is not such a number."""
    tens, _, units = text.partition("十")
    if "十" not in text:
        return _CHINESE_DIGITS.get(text, 0) if len(text) == 1 else 0
    if len(tens) > 1 or len(units) > 1 or tens == "一":
        return 0
    return 10 * (_CHINESE_DIGITS[tens] if tens else 1) + (_CHINESE_DIGITS[units] if units else 0)


def _from_chinese_numerals(match: re.Match[str]) -> str:
    """``2019年11月6日`` for ``二〇一九年十一月六日``, for the ISO pattern to read ("" where a part is malformed)."""
    year = "".join(str(_CHINESE_DIGITS[c]) for c in match.group(1))
    parts = [year + "年"]
    for value, unit in ((match.group(2), "月"), (match.group(3), "日")):
        if value is not None:
            number = _chinese_number(value)
            if not number:
                return ""
            parts.append(f"{number}{unit}")
    return "".join(parts)


def _valid(y: int, m: int, d: int) -> bool:
    try:
        _date(y, m, d)
    except ValueError:
        return False
    return 1900 <= y <= 2100


def normalize_date(value: object) -> str:
    """An ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) from a metadata value, or ``""`` if it is not one."""
    if value is None:
        return ""
    return _normalize_date_text(str(value))


@lru_cache(maxsize=4096)  # a corpus has few distinct dates, each on many rows
def _normalize_date_text(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    stamp = _UNIX_TIME.fullmatch(text)
    if stamp:
        return _from_unix_time(stamp)
    chinese = _CHINESE_DATE.fullmatch(text)
    if chinese:
        text = _from_chinese_numerals(chinese)
    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if compact:
        y, m, d = map(int, compact.groups())
        return f"{y:04d}-{m:02d}-{d:02d}" if _valid(y, m, d) else ""
    match = _ISO_DATE.match(text)
    if not match:
        return ""
    y = int(match.group(1))
    if not 1900 <= y <= 2100:
        return ""
    if match.group(2) is None:
        return f"{y:04d}"
    m = int(match.group(2))
    if not 1 <= m <= 12:
        return ""
    if match.group(3) is None:
        return f"{y:04d}-{m:02d}"
    d = int(match.group(3))
    return f"{y:04d}-{m:02d}-{d:02d}" if _valid(y, m, d) else ""


def _from_unix_time(stamp: re.Match[str]) -> str:
    """The calendar date in China Standard Time (UTC+8, where these texts are published) of a Unix time in seconds
    (10 digits) or milliseconds (13 digits); "" outside 2001–2100."""
    from datetime import datetime, timedelta, timezone

    seconds = float(stamp.group(1)) if stamp.group(1) else int(stamp.group(2)) / 1000
    day = datetime.fromtimestamp(seconds, timezone(timedelta(hours=8))).date()
    return day.isoformat() if day.year <= 2100 else ""


def date_from_text(text: str, head: int = 400) -> str:
    """The article's date from its text: a dateline near the top, that is a short line without a full stop that has
    a full date and a time, 来源 or 发布 (2016年09月02日10:26 来源：人民网), or a line that is only a date. A bare
    month and day ("11月6日") is not a date, and neither is a date inside a sentence: on 5,478 dev items, the first
    full date in the first 200 characters was the item's month (or the one before) only 150 times in 294 (1956年9月15日,
    2012年11月15日 at the top of later reports), so such a document is left undated rather than misdated."""
    for line in text[:head].split("\n"):
        stripped = line.strip()
        if len(stripped) > 80 or "。" in stripped:
            continue
        for m in _FULL_DATE.finditer(stripped):
            y = int(m.group(1))
            mo = int(m.group(2) or m.group(4))
            d = int(m.group(3) or m.group(5))
            if not _valid(y, mo, d):
                continue
            if (_TIME.search(stripped) or "来源" in stripped or "发布" in stripped
                    or _ONLY_DATE.fullmatch(stripped[:m.start()] + stripped[m.end():])):
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def source_from_text(text: str, head: int = 600) -> str:
    m = _SOURCE.search(text[:head])
    return m.group(1) if m else ""


def author_from_text(text: str, head: int = 600) -> str:
    m = _REPORTER.search(text[:head])
    return m.group(1) if m else ""


def looks_like_title(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > _TITLE_MAX or s[-1] in _TITLE_BAD_END:
        return False
    if _FULL_DATE.search(s) or "来源" in s or "记者" in s or ">>" in s:
        return False
    return bool(re.search(r"[\u4e00-\u9fff]", s))
