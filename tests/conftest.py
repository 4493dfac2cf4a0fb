"""Browser fixtures: headless Debian Chromium driven by Playwright's sync API;
and the seeds graph, built once per session.

Tests marked ``browser`` use the browser fixtures. They skip, saying why, when
``/usr/bin/chromium`` or Playwright is missing (CI installs both).
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is missing: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page that may load ``file://`` only.

    Yields a namespace: ``page``; ``requests`` (every URL requested);
    ``blocked`` (non-file URLs, aborted); ``errors`` (console errors and
    uncaught exceptions); ``dialogs`` (alert/confirm/prompt messages, dismissed).
    """
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seen = SimpleNamespace(page=page, requests=[], blocked=[], errors=[], dialogs=[])

    def route(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            seen.blocked.append(route.request.url)
            route.abort()

    def on_dialog(dialog):
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", route)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda msg: seen.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("dialog", on_dialog)
    yield seen
    context.close()


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory):
    """``kg build seeds`` once per session (slow: loads spaCy); the output folder."""
    import kg

    out = tmp_path_factory.mktemp("seeds")
    kg.build([Path(__file__).resolve().parent.parent / "seeds"], out)
    return out


@pytest.fixture(scope="session")
def seeds_dir(seeds_build):
    """The seeds build, for tests that read graph.ttl or the store only."""
    return seeds_build


def _by_value(triples) -> set:
    """Triples with ``xsd:decimal`` literals compared by value.

    kg writes decimals canonically, as Oxigraph keeps them (``"35"^^xsd:decimal``);
    rdflib's Turtle and TriG writers put that back as ``35.0``, which rdflib then
    reads as another term with the same value.
    """
    from rdflib import XSD, Literal

    def term(node):
        if isinstance(node, Literal) and node.datatype == XSD.decimal:
            return ("decimal", node.toPython())
        return node

    return {(s, p, term(o)) for s, p, o in triples}


@pytest.fixture
def by_value():
    """:func:`_by_value`, for tests that pass kg's graphs through rdflib's writers."""
    return _by_value


@pytest.fixture(scope="session")
def gaz():
    """kg's gazetteer (actors and places), loaded once."""
    from kg.gazetteer import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def nlp(gaz):
    """The spaCy pipeline as kg adapts it (slow to load: once per session)."""
    from kg.engines import load_resources

    return load_resources(None)[0]
