"""Headless Chromium (Debian's, driven by Playwright) against the site served on loopback.

Skips with a visible reason where Chromium or Playwright is missing; fails instead when
``CARTA_REQUIRE_BROWSER=1`` (set by ``.ci/run``)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from carta.server import SiteApp

from ..conftest import unavailable

CHROMIUM = os.environ.get("CARTA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).is_file():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve_folder(site: Path) -> tuple[str, WSGIServer]:
    server = make_server("127.0.0.1", 0, SiteApp(site), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture(scope="session")
def mini_url(built_mini: Path) -> Iterator[str]:
    base, server = serve_folder(built_mini)
    yield base
    server.shutdown()
