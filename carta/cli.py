"""The command line: the only module that prints or chooses an exit code.

Exit codes: 0 ok, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import gettext
import json
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, overload

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .pipeline import BuildResult

from . import __version__
from .errors import ContentError, ContentErrors, UsageError

_N = TypeVar("_N")

OK, CONTENT_ERRORS, USAGE = 0, 1, 2
INTERRUPTED = 130  # 128 + SIGINT, as shells report it


#: argparse's own words (its gettext messages), in Italian
ARGPARSE_IT = {
    "usage: ": "uso: ",
    "positional arguments": "argomenti",
    "options": "opzioni",
    "show this help message and exit": "mostra questo aiuto ed esce",
    "%(prog)s: error: %(message)s\n": "%(prog)s: errore: %(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opzione ambigua: %(option)s può essere %(matches)s"
    ),
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "expected one argument": "manca il valore",
    "expected at least one argument": "serve almeno un valore",
    "expected at most one argument": "al massimo un valore",
    "ignored explicit argument %r": "valore non previsto: %r",
    "invalid %(type)s value: %(value)r": "valore non valido: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "valore non ammesso: %(value)r (scegli tra %(choices)s)"
    ),
    "not allowed with argument %s": "non si può usare insieme a %s",
    "one of the arguments %s is required": "serve uno di questi argomenti: %s",
    "the following arguments are required: %s": "argomenti obbligatori mancanti: %s",
    "unrecognized arguments: %s": "argomenti non riconosciuti: %s",
    "can't open '%(filename)s': %(error)s": "non riesco ad aprire '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "comando sconosciuto %(parser_name)r (comandi: %(choices)s)"
    ),
    "unexpected option string: %s": "opzione inattesa: %s",
}
ARGPARSE_IT_PLURAL = {
    "expected %s argument": ("serve %s valore", "servono %s valori"),
}


class ItalianArgparse(gettext.NullTranslations):
    """The catalogue above as a gettext translation; a message it lacks stays as it is (the
    test of the Italian command line finds it)."""

    def gettext(self, message: str) -> str:
        return ARGPARSE_IT.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        one, many = ARGPARSE_IT_PLURAL.get(msgid1, (msgid1, msgid2))
        return one if n == 1 else many


_ITALIAN = ItalianArgparse()


@contextmanager
def italian_argparse() -> Iterator[None]:
    """argparse translates its words with the module's ``_`` and ``ngettext`` (the gettext
    functions of the default domain, which follow the user's locale): for the length of the
    block they are the Italian catalogue's."""
    names = vars(argparse)
    saved = names["_"], names["ngettext"]
    names["_"], names["ngettext"] = _ITALIAN.gettext, _ITALIAN.ngettext
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved


class Parser(argparse.ArgumentParser):
    """An argparse parser that speaks Italian: built, parsing and printing help under
    :func:`italian_argparse`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with italian_argparse():
            super().__init__(*args, **kwargs)

    @overload
    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: None = None
    ) -> tuple[argparse.Namespace, list[str]]: ...
    @overload
    def parse_known_args(
        self, args: Iterable[str] | None, namespace: _N
    ) -> tuple[_N, list[str]]: ...
    @overload
    def parse_known_args(self, *, namespace: _N) -> tuple[_N, list[str]]: ...

    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        with italian_argparse():
            return super().parse_known_args(args, namespace)

    @overload
    def parse_args(
        self, args: Iterable[str] | None = None, namespace: None = None
    ) -> argparse.Namespace: ...
    @overload
    def parse_args(self, args: Iterable[str] | None, namespace: _N) -> _N: ...
    @overload
    def parse_args(self, *, namespace: _N) -> _N: ...

    def parse_args(self, args: Iterable[str] | None = None, namespace: Any = None) -> Any:
        with italian_argparse():  # its own error, for words it does not know, too
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with italian_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with italian_argparse():
            return super().format_help()

    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors: keep that
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"carta: errore: {message}\n")


def _iso_day(value: str) -> date:
    from .model import parse_day

    try:
        return parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"serve un numero intero positivo, non {value!r}")
    return number


def make_parser() -> Parser:
    from .kinds import KINDS
    from .parallel import default_jobs
    from .scaffold import NEW_KINDS
    from .schema import schema_kinds

    parser = Parser(
        prog="carta",
        description="Costruisce la Carta d'Ambito: un sito statico di servizi, enti e iniziative.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"carta {__version__}",
        help="mostra la versione ed esce",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMANDO", parser_class=Parser)

    def content_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--content",
            type=Path,
            default=Path("content"),
            metavar="CARTELLA",
            help="cartella dei contenuti (predefinito: content)",
        )

    def site_option(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument(
            "--out",
            type=Path,
            default=Path("site"),
            metavar="CARTELLA",
            help=f"{what} (predefinito: site)",
        )

    def out_options(p: argparse.ArgumentParser) -> None:
        site_option(p, "cartella di uscita")
        p.add_argument(
            "--templates",
            type=Path,
            default=None,
            metavar="CARTELLA",
            help="cartella dei modelli (predefinito: templates del progetto)",
        )

    def today_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--today",
            type=_iso_day,
            default=None,
            metavar="AAAA-MM-GG",
            help="data della costruzione, per gli avvisi sull'età delle informazioni "
            "(predefinito: CARTA_TODAY oppure oggi)",
        )

    def jobs_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--jobs",
            type=_positive,
            default=None,
            metavar="N",
            help="processi che costruiscono insieme (predefinito: tutti i core, "
            f"{default_jobs()} qui)",
        )

    p = sub.add_parser("build", help="controlla i contenuti e costruisce il sito")
    content_options(p)
    out_options(p)
    today_option(p)
    jobs_option(p)
    p.add_argument("--strict", action="store_true", help="tratta gli avvisi come errori")
    p.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="indirizzo pubblico del sito (https://…), al posto di url_base di carta.yaml",
    )
    p.add_argument(
        "--clean",
        action="store_true",
        help="ricostruisce tutto, anche ciò che non è cambiato dall'ultima costruzione",
    )

    p = sub.add_parser("check", help="controlla i contenuti e segnala tutti i problemi")
    content_options(p)
    today_option(p)
    p.add_argument("--strict", action="store_true", help="tratta gli avvisi come errori")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="formato (predefinito: text)"
    )

    p = sub.add_parser("serve", help="costruisce e serve il sito, ricostruendolo a ogni modifica")
    content_options(p)
    out_options(p)
    today_option(p)
    jobs_option(p)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="INDIRIZZO",
        help="indirizzo su cui rispondere (predefinito: 127.0.0.1)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=8000,
        metavar="PORTA",
        help="porta; 0 ne sceglie una libera (predefinito: 8000)",
    )
    p.add_argument(
        "--no-reload", dest="reload", action="store_false", help="senza ricostruzione automatica"
    )

    p = sub.add_parser("new", help="crea lo scheletro di una nuova scheda o di una traduzione")
    p.add_argument("kind", choices=list(KINDS), metavar="|".join(NEW_KINDS))
    p.add_argument("title", metavar="TITOLO", help="il titolo; con --lingua, il nome della scheda")
    p.add_argument(
        "--lingua",
        default=None,
        metavar="LINGUA",
        help="crea la traduzione in questa lingua (en, fr, ar) della scheda TITOLO",
    )
    content_options(p)

    p = sub.add_parser("search", help="cerca servizi, enti e iniziative nell'indice del sito")
    p.add_argument("query", metavar="DOMANDA", help="le parole da cercare, tra virgolette")
    p.add_argument("--area", default=None, metavar="ID", help="solo quest'area (id di aree.yaml)")
    p.add_argument(
        "--destinatari", default=None, metavar="ID", help="solo per questi destinatari (id)"
    )
    p.add_argument(
        "--comune",
        default=None,
        metavar="ID",
        help="solo ciò che è disponibile in questo comune (id)",
    )
    p.add_argument(
        "--tipo",
        choices=tuple(KINDS),
        default=None,
        help="solo schede di questo tipo",
    )
    p.add_argument("--gratuito", action="store_true", help="solo servizi gratuiti")
    p.add_argument(
        "--limit",
        type=int,
        default=10,
        metavar="N",
        help="quanti risultati (1-100, predefinito 10)",
    )
    p.add_argument("--json", action="store_true", help="risultato in JSON")
    p.add_argument(
        "--lang",
        "--lingua",
        dest="lang",
        default=None,
        choices=("en", "fr", "ar"),
        help="cerca nelle pagine di questa lingua (una di 'lingue' in carta.yaml)",
    )
    content_options(p)
    site_option(p, "sito con l'indice")

    p = sub.add_parser("report", help="schede da ricontrollare, incomplete, isolate; copertura")
    content_options(p)
    today_option(p)
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="formato (predefinito: text)"
    )

    p = sub.add_parser("bench", help="misura indice e ricerca su contenuti sintetici")
    p.add_argument(
        "--sizes",
        default="1000,10000",
        metavar="NUMERI",
        help="numeri di schede, separati da virgole",
    )
    p.add_argument("--queries", type=int, default=200, metavar="N", help="quante ricerche misurare")
    p.add_argument(
        "--serve",
        action="store_true",
        help="misura invece il server (waitress) su 127.0.0.1 con client concorrenti",
    )
    site_option(p, "con --serve: il sito")
    p.add_argument(
        "--clients", type=int, default=32, metavar="N", help="con --serve: client (predefinito 32)"
    )
    p.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        metavar="SECONDI",
        help="con --serve: durata (predefinito 10)",
    )
    p.add_argument(
        "--build",
        action="store_true",
        help="misura anche la costruzione: per fasi, memoria, ricostruzioni dopo una modifica",
    )
    p.add_argument(
        "--saves",
        type=int,
        default=5,
        metavar="N",
        help="con --build: salvataggi misurati per tipo di modifica (predefinito 5)",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        metavar="CARTELLA",
        help="con --build: misura questa cartella di contenuti invece di quelli sintetici",
    )

    p = sub.add_parser("budget", help="pesa le pagine costruite (gzip) e le confronta con i limiti")
    site_option(p, "cartella del sito")

    p = sub.add_parser("schema", help="stampa lo JSON Schema del modello dei contenuti")
    p.add_argument(
        "--kind",
        choices=tuple(schema_kinds()),
        default=None,
        help="solo lo schema di questo tipo (predefinito: tutti)",
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


class StageBars:
    """A build's progress on a terminal: a line per stage with its counts (``rich``). Says
    nothing when ``stream`` is not a terminal, so logs, pipes and tests get only the lines
    the commands print. ``transient``: the lines go once the build is over (``serve``)."""

    def __init__(self, stream: TextIO, *, transient: bool = False) -> None:
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if not stream.isatty():
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=stream, force_terminal=True),
            transient=transient,
        )

    def __call__(self, stage: str, done: int, total: int) -> None:
        """A :data:`carta.pipeline.Progress`: ``stage`` has done ``done`` of ``total``."""
        if self._progress is None:
            return
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(stage, total=total or None)
        self._progress.update(task, completed=done, total=total or None)

    def __enter__(self) -> StageBars:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            if exc is not None:  # the errors say what happened: no half-done bars above them
                self._progress.live.transient = True
            self._progress.stop()


def seconds_it(seconds: float) -> str:
    """``2.13`` → ``2,1 s``, ``0.213`` → ``0,21 s``: Italian decimal comma."""
    return f"{seconds:.{2 if seconds < 1 else 1}f} s".replace(".", ",")


def built_line(verb: str, out: Path, result: BuildResult, seconds: float) -> str:
    """``Sito costruito in site/: 156 file in 2,1 s``."""
    return f"Sito {verb} in {out}/: {result.pages} file in {seconds_it(seconds)}"


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build

    start = time.perf_counter()
    try:
        with StageBars(sys.stderr) as bars:
            result = build(
                args.content,
                args.out,
                templates=args.templates,
                strict=args.strict,
                today=args.today,
                progress=bars,
                base_url=args.base_url,
                clean=args.clean,
                jobs=args.jobs,
            )
    except ContentErrors as exc:
        report(exc.problems)
        print(f"Sito non costruito: {args.out} non è stato modificato.", file=sys.stderr)
        return CONTENT_ERRORS
    report(result.warnings)
    for notice in result.notices:
        print(f"Nota: {notice}.", file=sys.stderr)
    verb = "aggiornato" if result.incremental else "costruito"  # only what changed, or all
    print(built_line(verb, args.out, result, time.perf_counter() - start), file=sys.stderr)
    return OK


def cmd_check(args: argparse.Namespace) -> int:
    from .kinds import KINDS
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
                plural(len(site.entries_of(k.name)), k.singular, k.plural) for k in KINDS.values()
            )
            translated = Counter(lang for e in site.all_entries() for lang in e.translations)
            if translated:
                counts += "; traduzioni: " + ", ".join(
                    f"{lang} {translated[lang]}"
                    for lang in site.config.lingue
                    if lang in translated
                )
            print(f"Contenuti corretti: {counts}.", file=sys.stderr)
    return OK if site is not None else CONTENT_ERRORS


def cmd_serve(args: argparse.Namespace) -> int:
    from .markup import Renderer
    from .pipeline import build
    from .render import default_templates
    from .server import serve

    templates = args.templates or default_templates()
    if not args.content.is_dir():
        raise UsageError(f"cartella dei contenuti non trovata: {args.content}")

    renderer = Renderer()  # kept from build to build: an edit converts only what changed

    def rebuild(published: Callable[[], None] | None) -> tuple[list[ContentError], str]:
        start = time.perf_counter()
        with StageBars(sys.stderr, transient=True) as bars:
            result = build(
                args.content,
                args.out,
                templates=templates,
                today=args.today,
                progress=bars,
                jobs=args.jobs,
                renderer=renderer,
                published=published,
            )
        return result.warnings, built_line(
            "aggiornato", args.out, result, time.perf_counter() - start
        )

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
    from .scaffold import new_entry, new_translation

    if args.lingua:
        path = new_translation(args.content, args.kind, args.title, args.lingua)
    else:
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
        engine = Engine(args.out, args.lang)
    except SearchIndexError as exc:
        if args.lang:
            raise UsageError(
                f"{exc} (la Carta è pubblicata in {args.lang!r}? vedi 'lingue' in carta.yaml)"
            ) from None
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

    from .i18n import gettext
    from .search.html import count_text

    lang = args.lang or "it"
    count = count_text(result.total, lang)
    if result.query:
        count = gettext(lang, "{count} per «{query}»").format(count=count, query=result.query)
    print(count)
    if result.message:
        print(result.message)
    guidance = result.guidance
    first = bool(guidance and (guidance["urgent"] or not result.results))
    if guidance and first:
        _print_guidance(guidance)
    if result.suggestion:
        print(f"{gettext(lang, 'Forse cercavi:')} {result.suggestion}")
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
    if args.saves < 1:
        raise UsageError("--saves: serve un numero positivo")
    if args.corpus is not None and not args.corpus.is_dir():
        raise UsageError(f"--corpus: cartella non trovata: {args.corpus}")
    if args.build:
        from .bench import run_build_bench

        run_build_bench(
            sizes,
            queries=args.queries,
            saves=args.saves,
            content=args.corpus,
            log=lambda line: print(line, flush=True),
        )
        return OK
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
