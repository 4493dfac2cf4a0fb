"""Exceptions raised by kg's library code; the CLI turns them into messages."""


class KgError(Exception):
    """Base class of every error kg reports to its user."""


class DataFileError(KgError):
    """A data file (dictionary, triggers, query) is unknown or malformed."""


class ModelError(KgError):
    """The spaCy pipeline cannot be loaded."""


class InputError(KgError):
    """The inputs name nothing that can be read."""


class OutputError(KgError):
    """An output file or folder cannot be written."""
