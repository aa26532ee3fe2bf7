"""Nearest neighbours by cosine similarity over the corpus's own TF-IDF (the vectoriser and tokenizer of
``keywords``: sublinear tf × smooth IDF fitted on the corpus, title tokens counted with the text, rows L2-normalised).

Memory: one sparse document-term matrix. ``all_neighbours`` multiplies it with itself a block of rows at a time,
so no n × n matrix is ever held: peak memory is the matrix, its transpose, and a block's products (at most
``block × ROW_CAP`` scores, and ``n × (top + 5)`` handed forward).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .corpus import Document, warn_about_shared_ids
from .errors import DangjianError, EmptyCorpusError, UsageError
from .parallel import import_in_background, map_documents
from .pipeline import Analyzer
from .termmatrix import (TermCounter, TermCounts, TermMatrixBuilder, document_frequencies, l2_normalize, smooth_idf,
                         tfidf)

COLUMNS = ("query", "rank", "doc_id", "title", "date", "score")
EXPLAIN_COLUMNS = (*COLUMNS, "terms")
MATRIX_LIMIT = 2000
TIE_MARGIN = 4  # candidates beyond top + 1 fetched per row, so that ties at the last place can be seen
# --all from this many documents on scores each pair once (``_candidates_by_halves``); below it the products are
# quick and the floor's sample would not pay for itself.
HALVES_FROM = 20_000
FLOOR_SAMPLE = 512
FLOOR_QUANTILE = 0.02
HALVES_MIN_FLOOR = 0.01
ROW_CAP = 4000
CAPPED_SHARE = 0.5  # more of a block's rows past the cap than this, and the rest of the table goes by rows


@dataclass
class CorpusVectors:
    ids: list[str]
    titles: list[str]
    dates: list[str]
    matrix: Any  # CSR, rows L2-normalised
    vocabulary: dict[str, int]
    terms: Any  # index → term
    idf: Any
    counts: Any = None  # CSR int32: the term counts the matrix was made from (what the matrix cache keeps)
    warnings: list[str] = field(default_factory=list)  # what reading the corpus warned about

    @classmethod
    def from_counts(cls, counts: Any, terms: list[str], ids: list[str], titles: list[str], dates: list[str],
                    warnings: list[str], vocabulary: dict[str, int] | None = None) -> CorpusVectors:
        """Sublinear tf × smooth IDF fitted on these counts, rows L2-normalised."""
        idf = smooth_idf(document_frequencies(counts), len(ids))
        matrix = tfidf(counts, idf, sublinear=True)
        if vocabulary is None:
            vocabulary = {t: i for i, t in enumerate(terms)}
        return cls(ids, titles, dates, matrix, vocabulary, terms, idf, counts, warnings)

    def to_arrays(self) -> tuple[dict[str, Any], dict[str, Any]]:
        import numpy as np

        c = self.counts
        arrays = {"counts_data": c.data, "counts_indices": c.indices, "counts_indptr": c.indptr,
                  "shape": np.asarray(c.shape, dtype=np.int64)}
        return arrays, {"terms": list(self.terms), "ids": self.ids, "titles": self.titles, "dates": self.dates,
                        "warnings": self.warnings}

    @classmethod
    def from_arrays(cls, found: dict[str, Any]) -> CorpusVectors:
        import scipy.sparse as sp

        shape = tuple(int(x) for x in found["shape"])
        counts = sp.csr_matrix((found["counts_data"], found["counts_indices"], found["counts_indptr"]), shape=shape)
        m = found["meta"]
        if not len(m["ids"]) == len(m["titles"]) == len(m["dates"]) == shape[0] or len(m["terms"]) != shape[1]:
            raise ValueError("the stored matrix does not match its metadata")
        return cls.from_counts(counts, list(m["terms"]), list(m["ids"]), list(m["titles"]), list(m["dates"]),
                               list(m["warnings"]))

    def index(self, doc_id: str) -> int:
        """The row of the document with this id; an error if no document, or more than one, has it."""
        positions = [i for i, d in enumerate(self.ids) if d == doc_id]
        if not positions:
            raise DangjianError(f"no document with id {doc_id!r} in the corpus",
                                "list the ids with 'dangjian corpus', or give a file, - or --text")
        if len(positions) > 1:
            # Which one was meant cannot be told: answering for either would be a guess.
            raise DangjianError(f"{len(positions)} documents have the id {doc_id!r} (documents "
                                f"{', '.join(str(i + 1) for i in positions[:5])}{'…' if len(positions) > 5 else ''} "
                                "of the corpus)", "give them distinct ids (--id-field), or query with a file, - or "
                                "--text")
        return positions[0]

    def transform(self, tokens: list[str]) -> Any:
        """A query's vector in the corpus's space (terms the corpus does not have are dropped)."""
        import numpy as np
        import scipy.sparse as sp

        counts: dict[int, int] = {}
        for t in tokens:
            j = self.vocabulary.get(t)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        vals = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        vals = (1.0 + np.log(vals)) * self.idf[cols] if len(vals) else vals
        q = sp.csr_matrix((vals, (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, len(self.terms)))
        return l2_normalize(q)


class ArticleTermCounts:
    """The per-document part of ``fit_vectors`` (runs in worker processes with ``--jobs``): the counts of a
    document's words, its title counted with the text."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.counter = TermCounter()

    def __call__(self, doc: Document) -> TermCounts:
        return self.counter(self.analyzer.article_words(doc))


def fit_vectors(docs: Iterable[Document], analyzer: Analyzer) -> CorpusVectors:
    """The corpus's TF-IDF vectors, through the corpus matrix cache when the analyzer has one and ``docs`` is a
    reader of files (see matrixcache.py): a second query on the same corpus does not count it again."""
    from .matrixcache import through_cache

    parts = ["similar: article words, raw counts", f"words {analyzer.tokenizer.words_key}"]
    return through_cache(docs, analyzer, parts, CorpusVectors, lambda: _fit(docs, analyzer))


def _fit(docs: Iterable[Document], analyzer: Analyzer) -> CorpusVectors:
    ids, titles, dates = [], [], []
    builder = TermMatrixBuilder()
    import_in_background("numpy", "scipy.sparse")  # for the matrix, once the workers are done
    try:
        for d, counted in map_documents(docs, ArticleTermCounts(analyzer), analyzer=analyzer, metadata_only=True):
            ids.append(d.id)
            titles.append(d.title)
            dates.append(d.date)
            builder.add(counted)
    finally:
        analyzer.flush()
    if not ids:
        raise EmptyCorpusError()
    counts, _weights, terms, vocabulary = builder.finish()
    if not terms:
        raise EmptyCorpusError("the documents have no tokens to compare")
    return CorpusVectors.from_counts(counts, terms, ids, titles, dates, [], vocabulary)  # warnings: through_cache


def query_text(text: str) -> str:
    """``text`` when it can be a query: UTF-8 text that is not blank; else the UsageError (the CLI asks before it
    fits the corpus)."""
    from .normalize import require_utf8

    if not require_utf8(text, "--text").strip():
        raise UsageError("--text is empty", "give the text to search with, or a file or - as QUERY")
    return text


def resolve_query(v: CorpusVectors, analyzer: Analyzer, query: str | None = None, text: str | None = None,
                  options: Any = None, warn: Any = None) -> tuple[str, Any, int | None]:
    """A query's label, vector and (for a document of the corpus) its row, which neighbours leave out.

    ``text`` is a string; ``query`` is ``-`` (stdin), a file, or else an id of the corpus. Files and text go through
    the same loader and tokenizer as the corpus."""
    import os

    from .corpus import CorpusReader

    if options is not None:
        options = options.all_dates()  # the query is not a document of the corpus under study
    if text is not None:
        doc = CorpusReader([], options, warn=warn).text_document(query_text(text))
        label = "(text)"
    elif query == "-" or os.path.isfile(str(query)):
        docs = list(CorpusReader([str(query)], options, warn=warn))
        if len(docs) != 1:
            raise UsageError(f"the query {query} holds {len(docs)} documents", "give one document")
        doc = docs[0]
        label = "(stdin)" if query == "-" else doc.id
    else:
        row = v.index(str(query))
        if v.matrix[row].nnz == 0 and warn is not None:
            warn(f"document {query} has no words to compare (only stop words, numbers or punctuation), so no "
                 "document is like it")
        return str(query), v.matrix[row], row
    words = analyzer.article_words(doc)
    if not words:
        raise UsageError(f"the query {label} has no words to compare once stop words, numbers and punctuation are "
                         "left out", "give a query with content words")
    q = v.transform(words)
    if q.nnz == 0 and warn is not None:
        distinct = list(dict.fromkeys(words))  # in the query's order
        shown = "、".join(distinct[:5]) + ("…" if len(distinct) > 5 else "")
        warn(f"none of the query's words ({shown}) is in the corpus, so no document is like it")
    return label, q, None


def _clip(score: float) -> float:
    return min(1.0, max(0.0, float(score)))


def explain_terms(v: CorpusVectors, q: Any, row: int, n: int = 5) -> str:
    """The terms that contribute most to a pair's cosine: ``term:share`` of the score."""
    import numpy as np

    x = v.matrix[row]
    common = q.multiply(x).tocsr()
    if common.nnz == 0:
        return ""
    total = common.data.sum()
    order = sorted(range(common.nnz), key=lambda k: (-common.data[k], str(v.terms[common.indices[k]])))[:n]
    return "|".join(f"{v.terms[common.indices[k]]}:{common.data[k] / total:.2f}" for k in order
                    if np.isfinite(common.data[k]))


def neighbours(v: CorpusVectors, q: Any, query_label: str, top: int = 10, min_score: float = 0.0,
               exclude: int | None = None, explain: bool = False) -> list[tuple[Any, ...]]:
    """COLUMNS (EXPLAIN_COLUMNS) rows: the ``top`` documents most similar to the query vector ``q``."""
    import numpy as np

    scores = np.asarray((v.matrix @ q.T).todense()).ravel()
    if exclude is not None:
        scores[exclude] = -1.0
    order = sorted(np.nonzero(scores > 0)[0].tolist(), key=lambda i: (-round(float(scores[i]), 6), v.ids[i]))
    rows: list[tuple[Any, ...]] = []
    for i in order:
        s = _clip(scores[i])
        if s < min_score or len(rows) >= top:
            break
        row = (query_label, len(rows) + 1, v.ids[i], v.titles[i], v.dates[i], round(s, 6))
        rows.append(row + (explain_terms(v, q, i),) if explain else row)
    return rows


def all_neighbours(v: CorpusVectors, top: int = 10, min_score: float = 0.0, block: int = 4096,
                   explain: bool = False, threads: int = 1, method: str = "auto", stats: dict[str, Any] | None = None,
                   warn: Callable[[str], None] | None = None) -> Iterator[tuple[Any, ...]]:
    """Every document's top neighbours (itself excluded), a block of rows at a time.

    Each row's best ``top + 1`` candidates (and a few more, for ties) come from sparse products that keep only the
    best scores as they go (sparse_dot_topn, ``threads`` threads), so neither an n×n matrix nor a dense block is ever
    built; scores are exact cosines in float64, the same as a single query's. ``method``: ``rows`` multiplies each
    block of rows with the whole matrix; ``halves`` computes each pair once (see ``_candidates_by_halves``), about
    half the work; ``auto`` takes ``halves`` from HALVES_FROM documents on. Both give the same table. ``stats``, if
    given, counts what ``halves`` did: rows multiplied again past the cap, rows scored by rows, blocks by rows.
    ``warn`` hears of ids shared by several documents (before the first row)."""
    import numpy as np

    if method not in ("auto", "rows", "halves"):
        raise ValueError(f"unknown method {method!r}")
    warn_about_shared_ids(v.ids, warn)
    x = v.matrix.astype(np.float64).tocsr()
    xt = x.T.tocsr()
    n = x.shape[0]
    k = min(top, n - 1)
    if k <= 0:
        return
    wanted = min(n, k + 1 + TIE_MARGIN)
    threads = max(1, threads)
    # Ties (equal scores at six digits) are broken by id, so the output depends neither on the block size, the
    # threads nor the last bits of the arithmetic: each id's place in sorted order.
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[sorted(range(n), key=v.ids.__getitem__)] = np.arange(n)
    tau = None
    if method == "halves" or (method == "auto" and n >= HALVES_FROM):
        tau = score_floor(x, xt, wanted, threads)
        if method == "auto" and tau < HALVES_MIN_FLOOR:
            tau = None  # nearly every pair scores above it: halves would save nothing
    if stats is not None:
        stats["floor"] = tau
    blocks = (_candidates_by_halves(x, xt, wanted, block, threads, tau, stats) if tau is not None
              else _candidates_by_rows(x, xt, wanted, block, threads))
    for start, stop, best in blocks:
        yield from _block_rows(v, x, xt, best, start, stop, k, wanted, id_rank, min_score, explain)


def score_floor(x: Any, xt: Any, wanted: int, threads: int) -> float:
    """A score most rows' ``wanted``-th best candidate lies above: the FLOOR_QUANTILE quantile of it over
    FLOOR_SAMPLE rows spread evenly over the corpus (0 for a row with fewer candidates)."""
    import numpy as np
    from sparse_dot_topn import sp_matmul_topn

    n = x.shape[0]
    sample = np.unique(np.linspace(0, n - 1, min(n, FLOOR_SAMPLE)).astype(np.int64))
    best = sp_matmul_topn(x[sample], xt, top_n=wanted, sort=True, n_threads=threads)
    full = np.flatnonzero(np.diff(best.indptr) == wanted)
    last = np.zeros(len(sample))
    last[full] = best.data[best.indptr[full + 1] - 1]  # sorted: a row's last candidate is its lowest
    return float(np.quantile(last, FLOOR_QUANTILE))


def _candidates_by_rows(x: Any, xt: Any, wanted: int, block: int, threads: int, begin: int = 0
                        ) -> Iterator[tuple[int, int, Any]]:
    """``(start, stop, best)`` for each block of rows: its rows' ``wanted`` best columns, sorted (CSR)."""
    from sparse_dot_topn import sp_matmul_topn

    n = x.shape[0]
    for start in range(begin, n, block):
        stop = min(n, start + block)
        yield start, stop, sp_matmul_topn(x[start:stop], xt, top_n=wanted, sort=True, n_threads=threads)


def _candidates_by_halves(x: Any, xt: Any, wanted: int, block: int, threads: int, floor: float,
                          stats: dict[str, Any] | None = None) -> Iterator[tuple[int, int, Any]]:
    """What ``_candidates_by_rows`` gives, with each pair of documents scored once instead of twice.

    A block of rows is multiplied only with the documents from the block's start on; every score above ``floor``
    is kept (a row with more than ``cap`` of them is multiplied again without the cap), so each row knows all its
    scores above the floor with later documents, and hands the ones with documents after the block forward:
    ``incoming`` keeps, for each later document, its ``wanted`` best scores with earlier ones. A row's candidates are
    the best of both. Where fewer than ``wanted`` of them lie above the floor, what lies below it is unknown, and
    the row is multiplied with the whole matrix as ``_candidates_by_rows`` does (``score_floor`` sets the floor so
    that about 2 % of rows are). If more than half a block's rows pass the cap, the floor is too low for this
    corpus: the remaining blocks go by rows."""
    import numpy as np
    import scipy.sparse as sp
    from sparse_dot_topn import sp_matmul_topn

    n = x.shape[0]
    cap = ROW_CAP
    counted = {"capped rows": 0, "rows below the floor": 0, "blocks by rows": 0}
    if stats is not None:
        stats.update(counted)
        counted = stats
    same = sp.identity(n, format="csr", dtype=np.float64)  # multiplying by it keeps each row's best scores exactly
    incoming = sp.csr_matrix((n, n), dtype=np.float64)

    def best_of(m: Any, top: int, sort: bool = False) -> Any:
        return sp_matmul_topn(m, same, top_n=top, sort=sort, n_threads=threads)

    for start in range(0, n, block):
        stop = min(n, start + block)
        # The whole matrix's columns from ``start`` on: each term's list of documents, from the first at or after it.
        from_start = xt.indices >= start
        ends = np.concatenate(([0], np.cumsum(from_start)))[xt.indptr]
        later = sp.csr_matrix((xt.data[from_start], xt.indices[from_start], ends), shape=xt.shape)
        own = sp_matmul_topn(x[start:stop], later, top_n=cap, threshold=floor, n_threads=threads)
        capped = np.flatnonzero(np.diff(own.indptr) >= cap)
        if len(capped) > CAPPED_SHARE * (stop - start):
            counted["blocks by rows"] += len(range(start, n, block))
            yield from _candidates_by_rows(x, xt, wanted, block, threads, begin=start)
            return
        counted["capped rows"] += len(capped)
        if len(capped):
            parts = [sp_matmul_topn(x[start + capped[a:a + 128]], later, top_n=n - start, threshold=floor,
                                    n_threads=threads) for a in range(0, len(capped), 128)]
            own = _rows_replaced(own, capped, sp.vstack(parts, format="csr"))
        best = best_of((own + incoming[start:stop]).tocsr(), wanted, sort=True)
        short = np.flatnonzero(np.diff(best.indptr) < wanted)
        counted["rows below the floor"] += len(short)
        if len(short):
            best = _rows_replaced(best, short, sp_matmul_topn(x[start + short], xt, top_n=wanted, sort=True,
                                                              n_threads=threads))
        yield start, stop, best
        if stop < n:
            o = own.tocoo()
            ahead = o.col >= stop
            handed = sp.csr_matrix((o.data[ahead], (o.col[ahead], o.row[ahead] + start)), shape=(n, n))
            incoming = best_of((incoming + handed).tocsr(), wanted)


def _rows_replaced(m: Any, rows: Any, new: Any) -> Any:
    """``m`` with ``rows`` (sorted) replaced by the rows of ``new``, in order; each row's entries keep their order."""
    import numpy as np
    import scipy.sparse as sp

    keep = np.ones(m.shape[0], dtype=bool)
    keep[rows] = False
    kept = np.flatnonzero(keep)
    stacked = sp.vstack([m[kept], new.astype(m.dtype)], format="csr")
    order = np.empty(m.shape[0], dtype=np.int64)
    order[kept] = np.arange(len(kept))
    order[rows] = len(kept) + np.arange(len(rows))
    return stacked[order]


def _block_rows(v: CorpusVectors, x: Any, xt: Any, best: Any, start: int, stop: int, k: int, wanted: int,
                id_rank: Any, min_score: float, explain: bool) -> Iterator[tuple[Any, ...]]:
    """The output rows of one block of ``all_neighbours``, its candidates ranked for the whole block at once."""
    import numpy as np
    from itertools import repeat

    counts = np.diff(best.indptr)
    row = np.repeat(np.arange(start, stop, dtype=np.int64), counts)
    col = best.indices.astype(np.int64)
    raw = best.data
    # Scores as printed: clipped to [0, 1] and rounded to six digits by Python's round (numpy's differs at halves).
    shown = np.fromiter(map(round, np.clip(raw, 0.0, 1.0).tolist(), repeat(6)), dtype=np.float64, count=len(raw))
    # When the candidates run out inside a tie at the k-th place, the row is scored in full: its lowest candidate
    # (itself included) still scores as high as its k-th neighbour.
    lowest = np.full(stop - start, np.inf)
    np.minimum.at(lowest, row - start, raw)
    lowest = np.fromiter(map(round, np.clip(lowest, 0.0, 1.0).tolist(), repeat(6)), dtype=np.float64,
                         count=len(lowest))
    other = col != row
    row, col, shown = row[other], col[other], shown[other]
    order = np.lexsort((id_rank[col], -shown, row))
    row, col, shown = row[order], col[order], shown[order]
    place = np.arange(len(row)) - np.searchsorted(row, row)  # 0, 1, … within each row
    kth = np.full(stop - start, np.nan)
    at_k = place == k - 1
    kth[row[at_k] - start] = shown[at_k]
    beyond = np.zeros(stop - start, dtype=bool)
    beyond[row[place == k] - start] = True  # more than k candidates besides itself
    full = (counts == wanted) & beyond & (lowest >= kth)
    keep = (place < k) & (shown > 0) & (shown >= min_score) & ~full[row - start]
    row, col, shown, place = row[keep], col[keep], shown[keep], place[keep]
    if not full.any():
        yield from _rows_out(v, x, row.tolist(), col.tolist(), shown.tolist(), (place + 1).tolist(), explain)
        return
    # Rows scored in full are slotted in among the others, in row order.
    rows_l, cols_l, shown_l, rank_l = row.tolist(), col.tolist(), shown.tolist(), (place + 1).tolist()
    pos = 0
    for i in range(start, stop):
        end = pos
        while end < len(rows_l) and rows_l[end] == i:
            end += 1
        if full[i - start]:
            yield from _full_row(v, x, xt, i, k, min_score, id_rank, explain)
        else:
            yield from _rows_out(v, x, rows_l[pos:end], cols_l[pos:end], shown_l[pos:end], rank_l[pos:end], explain)
        pos = end


def _rows_out(v: CorpusVectors, x: Any, rows: list[int], cols: list[int], scores: list[float], ranks: list[int],
              explain: bool) -> Iterator[tuple[Any, ...]]:
    ids, titles, dates = v.ids, v.titles, v.dates
    out = zip(map(ids.__getitem__, rows), ranks, map(ids.__getitem__, cols), map(titles.__getitem__, cols),
              map(dates.__getitem__, cols), scores)
    if not explain:
        yield from out
        return
    for (i, j), row in zip(zip(rows, cols), out):
        yield row + (explain_terms(v, x[i], j),)


def _full_row(v: CorpusVectors, x: Any, xt: Any, i: int, k: int, min_score: float, id_rank: Any, explain: bool
              ) -> Iterator[tuple[Any, ...]]:
    """Row ``i`` scored against every document (a row whose k-th place is tied beyond the candidates: copies of
    one text, say), ranked as the candidates are."""
    import numpy as np
    from itertools import repeat

    full = np.asarray((x[i] @ xt).todense()).ravel()
    full[i] = 0.0
    cols = np.flatnonzero(full > 0)
    if len(cols) > k:
        # Only scores that can round to the k-th largest or above are rounded and ranked: rounding to six digits
        # never orders two scores more than 1e-6 apart the other way (2e-6 leaves room for float error).
        kth = np.partition(full[cols], len(cols) - k)[len(cols) - k]
        cols = cols[full[cols] >= kth - 2e-6]
    shown = np.fromiter(map(round, np.clip(full[cols], 0.0, 1.0).tolist(), repeat(6)), dtype=np.float64,
                        count=len(cols))
    order = np.lexsort((id_rank[cols], -shown))[:k]
    cols, shown = cols[order], shown[order]
    keep = (shown > 0) & (shown >= min_score)
    n = int(np.argmin(keep)) if not keep.all() else len(keep)  # a prefix: scores only fall
    yield from _rows_out(v, x, [i] * n, cols[:n].tolist(), shown[:n].tolist(), list(range(1, n + 1)), explain)


def matrix_rows(v: CorpusVectors, force: bool = False, warn: Callable[[str], None] | None = None
                ) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The full pairwise cosine matrix: columns ``id`` and every document id. ``warn`` hears of ids shared by
    several documents."""
    n = len(v.ids)
    if n > MATRIX_LIMIT and not force:
        raise UsageError(f"{n} documents: the full matrix would have {n * n:,} cells",
                         f"use --all for each document's neighbours, or --force to write it anyway (limit "
                         f"{MATRIX_LIMIT})")
    warn_about_shared_ids(v.ids, warn)

    def rows() -> Iterator[tuple[Any, ...]]:
        xt = v.matrix.T.tocsc()
        for start in range(0, n, 256):
            sims = (v.matrix[start:start + 256] @ xt).toarray()
            for r, row in enumerate(sims):
                i = start + r
                yield (v.ids[i], *[1.0 if j == i else round(_clip(val), 6) for j, val in enumerate(row)])

    return ["id", *v.ids], rows()
