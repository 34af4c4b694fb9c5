"""Hostile requests and real traffic, on both servers: the WSGI app in-process, and
`carta serve` (waitress with --no-reload, the live-reload server without) on a port the
server chose itself (--port 0), so no test races another for a port."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

import pytest

from carta.server import SiteApp

from .conftest import FIXTURES, ROOT, TODAY, wsgi_call

SECRET = "segreto-fuori-dal-sito"
HOSTILE = [
    b"//evil.example",
    b"//evil.example/",
    b"///evil.example/aree",
    b"//evil.example/..//aree",
    b"//evil.example/%2e%2e/aree",
    b"/%2fevil.example",
    b"/%2f%2fevil.example",
    b"/%2fevil.example/..%2faree",
    b"/%2Fevil.example/..%2Faree",
    b"/%2F%2fevil.example/..%2Faree/..%2Faree",
    b"/\\evil.example",
    b"/\\\\evil.example/aree",
    b"/%5cevil.example",
    b"/%5C%5cevil.example/..%2faree",
    b"/%252fevil.example/..%252faree",
    b"/%25252f%25252fevil.example/..%25252faree",
    b"/.%2e/aree",
    b"/%2e%2e/%2e%2e/aree",
    b"/aree/..%2f..%2f..%2fsecret.txt",
    b"/aree%00",
    b"/%00//evil.example",
    b"/aree%00/..",
    b"/%c0%af%c0%afevil.example/..%c0%afaree",
    b"/%c0%ae%c0%ae/secret.txt",
    b"/%e2%88%95%e2%88%95evil.example/..%e2%88%95aree",  # U+2215 division slash
    b"/%ef%bc%8f%ef%bc%8fevil.example",  # U+FF0F fullwidth solidus
    "/\u2215\u2215evil.example/aree".encode(),  # raw UTF-8 in the request line
    b"/%09/evil.example",
    b"/%0d%0aLocation:%20http://evil.example/",
    b"/aree?%0d%0aSet-Cookie:%20x=1",
    b"/aree?next=//evil.example",
    b"/aree?x=%5c%5cevil.example",
    b"http://evil.example/aree",
    b"/@evil.example/..%2faree",
    b"/aree;/evil.example",
    b"/aree/.",
    b"/aree" + b"/." * 1500,
    b"/" + b"/" * 3000 + b"evil.example/..%2faree",
    b"/" + b"a" * 9000,
    b"/" + b"a" * 40000,  # over the server's request-line limit
    b"/aree?" + b"q=x&" * 2000,
]


def as_path_info(target: bytes) -> tuple[str, str]:
    """PATH_INFO and QUERY_STRING as a PEP 3333 server makes them: decoded once, latin-1."""
    if target.startswith(b"http://"):
        target = b"/" + target.split(b"/", 3)[3]
    path, _, query = target.partition(b"?")
    return unquote_to_bytes(path).decode("latin-1"), query.decode("latin-1")


def assert_stays_on_site(base: str, status: int, headers: list[tuple[str, str]], body: bytes):  # type: ignore[no-untyped-def]
    assert status < 500, status
    names = {name.lower(): value for name, value in headers}
    assert names.get("x-content-type-options") == "nosniff"
    assert "frame-ancestors 'none'" in names.get("content-security-policy", "")
    assert names.get("x-frame-options") == "DENY"
    assert names.get("referrer-policy") == "same-origin"
    assert not re.search(r"\d", names.get("server", "")), names.get("server")
    for name, value in headers:
        if name.lower() == "location":
            assert value.startswith("/") and not value.startswith("//"), value
            assert "\\" not in value and "\r" not in value and "\n" not in value, value
            assert urlsplit(urljoin(base + "/x/y", value)).netloc == urlsplit(base).netloc
    assert SECRET.encode() not in body


@pytest.fixture(scope="module")
def site_with_secret(tmp_path_factory: pytest.TempPathFactory, built_mini: Path) -> Path:
    root = tmp_path_factory.mktemp("secret")
    shutil.copytree(built_mini, root / "site")
    (root / "secret.txt").write_text(SECRET)
    return root / "site"


@pytest.mark.parametrize("target", HOSTILE, ids=lambda t: t[:40].decode("latin-1"))
def test_no_request_leaves_the_site_in_process(site_with_secret: Path, target: bytes) -> None:
    path, query = as_path_info(target)
    status, headers, body = wsgi_call(SiteApp(site_with_secret), path, query)
    assert_stays_on_site("http://carta.test", int(status[:3]), list(headers.items()), body)


def test_a_folder_redirect_keeps_to_one_normalised_path(site_with_secret: Path) -> None:
    app = SiteApp(site_with_secret)
    for path in ("/aree", "//aree", "/%2faree", "/./aree", "/x/../aree", "/aree/."):
        status, headers, _ = wsgi_call(app, unquote_to_bytes(path).decode("latin-1"))
        assert (status, headers["Location"]) == ("301 Moved Permanently", "/aree/"), path
    assert wsgi_call(app, "/aree", "q=1")[1]["Location"] == "/aree/?q=1"


def test_an_unexpected_error_is_a_500_with_the_headers_and_no_traceback(
    site_with_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SiteApp(site_with_secret)

    def broken(*args: object) -> None:
        raise RuntimeError("guasto interno")

    monkeypatch.setattr(app, "_decorate", broken)
    status, headers, body = wsgi_call(app, "/")
    assert status == "500 Internal Server Error"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert b"guasto" not in body and b"Traceback" not in body


# --- the real servers ----------------------------------------------------------------------


class Served:
    def __init__(self, proc: subprocess.Popen[bytes], log: Path, port: int) -> None:
        self.proc, self.log, self.port = proc, log, port
        self.name = "live-reload" if "--no-reload" not in proc.args else "waitress"  # type: ignore[operator]
        self.base = f"http://127.0.0.1:{port}"

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = -999
        return code, self.log.read_text(encoding="utf-8", errors="replace")


def start_serve(tmp: Path, *options: str) -> Served:
    """`python -m carta serve --port 0 …` on a copy of the mini site; the port is the one the
    server prints once it listens."""
    content = tmp / "content"
    if not content.exists():
        shutil.copytree(FIXTURES / "mini", content)
    (tmp / "secret.txt").write_text(SECRET)
    log = tmp / f"serve-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "carta", "serve", "--content", str(content)]
            + ["--out", str(tmp / "site"), "--port", "0", *options],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp,
            env={**os.environ, "CARTA_TODAY": TODAY, "PYTHONPATH": str(ROOT)},
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text(errors="replace"))
        if found:
            return Served(proc, log, int(found.group(1)))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the server did not start: " + log.read_text(errors="replace"))


def raw_request(
    port: int, target: bytes, timeout: float = 10, method: bytes = b"GET"
) -> tuple[int, list, bytes]:  # type: ignore[type-arg]
    """Send ``GET target`` as is (no client-side normalising) and read the whole answer.
    Status 0: the server closed the connection without answering."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            while chunk := sock.recv(65536):
                data += chunk
                if b"\r\n\r\n" in data and _complete(data):
                    break
        except (ConnectionResetError, BrokenPipeError):  # refused mid-request: keep what came
            pass
    if not data:
        return 0, [], b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:]]
    return int(lines[0].split()[1]), headers, body


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return length is not None and len(body) >= int(length.group(1))


@pytest.fixture(scope="module", params=["waitress", "live-reload"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    options = ["--no-reload"] if request.param == "waitress" else []
    server = start_serve(tmp_path_factory.mktemp(request.param), *options)
    yield server
    code, log = server.stop()
    assert code in (0, 130) and "Traceback" not in log, log


def test_no_request_leaves_the_site_on_the_real_servers(served: Served) -> None:
    for target in HOSTILE:
        status, headers, body = raw_request(served.port, target)
        if status == 0:  # the server dropped an oversized request: nothing to redirect
            assert len(target) > 16384, target[:60]
            continue
        if status == 400 and not headers and not body:
            # tornado's bare answer to a request it cannot parse (dev server only): a status
            # line and nothing else, so nothing to redirect, frame or sniff
            assert served.name == "live-reload"
            continue
        try:
            assert_stays_on_site(served.base, status, headers, body)
        except AssertionError as exc:
            raise AssertionError(f"{target[:60]!r}: {status} {headers}") from exc


def test_every_response_has_the_headers_and_no_version(served: Served) -> None:
    for target in (b"/", b"/non-esiste/", b"/static/carta.css", b"/api/cerca?q=casa"):
        status, headers, body = raw_request(served.port, target)
        assert status in (200, 404)
        assert_stays_on_site(served.base, status, headers, body)
    status, headers, body = raw_request(served.port, b"/livereload.js")  # tornado's own
    assert status == (200 if served.name == "live-reload" else 404)
    assert_stays_on_site(served.base, status, headers, body)
    for method in (b"POST", b"FOO"):
        status, headers, body = raw_request(served.port, b"/", method=method)
        assert status in (405, 501), method
        assert_stays_on_site(served.base, status, headers, body)
    big = b"/?" + b"x" * 20000  # over the request-line limit: the server's own error page
    status, headers, body = raw_request(served.port, big)
    if status:
        assert 400 <= status < 500
        assert not re.search(r"\d", dict(headers).get("Server", ""))


def test_a_folder_without_slash_redirects_on_the_real_servers(served: Served) -> None:
    status, headers, _ = raw_request(served.port, b"/%2fevil.example/..%2faree")
    assert (status, dict(headers)["Location"]) == (301, "/aree/")
