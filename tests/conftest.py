"""Shared fixtures: tiny sites copied into tmp_path, one built site per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    from carta.pipeline import BuildResult

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-23"
# the build date of everything the tests run, session- and module-scoped fixtures and the
# processes they start included (``fixed_today`` below restores it for each test)
os.environ["CARTA_TODAY"] = TODAY


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason`` when a tool (Chromium, Playwright, Java, the HTML checker) is
    missing; fail instead when ``CARTA_REQUIRE_BROWSER=1`` (set by ``.ci/run``)."""
    if os.environ.get("CARTA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"required by CARTA_REQUIRE_BROWSER=1, but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixture sites are checked as of a fixed day, so that they never go stale."""
    monkeypatch.setenv("CARTA_TODAY", TODAY)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A private copy of the small valid site, as ``<tmp>/content``."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", target)
    return target


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The small site built once for the whole session (read-only)."""
    from datetime import date

    from carta.pipeline import build

    root = tmp_path_factory.mktemp("built")
    build(FIXTURES / "mini", root / "site", today=date.fromisoformat(TODAY))
    yield root / "site"


@dataclass(frozen=True)
class Built:
    out: Path
    result: BuildResult


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Built]:
    """A content folder of the repository (the two real Carte, ``content/`` and
    ``examples/bologna-metropolitana/``) built as of :data:`TODAY`, without a base URL, once
    for the whole session: ``shipped(folder).out`` is the site. Read-only: a test that changes
    the output, or builds with other settings, builds its own."""
    from datetime import date

    from carta.pipeline import build

    done: dict[Path, Built] = {}

    def built(content: Path) -> Built:
        content = content.resolve()
        if content not in done:
            assert content.is_relative_to(ROOT) and not content.is_relative_to(FIXTURES)
            out = tmp_path_factory.mktemp(f"shipped-{content.name}") / "site"
            result = build(content, out, today=date.fromisoformat(TODAY))
            done[content] = Built(out, result)
        return done[content]

    return built


@pytest.fixture(scope="session")
def built_mini_with_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The small site built once with a base URL, as for a deployment (it has a sitemap)."""
    from datetime import date

    from carta.pipeline import build

    root = tmp_path_factory.mktemp("built-base")
    build(
        FIXTURES / "mini",
        root / "site",
        today=date.fromisoformat(TODAY),
        base_url="https://carta.esempio-di-prova.it/",
    )
    yield root / "site"


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a content file with ``new``; ``old`` must be there, so that
    a test never passes on an edit that did not happen."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def page(site: Path, url: str) -> str:
    rel = url.strip("/")
    path = site / rel / "index.html" if not rel.endswith((".html", ".xml", ".txt")) else site / rel
    return path.read_text(encoding="utf-8")


def wsgi_call(
    app: object, path: str, query: str = "", method: str = "GET"
) -> tuple[str, dict[str, str], bytes]:
    """Call a WSGI app in-process: (status, headers, body)."""
    from io import BytesIO

    seen: dict[str, object] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.input": BytesIO(),
    }
    body = b"".join(app(environ, start_response))  # type: ignore[operator]
    return str(seen["status"]), seen["headers"], body  # type: ignore[return-value]
