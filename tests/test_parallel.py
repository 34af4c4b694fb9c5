"""Rendering in parallel (``--jobs``): worker processes write the pages while the build makes
the search indexes; the output is the same bytes as a build in one process, and a failure in
a worker fails the build with the worker's error and leaves the site as it was."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from carta import parallel
from carta.graph import read_manifest
from carta.pipeline import PARALLEL, BuildResult, build, staging_root
from carta.render import default_templates

from .conftest import FIXTURES, TODAY
from .test_incremental import files

DAY = date.fromisoformat(TODAY)
BASE = "https://carta.esempio-di-prova.it/"

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="no fork on this system")


@pytest.mark.parametrize(
    ("content", "counts"),
    [(FIXTURES / "mini", (1, 2, 4)), (FIXTURES.parent.parent / "content", (1, 2))],
    ids=["mini", "content"],
)
def test_workers_write_the_same_site_as_one_process(
    content: Path, counts: tuple[int, ...], tmp_path: Path
) -> None:
    sites = {}
    for jobs in counts:
        out = tmp_path / f"site-{jobs}"
        result = build(content, out, today=DAY, base_url=BASE, jobs=jobs)
        assert (PARALLEL in result.seconds) == (jobs > 1)
        sites[jobs] = files(out)
        # the record of what was written (sitemap, manifest) includes the workers' pages
        outputs = read_manifest(out)
        assert outputs is not None and set(outputs["outputs"]) <= set(sites[jobs])
    assert all(sites[jobs] == sites[1] for jobs in counts)
    assert "sitemap.xml" in sites[1] and "servizi/index.html" in sites[1]


def test_a_failing_page_fails_the_build_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(FIXTURES / "mini", out, today=DAY, jobs=2)
    before = files(out)
    templates = tmp_path / "templates"
    shutil.copytree(default_templates(), templates)
    page = templates / "ente.html"
    text = page.read_text(encoding="utf-8")
    assert "{% block content %}" in text
    page.write_text(
        text.replace("{% block content %}", "{% block content %}{{ nessuna_variabile }}"),
        encoding="utf-8",
    )
    with pytest.raises(UndefinedError, match="nessuna_variabile"):
        build(FIXTURES / "mini", out, templates=templates, today=DAY, jobs=2)
    assert files(out) == before
    assert not staging_root(out).exists()
    # and the next build, with the templates fixed, is the site of before
    build(FIXTURES / "mini", out, today=DAY, jobs=2)
    assert files(out) == before


def test_a_worker_that_dies_is_a_failure_not_a_hang() -> None:
    worker = parallel.Worker.start(lambda counted: os._exit(3), lambda done, total: None)
    with pytest.raises(parallel.WorkerFailed):
        worker.join()


def test_a_worker_interrupted_before_it_is_recorded_never_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C can reach the build between the fork and the record of the worker (Python raises
    it in the main thread wherever the kernel delivered it): that worker must not go on
    writing into a staging folder that the build is removing."""
    mark = tmp_path / "written"
    forked: list[int] = []
    fork = os.fork

    def recorded_fork() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    class Interrupted(parallel.Worker):
        def __init__(self, *args: object) -> None:  # the build interrupted after the fork
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fork", recorded_fork)
    running: list[parallel.Worker] = []
    with pytest.raises(KeyboardInterrupt):
        Interrupted.start(lambda counted: mark.write_text("x"), lambda d, t: None, running)
    assert running == [] and len(forked) == 1
    with pytest.raises(ChildProcessError):  # the worker is gone, and reaped
        os.waitpid(forked[0], os.WNOHANG)
    assert not mark.exists()


def test_a_lock_held_by_another_thread_is_free_in_a_worker() -> None:
    """The module state carta keeps between builds is guarded by locks: a worker forked while
    another thread of the build process holds one gets it unlocked, not held forever."""
    import threading

    lock = parallel.ForkSafeLock()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        # within 5 s rather than with ``with lock:``, so that a regression fails, not hangs
        worker = parallel.Worker.start(
            lambda counted: lock._lock.acquire(timeout=5), lambda done, total: None
        )
        assert worker.join() is True
    finally:
        release.set()
        holder.join()


def test_a_worker_reports_progress_and_its_result() -> None:
    seen: list[tuple[int, int]] = []

    def job(counted: parallel.Counted) -> dict[str, int]:
        for n in range(1, 501):
            counted(n, 500)
        return {"pagine": 500}

    worker = parallel.Worker.start(job, lambda done, total: seen.append((done, total)))
    assert worker.join() == {"pagine": 500}
    assert seen[-1] == (500, 500) and len(seen) <= 101  # throttled, the last one kept


def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    from carta.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["build", "--jobs", "0"])
    assert exit_.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_a_build_in_a_thread_forks_its_workers(tmp_path: Path) -> None:
    """carta serve builds off its server's thread: the workers are forked from that thread."""
    import threading

    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = build(FIXTURES / "mini", tmp_path / "site", today=DAY, jobs=2)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert "error" not in outcome, outcome
    result = outcome["result"]
    assert isinstance(result, BuildResult) and PARALLEL in result.seconds
    assert (tmp_path / "site" / "servizi" / "index.html").is_file()
