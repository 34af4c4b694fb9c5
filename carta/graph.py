"""What a build was made from, and what a rebuild must recompute.

A build records its inputs in a manifest kept beside the output, never inside the deployed
folder: ``<parent of out>/.carta-cache/<out name>.json``. The inputs are

- *shared*: the versions of carta and of the libraries that shape the output, the build date,
  the base URL, every data file of the content folder (``carta.yaml``, the taxonomies, …),
  every file of the templates folder (static assets included) and, for a Carta with
  ``lingue``, the message catalogues of the interface (``carta/locale/``);
- *per entry*: the hash of its front matter, the hash of its body, and its date (the git date
  of its file, see :func:`carta.render.entry_dates`); its translations (``<slug>.<lang>.md``)
  count with it, their front matter with its front matter and their bodies with its body;

and the outputs, each with what made it (``Output.written``'s owner: the entry file of an
entry page, ``aree.yaml:ID`` of an area page, …).

The rule that decides a rebuild (:func:`plan`) is deliberately simple and errs towards doing
more: a change to a shared input, to an entry's front matter or date, or an entry added or
deleted rebuilds everything (any of these can change what a listing, a related-entries
section, the A–Z or the home page shows); a change to bodies only re-renders the pages of
those entries and the outputs made from every body (open data, Osservatorio, feed, search
indexes, ``/cerca/``, sitemap, robots), since no page shows the body of another entry.

The manifest is removed before a build changes the output and written (atomically) only
after the output is complete, so an interrupted build leaves no manifest that vouches for
stale files: the next build is then a clean one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .i18n import LOCALE_DIR
from .site import Entry, Site

CACHE_DIR = ".carta-cache"
#: the libraries whose versions can change the bytes of the output
LIBRARIES = (
    "Jinja2",
    "MarkupSafe",
    "Markdown",
    "PyYAML",
    "Whoosh-Reloaded",
    "nh3",
    "pydantic",
    "Babel",
)
#: the version of the manifest's own layout
LAYOUT = 1


def manifest_path(out_dir: Path) -> Path:
    """Where the manifest of the build of ``out_dir`` is kept (beside it, not inside)."""
    return out_dir.parent / CACHE_DIR / f"{out_dir.name}.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "?"
    return versions


def _files(folder: Path) -> dict[str, str]:
    """Relative path → digest of every file under ``folder``."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): _digest(p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def split_entry_file(text: str) -> tuple[str, str]:
    """An entry file's front matter (with its ``---`` lines) and its body, as the loader
    splits them; the whole text as front matter when it has no closing line."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return text, ""
    return "\n".join(lines[: end + 1]), "\n".join(lines[end + 1 :])


@dataclass
class Inputs:
    """The inputs of a build, as hashes."""

    shared: dict[str, Any]
    #: entry file (as ``Entry.path``) → {"kind", "meta", "body", "date"}
    entries: dict[str, dict[str, str]]


def inputs_of(
    site: Site, content: Path, templates: Path, dates: dict[int, date], data_files: list[str]
) -> Inputs:
    """The inputs of a build of ``site`` (loaded from ``content``) with ``templates``;
    ``dates`` are the entries' dates (:func:`carta.render.entry_dates`), ``data_files`` the
    names of the data files of a content folder."""
    parent = content.resolve().parent
    entries: dict[str, dict[str, str]] = {}
    for entry in site.all_entries():
        meta, body = split_entry_file((parent / entry.path).read_text(encoding="utf-8"))
        # an entry's translations are inputs of its pages: their front matter counts as the
        # entry's front matter, their bodies as its body (an entry without translations
        # hashes as it always has)
        day = dates[id(entry)].isoformat()
        for lang, translation in entry.translations.items():
            own_meta, own_body = split_entry_file(
                (parent / translation.path).read_text(encoding="utf-8")
            )
            meta += f"\0{lang}\0{own_meta}"
            body += f"\0{lang}\0{own_body}"
            if id(translation) in dates:  # the date of its page in that language
                day += f" {lang}:{dates[id(translation)].isoformat()}"
        entries[entry.path] = {
            "kind": entry.kind,
            "meta": _digest(meta.encode()),
            "body": _digest(body.encode()),
            "date": day,
        }
    shared = {
        "carta": __version__,
        "libraries": _library_versions(),
        "today": site.built_on.isoformat(),
        "base_url": site.config.url_base or "",
        "content": {
            name: _digest((content / name).read_bytes())
            for name in data_files
            if (content / name).is_file()
        },
        "templates": _files(templates),
        # the words of the interface in the other languages (carta.i18n)
        "catalogues": _files(LOCALE_DIR) if site.config.lingue else {},
    }
    return Inputs(shared=shared, entries=entries)


@dataclass
class Plan:
    """What a build recomputes: everything (``full``), or the pages of the entries in
    ``bodies`` and the outputs made from every body; nothing when both are empty."""

    full: bool
    bodies: set[str] = field(default_factory=set)
    reason: str = ""

    @property
    def nothing(self) -> bool:
        return not self.full and not self.bodies


def plan(old: dict[str, Any] | None, new: Inputs) -> Plan:
    """Compare the manifest of the last build (``None`` when there is none) with ``new``."""
    if old is None:
        return Plan(full=True, reason="nessuna costruzione precedente")
    if old.get("layout") != LAYOUT or old.get("shared", {}).get("carta") != __version__:
        return Plan(full=True, reason="versione di carta diversa")
    if old["shared"] != new.shared:
        return Plan(full=True, reason="modelli, dati o impostazioni cambiati")
    before: dict[str, dict[str, str]] = old["entries"]
    if set(before) != set(new.entries):
        return Plan(full=True, reason="schede aggiunte o tolte")
    bodies = set()
    for path, now in new.entries.items():
        was = before[path]
        if (was["kind"], was["meta"], was["date"]) != (now["kind"], now["meta"], now["date"]):
            return Plan(full=True, reason="intestazione di una scheda cambiata")
        if was["body"] != now["body"]:
            bodies.add(path)
    return Plan(full=False, bodies=bodies)


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The manifest of the last complete build of ``out_dir``, or ``None`` (none, unreadable,
    or the output folder is gone or is no longer the one the manifest was written for)."""
    path = manifest_path(out_dir)
    if not out_dir.is_dir():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("folder") != _identity(out_dir):  # the folder was replaced since
        return None
    return data


def _identity(folder: Path) -> list[int]:
    """What tells one output folder from another put in its place (by an older carta, a copy,
    a deployment tool): its device and inode, which a rebuild file by file keeps."""
    info = folder.stat()
    return [info.st_dev, info.st_ino]


def forget_manifest(out_dir: Path) -> None:
    """Remove the manifest before the output changes (see the module's docstring)."""
    path = manifest_path(out_dir)
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:  # other manifests are there, or it is gone
        pass


def write_manifest(out_dir: Path, inputs: Inputs, outputs: dict[str, str]) -> None:
    """Write the manifest of a complete build of ``out_dir``: its inputs and its outputs
    (relative path → what made it)."""
    data = {
        "layout": LAYOUT,
        "folder": _identity(out_dir),
        "shared": inputs.shared,
        "entries": inputs.entries,
        "outputs": dict(sorted(outputs.items())),
    }
    path = manifest_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def apply(staging: Path, out_dir: Path, replaced_dirs: tuple[str, ...]) -> list[str]:
    """Move every file of ``staging`` into ``out_dir``, one by one with a rename (atomic on
    one file system), skipping those whose bytes are already there; remove the files under
    ``replaced_dirs`` of ``out_dir`` that ``staging`` no longer has. Returns the files
    changed."""
    changed = []
    new = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    for rel in new:
        source, target = staging / rel, out_dir / rel
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        changed.append(rel)
    kept = set(new)
    for folder in replaced_dirs:
        for old in sorted((out_dir / folder).rglob("*")):
            rel = old.relative_to(out_dir).as_posix()
            if old.is_file() and rel not in kept:
                old.unlink()
                changed.append(rel)
    return changed


def entries_named(site: Site, paths: set[str]) -> list[Entry]:
    """The entries of ``site`` whose files are ``paths``, in the order pages are written."""
    return [e for e in site.all_entries() if e.path in paths]
