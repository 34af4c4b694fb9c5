"""Serving the site: only files under site/, security headers, and a dev server that never
dies on a bad edit."""

from __future__ import annotations

import json
import re
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from carta.server import SiteApp

from .conftest import wsgi_call
from .test_serving import Served


def call(app: SiteApp, path: str, method: str = "GET") -> tuple[str, dict[str, str], bytes]:
    return wsgi_call(app, path, method=method)


@pytest.fixture
def app(built_mini: Path, tmp_path: Path) -> SiteApp:
    (tmp_path / "secret.txt").write_text("segreto")
    return SiteApp(built_mini)


def test_serves_pages_with_security_headers(app: SiteApp) -> None:
    status, headers, body = call(app, "/servizi/assistenza-domiciliare/")
    assert status == "200 OK"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert b">Assistenza domiciliare</h1>" in body
    assert call(app, "/static/carta.css")[1]["Content-Type"] == "text/css; charset=utf-8"


def test_folder_without_slash_redirects(app: SiteApp) -> None:
    status, headers, _ = call(app, "/servizi/assistenza-domiciliare")
    assert status.startswith("301") and headers["Location"] == "/servizi/assistenza-domiciliare/"


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/servizi/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/static/..\\..\\secret.txt",
        "/%00",
        "/.hidden",
        "/" + "a" * 5000,
        "/etc/passwd",
    ],
)
def test_hostile_paths_get_404_not_files_outside_the_site(app: SiteApp, path: str) -> None:
    status, _, body = call(app, path)
    assert status == "404 Not Found"
    assert b"segreto" not in body


def test_symlink_out_of_the_site_is_not_followed(built_mini: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_mini, site)
    (tmp_path / "secret.txt").write_text("segreto")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    status, _, body = call(SiteApp(site), "/link.txt")
    assert status == "404 Not Found" and b"segreto" not in body


def test_only_get_and_head(app: SiteApp) -> None:
    assert call(app, "/", "POST")[0].startswith("405")
    status, headers, body = call(app, "/", "HEAD")
    assert status == "200 OK" and body == b"" and int(headers["Content-Length"]) > 0


def test_build_problems_are_shown_on_every_page(app: SiteApp) -> None:
    app.set_problems(["content/servizi/x.md:3:1: stato: valore 'attiva' non ammesso"])
    _, _, body = call(app, "/")
    assert (
        b"La costruzione del sito non" in body and b"valore &#x27;attiva&#x27; non ammesso" in body
    )
    app.set_problems([])
    assert b"errori-build" not in call(app, "/")[2]


# --- the live development server ---------------------------------------------------------


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.read().decode("utf-8")


def wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[str, Path, Served]]:
    """`carta serve` on a port it picks itself (no race for a free port)."""
    from .test_serving import start_serve

    served = start_serve(tmp_path)
    try:
        assert wait_for(lambda: "Assistenza domiciliare" in fetch(served.base + "/servizi/")), (
            "server did not start"
        )
        yield served.base, tmp_path / "content", served
    finally:
        served.stop(signal.SIGTERM)


def listen_for_reloads(base: str) -> list[str]:
    """Connect to the live-reload websocket as livereload.js does; the returned list gets
    the reload messages the server sends."""
    import asyncio
    import json
    import threading

    from tornado.websocket import websocket_connect

    reloads: list[str] = []
    ready = threading.Event()

    async def listen() -> None:
        ws = await websocket_connect(base.replace("http://", "ws://") + "/livereload")
        hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        await ws.write_message(json.dumps(hello))
        await ws.read_message()
        await ws.write_message(json.dumps({"command": "info", "url": base + "/"}))
        ready.set()
        while (message := await ws.read_message()) is not None:
            if json.loads(message).get("command") == "reload":
                reloads.append(str(message))
                break
        ws.close()

    def run() -> None:
        try:
            asyncio.run(asyncio.wait_for(listen(), 60))
        except (TimeoutError, OSError):
            pass
        finally:
            ready.set()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(10)
    return reloads


def test_dev_server_shows_errors_and_recovers(
    dev_server: tuple[str, Path, Served],
) -> None:
    base, content, served = dev_server
    url = base + "/servizi/sportello-nord/"
    page = fetch(url)
    assert "livereload.js" in page  # the browser is told to reload
    reloads = listen_for_reloads(base)
    path = content / "servizi" / "sportello-nord.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(
        good.replace("stato: attivo", "stato: attiva").replace(
            "Sportello famiglie Nord", "Sportello ROTTO"
        ),
        encoding="utf-8",
    )
    assert wait_for(lambda: "errori-build" in fetch(url)), "the error never reached the page"
    broken = fetch(url)
    assert "stato: valore &#x27;attiva&#x27; non ammesso" in broken
    assert "Sportello famiglie Nord" in broken  # still the last good page
    assert served.proc.poll() is None  # and the server is alive
    path.write_text(
        good.replace("Sportello famiglie Nord", "Sportello famiglie del Nord"), encoding="utf-8"
    )
    assert wait_for(lambda: "Sportello famiglie del Nord" in fetch(url)), (
        "the fixed page never came back"
    )
    assert "errori-build" not in fetch(url)
    assert wait_for(lambda: bool(reloads)), "the browser was never told to reload"
    code, output = served.stop(signal.SIGTERM)
    assert code in (0, 130) and "Traceback" not in output
    assert "La costruzione del sito non è riuscita" in output  # the terminal shows it too
    assert "sportello-nord.md:4:8: stato: valore 'attiva' non ammesso" in output
    # after each build, what it built and how long it took; no progress bars in a log
    done = re.findall(r"^Sito aggiornato in .+/: \d+ file in \d+,\d+ s$", output, re.M)
    assert len(done) >= 2, output  # the first build and the fixed one
    assert "\x1b" not in output


def test_make_app_serves_a_built_site_and_refuses_an_empty_folder(
    built_mini: Path, tmp_path: Path
) -> None:
    from carta.errors import UsageError
    from carta.server import make_app

    assert call(make_app(str(built_mini)), "/")[0] == "200 OK"
    with pytest.raises(UsageError):
        make_app(str(tmp_path))


def test_referral_sheet_is_composed_on_the_server_in_the_chosen_order(app: SiteApp) -> None:
    query = "s=sportello-nord&s=centro-diurno&s=../../etc&s=non-esiste&s=sportello-nord"
    status, _, body = wsgi_call(app, "/foglio/", query)
    html = body.decode("utf-8")
    assert status == "200 OK"
    assert html.count('class="scheda-foglio"') == 2  # bad, unknown and repeated ones dropped
    assert html.index('data-slug="sportello-nord"') < html.index('data-slug="centro-diurno"')
    assert 'id="s-sportello-nord" checked>' in html and 'id="s-assistenza-domiciliare">' in html
    assert "<noscript>" not in html  # composed: no script needed
    many = "&".join(f"s=servizio-{n}" for n in range(500))
    assert wsgi_call(app, "/foglio/", many)[0] == "200 OK"
    assert "Su invio di un altro servizio. Su indicazione del servizio sociale." in html


def test_the_server_sheet_shows_the_data_as_text(built_mini: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_mini, site)
    data_file = site / "servizi" / "centro-diurno" / "scheda.json"
    data = json.loads(data_file.read_text(encoding="utf-8"))
    data["titolo"] = '<img src=x onerror="alert(1)">Centro'
    data["righe"] = [["Come si accede", "<script>alert(2)</script>"]]
    data_file.write_text(json.dumps(data), encoding="utf-8")
    html = wsgi_call(SiteApp(site), "/foglio/", "s=centro-diurno")[2].decode("utf-8")
    assert '<h2>&lt;img src=x onerror="alert(1)"&gt;Centro</h2>' in html
    assert "<dd>&lt;script&gt;alert(2)&lt;/script&gt;</dd>" in html
