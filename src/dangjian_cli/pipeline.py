"""Documents through the tokenizer, with the token cache: what every command that needs tokens iterates."""
from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .cache import TokenCache
from .matrixcache import MatrixCache
from .corpus import Document
from .regions import find_regions
from .tokenize import Token, Tokenizer, TokenizerConfig, bounds_of, pieces_of


class Analyzer:
    """A tokenizer and (optionally) a token cache used together."""

    def __init__(self, tokenizer: Tokenizer | None = None, cache: TokenCache | None = None,
                 matrix_cache: MatrixCache | None = None) -> None:
        self.tokenizer = tokenizer or Tokenizer()
        self.cache = cache  # segmentation results (worth it for the jieba engine: see docs/commands/cache.md)
        self.matrix_cache = matrix_cache  # whole counted corpora, for keywords and similar

    def __getstate__(self) -> dict[str, Any]:
        # Workers never use the corpus matrix cache (the main process reads and writes it): it stays behind, and
        # with it whatever warning callback it holds, which need not be picklable.
        return {**self.__dict__, "matrix_cache": None}

    def _segmented(self, text: str) -> tuple[array | None, list[str] | None]:
        """(cut positions, None) when the cache has the text; else (what was stored or None, the fresh pieces)."""
        if self.cache is None:
            return None, self.tokenizer.cut(text)
        key = self.cache.key(self.tokenizer.segmentation_key, text)
        found = self.cache.get(key, len(text))
        if found is not None:
            return found, None
        pieces = self.tokenizer.cut(text)
        bounds = bounds_of(pieces)
        self.cache.put(key, bounds)
        return bounds, pieces

    def bounds(self, text: str) -> array:
        """Cut positions of ``text`` (see ``Tokenizer.segment``), from the cache when it has them."""
        bounds, pieces = self._segmented(text)
        return bounds if bounds is not None else bounds_of(pieces or [])

    def pieces(self, text: str) -> list[str]:
        """The segmenter's pieces of ``text`` (see ``Tokenizer.cut``), from the cache when it has them."""
        bounds, pieces = self._segmented(text)
        if pieces is not None:
            return pieces
        assert bounds is not None
        return list(pieces_of(text, bounds))

    def words(self, doc: Document | str) -> list[str]:
        text = doc if isinstance(doc, str) else doc.text
        return self.tokenizer.filter_pieces(self.pieces(text))

    def article_words(self, doc: Document) -> list[str]:
        """The words of a document with its title (``Regions.separate_title``: a title field not repeated as the
        text's first line is part of the article, counted once with the text)."""
        title = find_regions(doc).separate_title
        words = self.words(doc)
        return self.tokenizer.words(title) + words if title else words

    def tokens(self, doc: Document | str, filtered: bool = True) -> list[Token]:
        text = doc if isinstance(doc, str) else doc.text
        return self.tokenizer.tokenize(text, self.bounds(text), filtered=filtered)

    def map_words(self, docs: Iterable[Document], article: bool = False, counted: bool = False
                  ) -> Iterator[tuple[Document, Any]]:
        """``(doc, words)`` for every document, in input order: its words (``article``: with a separate title, as
        ``article_words``), or with ``counted`` a dict word → count. In worker processes when ``docs`` is a corpus
        reader with ``--jobs`` above 1 (documents come back without their texts)."""
        from .parallel import map_documents

        return map_documents(docs, _DocumentWords(self, article, counted), analyzer=self, metadata_only=True)

    def flush(self) -> None:
        if self.cache is not None:
            self.cache.flush()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


class _DocumentWords:
    """A document's words or their counts (picklable: what ``Analyzer.map_words`` runs in worker processes)."""

    def __init__(self, analyzer: Analyzer, article: bool, counted: bool) -> None:
        self.analyzer, self.article, self.counted = analyzer, article, counted

    def __call__(self, doc: Document) -> Any:
        words = self.analyzer.article_words(doc) if self.article else self.analyzer.words(doc)
        return dict(Counter(words)) if self.counted else words


def make_analyzer(config: TokenizerConfig | None = None, use_cache: bool = True,
                  warn: Callable[[str], None] | None = None) -> Analyzer:
    """An analyzer with the caches the CLI uses: the corpus matrix cache, and the token cache for the jieba engine
    only (rjieba cuts a text about as fast as its cut positions are read back and applied, and writing them cost a
    cold run a quarter of its time: docs/commands/cache.md). ``use_cache=False`` is ``--no-cache``."""
    from .matrixcache import default_matrix_cache

    config = config or TokenizerConfig()
    tokens = TokenCache(warn=warn) if use_cache and config.engine == "jieba" else None
    matrices = default_matrix_cache(warn) if use_cache else None
    return Analyzer(Tokenizer(config), tokens, matrices)
