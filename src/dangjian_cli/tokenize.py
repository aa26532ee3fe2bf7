"""The tokenizer pipeline shared by every command.

normalised text → protected spans (every lexicon form, found first, one token whatever the segmenter would do) →
segmentation of the gaps (rjieba by default, jieba with ``engine="jieba"``; both with jieba's dictionary plus the
shipped domain dictionary) → filters (stop words, numbers, punctuation, single characters, function characters
glued to a neighbour) → tokens with offsets.

Segmentation results are plain cut positions (``bounds``), so they can be cached and reused with other filters.
"""
from __future__ import annotations

import hashlib
import logging
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, islice
from dataclasses import dataclass
from functools import cached_property

from .errors import InputError, UsageError
from .lexicon import Lexicon, load_lexicon
from .normalize import HAN
from .resources import DataFile, package_file, provenance, user_file

ENGINES = ("rjieba", "jieba")
# Bump when segmentation or filtering changes for the same inputs (6: approximate counts; 7: quoted names; 8: glued
# function characters; 9: counts with a unit of measure; 10: reduplicated counts).
TOKENIZER_VERSION = "10"

_NUMERIC = re.compile(r"^[\d零〇一二三四五六七八九十百千万亿两几余多.%％‰,，:：/\-第]*\d[\d.%％‰,:/\-]*"
                      r"[年月日号时分秒个名人次万亿余多元件处米吨场户所家条项批届期岁天周倍级]*$")
# Chinese numerals, an ordinal, a count or an approximate one (第二批, 第十九届, 五位, 两项, 一书, 三论, 万多名, 一周年,
# 近万名, 上万, 数万只), with a unit of measure (万例 and 亿人次 of 3.5万例, 1.2亿人次, whose digits the segmenter cuts
# off; 亿美元, 万吨, 八成, 两架, 一个月): numbers to a reader, never keywords. Words with a numeral that are not counts (十九大,
# “十四五”, 两学一做) are lexicon entries, which are kept before this test.
_CN_NUMERAL = re.compile(r"^(?:第|[近上数约逾])?[零〇一二三四五六七八九十百千万亿两几]+[多余]?(?:周年|季度|年代|年间|分点|"
                         r"公里|人次|[美欧日港]元|英镑|卢布|瓦时|立方米|平方米|平方公里|公顷|公斤|标箱|架次|个月|小时|分钟|阶段|"
                         r"[年月日号个名位人次届批场项家条起轮期季件座所户支份张篇部处台套种类级层代元岁天周倍万亿书论评卷"
                         r"集亩里辆节只头棵株匹吨斤克米瓦伏桶例剂册架艘枚颗列栋幢块根盏首本片成点时步])?$")
# 一场场, 一次次, 一件件, 一代代 (“one after another”): a count, as 一个个 and 一批批 (29 of the top-10 keywords of dev and
# bench items before tokenizer 10).
_REDUPLICATED_COUNT = re.compile(r"^一(\w)\1$")
_HAS_WORD_CHAR = re.compile(r"[\u3400-\u9fffA-Za-z]")
# Local formulae and names are in no lexicon, and news marks them with quotes: a numeric formula quoted once
# (“两路两侧”, “三亮三比”: a numeral and a stem, twice), or any 3 to 8 Han characters quoted twice or more in the same
# document (“村村擂台赛”, “半条被子”, “回头看”: an activity, an honour, a story told), is kept whole wherever it
# recurs in that document. Twice, because a phrase quoted once is as often a word someone said.
NUMERAL = "一二两三四五六七八九十百千万双"
NUMERIC_FORMULA = re.compile(rf"[{NUMERAL}][\u4e00-\u9fff][{NUMERAL}][\u4e00-\u9fff]")
QUOTED_NAME = re.compile(r"“([\u4e00-\u9fff]{3,8})”")


def bounds_of(pieces: Iterable[str]) -> array:
    """Cut positions of consecutive pieces: 0, then the end of each."""
    return array("I", accumulate(map(len, pieces), initial=0))


def pieces_of(text: str, bounds: Sequence[int], first: int = 0, last: int | None = None) -> Iterator[str]:
    """The pieces of ``text`` between the cut positions ``bounds[first:last]``."""
    last = len(bounds) if last is None else last
    return map(text.__getitem__, map(slice, islice(bounds, first, last - 1), islice(bounds, first + 1, last)))


@dataclass(frozen=True)
class Token:
    text: str  # the token as analysed: the canonical form for lexicon matches
    start: int  # offsets in the document's normalised text
    end: int
    kind: str  # "lexicon" or "word"
    surface: str  # the text as it stands


@dataclass(frozen=True)
class TokenizerConfig:
    engine: str = "rjieba"
    lexicon_files: tuple[str, ...] = ()
    use_default_lexicon: bool = True
    user_dict_files: tuple[str, ...] = ()
    use_default_dict: bool = True
    stopword_files: tuple[str, ...] = ()
    use_default_stopwords: bool = True
    keep_numbers: bool = False
    keep_single: bool = False
    hmm: bool = True

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise UsageError(f"unknown engine {self.engine!r}", f"use one of: {', '.join(ENGINES)}")


# The characters jieba and rjieba cut as one block (their ``re_han_default``): a dictionary word holding any other
# character (a comma, a space, a middle dot) can never come out of the segmenter whole.
_SEGMENTER_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1fA-Za-z0-9+#&._%\-]+")
_DICT_TAG = re.compile(r"[A-Za-z_]+")
_DICT_FORMAT = "one word per line, then optionally a frequency and a tag, separated by spaces (张轩庄 2000 nr)"


def _dict_entries(files: list[DataFile]) -> list[tuple[str, int | None, str | None]]:
    """``(word, freq, tag)`` of each line of segmenter dictionaries (jieba's format: ``word [freq] [tag]``). A line
    the segmenter could not use (a CSV row, a phrase with punctuation, a frequency that is not a number) is an error
    naming it, rather than a word that silently never matches."""
    out = []
    for f in files:
        for index, line in enumerate(f.lines):
            parts = line.split()
            word = parts[0]
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            tag = parts[2] if len(parts) > 2 else (parts[1] if len(parts) == 2 and freq is None else None)
            problem = ""
            if len(parts) > 3 or (len(parts) == 3 and freq is None):
                problem = f"{line.strip()!r} is not word, frequency and tag"
            elif not _SEGMENTER_WORD.fullmatch(word):
                bad = next(ch for ch in _SEGMENTER_WORD.sub("", word))
                problem = f"{word!r} holds {bad!r}, at which the segmenter always cuts"
            elif tag is not None and not _DICT_TAG.fullmatch(tag):
                problem = f"{tag!r} is neither a frequency nor a part-of-speech tag"
            if problem:
                raise InputError(f.origin, f"dictionary line {f.line_number(index)}: {problem}",
                                 f"a segmenter dictionary has {_DICT_FORMAT}; phrases with punctuation belong in a "
                                 "--lexicon file")
            out.append((word, freq, tag))
    return out


_GLUE_DIRECTIVES = ("@glued-first", "@glued-last")


def _stop_entries(files: list[DataFile]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(stop words, glued first characters, glued last characters) of stop-word files. A line ``@glued-first 从以…``
    or ``@glued-last 是在…`` lists function characters (see ``Tokenizer.glued``); every other line is a stop word."""
    words: set[str] = set()
    glued: dict[str, set[str]] = {d: set() for d in _GLUE_DIRECTIVES}
    for f in files:
        for index, line in enumerate(f.lines):
            word = line.strip()
            if not word.startswith("@"):
                words.add(word)
                continue
            directive, _, chars = word.partition(" ")
            if directive not in glued:
                raise InputError(f.origin, f"stop-word line {f.line_number(index)}: unknown directive {directive!r}",
                                 f"a line starting with @ is one of {', '.join(_GLUE_DIRECTIVES)} followed by "
                                 "characters; other lines are stop words")
            chars = "".join(chars.split())
            # Only Chinese characters: a line of prose that lost its "# " would otherwise add letters and commas.
            strays = "".join(dict.fromkeys(c for c in chars if not HAN.fullmatch(c)))
            if not chars or strays:
                what = "lists no characters" if not chars else f"lists what is not a Chinese character: {strays!r}"
                raise InputError(f.origin, f"stop-word line {f.line_number(index)}: {directive} {what}",
                                 f"write Chinese characters on the same line, after a space: {directive} "
                                 f"{'从以' if directive == '@glued-first' else '是在'}…; "
                                 "a comment line starts with #")
            glued[directive].update(chars)
    return frozenset(words), frozenset(glued["@glued-first"]), frozenset(glued["@glued-last"])


def _rjieba_class() -> type:
    """rjieba's ``Jieba`` class. Importing the ``rjieba`` package builds a default instance with the whole dictionary
    (0.04 s), which dangjian never uses, in the main process and again in every worker; so the compiled module is
    loaded by itself, and registered where the package would put it (a later ``import rjieba`` then uses it, PyO3
    modules load once per process). When the package is laid out otherwise, it is imported as usual."""
    import importlib.machinery
    import importlib.util
    import os
    import sys

    for loaded in ("rjieba.rjieba", "rjieba"):
        if loaded in sys.modules:
            return sys.modules[loaded].Jieba
    try:
        package = importlib.util.find_spec("rjieba")
        folders = list(package.submodule_search_locations or []) if package else []
        for folder in folders:
            for name in sorted(os.listdir(folder)):
                if name.split(".", 1)[0] == "rjieba" and name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
                    loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", os.path.join(folder, name))
                    spec = importlib.util.spec_from_loader("rjieba.rjieba", loader)
                    if spec is None:
                        continue
                    module = importlib.util.module_from_spec(spec)
                    sys.modules["rjieba.rjieba"] = module
                    try:
                        loader.exec_module(module)
                        return module.Jieba
                    except Exception:
                        del sys.modules["rjieba.rjieba"]
                        raise
    except Exception:  # noqa: BLE001 - any surprise: the ordinary import below
        pass
    import rjieba

    return rjieba.Jieba


class _WordMemo(dict):
    """piece → its token (canonical form), or "" when the filters drop it; filled on first sight of a piece."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        super().__init__()
        self.tokenizer = tokenizer

    def __missing__(self, piece: str) -> str:
        t = self.tokenizer
        token = t.canonical(piece) if t.keeps(piece) else ""
        self[piece] = token
        return token


class Tokenizer:
    """Segments normalised text into tokens; one instance serves a whole run (and can be pickled to workers)."""

    def __init__(self, config: TokenizerConfig | None = None) -> None:
        self.config = config or TokenizerConfig()
        c = self.config
        self.lexicon: Lexicon = load_lexicon(c.lexicon_files, c.use_default_lexicon)
        self.dict_files = ([package_file("domain_dict.txt")] if c.use_default_dict else []) + [
            user_file(f, "user dictionary") for f in c.user_dict_files]
        self.dict_entries = _dict_entries(self.dict_files)  # read here, so a bad line is said before any work
        self.stop_files = ([package_file("stopwords_function.txt"), package_file("stopwords_dangjian.txt")]
                           if c.use_default_stopwords else []) + [user_file(f, "stop-word") for f in c.stopword_files]
        self.stopwords, self.glued_first, self.glued_last = _stop_entries(self.stop_files)
        self._keep: dict[str, bool] = {}
        self._word_memo = _WordMemo(self)
        self._engine = None

    # -- identity ------------------------------------------------------------------------------------------------
    @cached_property
    def segmentation_key(self) -> str:
        """What segmentation depends on (engine, its version, dictionaries, lexicon): the cache key's prefix."""
        h = hashlib.sha1()
        h.update(f"{TOKENIZER_VERSION}|{self.config.engine}|{self.engine_version}|{self.config.hmm}".encode())
        for f in [*self.lexicon.files, *self.dict_files]:
            h.update(f"|{f.name}:{f.digest}:{len(f.lines)}".encode())
            if f.origin != "package":
                h.update("\n".join(f.lines).encode())
        return h.hexdigest()[:16]

    @cached_property
    def words_key(self) -> str:
        """What the filtered words depend on: segmentation, stop words and filters."""
        h = hashlib.sha1(self.segmentation_key.encode())
        h.update(f"|{self.config.keep_numbers}|{self.config.keep_single}".encode())
        for f in self.stop_files:
            h.update(f"|{f.name}:{f.digest}:{len(f.lines)}".encode())
        return h.hexdigest()[:16]

    @cached_property
    def engine_version(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(self.config.engine)
        except PackageNotFoundError:
            return "unknown"

    @cached_property
    def dictionary_tags(self) -> dict[str, str]:
        """The part-of-speech tag the dictionaries give a word (domain dictionary, then --user-dict files: a later
        file's tag wins); words listed without a tag are left out."""
        return {word: tag for word, _freq, tag in self.dict_entries if tag}

    def provenance(self) -> dict[str, str]:
        out = {"engine": f"{self.config.engine} {self.engine_version}"}
        out.update(provenance([*self.lexicon.files, *self.dict_files, *self.stop_files]))
        return out

    # -- engine --------------------------------------------------------------------------------------------------
    def _load_engine(self):
        entries = self.dict_entries
        # Lexicon forms without punctuation go into the segmenter's dictionary too, so the text around a protected
        # span is segmented as if the span were one word.
        if self.config.engine == "rjieba":
            engine = _rjieba_class()()
            for word, freq, tag in entries:
                engine.add_word(word, freq, tag)
            return engine
        import jieba

        jieba.setLogLevel(logging.WARNING)
        engine = jieba.Tokenizer()
        engine.initialize()
        for word, freq, tag in entries:
            engine.add_word(word, freq, tag)
        return engine

    @property
    def engine(self):
        if self._engine is None:
            self._engine = self._load_engine()
        return self._engine

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_engine"] = None  # engines are rebuilt in each worker process
        state["_word_memo"] = None
        state["_keep"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._word_memo = _WordMemo(self)

    def _cut(self, text: str, hmm: bool | None = None) -> list[str]:
        hmm = self.config.hmm if hmm is None else hmm
        if self.config.engine == "rjieba":
            return self.engine.cut(text, hmm)
        return list(self.engine.cut(text, HMM=hmm))

    # -- segmentation --------------------------------------------------------------------------------------------
    def cut(self, text: str) -> list[str]:
        """The pieces of ``text``, in order, covering it: lexicon spans are single pieces; everything else is cut
        by the engine."""
        spans = self.protected_spans(text)
        if not spans:
            return self._cut(text) if text else []
        pieces: list[str] = []
        pos = 0
        for start, end in spans:
            if start > pos:
                pieces.extend(self._cut(text[pos:start]))
            pieces.append(text[start:end])
            pos = end
        if pos < len(text):
            pieces.extend(self._cut(text[pos:]))
        return pieces

    def segment(self, text: str) -> array:
        """Cut positions covering ``text``: ``bounds[0] == 0``, ``bounds[-1] == len(text)``."""
        return bounds_of(self.cut(text))

    def protected_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans kept whole: lexicon matches, then quoted formulae and names (see ``QUOTED_NAME``) wherever they
        recur in the text."""
        spans = [(a, b) for a, b, _key in self.lexicon.spans(text)]
        if "“" not in text:
            return spans
        formulae = self._quoted_names(text)
        if not formulae:
            return spans
        extra = []
        for f in formulae:
            at = text.find(f)
            while at >= 0:
                extra.append((at, at + len(f)))
                at = text.find(f, at + len(f))
        merged: list[tuple[int, int]] = []
        for a, b in sorted(spans + extra, key=lambda s: (s[0], -s[1])):
            if merged and a < merged[-1][1]:
                continue  # overlaps an earlier (or longer) span
            merged.append((a, b))
        return merged

    def _quoted_names(self, text: str) -> list[str]:
        quoted = Counter(QUOTED_NAME.findall(text))
        if not quoted:
            return []
        surface = self.lexicon.surface_to_entry
        # A name holding a slogan (“不忘初心跟党走”) is left to the lexicon, so the slogan stays a token of its own.
        return [name for name, times in quoted.items()
                if name not in surface and (times >= 2 or NUMERIC_FORMULA.fullmatch(name))
                and not self.lexicon.spans(name)]

    # -- filters -------------------------------------------------------------------------------------------------
    def keeps(self, piece: str) -> bool:
        """Whether a (canonical) piece is a token after filtering; memoised per distinct piece."""
        decision = self._keep.get(piece)
        if decision is None:
            decision = self._decide(piece)
            self._keep[piece] = decision
        return decision

    def _decide(self, piece: str) -> bool:
        if piece in self.lexicon.surface_to_entry:
            return True
        word = piece.strip()
        if word != piece or not word:
            return False
        if not _HAS_WORD_CHAR.search(word) and not (self.config.keep_numbers and any(c.isdigit() for c in word)):
            return False
        if word in self.stopwords:
            return False
        if not self.config.keep_numbers and (_NUMERIC.match(word) or _CN_NUMERAL.match(word)
                                             or _REDUPLICATED_COUNT.match(word)):
            return False
        if not self.config.keep_single and len(word) < 2:
            return False
        return not self.glued(word)

    def glued(self, word: str) -> bool:
        """Whether ``word`` is a function character glued to a neighbour by the segmenter's guesser: two characters,
        the first listed on an ``@glued-first`` line of the stop-word files (从代 of 从代中央管理党费, 这一, 更大, 之风)
        or the second on an ``@glued-last`` line (分在 of 28分在北京, 重在, 过得), that the dictionaries alone (jieba's,
        the domain dictionary, ``--user-dict``) would cut in two: a guess of jieba's HMM, which joins runs of single
        characters."""
        if len(word) != 2 or not (word[0] in self.glued_first or word[1] in self.glued_last):
            return False
        return self._cut(word, hmm=False) != [word]

    def canonical(self, piece: str) -> str:
        entry = self.lexicon.surface_to_entry.get(piece)
        return entry.key if entry is not None else piece

    def words(self, text: str, bounds: Sequence[int] | None = None, start: int = 0, end: int | None = None
              ) -> list[str]:
        """The filtered tokens of ``text`` as strings (lexicon matches in canonical form): the fast path.
        ``start``/``end`` restrict it to the pieces lying wholly inside ``text[start:end]``."""
        if bounds is None:
            if not start and end is None:
                return self.filter_pieces(self.cut(text))
            bounds = self.segment(text)
        first = 0
        last = len(bounds)
        if start or end is not None:
            first = bisect_left(bounds, start)
            last = bisect_right(bounds, len(text) if end is None else end)
            if first >= last:
                return []
        # One memo lookup per piece (its token, or "" when the filters drop it), the whole loop in C: slices → pieces
        # → tokens → non-empty tokens.
        return self.filter_pieces(pieces_of(text, bounds, first, last))

    def filter_pieces(self, pieces: Iterable[str]) -> list[str]:
        """The tokens among ``pieces`` (see ``words``)."""
        return list(filter(None, map(self._word_memo.__getitem__, pieces)))

    def words_between(self, pieces: Sequence[str], start: int, end: int) -> list[str]:
        """The tokens among the pieces lying wholly inside ``[start, end)`` of the text ``pieces`` cover; a walk from
        the start, for short leading regions (a lead or first sentence)."""
        inside = []
        at = 0
        for piece in pieces:
            nxt = at + len(piece)
            if nxt > end:
                break
            if at >= start:
                inside.append(piece)
            at = nxt
        return self.filter_pieces(inside)

    def tokenize(self, text: str, bounds: Sequence[int] | None = None, filtered: bool = True) -> list[Token]:
        """Tokens with offsets; ``filtered=False`` returns every piece, white space and punctuation included."""
        if bounds is None:
            bounds = self.segment(text)
        s2e = self.lexicon.surface_to_entry
        out = []
        for a, b in zip(bounds, bounds[1:]):
            piece = text[a:b]
            if filtered and not self.keeps(piece):
                continue
            entry = s2e.get(piece)
            if entry is not None:
                out.append(Token(entry.key, a, b, "lexicon", piece))
            else:
                out.append(Token(piece, a, b, "word", piece))
        return out
