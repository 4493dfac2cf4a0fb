"""Refresh ``docs/graph.png``: the seeds graph with the SDF–ISIS truce open.

Builds the seeds (or takes an existing ``graph.html``), opens the page in
headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright) at
1400x900, selects the SDF–ISIS ``truce_with`` edge so that the evidence
panel shows its sentences, fits the view and saves a PNG::

    .venv/bin/python benchmarks/screenshot.py [--html OUT/graph.html] [--out docs/graph.png]

With ``--view HASH`` it opens the page at that view instead (the page's URL
hash, e.g. ``focus=...&sel=...``; an empty one for the whole graph) and
prints the page's load time: how the large screenshots in docs/ are made::

    .venv/bin/python benchmarks/bench_html.py --runs 1 --keep /tmp/big.html
    .venv/bin/python benchmarks/screenshot.py --html /tmp/big.html --view "" --out docs/graph-2000.png
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENT = "https://w3id.org/kg-conflict/id/entity/"
CHROMIUM = "/usr/bin/chromium"


def _open(playwright, width: int, height: int):
    """Headless Chromium, a page of that size, and the list its script errors go to."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return browser, page, errors


def view_screenshot(html: Path, out: Path, view: str, width: int = 1400, height: int = 900) -> None:
    """The page at the view of a URL hash, with its load time printed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page, errors = _open(playwright, width, height)
        page.goto(html.resolve().as_uri() + ("#" + view if view else ""), wait_until="commit")
        page.wait_for_function("() => window.kgReady === true", timeout=120_000, polling=20)
        ready = page.evaluate("performance.now()") / 1000
        page.wait_for_timeout(1500)  # the panel, if any, narrows the canvas: let vis resize
        if view:
            page.evaluate("kgRestoreState(location.hash)")
        if errors:
            raise SystemExit(f"page errors: {errors}")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        labels = page.evaluate("(() => { const d = kgDrawnLabels(); return [d.nodes.length, d.edges.length]; })()")
        print(f"{html}: ready {ready:.2f} s after navigation start; {labels[0]} node and {labels[1]} edge labels drawn")
        browser.close()


def screenshot(html: Path, out: Path, width: int = 1400, height: int = 900) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page, errors = _open(playwright, width, height)
        page.goto(html.resolve().as_uri())
        page.wait_for_function("() => window.kgReady === true", timeout=60_000)
        edge = page.evaluate("""([s, o]) => Object.keys(kgRelations).find(id => {
            const r = kgRelations[id];
            return r.relation === "truce_with" && [r.from, r.to].sort().join() === [s, o].sort().join();
        })""", [ENT + "sdf", ENT + "isis"])
        if not edge:
            raise SystemExit(f"{html}: no SDF-ISIS truce_with edge")
        page.evaluate("id => kgSelectEdge(id)", edge)
        page.wait_for_timeout(200)  # the panel narrows the canvas: let vis resize
        # frame the truce's connected component (small side components are left out)
        page.evaluate("""id => {
            const seen = new Set([kgRelations[id].from]), todo = [kgRelations[id].from];
            while (todo.length) {
                kgEntities[todo.pop()].edges.forEach(e => [kgRelations[e].from, kgRelations[e].to]
                    .forEach(n => { if (!seen.has(n)) { seen.add(n); todo.push(n); } }));
            }
            kgNetwork.fit({nodes: [...seen], animation: false});
            kgNetwork.moveTo({scale: kgNetwork.getScale() * 0.95, animation: false});
        }""", edge)
        page.wait_for_timeout(200)
        if errors:
            raise SystemExit(f"page errors: {errors}")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, help="an existing graph.html (default: build the seeds)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "graph.png")
    parser.add_argument("--view", help="open the page at this URL hash (no edge selected by the script)")
    args = parser.parse_args(argv)
    if args.html and args.view is not None:
        view_screenshot(args.html, args.out, args.view)
    elif args.html:
        screenshot(args.html, args.out)
    else:
        import kg

        with tempfile.TemporaryDirectory() as tmp:
            kg.build([ROOT / "seeds"], tmp)
            screenshot(Path(tmp) / "graph.html", args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
