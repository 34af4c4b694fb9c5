"""Strict YAML: libyaml's C loader with YAML 1.1 surprises removed and duplicate keys refused.

Only ``true``/``false`` are booleans, only plain decimals are numbers, and timestamps stay
text, so ``no`` (a province code), ``00123`` (a postcode) and ``12:30`` (an opening time)
reach the model exactly as written. Validation then types them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_BASE: type[yaml.CSafeLoader] = yaml.CSafeLoader
_DROPPED = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice."""

    def __init__(self, key: object, first_line: int, mark: yaml.Mark):
        super().__init__(problem=f"duplicate key {key!r}", problem_mark=mark)
        self.key = key
        self.first_line = first_line


class StrictLoader(_BASE):
    """CSafeLoader that refuses duplicate keys and resolves fewer implicit types."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # let the base class raise its usual error
            if key in seen:
                raise DuplicateKeyError(key, seen[key].line + 1, key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep)


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789"),
)
# Keep the timestamp and other YAML 1.1 constructors from ever being reached by tag either:
# an explicit ``!!timestamp`` is rare enough to be refused by validation as a non-string.


@dataclass(frozen=True)
class YamlProblem:
    """A syntax problem, 1-based position within the parsed text."""

    line: int
    column: int
    message: str


def load(text: str) -> Any:
    """Parse ``text`` strictly. Raises :class:`yaml.YAMLError` (marks are 0-based)."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a safe loader


def describe(exc: yaml.YAMLError, text: str = "", line_offset: int = 0) -> YamlProblem:
    """Turn a PyYAML exception into an Italian message with a 1-based position in the file
    (``line_offset``: lines of the file before ``text``)."""
    if isinstance(exc, DuplicateKeyError):
        mark = exc.problem_mark
        return YamlProblem(
            mark.line + 1 + line_offset,
            mark.column + 1,
            f"chiave {exc.key!r} ripetuta (già definita alla riga {exc.first_line + line_offset})",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = _translate(problem, context)
    if mark is None:
        return YamlProblem(0, 0, message)
    if "cannot start any token" in problem:
        lines = text.split("\n")
        char = lines[mark.line][mark.column : mark.column + 1] if mark.line < len(lines) else ""
        message = (
            "YAML non valido: tabulazione non ammessa, usa gli spazi per rientrare"
            if char == "\t"
            else f"YAML non valido: il carattere {char!r} non può iniziare un valore "
            "(metti il testo tra virgolette)"
        )
    return YamlProblem(mark.line + 1 + line_offset, mark.column + 1, message)


_TRANSLATIONS = [
    (
        "mapping values are not allowed",
        "':' non ammesso qui (un valore con ': ' va tra virgolette)",
    ),
    ("could not find expected ':'", "manca ':' dopo la chiave"),
    ("found undefined alias", "alias non definito"),
    ("did not find expected key", "rientro non valido: attesa una chiave"),
    ("did not find expected '-' indicator", "rientro non valido: atteso un elemento di lista '-'"),
    (
        "found unexpected end of stream",
        "testo terminato prima del previsto (virgolette o parentesi non chiuse?)",
    ),
    ("found unhashable key", "chiave non valida"),
    ("expected <block end>, but found", "rientro non valido"),
    ("could not determine a constructor for the tag", "tag YAML non ammesso"),
]


def _translate(problem: str, context: str | None) -> str:
    for english, italian in _TRANSLATIONS:
        if english in problem or (context and english in context):
            return f"YAML non valido: {italian}"
    return f"YAML non valido: {problem}"


# --- positions -----------------------------------------------------------------------------

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Where each key and value sits in a YAML text (1-based line and column)."""

    values: dict[Path, tuple[int, int]]
    keys: dict[Path, tuple[int, int]]

    def of(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Position of ``path``, or of its nearest ancestor that exists."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if not key and p in self.keys:
                return self.keys[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


def positions(text: str, line_offset: int = 0) -> Positions:
    """Compose ``text`` (already known to parse) and record the marks of every node."""
    values: dict[Path, tuple[int, int]] = {}
    keys: dict[Path, tuple[int, int]] = {}
    try:
        root = yaml.compose(text, Loader=StrictLoader)  # noqa: S506
    except yaml.YAMLError:
        return Positions(values, keys)

    def mark(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + line_offset, node.start_mark.column + 1

    def walk(node: yaml.Node, path: Path) -> None:
        values[path] = mark(node)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                keys[path + (key,)] = mark(key_node)
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return Positions(values, keys)
