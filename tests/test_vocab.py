"""kg/vocab.py is the one source of namespace IRIs and prefix tables (issue 17 point 1)."""
from __future__ import annotations

import ast
from pathlib import Path

from kg import vocab
from astscan import docstring_ids

KG_DIR = Path(__file__).resolve().parents[1] / "kg"

#: The project's namespaces and the well-known vocabularies kg writes or reads.
NAMESPACE_IRIS = tuple(sorted({str(ns) for ns in vocab.NAMESPACES.values()}
                              | {str(vocab.GEONAMES), str(vocab.SCHEMA), str(vocab.SCHEMA_HTTP), str(vocab.FOAF),
                                 "https://w3id.org/kg-conflict/", "http://www.w3.org/ns/shacl#"}))



def test_no_module_but_vocab_spells_a_namespace_iri():
    offenders = []
    for path in sorted(KG_DIR.rglob("*.py")):
        if path.name == "vocab.py" and path.parent == KG_DIR:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = docstring_ids(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if node.value.startswith(NAMESPACE_IRIS):
                    offenders.append(f"{path.relative_to(KG_DIR.parent)}:{node.lineno}: {node.value[:60]!r}")
    assert not offenders, "namespace IRIs belong in kg/vocab.py:\n" + "\n".join(offenders)


def test_no_module_but_vocab_defines_a_prefix_table():
    """Namespaces are made, and prefixes bound by name, only in kg/vocab.py (a table of IRI strings
    elsewhere is caught by the test above)."""
    offenders = []
    for path in sorted(KG_DIR.rglob("*.py")):
        if path.name == "vocab.py" and path.parent == KG_DIR:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Namespace":
                offenders.append(f"{path.relative_to(KG_DIR.parent)}:{node.lineno}: Namespace(...)")
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "bind" and len(node.args) >= 2 \
                    and isinstance(node.args[0], ast.Constant):
                offenders.append(f"{path.relative_to(KG_DIR.parent)}:{node.lineno}: .bind({node.args[0].value!r}, ...)")
    assert not offenders, "prefix tables belong in kg/vocab.py:\n" + "\n".join(offenders)


def test_every_output_reads_its_prefixes_from_vocab():
    from kg import export, rdf, sparql, validate

    assert export.PREFIXES == {name: vocab.NAMESPACES[name] for name in vocab.EXPORT_PREFIXES}
    assert list(export.JSONLD_CONTEXT) == sorted(vocab.EXPORT_PREFIXES)
    assert [name for name, _ in rdf.TURTLE_PREFIXES] == list(vocab.TURTLE_PREFIXES)
    assert sparql.PREFIXES == vocab.prefixes(vocab.SPARQL_PREFIXES)
    assert [p for _, p in validate._SHORT] == [f"{name}:" for name in vocab.MESSAGE_PREFIXES]
    bound = dict(rdf.new_graph().namespaces())
    assert all(str(bound[name]) == str(vocab.NAMESPACES[name]) for name in vocab.BUILDER_PREFIXES)


def test_the_rules_prefixes_agree_with_vocab():
    """The derived rules' PREFIX lines (data, in kg/queries/build/derived/) give vocab's IRIs."""
    import re

    from kg.derived import prologue

    found = re.findall(r"PREFIX (\w+): <([^>]*)>", prologue())
    assert found
    for name, iri in found:
        if name in vocab.NAMESPACES:
            assert iri == str(vocab.NAMESPACES[name]), name
