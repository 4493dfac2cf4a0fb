"""kg.formats, the one format registry: export, query, serve and the CLI's choices all read it."""
from __future__ import annotations

import sys

import pytest
from rdflib import Literal, URIRef

from kg import formats


def _choices(command: str) -> list[str]:
    from kg.cli import cli

    [option] = [p for p in cli.commands[command].params if p.name == "fmt"]
    return list(option.type.choices)


def test_the_cli_offers_the_registry_formats():
    assert _choices("query") == formats.names("query")
    assert _choices("export") == formats.names("export")


def test_names_are_unique_and_lookups_fail_clearly():
    names = [f.name for f in formats.REGISTRY]
    assert len(names) == len(set(names))
    with pytest.raises(Exception, match="unknown format 'yaml'; one of: table, csv"):
        formats.get("yaml", "query")


def test_query_renders_every_query_format_with_its_media_type():
    import kg.query  # noqa: F401 (the module: kg.query is the library function)

    query = sys.modules["kg.query"]
    solutions = query.Result(["x"], [(Literal(1),)])
    graph = query.Result(["subject", "predicate", "object"],
                         [(URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("x"))],
                         kind="graph")
    for fmt in formats.plugins("query"):
        result = graph if fmt.kind == "graph" else solutions
        text = query.format_result(result, fmt.name)
        assert text.strip(), fmt.name
        if fmt.kind != "table":
            body, media, _ = query.render(result, fmt.name)
            assert media == fmt.media_type and body.decode("utf-8") == text


def test_the_endpoint_negotiates_from_the_registry():
    from kg.server import negotiate

    for fmt in formats.plugins("serve"):
        assert fmt.name in negotiate(fmt.accept[0]), fmt.name
    assert negotiate("application/json") == ["json", "jsonld"]


def test_export_writes_every_export_format_but_the_folder_one():
    from kg.export import FORMATS

    assert sorted(FORMATS) == sorted(f.name for f in formats.plugins("export") if f.extension)
    assert "neo4j" in formats.names("export") and "neo4j" not in FORMATS
