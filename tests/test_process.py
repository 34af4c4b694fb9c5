"""The process: `python -m carta`, signals at any moment of `build` and `serve`, staging
folders in one place and never left behind, a deployment that switches a symlink."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from carta.pipeline import build
from carta.server import SiteApp

from .conftest import FIXTURES, ROOT, TODAY, wsgi_call
from .test_serving import Served, start_serve

STAGING = ".carta-staging"  # documented in the README
ENV = {**os.environ, "CARTA_TODAY": TODAY, "PYTHONPATH": str(ROOT)}


def run_carta(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carta", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=60,
    )


def test_python_dash_m_carta_works_like_carta(tmp_path: Path) -> None:
    result = run_carta("check", "--content", str(FIXTURES / "mini"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Contenuti corretti" in result.stderr
    assert run_carta("nessun-comando", cwd=tmp_path).returncode == 2


def interrupt_while_building(
    tmp_path: Path, args: list[str], sig: int, delay: float
) -> tuple[int, str, str]:
    """Run ``python -m carta ARGS`` (a build of the real Carta, which takes a while) and send
    ``sig`` ``delay`` seconds after the build started writing (its staging folder appeared):
    at a known stage whatever the machine's speed. Returns (exit code, stdout, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "carta", *args, "--content", str(ROOT / "content")]
        + ["--out", str(tmp_path / "site")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=ENV,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / STAGING).exists() and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(delay)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    assert "Traceback" not in stderr + stdout
    # no staging left (the manifest of a finished build may be beside the site)
    assert [p.name for p in tmp_path.iterdir() if p.name not in ("site", ".carta-cache")] == []
    return proc.returncode, stdout, stderr


@pytest.mark.parametrize(
    ("sig", "delay"),
    [(signal.SIGINT, 0.0), (signal.SIGINT, 0.15), (signal.SIGINT, 0.4), (signal.SIGTERM, 0.1)],
    ids=["SIGINT-0.0", "SIGINT-0.15", "SIGINT-0.4", "SIGTERM-0.1"],
)
def test_build_stops_cleanly_at_any_moment(tmp_path: Path, sig: int, delay: float) -> None:
    code, _, stderr = interrupt_while_building(tmp_path, ["build"], sig, delay)
    assert code in (0, 130), stderr
    if code == 130:
        assert "interrotto" in stderr
        assert not (tmp_path / "site").exists()  # nothing half-built where the site goes


@pytest.mark.parametrize("mode", ["waitress", "live-reload"])
def test_serve_stops_cleanly_during_its_first_build(tmp_path: Path, mode: str) -> None:
    options = ["--port", "0"] + (["--no-reload"] if mode == "waitress" else [])
    code, _, stderr = interrupt_while_building(tmp_path, ["serve", *options], signal.SIGINT, 0)
    assert code in (0, 130), stderr


def hammer(base: str, stop: threading.Event, answered: list[int]) -> None:
    """Keep requests in flight (pages and searches) until told to stop or refused."""
    paths = ["/", "/cerca/?q=assistenza+anziani", "/api/cerca?q=casa", "/servizi/", "/non-esiste"]
    n = 0
    while not stop.is_set():
        try:
            with urllib.request.urlopen(base + paths[n % len(paths)], timeout=5) as r:
                r.read()
            answered.append(1)
        except urllib.error.HTTPError:
            answered.append(1)
        except OSError:
            return
        n += 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("mode", ["waitress", "live-reload"])
def test_serve_stops_cleanly_mid_request(tmp_path: Path, sig: int, mode: str) -> None:
    served = start_serve(tmp_path, *(["--no-reload"] if mode == "waitress" else []))
    stop, answered = threading.Event(), []  # type: ignore[var-annotated]
    clients = [
        threading.Thread(target=hammer, args=(served.base, stop, answered)) for _ in range(6)
    ]
    for client in clients:
        client.start()
    try:
        deadline = time.monotonic() + 10
        while len(answered) < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(answered) >= 20, "the server did not answer"
        code, log = served.stop(sig)  # requests are in flight right now
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=10)
        if served.proc.poll() is None:  # the test failed before stopping it: leave nothing
            served.proc.kill()
            served.proc.wait()
    assert code in (0, 130), log
    assert "Traceback" not in log and "Exception" not in log, log
    with pytest.raises(OSError):  # and it is really gone
        socket.create_connection(("127.0.0.1", served.port), timeout=1).close()


def test_one_idle_connection_does_not_stall_the_others(tmp_path: Path) -> None:
    served: Served = start_serve(tmp_path, "--no-reload")
    try:
        silent = socket.create_connection(("127.0.0.1", served.port))
        partial = socket.create_connection(("127.0.0.1", served.port))
        partial.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
        time.sleep(0.2)
        started = time.monotonic()
        with urllib.request.urlopen(served.base + "/servizi/", timeout=5) as response:
            assert response.status == 200
        assert time.monotonic() - started < 5
        silent.close()
        partial.close()
    finally:
        code, log = served.stop()
    assert code in (0, 130) and "Traceback" not in log, log


def test_stale_staging_folders_are_removed_by_the_next_build(tmp_path: Path) -> None:
    today = date.fromisoformat(TODAY)
    out = tmp_path / "site"
    staging = tmp_path / STAGING
    staging.mkdir()
    killed = staging / "site-new-4194999-abc123"  # its build was SIGKILLed: no such process
    killed.mkdir()
    (killed / "index.html").write_text("mezzo sito")
    retired = staging / "site-old-4194999-def456"
    retired.mkdir()
    legacy = tmp_path / ".site-new-x1y2z3"  # where builds used to stage, beside the site
    legacy.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = staging / f"site-new-{sleeper.pid}-ghi789"  # a build still running: kept
        running.mkdir()
        other = staging / "site-bologna-new-4194999-jkl012"  # another site's: not ours to judge
        other.mkdir()
        build(FIXTURES / "mini", out, today=today)
        assert sorted(p.name for p in staging.iterdir()) == sorted([running.name, other.name])
        assert not legacy.exists()
        assert (out / "index.html").is_file()
        build(FIXTURES / "mini", out, today=today)  # a rebuild leaves nothing of its own
        assert sorted(p.name for p in staging.iterdir()) == sorted([running.name, other.name])
    finally:
        sleeper.kill()
        sleeper.wait()


def test_replicas_follow_an_atomic_switch_of_the_site_symlink(tmp_path: Path) -> None:
    """Deploy by building into releases/N and pointing `current` at it: a running app serves
    the new build from the next request on, search index included."""
    today = date.fromisoformat(TODAY)
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    build(content, tmp_path / "releases" / "1", today=today)
    entry = content / "servizi" / "sportello-nord.md"
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("Sportello famiglie Nord", "Sportello Zefiro"),
        encoding="utf-8",
    )
    build(content, tmp_path / "releases" / "2", today=today)
    current = tmp_path / "current"
    current.symlink_to(tmp_path / "releases" / "1")
    app = SiteApp(current)

    def page() -> str:
        return wsgi_call(app, "/servizi/sportello-nord/")[2].decode("utf-8")

    def found(word: str) -> bool:
        return "sportello-nord" in wsgi_call(app, "/api/cerca", f"q={word}")[2].decode("utf-8")

    assert "Sportello famiglie Nord" in page() and not found("zefiro")
    switch = tmp_path / "current.new"
    switch.symlink_to(tmp_path / "releases" / "2")
    os.replace(switch, current)  # atomic
    assert "Sportello Zefiro" in page()
    assert found("zefiro")
    shutil.rmtree(tmp_path / "releases" / "1")  # the old build can go once switched
    assert wsgi_call(app, "/")[0] == "200 OK"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stops_cleanly_during_a_rebuild(tmp_path: Path, sig: int) -> None:
    """A signal while a save is being built: the build is finished (no staging folder left,
    the site whole), the watcher and the server stop, the process exits."""
    shutil.copytree(ROOT / "content", tmp_path / "content")  # the real Carta: a longer build
    served = start_serve(tmp_path)
    try:
        entry = tmp_path / "content" / "servizi" / "affido-familiare.md"
        entry.write_text(entry.read_text(encoding="utf-8") + "\nUna riga in più.\n")
        deadline = time.monotonic() + 20
        staging = tmp_path / STAGING
        while not (staging.is_dir() and any(staging.iterdir())):  # the rebuild is writing
            assert time.monotonic() < deadline, "no rebuild started"
            time.sleep(0.002)
        code, log = served.stop(sig)
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait()
    assert code in (0, 130), log
    assert "Traceback" not in log and "Exception" not in log, log
    assert not staging.exists() or list(staging.iterdir()) == []
    page = tmp_path / "site" / "servizi" / "affido-familiare" / "index.html"
    assert "Una riga in più." in page.read_text(encoding="utf-8")  # finished, not cut short
    assert log.count("Sito aggiornato in ") == 2, log
