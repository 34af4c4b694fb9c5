"""Both real sites built once for the search tests, and their query sets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from carta.search.engine import Engine

from ..conftest import ROOT, Built

SITES = {
    "content": ROOT / "content",
    "bologna-metropolitana": ROOT / "examples" / "bologna-metropolitana",
}
QUERIES = yaml.safe_load((Path(__file__).parent / "queries.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def search_sites(shipped: Callable[[Path], Built]) -> dict[str, Path]:
    return {name: shipped(content).out for name, content in SITES.items()}


@pytest.fixture(scope="session")
def engines(search_sites: dict[str, Path]) -> Iterator[dict[str, Engine]]:
    opened = {name: Engine(path) for name, path in search_sites.items()}
    yield opened
    for engine in opened.values():
        engine.close()
