"""The command line speaks Italian throughout, argparse's own words included, and a build says
what it is doing: progress by stage on a terminal, nothing of it elsewhere, and a last line
with the time and what was built."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from carta.cli import StageBars, main, make_parser, seconds_it
from carta.pipeline import STAGES, build

from .conftest import FIXTURES, ROOT, TODAY

#: argparse's English, as it prints it when left untranslated
ENGLISH = (
    "usage:",
    "positional arguments",
    "options:",
    "optional arguments",
    "show this help message",
    "show program's version",
    "and exit",
    "error:",
    "the following arguments are required",
    "invalid choice",
    "choose from",
    "expected one argument",
    "expected at",
    "unrecognized arguments",
    "invalid int value",
    "argument ",
    "default:",
)


def carta(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carta", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**__import__("os").environ, "CARTA_TODAY": TODAY, "LANG": "C", "LC_ALL": "C"},
    )


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("build", "--help"),
        ("serve", "--help"),
        ("search", "--help"),
        ("schema", "--help"),
    ],
)
def test_help_has_no_english_argparse_words(args: tuple[str, ...]) -> None:
    result = carta(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("uso: carta")
    assert "opzioni:" in result.stdout
    assert "mostra questo aiuto ed esce" in result.stdout
    assert english_in(result.stdout + result.stderr) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("pubblica",), "valore non ammesso: 'pubblica'"),  # no such command
        (("build", "--zz"), "argomenti non riconosciuti: --zz"),
        (("build", "--out"), "--out: manca il valore"),
        (("search",), "argomenti obbligatori mancanti: DOMANDA"),
        (("check", "--format", "xml"), "valore non ammesso: 'xml'"),
        (("serve", "--port", "ottanta"), "valore non valido: 'ottanta'"),
    ],
)
def test_bad_invocations_are_told_in_italian(args: tuple[str, ...], said: str) -> None:
    result = carta(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("uso: carta")
    assert "carta: errore: " in result.stderr
    assert said in result.stderr
    assert english_in(result.stdout + result.stderr) == []


def test_argparse_is_english_again_outside_carta() -> None:
    """The Italian catalogue is argparse's only while carta's parser works."""
    import argparse

    assert "mostra questo aiuto" in make_parser().format_help()
    other = argparse.ArgumentParser(prog="altro")
    assert "show this help message and exit" in other.format_help()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_names_every_stage_with_counts(tmp_path: Path) -> None:
    screen = Terminal()
    with StageBars(screen) as bars:
        result = build(
            FIXTURES / "mini",
            tmp_path / "site",
            today=date.fromisoformat(TODAY),
            progress=bars,
        )
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    for stage in STAGES:
        assert stage in shown
    assert result.pages > 0
    done, total = re.findall(r"Pagine\D+(\d+)/(\d+)", shown)[-1]  # as the build ended
    assert done == total != "0"


def test_progress_reports_each_stage_in_order_up_to_its_total(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    build(
        FIXTURES / "mini",
        tmp_path / "site",
        today=date.fromisoformat(TODAY),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    order = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert order == list(STAGES)
    for stage in STAGES:
        last = [(done, total) for s, done, total in seen if s == stage][-1]
        assert last[0] == last[1] > 0
    pages = [done for s, done, _ in seen if s == STAGES[1]]
    assert pages == sorted(pages) and len(pages) > 2  # counted page by page


def test_build_off_a_terminal_prints_only_the_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert main(["build", "--content", str(FIXTURES / "mini"), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert re.fullmatch(
        rf"Sito costruito in {re.escape(str(out))}/: \d+ file in \d+,\d+ s", lines[-1]
    )
    assert not any(stage in captured.err for stage in STAGES)
    assert "\x1b" not in captured.err and "\r" not in captured.err
    # built again with nothing changed: updated, and nothing written
    assert main(["build", "--content", str(FIXTURES / "mini"), "--out", str(out)]) == 0
    again = capsys.readouterr().err.splitlines()[-1]
    assert re.fullmatch(rf"Sito aggiornato in {re.escape(str(out))}/: 0 file in \d+,\d+ s", again)


@pytest.mark.parametrize(
    ("seconds", "said"), [(2.13, "2,1 s"), (0.213, "0,21 s"), (66.04, "66,0 s")]
)
def test_times_have_a_decimal_comma(seconds: float, said: str) -> None:
    assert seconds_it(seconds) == said
