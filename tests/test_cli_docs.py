"""README's "## Command line" section documents every command and option.

Read against ``kg --help`` and ``kg COMMAND --help``: every command listed has
a ``### `kg COMMAND` `` subsection holding its usage line and a bullet
(``- `-o, --out DIR`: ...``) for every long option its help shows; the
section documents the group's options and the exit codes; and it documents
no command that does not exist. Adding a command or
an option without documenting it fails here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
_SUBSECTION = re.compile(r"^### `kg ([a-z][a-z0-9-]*)`\s*$", re.MULTILINE)


def _help(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="kg", terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


def _section(text: str, name: str) -> str:
    lines = text.splitlines()
    start = lines.index(name) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].endswith(":") and not lines[i].startswith(" ")),
               len(lines))
    return "\n".join(lines[start:end])


def listed_commands() -> list[str]:
    """The commands ``kg --help`` lists."""
    return re.findall(r"^  (\S+)", _section(_help(), "Commands:"), re.MULTILINE)


def long_options(help_text: str) -> list[str]:
    """Long option names of a --help text (not words inside help texts)."""
    found = []
    for line in _section(help_text, "Options:").splitlines():
        match = re.match(r"^  (-\S.*)$", line)  # an option line; help text is indented further
        if match:
            names = re.split(r"\s{2,}", match.group(1))[0]
            found += re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", names)
    return found


def usage(help_text: str) -> str:
    first = help_text.splitlines()[0]
    assert first.startswith("Usage: "), first
    return first[len("Usage: "):].strip()


def cli_section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Command line\s*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Command line' section"
    return match.group(1)


def subsections() -> dict[str, str]:
    section = cli_section()
    heads = list(_SUBSECTION.finditer(section))
    return {m.group(1): section[m.end():(heads[i + 1].start() if i + 1 < len(heads) else len(section))]
            for i, m in enumerate(heads)}


def test_parsers_see_what_help_shows():
    assert {"build", "query", "serve", "validate", "export", "evaluate"} <= set(listed_commands())
    assert set(listed_commands()) == {name for name, cmd in cli.commands.items() if not cmd.hidden}
    assert "--param" in long_options(_help("query"))
    assert long_options(_help("build")).count("--out") == 1
    assert usage(_help("build")) == "kg build [OPTIONS] INPUTS..."


@pytest.mark.parametrize("command", listed_commands())
def test_every_command_is_documented(command):
    docs = subsections()
    assert command in docs, f"README '## Command line' needs a '### `kg {command}`' subsection"
    text = docs[command]
    help_text = _help(command)
    assert usage(help_text) in text, f"README: `kg {command}` needs its usage line: {usage(help_text)}"
    # each option gets a bullet of its own: "- `-o, --out DIR`: ..."
    missing = [opt for opt in long_options(help_text) if opt != "--help" and not re.search(
        rf"^- `[^`]*(?<![\w-]){re.escape(opt)}(?![\w-])[^`]*`", text, re.MULTILINE)]
    assert not missing, f"README: `kg {command}` does not document {', '.join(missing)}"


def test_no_stale_command_in_readme():
    stale = set(subsections()) - set(listed_commands())
    assert not stale, f"README documents commands kg does not have: {sorted(stale)}"


def test_group_options_and_exit_codes_are_documented():
    section = cli_section()
    intro = section[:_SUBSECTION.search(section).start()]
    assert "Usage: " + usage(_help()) in intro
    for option in long_options(_help()):
        assert option in intro, f"README: the group option {option} is not documented"
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"^\| {code} \|", intro, re.MULTILINE), f"exit code {code} is not documented"
    assert "kg: error:" in intro and "--verbose" in intro


def readme_sparql_blocks() -> list[str]:
    return re.findall(r"^```sparql\n(.*?)^```$", README.read_text(encoding="utf-8"), re.S | re.M)


def test_the_readme_has_sparql_blocks():
    assert len(readme_sparql_blocks()) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(readme_sparql_blocks())))
def test_readme_sparql_runs_unchanged_on_plain_oxigraph(seeds_build, index):
    """Each ``sparql`` block of the README, as printed, on a bare pyoxigraph store loaded
    from graph.ttl: no kg prefixes, no kg code; every prefix it uses is declared."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(seeds_build / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    rows = list(store.query(readme_sparql_blocks()[index]))
    assert rows, "the README's query finds nothing in the seeds graph"
