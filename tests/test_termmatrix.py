"""termmatrix.py computes what scikit-learn's CountVectorizer + TfidfTransformer compute, from counts made by
several counters (as in worker processes) in any interleaving."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from conftest import SEEDS
from dangjian_cli.corpus import load_documents
from dangjian_cli.pipeline import Analyzer
from dangjian_cli.termmatrix import TermCounter, TermMatrixBuilder, document_frequencies, smooth_idf, tfidf


@pytest.fixture(scope="module")
def token_lists():
    an = Analyzer()
    docs = load_documents([str(SEEDS)])
    # The seeds, their halves and a document without tokens: rows of many sizes, terms shared unevenly.
    lists = [an.article_words(d) for d in docs]
    lists += [words[: len(words) // 2] for words in lists] + [[]]
    return lists


def _identity(tokens):
    return tokens


@pytest.mark.parametrize("sublinear,map_rows", [(False, None), (True, None), (False, 3)])
def test_same_matrix_and_scores_as_scikit_learn(token_lists, sublinear, map_rows, monkeypatch):
    if map_rows is not None:  # ids mapped to columns a few rows at a time, as on a large corpus
        import dangjian_cli.termmatrix

        monkeypatch.setattr(dangjian_cli.termmatrix, "MAP_ROWS", map_rows)
        monkeypatch.setattr(dangjian_cli.termmatrix, "NORM_ROWS", map_rows - 1)  # scaled a few rows at a time
    # Two counters, as two worker processes would be (each pickled: a fresh vocabulary), alternating documents.
    counters = [pickle.loads(pickle.dumps(TermCounter())) for _ in range(2)]
    builder = TermMatrixBuilder()
    for n, words in enumerate(token_lists):
        builder.add(counters[n % 2](words))
    counts, weights, terms, vocabulary = builder.finish()
    assert weights is None

    vectorizer = CountVectorizer(analyzer=_identity, lowercase=False)
    expected = vectorizer.fit_transform(token_lists)
    assert terms == list(vectorizer.get_feature_names_out())
    assert vocabulary == vectorizer.vocabulary_
    assert (counts != expected).nnz == 0

    transformer = TfidfTransformer(sublinear_tf=sublinear, smooth_idf=True, norm="l2")
    reference = transformer.fit_transform(expected)
    idf = smooth_idf(document_frequencies(counts), counts.shape[0])
    np.testing.assert_allclose(idf, transformer.idf_, rtol=1e-12)
    ours = tfidf(counts, idf, sublinear=sublinear)
    np.testing.assert_allclose(ours.toarray(), reference.toarray(), rtol=1e-12, atol=1e-15)


def test_weights_follow_their_terms(token_lists):
    counter = TermCounter()
    builder = TermMatrixBuilder()
    words = token_lists[0]
    extra = {words[0]: 1.5, "不在文中的词": 9.0}  # a term the document does not have adds nothing
    builder.add(counter(words, extra))
    builder.add(counter(token_lists[1], {}))
    counts, weights, terms, vocabulary = builder.finish()
    row = weights[0].toarray().ravel() - counts[0].toarray().ravel()
    assert row[vocabulary[words[0]]] == 1.5
    assert row.sum() == 1.5 and "不在文中的词" not in vocabulary
    assert (weights[1] != counts[1]).nnz == 0


def test_counts_and_weights_are_sorted_together_and_match_dense_sums(token_lists):
    """finish sorts the columns within rows once for both matrices: each keeps its own values at the right place,
    and the indices are really sorted (the flag scipy trusts is set, not computed)."""
    counters = [pickle.loads(pickle.dumps(TermCounter())) for _ in range(2)]
    builder = TermMatrixBuilder()
    docs = [list(reversed(words)) if n % 3 else words for n, words in enumerate(token_lists * 3)]
    extras = [{words[0]: 0.5 * (n % 4), words[-1]: 2.0} if words else {} for n, words in enumerate(docs)]
    for n, (words, extra) in enumerate(zip(docs, extras)):
        builder.add(counters[n % 2](words, extra))
    counts, weights, terms, vocabulary = builder.finish()
    for matrix in (counts, weights):
        for r in range(matrix.shape[0]):
            row = matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]]
            assert (np.diff(row) > 0).all()
    for r, (words, extra) in enumerate(zip(docs, extras)):
        expected = np.zeros(len(terms))
        for w in words:
            expected[vocabulary[w]] += 1
        assert (counts[r].toarray().ravel() == expected).all()
        for w, bonus in extra.items():
            expected[vocabulary[w]] += bonus
        np.testing.assert_array_equal(weights[r].toarray().ravel(), expected)
