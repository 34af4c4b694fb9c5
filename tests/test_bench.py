"""``carta bench --build`` prints the build figures by stage and the rebuilds after each kind of
edit (a benchmark prints figures; nothing here times anything)."""

from __future__ import annotations

import pytest

from carta.bench import EDITS
from carta.cli import main
from carta.pipeline import OUTPUT_STAGES, STAGE_CHECK


def test_bench_build_prints_every_stage_and_each_edit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("carta.bench.first_search_bytes", lambda *args, **kwargs: None)
    assert main(["bench", "--build", "--sizes", "12", "--saves", "1", "--queries", "3"]) == 0
    out = capsys.readouterr().out
    assert "12 servizi (bodies ≥ 1600 characters)" in out
    assert "peak RSS" in out
    for stage in (STAGE_CHECK, *(s.name for s in OUTPUT_STAGES)):
        assert f"    {stage}:" in out, stage
    # a body edit is rebuilt incrementally; a template edit rebuilds everything
    assert f"rebuild after a {EDITS[0]}:" in out and "incrementale)" in out
    assert f"rebuild after a {EDITS[2]}:" in out and "completa)" in out
    assert "query latency, warm:" in out and "query latency, first runs:" in out


def test_bench_refuses_a_missing_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--build", "--corpus", "/nonexistent/carta"]) == 2
    assert "--corpus" in capsys.readouterr().err
