"""The ``stadtgraph`` command: a thin shell over functions of :mod:`graph` that tests call directly.

    stadtgraph build [--strict]          all sources → store (validated, inferred)
    stadtgraph serve --host H --port P   the HTTP service (gunicorn)
    stadtgraph query QUERY|-f FILE       a SPARQL query, results to stdout
    stadtgraph export [-o FILE]          a dump of the whole dataset
    stadtgraph import FILE               restore a dump (N-Quads)
    stadtgraph validate [PATH…]          check sources without touching the store
    stadtgraph explain A B               why two concepts are related
    stadtgraph harvest wiki [--full]     the live wiki (wiki_api_url) → store, incrementally by default
    stadtgraph harvest oparl [--full]    the council's OParl endpoint (oparl_system_url) → store, incrementally
    stadtgraph settings                  every setting with its default and help
    stadtgraph token NAME                a new Graph Store write token and its configuration line
    stadtgraph history prune|export|import   the version log: retention, carrying it across a dump and restore
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from graph.errors import StadtgraphError
from graph.settings import Settings

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _progress(msg: str) -> None:
    print(f"· {msg}", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "store", None):
        overrides["store_path"] = args.store
    if getattr(args, "data", None):
        overrides["data_dir"] = args.data
    return Settings.from_env(**overrides)


# ---- commands ------------------------------------------------------------------------------------
def cmd_build(args: argparse.Namespace) -> int:
    from graph.gate.reports import describe_refusal
    from graph.pipeline.build import build
    from graph.store import open_store

    settings = _settings(args)
    store = open_store(settings)
    try:
        report = build(settings, store, strict=args.strict or None, progress=_progress)
        # The dumps of this state now, so that no visitor of /dumps or /catalog waits for them.
        from graph.publish.cache import Publication

        _progress(f"schreibe Dumps nach {settings.dump_dir}")
        Publication(store, settings).dumps()
    finally:
        store.close()
    for err in report.errors:
        print(f"FEHLER  {err.detail}", file=sys.stderr)
    for refusal in report.refused:
        print(describe_refusal(refusal), file=sys.stderr)
    secs = ", ".join(f"{k} {v:.2f} s" for k, v in report.seconds.items())
    print(f"Aufbau fertig: {len(report.loaded)} Datensätze, {len(report.refused)} abgewiesen, "
          f"{len(report.errors)} Quellen nicht lesbar, {report.warnings} Warnungen, {report.quads} Quads ({secs})")
    return 0 if report.ok else 1


def cmd_query(args: argparse.Namespace) -> int:
    from graph.store import open_store

    settings = _settings(args)
    text = Path(args.file).read_text("utf-8") if args.file else args.query
    if not text:
        print("Bitte eine Anfrage angeben (Argument oder -f DATEI) / give a query", file=sys.stderr)
        return 2
    store = open_store(settings, read_only=True)
    result = store.query(text, dataset=args.dataset)
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryTriples):
        fmt = RDF_FORMATS.get(args.format, ox.RdfFormat.TURTLE)
        result.serialize(out, fmt)
    else:
        result.serialize(out, RESULT_FORMATS.get(args.format, ox.QueryResultsFormat.CSV))
    out.flush()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from graph.store import open_store

    settings = _settings(args)
    store = open_store(settings, read_only=True)
    fmt = RDF_FORMATS[args.format]
    if args.output:
        tmp = Path(args.output + ".tmp")
        with open(tmp, "wb") as fh:
            store.dump(fh, fmt)
        tmp.replace(args.output)
        _progress(f"{store.count()} Quads nach {args.output} geschrieben")
    else:
        store.dump(sys.stdout.buffer, fmt)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from graph.store import open_store

    settings = _settings(args)
    store = open_store(settings)
    if args.replace:
        store.clear()
    store.bulk_load(Path(args.file), RDF_FORMATS[args.format])
    store.close()
    _progress(f"{store.count()} Quads im Speicher")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from serving import serve

    settings = _settings(args)
    serve(settings, host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from graph.inference.lookups import concept_name, explain
    from graph.store import open_store

    store = open_store(_settings(args), read_only=True)
    first, second, reasons = explain(store, args.a, args.b)
    a, b = concept_name(store, first), concept_name(store, second)
    if not reasons:
        print(f"Keine Synergie zwischen „{a}“ und „{b}“ abgeleitet / no synergy between them")
        return 0
    print(f"{a} ↔ {b}")
    for r in reasons:
        shared = ", ".join(name for _, name in r.shared)
        print(f"  {r.rule} ({r.relation.rsplit('#', 1)[-1]}), Stärke / strength {r.strength:g}"
              + (f"; gemeinsam / shared: {shared}" if shared else ""))
        print(f"    {r.comment_de}")
        print(f"    {r.comment_en}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 0: conforms (warnings allowed); 1: violations; 2: some input could not be read."""
    from graph.gate.quality import exit_code, validate_paths
    from graph.gate.reports import render

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or [Path(settings.data_dir)]
    report = validate_paths(settings, paths)
    sys.stdout.write(render(report, args.format, args.lang))
    sys.stdout.flush()
    return exit_code(report)


def cmd_harvest(args: argparse.Namespace) -> int:
    """Exit 0: every change stored; 1: some revisions or papers refused (the last good ones stay); 2: the
    source or the configuration failed (nothing changed); 3: another harvest is running (nothing done).
    One harvest at a time (a lock in the state directory); each outcome goes to its status file."""
    from graph.ops import freshness

    settings = _settings(args)
    if args.api:
        settings = settings.replace(**{"wiki_api_url" if args.source == "wiki" else "oparl_system_url": args.api})
    if args.snapshot:
        return _wiki_snapshot(settings, Path(args.snapshot))
    try:
        with freshness.harvest_lock(settings):
            try:
                report = _harvest(settings, args.source, args.full)
            except StadtgraphError as exc:
                freshness.record(settings, args.source, ok=False, error=exc.detail)
                raise
            freshness.record(settings, args.source, ok=True, stored=len(report.stored),
                             removed=len(report.removed), refused=len(report.refused))
    except freshness.HarvestRunning as exc:
        print(f"FEHLER  {exc.detail}", file=sys.stderr)
        return 3
    except StadtgraphError as exc:
        print(f"FEHLER  {exc.detail}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _harvest(settings: Settings, source: str, full: bool):
    """One harvest of ``source`` into the configured store, then fresh dumps if anything changed."""
    from graph.store import open_store

    store = open_store(settings)
    try:
        if source == "oparl":
            from graph.pipeline.council import harvest_council

            report = harvest_council(settings, store, full=full, progress=_progress)
        else:
            from graph.pipeline.harvest import Harvester

            report = Harvester(settings, store, progress=_progress).run(full=full)
        if report.stored or report.removed:
            from graph.publish.cache import Publication

            _progress(f"schreibe Dumps nach {settings.dump_dir}")
            Publication(store, settings).dumps()
        return report
    finally:
        store.close()


def _wiki_snapshot(settings: Settings, folder: Path) -> int:
    from graph.pipeline.harvest import Harvester

    try:
        harvester = Harvester(settings, store=None, progress=_progress)  # type: ignore[arg-type]
        out = folder / "export" / "istek-export.xml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(harvester.snapshot())
    except StadtgraphError as exc:
        print(f"FEHLER  {exc.detail}", file=sys.stderr)
        return 2
    print(f"Abzug geschrieben: {out} ({harvester.client.requests} Anfragen an das Wiki)")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    for name, default, help_text in Settings.describe():
        print(f"STADTGRAPH_{name.upper():<28} {default!r:<40} {help_text}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from graph.pipeline.tokens import new_token

    try:
        token, entry = new_token(args.name)
    except ValueError as exc:
        print(f"FEHLER  {exc}", file=sys.stderr)
        return 2
    print(f"Token (nur einmal angezeigt, dem Schreibenden geben / shown once, give it to the writer):\n{token}")
    print("Eintrag für die Konfiguration (an STADTGRAPH_TOKENS anhängen, durch Komma getrennt) / "
          f"entry for the configuration (append to STADTGRAPH_TOKENS, comma-separated):\n{entry}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """The version log (graph.pipeline.versions): ``prune`` applies history_retention_days (or --days),
    ``export`` writes it as JSON lines, ``import`` reads them back (after restoring a dump)."""
    from graph.pipeline.versions import version_log

    settings = _settings(args)
    log = version_log(settings, read_only=args.action == "export")
    if args.action == "prune":
        days = settings.history_retention_days if args.days is None else args.days
        if days <= 0:
            _progress("history_retention_days = 0: alle Fassungen bleiben / all versions are kept")
            return 0
        dropped = log.prune(days)
        _progress(f"{dropped} Fassungen älter als {days:g} Tage entfernt; {log.count()} bleiben")
    elif args.action == "export":
        if args.file and args.file != "-":
            tmp = Path(args.file + ".tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                n = log.export(fh)
            tmp.replace(args.file)
        else:
            n = log.export(sys.stdout)
        _progress(f"{n} Fassungen ausgegeben")
    else:
        if not args.file:
            print("FEHLER  history import braucht eine Datei / needs a file", file=sys.stderr)
            return 2
        with open(args.file, encoding="utf-8") as fh:
            n = log.import_(fh, replace=args.replace)
        _progress(f"{n} Fassungen eingelesen; {log.count()} im Protokoll")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stadtgraph", description="Wissensgraph der Stadtentwicklungsplanung Oberhausen")
    p.add_argument("--store", help="Verzeichnis des eingebetteten Speichers (store_path)")
    p.add_argument("--data", help="Verzeichnis der Quellen (data_dir)")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="alle Quellen prüfen und in den Speicher laden")
    b.add_argument("--strict", action="store_true", help="bei jeder Regelverletzung abbrechen")
    b.set_defaults(func=cmd_build)

    q = sub.add_parser("query", help="eine SPARQL-Anfrage ausführen")
    q.add_argument("query", nargs="?", help="die Anfrage")
    q.add_argument("-f", "--file", help="Anfrage aus Datei")
    q.add_argument("--format", default="csv", choices=[*RESULT_FORMATS, *RDF_FORMATS])
    q.add_argument("--dataset", default="all", choices=["all", "asserted", "inferred"],
                   help="Standardgraph: alles, nur erfasste oder nur abgeleitete Tripel")
    q.set_defaults(func=cmd_query)

    e = sub.add_parser("export", help="den ganzen Datenbestand ausgeben")
    e.add_argument("-o", "--output", help="Zieldatei (atomar geschrieben)")
    e.add_argument("--format", default="nquads", choices=list(RDF_FORMATS))
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("import", help="einen Abzug (N-Quads) einspielen")
    i.add_argument("file")
    i.add_argument("--format", default="nquads", choices=list(RDF_FORMATS))
    i.add_argument("--replace", action="store_true", help="Speicher vorher leeren")
    i.set_defaults(func=cmd_import)

    s = sub.add_parser("serve", help="den Dienst starten")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--workers", type=int, default=None)
    s.add_argument("--threads", type=int, default=None)
    s.set_defaults(func=cmd_serve)

    x = sub.add_parser("explain", help="warum zwei Konzepte verwandt sind (Synergien mit Begründung)")
    x.add_argument("a", help="Konzept: IRI, Kurzname (slug) oder Titel")
    x.add_argument("b", help="Konzept: IRI, Kurzname (slug) oder Titel")
    x.set_defaults(func=cmd_explain)

    v = sub.add_parser("validate", help="Quellen prüfen, ohne den Speicher anzufassen (Exit 0/1/2)")
    v.add_argument("paths", nargs="*", metavar="PATH", help="Dateien oder Verzeichnisse (Vorgabe: data_dir)")
    v.add_argument("--format", default="text", choices=["text", "json", "turtle"],
                   help="Bericht als Text, JSON oder Turtle (sh:ValidationReport)")
    v.add_argument("--lang", default="de", choices=["de", "en"], help="Sprache des Berichts")
    v.set_defaults(func=cmd_validate)

    t = sub.add_parser("token", help="ein neues Schreib-Token für den Graph Store (Token und Digest-Zeile)")
    t.add_argument("name", help="Name des Tokens (im Audit-Log), z. B. die Abteilung")
    t.set_defaults(func=cmd_token)

    h = sub.add_parser("harvest", help="das Wiki (wiki_api_url) oder den Rat (oparl_system_url) ernten: prüfen und "
                       "in den Speicher schreiben")
    h.add_argument("source", choices=["wiki", "oparl"],
                   help="was geerntet wird: das Wiki der Stadt oder das Ratsinformationssystem (OParl)")
    h.add_argument("--full", action="store_true", help="alles nach der Regel neu lesen statt nur die Änderungen")
    h.add_argument("--api", help="Adresse der api.php (statt wiki_api_url) bzw. des OParl-Systems (statt "
                   "oparl_system_url)")
    h.add_argument("--snapshot", metavar="DIR", help="die Seiten als MediaWiki-Export nach DIR/export/ schreiben "
                   "(statt in den Speicher)")
    h.set_defaults(func=cmd_harvest)

    hi = sub.add_parser("history", help="das Versionsprotokoll: aufräumen (prune), ausgeben (export), einlesen "
                        "(import)")
    hi.add_argument("action", choices=["prune", "export", "import"])
    hi.add_argument("file", nargs="?", help="export: Zieldatei (Vorgabe: stdout); import: die Datei")
    hi.add_argument("--days", type=float, help="prune: Fassungen älter als so viele Tage (statt "
                    "history_retention_days)")
    hi.add_argument("--replace", action="store_true", help="import: das Protokoll vorher leeren")
    hi.set_defaults(func=cmd_history)

    st = sub.add_parser("settings", help="alle Einstellungen mit Vorgabe und Erklärung")
    st.set_defaults(func=cmd_settings)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except StadtgraphError as exc:
        print(f"{exc.title}: {exc.detail}", file=sys.stderr)
        return 2 if exc.status < 500 else 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
