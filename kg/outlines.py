"""Country outlines for the page's map: Natural Earth 1:110m from npm's world-atlas.

``scripts/setup.sh`` installs the npm package ``world-atlas`` (locked in
``package-lock.json``) into the project's ``node_modules``; its
``countries-110m.json`` is TopoJSON: shared arcs, quantized and delta-encoded.
:func:`outlines` decodes the rings of the countries near the map's frame,
projects them with the map's own projection and returns them as flat integer
lists, which the page embeds (it stays one offline file) and draws under the
places. Without the package the map has no outlines, and says so.

>>> topo = {"transform": {"scale": [1, 1], "translate": [0, 0]},
...         "arcs": [[[0, 0], [10, 0], [0, 10], [-10, 0], [0, -10]]],
...         "objects": {"countries": {"type": "GeometryCollection", "geometries": [
...             {"type": "Polygon", "arcs": [[0]], "properties": {"name": "Square"}}]}}}
>>> _rings(topo, (-1, -1, 20, 20))
[[(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]]
>>> _rings(topo, (30, 30, 40, 40))
[]
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable

__all__ = ["outlines", "ATLAS"]

#: Where setup.sh's ``npm ci`` puts the outline data (the repository's node_modules).
ATLAS = Path(__file__).resolve().parents[1] / "node_modules" / "world-atlas" / "countries-110m.json"


@functools.lru_cache(maxsize=2)
def _load(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _rings(topo: dict[str, Any], box: tuple[float, float, float, float]) -> list[list[tuple[float, float]]]:
    """Every ring (lon, lat) of the countries whose ring's bounding box meets ``box``
    (lon_lo, lat_lo, lon_hi, lat_hi)."""
    arcs = _arcs(topo)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    out = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs", [])],
                    "MultiPolygon": geometry.get("arcs", [])}.get(geometry.get("type"), [])
        for polygon in polygons:
            for indexes in polygon:
                points = ring(indexes)
                lons, lats = [p[0] for p in points], [p[1] for p in points]
                if points and min(lons) <= box[2] and max(lons) >= box[0] \
                        and min(lats) <= box[3] and max(lats) >= box[1]:
                    out.append(points)
    return out


def outlines(project: Callable[[float, float], tuple[float, float]],
             box: tuple[float, float, float, float], path: Path = ATLAS) -> list[list[int]] | None:
    """The rings near ``box`` (lon_lo, lat_lo, lon_hi, lat_hi, degrees), projected
    by ``project(lon, lat) -> (x, y)``, as ``[x0, y0, x1, y1, ...]`` integer
    lists; None when the outline data is not installed."""
    topo = _load(path)
    if topo is None:
        return None
    out = []
    for points in _rings(topo, box):
        flat: list[int] = []
        for lon, lat in points:
            x, y = project(lon, lat)
            xy = [round(x), round(y)]
            if flat[-2:] != xy:
                flat.extend(xy)
        if len(flat) >= 6:
            out.append(flat)
    return out
