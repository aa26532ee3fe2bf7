"""dangjian: analyse Chinese party-building (党建) texts.

The library API (the CLI only parses options, calls these and renders the rows)::

    from dangjian_cli import load_documents, Tokenizer, Analyzer
    docs = load_documents(["seeds/"])
    analyzer = Analyzer(Tokenizer())
    analyzer.words(docs[0])
"""
from __future__ import annotations

__version__ = "0.1.5"

_LAZY = {
    "Document": "corpus", "LoaderOptions": "corpus", "CorpusReader": "corpus", "iter_documents": "corpus",
    "load_documents": "corpus", "default_corpus_paths": "corpus",
    "Tokenizer": "tokenize", "TokenizerConfig": "tokenize", "Token": "tokenize",
    "Analyzer": "pipeline", "make_analyzer": "pipeline", "TokenCache": "cache", "MatrixCache": "matrixcache",
    "Lexicon": "lexicon", "load_lexicon": "lexicon",
    "Table": "output", "Environment": "output",
    "DangjianError": "errors", "UsageError": "errors", "InputError": "errors", "EmptyCorpusError": "errors",
    "DangjianWarning": "errors",
    "corpus_rows": "commands", "corpus_summary": "commands", "segment_rows": "commands",
    "map_documents": "parallel",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    # Lazy so that `import dangjian_cli` (and `dangjian --help`) stays fast.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dangjian_cli' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)
