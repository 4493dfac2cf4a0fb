"""The labels of spaCy's parse, named by meaning: the one module that spells them.

The dependency labels of the English pipelines (ClearNLP style: ``nsubj``,
``dobj``, ``pobj``, ``prep``, ...), the universal parts of speech (``NOUN``,
``VERB``, ...) and the Penn Treebank tags (``NNS``, ``VBN``, ...) that kg's
linker and extractor test are named here once; every other module asks for
them by meaning (``tok.dep_ == PREP_OBJECT``, ``tok.dep_ in SUBJECTS``). A
pipeline with other labels (Universal Dependencies: ``obj``, ``nsubj:pass``)
is then adapted in this one place. ``tests/test_code_data.py`` fails when
another module of ``kg/`` holds one of the loaded model's labels as a string.

>>> PREP_OBJECT, sorted(PASSIVE_SUBJECTS)
('pobj', ['csubjpass', 'nsubjpass'])
"""
from __future__ import annotations

# Dependency labels --------------------------------------------------------------------------
ROOT = "ROOT"
#: Nominal subject ('the SDF agreed'), clausal subject, and their passive forms.
SUBJECT = "nsubj"
CLAUSAL_SUBJECT = "csubj"
PASSIVE_SUBJECT = "nsubjpass"
CLAUSAL_PASSIVE_SUBJECT = "csubjpass"
#: Direct object ('captured Raqqa'); ``obj`` is its Universal Dependencies name.
DIRECT_OBJECT = "dobj"
UD_OBJECT = "obj"
#: Indirect object ('gave them weapons').
DATIVE = "dative"
#: Attribute of a copula ('X is a group'), predicate of an object ('named him leader').
ATTRIBUTE = "attr"
OBJECT_PREDICATE = "oprd"
#: Preposition hung from its head ('a truce with ISIS'), its object, its clausal complement.
PREPOSITION = "prep"
PREP_OBJECT = "pobj"
PREP_COMPLEMENT = "pcomp"
#: The 'by' phrase of a passive verb ('was captured by the SDF').
AGENT = "agent"
#: Modifiers of a noun: compound ('Kurdish forces' in NNP NNP), adjective, possessor, noun.
COMPOUND = "compound"
ADJ_MODIFIER = "amod"
POSSESSOR = "poss"
NOUN_MODIFIER = "nmod"
NUMBER_MODIFIER = "nummod"
QUANTITY_MODIFIER = "quantmod"
NOUN_ADVERBIAL = "npadvmod"
APPOSITION = "appos"
DETERMINER = "det"
PREDETERMINER = "predet"
#: A multiword name's parts in Universal Dependencies ('flat'); the English pipelines use compound.
FLAT = "flat"
#: The possessive ending ('the group's').
CASE_MARKER = "case"
#: Clauses: adverbial, clausal modifier of a noun, relative, clausal and open complements.
ADVERBIAL_CLAUSE = "advcl"
CLAUSAL_MODIFIER = "acl"
RELATIVE_CLAUSE = "relcl"
CLAUSAL_COMPLEMENT = "ccomp"
OPEN_COMPLEMENT = "xcomp"
ADJ_COMPLEMENT = "acomp"
PARATAXIS = "parataxis"
#: Coordination: the conjunct and the coordinating word ('and').
CONJUNCT = "conj"
COORDINATOR = "cc"
PRECONJUNCT = "preconj"
#: Function words of a clause.
AUXILIARY = "aux"
PASSIVE_AUXILIARY = "auxpass"
MARKER = "mark"
NEGATION = "neg"
PARTICLE = "prt"
ADVERB_MODIFIER = "advmod"
EXPLETIVE = "expl"
INTERJECTION = "intj"
PUNCTUATION = "punct"
META = "meta"
#: A dependency the parser could not classify.
UNCLASSIFIED = "dep"

SUBJECTS = frozenset({SUBJECT, CLAUSAL_SUBJECT})
PASSIVE_SUBJECTS = frozenset({PASSIVE_SUBJECT, CLAUSAL_PASSIVE_SUBJECT})
OBJECTS = frozenset({DIRECT_OBJECT, UD_OBJECT})

# Universal parts of speech ------------------------------------------------------------------
NOUN = "NOUN"
PROPER_NOUN = "PROPN"
PRONOUN = "PRON"
VERB = "VERB"
AUX_VERB = "AUX"
ADJECTIVE = "ADJ"
NUMERAL = "NUM"
DETERMINER_WORD = "DET"
ADPOSITION = "ADP"

# Penn Treebank tags -------------------------------------------------------------------------
SINGULAR_NOUN = "NN"
PLURAL_NOUN = "NNS"
PROPER_PLURAL = "NNPS"
BASE_VERB = "VB"
#: Every verb tag starts so (VB, VBD, VBG, VBN, VBP, VBZ).
VERB_TAG_PREFIX = "VB"
PAST_TENSE = "VBD"
GERUND = "VBG"
PAST_PARTICIPLE = "VBN"
PRESENT_NON3SG = "VBP"
PRESENT_3SG = "VBZ"
MODAL = "MD"
INFINITIVE_TO = "TO"
SUPERLATIVE = "JJS"
