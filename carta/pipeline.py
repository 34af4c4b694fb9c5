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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from . import graph
from .errors import ContentError, ContentErrors, UsageError
from .loader import DATA_FILES, load_content
from .markup import Renderer
from .model import BaseUrl, parse_day
from .render import NO_SITEMAP, SiteWriter, default_templates, entry_dates
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
) -> BuildResult:
    """Build ``content`` into ``out_dir``. Raises :class:`ContentErrors` and changes nothing
    when the content has errors (or warnings, with ``strict``).

    ``progress`` is told how far each of :data:`STAGES` has got, counting entries.
    ``base_url``, when given, replaces ``url_base`` of ``carta.yaml`` (the address of a
    deployment).

    The build is incremental when the manifest of an earlier build of ``out_dir`` exists
    (see :mod:`carta.graph`): only the outputs whose inputs changed are recomputed and
    replaced, file by file. ``clean`` rebuilds everything."""
    told = progress or _silent
    templates = templates or default_templates()
    if not templates.is_dir():
        raise UsageError(f"cartella dei modelli non trovata: {templates}")
    told(STAGE_CHECK, 0, 0)
    site, problems = check(content, strict=strict, today=today)
    if site is None:
        raise ContentErrors(problems)
    if base_url is not None:
        site.config = site.config.model_copy(update={"url_base": checked_base_url(base_url)})
    entries = len(site.all_entries())
    told(STAGE_CHECK, entries, entries)

    out_dir = out_dir.resolve()
    dates = entry_dates(site)
    inputs = graph.inputs_of(site, content, templates, dates, list(DATA_FILES))
    last = None if clean else graph.read_manifest(out_dir)
    todo = graph.plan(last, inputs)
    notices = [] if site.urls.has_base else [NO_SITEMAP]
    if todo.nothing:
        for name in STAGES[1:]:
            told(name, 1, 1)
        return BuildResult(
            out_dir=out_dir, pages=0, warnings=problems, notices=notices, incremental=True
        )
    old_outputs: dict[str, str] = {} if todo.full or last is None else last["outputs"]
    graph.forget_manifest(out_dir)  # from here until it is written again, the output changes
    try:
        with _staging(out_dir) as staging:  # removed if anything fails or is interrupted
            writer = SiteWriter(site, staging, templates, Renderer(), dates)
            if not todo.full:
                writer.only = todo.bodies
                writer.kept = set(old_outputs)
            search = _SearchState()
            for group, total in ((STAGE_PAGES, entries), (STAGE_SEARCH, entries)):
                told(group, 0, total)
                for stage in OUTPUT_STAGES:
                    if stage.progress == group:
                        stage.write(writer, search, partial(told, group))
                told(group, total, total)
            told(STAGE_PUBLISH, 0, 1)
            for stage in OUTPUT_STAGES:
                if stage.progress == STAGE_PUBLISH:
                    stage.write(writer, search, _silent_count)
            if todo.full:
                write_headers_file(staging)  # for static hosts that read _headers
                _swap(staging, out_dir)
            else:
                graph.apply(staging, out_dir, replaced_dirs=(SEARCH_DIR,))
                _discard(staging)
            graph.write_manifest(out_dir, inputs, {**old_outputs, **writer.out.written})
            told(STAGE_PUBLISH, 1, 1)
    finally:  # however the build ended, nothing of this build is left in the staging place
        _remove_own_staging(out_dir)
    return BuildResult(
        out_dir=out_dir,
        pages=len(writer.out.written),
        warnings=problems,
        notices=writer.out.notices,
        incremental=not todo.full,
    )


@dataclass
class _SearchState:
    """What the search stages hand on: the documents, and the Whoosh index whose statistics
    the browser index is scored with."""

    docs: list[SearchDoc] | None = None
    whoosh: object = None


def _whoosh(writer: SiteWriter, search: _SearchState, counted: Counted) -> None:
    search.docs = build_documents(writer.site, writer.md)
    search.whoosh = write_whoosh_index(search.docs, writer.out.root)


def _browser_index(writer: SiteWriter, search: _SearchState, counted: Counted) -> None:
    assert search.docs is not None, "the Whoosh stage runs first"
    write_browser_index(writer.site, search.docs, search.whoosh, writer.out.root)
    writer.search_page()


def _language_indexes(writer: SiteWriter, search: _SearchState, counted: Counted) -> None:
    """The search indexes of the other languages (``_search/<lang>/``) and their pages
    (``/<lang>/cerca/``): none without ``lingue``."""
    from .search.languages import write_language_indexes

    write_language_indexes(writer.site, writer.out.root, writer.md)
    writer.language_search_pages()


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
    OutputStage("pagine", STAGE_PAGES, lambda w, s, counted: w.pages(counted)),
    OutputStage("dati aperti", STAGE_PAGES, lambda w, s, c: w.open_data()),
    OutputStage("osservatorio", STAGE_PAGES, lambda w, s, c: w.osservatorio()),
    OutputStage("feed", STAGE_PAGES, lambda w, s, c: w.feed()),
    OutputStage("indice Whoosh", STAGE_SEARCH, _whoosh),
    OutputStage("indice del browser e /cerca/", STAGE_SEARCH, _browser_index),
    OutputStage("indici e /cerca/ delle altre lingue", STAGE_SEARCH, _language_indexes),
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
