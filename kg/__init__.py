"""kg: knowledge graphs of who dealt with whom, and where, from conflict news.

The library API (the ``kg`` command is a thin layer over it):

>>> import kg
>>> callable(kg.build)
True
"""
from __future__ import annotations

__version__ = "0.1.0"


def build(inputs, out, **options):
    """Build ``out/graph.ttl`` and ``out/graph.html`` from files and folders.

    See :func:`kg.pipeline.build` for the options; returns a
    :class:`kg.pipeline.BuildReport`.
    """
    from kg.pipeline import build as _build

    return _build(inputs, out, **options)


__all__ = ["build", "__version__"]
