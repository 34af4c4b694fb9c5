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
from collections.abc import Callable, Iterator
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


class Browser:
    """A browser on ``url`` as livereload.js drives it: connected to the reload websocket,
    and fetching the page again at each reload. ``pages`` gets the page it got each time."""

    def __init__(self, base: str, url: str) -> None:
        import asyncio
        import threading

        self.pages: list[str] = []
        self.paths: list[str] = []
        ready = threading.Event()

        async def listen() -> None:
            from tornado.websocket import websocket_connect

            ws = await websocket_connect(base.replace("http://", "ws://") + "/livereload")
            hello = {
                "command": "hello",
                "protocols": ["http://livereload.com/protocols/official-7"],
            }
            await ws.write_message(json.dumps(hello))
            await ws.read_message()
            await ws.write_message(json.dumps({"command": "info", "url": url}))
            ready.set()
            while (message := await ws.read_message()) is not None:
                data = json.loads(message)
                if data.get("command") == "reload":
                    self.paths.append(data["path"])
                    self.pages.append(fetch(url))

        def run() -> None:
            try:
                asyncio.run(asyncio.wait_for(listen(), 90))
            except (TimeoutError, OSError):
                pass
            finally:
                ready.set()

        threading.Thread(target=run, daemon=True).start()
        assert ready.wait(10)
        time.sleep(0.2)  # the server has read the "info" message: this browser gets reloads


class DiskWatch:
    """Reads a built page every 2 ms and keeps each version it saw."""

    def __init__(self, page: Path) -> None:
        import threading

        self.versions: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(page,), daemon=True)
        self._thread.start()

    def _run(self, page: Path) -> None:
        while not self._stop.is_set():
            try:
                text = page.read_text(encoding="utf-8")
            except OSError:
                text = ""
            if text and (not self.versions or self.versions[-1] != text):
                self.versions.append(text)
            time.sleep(0.002)

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join()
        return self.versions


def builds(served: Served) -> int:
    """How many builds the server has logged (the first one included)."""
    log = served.log.read_text(encoding="utf-8", errors="replace")
    return len(re.findall(r"^(Sito aggiornato in |La costruzione del sito non)", log, re.M))


def settle(served: Served, quiet: float = 1.5, timeout: float = 30) -> int:
    """Wait until no build has been logged for ``quiet`` seconds; the number of builds."""
    deadline = time.monotonic() + timeout
    count, since = builds(served), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.05)
        if builds(served) != count:
            count, since = builds(served), time.monotonic()
    return count


def test_dev_server_shows_errors_and_recovers(
    dev_server: tuple[str, Path, Served],
) -> None:
    base, content, served = dev_server
    url = base + "/servizi/sportello-nord/"
    page = fetch(url)
    assert "livereload.js" in page  # the browser is told to reload
    browser = Browser(base, url)
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
    # the failed build reloaded the browser too: it shows the errors
    assert wait_for(lambda: any("errori-build" in p for p in browser.pages))
    path.write_text(
        good.replace("Sportello famiglie Nord", "Sportello famiglie del Nord"), encoding="utf-8"
    )
    assert wait_for(lambda: "Sportello famiglie del Nord" in fetch(url)), (
        "the fixed page never came back"
    )
    assert "errori-build" not in fetch(url)
    # and the fix reloaded it to the fixed page
    assert wait_for(lambda: "Sportello famiglie del Nord" in browser.pages[-1])
    assert "errori-build" not in browser.pages[-1]
    code, output = served.stop(signal.SIGTERM)
    assert code in (0, 130) and "Traceback" not in output
    assert "La costruzione del sito non è riuscita" in output  # the terminal shows it too
    assert "sportello-nord.md:4:8: stato: valore 'attiva' non ammesso" in output
    # after each build, what it built and how long it took; no progress bars in a log
    done = re.findall(r"^Sito aggiornato in .+/: \d+ file in \d+,\d+ s$", output, re.M)
    assert len(done) >= 2, output  # the first build and the fixed one
    assert "\x1b" not in output


def test_two_quick_saves_both_reach_the_page_and_the_browser_shows_the_second(
    dev_server: tuple[str, Path, Served],
) -> None:
    base, content, served = dev_server
    url = base + "/servizi/sportello-nord/"
    path = content / "servizi" / "sportello-nord.md"
    good = path.read_text(encoding="utf-8")
    browser = Browser(base, url)
    disk = DiskWatch(served.log.parent / "site" / "servizi" / "sportello-nord" / "index.html")
    path.write_text(good.replace("Sportello famiglie Nord", "Sportello Primo"), encoding="utf-8")
    time.sleep(0.2)
    path.write_text(good.replace("Sportello famiglie Nord", "Sportello Secondo"), encoding="utf-8")
    assert wait_for(lambda: bool(browser.pages) and "Sportello Secondo" in browser.pages[-1]), (
        "the browser was never reloaded to the second save"
    )
    settle(served)
    versions = disk.stop()
    assert any("Sportello Primo" in v for v in versions), "the first save never reached the disk"
    assert "Sportello Secondo" in versions[-1]
    assert "Sportello Secondo" in browser.pages[-1]  # what the browser was last reloaded to
    assert set(browser.paths) == {"*"}  # a page reload, not a stylesheet swap
    assert "Ignore" not in served.log.read_text(encoding="utf-8")


def test_a_save_during_a_build_makes_exactly_one_more_build(
    dev_server: tuple[str, Path, Served],
) -> None:
    base, content, served = dev_server
    staging = served.log.parent / ".carta-staging"
    before = settle(served)
    path = content / "servizi" / "sportello-nord.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("Sportello famiglie Nord", "Sportello Uno"), encoding="utf-8")
    deadline = time.monotonic() + 10
    while not (staging.is_dir() and any(staging.iterdir())):  # the build is writing
        assert time.monotonic() < deadline, "no build started"
        time.sleep(0.001)
    path.write_text(good.replace("Sportello famiglie Nord", "Sportello Due"), encoding="utf-8")
    assert settle(served) == before + 2, served.log.read_text(encoding="utf-8")
    assert "Sportello Due" in fetch(base + "/servizi/sportello-nord/")


def test_editor_swap_and_backup_files_build_nothing(
    dev_server: tuple[str, Path, Served],
) -> None:
    base, content, served = dev_server
    browser = Browser(base, base + "/")
    before = settle(served)
    folder = content / "servizi"
    for name in [".sportello-nord.md.swp", "sportello-nord.md~", ".#sportello-nord.md", "x.tmp"]:
        (folder / name).write_text("bozza", encoding="utf-8")
    (folder / "4913").write_text("")  # vim checks it may write in the folder
    (folder / "4913").unlink()
    time.sleep(1.0)
    assert settle(served, quiet=0.5) == before and browser.pages == []
    (folder / ".sportello-nord.md.swp").unlink()  # the editor closes; a real save builds
    (folder / "centro-diurno.md").touch()
    assert wait_for(lambda: builds(served) == before + 1 and len(browser.pages) == 1)


def test_watcher_builds_a_save_made_during_a_build_once_and_ignores_swap_files(
    tmp_path: Path,
) -> None:
    """The watcher without the server: three saves while a build runs make one more build,
    which sees the last of them; a reload follows every build."""
    import threading

    from carta.server import Watcher, editor_temp_file

    assert editor_temp_file(".x.md.swp") and editor_temp_file("4913")
    assert editor_temp_file("x.md~") and editor_temp_file(".#x.md")
    assert not editor_temp_file("_scheda_breve.html") and not editor_temp_file("x.md")
    content, templates = tmp_path / "content", tmp_path / "templates"
    content.mkdir()
    templates.mkdir()
    entry = content / "x.md"
    entry.write_text("zero")
    started, release = threading.Event(), threading.Event()
    seen: list[str] = []
    reloads: list[str] = []

    def rebuild(published: Callable[[], None]) -> None:
        seen.append(entry.read_text())
        started.set()
        assert release.wait(10)

    watcher = Watcher([content, templates], lambda path: False, rebuild)
    watcher.on_built = reloads.append
    watcher.start()
    try:
        entry.write_text("uno")
        assert started.wait(5), "the save was not seen"
        for text in ["due", "tre", "quattro"]:  # three batches while the build runs
            time.sleep(0.15)
            entry.write_text(text)
        time.sleep(0.3)
        (content / ".x.md.swp").write_text("bozza")
        (content / ".git").mkdir()
        (content / ".git" / "index").write_text("git")
        release.set()
        assert wait_for(lambda: len(reloads) == 2, 5)
        time.sleep(0.5)
        assert seen == ["uno", "quattro"] and watcher.builds == 2 and reloads == ["*", "*"]
        (templates / "carta.css").write_text("body {}")
        assert wait_for(lambda: reloads[-1:] == [str((templates / "carta.css").resolve())], 5)
    finally:
        release.set()
        watcher.stop()


def test_a_build_that_publishes_its_pages_first_reloads_once_then(tmp_path: Path) -> None:
    """The browser reloads when the edited pages are in place (``published``), not again when
    the search indexes are done; but again when the build fails after, to show the error."""
    import threading

    from carta.server import Watcher

    content = tmp_path / "content"
    content.mkdir()
    entry = content / "x.md"
    entry.write_text("zero")
    reloads: list[str] = []
    at_publish: list[int] = []
    outcomes = iter([True, False])
    done = threading.Event()

    def rebuild(published: Callable[[], None]) -> bool:
        published()
        at_publish.append(len(reloads))
        ok = next(outcomes)
        done.set()
        return ok

    watcher = Watcher([content], lambda path: False, rebuild)
    watcher.on_built = reloads.append
    watcher.start()
    try:
        entry.write_text("uno")
        assert done.wait(5), "the save was not seen"
        assert wait_for(lambda: watcher.builds == 1, 5)
        time.sleep(0.3)
        assert reloads == ["*"] and at_publish == [1]  # reloaded at publish, and only then
        done.clear()
        entry.write_text("due")
        assert done.wait(5)
        assert wait_for(lambda: len(reloads) == 3, 5)  # at publish, and after the failure
    finally:
        watcher.stop()


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
