"""``carta bench --serve``: a loopback load test.

A built site is served by waitress with the deployment settings (``WAITRESS_SETTINGS``) in a
process of its own, on 127.0.0.1 and a port it picks; 32 clients, each on a keep-alive
connection, ask for a mix of pages (half), ``/api/cerca`` (a quarter) and server-rendered
``/cerca/`` results (a quarter) for 10 seconds. Prints requests per second, p50 and p99
latency and the errors (a status other than 200, or a failed connection). A benchmark prints;
it never fails a test.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .bench import QUERIES


@dataclass
class LoadResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, of the answered requests
    errors: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.1f} s from {self.clients} clients: "
            f"{self.requests / self.seconds:.0f} req/s, p50 {self.percentile(50) * 1000:.1f} ms, "
            f"p99 {self.percentile(99) * 1000:.1f} ms, {self.errors} errors"
        )


def site_paths(site: Path, limit: int = 300) -> list[str]:
    """The URLs of the site's pages (``…/index.html`` as ``…/``), at most ``limit``."""
    paths = []
    for page in sorted(site.rglob("index.html")):
        rel = page.parent.relative_to(site).as_posix()
        if not any(part.startswith(("_", ".")) for part in page.relative_to(site).parts):
            paths.append("/" if rel == "." else f"/{rel}/")
    return paths[:limit]


def request_mix(site: Path, seed: int = 7) -> list[str]:
    """A fixed, shuffled mix: half pages, a quarter API searches, a quarter result pages."""
    pages = site_paths(site)
    searches = [quote(q) for q in QUERIES]
    mix = [pages[n % len(pages)] for n in range(400)]
    mix += [f"/api/cerca?q={searches[n % len(searches)]}" for n in range(200)]
    mix += [f"/cerca/?q={searches[n % len(searches)]}" for n in range(200)]
    random.Random(seed).shuffle(mix)
    return mix


def serve_site(site: str) -> None:
    """Serve ``site`` with waitress on 127.0.0.1 and print the port (run in a subprocess)."""
    from .server import make_app, server_address, waitress_server

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    server = waitress_server(make_app(site), "127.0.0.1", 0)
    print(server_address(server)[1], flush=True)
    server.run()


def _client(
    port: int, paths: list[str], start: int, until: float, result: LoadResult, lock: threading.Lock
) -> None:
    latencies: list[float] = []
    errors = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = start
    while time.monotonic() < until:
        path = paths[n % len(paths)]
        n += 1
        began = time.monotonic()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status == 200:
            latencies.append(time.monotonic() - began)
        else:
            errors += 1
        if response.will_close:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.close()
    with lock:
        result.latencies.extend(latencies)
        result.errors += errors


def run_load(
    site: Path,
    *,
    clients: int = 32,
    seconds: float = 10.0,
    log: Callable[[str], None] = print,
) -> LoadResult:
    """Serve ``site`` with waitress in a subprocess and load it from ``clients`` threads."""
    if not (site / "index.html").is_file():
        from .errors import UsageError

        raise UsageError(f"nessun sito costruito in {site}: esegui prima 'carta build'")
    paths = request_mix(site)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_root(), _pythonpath()]))}
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from carta.loadbench import serve_site; "
         "serve_site(sys.argv[1])", str(site)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        log(
            f"carta bench --serve — waitress on http://127.0.0.1:{port}/ serving {site}; "
            f"{clients} clients for {seconds:.0f} s (pages, /api/cerca, /cerca/)"
        )
        result = LoadResult(clients, seconds)
        lock = threading.Lock()
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=_client, args=(port, paths, n * 25, until, result, lock), daemon=True
            )
            for n in range(clients)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.seconds = time.monotonic() - began
        log("  " + result.summary())
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def _pythonpath() -> str:
    return os.environ.get("PYTHONPATH", "")
