"""Both real sites built once for the search tests, and their query sets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from carta.pipeline import build
from carta.search.engine import Engine

from ..conftest import ROOT, TODAY

SITES = {
    "content": ROOT / "content",
    "bologna-metropolitana": ROOT / "examples" / "bologna-metropolitana",
}
QUERIES = yaml.safe_load((Path(__file__).parent / "queries.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def search_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("search-sites")
    built = {}
    for name, content in SITES.items():
        build(content, root / name, today=date.fromisoformat(TODAY))
        built[name] = root / name
    return built


@pytest.fixture(scope="session")
def engines(search_sites: dict[str, Path]) -> Iterator[dict[str, Engine]]:
    opened = {name: Engine(path) for name, path in search_sites.items()}
    yield opened
    for engine in opened.values():
        engine.close()
