"""Serving the built site: a small WSGI app, and the live-reload development server.

:class:`SiteApp` serves only files under the site folder (no traversal, no symlinks out,
no directory listings), with security headers. During ``carta serve`` it also shows the
errors of the last failed build at the top of every page, while the last good site keeps
being served.
"""

from __future__ import annotations

import html
import mimetypes
import posixpath
import re
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from .errors import ContentError, ContentErrors, UsageError

StartResponse = Callable[..., Any]

SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    ),
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
META_CSP = re.compile(rb'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', re.IGNORECASE)
MAX_QUERY_STRING = 4096
PAGE_SIZE = 20
MAX_PAGE = 500
MAX_SHEET = 20


class SiteApp:
    """WSGI application serving the files of ``root``."""

    def __init__(self, root: Path, *, dev: bool = False):
        self.root = root.resolve()
        self.dev = dev
        self._lock = threading.Lock()
        self._problems: list[str] = []
        self._engine: Any = None
        self._engine_stamp: tuple[int, int] | None = None

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
        if raw_path in ("/cerca/", "/cerca/index.html", "/api/cerca", "/api/cerca/"):
            return self._search(raw_path, environ, start_response, method)
        if raw_path in ("/foglio/", "/foglio/index.html") and environ.get("QUERY_STRING"):
            return self._sheet(environ, start_response, method)
        target = self.resolve(raw_path)
        if target is None:
            return self._not_found(start_response, method)
        if target.is_dir():
            location = raw_path.rstrip("/") + "/"
            if not raw_path.endswith("/"):
                return self._send(
                    start_response,
                    "301 Moved Permanently",
                    b"",
                    "text/plain",
                    method,
                    [("Location", location)],
                )
            target = target / "index.html"
            if not target.is_file():
                return self._not_found(start_response, method)
        body = target.read_bytes()
        kind = (
            TYPES.get(target.suffix)
            or mimetypes.guess_type(target.name)[0]
            or "application/octet-stream"
        )
        if kind.startswith("text/html"):
            body = self._decorate(body)
        return self._send(start_response, "200 OK", body, kind, method)

    # -- search --
    def engine(self) -> Any:
        """The search engine over the index the last build wrote (reopened after a rebuild),
        or ``None`` when there is no usable index."""
        from .search.engine import Engine, SearchIndexError

        manifest = self.root / "_search" / "index.json"
        try:
            info = manifest.stat()
        except OSError:
            return None
        stamp = (info.st_mtime_ns, info.st_ino)
        with self._lock:
            if stamp != self._engine_stamp:
                if self._engine is not None:
                    self._engine.close()
                try:
                    self._engine = Engine(self.root)
                except (SearchIndexError, OSError, ValueError):
                    self._engine = None
                self._engine_stamp = stamp
            return self._engine

    def _search(
        self, path: str, environ: dict[str, Any], start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        import json

        from .search.html import api_json, fill_page, form_html, results_html

        params = _query_params(environ.get("QUERY_STRING", ""))
        query = params.get("q", "")
        page = _int(params.get("pagina"), 1, 1, MAX_PAGE)
        engine = self.engine()
        if path.startswith("/api/"):
            if engine is None:
                body = json.dumps({"error": "indice di ricerca non disponibile"}).encode()
                return self._send(
                    start_response, "503 Service Unavailable", body, TYPES[".json"], method
                )
            limit = _int(params.get("limit"), PAGE_SIZE, 1, 100)
            offset = _int(params.get("offset"), 0, 0, 100_000)
            result = engine.search(query, filters=params, limit=limit, offset=offset)
            body = json.dumps(api_json(result), ensure_ascii=False).encode()
            return self._send(start_response, "200 OK", body, TYPES[".json"], method)
        page_file = self.root / "cerca" / "index.html"
        if not page_file.is_file():
            return self._not_found(start_response, method)
        html_text = page_file.read_text(encoding="utf-8")
        if engine is not None and (query or set(params) - {"q", "pagina"}):
            result = engine.search(
                query, filters=params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, counts=True
            )
            html_text = fill_page(
                html_text,
                form_html(engine.labels, result.query, result.filters, result.facets),
                results_html(result, engine.labels, page, PAGE_SIZE),
            )
        body = self._decorate(html_text.encode("utf-8"))
        return self._send(start_response, "200 OK", body, TYPES[".html"], method)

    # -- the referral sheet --
    def _sheet(
        self, environ: dict[str, Any], start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        """``/foglio/?s=a&s=b``: the sheet composed on the server, so it needs no script."""
        import json

        from .loader import SLUG_RE
        from .render import SHEET_FILE, sheet_html
        from .search.html import replace_between

        page_file = self.root / "foglio" / "index.html"
        if not page_file.is_file():
            return self._not_found(start_response, method)
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
            data = self.resolve(f"/servizi/{slug}/{SHEET_FILE}")
            if data is not None and data.is_file():
                parts.append(sheet_html(json.loads(data.read_text(encoding="utf-8"))))
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
        """The file or folder under ``root`` that ``url_path`` names, or ``None``."""
        if len(url_path) > MAX_PATH or "\x00" in url_path:
            return None
        path = unquote(url_path)
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in posixpath.normpath("/" + path).split("/") if p]
        if any(p.startswith(".") or p in ("..",) for p in parts):
            return None
        candidate = self.root.joinpath(*parts)
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if real != self.root and self.root not in real.parents:
            return None
        return real

    def _not_found(self, start_response: StartResponse, method: str) -> Iterable[bytes]:
        page = self.root / "404.html"
        if page.is_file():
            body = self._decorate(page.read_bytes())
        elif self.problems:
            body = self._decorate(
                b"<!doctype html><html lang=it><head><meta charset=utf-8><title>Errore</title></head><body><h1>Il sito non \xc3\xa8 stato costruito</h1></body></html>"
            )
        else:
            body = b"<!doctype html><title>404</title><h1>Pagina non trovata</h1>"
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
    ) -> Iterable[bytes]:
        headers = [("Content-Type", kind), ("Content-Length", str(len(body)))]
        for name, value in SECURITY_HEADERS:
            if name == "Content-Security-Policy" and self.dev:
                value = DEV_CSP
            headers.append((name, value))
        if self.dev:
            headers.append(("Cache-Control", "no-store"))
        headers.extend(extra or [])
        start_response(status, headers)
        return [b""] if method == "HEAD" else [body]


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


def serve(
    content: Path,
    out_dir: Path,
    *,
    templates: Path,
    host: str,
    port: int,
    reload: bool,
    build: Callable[[], list[ContentError]],
    log: Callable[[str], None],
) -> None:
    """Build, serve ``out_dir`` and (with ``reload``) rebuild and reload on every change."""
    app = SiteApp(out_dir, dev=reload)

    def rebuild() -> None:
        try:
            warnings = build()
        except Exception as exc:  # the dev server never dies on a bad edit
            lines = describe_failure(exc)
            app.set_problems(lines)
            log(
                "La costruzione del sito non è riuscita; continuo a servire l'ultima versione buona:"
            )
            for line in lines:
                log("  " + line)
            return
        app.set_problems([])
        for w in warnings:
            log("  " + str(w))
        log(f"Sito aggiornato in {out_dir}")

    rebuild()
    if not reload:
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        with make_server(host, port, app, handler_class=QuietHandler) as httpd:
            log(f"Servo il sito su http://{host}:{port}/ (Ctrl+C per fermare)")
            try:
                httpd.serve_forever()
            except KeyboardInterrupt:
                pass
        return

    from livereload import Server

    server = Server(app=app)
    ignore_out = _ignore_under(out_dir)
    server.watch(str(content), rebuild, ignore=ignore_out)
    server.watch(str(templates), rebuild, ignore=ignore_out)
    log(
        f"Servo il sito su http://{host}:{port}/ e lo ricostruisco a ogni modifica (Ctrl+C per fermare)"
    )
    server.serve(host=host, port=port, debug=False, open_url_delay=None, restart_delay=0)


def _ignore_under(folder: Path) -> Callable[[str], bool]:
    root = folder.resolve()

    def ignore(path: str) -> bool:
        p = Path(path).resolve()
        name = p.name
        return root == p or root in p.parents or name.startswith(".") or name.endswith("~")

    return ignore
