"""The page's data: vis nodes and edges with their positions, the evidence of every
edge, documents, filters and legend rows (:func:`page_data`), from the networkx
graph of :mod:`kg.html_graph` and the layouts of :mod:`kg.html_layout`.
"""
from __future__ import annotations

import functools
import math
import re
from typing import IO, TYPE_CHECKING, Any

from kg.errors import DataFileError
from kg.html_graph import edge_evidence, page_summary
from kg.html_layout import (_BIG_GRAPH, _LAYOUT_SEED, _NODE_STYLES, _OTHER_STYLE, _geo_layout,
                            _network_layout, _node_size, _style)
from kg.html_stream import script_json
from kg.html_time import agreement_pairs, histogram
from kg.html_time import agreements as _agreements
from kg.resources import load_data

if TYPE_CHECKING:  # pragma: no cover - typing only
    import rdflib

_PLACE_BORDER = "#1b5e20"
_FALLBACK_COLOR = "#757575"

#: Claim modalities (kgo:modality), in the order the filter lists them.
_MODALITIES = (
    ("asserted", "asserted", "stated as fact (also claims with no modality recorded)"),
    ("reported", "reported", "reported by someone else"),
    ("planned", "planned", "announced or planned, not yet done"),
    ("unconfirmed", "unconfirmed", "unconfirmed or alleged"),
    ("denied", "denied", "denied"),
)


def _split_marks(text: str, names: list[str]) -> list[str]:
    """Split ``text`` into plain and highlighted parts, alternately.

    Even indexes are plain text, odd ones are names to ``<mark>``; joined
    they give back ``text``. Whole words only; short all-capital names
    ("IS", "SDF") match case-sensitively so that "is" is not marked.

    >>> _split_marks("IS and the SDF: this is ISIS.", ["IS", "SDF", "ISIS"])
    ['', 'IS', ' and the ', 'SDF', ': this is ', 'ISIS', '.']
    >>> _split_marks("No names here", ["SDF"])
    ['No names here']
    """
    spans: list[tuple[int, int]] = []
    lowered = text.lower()
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}):
        exact = name.isupper() and len(name) <= 4
        needle = name if exact else name.lower()
        if not exact and (len(lowered) != len(text) or len(needle) != len(name)):
            # lower() changed a length: let the regex engine fold the case
            pattern = r"(?<!\w)" + re.escape(name) + r"(?!\w)"
            spans.extend((m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE))
            continue
        haystack = text if exact else lowered
        start = haystack.find(needle)
        while start != -1:
            end = start + len(needle)
            if not (start and _word_char(text[start - 1])) and not (
                    end < len(text) and _word_char(text[end])):
                spans.append((start, end))
            start = haystack.find(needle, start + 1)
    spans.sort(key=lambda span: (span[0], -span[1]))
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        parts.extend((text[pos:start], text[start:end]))
        pos = end
    parts.append(text[pos:])
    return parts


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"



@functools.lru_cache(maxsize=None)
def _darker(color: str, factor: float = 0.7) -> str:
    """A darker shade of a ``#rrggbb`` colour.

    >>> _darker("#ffffff")
    '#b2b2b2'
    """
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def _node_color(background: str, border: str) -> dict[str, Any]:
    return {"background": background, "border": border,
            "highlight": {"background": background, "border": "#000000"},
            "hover": {"background": background, "border": "#000000"}}


def _safe_color(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value.lower()
    return _FALLBACK_COLOR


def _plural(n: int, word: str) -> str:
    """Count and noun.

    >>> _plural(1, "entity"), _plural(2, "entity"), _plural(0, "document")
    ('1 entity', '2 entities', '0 documents')
    """
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _page_data(graph: rdflib.Graph, spool: IO[str]) -> dict[str, Any]:
    """Everything the page needs: vis nodes and edges with precomputed positions,
    documents, filters and legend rows; and the page's ``relations`` (each edge
    with its evidence), written edge by edge into ``spool`` as the members of
    its JSON object, as they are made (``blob["relations"]`` is left out).

    The graph is the summary of :func:`kg.html_graph.page_summary` (nodes and
    edges, no evidence); the evidence comes one node's edges at a time
    (:func:`kg.html_graph.edge_evidence`) and goes to the spool, only what
    the page counts staying (per edge, document, modality, sentence date).
    """
    nxg, lookup = page_summary(graph)
    data = load_data("relations")
    relations, families = data["relations"], data.get("families", {})
    if not isinstance(families, dict):
        raise DataFileError("relations.json: 'families' must be an object")
    positions = _network_layout(nxg)
    geo = _geo_layout(nxg)

    vis_nodes = []
    groups: dict[str, dict[str, Any]] = {}
    entities: dict[str, dict[str, Any]] = {}
    type_counts: dict[str, int] = {}
    for node in sorted(nxg.nodes):
        attrs = nxg.nodes[node]
        degree = nxg.degree(node)
        cls, shape, color, _glyph, type_label = _style(attrs["types"])
        type_counts[cls] = type_counts.get(cls, 0) + 1
        is_place_too = cls != "Place" and "Place" in attrs["types"]
        x, y = positions[node]
        # shape and colour come from the node's group (one per class)
        vis_node = {"id": node, "label": attrs["label"], "group": cls,
                    "size": _node_size(degree), "x": x, "y": y}
        if is_place_too:
            vis_node["color"] = _node_color(color, _PLACE_BORDER)
            vis_node["borderWidth"] = 3
        vis_nodes.append(vis_node)
        groups[cls] = {"shape": shape, "color": _node_color(color, _darker(color))}
        entities[node] = {
            "label": attrs["label"],
            "aliases": attrs["aliases"],
            "types": attrs["types"],
            "kinds": [_style([t])[4] for t in attrs["types"]] or ["Entity"],
            "lat": attrs["lat"],
            "long": attrs["long"],
            "geonames": attrs.get("geonames"),
            "edges": [],
        }

    # Parallel edges between one pair of nodes get distinct curvatures; the
    # others are straight (cheaper to draw and to hit with the mouse).
    ordered = sorted(nxg.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    by_pair: dict[tuple[str, str], list[int]] = {}
    for index, (u, v, _k, _d) in enumerate(ordered):
        by_pair.setdefault((min(u, v), max(u, v)), []).append(index)
    bend: dict[int, Any] = {}
    for (first, _second), indexes in by_pair.items():
        for j, index in enumerate(indexes):
            offset = j - (len(indexes) - 1) / 2
            if len(indexes) == 1 or offset == 0:
                bend[index] = False
                continue
            clockwise = offset >= 0
            if ordered[index][0] != first:
                clockwise = not clockwise
            bend[index] = {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
                           "roundness": round(abs(offset) * 0.35, 3)}

    documents: dict[str, dict[str, Any]] = {
        doc_id: {**info, "edges": []} for doc_id, info in nxg.graph["documents"].items()}
    # documents named only as a further copy of a sentence (no title): unless some
    # edge's evidence names them first (graph_to_networkx's documents)
    copies: dict[str, dict[str, Any]] = {}
    vis_edges = []
    family_counts: dict[str, int] = {}
    relation_counts: dict[str, int] = {}
    modality_counts: dict[str, int] = {}
    dates: dict[tuple, tuple] = {}  # each sentence's (when, dated), the first seen (kg.html_time.histogram)
    wanted = agreement_pairs(graph)
    pairs: dict[tuple[str, str], list] = {}
    width = len(str(len(ordered)))
    evidence_of = edge_evidence(graph, lookup, ((u, v, name) for u, v, name, _attrs in ordered))
    for index, ((u, v, name, attrs), edge_evidence_list) in enumerate(zip(ordered, evidence_of)):
        edge_id = f"e{index + 1:0{width}d}"
        info = relations.get(name, {})
        family = attrs["family"] or "other"
        family_counts[family] = family_counts.get(family, 0) + 1
        relation_counts[name] = relation_counts.get(name, 0) + 1
        color = _safe_color(families.get(family, {}).get("color"))
        rel_label = str(info.get("label") or name.replace("_", " "))
        count = len(edge_evidence_list)
        vis_edge = {
            "id": edge_id,
            "from": u,
            "to": v,
            "label": rel_label + (f" \u00d7{count}" if count > 1 else ""),
            "color": color,
            "width": round(1.5 + 1.5 * math.log2(max(count, 1)), 2),
            "font": {"color": _darker(color, 0.8)},
        }
        if not attrs["symmetric"]:
            vis_edge["arrows"] = "to"
        if bend[index]:
            vis_edge["smooth"] = bend[index]
        vis_edges.append(vis_edge)
        names = [nxg.nodes[u]["label"], *nxg.nodes[u]["aliases"],
                 nxg.nodes[v]["label"], *nxg.nodes[v]["aliases"]]
        evidence = []
        edge_docs: set[str] = set()
        for ev in edge_evidence_list:
            if ev["doc"] and ev["doc"] not in documents:
                earlier = copies.pop(ev["doc"], None)
                documents[ev["doc"]] = {
                    "id": ev["doc"], "title": ev["title"], "publisher": ev["publisher"],
                    "date": ev["date"], "path": None, "edges": earlier["edges"] if earlier else []}
            marked = names
            speaker = ev["speaker_iri"]
            if speaker in nxg:
                marked = names + [nxg.nodes[speaker]["label"], *nxg.nodes[speaker]["aliases"]]
            elif ev["speaker"]:
                marked = names + [ev["speaker"]]
            item = {k: ev[k] for k in ("doc", "begin", "end", "modality", "speaker",
                                       "when", "until", "precision", "dated", "expr")}
            item["sources"] = [[src["doc"], src["begin"], src["end"]] for src in ev["sources"]]
            item["parts"] = _split_marks(ev["text"], marked)
            evidence.append(item)
            dates.setdefault((item["doc"], item["begin"], item["end"]), (item["when"], item["dated"]))
            mode = ev["modality"] or "asserted"
            modality_counts[mode] = modality_counts.get(mode, 0) + 1
            for source in sorted({src["doc"] for src in ev["sources"] if src["doc"]}):
                edge_docs.add(source)
                doc = documents.get(source) or copies.setdefault(source, {
                    "id": source, "title": None, "publisher": None, "date": None, "path": None, "edges": []})
                if edge_id not in doc["edges"]:
                    doc["edges"].append(edge_id)
        meta = {
            "from": u,
            "to": v,
            "relation": name,
            "label": rel_label,
            "family": family,
            "symmetric": attrs["symmetric"],
            "count": count,
            "sources": len(edge_docs),
            "evidence": evidence,
        }
        if (min(u, v), max(u, v)) in wanted:
            pairs.setdefault((min(u, v), max(u, v)), []).append(
                (edge_id, {tuple(src) for ev in evidence for src in ev["sources"]},
                 {src[0] for ev in evidence for src in ev["sources"]}))
        # the JSON of script_json_chunks for the member of blob["relations"]
        spool.write(("," if index else "") + script_json(edge_id) + ":" + script_json(meta))
        entities[u]["edges"].append(edge_id)
        if v != u:
            entities[v]["edges"].append(edge_id)

    family_rows = []
    known = list(families) + sorted(set(family_counts) - set(families))
    for family in known:
        if family not in family_counts:
            continue
        spec = families.get(family, {})
        members = sorted(
            (n for n in relation_counts if (relations.get(n, {}).get("family") or "other") == family),
            key=lambda n: (-relation_counts[n], n))
        family_rows.append({
            "id": family,
            "label": str(spec.get("label") or family),
            "color": _safe_color(spec.get("color")),
            "count": family_counts[family],
            "relations": [{
                "id": n,
                "label": str(relations.get(n, {}).get("label") or n.replace("_", " ")),
                "arrow": "\u2194" if relations.get(n, {}).get("symmetric") else "\u2192",
                "count": relation_counts[n],
            } for n in members],
        })
    type_rows = [
        {"label": label, "glyph": glyph, "color": color, "count": type_counts[cls]}
        for cls, _shape, color, glyph, label in _NODE_STYLES + (_OTHER_STYLE,)
        if cls in type_counts
    ]
    known_modalities = [m[0] for m in _MODALITIES]
    modality_rows = [
        {"id": key, "label": label, "help": help_text, "count": modality_counts.get(key, 0)}
        for key, label, help_text in _MODALITIES
    ] + [
        {"id": key, "label": key, "help": "", "count": modality_counts[key]}
        for key in sorted(set(modality_counts) - set(known_modalities))
    ]
    document_rows = []
    for doc_id, doc in sorted(documents.items()):
        text = doc_id + (f" \u2014 {doc['title']}" if doc["title"] else "")
        if len(text) > 90:
            text = text[:89] + "\u2026"
        document_rows.append({"id": doc_id, "text": text, "count": len(doc["edges"])})
    for doc_id, doc in copies.items():
        documents.setdefault(doc_id, doc)
    sentences = ({"doc": key[0], "begin": key[1], "end": key[2], "when": when, "dated": dated}
                 for key, (when, dated) in dates.items())
    return {
        "blob": {
            "nodes": vis_nodes,
            "edges": vis_edges,
            "options": _vis_options(groups, big=nxg.number_of_nodes() > _BIG_GRAPH),
            "entities": entities,
            "documents": documents,
            "geo": geo,
            "timeline": histogram(sentences),
            "agreements": _agreements(graph, lookup.value, lookup.label, pairs),
        },
        "counts": {"nodes": nxg.number_of_nodes(), "edges": nxg.number_of_edges()},
        "documents": document_rows,
        "families": family_rows,
        "types": type_rows,
        "modalities": modality_rows,
        "geo": geo is not None,
        "place_too": any(
            _style(e["types"])[0] != "Place" and "Place" in e["types"] for e in entities.values()
        ),
    }


def _vis_options(groups: dict[str, Any], big: bool) -> dict[str, Any]:
    # Positions come from Python: physics is off until the user asks for it.
    # On a big graph, labels too small to read are not drawn: the overview
    # stays legible and draws faster.
    threshold = 7 if big else 4
    return {
        "groups": groups,
        "autoResize": True,
        "layout": {"randomSeed": _LAYOUT_SEED, "improvedLayout": False},
        "physics": {
            "enabled": False,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.01,
                "springLength": 200,
                "springConstant": 0.05,
                "avoidOverlap": 0.5,
            },
            "minVelocity": 1,
            "stabilization": {"enabled": False},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "keyboard": False, "multiselect": False, "hideEdgesOnDrag": False},
        "nodes": {
            "font": {"size": 16, "color": "#1b1b1b", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": threshold}},
        },
        "edges": {
            "font": {"size": 12, "align": "horizontal", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "arrows": {"to": {"scaleFactor": 0.7}},
            "scaling": {"label": {"drawThreshold": threshold}},
            "smooth": False,
            "selectionWidth": 2,
            "hoverWidth": 1,
        },
    }

