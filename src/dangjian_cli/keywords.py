"""Keywords fitted to the user's own corpus: TF-IDF (default), TextRank and frequency, per document, per group or
for the corpus as a whole.

The document-term counts are one sparse matrix built in a single streaming pass (scikit-learn's CountVectorizer fed
with the shared tokenizer's tokens); IDF comes from the same corpus unless ``idf`` says otherwise.
"""
from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .corpus import NO_GROUP, Document, check_groups, group_of, warn_about_shared_ids
from .errors import EmptyCorpusError, InputError, UsageError
from .output import RowBlocks
from .parallel import import_in_background, map_documents
from .pipeline import Analyzer
from .regions import find_regions
from .termmatrix import TermCounter, TermCounts, TermMatrixBuilder, document_frequencies, smooth_idf, tfidf

METHODS = ("tfidf", "textrank", "frequency")
SCOPES = ("document", "corpus")
DOC_COLUMNS = ("doc_id", "title", "rank", "keyword", "score", "count")
GROUP_COLUMNS = ("group", "rank", "keyword", "score", "count", "docs")
CORPUS_COLUMNS = ("rank", "keyword", "score", "count", "docs")
TF_MODES = ("raw", "sublinear")
# Position weights: a news item's title and first sentence say what it is about (measured in docs/keyword-quality.md).
TITLE_WEIGHT = 2.0
LEAD_WEIGHT = 2.0


@dataclass(frozen=True)
class IdfTable:
    """Document frequencies from some corpus: ``idf(term) = ln((1 + n) / (1 + df)) + 1`` (scikit-learn's smooth IDF)."""

    documents: int
    df: dict[str, int]
    source: str
    tokenizer_key: str = ""

    def idf(self, term: str) -> float:
        return math.log((1 + self.documents) / (1 + self.df.get(term, 0))) + 1.0

    def save(self, path: Path) -> None:
        from .output import atomic_writer

        with atomic_writer(Path(path)) as fh:
            fh.write("# dangjian IDF table\n")
            fh.write(f"# documents: {self.documents}\n# source: {self.source}\n# tokenizer: {self.tokenizer_key}\n")
            fh.write("term\tdf\n")
            for term, df in sorted(self.df.items(), key=lambda kv: (-kv[1], kv[0])):
                fh.write(f"{term}\t{df}\n")

    @classmethod
    def load(cls, path: Path) -> IdfTable:
        p = Path(path)
        try:
            lines = p.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise InputError(str(p), "IDF file not found", "check --load-idf, or make one with --save-idf") from None
        except UnicodeDecodeError:
            raise InputError(str(p), "IDF file is not UTF-8 text", "make IDF files with --save-idf") from None
        except OSError as exc:
            raise InputError(str(p), f"cannot read IDF file ({exc.strerror or exc})", "check --load-idf") from None
        documents, source, key = None, str(p), ""
        df: dict[str, int] = {}
        for n, line in enumerate(lines, 1):
            if line.startswith("#"):
                k, _, v = line[1:].partition(":")
                k, v = k.strip(), v.strip()
                if k == "documents" and v.isdigit():
                    documents = int(v)
                elif k == "source":
                    source = v
                elif k == "tokenizer":
                    key = v
                continue
            if not line.strip() or line == "term\tdf":
                continue
            term, _, value = line.rpartition("\t")
            if not term or not value.isdigit():
                raise InputError(str(p), f"line {n} is not 'term<TAB>df'", "make IDF files with --save-idf")
            df[term] = int(value)
        if documents is None:
            raise InputError(str(p), "no '# documents: N' line", "make IDF files with --save-idf")
        return cls(documents, df, source, key)


def fit_idf(token_lists: Iterable[list[str]], source: str, tokenizer_key: str = "") -> IdfTable:
    """Document frequencies of a corpus, one streaming pass."""
    df: Counter[str] = Counter()
    n = 0
    for tokens in token_lists:
        n += 1
        df.update(set(tokens))
    if n == 0:
        raise EmptyCorpusError("the IDF corpus has no documents with text", "check the --idf-from paths")
    return IdfTable(n, dict(df), source, tokenizer_key)


def idf_warnings(table: IdfTable, terms: Sequence[str]) -> list[str]:
    """What makes a given IDF table useless for ``terms``: fitted on one document (or none with text), or knowing
    none of them. Either way every term gets nearly the same IDF and the scores are close to plain frequency."""
    if table.documents < 2:
        return [f"the IDF table ({table.source}) comes from {table.documents} document, so it gives nearly every term "
                f"the same IDF and the scores are close to frequency; fit it on a corpus of many documents"]
    if terms and not any(table.df.get(t, 0) for t in terms):
        return [f"none of the {len(terms):,} terms is in the IDF table ({table.source}), so they all get the same "
                f"IDF and the scores are frequency; was it made from texts of another kind, or with other "
                f"tokenizer options?"]
    return []


def background_idf() -> _FloatIdf:
    """jieba's shipped IDF table: the fallback for a corpus of one document, where corpus IDF is meaningless."""
    from importlib import resources

    text = resources.files("jieba.analyse").joinpath("idf.txt").read_text(encoding="utf-8")
    values: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) == 2:
            values[parts[0]] = float(parts[1])
    median = sorted(values.values())[len(values) // 2]
    return _FloatIdf(values, median)


class _FloatIdf:
    """A table of ready IDF values with a default for unknown words; the same interface as IdfTable."""

    def __init__(self, values: dict[str, float], default: float) -> None:
        self.values = values
        self.default = default
        self.documents = 0
        self.source = "jieba 0.42 idf.txt (general-purpose background; the corpus has one document)"
        self.tokenizer_key = ""
        self.df: dict[str, int] = {}

    def idf(self, term: str) -> float:
        return self.values.get(term, self.default)


# -- POS -----------------------------------------------------------------------------------------------------------
class PosTagger:
    """Word-level part of speech from jieba's tagger: dictionary tags first (the domain dictionary's, then jieba's),
    jieba.posseg on the word for the rest. Lexicon entries are tagged ``slogan``."""

    def __init__(self, analyzer: Analyzer) -> None:
        import logging

        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        self._posseg = jieba.posseg
        jieba.posseg.dt.tokenizer.initialize()
        self._table = jieba.posseg.dt.word_tag_tab
        self._domain = analyzer.tokenizer.dictionary_tags
        self._lexicon = analyzer.tokenizer.lexicon.surface_to_entry
        self._memo: dict[str, str] = {}

    def tag(self, word: str) -> str:
        t = self._memo.get(word)
        if t is None:
            if word in self._lexicon:
                t = "slogan"
            elif word in self._domain:
                t = self._domain[word]
            elif word in self._table:
                t = self._table[word]
            else:
                pairs = self._posseg.lcut(word)
                t = pairs[0].flag if len(pairs) == 1 else "x"
            self._memo[word] = t
        return t


# The tags jieba's dictionary and tagger give (ICTCLAS's set; eng for Latin words), and ours for lexicon entries.
POS_TAGS = frozenset("a ad ag an b c d df dg e eng f g h i j k l m mg mq n ng nr nrfg nrt ns nt nz o p q r rg rr rz "
                     "s slogan t tg u ud ug uj ul uv uz v vd vg vi vn vq x y z zg".split())


def parse_pos(spec: str | None, analyzer: Analyzer | None = None) -> tuple[str, ...] | None:
    """``--pos n,vn`` as tag prefixes; a prefix no tag starts with (jieba's, or a tag of the analyzer's
    dictionaries, --user-dict included) is an error."""
    if not spec:
        return None
    prefixes = tuple(p.strip() for p in spec.split(",") if p.strip())
    if not prefixes:
        raise UsageError(f"--pos {spec!r} names no tag", "use jieba tag prefixes such as n,v,vn,a")
    tags = set(POS_TAGS)
    if analyzer is not None:
        tags.update(analyzer.tokenizer.dictionary_tags.values())
    unknown = [p for p in prefixes if not any(t.startswith(p) for t in tags)]
    if unknown:
        # A prefix no tag starts with would silently keep nothing but the slogans.
        raise UsageError(f"--pos: no jieba tag starts with {', '.join(map(repr, unknown))}",
                         "use tag prefixes such as n (nouns), ns (places), v (verbs), vn, a (adjectives)")
    return prefixes


# -- TextRank ------------------------------------------------------------------------------------------------------
DENSE_TEXTRANK_TERMS = 200  # up to this many distinct terms (nine documents in ten) the graph is solved directly


def textrank(tokens: list[str], window: int = 5, damping: float = 0.85, iterations: int = 500,
             tolerance: float = 1e-12) -> dict[str, float]:
    """PageRank over the co-occurrence graph of ``tokens`` (edges between tokens within ``window`` positions),
    scaled so that the top token scores 1. The scores are the PageRank vector itself, not an approximation that
    depends on when an iteration stopped: solved exactly (a linear system) for graphs of up to
    ``DENSE_TEXTRANK_TERMS`` terms, where that is fastest, and by power iteration until the scores change by less
    than ``tolerance`` (summed over the terms) for larger ones."""
    import numpy as np

    index: dict[str, int] = {}
    ids = np.fromiter((index.setdefault(t, len(index)) for t in tokens), dtype=np.int64, count=len(tokens))
    # Each pair of different tokens d < window positions apart adds 1 to the edge both ways (repeated entries are
    # summed): a vectorised build, as a Python loop over pairs took seconds on a long document.
    starts, ends = [], []
    for d in range(1, window):
        a, b = ids[:-d], ids[d:]
        differ = a != b
        starts.append(a[differ])
        ends.append(b[differ])
    a = np.concatenate(starts) if starts else ids[:0]
    b = np.concatenate(ends) if ends else ids[:0]
    if not len(a):  # one distinct token (or none): no graph
        return dict.fromkeys(index, 1.0)
    n = len(index)
    rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
    if n <= DENSE_TEXTRANK_TERMS:
        weights = np.bincount(rows * n + cols, minlength=n * n).reshape(n, n).astype(np.float64)
        # Every token has an edge here (two distinct tokens are within a window of each other somewhere).
        transition = weights / weights.sum(axis=0)  # edge n–m divided by m's total weight
        # The PageRank vector x = (1 − d)/n + d·T·x, solved for x.
        with _one_blas_thread():
            score = np.linalg.solve(np.eye(n) - damping * transition, np.full(n, (1 - damping) / n))
    else:
        score = _power_iteration(rows, cols, n, damping, iterations, tolerance)
    # Rounded, so that tokens the graph cannot tell apart (中央军委 always next to 主席) tie exactly, whatever the
    # order of the floating-point sums, and the tie goes to the term order, as in the other methods.
    return dict(zip(index, np.round(score / score.max(), 12).tolist()))


_BLAS_CONTROLLER: Any = None


def _one_blas_thread() -> Any:
    """A context in which BLAS and LAPACK run on one thread. Their threads, on a system this small, made two
    workers solving thousands of small systems ten times slower than one thread each (they wait spinning, taking
    the cores the other process needs). A controller is made once: 6 µs a use, against 200 µs for
    ``threadpool_limits``."""
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController
        _BLAS_CONTROLLER = ThreadpoolController()
    return _BLAS_CONTROLLER.limit(limits=1, user_api="blas")


def _power_iteration(rows: Any, cols: Any, n: int, damping: float, iterations: int, tolerance: float) -> Any:
    """PageRank of a large co-occurrence graph by power iteration over a sparse transition matrix."""
    import numpy as np
    import scipy.sparse as sp

    weights = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    out_sum = np.asarray(weights.sum(axis=1)).ravel()
    transition = (weights @ sp.diags(1.0 / out_sum)).tocsr()  # scaled by a sparse diagonal: stays sparse
    score = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * (transition @ score)
        delta = float(np.abs(new - score).sum())
        score = new
        if delta < tolerance:
            break
    return score


# -- the computation -----------------------------------------------------------------------------------------------
@dataclass
class KeywordSettings:
    method: str = "tfidf"
    top: int = 10
    min_df: float = 1
    max_df: float = 1.0
    pos: tuple[str, ...] | None = None
    scope: str = "document"
    group_by: str | None = None
    keep_script: bool = False
    idf: Any = None  # an IdfTable; None: fit on the corpus itself
    tf: str = "raw"  # "raw" counts or "sublinear" (1 + ln count)
    title_weight: float = TITLE_WEIGHT  # an occurrence in the title counts this many times (tfidf)
    lead_weight: float = LEAD_WEIGHT  # an occurrence in the lead (first sentence) counts this many times (tfidf)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise UsageError(f"unknown method {self.method!r}", f"use one of: {', '.join(METHODS)}")
        if self.scope not in SCOPES:
            raise UsageError(f"unknown scope {self.scope!r}", f"use one of: {', '.join(SCOPES)}")
        if self.top < 0:
            raise UsageError("--top must be 0 or more")
        if self.min_df < 0 or self.max_df <= 0:
            raise UsageError("--min-df must be ≥ 0 and --max-df > 0")
        if self.tf not in TF_MODES:
            raise UsageError(f"unknown tf {self.tf!r}", f"use one of: {', '.join(TF_MODES)}")
        if self.title_weight < 1 or self.lead_weight < 1:
            raise UsageError("--title-weight and --lead-weight must be 1 or more", "1 counts the title or lead "
                             "like the rest of the text")


@dataclass
class KeywordResult:
    columns: tuple[str, ...]
    rows: Sequence[tuple[Any, ...]]  # a list, or for per-document keywords a RowBlocks (a sequence of tuples too)
    documents: int
    idf_source: str
    idf_table: Any = None  # the IDF used: the corpus's own document frequencies, or the table that was given


def _df_bounds(settings: KeywordSettings, n_docs: int) -> tuple[int, int]:
    lo = settings.min_df if settings.min_df >= 1 else math.ceil(settings.min_df * n_docs)
    hi = settings.max_df if settings.max_df > 1 else math.floor(settings.max_df * n_docs)
    return int(lo), int(hi)


def _weighted(settings: KeywordSettings) -> bool:
    return settings.method == "tfidf" and (settings.title_weight != 1 or settings.lead_weight != 1)


class KeywordFeatures:
    """The per-document part of keyword extraction (runs in worker processes with ``--jobs``): the counts of the
    document's words (a separate title field counted with the text), the extra weight of its title and lead words,
    the original forms of its words (``keep_script``, traditional documents only) and its TextRank scores."""

    def __init__(self, analyzer: Analyzer, settings: KeywordSettings) -> None:
        self.analyzer = analyzer
        self.settings = settings
        self._tagger: PosTagger | None = None
        self._counter = TermCounter()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_tagger"] = None  # jieba's tagger is loaded again in each process
        return state

    def _keep_pos(self, words: list[str]) -> list[str]:
        if self._tagger is None:
            self._tagger = PosTagger(self.analyzer)
        tagger, prefixes = self._tagger, self.settings.pos
        return [w for w in words if (tag := tagger.tag(w)) == "slogan" or tag.startswith(prefixes)]

    def __call__(self, doc: Document) -> tuple[TermCounts, dict[str, str], dict[str, float] | None]:
        settings, analyzer = self.settings, self.analyzer
        tokenizer = analyzer.tokenizer
        weighted = _weighted(settings)
        regions = find_regions(doc)
        forms: dict[str, str] = {}
        if settings.keep_script and doc.script == "traditional":
            toks = analyzer.tokens(doc)
            words = [t.text for t in toks]
            lead = [t.text for t in toks if regions.body_start <= t.start and t.end <= regions.first_sentence_end]
            for t in toks:
                forms.setdefault(t.text, doc.original_slice(t.start, t.end))
        else:
            pieces = analyzer.pieces(doc.text)
            words = tokenizer.filter_pieces(pieces)
            lead = tokenizer.words_between(pieces, regions.body_start, regions.first_sentence_end) if weighted else []
        title_words = tokenizer.words(regions.title) if regions.title else []
        if regions.separate_title:
            words = title_words + words  # as Analyzer.article_words
        if settings.pos:
            words, lead, title_words = self._keep_pos(words), self._keep_pos(lead), self._keep_pos(title_words)
        extra: dict[str, float] = {}
        if weighted:
            for w in title_words:
                extra[w] = extra.get(w, 0.0) + settings.title_weight - 1
            for w in lead:
                extra[w] = extra.get(w, 0.0) + settings.lead_weight - 1
        ranks = textrank(words) if settings.method == "textrank" else None
        # The title and lead weights apply to the words the document has (counted above).
        return self._counter(words, extra if weighted else None), forms, ranks


@dataclass
class CountedCorpus:
    """A corpus counted for keywords: what the per-document pass produces, and what the matrix cache keeps."""

    counts: Any  # CSR int32, documents × terms (columns in sorted term order)
    weighted_tf: Any  # CSR float64 with the title and lead weights added, or None
    vocab: list[str]
    meta: list[tuple[str, str, str]]  # id, title, group
    originals: dict[int, dict[str, str]]  # row → the original forms of its words (traditional, keep_script)
    textrank_scores: list[dict[str, float]]
    warnings: list[str] = dataclasses.field(default_factory=list)  # what reading the corpus warned about

    def to_arrays(self) -> tuple[dict[str, Any], dict[str, Any]]:
        import numpy as np

        arrays = {"counts_data": self.counts.data, "counts_indices": self.counts.indices,
                  "counts_indptr": self.counts.indptr, "shape": np.asarray(self.counts.shape, dtype=np.int64)}
        if self.weighted_tf is not None:
            arrays["weights_data"] = self.weighted_tf.data
            w, c = self.weighted_tf, self.counts
            # The weights have the counts' entries (as TermMatrixBuilder makes them): their positions are kept once.
            if not (np.array_equal(w.indptr, c.indptr) and np.array_equal(w.indices, c.indices)):
                arrays["weights_indices"] = w.indices
                arrays["weights_indptr"] = w.indptr
        meta = {"vocab": self.vocab, "meta": self.meta, "warnings": self.warnings,
                "originals": {str(k): v for k, v in self.originals.items()}}
        return arrays, meta

    @classmethod
    def from_arrays(cls, found: dict[str, Any]) -> CountedCorpus:
        import scipy.sparse as sp

        shape = tuple(int(x) for x in found["shape"])
        counts = sp.csr_matrix((found["counts_data"], found["counts_indices"], found["counts_indptr"]), shape=shape)
        weighted = None
        if "weights_data" in found:
            weighted = sp.csr_matrix((found["weights_data"], found.get("weights_indices", counts.indices),
                                      found.get("weights_indptr", counts.indptr)), shape=shape)
        m = found["meta"]
        if len(m["meta"]) != shape[0] or len(m["vocab"]) != shape[1]:
            raise ValueError("the stored matrix does not match its metadata")
        return cls(counts, weighted, list(m["vocab"]), [tuple(x) for x in m["meta"]],
                   {int(k): v for k, v in m["originals"].items()}, [], list(m["warnings"]))


def count_corpus(docs: Iterable[Document], analyzer: Analyzer, settings: KeywordSettings,
                 background: bool = False) -> CountedCorpus:
    """The per-document pass of keyword extraction over a corpus, through the corpus matrix cache when the analyzer
    has a cache and ``docs`` is a reader of files (see matrixcache.py; TextRank's per-document scores are not kept).
    ``background``: the cache is written by a thread (see ``through_cache``)."""
    from .matrixcache import through_cache

    weighted = _weighted(settings)
    parts = [f"words {analyzer.tokenizer.words_key}", f"pos {settings.pos}", f"keep_script {settings.keep_script}",
             f"group_by {settings.group_by}", f"weights {weighted} {settings.title_weight} {settings.lead_weight}"]
    return through_cache(docs, analyzer, parts, CountedCorpus, lambda: _count(docs, analyzer, settings),
                         use=settings.method != "textrank", background=background)


def _count(docs: Iterable[Document], analyzer: Analyzer, settings: KeywordSettings) -> CountedCorpus:
    meta: list[tuple[str, str, str]] = []
    originals: dict[int, dict[str, str]] = {}
    textrank_scores: list[dict[str, float]] = []
    features = KeywordFeatures(analyzer, dataclasses.replace(settings, idf=None))
    builder = TermMatrixBuilder()
    import_in_background("numpy", "scipy.sparse")  # for the matrix, once the workers are done
    try:
        for doc, (counted, forms, ranks) in map_documents(docs, features, analyzer=analyzer, metadata_only=True):
            if forms:
                originals[len(meta)] = forms
            if ranks is not None:
                textrank_scores.append(ranks)
            meta.append((doc.id, doc.title, group_of(doc, settings.group_by) if settings.group_by else NO_GROUP))
            builder.add(counted)
    finally:
        analyzer.flush()
    if not meta:
        raise EmptyCorpusError()
    counts, weighted_tf, vocab, _vocabulary = builder.finish()
    return CountedCorpus(counts, weighted_tf, vocab, meta, originals, textrank_scores)  # warnings: through_cache


def extract_keywords(docs: Iterable[Document], analyzer: Analyzer, settings: KeywordSettings,
                     warn: Callable[[str], None] | None = None) -> KeywordResult:
    """Keywords as rows (see DOC_COLUMNS, GROUP_COLUMNS, CORPUS_COLUMNS)."""
    # A new corpus matrix is written to the cache while the keywords are ranked (it is only read meanwhile).
    counted = count_corpus(docs, analyzer, settings, background=True)
    try:
        return _keywords(counted, analyzer, settings, warn)
    finally:
        if analyzer.matrix_cache is not None:
            analyzer.matrix_cache.wait()


def _keywords(counted: CountedCorpus, analyzer: Analyzer, settings: KeywordSettings,
              warn: Callable[[str], None] | None) -> KeywordResult:
    import numpy as np  # after counting: a cold run has imported it in the background while the workers ran

    counts, weighted_tf, vocab = counted.counts, counted.weighted_tf, counted.vocab
    meta, originals, textrank_scores = counted.meta, counted.originals, counted.textrank_scores
    n_docs = len(meta)
    columns = DOC_COLUMNS if not settings.group_by and settings.scope == "document" else (
        GROUP_COLUMNS if settings.group_by else CORPUS_COLUMNS)
    idf_source = "corpus"
    if not vocab:  # no document has any token
        return KeywordResult(columns, [], n_docs, idf_source, settings.idf or IdfTable(n_docs, {}, "corpus"))
    df = document_frequencies(counts)
    idf_used = settings.idf if isinstance(settings.idf, IdfTable) else IdfTable(
        n_docs, dict(zip(vocab, df.tolist())), "corpus", analyzer.tokenizer.segmentation_key)
    if settings.top == 0:
        return KeywordResult(columns, [], n_docs, idf_source, idf_used)
    lo, hi = _df_bounds(settings, n_docs)
    if lo > hi:
        # Every term would be left out: an empty table is not an answer.
        raise UsageError(f"--min-df {settings.min_df:g} and --max-df {settings.max_df:g} leave no term of the "
                         f"{n_docs} documents (at least {lo}, at most {hi} documents)",
                         "lower --min-df or raise --max-df")
    keep_mask = (df >= lo) & (df <= hi)
    if not keep_mask.any():
        # The bounds are possible, but no term's document frequency lies between them.
        raise UsageError(f"no term of the {n_docs} documents is in at least {lo} and at most {hi} of them "
                         f"(--min-df {settings.min_df:g}, --max-df {settings.max_df:g}; terms are in "
                         f"{int(df.min())} to {int(df.max())} documents)", "lower --min-df or raise --max-df")

    if settings.method == "tfidf":
        idf_table = settings.idf
        if idf_table is None and n_docs == 1:
            idf_table = background_idf()
            if warn:
                warn("one document: IDF from jieba's general-purpose table; for corpus-fitted scores pass "
                     "--idf-from or --load-idf")
        if idf_table is not None:
            idf = np.array([idf_table.idf(t) for t in vocab], dtype=np.float64)
            idf_source = idf_table.source
            if warn and isinstance(idf_table, IdfTable):
                for message in idf_warnings(idf_table, vocab):
                    warn(message)
            if isinstance(idf_table, IdfTable):
                idf_used = idf_table
        else:
            idf = smooth_idf(df, n_docs)
        tf = weighted_tf if weighted_tf is not None else counts  # counts plus the title and lead weights
        weights = tfidf(tf, idf, sublinear=settings.tf == "sublinear")
    elif settings.method == "textrank":
        import scipy.sparse as sp

        vocabulary = {t: i for i, t in enumerate(vocab)}
        rows_i, cols_i, vals = [], [], []
        for r, scores in enumerate(textrank_scores):
            for term, s in scores.items():
                rows_i.append(r)
                cols_i.append(vocabulary[term])
                vals.append(s)
        weights = sp.csr_matrix((vals, (rows_i, cols_i)), shape=counts.shape, dtype=np.float64)
    else:
        weights = counts.astype(np.float64)

    if not settings.group_by and settings.scope == "document":
        # Checked on the matrix's rows, not while reading: a run served by the matrix cache reads nothing.
        warn_about_shared_ids((m[0] for m in meta), warn)
        rows = _per_document(weights, counts, vocab, keep_mask, meta, originals, settings.top)
    else:
        rows = _per_group(weights, counts, vocab, keep_mask, meta, settings)
    return KeywordResult(columns, rows, n_docs, idf_source, idf_used)


def _identity(tokens: list[str]) -> list[str]:
    """The analyzer of the scikit-learn vectoriser in saved models (``dangjian train``): tokens are made already."""
    return tokens


def _top(indices: Any, scores: Any, top: int) -> Any:
    """Positions of the ``top`` highest scores; ties broken by the term (columns are in term order), so output is
    deterministic."""
    import numpy as np

    return np.lexsort((indices, -scores))[:top]


# Rows ranked at a time: bounded temporary arrays on any corpus size (row offsets must fit 16 bits). Small enough for
# the temporaries of one block (a few MB) to be reused by the next: 65,536 rows at once touched 40 MB of fresh pages
# on bench, and the page faults doubled the ranking's time (0.25 -> 0.12 s).
ROW_BLOCK = 4096


def _could_rank(row: Any, val: Any, n_rows: int, top: int) -> Any:
    """A mask of the entries (``row``: 0 … n_rows-1, non-decreasing; ``val`` > 0) that may be among their row's
    ``top`` largest: every entry whose value, quantised to 32 bits, reaches the ``top``-th largest quantised value
    of its row. Quantising keeps order (a larger value never gets a smaller level), so the true top entries all pass,
    with at most a few ties at the cut; the exact ordering then sorts these few instead of every entry. The levels
    are sorted as (row, level) packed into one integer: numpy sorts integers far faster than it argsorts floats."""
    import numpy as np

    if len(val) == 0 or top <= 0:
        return np.zeros(len(val), dtype=bool)
    levels = np.floor(val * ((2**32 - 1) / float(val.max()))).astype(np.uint64)
    packed = (row.astype(np.uint64) << np.uint64(32)) | (np.uint64(2**32 - 1) - levels)  # per row, largest first
    packed.sort()
    sizes = np.bincount(row, minlength=n_rows)
    starts = np.zeros(n_rows, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    # The top-th largest level of each row (rows with fewer entries keep them all: threshold level 0).
    cut = np.zeros(n_rows, dtype=np.uint64)
    full = sizes >= top
    cut[full] = np.uint64(2**32 - 1) - (packed[starts[full] + top - 1] & np.uint64(2**32 - 1))
    return levels >= cut[row]


def _per_document(weights: Any, counts: Any, vocab: list[str], keep_mask: Any, meta: list[tuple[str, str, str]],
                  originals: dict[int, dict[str, str]], top: int) -> RowBlocks:
    """Each document's ``top`` terms by weight (ties by term), ranked for a block of rows at once."""
    import numpy as np

    weights = weights.tocsr()
    weights.sort_indices()
    counts.sort_indices()
    n_rows, n_cols = weights.shape
    # Every count's (row, column) as one sorted key, to look up the counts of the chosen terms.
    ids = [m[0] for m in meta]
    titles = [m[1] for m in meta]
    count_keys = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(counts.indptr)) * n_cols + counts.indices
    rows = RowBlocks()
    for first in range(0, n_rows, ROW_BLOCK):
        last = min(first + ROW_BLOCK, n_rows)
        a, b = weights.indptr[first], weights.indptr[last]
        row = np.repeat(np.arange(first, last, dtype=np.int64), np.diff(weights.indptr[first:last + 1]))
        col = weights.indices[a:b]
        val = weights.data[a:b]
        sel = keep_mask[col] & (val > 0)
        row, col, val = row[sel], col[sel], val[sel]
        sel = _could_rank(row - first, val, last - first, top)
        row, col, val = row[sel], col[sel], val[sel]
        # By row, then score (highest first), then term: a stable sort by score, then a stable radix sort by the row
        # within the block (columns are already ascending within each row, so ties keep term order). The same
        # order as np.lexsort((col, -val, row)), three times faster.
        by_score = np.argsort(-val, kind="stable")
        order = by_score[np.argsort((row - first).astype(np.uint16)[by_score], kind="stable")]
        row, col, val = row[order], col[order], val[order]
        rank = np.arange(len(row)) - np.searchsorted(row, row)  # position within the row
        chosen = rank < top
        row, col, val, rank = row[chosen], col[chosen], val[chosen], rank[chosen] + 1
        keys = row * n_cols + col
        at = np.minimum(np.searchsorted(count_keys, keys), len(count_keys) - 1)
        count = np.where(count_keys[at] == keys, counts.data[at], 0)
        row_list = row.tolist()
        terms = list(map(vocab.__getitem__, col.tolist()))
        if originals:
            terms = [originals[r].get(t, t) if r in originals else t for r, t in zip(row_list, terms)]
        # Columns made by C-level maps: this runs for every output row.
        rows.add([list(map(ids.__getitem__, row_list)), list(map(titles.__getitem__, row_list)), rank.tolist(), terms,
                  val.tolist(), count.tolist()])
    return rows


def _per_group(weights: Any, counts: Any, vocab: Any, keep_mask: Any, meta: list[tuple[str, str, str]],
               settings: KeywordSettings) -> list[tuple[Any, ...]]:
    import numpy as np
    import scipy.sparse as sp

    groups = sorted({g for _, _, g in meta}) if settings.group_by else ["(corpus)"]
    check_groups(settings.group_by, groups)
    gindex = {g: i for i, g in enumerate(groups)}
    member = [gindex[g] if settings.group_by else 0 for _, _, g in meta]
    n = len(meta)
    indicator = sp.csr_matrix((np.ones(n), (member, np.arange(n))), shape=(len(groups), n))
    sizes = np.asarray(indicator.sum(axis=1)).ravel()
    if settings.method == "frequency":
        score = (indicator @ counts.astype(np.float64)).tocsr()
    else:
        # The mean weight over the group's documents: terms salient in many of its documents rank first.
        score = sp.diags(1.0 / sizes) @ (indicator @ weights)
        score = score.tocsr()
    total = (indicator @ counts).tocsr()
    present = (indicator @ (counts > 0).astype(np.int32)).tocsr()
    rows: list[tuple[Any, ...]] = []
    for gi, g in enumerate(groups):
        start, end = score.indptr[gi], score.indptr[gi + 1]
        idx = score.indices[start:end]
        vals = score.data[start:end]
        sel = keep_mask[idx] & (vals > 0)
        idx, vals = idx[sel], vals[sel]
        tot = dict(zip(total.indices[total.indptr[gi]:total.indptr[gi + 1]].tolist(),
                       total.data[total.indptr[gi]:total.indptr[gi + 1]].tolist()))
        pres = dict(zip(present.indices[present.indptr[gi]:present.indptr[gi + 1]].tolist(),
                        present.data[present.indptr[gi]:present.indptr[gi + 1]].tolist()))
        for rank, k in enumerate(_top(idx, vals, settings.top).tolist(), 1):
            i = int(idx[k])
            row = (rank, str(vocab[i]), float(vals[k]), int(tot.get(i, 0)), int(pres.get(i, 0)))
            rows.append(((g,) + row) if settings.group_by else row)
    return rows
