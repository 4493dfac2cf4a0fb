"""Where the page draws each node: the network layout and the map view, computed here
(deterministic, seeded) so that the page is interactive at once; and each node's style.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kg.outlines import outlines

if TYPE_CHECKING:  # pragma: no cover - typing only
    import networkx

__all__ = ["node_display"]

#: Display of each entity class, in order of precedence for an entity with
#: several classes (a country is a State first): class, vis shape, colour,
#: legend glyph, legend label.
_NODE_STYLES = (
    ("State", "diamond", "#3949ab", "\u25c6", "State"),
    ("ArmedGroup", "dot", "#d32f2f", "\u25cf", "Armed group"),
    ("Coalition", "hexagon", "#8d6e63", "\u2b22", "Coalition"),
    ("Organization", "triangle", "#00897b", "\u25b2", "Organization"),
    ("Person", "star", "#f9a825", "\u2605", "Person"),
    ("Place", "square", "#43a047", "\u25a0", "Place"),
)
_OTHER_STYLE = ("Other", "dot", "#90a4ae", "\u25cf", "Other")
_LAYOUT_SEED = 20171015

#: Canvas units (vis pixels at zoom 1) per typical edge of the network layout.
_UNIT = 170
#: Minimum distance between node centres in the geographic layout.
_GEO_GAP = 64
#: Beyond this many nodes a connected component gets a spiral layout ordered
#: by degree instead of a force-directed one (whose cost grows as n squared).
_FORCE_MAX_NODES = 5000
#: Beyond this many nodes, small labels are not drawn.
_BIG_GRAPH = 300


def _repulsion(x: Any, y: Any, k2: float, mass: Any, chunk: int = 64) -> tuple[Any, Any]:
    """Sum over j of ``(p_i - p_j) * k2 * mass_j / |p_i - p_j|**2`` for each i.

    Computed in float32 blocks of rows that stay in the CPU cache.
    """
    import numpy as np

    n = len(x)
    out_x = np.empty(n, np.float32)
    out_y = np.empty(n, np.float32)
    eps = np.float32(1e-6)
    weight = (mass * np.float32(k2)).astype(np.float32)
    for start in range(0, n, chunk):
        dx = np.subtract.outer(x[start:start + chunk], x)
        dy = np.subtract.outer(y[start:start + chunk], y)
        d2 = dx * dx
        d2 += dy * dy
        np.maximum(d2, eps, out=d2)
        np.divide(weight, d2, out=d2)
        out_x[start:start + chunk] = np.einsum("ij,ij->i", dx, d2)
        out_y[start:start + chunk] = np.einsum("ij,ij->i", dy, d2)
    return out_x, out_y


def _force_layout(n: int, edges: list[tuple[int, int]], seed: int) -> Any:
    """Force-directed positions of one connected component, as an (n, 2) array.

    Fruchterman–Reingold as in networkx's ``spring_layout`` (same forces
    and cooling), with the repulsion between two nodes weighted by the
    square roots of their degrees (as ForceAtlas2 does, more strongly) so
    that hubs keep apart. Vectorised in float32: 2,000 nodes take about a
    second. Seeded, so deterministic. Edges get a median length of 1.

    >>> pos = _force_layout(3, [(0, 1), (1, 2)], seed=1)
    >>> pos.shape, bool(abs(pos).max() < 5)
    ((3, 2), True)
    """
    import numpy as np

    if n == 1:
        return np.zeros((1, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)).astype(np.float32)
    src = np.array([e[0] for e in edges], dtype=np.intp)
    dst = np.array([e[1] for e in edges], dtype=np.intp)
    mass = np.sqrt(np.bincount(src, minlength=n) + np.bincount(dst, minlength=n) + 1.0)
    mass = mass.astype(np.float32)
    k = math.sqrt(1.0 / n)
    # Each iteration costs ~n*n; small graphs get many, large ones fewer.
    iterations = max(15, min(300, int(2.2e8 / (n * n))))
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        x, y = pos[:, 0].copy(), pos[:, 1].copy()
        disp_x, disp_y = _repulsion(x, y, k * k, mass)
        disp_x *= mass
        disp_y *= mass
        ex, ey = x[src] - x[dst], y[src] - y[dst]
        pull = np.sqrt(ex * ex + ey * ey) / np.float32(k)
        fx, fy = ex * pull, ey * pull
        disp_x -= np.bincount(src, fx, n).astype(np.float32)
        disp_x += np.bincount(dst, fx, n).astype(np.float32)
        disp_y -= np.bincount(src, fy, n).astype(np.float32)
        disp_y += np.bincount(dst, fy, n).astype(np.float32)
        length = np.sqrt(disp_x * disp_x + disp_y * disp_y)
        length = np.where(length < 0.01, np.float32(0.1), length)
        step = np.float32(temperature) / length
        pos[:, 0] += disp_x * step
        pos[:, 1] += disp_y * step
        temperature -= cooling
    out = pos.astype(np.float64)
    if edges:
        lengths = np.hypot(*(out[src] - out[dst]).T)
        median = float(np.median(lengths))
        if median > 1e-9:
            out /= median
    return out - out.mean(axis=0)


def _spiral_layout(n: int) -> Any:
    """A sunflower (phyllotaxis) spiral of n evenly spread points, first at the centre.

    >>> _spiral_layout(3).round(2).tolist()
    [[0.0, 0.0], [-0.44, 0.41], [0.07, -0.85]]
    """
    import numpy as np

    k = np.arange(n, dtype=np.float64)
    radius = 0.6 * np.sqrt(k)
    angle = k * (math.pi * (3 - math.sqrt(5)))
    return np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))


def _node_size(degree: int) -> int:
    """vis node size (about its radius) for a number of relations.

    >>> _node_size(0), _node_size(4), _node_size(100)
    (12, 24, 48)
    """
    return min(48, 12 + round(6 * math.sqrt(degree)))


def _network_layout(nxg: networkx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Deterministic canvas positions: each connected component laid out, then packed.

    Components are laid out with :func:`_force_layout` (or a degree-ordered
    spiral beyond ``_FORCE_MAX_NODES`` nodes), scaled to ``_UNIT`` per edge,
    freed of overlapping nodes, and packed in columns, largest first.
    """
    import networkx as nx
    import numpy as np

    if not nxg.number_of_nodes():
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(sorted(nxg.nodes))
    simple.add_edges_from(sorted((u, v) for u, v in nxg.edges() if u != v))
    components = sorted((sorted(c) for c in nx.connected_components(simple)),
                        key=lambda c: (-len(c), c[0]))
    boxes = []
    for number, members in enumerate(components):
        index = {node: i for i, node in enumerate(members)}
        if len(members) > _FORCE_MAX_NODES:
            order = sorted(members, key=lambda m: (-simple.degree(m), m))
            spiral = _spiral_layout(len(members))
            pos = np.empty_like(spiral)
            for rank, node in enumerate(order):
                pos[index[node]] = spiral[rank]
        else:
            edges = sorted((index[u], index[v]) for u, v in simple.subgraph(members).edges())
            pos = _force_layout(len(members), edges, seed=_LAYOUT_SEED + number)
        pos = pos * _UNIT
        if 1 < len(members) <= _FORCE_MAX_NODES:
            radius = np.array([_node_size(nxg.degree(m)) + 22.0 for m in members])
            pos = _relax(pos, pos.copy(), np.full(len(members), 0.02), radius)
        if len(members) > 1:
            # wide rather than tall: the canvas is landscape
            spread = pos.max(axis=0) - pos.min(axis=0)
            if spread[1] > spread[0]:
                pos = pos[:, ::-1].copy()
        pos = pos - pos.min(axis=0) + _UNIT / 2
        boxes.append((members, pos, pos.max(axis=0) + _UNIT / 2))
    area = sum(float(size[0] * size[1]) for _m, _p, size in boxes)
    column_height = max(max(float(size[1]) for _m, _p, size in boxes), math.sqrt(area / 1.6))
    placed: dict[str, tuple[float, float]] = {}
    x = y = column_width = 0.0
    for members, pos, size in boxes:
        if y > 0 and y + size[1] > column_height:
            x, y, column_width = x + column_width, 0.0, 0.0
        for node, (px, py) in zip(members, pos):
            placed[node] = (x + px, y + py)
        y += float(size[1])
        column_width = max(column_width, float(size[0]))
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {node: (round(px - cx), round(py - cy)) for node, (px, py) in sorted(placed.items())}


def _nice_step(span: float) -> float:
    """A round graticule step giving a handful of lines over ``span`` degrees.

    >>> _nice_step(9.0), _nice_step(0.8), _nice_step(120)
    (2.0, 0.2, 30.0)
    """
    for step in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0):
        if span / step <= 7:
            return step
    return 60.0


def _degrees(value: float, positive: str, negative: str) -> str:
    """Format a graticule label.

    >>> _degrees(36.0, "N", "S"), _degrees(-2.5, "E", "W"), _degrees(0.0, "N", "S")
    ('36°N', '2.5°W', '0°')
    """
    text = f"{abs(value):g}\u00b0"
    return text if value == 0 else text + (positive if value > 0 else negative)


def _geo_layout(nxg: networkx.MultiDiGraph) -> dict[str, Any] | None:
    """Positions for the map view, or None when no entity has coordinates.

    Places sit at their coordinates (equirectangular projection, ``x`` east,
    ``y`` south, scaled to the canvas). The frame holds the central 80 % of
    places linearly; places far outside it (the United States on a map of
    Syria) keep their direction from the centre, their distance
    log-compressed.
    Other entities sit near the places they relate to (within three hops),
    the rest on a band at the right; overlaps are then relaxed.
    """
    import numpy as np

    ids = sorted(nxg.nodes)
    coords = {n: (nxg.nodes[n]["long"], nxg.nodes[n]["lat"]) for n in ids
              if nxg.nodes[n]["lat"] is not None and nxg.nodes[n]["long"] is not None
              and -90 <= nxg.nodes[n]["lat"] <= 90 and -180 <= nxg.nodes[n]["long"] <= 180}
    if not coords:
        return None
    lon = np.array([c[0] for c in coords.values()])
    lat = np.array([c[1] for c in coords.values()])
    q = (0.1, 0.9) if len(coords) >= 5 else (0.0, 1.0)
    lon_lo, lon_hi = (float(v) for v in np.quantile(lon, q))
    lat_lo, lat_hi = (float(v) for v in np.quantile(lat, q))
    for lo, hi, name in ((lon_lo, lon_hi, "lon"), (lat_lo, lat_hi, "lat")):
        mid, half = (lo + hi) / 2, max((hi - lo) / 2 * 1.15, 0.75)
        if name == "lon":
            lon_lo, lon_hi = mid - half, mid + half
        else:
            lat_lo, lat_hi = max(-90.0, mid - half), min(90.0, mid + half)
    lon0, lat0 = (lon_lo + lon_hi) / 2, (lat_lo + lat_hi) / 2
    kx = max(0.2, math.cos(math.radians(lat0)))
    half_x, half_y = (lon_hi - lon_lo) / 2 * kx, (lat_hi - lat_lo) / 2
    width = max(1800.0, 150.0 * math.sqrt(len(ids)))
    scale = min(width / (2 * half_x), 0.62 * width / (2 * half_y))

    def project(long: float, lati: float) -> tuple[float, float]:
        u, v = (long - lon0) * kx / half_x, (lati - lat0) / half_y
        r = max(abs(u), abs(v))
        if r > 1:
            f = (1 + 0.15 * math.log(r)) / r
            u, v = u * f, v * f
        return u * half_x * scale, -v * half_y * scale

    index = {n: i for i, n in enumerate(ids)}
    anchor = np.zeros((len(ids), 2))
    tether = np.zeros(len(ids))
    placed: dict[str, tuple[float, float]] = {}
    for node, (long, lati) in coords.items():
        placed[node] = project(long, lati)
        tether[index[node]] = 0.5
    neighbours = {n: sorted(set(nxg.successors(n)) | set(nxg.predecessors(n)) - {n}) for n in ids}
    for _hop in range(3):
        found = {}
        for node in ids:
            if node not in placed:
                near = [placed[m] for m in neighbours[node] if m in placed]
                if near:
                    found[node] = (sum(p[0] for p in near) / len(near),
                                   sum(p[1] for p in near) / len(near))
        if not found:
            break
        placed.update(found)
    # Entities sharing an anchor start on a sunflower around it.
    groups: dict[tuple[int, int], list[str]] = {}
    for node in ids:
        if node in placed and node not in coords:
            groups.setdefault((round(placed[node][0]), round(placed[node][1])), []).append(node)
    golden = math.pi * (3 - math.sqrt(5))
    pos = np.zeros((len(ids), 2))
    for node, p in placed.items():
        pos[index[node]] = anchor[index[node]] = p
    for key, members in groups.items():
        members.sort(key=lambda m: (-nxg.degree(m), m))
        for k, node in enumerate(members, start=1):
            r = 0.8 * _GEO_GAP * math.sqrt(k)
            pos[index[node]] = (key[0] + r * math.cos(k * golden), key[1] + r * math.sin(k * golden))
            tether[index[node]] = 0.04
    movable = np.array([index[n] for n in ids if n in placed], dtype=np.intp)
    if len(movable) > 1:
        # deterministic tiny jitter so that coincident points can separate
        pos[movable] += 0.5 * np.column_stack((np.cos(movable * golden), np.sin(movable * golden)))
        pos[movable] = _relax(pos[movable], anchor[movable], tether[movable],
                              np.full(len(movable), _GEO_GAP / 2))
    # the band at the right for entities with no place near them
    rest = sorted((n for n in ids if n not in placed), key=lambda m: (-nxg.degree(m), m))
    xs = [float(pos[index[n]][0]) for n in placed]
    ys = [float(pos[index[n]][1]) for n in placed]
    band_x = max(xs) + 3 * _GEO_GAP
    top, bottom = min(ys), max(ys)
    per_column = max(1, int((bottom - top) // (1.3 * _GEO_GAP)) + 1)
    for k, node in enumerate(rest):
        pos[index[node]] = (band_x + (k // per_column) * 3.4 * _GEO_GAP,
                            top + (k % per_column) * 1.3 * _GEO_GAP)

    lines, labels = [], []
    (fx0, fy0), (fx1, fy1) = project(lon_lo, lat_hi), project(lon_hi, lat_lo)
    step = _nice_step(max(lon_hi - lon_lo, lat_hi - lat_lo))
    value = math.ceil(lon_lo / step) * step
    while value <= lon_hi + 1e-9:
        x = project(value, lat0)[0]
        lines.append([round(x), round(fy0), round(x), round(fy1)])
        labels.append([round(x) + 4, round(fy1) - 6, _degrees(round(value, 6), "E", "W")])
        value += step
    value = math.ceil(lat_lo / step) * step
    while value <= lat_hi + 1e-9:
        y = project(lon0, value)[1]
        lines.append([round(fx0), round(y), round(fx1), round(y)])
        labels.append([round(fx0) + 4, round(y) - 6, _degrees(round(value, 6), "N", "S")])
        value += step
    span_lon, span_lat = lon_hi - lon_lo, lat_hi - lat_lo
    box = (lon_lo - span_lon, lat_lo - span_lat, lon_hi + span_lon, lat_hi + span_lat)
    return {
        "outlines": outlines(project, box),
        "positions": {n: [round(float(pos[index[n]][0])), round(float(pos[index[n]][1]))]
                      for n in ids},
        "frame": [round(fx0), round(fy0), round(fx1), round(fy1)],
        "lines": lines,
        "labels": labels,
        "band": [round(band_x), round(top)] if rest else None,
        "placed": len(coords),
    }


def _relax(pos: Any, anchor: Any, tether: Any, radius: Any) -> Any:
    """Push apart nodes closer than the sum of their radii, pulling each to its anchor.

    ``tether`` is each node's pull back to ``anchor`` per step (0: free,
    1: pinned). Deterministic; about n*n work per step, fewer steps for
    large n.

    >>> import numpy as np
    >>> out = _relax(np.array([[0.0, 0.0], [1.0, 0.0]]), np.zeros((2, 2)), np.zeros(2), np.full(2, 10.0))
    >>> bool(out[1, 0] - out[0, 0] > 15)
    True
    """
    import numpy as np

    n = len(pos)
    iterations = max(5, min(40, int(3e7 / (n * n))))
    pos = pos.astype(np.float32)
    rad = radius.astype(np.float32)
    pull = tether.astype(np.float32)[:, None]
    target = anchor.astype(np.float32)
    for _ in range(iterations):
        x, y = pos[:, 0].copy(), pos[:, 1].copy()
        push_x = np.zeros(n, np.float64)
        push_y = np.zeros(n, np.float64)
        for start in range(0, n, 128):
            dx = np.subtract.outer(x[start:start + 128], x)
            dy = np.subtract.outer(y[start:start + 128], y)
            d2 = dx * dx
            d2 += dy * dy
            gap = np.add.outer(rad[start:start + 128], rad)
            rows, cols = np.nonzero(d2 < gap * gap)
            mine = rows + start
            keep = mine != cols
            rows, cols, mine = rows[keep], cols[keep], mine[keep]
            if not len(rows):
                continue
            d = np.sqrt(d2[rows, cols])
            w = (gap[rows, cols] - d) / np.maximum(d, np.float32(1e-3))
            push_x += np.bincount(mine, dx[rows, cols] * w, n)
            push_y += np.bincount(mine, dy[rows, cols] * w, n)
        pos[:, 0] += np.float32(0.25) * push_x.astype(np.float32)
        pos[:, 1] += np.float32(0.25) * push_y.astype(np.float32)
        pos += pull * (target - pos)
    return pos.astype(np.float64)



def node_display(nxg: networkx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """How the page draws each node: its network-layout position (canvas
    pixels, y down), fill colour (``#rrggbb``), vis shape and size. For
    exports that carry the page's look (GEXF's ``viz``).
    """
    positions = _network_layout(nxg)
    out = {}
    for node in sorted(nxg.nodes):
        _cls, shape, color, _glyph, _label = _style(nxg.nodes[node]["types"])
        x, y = positions[node]
        out[node] = {"x": x, "y": y, "color": color, "shape": shape, "size": _node_size(nxg.degree(node))}
    return out


def _style(types: list[str]) -> tuple[str, str, str, str, str]:
    for style in _NODE_STYLES:
        if style[0] in types:
            return style
    return _OTHER_STYLE

