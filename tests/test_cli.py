"""The ``kg`` command line: version, help, exit codes, --verbose and --quiet.

Exit codes: 0 success; 1 failure, reported as one ``kg: error: ...`` line
(the traceback only under --verbose); 2 usage error; 3 the build finished but
some inputs were rejected.
"""
from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import kg
from kg.cli import EXIT_FAILED, EXIT_REJECTED, EXIT_USAGE, cli
from kg.errors import KgError, QueryError

COMMANDS = sorted(cli.commands)
ARTICLE = (
    "US-led forces, ISIS reach truce in Hasaka\n\n"
    "U.S.-backed Syrian Democratic Forces have reached a one-month truce with the "
    "Islamic State in villages near Hasaka, a monitor said on Sunday.\n"
)


def run(*args: str, **kwargs):
    return CliRunner().invoke(cli, list(args), prog_name="kg", **kwargs)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# --------------------------------------------------------------------------
# version and help


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"kg, version {kg.__version__}"


def test_group_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for name in ("build", "query", "serve", "validate", "export", "evaluate"):
        assert name in COMMANDS
        assert f"  {name} " in result.output
    for option in ("--version", "--verbose", "--quiet", "--help"):
        assert option in result.output


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_of_each_command(command, flag):
    result = run(command, flag)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: kg {command} ")
    assert "Options:" in result.output


# --------------------------------------------------------------------------
# usage errors: 2


@pytest.mark.parametrize("args", [
    [],                                      # no command
    ["nonsense"],                            # unknown command
    ["build"],                               # missing INPUTS
    ["build", "seeds", "--bogus"],           # unknown option
    ["query", "entities", "--format", "yaml"],  # bad choice
    ["query"],                               # neither a query nor --sparql
    ["query", "entities", "--param", "novalue"],
    ["export", "output"],                    # --format is required
    ["serve", "--port", "70000"],            # out of range
])
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------
# failures: 1, one line; a traceback only with --verbose


def test_unknown_model_is_one_line_without_traceback(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run("build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"),
                 "--model", "no_such_spacy_model")
    assert result.exit_code == EXIT_FAILED
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kg: error: ") and "no_such_spacy_model" in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_unknown_model_with_verbose_shows_the_traceback(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run("--verbose", "build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"),
                 "--model", "no_such_spacy_model")
    assert result.exit_code == EXIT_FAILED
    assert "Traceback (most recent call last)" in result.stderr
    assert "ModelError" in result.stderr
    assert error_lines(result)[-1].startswith("kg: error: ")


def test_missing_store_is_one_line(tmp_path):
    result = run("query", "entities", "--store", str(tmp_path / "none"))
    assert result.exit_code == EXIT_FAILED
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr
    assert "no kg store" in lines[0]


@pytest.mark.parametrize("exc", [QueryError("the query\nfailed"), PermissionError(13, "Permission denied", "x")])
def test_any_command_reports_library_and_os_errors_as_one_line(exc):
    """Errors no command catches itself are turned into one line by the group."""

    @click.command("kg-test-failing")
    def failing():
        raise exc

    cli.add_command(failing)
    try:
        quiet = run("kg-test-failing")
        loud = run("-v", "kg-test-failing")
    finally:
        cli.commands.pop("kg-test-failing")
    assert quiet.exit_code == loud.exit_code == EXIT_FAILED
    assert error_lines(quiet) == [f"kg: error: {' '.join(str(exc).split())}"]
    assert "Traceback" in loud.stderr
    assert isinstance(exc, (KgError, OSError))


# --------------------------------------------------------------------------
# builds: 3 for rejected inputs; --quiet


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    path = folder / "truce.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.mark.slow
def test_rejected_input_exits_3(article, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("build", str(article), str(empty), "--out", str(tmp_path / "out"), "--no-html")
    assert result.exit_code == EXIT_REJECTED, result.output
    assert f"kg: rejected {empty}: empty file (0 bytes)" in result.stderr
    assert "1 documents in the graph (1 added" in result.stdout
    assert (tmp_path / "out" / "graph.ttl").is_file()
    assert not (tmp_path / "out" / "graph.html").exists()


@pytest.mark.slow
def test_quiet_prints_nothing_on_success(article, tmp_path):
    out = tmp_path / "out"
    result = run("--quiet", "build", str(article), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (out / "graph.ttl").is_file() and (out / "graph.html").is_file()

    result = run("-q", "export", "-f", "nt", str(out))
    assert result.exit_code == 0 and result.output == ""
    assert (out / "graph.nt").is_file()

    result = run("-q", "validate", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == ""

    # the results asked for are still printed
    result = run("-q", "query", "entities", "--store", str(out / "store"), "-f", "csv")
    assert result.exit_code == 0
    assert "Syrian Democratic Forces" in result.stdout and result.stderr == ""

    # without --quiet the same commands talk
    assert "conforms" in run("validate", str(out)).output
    assert "wrote" in run("export", "-f", "nt", str(out)).output
