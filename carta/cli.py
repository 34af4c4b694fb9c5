"""The command line: the only module that prints or chooses an exit code.

Exit codes: 0 ok, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .errors import ContentError, ContentErrors, UsageError

OK, CONTENT_ERRORS, USAGE = 0, 1, 2
INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors: keep that
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"carta: errore: {message}\n")


def _iso_day(value: str) -> date:
    try:
        if len(value) == 10 and value[4] == value[7] == "-":
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"data non valida {value!r}: scrivila come AAAA-MM-GG")


def make_parser() -> Parser:
    parser = Parser(
        prog="carta",
        description="Costruisce la Carta d'Ambito: un sito statico di servizi, enti e iniziative.",
    )
    parser.add_argument("--version", action="version", version=f"carta {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMANDO", parser_class=Parser)

    def content_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--content",
            type=Path,
            default=Path("content"),
            help="cartella dei contenuti (default: content)",
        )

    def out_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--out", type=Path, default=Path("site"), help="cartella di uscita (default: site)"
        )
        p.add_argument(
            "--templates",
            type=Path,
            default=None,
            help="cartella dei modelli (default: templates del progetto)",
        )

    def today_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--today",
            type=_iso_day,
            default=None,
            metavar="AAAA-MM-GG",
            help="data della costruzione, per gli avvisi sull'età delle informazioni "
            "(default: CARTA_TODAY oppure oggi)",
        )

    p = sub.add_parser("build", help="controlla i contenuti e costruisce il sito")
    content_options(p)
    out_options(p)
    today_option(p)
    p.add_argument("--strict", action="store_true", help="tratta gli avvisi come errori")

    p = sub.add_parser("check", help="controlla i contenuti e segnala tutti i problemi")
    content_options(p)
    today_option(p)
    p.add_argument("--strict", action="store_true", help="tratta gli avvisi come errori")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("serve", help="costruisce e serve il sito, ricostruendolo a ogni modifica")
    content_options(p)
    out_options(p)
    today_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--no-reload", dest="reload", action="store_false", help="senza ricostruzione automatica"
    )

    p = sub.add_parser("new", help="crea lo scheletro di una nuova scheda")
    p.add_argument(
        "kind", choices=("servizio", "ente", "iniziativa"), metavar="servizio|ente|iniziativa"
    )
    p.add_argument("title", metavar="TITOLO")
    content_options(p)

    p = sub.add_parser("search", help="cerca servizi, enti e iniziative nell'indice del sito")
    p.add_argument("query", metavar="DOMANDA", help="le parole da cercare, tra virgolette")
    p.add_argument("--area", default=None, help="solo quest'area (id di aree.yaml)")
    p.add_argument("--destinatari", default=None, help="solo per questi destinatari (id)")
    p.add_argument(
        "--comune", default=None, help="solo ciò che è disponibile in questo comune (id)"
    )
    p.add_argument("--tipo", choices=("servizio", "ente", "iniziativa", "pagina"), default=None)
    p.add_argument("--gratuito", action="store_true", help="solo servizi gratuiti")
    p.add_argument("--limit", type=int, default=10, help="quanti risultati (1-100, default 10)")
    p.add_argument("--json", action="store_true", help="risultato in JSON")
    content_options(p)
    p.add_argument(
        "--out", type=Path, default=Path("site"), help="sito con l'indice (default: site)"
    )

    p = sub.add_parser("report", help="schede da ricontrollare, incomplete, isolate; copertura")
    content_options(p)
    today_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("bench", help="misura indice e ricerca su contenuti sintetici")
    p.add_argument("--sizes", default="1000,10000", help="numeri di schede, separati da virgole")
    p.add_argument("--queries", type=int, default=200, help="quante ricerche misurare")
    p.add_argument(
        "--serve",
        action="store_true",
        help="misura invece il server (waitress) su 127.0.0.1 con client concorrenti",
    )
    p.add_argument(
        "--out", type=Path, default=Path("site"), help="con --serve: il sito (default: site)"
    )
    p.add_argument("--clients", type=int, default=32, help="con --serve: client (default 32)")
    p.add_argument("--seconds", type=float, default=10.0, help="con --serve: durata (default 10)")

    p = sub.add_parser("budget", help="pesa le pagine costruite (gzip) e le confronta con i limiti")
    p.add_argument(
        "--out", type=Path, default=Path("site"), help="cartella del sito (default: site)"
    )

    p = sub.add_parser("schema", help="stampa lo JSON Schema del modello dei contenuti")
    p.add_argument(
        "--kind",
        choices=(
            "servizio",
            "ente",
            "iniziativa",
            "pagina",
            "carta",
            "aree",
            "destinatari",
            "territorio",
            "sinonimi",
            "fonti",
        ),
        default=None,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # SIGTERM stops a command the way Ctrl+C does: KeyboardInterrupt, which every stage
    # cleans up after (the build removes its staging folder, the server closes)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if main_thread else None
    try:
        parser = make_parser()
        args = parser.parse_args(argv)
        command = args.command or "build"
        if args.command is None:
            args = parser.parse_args(["build", *(argv or [])] if argv is not None else ["build"])
        return COMMANDS[command](args)
    except UsageError as exc:
        print(f"carta: errore: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("carta: interrotto.", file=sys.stderr)
        return INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def report(problems: list[ContentError]) -> None:
    for p in problems:
        print(p)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(plural(errors, "errore", "errori"))
    if warnings:
        parts.append(plural(warnings, "avviso", "avvisi"))
    if parts:
        print(" e ".join(parts) + ".", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build

    try:
        result = build(
            args.content, args.out, templates=args.templates, strict=args.strict, today=args.today
        )
    except ContentErrors as exc:
        report(exc.problems)
        print(f"Sito non costruito: {args.out} non è stato modificato.", file=sys.stderr)
        return CONTENT_ERRORS
    report(result.warnings)
    print(f"Sito costruito in {args.out}/ ({result.pages} file).", file=sys.stderr)
    return OK


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import check

    site, problems = check(args.content, strict=args.strict, today=args.today)
    if args.format == "json":
        json.dump(
            [p.as_dict() for p in problems],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
            allow_nan=False,
        )
        sys.stdout.write("\n")
    else:
        report(problems)
        if site is not None:
            counts = ", ".join(
                plural(len(items), one, many)
                for items, one, many in (
                    (site.servizi, "servizio", "servizi"),
                    (site.enti, "ente", "enti"),
                    (site.iniziative, "iniziativa", "iniziative"),
                    (site.pagine, "pagina", "pagine"),
                )
            )
            print(f"Contenuti corretti: {counts}.", file=sys.stderr)
    return OK if site is not None else CONTENT_ERRORS


def cmd_serve(args: argparse.Namespace) -> int:
    from .pipeline import build
    from .render import default_templates
    from .server import serve

    templates = args.templates or default_templates()
    if not args.content.is_dir():
        raise UsageError(f"cartella dei contenuti non trovata: {args.content}")

    def rebuild() -> list[ContentError]:
        return build(args.content, args.out, templates=templates, today=args.today).warnings

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        serve(
            args.content,
            args.out,
            templates=templates,
            host=args.host,
            port=args.port,
            reload=args.reload,
            build=rebuild,
            log=log,
        )
    except OSError as exc:
        raise UsageError(
            f"non riesco a servire su {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    return OK


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_entry

    path = new_entry(args.content, args.kind, args.title)
    print(f"Creato {path}: completa i campi e verifica con 'carta check'.", file=sys.stderr)
    print(path)
    return OK


def cmd_search(args: argparse.Namespace) -> int:
    from .pipeline import build
    from .search.engine import Engine, SearchIndexError

    index = args.out / "_search" / "index.json"
    if not index.is_file():
        print(
            f"Nessun indice in {args.out}: costruisco il sito da {args.content}…", file=sys.stderr
        )
        try:
            build(args.content, args.out)
        except ContentErrors as exc:
            report(exc.problems)
            return CONTENT_ERRORS
    try:
        engine = Engine(args.out)
    except SearchIndexError as exc:
        raise UsageError(str(exc)) from None
    filters = {
        "area": args.area,
        "destinatari": args.destinatari,
        "comune": args.comune,
        "tipo": args.tipo,
    }
    facet = {"area": "aree", "destinatari": "destinatari", "comune": "comuni"}
    for name, value in filters.items():
        if value is not None and name in facet and value not in engine.labels[facet[name]]:
            from .validate import suggestion

            known = engine.labels[facet[name]]
            raise UsageError(
                f"--{name} {value!r} sconosciuto{suggestion(value, known)}: valori ammessi {', '.join(known)}"
            )
    chosen = {k: v for k, v in filters.items() if v is not None}
    if args.gratuito:
        chosen["gratuito"] = "1"
    result = engine.search(args.query, filters=chosen, limit=max(1, min(args.limit, 100)))
    if args.json:
        from .search.html import api_json

        json.dump(api_json(result), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return OK
    import html
    import re

    from .search.html import count_text

    count = count_text(result.total)
    print(f"{count} per «{result.query}»" if result.query else count)
    if result.message:
        print(result.message)
    guidance = result.guidance
    first = bool(guidance and (guidance["urgent"] or not result.results))
    if guidance and first:
        _print_guidance(guidance)
    if result.suggestion:
        print(f"Forse cercavi: {result.suggestion}")
    for n, hit in enumerate(result.results, 1):
        print(f"{n:2}. {hit.titolo} [{hit.tipo}] {hit.url}")
        text = re.sub(r"<[^>]+>", "", hit.snippet) if hit.snippet else hit.sommario
        print(f"    {html.unescape(text)}")
    if guidance and not first:
        _print_guidance(guidance)
    return OK


def _print_guidance(guidance: dict[str, Any]) -> None:
    print(guidance["text"])
    for link in guidance["links"]:
        print(f"  - {link['titolo']}: {link['url']}")


def cmd_report(args: argparse.Namespace) -> int:
    from .pipeline import check, default_today
    from .report import build_report, render_text

    today = args.today or default_today()
    site, problems = check(args.content, today=today)
    if site is None:
        report(problems)
        print("Correggi prima gli errori: il rapporto si fa su contenuti validi.", file=sys.stderr)
        return CONTENT_ERRORS
    result = build_report(site, today)
    if args.format == "json":
        json.dump(result.as_json(), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result, site))
    return OK


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    if args.serve:
        from .loadbench import run_load

        if args.clients < 1 or args.seconds <= 0:
            raise UsageError("--clients e --seconds: servono numeri positivi")
        run_load(args.out, clients=args.clients, seconds=args.seconds, log=lambda s: print(s))
        return OK

    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        raise UsageError(f"--sizes non valido: {args.sizes!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise UsageError("--sizes: servono numeri positivi")
    run_bench(sizes, queries=args.queries, log=lambda line: print(line, flush=True))
    return OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import dumps

    sys.stdout.write(dumps(args.kind))
    return OK


def cmd_budget(args: argparse.Namespace) -> int:
    from .budget import report, site_weights

    if not (args.out / "index.html").is_file():
        raise UsageError(f"nessun sito costruito in {args.out}: esegui prima 'carta build'")
    weights = site_weights(args.out)
    print(report(weights))
    over = [line for w in weights for line in w.over()]
    for line in over:
        print(f"oltre il limite: {line}", file=sys.stderr)
    return CONTENT_ERRORS if over else OK


COMMANDS = {
    "build": cmd_build,
    "check": cmd_check,
    "serve": cmd_serve,
    "new": cmd_new,
    "schema": cmd_schema,
    "search": cmd_search,
    "bench": cmd_bench,
    "report": cmd_report,
    "budget": cmd_budget,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
