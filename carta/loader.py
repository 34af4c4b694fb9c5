"""Stage 1: files → raw entries (front matter + body + where each key sits).

The loader knows the folder layout and the file format; it does not know the model.
Every problem is collected; nothing here raises for a content mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from . import yamlstrict
from .errors import ContentError
from .kinds import by_folder

#: the YAML files of a content folder and whether each must exist
DATA_FILES: dict[str, bool] = {
    "carta.yaml": True,
    "aree.yaml": True,
    "destinatari.yaml": True,
    "territorio.yaml": True,
    "sinonimi.yaml": False,
    "fonti.yaml": False,
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: ``segretariato-sociale.en`` (the name of a translation file, without ``.md``): slug, language
TRANSLATION_RE = re.compile(r"^(.+)\.([a-z]{2})$")
_IGNORED = re.compile(r"^(\.|_|~)|(~|\.swp|\.swx|\.tmp|\.bak)$")


@dataclass
class RawEntry:
    """One Markdown entry as read from disk."""

    kind: str
    slug: str
    path: str  # as shown to editors, relative to the folder above content/
    front_text: str
    data: Any
    body: str
    body_line: int  # 1-based line of the first body line in the file

    @cached_property
    def positions(self) -> yamlstrict.Positions:
        # front matter starts on line 2 (line 1 is the opening ---)
        return yamlstrict.positions(self.front_text, line_offset=1)

    def where(self, path: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
        return self.positions.of(path, key=key)


@dataclass
class RawTranslation(RawEntry):
    """A translation file beside an entry: ``servizi/<slug>.<lang>.md``."""

    lang: str = ""


@dataclass
class RawData:
    """One YAML data file (carta.yaml, aree.yaml, …)."""

    name: str
    path: str
    text: str
    data: Any

    @cached_property
    def positions(self) -> yamlstrict.Positions:
        return yamlstrict.positions(self.text)

    def where(self, path: tuple[str | int, ...], *, key: bool = False) -> tuple[int, int]:
        return self.positions.of(path, key=key)


@dataclass
class RawContent:
    root: Path
    entries: list[RawEntry] = field(default_factory=list)
    #: the translation files (``<slug>.<lang>.md``), in file order
    translations: list[RawTranslation] = field(default_factory=list)
    data: dict[str, RawData] = field(default_factory=dict)
    problems: list[ContentError] = field(default_factory=list)
    #: (kind, slug) of the entry files that exist but could not be read: references to them
    #: are not reported as missing on top of their own problem
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def display_path(path: Path, root: Path) -> str:
    """Path as an editor sees it: ``content/servizi/sad.md`` (relative to the content's parent)."""
    try:
        return path.relative_to(root.parent).as_posix()
    except ValueError:
        return path.as_posix()


def load_content(root: Path) -> RawContent:
    """Read every file under ``root``. Problems are collected in ``RawContent.problems``."""
    out = RawContent(root=root)
    for name in sorted(p.name for p in root.iterdir()):
        path = root / name
        shown = display_path(path, root)
        if _IGNORED.search(name):
            continue
        if path.is_dir():
            folders = by_folder()
            if name in folders:
                _load_folder(path, folders[name].name, root, out)
            else:
                expected = ", ".join(f"{f}/" for f in folders)
                out.problems.append(
                    ContentError(shown, 0, 0, "", f"cartella sconosciuta: attese {expected}")
                )
        elif name in DATA_FILES:
            _load_data_file(path, name, root, out)
        else:
            expected = ", ".join(DATA_FILES)
            out.problems.append(
                ContentError(
                    shown,
                    0,
                    0,
                    "",
                    f"file sconosciuto: attesi {expected} e le cartelle delle schede",
                )
            )
    for name, required in DATA_FILES.items():
        if (
            required
            and name not in out.data
            and not any(p.path == display_path(root / name, root) for p in out.problems)
        ):
            out.problems.append(
                ContentError(
                    display_path(root / name, root), 0, 0, "", "file obbligatorio mancante"
                )
            )
    return out


#: largest content file read, in bytes: far above any real entry, small enough that every
#: file is read in bounded time and memory
MAX_FILE_BYTES = 1_000_000
#: at most this many invisible characters are listed per file
_MAX_CONTROL_REPORTS = 5


def _read_text(path: Path, shown: str, out: RawContent) -> str | None:
    """The file's text, newlines normalised; ``None`` (with the problem recorded) when it is
    too big, not UTF-8, holds control characters or cannot be read."""
    if not path.is_file():
        out.problems.append(ContentError(shown, 0, 0, "", "non è un file normale: toglilo"))
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            out.problems.append(
                ContentError(
                    shown,
                    0,
                    0,
                    "",
                    f"file troppo grande ({size / 1_000_000:.1f} MB): il limite è "
                    f"{MAX_FILE_BYTES // 1_000_000} MB per file, dividi il testo in più schede",
                )
            )
            return None
        with path.open("rb") as handle:  # bounded even if the file grows meanwhile
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        out.problems.append(
            ContentError(shown, 0, 0, "", f"impossibile leggere il file ({exc.strerror or exc})")
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[start : exc.start].decode("utf-8", errors="replace")) + 1
        out.problems.append(
            ContentError(
                shown,
                line,
                column,
                "",
                f"il file non è in UTF-8 (byte 0x{raw[exc.start]:02x}): salvalo con codifica UTF-8",
            )
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reported = 0
    line, counted = 1, 0
    for found in yamlstrict.CONTROL_RE.finditer(text):
        at = found.start()
        newlines = text.count("\n", counted, at)
        counted = at
        if reported and not newlines:
            continue  # one report per line is enough
        line += newlines
        line_start = text.rfind("\n", 0, at) + 1
        out.problems.append(
            ContentError(
                shown, line, at - line_start + 1, "", yamlstrict.control_message(found.group())
            )
        )
        reported += 1
        if reported == _MAX_CONTROL_REPORTS:
            break
    if reported:
        return None
    return text


def _load_data_file(path: Path, name: str, root: Path, out: RawContent) -> None:
    shown = display_path(path, root)
    text = _read_text(path, shown, out)
    if text is None:
        return
    if not text.strip():
        out.problems.append(ContentError(shown, 0, 0, "", "il file è vuoto"))
        return
    data, problems, readable = yamlstrict.parse(text)
    for p in problems:
        out.problems.append(ContentError(shown, p.line, p.column, "", p.message))
    if readable:
        out.data[name] = RawData(name=name, path=shown, text=text, data=data)


def _load_folder(folder: Path, kind: str, root: Path, out: RawContent) -> None:
    for path in sorted(folder.iterdir()):
        shown = display_path(path, root)
        if _IGNORED.search(path.name):
            continue
        if path.is_dir():
            out.problems.append(
                ContentError(shown, 0, 0, "", f"sottocartella non ammessa in {folder.name}/")
            )
            continue
        if path.suffix != ".md":
            out.problems.append(
                ContentError(
                    shown, 0, 0, "", f"tipo di file non ammesso in {folder.name}/: attesi file .md"
                )
            )
            continue
        slug = path.stem
        lang = ""
        translated = TRANSLATION_RE.match(slug)
        if translated:  # a translation: <slug>.<lang>.md
            slug, lang = translated.groups()
        if not SLUG_RE.match(slug):
            suffix = f".{lang}.md" if lang else ".md"
            out.problems.append(
                ContentError(
                    shown,
                    0,
                    0,
                    "",
                    f"nome di file non valido {path.name!r}: usa solo lettere minuscole, cifre e "
                    f"trattini (ad esempio '{suggest_slug(slug)}{suffix}')",
                )
            )
            continue
        if lang == "it":
            out.problems.append(
                ContentError(
                    shown,
                    0,
                    0,
                    "",
                    f"la scheda in italiano non ha la lingua nel nome: chiamala {slug + '.md'!r}",
                )
            )
            continue
        if lang:
            split = _split_entry(path, shown, kind, slug, out)
            if split is not None:
                out.translations.append(
                    RawTranslation(
                        kind,
                        slug,
                        shown,
                        split.front_text,
                        split.data,
                        split.body,
                        split.body_line,
                        lang,
                    )  # fmt: skip
                )
            continue
        entry = _split_entry(path, shown, kind, slug, out)
        if entry is not None:
            out.entries.append(entry)
        else:
            out.unreadable.append((kind, slug))


def _parse_front(front: str) -> tuple[Any, list[yamlstrict.YamlProblem], bool]:
    """:func:`yamlstrict.parse` of an entry's front matter, remembered for the front matters
    seen last (carta serve reads every file again after each save, and does not parse the
    unchanged ones again); the data is a copy, so that nothing done with it changes what is
    remembered."""
    data, problems, readable = _parsed_front(front)
    return _copy(data), list(problems), readable


@lru_cache(maxsize=30_000)
def _parsed_front(front: str) -> tuple[Any, tuple[yamlstrict.YamlProblem, ...], bool]:
    data, problems, readable = yamlstrict.parse(front, line_offset=1)
    return data, tuple(problems), readable


def _copy(value: Any) -> Any:
    """A copy of parsed YAML: its mappings and lists new, its scalars (immutable) shared."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _split_entry(path: Path, shown: str, kind: str, slug: str, out: RawContent) -> RawEntry | None:
    text = _read_text(path, shown, out)
    if text is None:
        return None
    if not text.strip():
        out.problems.append(
            ContentError(
                shown, 0, 0, "", "il file è vuoto: serve l'intestazione tra due righe '---'"
            )
        )
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        out.problems.append(
            ContentError(shown, 1, 1, "", "manca l'intestazione: la prima riga deve essere '---'")
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        out.problems.append(
            ContentError(
                shown, 1, 1, "", "intestazione non chiusa: manca la riga '---' che la termina"
            )
        )
        return None
    front = "\n".join(lines[1:end]) + "\n"
    data, problems, readable = _parse_front(front)
    for p in problems:
        out.problems.append(ContentError(shown, p.line or 1, p.column or 1, "", p.message))
    if not readable:
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        out.problems.append(
            ContentError(
                shown, 2, 1, "", "l'intestazione deve essere un elenco di chiavi 'chiave: valore'"
            )
        )
        return None
    body = "\n".join(lines[end + 1 :])
    return RawEntry(kind, slug, shown, front, data, body, end + 2)


def suggest_slug(text: str) -> str:
    """A valid slug close to ``text`` (used in messages and by ``carta new``)."""
    from .site import slugify  # here: the server reads this module without the content model

    return slugify(text) or "scheda"
