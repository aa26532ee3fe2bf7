"""Sparse document-term counts and TF-IDF, built from per-document term counts.

The arithmetic is scikit-learn's (CountVectorizer + TfidfTransformer: columns in sorted term order, smooth IDF
``ln((1 + n) / (1 + df)) + 1``, optional sublinear tf ``1 + ln tf``, rows L2-normalised); tests/test_termmatrix.py
checks the equality. It is built here instead for two reasons: the per-token counting loop then runs in the worker
processes that segment the documents (``TermCounter``), so the main process only learns each worker's new terms and
appends each document's arrays (its ids are mapped to columns with numpy at the end); and ``keywords`` and
``similar`` do not pay scikit-learn's import (about 0.8 s on the reference machine) on every run.
"""
from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple

MAP_ROWS = 2048  # rows kept as one block of bytes by TermMatrixBuilder, and mapped and sorted at once by finish
_JOIN = "\n"  # tokens never contain a line break (the tokenizer drops pieces with white space), so it can join them


def _joined(terms: list[str]) -> str | tuple[str, ...]:
    """One string for a list of terms (it crosses process boundaries far faster than a list of strings); a tuple
    in the unexpected case that a term holds the separator."""
    joined = _JOIN.join(terms)
    return tuple(terms) if joined.count(_JOIN) != max(len(terms) - 1, 0) else joined


def _split(terms: str | tuple[str, ...]) -> list[str] | tuple[str, ...]:
    if isinstance(terms, tuple):
        return terms
    return terms.split(_JOIN) if terms else []


class TermCounts(NamedTuple):
    """A document's distinct terms as ids in the vocabulary of the process that counted them (``source``), with
    their counts and (optionally) weights. ``new_terms`` are the terms that process met for the first time in this
    document, in id order: the main process learns each process's ids from them, so the results of one process
    must reach ``TermMatrixBuilder.add`` in the order they were made (``map_documents`` keeps input order, and a
    worker takes its chunks in input order). The numbers travel as the bytes of arrays: unpickling bytes costs a
    seventh of unpickling arrays, and the main process unpickles every document's (0.13 s of its time on bench)."""

    source: int  # which counter (and so which vocabulary) made it
    new_terms: str | tuple[str, ...]
    ids: bytes  # of array("i"): process-local term ids
    counts: bytes  # of array("i"): one count per id
    weights: bytes | None = None  # of array("d"): one weight per id (the count plus title and lead bonuses)


class _LocalVocabulary(dict):
    """term → id in this process; remembers the terms added since they were last taken."""

    def __init__(self) -> None:
        super().__init__()
        self.fresh: list[str] = []

    def __missing__(self, term: str) -> int:
        term_id = self[term] = len(self)
        self.fresh.append(term)
        return term_id


class TermCounter:
    """Counts a document's words into ``TermCounts`` (in worker processes with ``--jobs``: pickling gives each
    process its own, empty vocabulary)."""

    def __init__(self) -> None:
        import secrets

        self._vocabulary = _LocalVocabulary()
        # Names this vocabulary (a copy in another process, or another counter in this one, gets its own).
        self._source = secrets.randbits(63)

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()

    def __call__(self, words: Iterable[str], extra: dict[str, float] | None = None) -> TermCounts:
        """The counts of ``words``; ``extra`` (term → added weight) gives weights, for the terms among ``words``."""
        counted = Counter(words)
        vocabulary = self._vocabulary
        ids = array("i", list(map(vocabulary.__getitem__, counted))).tobytes()  # from a list: faster than a map
        fresh = vocabulary.fresh
        vocabulary.fresh = []
        weights = None
        if extra is not None:
            weighted: dict[str, float] = dict(counted)
            for term, value in extra.items():
                if term in weighted:
                    weighted[term] += value
            weights = array("d", weighted.values()).tobytes()
        return TermCounts(self._source, _joined(fresh), ids, array("i", list(counted.values())).tobytes(), weights)


class _Vocabulary(dict):
    """term → column, a new column for each new term."""

    def __missing__(self, term: str) -> int:
        column = self[term] = len(self)
        return column


class TermMatrixBuilder:
    """Accumulates documents' term counts row by row; ``finish`` returns the CSR matrices.

    Rows keep their counter's local ids as they come (the bytes received, no per-id work in Python), joined into one
    block of bytes per ``MAP_ROWS`` rows while the workers run; ``finish`` maps each block's ids to columns with numpy,
    through a table that holds each counter's local id → column, sorts the columns within the block's rows once for
    both matrices and writes them into the final arrays. Growing one array by each row's bytes instead had them copied
    again and again by reallocation (0.24 s of the main process on bench), and whole-matrix temporaries touch fresh
    memory, whose page faults cost more than the arithmetic."""

    def __init__(self) -> None:
        self._vocabulary = _Vocabulary()
        self._source_number: dict[int, int] = {}  # counter (TermCounts.source) → its number here
        self._columns: list[list[int]] = []  # per counter number: its local id → column
        self._row_source = array("i")  # per row: its counter's number
        self._indptr = array("q", [0])
        self._pending: tuple[list[bytes], list[bytes], list[bytes]] = ([], [], [])  # rows not yet in a block
        self._blocks: list[tuple[int, bytes, bytes, bytes]] = []  # (rows, local ids, counts, weights or b"")
        self._weighted_rows = 0

    @property
    def rows(self) -> int:
        return len(self._indptr) - 1

    def add(self, counts: TermCounts) -> None:
        number = self._source_number.get(counts.source)
        if number is None:
            number = self._source_number[counts.source] = len(self._columns)
            self._columns.append([])
        if counts.new_terms:
            self._columns[number].extend(map(self._vocabulary.__getitem__, _split(counts.new_terms)))
        self._row_source.append(number)
        self._indptr.append(self._indptr[-1] + len(counts.ids) // 4)
        ids, data, weights = self._pending
        ids.append(counts.ids)
        data.append(counts.counts)
        if counts.weights is not None:
            weights.append(counts.weights)
            self._weighted_rows += 1
        if len(ids) >= MAP_ROWS:
            self._seal()

    def _seal(self) -> None:
        ids, data, weights = self._pending
        if ids:
            self._blocks.append((len(ids), b"".join(ids), b"".join(data), b"".join(weights)))
            self._pending = ([], [], [])

    def finish(self) -> tuple[Any, Any, list[str], dict[str, int]]:
        """(counts as CSR int32, weights as CSR float64 or None when no document had weights, the terms in column
        order, term → column). Columns are in sorted term order, as scikit-learn's."""
        import numpy as np
        import scipy.sparse as sp

        if self._weighted_rows not in (0, self.rows):
            raise ValueError("some documents were added with weights and some without")
        self._seal()
        terms = sorted(self._vocabulary)
        vocabulary = {t: i for i, t in enumerate(terms)}
        sorted_column = np.fromiter(map(vocabulary.__getitem__, self._vocabulary), dtype=np.int64, count=len(terms))
        # One table of every counter's local id → sorted column, each counter's part starting at its offset.
        sizes = [len(c) for c in self._columns]
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        table = sorted_column[np.fromiter((c for part in self._columns for c in part), dtype=np.int64,
                                          count=int(offsets[-1]))]
        indptr64 = np.frombuffer(self._indptr, dtype=np.int64)
        row_source = np.frombuffer(self._row_source, dtype=np.int32) if self._row_source \
            else np.zeros(0, dtype=np.int32)
        total = int(indptr64[-1])
        index_type = np.int32 if total < 2**31 and len(terms) < 2**31 else np.int64
        indices = np.empty(total, dtype=index_type)
        data = np.empty(total, dtype=np.int32)
        weights = np.empty(total, dtype=np.float64) if self._weighted_rows else None
        first = 0
        for n_rows, ids_bytes, data_bytes, weights_bytes in self._blocks:
            last = first + n_rows
            a, b = int(indptr64[first]), int(indptr64[last])
            local_indptr = indptr64[first:last + 1] - a
            columns = np.repeat(offsets[row_source[first:last]], np.diff(local_indptr))
            columns += np.frombuffer(ids_bytes, dtype=np.int32)
            # The block's columns sorted within rows, carrying each entry's position: one sort for both matrices.
            order = sp.csr_matrix((np.arange(b - a, dtype=np.int32), table[columns].astype(index_type),
                                   local_indptr.astype(index_type)), shape=(n_rows, len(terms)))
            order.sort_indices()
            indices[a:b] = order.indices
            data[a:b] = np.frombuffer(data_bytes, dtype=np.int32)[order.data]
            if weights is not None:
                weights[a:b] = np.frombuffer(weights_bytes, dtype=np.float64)[order.data]
            first = last
        self._blocks = []
        indptr = indptr64.astype(index_type)
        shape = (self.rows, len(terms))
        counts = sp.csr_matrix((data, indices, indptr), shape=shape)
        counts.has_sorted_indices = True
        if weights is not None:
            weights = sp.csr_matrix((weights, indices.copy(), indptr.copy()), shape=shape)
            weights.has_sorted_indices = True
        return counts, weights, terms, vocabulary


def document_frequencies(counts: Any) -> Any:
    """How many rows of a CSR matrix have each column."""
    import numpy as np

    return np.bincount(counts.indices, minlength=counts.shape[1])


def smooth_idf(df: Any, documents: int) -> Any:
    """scikit-learn's smooth IDF: ``ln((1 + n) / (1 + df)) + 1``."""
    import numpy as np

    return np.log((1 + documents) / (1 + np.asarray(df, dtype=np.float64))) + 1.0


def tfidf(tf: Any, idf: Any, sublinear: bool = False) -> Any:
    """``tf × idf`` with rows L2-normalised (a new float64 CSR matrix); ``sublinear``: tf becomes ``1 + ln tf``."""
    import numpy as np

    weights = tf.astype(np.float64, copy=True).tocsr()
    weights.eliminate_zeros()
    if sublinear:
        np.log(weights.data, out=weights.data)
        weights.data += 1.0
    idf = np.asarray(idf, dtype=np.float64)
    for a, b in _entry_blocks(weights.indptr):
        weights.data[a:b] *= idf[weights.indices[a:b]]
    return l2_normalize(weights)


NORM_ROWS = 4096  # rows scaled at a time: temporaries of a few MB, reused block after block instead of fresh pages


def _entry_blocks(indptr: Any) -> list[tuple[int, int]]:
    """``(start, end)`` of the entries of each block of NORM_ROWS rows."""
    rows = len(indptr) - 1
    return [(int(indptr[first]), int(indptr[min(first + NORM_ROWS, rows)])) for first in range(0, rows, NORM_ROWS)]


def l2_normalize(matrix: Any) -> Any:
    """Divide each row of a float CSR matrix by its Euclidean norm, in place (all-zero rows stay zero). A block of
    rows at a time: the same sums in the same order as over the whole matrix at once, without its large temporaries
    (their first touch cost more than the arithmetic)."""
    import numpy as np

    if matrix.nnz == 0:
        return matrix
    indptr, data = matrix.indptr, matrix.data
    rows = matrix.shape[0]
    for first in range(0, rows, NORM_ROWS):
        last = min(first + NORM_ROWS, rows)
        a, b = int(indptr[first]), int(indptr[last])
        row_of = np.repeat(np.arange(last - first), np.diff(indptr[first:last + 1]))
        part = data[a:b]
        norms = np.sqrt(np.bincount(row_of, weights=part * part, minlength=last - first))
        norms[norms == 0] = 1.0
        part /= norms[row_of]
    return matrix
