"""Tests that stay true: none reads today's date (the build date is injected: ``--today``,
``today=`` or ``CARTA_TODAY``) and none races another program for a port (servers bind port 0
and say which port they got)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from carta.errors import UsageError
from carta.pipeline import default_today

from .conftest import ROOT, TODAY

TESTS = Path(__file__).resolve().parent
SOURCES = sorted(
    p
    for p in TESTS.rglob("*.py")
    if "fixtures" not in p.relative_to(TESTS).parts and p.name != Path(__file__).name
)

#: the clock, read for a date
CLOCK = re.compile(r"\b(?:date\.today|datetime\.(?:now|today|utcnow))\(")
#: a port chosen by the test: a fixed one, or a free one found and then bound by someone else
FIXED_PORT = re.compile(
    r"""["']--port["'],\s*["'](?!0["'])\d+"""
    r"""|["'](?:127\.0\.0\.1|localhost|0\.0\.0\.0|::1)["'],\s*[1-9]\d*\b|\(\s*["']{2},\s*[1-9]"""
    r"""|getsockname\("""
)


def lines_matching(pattern: re.Pattern[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in SOURCES
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


#: samples of what the patterns must catch, spelled in pieces so that this file reads no clock
CLOCK_SAMPLES = ["when = date" + ".today()", "datetime" + ".now(timezone.utc)"]


def test_the_patterns_find_what_they_look_for() -> None:
    assert all(CLOCK.search(sample) for sample in CLOCK_SAMPLES)
    assert FIXED_PORT.search('["--port", "8001"]') and not FIXED_PORT.search('["--port", "0"]')
    assert FIXED_PORT.search('server.bind(("127.0.0.1", 8765))')
    assert FIXED_PORT.search('make_server("127.0.0.1", 8000, app)')
    assert FIXED_PORT.search("port = probe.getsockname()[1]")
    assert not FIXED_PORT.search('ThreadingHTTPServer(("127.0.0.1", 0), handler)')


def test_no_test_reads_todays_date() -> None:
    assert lines_matching(CLOCK) == []


def test_no_test_chooses_a_port() -> None:
    assert lines_matching(FIXED_PORT) == []


def test_every_test_builds_as_of_the_same_day() -> None:
    import os

    assert os.environ["CARTA_TODAY"] == TODAY  # conftest pins it for the whole run
    assert default_today() == date.fromisoformat(TODAY)


def test_carta_today_is_the_build_date_and_must_be_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTA_TODAY", "2030-01-02")
    assert default_today() == date(2030, 1, 2)
    monkeypatch.setenv("CARTA_TODAY", "2030-13-02")
    with pytest.raises(UsageError, match="CARTA_TODAY non valida"):
        default_today()
