"""Exceptions raised by kg's library code; the CLI turns them into messages."""


class KgError(Exception):
    """Base class of every error kg reports to its user."""


class DataFileError(KgError):
    """A data file (dictionary, triggers, query) is unknown or malformed."""


class ModelError(KgError):
    """The spaCy pipeline cannot be loaded."""


class InputError(KgError):
    """The inputs name nothing that can be read."""


class MissingInputError(InputError):
    """An input named on the command line does not exist: a usage error, found before anything is read or written."""


class UnknownDocumentError(InputError):
    """``kg remove`` was given a name that is no document of the graph: nothing is removed."""


class StaleStoreError(KgError):
    """A store made by other extraction code holds documents that cannot be read again."""


class OutputError(KgError):
    """An output file or folder cannot be written."""


class StoreError(KgError):
    """The on-disk RDF store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another kg process holds the store (Oxigraph allows one writer)."""


class QueryError(KgError):
    """A SPARQL query is unknown, malformed, refused or failed."""


class QueryRefusedError(QueryError):
    """A query asks for something kg never does: update, LOAD, SERVICE, FROM."""


class QueryTimeoutError(QueryError):
    """A SPARQL query ran past its time limit and was stopped."""


class ValidationError(KgError):
    """A graph breaks the RDF contract: it does not conform to ontology/shapes.ttl.

    ``report`` holds the full :class:`kg.validate.ValidationReport`.
    """

    report = None
