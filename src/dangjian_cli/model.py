"""A campaign classifier learned from the user's own labels, and evaluation of any classifier.

Features: TF-IDF over the shared tokenizer's tokens (title tokens counted with the text), plus the rule classifier's
evidence for every campaign (salience × date fit, and date fit alone), so the model sees both what the article says
and when. Estimator: scikit-learn's LogisticRegression (balanced class weights). The model file is a pickle holding
the fitted objects with the settings and versions that made them; a file from another dangjian or scikit-learn
version, or one that is not a dangjian model, is refused with a clear message. Pickles run code when loaded: load
only model files you made or trust.
"""
from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .classify import Campaigns, Classification, classify_document
from .corpus import Document
from .errors import DangjianError, EmptyCorpusError, InputError, UsageError
from .pipeline import Analyzer

MODEL_FORMAT = "dangjian-campaign-model/1"
METRIC_COLUMNS = ("label", "precision", "recall", "f1", "support")


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def rule_features(rule: Classification, campaigns: Campaigns, ids: Sequence[str]) -> list[float]:
    """The rules' evidence as features: per campaign, its confidence and the date's fit to its window."""
    by_id = {s.campaign: s for s in rule.scores}
    out: list[float] = []
    for cid in ids:
        s = by_id.get(cid)
        c = campaigns.by_id.get(cid)  # a campaign file without this id: no evidence for it
        fit = c.date_fit(rule.date_used, rule.date_is_earliest)[0] if c is not None else 0.0
        out.extend([s.confidence if s else 0.0, fit])
    return out


def _tokens(docs: Sequence[Document], analyzer: Analyzer) -> list[list[str]]:
    return [analyzer.article_words(d) for d in docs]


@dataclass
class CampaignModel:
    """A fitted model and what it needs to be applied the same way again."""

    labels: list[str]
    campaign_ids: list[str]
    vectorizer: Any
    classifier: Any
    tokenizer_key: str
    label_field: str
    trained_on: int
    versions: dict[str, str] = field(default_factory=dict)

    def features(self, tokens: Sequence[list[str]], rules: Sequence[Classification], campaigns: Campaigns) -> Any:
        import scipy.sparse as sp

        text = self.vectorizer.transform(tokens)
        evidence = sp.csr_matrix([rule_features(r, campaigns, self.campaign_ids) for r in rules])
        return sp.hstack([text, evidence]).tocsr()

    def predict(self, docs: Sequence[Document], analyzer: Analyzer, campaigns: Campaigns,
                rules: Sequence[Classification] | None = None) -> list[tuple[str, float, str]]:
        """``(label, probability, runner_up)`` per document; ``rules`` are the documents' rule classifications
        when the caller already has them."""
        if not docs:
            return []
        if rules is None:
            rules = [classify_document(d, campaigns) for d in docs]
        return self.predict_features(self.features(_tokens(docs, analyzer), rules, campaigns))

    def predict_features(self, features: Any) -> list[tuple[str, float, str]]:
        """``predict`` from the documents' features (``features``; None for no documents)."""
        if features is None or features.shape[0] == 0:
            return []
        proba = self.classifier.predict_proba(features)
        classes = list(self.classifier.classes_)
        out = []
        for row in proba:
            order = sorted(range(len(classes)), key=lambda i: (-row[i], classes[i]))
            out.append((classes[order[0]], float(row[order[0]]), classes[order[1]] if len(order) > 1 else ""))
        return out

    def save(self, path: Path) -> None:
        from .output import atomic_path

        with atomic_path(Path(path)) as tmp:
            with open(tmp, "wb") as fh:
                pickle.dump({"format": MODEL_FORMAT, "versions": self.versions, "model": self}, fh,
                            protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> CampaignModel:
        p = Path(path)
        try:
            with open(p, "rb") as fh:
                payload = pickle.load(fh)
        except FileNotFoundError:
            raise InputError(str(p), "model file not found", "make one with 'dangjian train'") from None
        except Exception:
            raise InputError(str(p), "not a dangjian model file (or a damaged one)",
                             "make one with 'dangjian train'") from None
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise InputError(str(p), "not a dangjian model file", "make one with 'dangjian train'")
        made = payload.get("versions", {})
        now = current_versions()
        if made != now:
            diff = ", ".join(f"{k} {made.get(k, '?')} (now {now[k]})" for k in now if made.get(k) != now[k])
            raise InputError(str(p), f"model made by another version: {diff}",
                             "train it again with this version ('dangjian train')")
        return payload["model"]


def current_versions() -> dict[str, str]:
    return {"dangjian": __version__, "scikit-learn": _sklearn_version()}


def train(docs: Iterable[Document], analyzer: Analyzer, campaigns: Campaigns, label_field: str,
          c: float = 4.0) -> CampaignModel:
    """Fit the model on documents whose ``label_field`` holds a campaign id or ``none``; their rules and words are
    made in worker processes when ``docs`` is a corpus reader with ``--jobs``."""
    from .classify import DEFAULT_THRESHOLD

    labels, rules, tokens = _labelled_rules_and_words(docs, label_field, campaigns, DEFAULT_THRESHOLD, analyzer)
    return _fit(tokens, rules, labels, analyzer, campaigns, label_field, c)


def _labelled_rules_and_words(docs: Iterable[Document], label_field: str, campaigns: Campaigns, threshold: float,
                              analyzer: Analyzer) -> tuple[list[str], list[Classification], list[list[str]]]:
    """The labels, rule classifications and words of the documents that have a label (in worker processes with
    ``--jobs``); an error when none has."""
    from .parallel import map_documents

    labels: list[str] = []
    rules: list[Classification] = []
    tokens: list[list[str]] = []
    for doc, (rule, words) in map_documents(docs, _RuleAndWords(campaigns, threshold, analyzer),
                                            analyzer=analyzer, metadata_only=True):
        value = doc.get(label_field).strip()
        if value:
            labels.append(value)
            rules.append(rule)
            tokens.append(words)
    if not labels:
        raise _no_labels(label_field)
    return labels, rules, tokens


def fit(docs: Sequence[Document], labels: Sequence[str], analyzer: Analyzer, campaigns: Campaigns,
        label_field: str = "", c: float = 4.0) -> CampaignModel:
    """Fit the model on documents and their labels."""
    return _fit(_tokens(docs, analyzer), [classify_document(d, campaigns) for d in docs], labels, analyzer,
                campaigns, label_field, c)


def _fit(tokens: Sequence[list[str]], rules: Sequence[Classification], labels: Sequence[str], analyzer: Analyzer,
         campaigns: Campaigns, label_field: str, c: float) -> CampaignModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from .keywords import _identity

    if len(set(labels)) < 2:
        raise UsageError(f"the training data has one label only ({labels[0]!r})",
                         "a classifier needs at least two labels, e.g. some 'none' documents")
    vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False, sublinear_tf=True,
                                 min_df=2 if len(tokens) >= 50 else 1)
    try:
        vectorizer.fit(tokens)
    except ValueError:
        raise EmptyCorpusError("the training documents have no tokens", "check --text-field") from None
    ids = sorted(c.id for c in campaigns.central)
    model = CampaignModel(sorted(set(labels)), ids, vectorizer, None, analyzer.tokenizer.segmentation_key,
                          label_field, len(tokens), current_versions())
    x = model.features(tokens, rules, campaigns)
    model.classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.classifier.fit(x, list(labels))
    analyzer.flush()
    return model


def classify_with_model(docs: Iterable[Document], model: CampaignModel, analyzer: Analyzer, campaigns: Campaigns,
                        threshold: float = 0.5, explain: bool = False) -> Iterator[tuple[Any, ...]]:
    """``classify`` rows (COLUMNS, or EXPLAIN_COLUMNS with the rules' evidence) from a learned model, streaming a
    batch of documents at a time. A label whose probability is below ``threshold`` becomes ``none`` (the label is
    then the runner-up). The rules, words and features of each batch are made in worker processes with ``--jobs``;
    every step is per document, so the batches do not change any row."""
    return (row for _doc, row in _model_rows(docs, model, analyzer, campaigns, threshold, explain))


def _model_rows(docs: Iterable[Document], model: CampaignModel, analyzer: Analyzer, campaigns: Campaigns,
                threshold: float, explain: bool) -> Iterator[tuple[Document, tuple[Any, ...]]]:
    """(document without its texts, row) of ``classify_with_model``."""
    from .classify import check_threshold
    from .parallel import map_batches

    check_threshold(threshold)
    seen = 0
    for batch, (rules, features) in map_batches(docs, _ModelFeatures(model, campaigns, threshold, analyzer),
                                                analyzer=analyzer, metadata_only=True, check_ids=True):
        seen += len(batch)
        for doc, rule, (label, p, runner) in zip(batch, rules, model.predict_features(features)):
            if p < threshold and label != "none":
                label, runner = "none", label
            row = (rule.doc_id, rule.title, rule.date, label, round(p, 4), runner, "|".join(rule.tags))
            yield doc, (row + rule.row(True)[len(row):] if explain else row)
    analyzer.flush()
    if not seen:
        raise EmptyCorpusError()


class _RuleAndWords:
    """A document's rule classification and its words (picklable: what ``train`` runs in worker processes)."""

    def __init__(self, campaigns: Campaigns, threshold: float, analyzer: Analyzer) -> None:
        self.campaigns, self.threshold, self.analyzer = campaigns, threshold, analyzer

    def __call__(self, doc: Document) -> tuple[Classification, list[str]]:
        return classify_document(doc, self.campaigns, self.threshold), self.analyzer.article_words(doc)


class _ModelFeatures:
    """A batch of documents' rule classifications and model features (picklable: what ``classify_with_model`` runs
    in worker processes); a FeatureBatch keeps the rows of the documents ``select`` names."""

    def __init__(self, model: CampaignModel, campaigns: Campaigns, threshold: float, analyzer: Analyzer) -> None:
        self.model, self.campaigns, self.threshold, self.analyzer = model, campaigns, threshold, analyzer

    def __call__(self, docs: list[Document]) -> _FeatureBatch:
        rules = [classify_document(d, self.campaigns, self.threshold) for d in docs]
        features = self.model.features(_tokens(docs, self.analyzer), rules, self.campaigns) if docs else None
        return _FeatureBatch(rules, features)


class _FeatureBatch(NamedTuple):
    rules: list[Classification]
    features: Any  # CSR, one row per document (None for no documents)

    def select(self, kept: list[int]) -> _FeatureBatch:
        return _FeatureBatch([self.rules[k] for k in kept], self.features[kept] if kept else None)


def _no_labels(label_field: str) -> EmptyCorpusError:
    return EmptyCorpusError(f"no document has a value in field {label_field!r}",
                            "name the label column with --label-field")


# -- evaluation ----------------------------------------------------------------------------------------------------
@dataclass
class Evaluation:
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_class: list[tuple[str, float, float, float, int]]
    confusion: list[list[int]]  # rows: gold, columns: predicted, in ``labels`` order
    n: int
    method: str

    def metric_rows(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = list(self.per_class)
        p = sum(r[1] for r in self.per_class) / len(self.per_class)
        r = sum(r[2] for r in self.per_class) / len(self.per_class)
        rows.append(("macro avg", p, r, self.macro_f1, self.n))
        rows.append(("accuracy", None, None, self.accuracy, self.n))
        return rows

    def confusion_rows(self) -> list[tuple[Any, ...]]:
        return [(gold, *row) for gold, row in zip(self.labels, self.confusion)]


def evaluate(gold: Sequence[str], predicted: Sequence[str], method: str = "") -> Evaluation:
    """Accuracy, macro-F1 (over every label in gold or predictions, each weighted equally), per-class precision,
    recall, F1 and support, and the confusion matrix (scikit-learn's definitions; 0 where undefined)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    if len(gold) != len(predicted) or not gold:
        raise DangjianError("nothing to evaluate", "give labelled documents")
    labels = sorted(set(gold) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    per_class = [(lab, float(pp), float(rr), float(ff), int(ss)) for lab, pp, rr, ff, ss in zip(labels, p, r, f, s)]
    return Evaluation(labels, float(accuracy_score(gold, predicted)),
                      float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)), per_class,
                      confusion_matrix(gold, predicted, labels=labels).tolist(), len(gold), method)


def evaluate_labelled(docs: Iterable[Document], label_field: str, campaigns: Campaigns, threshold: float = 0.5,
                      model: CampaignModel | None = None, analyzer: Analyzer | None = None, folds: int = 0,
                      method: str | None = None) -> Evaluation:
    """The rules, ``model``, or (``folds`` ≥ 2) models cross-validated on these documents, evaluated against the
    labels in ``label_field``; documents without a label are left out. The per-document work (rules, words,
    features) runs in worker processes when ``docs`` is a corpus reader with ``--jobs``. ``method`` names what was
    evaluated in the result (default: rules, model, or the cross-validation)."""
    import functools

    from .classify import check_threshold
    from .parallel import map_documents

    check_threshold(threshold)
    gold: list[str] = []
    predicted: list[str] = []
    if folds:
        assert analyzer is not None
        gold, rules, tokens = _labelled_rules_and_words(docs, label_field, campaigns, threshold, analyzer)
        predicted = _cross_validated(tokens, rules, gold, analyzer, campaigns, label_field, folds)
        k = folds_used(gold, folds)
        name = f"model, {k}-fold cross-validation"
        if k < folds:  # said where the figures are, not only on stderr
            rarest, count = rarest_label(gold)
            name += f" (--cv {folds} asked; the rarest label, {rarest!r}, has {count} documents)"
    elif model is not None:
        assert analyzer is not None
        for doc, row in _model_rows(docs, model, analyzer, campaigns, threshold, False):
            if doc.get(label_field).strip():
                gold.append(doc.get(label_field).strip())
                predicted.append(row[3])
        name = "model"
    else:
        work = functools.partial(classify_document, campaigns=campaigns, threshold=threshold)
        for doc, rule in map_documents(docs, work, metadata_only=True):
            if doc.get(label_field).strip():
                gold.append(doc.get(label_field).strip())
                predicted.append(rule.label)
        name = "rules"
    if not gold:
        raise _no_labels(label_field)
    return evaluate(gold, predicted, method or name)


def rule_predictions(docs: Sequence[Document], campaigns: Campaigns, threshold: float) -> list[str]:
    return [classify_document(d, campaigns, threshold).label for d in docs]


def cross_validate(docs: Sequence[Document], labels: Sequence[str], analyzer: Analyzer, campaigns: Campaigns,
                   label_field: str = "", folds: int = 5, seed: int = 0) -> list[str]:
    """Out-of-fold predictions of the learned model (stratified k-fold, fixed seed: deterministic)."""
    # Each document is tokenised and classified by the rules once, not once per fold.
    return _cross_validated(_tokens(docs, analyzer), [classify_document(d, campaigns) for d in docs], labels,
                            analyzer, campaigns, label_field, folds, seed)


def rarest_label(labels: Sequence[str]) -> tuple[str, int]:
    """The label with the fewest documents (the first in sorted order on a tie) and its count."""
    counts = Counter(labels)
    rarest = min(sorted(counts), key=counts.__getitem__)
    return rarest, counts[rarest]


def folds_used(labels: Sequence[str], folds: int) -> int:
    """The folds a stratified k-fold can have: at most as many as the rarest label has documents."""
    rarest, count = rarest_label(labels)
    k = min(folds, count)
    if k < 2:
        raise UsageError(f"cannot cross-validate: label {rarest!r} has one document",
                         "add documents or use --model with a separate test set")
    return k


def _cross_validated(tokens: Sequence[list[str]], rules: Sequence[Classification], labels: Sequence[str],
                     analyzer: Analyzer, campaigns: Campaigns, label_field: str, folds: int, seed: int = 0
                     ) -> list[str]:
    from sklearn.model_selection import StratifiedKFold

    k = folds_used(labels, folds)
    predicted = [""] * len(labels)
    for train_idx, test_idx in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(labels, labels):
        model = _fit([tokens[i] for i in train_idx], [rules[i] for i in train_idx], [labels[i] for i in train_idx],
                     analyzer, campaigns, label_field, 4.0)
        test_features = model.features([tokens[i] for i in test_idx], [rules[i] for i in test_idx], campaigns)
        for i, (lab, _, _) in zip(test_idx, model.predict_features(test_features)):
            predicted[i] = lab
    return predicted
