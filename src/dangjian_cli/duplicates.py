"""Copy detection: who copied whom, and how much.

On the normalised text (traditional converted to simplified, debris removed), white space and punctuation dropped:

1. every document's character 5-shingles are hashed (vectorised: a polynomial rolling hash over the code points,
   then a 64-bit mixer);
2. candidates: MinHash signatures (64 permutations, over a consistent 1-in-4 sample of the shingles) of overlapping
   200-character windows, banded LSH (16 bands × 4 rows); two documents that share a band bucket in any window are
   candidates. Windows rather than whole documents, so that a short article copied into a long one is found (its
   Jaccard with the long one is small, but their windows match);
3. verification on the exact shingle sets: Jaccard |A∩B|/|A∪B| and containment |A∩B|/min(|A|,|B|); a pair is a copy
   when its containment reaches the threshold;
4. clusters are the connected components of copy pairs, earliest-dated member first (ties: id);
5. copy share: the fraction of a document's characters covered by a shingle that also occurs in another document
   of the corpus (exact, from corpus-wide shingle counts, not only from verified pairs);
6. passages: maximal aligned runs of shared shingles between the two texts of a pair, with offsets in the
   normalised and the original text of both.

Steps 1–2 run per document in worker processes with ``--jobs`` (``Fingerprinter``); the LSH grouping (one sort of
every document's band keys), verification, copy shares (one sort of every document's distinct shingle hashes) and
clusters run in the main process, vectorised.

Memory: about 12 bytes per compared character (each document's distinct shingle hashes, 8 bytes, and for each
shingle its place among them, 4 bytes) plus the band keys; no text is kept unless passages are asked for. No
datasketch: its per-document path runs at about 3 MB/s; the vectorised numpy code here does the same computation
(MinHash + banded LSH) at the speed benchmarks/ reports.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .corpus import Document
from .errors import EmptyCorpusError, UsageError
from .parallel import map_batches

SHINGLE = 5
WINDOW = 200
STRIDE = 100
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
BUCKET_PAIRS = 40  # above this many documents in one LSH bucket, candidates are chained, not all pairs
SAMPLE = 4  # keep shingles whose hash is 0 modulo SAMPLE for the signatures
CLUSTER_COLUMNS = ("cluster", "doc_id", "title", "date", "size", "jaccard", "containment", "copy_share")
PAIR_COLUMNS = ("doc_a", "doc_b", "jaccard", "containment", "date_a", "date_b", "shared")
PASSAGE_COLUMNS = ("doc_a", "doc_b", "start_a", "end_a", "start_b", "end_b", "original_start_a", "original_end_a",
                   "original_start_b", "original_end_b", "chars", "text")
SHARE_COLUMNS = ("doc_id", "title", "date", "chars", "copy_share", "partners")
_KEEP = re.compile(r"[\w]")  # letters, digits, Han: what is compared

_MASK64 = (1 << 64) - 1


@lru_cache(maxsize=1)
def _params() -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng(20261123)  # fixed: signatures are comparable across runs
    a = rng.integers(1, 2**63 - 1, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.uint64)
    return a, b


def _mix(h: Any) -> Any:
    """splitmix64's finaliser: spreads the rolling hash's bits."""
    import numpy as np

    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@lru_cache(maxsize=1)
def _word_table() -> Any:
    """For every code point of the Basic Multilingual Plane: is it a word character (what ``\\w`` matches)?"""
    import numpy as np

    return np.fromiter((_KEEP.match(chr(c)) is not None for c in range(0x10000)), dtype=bool, count=0x10000)


def window_starts(n: int) -> list[int]:
    """Starts of the WINDOW-shingle windows over ``n`` shingles: every STRIDE, and one ending at the last."""
    starts = list(range(0, max(n - WINDOW, 0) + 1, STRIDE)) or [0]
    if starts[-1] + WINDOW < n:
        starts.append(max(n - WINDOW, 0))
    return starts


def _offsets(sizes: Any) -> Any:
    """[0, s0, s0+s1, …]: where each of consecutive parts of the given sizes starts, and the end."""
    import numpy as np

    out = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out


def _distinct_per_part(values: Any, offsets: Any) -> tuple[Any, Any, Any]:
    """``np.unique(part, return_inverse=True)`` of every part of ``values`` (``offsets``: where each part starts,
    and the end), at once: the parts' distinct values, sorted, concatenated; where each part's start among them;
    and for each value its index among its part's distinct values."""
    import numpy as np

    # One small sort per part: faster than one sort of everything by (part, value) (numpy's lexsort).
    bounds = offsets.tolist()
    order = np.concatenate([np.argsort(values[lo:hi]) + lo for lo, hi in zip(bounds, bounds[1:])] or
                           [np.zeros(0, dtype=np.int64)])
    ranked = values[order]
    new = np.ones(len(values), dtype=bool)
    new[1:] = ranked[1:] != ranked[:-1]
    new[offsets[:-1][offsets[:-1] < len(values)]] = True  # each part starts afresh
    distinct = ranked[new]
    running = np.zeros(len(values) + 1, dtype=np.int64)  # first occurrences before each place
    np.cumsum(new, out=running[1:])
    index = np.empty(len(values), dtype=np.int64)
    index[order] = running[1:] - 1
    distinct_at = running[offsets]
    index -= np.repeat(distinct_at[:-1], np.diff(offsets))
    return distinct, distinct_at, index


@dataclass
class FingerprintBatch:
    """What copy detection keeps of a batch of documents, each document's part found through an offsets array
    (made in worker processes with ``--jobs``; a few arrays per batch travel faster than objects per document)."""

    unique: Any  # per document, its distinct shingle hashes, sorted
    unique_at: Any  # offsets into ``unique``
    inverse: Any  # int32, per document in text order: the index of each shingle's hash among the document's unique
    inverse_at: Any  # offsets into ``inverse``
    keys: Any  # per document, its distinct LSH band keys
    keys_at: Any
    chars: Any  # per document, characters compared
    positions: list[list[int]] | None = None  # per document, offsets of the compared characters (passages)

    def __len__(self) -> int:
        return len(self.chars)

    def select(self, kept: list[int]) -> FingerprintBatch:
        """The fingerprints of the documents at ``kept`` (in that order) only."""
        import numpy as np

        def parts(values: Any, at: Any) -> tuple[Any, Any]:
            pieces = [values[at[k]:at[k + 1]] for k in kept]
            joined = np.concatenate(pieces) if pieces else values[:0]
            return joined, _offsets(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)))

        unique, unique_at = parts(self.unique, self.unique_at)
        inverse, inverse_at = parts(self.inverse, self.inverse_at)
        keys, keys_at = parts(self.keys, self.keys_at)
        positions = [self.positions[k] for k in kept] if self.positions is not None else None
        return FingerprintBatch(unique, unique_at, inverse, inverse_at, keys, keys_at, self.chars[kept], positions)


def fingerprint_batch(texts: list[str], keep_positions: bool = False) -> FingerprintBatch:
    """Fingerprints of normalised texts, computed on all of them at once (numpy calls cost the same for one short
    article as for sixty-four): word characters kept, SHINGLE-character shingles hashed (a polynomial over the code
    points, then a 64-bit mixer), MinHash signatures of each WINDOW-shingle window over the 1-in-SAMPLE sampled
    shingles, and LSH band keys. A document's fingerprint does not depend on the others of its batch."""
    import numpy as np

    m = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=m)
    cps = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    keep = _word_table()[np.minimum(cps, 0xFFFF)]
    beyond = np.flatnonzero(cps >= 0x10000)  # outside the table: ask the regex
    if len(beyond):
        keep[beyond] = [_KEEP.match(chr(c)) is not None for c in cps[beyond].tolist()]
    kept_at = np.flatnonzero(keep)
    text_at = _offsets(lengths)
    chars = np.diff(np.searchsorted(kept_at, text_at))  # characters compared per document
    chars_at = _offsets(chars)
    codes = cps[kept_at].astype(np.uint64)
    positions = None
    if keep_positions:
        local = kept_at - np.repeat(text_at[:-1], chars)
        positions = [local[chars_at[k]:chars_at[k + 1]].tolist() for k in range(m)]

    # Shingles of each document (none across a boundary): the ones starting at least SHINGLE-1 before its end.
    per_doc = np.maximum(chars - (SHINGLE - 1), 0)
    n_all = max(len(codes) - SHINGLE + 1, 0)
    hashes = np.zeros(n_all, dtype=np.uint64)
    with np.errstate(over="ignore"):
        base = np.uint64(1000003)
        for j in range(SHINGLE):
            hashes = hashes * base + codes[j:j + n_all]
        hashes = _mix(hashes)
    shingle_at = _offsets(per_doc)
    # Shingle i of document k starts at chars_at[k] + i in the batch.
    hashes = hashes[np.arange(shingle_at[-1]) + np.repeat(chars_at[:-1] - shingle_at[:-1], per_doc)]
    unique, unique_at, inverse = _distinct_per_part(hashes, shingle_at)

    keys, keys_at = _band_keys(hashes, shingle_at, m)
    return FingerprintBatch(unique, unique_at, inverse.astype(np.int32), shingle_at, keys, keys_at, chars,
                            positions)


def _band_keys(hashes: Any, shingle_at: Any, m: int) -> tuple[Any, Any]:
    """Each document's distinct LSH band keys (and their offsets): MinHash signatures (64 permutations of the
    sampled shingles) of its windows with at least three sampled shingles, 16 bands of 4 rows, each band's rows
    and number hashed together. Two documents sharing a key are candidates (a rare hash collision only adds a
    candidate, which verification then rejects)."""
    import numpy as np

    a, b = _params()
    # Windows of every document, as [lo, hi) in the shingles of the batch (a window never crosses its document).
    w_doc, w_lo, w_hi = [], [], []
    for k in range(m):
        first, n = int(shingle_at[k]), int(shingle_at[k + 1] - shingle_at[k])
        starts = window_starts(n)
        w_doc.extend([k] * len(starts))
        w_lo.extend(first + s for s in starts)
        w_hi.extend(first + min(s + WINDOW, n) for s in starts)
    sampled = np.flatnonzero((hashes % np.uint64(SAMPLE)) == 0)
    lo = np.searchsorted(sampled, np.asarray(w_lo, dtype=np.int64))
    hi = np.searchsorted(sampled, np.asarray(w_hi, dtype=np.int64))
    valid = (hi - lo) >= 3
    lo, hi, owner = lo[valid], hi[valid], np.asarray(w_doc, dtype=np.int64)[valid]
    if len(lo) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(m + 1, dtype=np.int64)
    with np.errstate(over="ignore"):
        perm = hashes[sampled][:, None] * a[None, :] + b[None, :]  # (sampled shingles, permutations)
    # The minimum over rows lo..hi-1 of each window, by reduceat over the sorted, distinct cut points: every
    # window's end is a cut (or the end of all), so no piece spans two windows' documents.
    cuts = np.unique(np.concatenate([lo, hi]))
    cuts = cuts[cuts < len(sampled)]
    piece_min = np.minimum.reduceat(perm, cuts, axis=0)  # piece k covers cuts[k] .. cuts[k+1]-1
    first = np.searchsorted(cuts, lo)
    last = np.searchsorted(cuts, hi)  # pieces first .. last-1 make the window
    sigs = piece_min[first]
    span = last - first
    for extra in range(1, int(span.max())):  # windows of more than one piece (a few pieces at most)
        more = span > extra
        sigs[more] = np.minimum(sigs[more], piece_min[first[more] + extra])
    rows = sigs.reshape(len(sigs), BANDS, ROWS)
    multipliers = _band_multipliers()
    with np.errstate(over="ignore"):
        # A different odd multiplier for each (band, row): the rows' values are MinHash minima, already mixed.
        keys = multipliers[None, :, 0] * rows[:, :, 0]
        for r in range(1, ROWS):
            keys = (keys ^ (keys >> np.uint64(29))) + multipliers[None, :, r] * rows[:, :, r]
        keys = _mix(keys).ravel()
    distinct, offsets, _index = _distinct_per_part(keys, _offsets(np.bincount(owner, minlength=m) * BANDS))
    return distinct, offsets


@lru_cache(maxsize=1)
def _band_multipliers() -> Any:
    import numpy as np

    rng = np.random.default_rng(20261124)
    return rng.integers(1, 2**63 - 1, size=(BANDS, ROWS), dtype=np.uint64) | np.uint64(1)


class Fingerprinter:
    """Batch of documents → FingerprintBatch; picklable."""

    def __init__(self, keep_positions: bool = False) -> None:
        self.keep_positions = keep_positions

    def __call__(self, docs: list[Document]) -> FingerprintBatch:
        return fingerprint_batch([d.text for d in docs], self.keep_positions)


@dataclass
class _Doc:
    id: str
    title: str
    date: str
    unique: Any  # sorted distinct shingle hashes
    inverse: Any  # in text order: the position in ``unique`` of each shingle's hash
    chars: int
    document: Document | None = None
    positions: list[int] | None = None

    @property
    def hashes(self) -> Any:
        """The shingle hashes in text order."""
        return self.unique[self.inverse]


@dataclass
class DuplicateResult:
    clusters: list[tuple[Any, ...]]
    pairs: list[tuple[Any, ...]]
    shares: list[tuple[Any, ...]]
    passages: list[tuple[Any, ...]] = field(default_factory=list)
    documents: int = 0
    candidates: int = 0


def _order_key(d: _Doc) -> tuple[int, str, str]:
    return (0 if d.date else 1, d.date, d.id)


def find_duplicates(docs: Iterable[Document], threshold: float = 0.5, passages: int = 0, min_shared: int = 0
                    ) -> DuplicateResult:
    """Copy pairs, clusters and copy shares; ``passages`` > 0 also returns the shared passages of at least that
    many characters (the documents' texts are then kept in memory). A pair is a copy when its containment reaches
    ``threshold`` and the two share at least ``min_shared`` shingles (short items that share only a formula, such as
    the announcements of a newspaper's commentaries, reach any containment on the formula alone). Documents are
    fingerprinted in worker processes when ``docs`` is a corpus reader with ``jobs`` above 1."""
    if not 0.0 < threshold <= 1.0:
        raise UsageError("--threshold must be in (0, 1]")
    if passages < 0:
        raise UsageError("--passages must be ≥ 0")
    if min_shared < 0:
        raise UsageError("--min-shared must be ≥ 0")
    items: list[_Doc] = []
    keys: list[Any] = []
    for batch, fp in map_batches(docs, Fingerprinter(keep_positions=bool(passages)), metadata_only=not passages,
                                 check_ids=True):
        u, i, k = fp.unique_at.tolist(), fp.inverse_at.tolist(), fp.keys_at.tolist()
        for n, (doc, chars) in enumerate(zip(batch, fp.chars.tolist())):
            # Views into the batch's arrays: no copy per document.
            items.append(_Doc(doc.id, doc.title, doc.date, fp.unique[u[n]:u[n + 1]], fp.inverse[i[n]:i[n + 1]],
                              chars, doc if passages else None, fp.positions[n] if fp.positions else None))
            keys.append(fp.keys[k[n]:k[n + 1]])
    if not items:
        raise EmptyCorpusError()
    candidates = _candidates(keys)
    del keys

    verified: dict[tuple[int, int], tuple[float, float]] = {}
    shared_by: dict[tuple[int, int], int] = {}
    for i, j in candidates:
        jac, con, shared = _similarity(items[i].unique, items[j].unique)
        if con >= threshold and shared >= min_shared:
            verified[(i, j)] = (jac, con)
            shared_by[(i, j)] = shared

    shares, partners = _copy_shares(items, verified)
    clusters = _clusters(items, verified, shares)
    pair_rows = []
    for (i, j), (jac, con) in sorted(verified.items(), key=lambda kv: (_order_key(items[kv[0][0]]),
                                                                        _order_key(items[kv[0][1]]))):
        first, second = sorted((items[i], items[j]), key=_order_key)
        pair_rows.append((first.id, second.id, round(jac, 6), round(con, 6), first.date, second.date,
                          shared_by[(i, j)]))
    share_rows = [(d.id, d.title, d.date, d.chars, round(shares[k], 6), partners[k]) for k, d in enumerate(items)]
    passage_rows: list[tuple[Any, ...]] = []
    if passages:
        for (i, j) in sorted(verified, key=lambda p: (_order_key(items[p[0]]), _order_key(items[p[1]]))):
            first, second = sorted((items[i], items[j]), key=_order_key)
            passage_rows.extend(shared_passages(first, second, passages))
    return DuplicateResult(clusters, pair_rows, share_rows, passage_rows, len(items), len(candidates))


def _candidates(keys: list[Any]) -> list[tuple[int, int]]:
    """Pairs of documents sharing an LSH band key, sorted. All pairs of a bucket's documents, or, above
    BUCKET_PAIRS documents, a chain of neighbours."""
    import numpy as np

    sizes = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    if sizes.sum() == 0:
        return []
    flat = np.concatenate(keys)
    owner = np.repeat(np.arange(len(keys), dtype=np.int64), sizes)
    order = np.argsort(flat, kind="stable")  # by key, then document (documents were concatenated in order)
    flat, owner = flat[order], owner[order]
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    lengths = np.diff(np.append(starts, len(flat)))
    found: set[tuple[int, int]] = set()
    # Buckets of two: one pair each, vectorised (most buckets).
    two = starts[lengths == 2]
    found.update(zip(owner[two].tolist(), owner[two + 1].tolist()))
    for start, length in zip(starts[lengths > 2].tolist(), lengths[lengths > 2].tolist()):
        ms = owner[start:start + length].tolist()  # distinct (a document's keys are distinct), ascending
        if length <= BUCKET_PAIRS:
            found.update((ms[x], ms[y]) for x in range(length) for y in range(x + 1, length))
        else:
            # A window shared by many documents (a broadcast formula, a standard paragraph, or a widely reprinted
            # article): a chain of neighbours instead of all pairs keeps the candidates linear; clusters still join
            # up through the verified links.
            found.update(zip(ms, ms[1:]))
    return sorted(found)


def _similarity(u: Any, v: Any) -> tuple[float, float, int]:
    """Jaccard, containment and the number of shingles in common."""
    import numpy as np

    if len(u) == 0 or len(v) == 0:
        return 0.0, 0.0, 0
    inter = len(np.intersect1d(u, v, assume_unique=True))
    return inter / (len(u) + len(v) - inter), inter / min(len(u), len(v)), inter


DOC_BLOCK = 8192  # documents whose coverage is computed at a time (bounded temporaries on any corpus)
PART_VALUES = 1 << 22  # about this many hashes are checked for repeats at a time


def _copy_shares(items: list[_Doc], verified: dict[tuple[int, int], tuple[float, float]]
                 ) -> tuple[list[float], list[str]]:
    """Exact corpus-wide copy share per document, and its verified copy partners."""
    import numpy as np

    shares: list[float] = []
    if items:
        every = np.concatenate([d.unique for d in items])
        unique_at = _offsets(np.fromiter((len(d.unique) for d in items), dtype=np.int64, count=len(items)))
        for k, d in enumerate(items):  # the documents' hashes now live in one array: the batches' copies go
            d.unique = every[unique_at[k]:unique_at[k + 1]]
        shared = _repeated_in_parts(every)
        for a in range(0, len(items), DOC_BLOCK):
            b = min(a + DOC_BLOCK, len(items))
            covered = _covered_chars(items[a:b], shared[unique_at[a]:unique_at[b]])
            shares.extend(float(c) / d.chars if d.chars else 0.0 for c, d in zip(covered, items[a:b]))
    partners: list[list[str]] = [[] for _ in items]
    for i, j in verified:
        partners[i].append(items[j].id)
        partners[j].append(items[i].id)
    return shares, ["|".join(sorted(p)) for p in partners]


def _covered_chars(items: list[_Doc], shared: Any) -> list[int]:
    """Per document, its characters covered by a shingle whose hash stands in another document (``shared``: a flag
    for each of these documents' distinct hashes, in order). Each shingle in text order goes through its document's
    inverse to its flag; a shared shingle at i covers characters i … i+SHINGLE-1."""
    import numpy as np

    n_unique = np.fromiter((len(d.unique) for d in items), dtype=np.int64, count=len(items))
    n_hashes = np.fromiter((len(d.inverse) for d in items), dtype=np.int64, count=len(items))
    n_chars = np.fromiter((d.chars for d in items), dtype=np.int64, count=len(items))
    unique_start = _offsets(n_unique)[:-1]
    wide = np.int64 if len(shared) >= 2**31 else np.int32
    in_order = np.concatenate([d.inverse for d in items]).astype(wide, copy=False)
    in_order += np.repeat(unique_start.astype(wide), n_hashes)
    hit_at = np.flatnonzero(shared[in_order])
    del in_order
    hash_start = _offsets(n_hashes)[:-1]
    char_start = _offsets(n_chars)[:-1]
    doc_of_hit = np.searchsorted(hash_start, hit_at, side="right") - 1
    first_char = hit_at - hash_start[doc_of_hit] + char_start[doc_of_hit]
    covered = np.zeros(int(n_chars.sum()), dtype=bool)
    for k in range(SHINGLE):
        covered[first_char + k] = True
    running = np.concatenate(([0], np.cumsum(covered, dtype=np.int64)))
    return (running[char_start + n_chars] - running[char_start]).tolist()


def _repeated_in_parts(values: Any) -> Any:
    """``_repeated(values)``, a part of the hash space at a time (equal values share their top bits, so each part is
    checked on its own): the temporaries stay a few times PART_VALUES, not a few times the corpus."""
    import numpy as np

    parts = 1
    while parts < 256 and len(values) > parts * PART_VALUES:
        parts *= 2
    if parts == 1:
        return _repeated(values)
    bits = parts.bit_length() - 1
    top = (values >> np.uint64(64 - bits)).astype(np.uint8)
    flags = np.zeros(len(values), dtype=bool)
    for p in range(parts):
        in_part = top == p
        flags[in_part] = _repeated(values[in_part])
    return flags


def _repeated(values: Any) -> Any:
    """For each of ``values`` (uint64), whether it stands more than once: a document's distinct hashes are
    distinct, so in the concatenation of all documents' a value standing twice is in two documents.

    numpy sorts values several times faster than it argsorts them, so the values are sorted with their index packed
    into their low bits (the high bits of the value kept): equal values become neighbours, and so do a few unequal
    ones whose high bits agree; those candidates are then told apart on their full values (an argsort of few)."""
    import numpy as np

    n = len(values)
    flags = np.zeros(n, dtype=bool)
    if n < 2:
        return flags
    index_bits = max(24, int(n - 1).bit_length())
    shift = np.uint64(index_bits)
    packed = values >> shift  # in place from here: fewer large temporaries
    packed <<= shift
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    high = packed >> shift
    near = high[1:] == high[:-1]
    candidate = np.zeros(n, dtype=bool)
    candidate[1:] |= near
    candidate[:-1] |= near
    del high, near
    at = (packed[candidate] & np.uint64((1 << index_bits) - 1)).astype(np.int64)
    del packed, candidate
    full = values[at]
    order = np.argsort(full)
    ranked = full[order]
    same = ranked[1:] == ranked[:-1]
    repeated = np.zeros(len(at), dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    flags[at[order[repeated]]] = True
    return flags


def _clusters(items: list[_Doc], verified: dict[tuple[int, int], tuple[float, float]], shares: list[float]
              ) -> list[tuple[Any, ...]]:
    parent = list(range(len(items)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in verified:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    members = [sorted(g, key=lambda k: _order_key(items[k])) for g in groups.values() if len(g) > 1]
    members.sort(key=lambda g: _order_key(items[g[0]]))
    rows: list[tuple[Any, ...]] = []
    for n, group in enumerate(members, 1):
        first = items[group[0]]
        for k in group:
            d = items[k]
            jac, con = (1.0, 1.0) if k == group[0] else _similarity(first.unique, d.unique)[:2]
            rows.append((n, d.id, d.title, d.date, len(group), round(jac, 6), round(con, 6), round(shares[k], 6)))
    return rows


def shared_passages(a: _Doc, b: _Doc, min_chars: int) -> Iterator[tuple[Any, ...]]:
    """Maximal aligned runs of identical shingles between two documents, at least ``min_chars`` long."""
    assert a.document is not None and b.document is not None and a.positions is not None and b.positions is not None
    where_b: dict[int, list[int]] = defaultdict(list)
    for pos, h in enumerate(b.hashes.tolist()):
        where_b[h].append(pos)
    ha = a.hashes.tolist()
    hb = b.hashes.tolist()
    used: set[tuple[int, int]] = set()
    for i, h in enumerate(ha):
        for j in where_b.get(h, ()):
            if (i, j) in used or (i > 0 and j > 0 and ha[i - 1] == hb[j - 1]):
                continue  # not the start of a run
            length = 0
            while i + length < len(ha) and j + length < len(hb) and ha[i + length] == hb[j + length]:
                used.add((i + length, j + length))
                length += 1
            chars = length + SHINGLE - 1
            if chars < min_chars:
                continue
            # Offsets in the normalised text (compared characters map back through positions), then the original.
            sa, ea = a.positions[i], a.positions[i + chars - 1] + 1
            sb, eb = b.positions[j], b.positions[j + chars - 1] + 1
            oa = a.document.original_span(sa, ea)
            ob = b.document.original_span(sb, eb)
            yield (a.id, b.id, sa, ea, sb, eb, oa[0], oa[1], ob[0], ob[1], chars, a.document.text[sa:ea])
