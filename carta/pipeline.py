"""The build, top to bottom: load → validate → resolve → render → swap into place.

Output is written to a staging folder and replaces the target only when every stage
succeeded, so a failed build leaves the previous site untouched. Staging folders live in one
place, ``<parent of out>/.carta-staging/`` (same file system, so the swap is a rename), named
``<out name>-new-<pid>-…`` and ``<out name>-old-<pid>-…``, and the place is removed when it
is empty; a build first removes the folders left by builds that no longer run (killed with
SIGKILL, or the machine stopped).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from threading import Lock
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import graph, parallel
from .errors import ContentError, ContentErrors, UsageError
from .loader import DATA_FILES, load_content
from .markup import Renderer
from .model import BaseUrl, parse_day
from .render import NO_SITEMAP, DuplicateOutput, SiteWriter, default_templates, entry_dates
from .resolve import resolve
from .search.documents import SearchDoc, build_documents
from .search.index import SEARCH_DIR, write_browser_index, write_whoosh_index
from .server import write_headers_file
from .site import Site
from .validate import validate


def default_today() -> date:
    """Today, or the date in ``CARTA_TODAY`` (``YYYY-MM-DD``): check a Carta as of a given day."""
    value = os.environ.get("CARTA_TODAY", "").strip()
    if not value:
        return date.today()
    try:
        return parse_day(value)
    except ValueError:
        raise UsageError(f"CARTA_TODAY non valida {value!r}: scrivila come AAAA-MM-GG") from None


#: told ``(stage, done, total)`` as a build goes; ``total`` is 0 while it is not known yet
Progress = Callable[[str, int, int], None]

#: the stages of a build, in order, as :data:`Progress` names them
STAGE_CHECK = "Controllo dei contenuti"
STAGE_PAGES = "Pagine"
STAGE_SEARCH = "Indice di ricerca"
STAGE_PUBLISH = "Pubblicazione"
STAGES = (STAGE_CHECK, STAGE_PAGES, STAGE_SEARCH, STAGE_PUBLISH)
#: the part of the check that :attr:`BuildResult.seconds` counts apart: the entries' git dates
#: and the hashes of the inputs, compared with the last build's manifest
STAGE_INPUTS = "Date e impronte degli input"


def _silent(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class BuildResult:
    out_dir: Path
    pages: int
    warnings: list[ContentError] = field(default_factory=list)
    #: what the build left out and why (no base URL: no sitemap); not content problems
    notices: list[str] = field(default_factory=list)
    #: whether only what changed since the last build was rebuilt
    incremental: bool = False
    #: seconds spent on each part of the build: the check, then each of
    #: :data:`OUTPUT_STAGES` by name, then the publishing of the output (for ``carta bench``)
    seconds: dict[str, float] = field(default_factory=dict)


def check(
    content: Path,
    *,
    strict: bool = False,
    today: date | None = None,
    file_dates: Mapping[Path, date] | None = None,
) -> tuple[Site | None, list[ContentError]]:
    """Load and validate ``content``. Returns the resolved site (or ``None``) and all problems.

    With ``strict``, warnings count as errors: the site is ``None`` when there are any.
    ``file_dates`` replace the git dates of the content's files (see :func:`validate`).
    """
    if not content.is_dir():
        raise UsageError(f"cartella dei contenuti non trovata: {content}")
    raw = load_content(content)
    site, problems = validate(raw, today or default_today(), file_dates=file_dates)
    if strict and problems:
        problems = [
            ContentError(p.path, p.line, p.column, p.field, p.message, "error") for p in problems
        ]
        site = None
    if site is not None:
        resolve(site)
    return site, problems


def build(
    content: Path,
    out_dir: Path,
    *,
    templates: Path | None = None,
    strict: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    base_url: str | None = None,
    clean: bool = False,
    jobs: int | None = None,
    renderer: Renderer | None = None,
    published: Callable[[], None] | None = None,
) -> BuildResult:
    """Build ``content`` into ``out_dir``. Raises :class:`ContentErrors` and changes nothing
    when the content has errors (or warnings, with ``strict``).

    ``progress`` is told how far each of :data:`STAGES` has got, counting entries.
    ``base_url``, when given, replaces ``url_base`` of ``carta.yaml`` (the address of a
    deployment).

    The build is incremental when the manifest of an earlier build of ``out_dir`` exists
    (see :mod:`carta.graph`): only the outputs whose inputs changed are recomputed and
    replaced, file by file. ``clean`` rebuilds everything.

    ``jobs`` is how many processes render at once (default: all cores): with more than one,
    a build that renders every page has them written by ``jobs - 1`` worker processes while
    this one makes the search indexes (:mod:`carta.parallel`); the output is the same.

    ``renderer``: the Markdown converter of a process that builds again and again (``carta
    serve``), which remembers the last build's conversions (:meth:`Renderer.new_build`).

    ``published``: in an incremental build, the edited pages are moved into ``out_dir`` as
    soon as they are written, before the search indexes and the other outputs are made, and
    ``published`` is called then (``carta serve`` reloads the browser on it); the manifest is
    still written last. Without it, every file is moved in at the end."""
    told = progress or _silent
    templates = templates or default_templates()
    if not templates.is_dir():
        raise UsageError(f"cartella dei modelli non trovata: {templates}")
    told(STAGE_CHECK, 0, 0)
    seconds: dict[str, float] = {}
    build_started = started = time.perf_counter()
    site, problems = check(content, strict=strict, today=today)
    seconds[STAGE_CHECK] = time.perf_counter() - started
    if site is None:
        raise ContentErrors(problems)
    if base_url is not None:
        site.config = site.config.model_copy(update={"url_base": checked_base_url(base_url)})
    entries = len(site.all_entries())
    told(STAGE_CHECK, entries, entries)

    out_dir = out_dir.resolve()
    started = time.perf_counter()
    dates = entry_dates(site)
    inputs = graph.inputs_of(site, content, templates, dates, list(DATA_FILES))
    last = None if clean else graph.read_manifest(out_dir)
    todo = graph.plan(last, inputs)
    seconds[STAGE_INPUTS] = time.perf_counter() - started
    notices = [] if site.urls.has_base else [NO_SITEMAP]
    if todo.nothing:
        for name in STAGES[1:]:
            told(name, 1, 1)
        return BuildResult(
            out_dir=out_dir,
            pages=0,
            warnings=problems,
            notices=notices,
            incremental=True,
            seconds=seconds,
        )
    old_outputs: dict[str, str] = {} if todo.full or last is None else last["outputs"]
    graph.forget_manifest(out_dir)  # from here until it is written again, the output changes
    try:
        with _staging(out_dir) as staging:  # removed if anything fails or is interrupted
            if renderer is None:
                renderer = Renderer()
            else:
                renderer.new_build()
            writer = SiteWriter(site, staging, templates, renderer, dates)
            if not todo.full:
                writer.only = todo.bodies
                writer.kept = set(old_outputs)

            def publish_pages() -> None:
                """The pages of a rebuild, in place before the rest is made (see above)."""
                if published is None or todo.full:
                    return
                graph.apply(staging, out_dir, replaced_dirs=())
                seconds[PAGES_PUBLISHED] = time.perf_counter() - build_started
                published()

            search = _SearchState()
            workers = jobs if jobs is not None else parallel.default_jobs()
            languages = site.config.lingue
            if workers > 1 and parallel.can_fork() and (todo.full or len(languages) > 1):
                if not todo.full:  # the few pages of a rebuild, here; the indexes side by side
                    _write_group(writer, search, STAGE_PAGES, entries, told, seconds, publish_pages)
                count = workers - 1 if todo.full else min(workers - 1, len(languages) // 2)
                _write_in_parallel(writer, search, count, told, entries, seconds, pages=todo.full)
            else:
                for group, total in ((STAGE_PAGES, entries), (STAGE_SEARCH, entries)):
                    _write_group(writer, search, group, total, told, seconds, publish_pages)
            told(STAGE_PUBLISH, 0, 1)
            for stage in OUTPUT_STAGES:
                if stage.progress == STAGE_PUBLISH:
                    started = time.perf_counter()
                    stage.write(writer, search, _silent_count)
                    seconds[stage.name] = time.perf_counter() - started
            started = time.perf_counter()
            if todo.full:
                write_headers_file(staging)  # for static hosts that read _headers
                _swap(staging, out_dir)
            else:
                graph.apply(staging, out_dir, replaced_dirs=(SEARCH_DIR,))
                _discard(staging)
            graph.write_manifest(out_dir, inputs, {**old_outputs, **writer.out.written})
            seconds[STAGE_PUBLISH] = time.perf_counter() - started
            told(STAGE_PUBLISH, 1, 1)
    finally:  # however the build ended, nothing of this build is left in the staging place
        _remove_own_staging(out_dir)
    return BuildResult(
        out_dir=out_dir,
        pages=len(writer.out.written),
        warnings=problems,
        notices=writer.out.notices,
        incremental=not todo.full,
        seconds=seconds,
    )


def _write_group(
    writer: SiteWriter,
    search: _SearchState,
    group: str,
    total: int,
    told: Progress,
    seconds: dict[str, float],
    after_pages: Callable[[], None] | None = None,
) -> None:
    """Write the outputs of one :data:`Progress` stage, timing each; ``after_pages`` is called
    once the pages (:data:`PAGES`) are written."""
    told(group, 0, total)
    for stage in OUTPUT_STAGES:
        if stage.progress == group:
            started = time.perf_counter()
            stage.write(writer, search, partial(told, group))
            seconds[stage.name] = time.perf_counter() - started
            if stage.name == PAGES and after_pages is not None:
                after_pages()
    told(group, total, total)


def _write_in_parallel(
    writer: SiteWriter,
    search: _SearchState,
    count: int,
    told: Progress,
    total: int,
    seconds: dict[str, float],
    *,
    pages: bool,
) -> None:
    """The outputs written by ``count`` worker processes while this process writes the
    search indexes: with ``pages``, the pages (and the other outputs of :data:`STAGE_PAGES`),
    each worker a part of the entry pages; and the indexes of the other languages, shared
    in turn between the workers and this process. Then what the workers wrote is added to
    ``writer``'s record, as if written here."""
    languages: list[str] = list(writer.site.config.lingue)
    search.languages = languages[count :: count + 1]
    lock = Lock()
    done = [0] * count

    def counted(k: int, own: int, _total: int) -> None:
        with lock:
            done[k] = own
            told(STAGE_PAGES, sum(done), total)

    def job(k: int, report: Counted) -> dict[str, Any]:
        writer.part = (k, count)
        # the worker's record: what it writes (what this process wrote before is already here)
        writer.out.written, writer.out.notices = {}, []
        times: dict[str, float] = {}
        for stage in OUTPUT_STAGES:
            if pages and stage.progress == STAGE_PAGES and (k == 0 or stage.name == PAGES):
                started = time.perf_counter()
                stage.write(writer, search, report)
                times[stage.name] = time.perf_counter() - started
        search.languages = languages[k :: count + 1]
        if search.languages:
            started = time.perf_counter()
            _language_indexes(writer, search, report)
            times[LANGUAGES] = time.perf_counter() - started
        return {"written": writer.out.written, "notices": writer.out.notices, "seconds": times}

    if pages:
        told(STAGE_PAGES, 0, total)
    started = time.perf_counter()
    running: list[parallel.Worker] = []
    try:
        for k in range(count):
            parallel.Worker.start(partial(job, k), partial(counted, k), into=running)
        _write_group(writer, search, STAGE_SEARCH, total, told, seconds)
        results = [worker.join() for worker in running]
    finally:
        for worker in running:
            worker.kill()
    for result in results:
        for rel, owner in result["written"].items():
            if rel in writer.out.written:
                raise DuplicateOutput(f"{rel}: written by {writer.out.written[rel]} and {owner}")
            writer.out.written[rel] = owner
        writer.out.notices.extend(result["notices"])
    # the stages' own times as the slowest worker took them, and the whole wait
    for result in results:
        for name, took in result["seconds"].items():
            seconds[name] = max(seconds.get(name, 0.0), took)
    seconds[PARALLEL] = time.perf_counter() - started
    if pages:
        told(STAGE_PAGES, total, total)


#: the names of the pages' stage and of the other languages' indexes in :data:`OUTPUT_STAGES`
PAGES = "pagine"
LANGUAGES = "indici delle altre lingue"
#: in :attr:`BuildResult.seconds`, the time the pages and the search indexes took side by side
PARALLEL = "pagine e indici in parallelo"
#: in :attr:`BuildResult.seconds`, for a rebuild that published its pages first (``published``
#: of :func:`build`): the seconds from the start of the build to the pages in place
PAGES_PUBLISHED = "pagine al loro posto (dall'inizio)"


@dataclass
class _SearchState:
    """What the search stages hand on: the documents, and the Whoosh index whose statistics
    the browser index is scored with."""

    docs: list[SearchDoc] | None = None
    whoosh: object = None
    #: the languages whose indexes this process writes (``None``: every one of ``lingue``)
    languages: list[str] | None = None


def _whoosh(writer: SiteWriter, search: _SearchState, counted: Counted) -> None:
    search.docs = build_documents(writer.site, writer.md)
    search.whoosh = write_whoosh_index(search.docs, writer.out.root)


def _browser_index(writer: SiteWriter, search: _SearchState, counted: Counted) -> None:
    assert search.docs is not None, "the Whoosh stage runs first"
    write_browser_index(writer.site, search.docs, search.whoosh, writer.out.root)
    writer.search_page()
    writer.language_search_pages()  # /<lang>/cerca/, each reading its language's index


def _language_indexes(writer: SiteWriter, search: _SearchState, counted: Counted) -> None:
    """The search indexes of the other languages (``_search/<lang>/``): none without
    ``lingue``; their pages (``/<lang>/cerca/``) are written with the Italian one."""
    from .search.languages import write_language_indexes

    write_language_indexes(writer.site, writer.out.root, writer.md, languages=search.languages)


#: told ``(done, total)`` by a stage that counts what it writes
Counted = Callable[[int, int], None]


def _silent_count(done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class OutputStage:
    """One output of a build: its name, the :data:`Progress` stage it counts under, and
    what writes it (with a :class:`SiteWriter`, what the search stages hand on, and a
    :data:`Counted` for its progress)."""

    name: str
    progress: str
    write: Callable[[SiteWriter, _SearchState, Counted], None]


#: every output of a build, as peers, in the order they are written: the sitemap comes after
#: every page it lists (``/cerca/`` included), the browser index after the Whoosh index whose
#: statistics it is scored with
OUTPUT_STAGES: tuple[OutputStage, ...] = (
    OutputStage(PAGES, STAGE_PAGES, lambda w, s, counted: w.pages(counted)),
    OutputStage("dati aperti", STAGE_PAGES, lambda w, s, c: w.open_data()),
    OutputStage("osservatorio", STAGE_PAGES, lambda w, s, c: w.osservatorio()),
    OutputStage("feed", STAGE_PAGES, lambda w, s, c: w.feed()),
    OutputStage("indice Whoosh", STAGE_SEARCH, _whoosh),
    OutputStage("indice del browser e /cerca/", STAGE_SEARCH, _browser_index),
    OutputStage(LANGUAGES, STAGE_SEARCH, _language_indexes),
    OutputStage("sitemap", STAGE_PUBLISH, lambda w, s, c: w.sitemap()),
    OutputStage("robots.txt", STAGE_PUBLISH, lambda w, s, c: w.robots()),
    OutputStage("risorse statiche", STAGE_PUBLISH, lambda w, s, c: w.static()),
)


def checked_base_url(value: str) -> str:
    """``value`` as a base URL (``https://…``), or :class:`UsageError` saying why not."""
    try:
        url: str = TypeAdapter(BaseUrl).validate_python(value.strip())
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UsageError(f"--base-url: {reason}") from None
    return url


STAGING = ".carta-staging"


def staging_root(out_dir: Path) -> Path:
    """Where the builds of ``out_dir`` stage their output."""
    return out_dir.parent / STAGING


def _staging_folder(out_dir: Path, kind: str) -> Path:
    """A new, empty staging folder for ``out_dir``, after removing the stale ones."""
    root = staging_root(out_dir)
    remove_stale_staging(out_dir)
    prefix = f"{out_dir.name}-{kind}-{os.getpid()}-"
    for _ in range(3):
        root.mkdir(parents=True, exist_ok=True)
        try:
            return Path(tempfile.mkdtemp(prefix=prefix, dir=root))
        except FileNotFoundError:  # another build just removed the empty folder: again
            continue
    return Path(tempfile.mkdtemp(prefix=prefix, dir=root))


@contextmanager
def _staging(out_dir: Path) -> Iterator[Path]:
    """A staging folder for ``out_dir``, removed (with the staging place, when empty) if the
    block fails or is interrupted, even while the folder is being made."""
    staging = None
    try:
        staging = _staging_folder(out_dir, "new")
        yield staging
    except BaseException:
        if staging is not None:
            _discard(staging)
        # interrupted while the folder was being made: it may exist without a name here
        _remove_own_staging(out_dir)
        raise


def _remove_own_staging(out_dir: Path) -> None:
    """Remove what this process left in the staging place (its pid is in the names), and the
    place itself when it is empty."""
    root = staging_root(out_dir)
    for folder in root.glob(f"{out_dir.name}-*-{os.getpid()}-*"):
        shutil.rmtree(folder, ignore_errors=True)
    _remove_if_empty(root)


def _discard(folder: Path) -> None:
    """Remove a staging folder, and the staging place too when nothing else is in it."""
    shutil.rmtree(folder, ignore_errors=True)
    _remove_if_empty(folder.parent)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # another build's folder is there, or it is gone already
        pass


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove the staging folders of ``out_dir`` whose build is no longer running (its
    process id is in the name), and those that earlier versions left beside it. Returns them."""
    stale = [*out_dir.parent.glob(f".{out_dir.name}-new-*")]  # the old, pid-less layout
    stale += out_dir.parent.glob(f".{out_dir.name}-old-*")
    for kind in ("new", "old"):
        for folder in staging_root(out_dir).glob(f"{out_dir.name}-{kind}-*"):
            pid = folder.name[len(f"{out_dir.name}-{kind}-") :].split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                stale.append(folder)
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's, or no way to tell: leave it
    return True


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` where ``target`` is, with the old one gone only once the new one is in."""
    os.chmod(staging, 0o755)
    if not target.exists():
        staging.rename(target)
        _remove_if_empty(staging.parent)
        return
    retired = _staging_folder(target, "old")
    retired.rmdir()
    target.rename(retired)
    try:
        staging.rename(target)
    except BaseException:
        retired.rename(target)
        raise
    _discard(retired)
