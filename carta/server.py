"""Serving the built site: a small WSGI app, waitress to run it, and the live-reload
development server.

:class:`SiteApp` serves only files under the site folder (no traversal, no symlinks out,
no directory listings), with security headers on every response. Paths are decoded once
(the HTTP server's percent-decoding, nothing more), and a redirect only ever points to a
path of this site, built from the normalised path segments. During ``carta serve`` it also
shows the errors of the last failed build at the top of every page, while the last good site
keeps being served.

The site folder is resolved on every request, so replicas that serve a symlink (``current``
→ ``releases/N``) follow an atomic switch of the link: new requests read the new build, and
the search index is reopened when the folder or its manifest changes.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from .errors import ContentError, ContentErrors, UsageError
from .i18n import LANGUAGES, SOURCE
from .render import CSP as PAGE_CSP

StartResponse = Callable[..., Any]

SERVER_NAME = "carta"  # the Server header: no product or Python version
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    # the pages' own policy (a <meta>), plus what only a header can say
    ("Content-Security-Policy", PAGE_CSP + "; frame-ancestors 'none'"),
]
# the live-reload script is injected inline and talks to the server over a websocket
DEV_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".atom": "application/atom+xml; charset=utf-8",
}
MAX_PATH = 2048
CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")  # control characters and backslashes
META_CSP = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', re.IGNORECASE)
MAX_QUERY_STRING = 4096
PAGE_SIZE = 20
MAX_PAGE = 500
#: the paths the search answers, under ``/`` and under ``/<lang>/`` for another language
SEARCH_PATHS = ("/cerca/", "/cerca/index.html", "/api/cerca", "/api/cerca/")
OTHER_LANGUAGES = frozenset(code for code in LANGUAGES if code != SOURCE)
#: the referral sheet, which the server composes from ``?s=…``, under ``/`` and ``/<lang>/``
SHEET_PATHS = ("/foglio/", "/foglio/index.html")
MAX_SHEET = 20
# what editors write beside a file they save (see editor_temp_file)
EDITOR_TEMP = re.compile(r"^[.~]|(~|\.swp|\.swx|\.swo|\.tmp|\.bak)$|^\d+$")


class SiteApp:
    """WSGI application serving the files of ``root``."""

    def __init__(self, root: Path, *, dev: bool = False):
        self.site = root.absolute()  # may be a symlink that a deployment switches atomically
        self.dev = dev
        self._lock = threading.Lock()
        self._problems: list[str] = []
        # language ("" for Italian) → the search engine and the stamp of the index it opened
        self._engines: dict[str, Any] = {}
        self._engine_stamps: dict[str, tuple[str, int, int]] = {}

    @property
    def root(self) -> Path:
        """The site folder as it is now (the target of the symlink, if it is one)."""
        return self.site.resolve()

    # -- build state, for the dev server --
    def set_problems(self, lines: list[str]) -> None:
        with self._lock:
            self._problems = list(lines)

    @property
    def problems(self) -> list[str]:
        with self._lock:
            return list(self._problems)

    # -- WSGI --
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            return self._respond(environ, start_response, method)
        except Exception:  # never a traceback to the client, always the headers
            print(traceback.format_exc(), file=environ.get("wsgi.errors") or sys.stderr)
            body = b"<!doctype html><title>500</title><h1>Errore del server</h1>"
            return self._send(
                start_response,
                "500 Internal Server Error",
                body,
                TYPES[".html"],
                method,
                exc_info=sys.exc_info(),
            )

    def _respond(
        self, environ: dict[str, Any], start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        if method not in ("GET", "HEAD"):
            return self._send(
                start_response,
                "405 Method Not Allowed",
                b"",
                "text/plain",
                method,
                [("Allow", "GET, HEAD")],
            )
        raw_path = environ.get("PATH_INFO", "/") or "/"
        parts = url_parts(raw_path)
        if parts is None:
            return self._not_found(start_response, method)
        path = "/" + "/".join(parts) + ("/" if parts and raw_path.endswith("/") else "")
        if path in SEARCH_PATHS:
            return self._search(path, environ, start_response, method)
        lang, _, rest = path[1:].partition("/")
        if lang in OTHER_LANGUAGES and f"/{rest}" in SEARCH_PATHS:
            return self._search(f"/{rest}", environ, start_response, method, lang)
        if environ.get("QUERY_STRING"):
            if path in SHEET_PATHS:
                return self._sheet(environ, start_response, method)
            if lang in OTHER_LANGUAGES and f"/{rest}" in SHEET_PATHS:
                return self._sheet(environ, start_response, method, lang)
        target = self._find(parts)
        if target is None:
            return self._not_found(start_response, method, parts[0] if parts else "")
        if target.is_dir():
            if not raw_path.endswith("/"):
                return self._send(
                    start_response,
                    "301 Moved Permanently",
                    b"",
                    "text/plain",
                    method,
                    [("Location", site_location(parts, environ.get("QUERY_STRING", "")))],
                )
            target = target / "index.html"
        try:
            body = target.read_bytes()
        except OSError:  # a folder without index.html, or a build switched under our feet
            return self._not_found(start_response, method, parts[0] if parts else "")
        kind = (
            TYPES.get(target.suffix)
            or mimetypes.guess_type(target.name)[0]
            or "application/octet-stream"
        )
        if kind.startswith("text/html"):
            body = self._decorate(body)
        return self._send(start_response, "200 OK", body, kind, method)

    # -- search --
    def engine(self, lang: str = "") -> Any:
        """The search engine over the index the last build wrote (reopened after a rebuild),
        or ``None`` when there is no usable index; with ``lang``, over the index of that
        language (``_search/<lang>/``)."""
        from .search.engine import Engine, SearchIndexError

        root = self.root
        manifest = (
            root / "_search" / lang / "index.json" if lang else root / "_search" / "index.json"
        )
        try:
            info = manifest.stat()
        except OSError:
            return None
        stamp = (str(root), info.st_mtime_ns, info.st_ino)
        with self._lock:
            if stamp != self._engine_stamps.get(lang):
                # the previous engine is not closed here: a request in another thread may still
                # be using it; it closes its files when it is collected
                try:
                    self._engines[lang] = Engine(root, lang or None)
                except (SearchIndexError, OSError, ValueError):
                    self._engines[lang] = None
                self._engine_stamps[lang] = stamp
            return self._engines[lang]

    def _search(
        self,
        path: str,
        environ: dict[str, Any],
        start_response: StartResponse,
        method: str,
        lang: str = "",
    ) -> Iterable[bytes]:
        import json

        from .search.html import api_json, fill_page, form_html, results_html

        params = _query_params(environ.get("QUERY_STRING", ""))
        query = params.get("q", "")
        page = _int(params.get("pagina"), 1, 1, MAX_PAGE)
        engine = self.engine(lang)
        if path.startswith("/api/"):
            if engine is None:
                body = json.dumps({"error": "indice di ricerca non disponibile"}).encode()
                return self._send(
                    start_response, "503 Service Unavailable", body, TYPES[".json"], method
                )
            limit = _int(params.get("limit"), PAGE_SIZE, 1, 100)
            offset = _int(params.get("offset"), 0, 0, 100_000)
            result = engine.search(query, filters=params, limit=limit, offset=offset)
            body = json.dumps(api_json(result), ensure_ascii=False, allow_nan=False).encode()
            return self._send(start_response, "200 OK", body, TYPES[".json"], method)
        page_file = (
            self.root / lang / "cerca" / "index.html"
            if lang
            else self.root / "cerca" / "index.html"
        )
        if not page_file.is_file():
            return self._not_found(start_response, method)
        html_text = page_file.read_text(encoding="utf-8")
        if engine is not None and (query or set(params) - {"q", "pagina"}):
            result = engine.search(
                query, filters=params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, counts=True
            )
            html_text = fill_page(
                html_text,
                form_html(
                    engine.labels,
                    result.query,
                    result.filters,
                    result.facets,
                    engine.prefix,
                    lang=lang or "it",
                ),
                results_html(
                    result, engine.labels, page, PAGE_SIZE, engine.prefix, lang=lang or "it"
                ),
            )
        body = self._decorate(html_text.encode("utf-8"))
        return self._send(start_response, "200 OK", body, TYPES[".html"], method)

    # -- the referral sheet --
    def _sheet(
        self, environ: dict[str, Any], start_response: StartResponse, method: str, lang: str = ""
    ) -> Iterable[bytes]:
        """``/foglio/?s=a&s=b``: the sheet composed on the server, so it needs no script; with
        ``lang``, ``/<lang>/foglio/?s=…`` from the page and the sheet data of that language
        (``/<lang>/servizi/<slug>/scheda.json``). Unknown, malformed and repeated services are
        left out, and what cannot be read."""
        import json

        from .loader import SLUG_RE
        from .render import SHEET_FILE, sheet_html
        from .search.html import replace_between

        folder = f"/{lang}" if lang else ""
        page_file = self.root / lang / "foglio" / "index.html"
        if not page_file.is_file():
            return self._not_found(start_response, method, lang)
        chosen: list[str] = []
        for name, value in _query_pairs(environ.get("QUERY_STRING", "")):
            if (
                name == "s"
                and SLUG_RE.match(value)
                and value not in chosen
                and len(chosen) < MAX_SHEET
            ):
                chosen.append(value)
        html_text = page_file.read_text(encoding="utf-8")
        parts = []
        for slug in chosen:
            data = self.resolve(f"{folder}/servizi/{slug}/{SHEET_FILE}")
            if data is None or not data.is_file():
                continue
            try:
                parts.append(sheet_html(json.loads(data.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # a file switched under our feet, or not the data of a sheet
            html_text = html_text.replace(f'id="s-{slug}">', f'id="s-{slug}" checked>', 1)
        start, end = "<!--carta:foglio-->", "<!--/carta:foglio-->"
        html_text = replace_between(html_text, start, end, start + "".join(parts) + end)
        if parts:
            html_text = replace_between(
                html_text, "<!--carta:senza-js-->", "<!--/carta:senza-js-->", ""
            )
        body = self._decorate(html_text.encode("utf-8"))
        return self._send(start_response, "200 OK", body, TYPES[".html"], method)

    def resolve(self, url_path: str) -> Path | None:
        """The file or folder under the site folder that ``url_path`` (a decoded
        ``PATH_INFO``) names, or ``None``."""
        parts = url_parts(url_path)
        return None if parts is None else self._find(parts)

    def _find(self, parts: list[str]) -> Path | None:
        root = self.root
        try:
            real = root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if real != root and root not in real.parents:
            return None
        return real

    def _not_found(
        self, start_response: StartResponse, method: str, folder: str = ""
    ) -> Iterable[bytes]:
        """The site's 404 page; under ``/<lang>/``, the 404 page of that language."""
        page = self.root / "404.html"
        if folder in OTHER_LANGUAGES and (self.root / folder / "404.html").is_file():
            page = self.root / folder / "404.html"
        try:
            body = self._decorate(page.read_bytes())
        except OSError:
            body = (
                self._decorate(
                    b"<!doctype html><html lang=it><head><meta charset=utf-8><title>Errore</title></head><body><h1>Il sito non \xc3\xa8 stato costruito</h1></body></html>"
                )
                if self.problems
                else b"<!doctype html><title>404</title><h1>Pagina non trovata</h1>"
            )
        return self._send(start_response, "404 Not Found", body, TYPES[".html"], method)

    def _decorate(self, body: bytes) -> bytes:
        if self.dev:  # the pages' own CSP would block the live-reload script: DEV_CSP replaces it
            body = META_CSP.sub(b"", body, count=1)
        problems = self.problems
        if not problems:
            return body
        items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems[:200])
        more = f"<p>… e altri {len(problems) - 200}.</p>" if len(problems) > 200 else ""
        banner = (
            '<div class="errori-build" role="alert" id="errori-build">'
            "<h2>La costruzione del sito non è riuscita</h2>"
            "<p>Vedi qui sotto gli errori da correggere. Finché non li correggi, il sito mostra "
            "l'ultima versione costruita senza errori.</p>"
            f"<ul>{items}</ul>{more}</div>"
        ).encode()
        marker = b'<main id="contenuto" tabindex="-1">'
        if marker in body:
            return body.replace(marker, marker + banner, 1)
        index = body.find(b"<body")
        if index >= 0:
            close = body.find(b">", index) + 1
            return body[:close] + banner + body[close:]
        return banner + body

    def _send(
        self,
        start_response: StartResponse,
        status: str,
        body: bytes,
        kind: str,
        method: str,
        extra: list[tuple[str, str]] | None = None,
        exc_info: Any = None,
    ) -> Iterable[bytes]:
        headers = [("Content-Type", kind), ("Content-Length", str(len(body)))]
        headers.extend(security_headers(dev=self.dev))
        if self.dev:
            headers.append(("Cache-Control", "no-store"))
        headers.extend(extra or [])
        if exc_info is None:
            start_response(status, headers)
        else:
            start_response(status, headers, exc_info)
        return [b""] if method == "HEAD" else [body]


def security_headers(*, dev: bool = False) -> list[tuple[str, str]]:
    """The headers every response carries (the dev server's CSP lets the live-reload
    script in)."""
    return [
        (name, DEV_CSP if dev and name == "Content-Security-Policy" else value)
        for name, value in SECURITY_HEADERS
    ]


HEADERS_FILE = "_headers"


def write_headers_file(site: Path) -> None:
    """``_headers``, which Netlify and Cloudflare Pages read: the security headers on every
    path, and an hour of cache for ``/static/`` (pages revalidate by those hosts' default)."""
    lines = [
        "# Written by carta build: the headers of every response (Netlify, Cloudflare Pages).",
        "/*",
        *(f"  {name}: {value}" for name, value in SECURITY_HEADERS),
        "/static/*",
        "  Cache-Control: public, max-age=3600",
    ]
    (site / HEADERS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def url_parts(path_info: str) -> list[str] | None:
    """The segments of a request path, or ``None`` when it cannot name a file of the site.

    ``path_info`` is ``PATH_INFO``, which the HTTP server has already percent-decoded once
    (as latin-1 text, per PEP 3333): it is never decoded again, so ``%252f`` stays the
    literal ``%2f``. Its bytes must be UTF-8 (an overlong ``%c0%af`` is not); control
    characters, NUL and backslashes are refused; empty and ``.`` segments are dropped and
    ``..`` goes up, never above the site; hidden names (``.git``) are refused.
    """
    if len(path_info) > MAX_PATH:
        return None
    try:
        path = path_info.encode("latin-1").decode("utf-8")
    except UnicodeEncodeError:  # already text, from an in-process caller
        path = path_info
    except UnicodeDecodeError:
        return None
    if CONTROL.search(path):
        return None
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        if part.startswith("."):
            return None
        parts.append(part)
    return parts


def site_location(parts: list[str], query: str = "") -> str:
    """A redirect target on this site: one leading slash, every segment percent-encoded, so it
    can never read as ``//host`` or a scheme, whatever the request held."""
    location = "/" + "".join(quote(p, safe="") + "/" for p in parts)
    if query and len(query) <= MAX_QUERY_STRING:
        location += "?" + quote(query, safe="=&;+,:@!$'()*%")
    return location


def _query_pairs(query_string: str) -> list[tuple[str, str]]:
    """The parameters of a query string; anything oversized or malformed is ignored."""
    try:
        return parse_qsl(query_string[:MAX_QUERY_STRING], keep_blank_values=True, max_num_fields=40)
    except ValueError:
        return []


def _query_params(query_string: str) -> dict[str, str]:
    """The first value of each parameter."""
    params: dict[str, str] = {}
    for key, value in _query_pairs(query_string):
        params.setdefault(key, value)
    return params


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        number = default
    return max(low, min(high, number))


def make_app(site: str | None = None) -> SiteApp:
    """WSGI entry point for production servers: serves ``site`` (or ``$CARTA_SITE``, or
    ``site/``), e.g. ``waitress-serve --call 'carta.server:make_app'``."""
    import os

    root = Path(site or os.environ.get("CARTA_SITE") or "site")
    if not (root / "index.html").is_file():
        raise UsageError(f"nessun sito costruito in {root}: esegui prima 'carta build'")
    return SiteApp(root)


def describe_failure(exc: BaseException) -> list[str]:
    """Lines that explain a failed build, for the page and the terminal."""
    if isinstance(exc, ContentErrors):
        return [str(p) for p in exc.problems if p.severity == "error"] or [
            str(p) for p in exc.problems
        ]
    if isinstance(exc, UsageError):
        return [str(exc)]
    tail = traceback.format_exception_only(type(exc), exc)
    return [
        "Errore imprevisto durante la costruzione del sito (probabilmente nei modelli):",
        *[t.strip() for t in tail],
    ]


# waitress, for `carta serve --no-reload` and for deployment (the README gives the same
# settings as `waitress-serve` options; a test keeps the two in step)
WAITRESS_SETTINGS: dict[str, Any] = {
    "threads": 8,  # one slow or idle client never holds up the others
    "connection_limit": 200,
    "channel_timeout": 30,  # idle connections are closed after 30 s
    "max_request_header_size": 16384,  # request line (path and query) and headers
    "max_request_body_size": 65536,  # GET and HEAD only: nothing big is ever uploaded
    "ident": SERVER_NAME,  # the Server header
    "asyncore_use_poll": True,  # no select() limit on open connections
}
# the dev server's HTTP limits, the same in spirit
DEV_LIMITS: dict[str, Any] = {
    "max_header_size": 16384,
    "max_body_size": 65536,
    "idle_connection_timeout": 30,
    "body_timeout": 30,
}


def waitress_server(app: Any, host: str, port: int, **settings: Any) -> Any:
    """A waitress server for ``app`` on ``host:port`` (``0``: any free port), not yet running;
    its own error responses (400, 413, 431…) carry the security headers too."""
    from waitress.channel import HTTPChannel
    from waitress.server import BaseWSGIServer, create_server
    from waitress.task import ErrorTask

    class HeadedErrorTask(ErrorTask):
        def execute(self) -> None:
            self.response_headers = [*self.response_headers, *security_headers()]
            super().execute()

    class Channel(HTTPChannel):
        error_task_class = HeadedErrorTask

    # a full queue under load is the expected state of a busy server, not a warning per task
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app, host=host, port=port, **{**WAITRESS_SETTINGS, **settings})
    for each in (server, *getattr(server, "map", {}).values()):
        if isinstance(each, BaseWSGIServer):
            each.channel_class = Channel
    return server


def server_address(server: Any) -> tuple[str, int]:
    """Where a waitress server listens (the real port when it was asked for port 0)."""
    if hasattr(server, "effective_port"):
        return str(server.effective_host), int(server.effective_port)
    host, port = server.effective_listen[0]
    return str(host), int(port)


def serve(
    content: Path,
    out_dir: Path,
    *,
    templates: Path,
    host: str,
    port: int,
    reload: bool,
    build: Callable[[Callable[[], None] | None], tuple[list[ContentError], str]],
    log: Callable[[str], None],
) -> None:
    """Build, serve ``out_dir`` and (with ``reload``) rebuild and reload on every change.
    ``build`` returns the warnings and the line that says what it built, logged after it;
    it is given what to call once the edited pages are in place (``published`` of
    :func:`carta.pipeline.build`: the browser reloads then, before the search indexes are
    made), or ``None``.

    Returns when SIGINT (or SIGTERM, which the CLI turns into KeyboardInterrupt) arrives,
    after the server has closed; a request being answered is finished first. A signal during
    the first build raises KeyboardInterrupt (the build removes its staging folder)."""
    app = SiteApp(out_dir, dev=reload)

    def rebuild(published: Callable[[], None] | None = None) -> bool:
        """Build; ``False`` when the build failed (the problems shown on every page)."""
        try:
            warnings, done = build(published)
        except Exception as exc:  # the dev server never dies on a bad edit
            lines = describe_failure(exc)
            app.set_problems(lines)
            log(
                "La costruzione del sito non è riuscita; continuo a servire l'ultima versione buona:"
            )
            for line in lines:
                log("  " + line)
            return False
        app.set_problems([])
        for w in warnings:
            log("  " + str(w))
        log(done)
        return True

    if not reload:
        rebuild()
        server = waitress_server(app, host, port)
        bound_host, bound_port = server_address(server)
        log(f"Servo il sito su http://{_url_host(bound_host)}:{bound_port}/ (Ctrl+C per fermare)")
        server.run()  # returns on KeyboardInterrupt (the CLI maps SIGTERM to it), once closed
        return
    # watching starts before the first build: a save while it runs is built right after it
    watcher = Watcher([content, templates], _ignore_under(out_dir), rebuild)
    try:
        rebuild()
        _serve_dev(app, watcher, host, port, log)
    finally:
        watcher.stop()


def editor_temp_file(name: str) -> bool:
    """Whether ``name`` is one of the files editors write beside the one being saved: swap
    and backup files (``.x.md.swp``, ``x.md~``, ``x.tmp``), Emacs' locks (``.#x.md``), vim's
    write test ``4913``; like the loader, hidden files too."""
    return bool(EDITOR_TEMP.search(name))


class Watcher:
    """Rebuilds on every save, none dropped: inotify (``watchfiles``) reports the changes to
    ``folders``; a build runs for each batch, one at a time, in a thread of its own, and the
    saves that arrive while it runs make one more build once it is over, so the last save is
    always built. After each build, failed or not, ``on_built`` (set by the server: reload
    every browser) is called with what to reload: a stylesheet, or "*" for the page.

    A build that puts the edited pages in place before it makes the search indexes calls
    the ``published`` it is given: the browsers reload then, and not again when the build
    ends (unless it failed, to show why).

    Watching starts when the watcher is made; building starts with :meth:`start`."""

    STEP_MS = 20  # a batch is the changes with no 20 ms pause between them (one editor save)
    DEBOUNCE_MS = 1600  # at most, while changes keep coming

    def __init__(
        self,
        folders: list[Path],
        ignore: Callable[[str], bool],
        rebuild: Callable[[Callable[[], None]], bool | None],
    ) -> None:
        from watchfiles._rust_notify import RustNotify  # watchfiles' documented Rust backend

        self.rebuild = rebuild
        self.on_built: Callable[[str], None] = lambda path: None
        self.builds = 0
        self._ignore = ignore
        self._changed = threading.Condition()
        self._pending: list[str] = []
        self._stop = threading.Event()
        self._folders = list(dict.fromkeys(f.resolve() for f in folders if f.exists()))
        self._notify = RustNotify([str(f) for f in self._folders], False, False, 300, True, False)
        self._watching = threading.Thread(target=self._watch, name="carta-watch", daemon=True)
        self._building = threading.Thread(target=self._build, name="carta-build")
        self._watching.start()

    def start(self) -> None:
        """Build whatever changed since watching started, and from then on every change."""
        self._building.start()

    def changed(self, paths: Iterable[str]) -> None:
        """Queue a batch of changed paths (the ignored ones are dropped)."""
        kept = [p for p in paths if not self._ignored(p)]
        if kept:
            with self._changed:
                self._pending.extend(kept)
                self._changed.notify()

    def _ignored(self, path: str) -> bool:
        """An editor's temporary file, anything in a hidden folder (``.git``, the build's
        ``.carta-staging``) or what ``ignore`` says (the output folder)."""
        p = Path(path)
        for folder in self._folders:
            if p.is_relative_to(folder):
                parts = p.relative_to(folder).parts
                if any(part.startswith(".") for part in parts[:-1]):
                    return True
        return editor_temp_file(p.name) or self._ignore(path)

    def stop(self) -> None:
        """Stop watching; a build that is running is finished first, a queued one is not run."""
        if self._stop.is_set():
            return
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._building.is_alive():
            self._building.join()
        self._watching.join(timeout=5)
        self._notify.close()

    def _watch(self) -> None:
        while not self._stop.is_set():
            changes = self._notify.watch(self.DEBOUNCE_MS, self.STEP_MS, 0, self._stop)
            if isinstance(changes, set):  # otherwise "stop" (or "signal", in the main thread)
                self.changed(sorted(path for _, path in changes))

    def _build(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self._stop.is_set():
                    self._changed.wait()
                if self._stop.is_set():
                    return
                paths, self._pending = self._pending, []
            styles = [p for p in paths if p.endswith(".css")]
            # livereload.js swaps the stylesheets in place for a .css path, reloads otherwise
            target = paths[-1] if len(styles) == len(paths) else "*"
            reloaded: list[bool] = []

            def published(target: str = target, reloaded: list[bool] = reloaded) -> None:
                reloaded.append(True)
                self.on_built(target)

            ok = self.rebuild(published)
            self.builds += 1
            if not reloaded or ok is False:
                self.on_built(target)


def _serve_dev(
    app: SiteApp,
    watcher: Watcher,
    host: str,
    port: int,
    log: Callable[[str], None],
) -> None:
    """livereload's server (for the pages and the browser's reload websocket only: the
    watcher builds), set up here so that it binds port 0, bounds requests, sends the security
    headers and no version on every response, and stops cleanly on a signal."""
    import asyncio

    from livereload import Server
    from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
    from livereload.server import LiveScriptInjector
    from tornado import web
    from tornado.httpserver import HTTPServer
    from tornado.ioloop import IOLoop
    from tornado.netutil import bind_sockets

    server = Server(app=_with_server_header(app))
    LiveReloadHandler.watcher = server.watcher  # for its log line; it watches nothing
    LiveReloadHandler.live_css = True
    script = (  # livereload's loader, for the port the page came from
        b'<script type="text/javascript">(function(){var s=document.createElement("script");'
        b"var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
        b's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
        b"document.head.appendChild(s);})();</script>"
    )

    class Inject(LiveScriptInjector):
        pass

    Inject.script = script

    class Headers(web.OutputTransform):
        """Security headers and a versionless Server header on tornado's own responses
        (livereload.js, the websocket, tornado's errors); SiteApp sets its own."""

        def transform_first_chunk(self, status_code, headers, chunk, finishing):  # type: ignore[no-untyped-def]
            for name, value in security_headers(dev=True):
                headers[name] = value
            headers["Server"] = SERVER_NAME
            return status_code, headers, chunk

    application = web.Application(
        handlers=[
            (r"/livereload", LiveReloadHandler),
            (r"/forcereload", ForceReloadHandler),
            (r"/livereload.js", LiveReloadJSHandler),
            *server.get_web_handlers(script),
        ],
        transforms=[Inject, Headers],
    )
    loop = IOLoop.current()
    sockets = bind_sockets(port, address=host)
    http = HTTPServer(application, **DEV_LIMITS)
    http.add_sockets(sockets)
    bound_port = sockets[0].getsockname()[1]
    # after every build, from the build's thread: every browser reloads, on tornado's loop
    watcher.on_built = lambda path: loop.add_callback(LiveReloadHandler.reload_waiters, path)
    watcher.start()
    log(
        f"Servo il sito su http://{_url_host(host)}:{bound_port}/ e lo ricostruisco a ogni "
        "modifica (Ctrl+C per fermare)"
    )
    aio = asyncio.get_event_loop()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:  # stop between two callbacks: a request is finished first
        aio.add_signal_handler(sig, loop.stop)
    try:
        loop.start()
    finally:
        http.stop()
        for sig, handler in previous.items():
            aio.remove_signal_handler(sig)
            signal.signal(sig, handler)
        watcher.stop()  # a running build is finished first
        loop.close(all_fds=True)


def _with_server_header(app: SiteApp) -> Callable[..., Iterable[bytes]]:
    """``app`` with a versionless Server header (waitress sets its own from ``ident``)."""

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, ("Server", SERVER_NAME)], exc_info)

        return app(environ, start)

    return wrapped


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _ignore_under(folder: Path) -> Callable[[str], bool]:
    root = folder.resolve()

    def ignore(path: str) -> bool:
        p = Path(path).resolve()
        return root == p or root in p.parents

    return ignore
