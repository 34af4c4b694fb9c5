"""Every HTML file of both real sites is a valid HTML document for the W3C Nu HTML Checker
(``vnu.jar``): no errors, on the built files and on the pages the server composes (the
referral sheet, search results).

Needs Java and ``vnu.jar`` (npm package ``vnu-jar``): the jar is looked for in ``$VNU_JAR``,
then in ``.cache/vnu`` (``npm install --prefix .cache/vnu vnu-jar``). Skips with a visible
reason when either is missing; fails instead when ``CARTA_REQUIRE_BROWSER=1`` (``.ci/run``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from carta.server import SiteApp

from .conftest import ROOT, Built, unavailable, wsgi_call

SITES = {"crema": ROOT / "content", "bologna": ROOT / "examples" / "bologna-metropolitana"}
DEFAULT_JAR = ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java = shutil.which("java")
    if java is None:
        unavailable("java not found (apt-get install default-jre-headless)")
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)
    if not jar.is_file():
        unavailable(f"vnu.jar not found at {jar} (npm install --prefix .cache/vnu vnu-jar)")
    return [str(java), "-jar", str(jar), "--skip-non-html", "--errors-only"]


def check(vnu: list[str], *paths: Path) -> list[str]:
    """The checker's error lines for ``paths`` (files or folders); empty when all are valid."""
    result = subprocess.run(
        [*vnu, *map(str, paths)], capture_output=True, text=True, timeout=300, check=False
    )
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert lines or result.returncode == 0, f"vnu exited {result.returncode} without a message"
    return lines


def test_the_checker_reports_an_invalid_document(vnu: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<p>no doctype, no title</p>", encoding="utf-8")
    good = tmp_path / "good.html"
    good.write_text(
        '<!doctype html><html lang="it"><title>t</title><h1>t</h1><h2>a</h2></html>',
        encoding="utf-8",
    )
    assert check(vnu, good) == []
    assert any("doctype" in line.lower() for line in check(vnu, bad))


def test_every_html_file_of_both_sites_is_valid(
    vnu: list[str], tmp_path_factory: pytest.TempPathFactory, shipped: Callable[[Path], Built]
) -> None:
    folders = []
    for name, content in SITES.items():
        site = shipped(content).out
        folders.append(site)
        # the pages the server composes: the referral sheet of two services (in Arabic, of
        # a translated service too), a search
        services = sorted(p.parent.name for p in (site / "servizi").glob("*/scheda.json"))
        translated = sorted(f.name.removesuffix(".ar.md") for f in content.glob("servizi/*.ar.md"))
        composed = tmp_path_factory.mktemp(f"vnu-{name}-server")
        app = SiteApp(site)
        for file_name, path, query in (
            ("foglio.html", "/foglio/", f"s={services[0]}&s={services[-1]}"),
            ("foglio-ar.html", "/ar/foglio/", f"s={translated[0]}&s={services[0]}"),
            ("cerca.html", "/cerca/", "q=anziani"),
        ):
            status, _, body = wsgi_call(app, path, query)
            assert status == "200 OK", (name, path)
            (composed / file_name).write_bytes(body)
        for file_name in ("foglio.html", "foglio-ar.html"):
            sheets = (composed / file_name).read_text(encoding="utf-8")
            assert sheets.count('class="scheda-foglio"') == 2, (name, file_name)
        folders.append(composed)
    errors = check(vnu, *folders)
    assert errors == [], "\n".join(errors)
