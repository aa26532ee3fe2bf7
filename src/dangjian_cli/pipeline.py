"""Documents through the tokenizer, with the token cache: what every command that needs tokens iterates."""
from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

from .cache import TokenCache
from .matrixcache import MatrixCache
from .corpus import Document
from .regions import analysed_title
from .tokenize import Token, Tokenizer, bounds_of, pieces_of


class Analyzer:
    """A tokenizer and (optionally) a token cache used together."""

    def __init__(self, tokenizer: Tokenizer | None = None, cache: TokenCache | None = None,
                 matrix_cache: MatrixCache | None = None) -> None:
        self.tokenizer = tokenizer or Tokenizer()
        self.cache = cache  # segmentation results (worth it for the jieba engine: see docs/commands/cache.md)
        self.matrix_cache = matrix_cache  # whole counted corpora, for keywords

    def bounds(self, text: str) -> array:
        if self.cache is None:
            return self.tokenizer.segment(text)
        key = self.cache.key(self.tokenizer.segmentation_key, text)
        found = self.cache.get(key, len(text))
        if found is not None:
            return found
        bounds = self.tokenizer.segment(text)
        self.cache.put(key, bounds)
        return bounds

    def pieces(self, text: str) -> list[str]:
        """The segmenter's pieces of ``text`` (see ``Tokenizer.cut``), from the cache when it has them."""
        if self.cache is None:
            return self.tokenizer.cut(text)
        key = self.cache.key(self.tokenizer.segmentation_key, text)
        found = self.cache.get(key, len(text))
        if found is not None:
            return list(pieces_of(text, found))
        pieces = self.tokenizer.cut(text)
        self.cache.put(key, bounds_of(pieces))
        return pieces

    def words(self, doc: Document | str) -> list[str]:
        text = doc if isinstance(doc, str) else doc.text
        return self.tokenizer.filter_pieces(self.pieces(text))

    def article_words(self, doc: Document) -> list[str]:
        """The words of a document with its title: a title given as a separate field (JSONL, CSV) and not repeated
        as the text's first line is part of the article, counted once with the text."""
        title = analysed_title(doc)
        words = self.words(doc)
        if not title or doc.text.startswith(title):
            return words
        return self.tokenizer.words(title) + words

    def tokens(self, doc: Document | str, filtered: bool = True) -> list[Token]:
        text = doc if isinstance(doc, str) else doc.text
        return self.tokenizer.tokenize(text, self.bounds(text), filtered=filtered)

    def stream_words(self, docs: Iterable[Document]) -> Iterator[tuple[Document, list[str]]]:
        try:
            for doc in docs:
                yield doc, self.words(doc)
        finally:
            self.flush()

    def flush(self) -> None:
        if self.cache is not None:
            self.cache.flush()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
