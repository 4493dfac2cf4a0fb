"""Writing graph.html in pieces: the page's data as JSON, and the template, chunk by chunk.

A page of a large graph is tens of MB of JSON. Rendered whole, the JSON
string, the page string and its UTF-8 bytes would be held at once, on top of
the data they are made from. Here the JSON is written key by key (the big
objects, edge by edge) and the template is rendered with
``jinja2.Template.generate``, so only small pieces are held besides the
data, and they go straight to the file (:func:`kg.rdf.write_atomic` takes
chunks). The bytes are those of the page rendered whole.

>>> value = {"b": {"x": [1, "</script>"], "y": {}}, "a": "&"}
>>> "".join(script_json_chunks(value)) == script_json(value)
True
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

#: What stands for the data in the template until the page is written (never in a page's text:
#: the data and everything else the template prints is escaped or ASCII without it).
_DATA_MARK = "\u0000kg-page-data\u0000"
#: Characters written escaped in the JSON, so that it is safe inside a ``<script>`` element.
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _escape(text: str) -> str:
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (and still valid JSON).

    >>> script_json({"t": "</script><b>&\\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    >>> json.loads(script_json({"t": "</script>"}))
    {'t': '</script>'}
    """
    return _escape(_dumps(value))


class Members:
    """A JSON object whose members (``"key":value`` pieces, keys sorted, separated by
    commas, escaped like :func:`script_json`) were written elsewhere, given back in
    chunks by :func:`script_json_chunks` (a spool file read piece by piece).

    >>> "".join(script_json_chunks({"a": Members(iter(['"x":1', ',"y":2']))}))
    '{"a":{"x":1,"y":2}}'
    """

    def __init__(self, chunks: Iterable[str]):
        self.chunks = chunks


def script_json_chunks(value: Any, depth: int = 2) -> Iterator[str]:
    """:func:`script_json` of ``value`` in pieces: objects down to ``depth`` levels are
    written key by key (keys sorted), what is below them whole; :class:`Members` as they come."""
    if isinstance(value, Members):
        yield "{"
        yield from value.chunks
        yield "}"
    elif isinstance(value, dict) and depth > 0 and value:
        yield "{"
        for index, key in enumerate(sorted(value)):
            yield ("," if index else "") + _escape(_dumps(key)) + ":"
            yield from script_json_chunks(value[key], depth - 1)
        yield "}"
    else:
        yield script_json(value)


def render_chunks(template_text: str, data: Iterable[str], **context: Any) -> Iterator[str]:
    """The template rendered piece by piece, with the chunks of ``data`` where it prints ``data``
    (once; autoescaped like ``jinja2.Environment(autoescape=True)``, undefined names an error).

    >>> "".join(render_chunks("<p>{{ t }}</p><script>{{ data }}</script>", iter(["{", "}"]), t="a&b"))
    '<p>a&amp;b</p><script>{}</script>'
    """
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    placed = False
    for piece in env.from_string(template_text).generate(**context, data=Markup(_DATA_MARK)):
        if not placed and _DATA_MARK in piece:
            before, after = piece.split(_DATA_MARK, 1)
            placed = True
            yield before
            yield from data
            yield after
        else:
            yield piece
