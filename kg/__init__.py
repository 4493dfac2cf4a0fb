"""kg: knowledge graphs of who dealt with whom, and where, from conflict news.

The library API (the ``kg`` command is a thin layer over it):

>>> import kg
>>> callable(kg.build), callable(kg.remove)
(True, True)
"""
from __future__ import annotations

__version__ = "0.1.0"


def build(inputs, out, **options):
    """Build ``out/graph.ttl`` and ``out/graph.html`` from files and folders, adding to what ``out`` holds.

    See :func:`kg.pipeline.build` for the options (``prune=True`` makes the
    graph mirror ``inputs``); returns a :class:`kg.pipeline.BuildReport`.
    """
    from kg.pipeline import build as _build

    return _build(inputs, out, **options)


def remove(names, out, **options):
    """Take documents (ids or paths) out of the graph in ``out``; see :func:`kg.pipeline.remove`."""
    from kg.pipeline import remove as _remove

    return _remove(names, out, **options)


__all__ = ["build", "remove", "__version__"]
