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

_BASE = yaml.CSafeLoader
_DROPPED = {
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:value",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}


#: deepest nesting of lists and groups of keys a content file may use
MAX_DEPTH = 50
#: longest single value, in characters
MAX_SCALAR = 20_000
#: longest whole number, in digits (longer ones are codes: they go between quotes)
MAX_DIGITS = 15

_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
#: characters no content file may hold: C0 controls but tab and newline, DEL, C1 controls,
#: the Unicode line and paragraph separators and the two non-characters YAML refuses
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def describe_char(char: str) -> str:
    """``U+0007`` for a character an editor cannot see."""
    return f"U+{ord(char):04X}"


def control_message(char: str) -> str:
    return (
        f"carattere di controllo {describe_char(char)} non ammesso: è invisibile, di solito "
        "arriva da un copia e incolla; cancellalo e riscrivi il testo intorno"
    )


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice."""

    def __init__(self, key: object, first_line: int, mark: yaml.Mark):
        super().__init__(problem=f"duplicate key {key!r}", problem_mark=mark)
        self.mark = mark
        self.key = key
        self.first_line = first_line


class RefusedError(yaml.MarkedYAMLError):
    """Something YAML allows and a content file may not hold (tags, anchors, too deep, too
    long); ``problem`` is already Italian."""

    def __init__(self, problem: str, mark: yaml.Mark | yaml._yaml.Mark | None):
        if mark is not None and not isinstance(mark, yaml.Mark):  # libyaml's events carry its own
            mark = yaml.Mark(mark.name, mark.index, mark.line, mark.column, None, 0)
        super().__init__(problem=problem, problem_mark=mark)


class StrictLoader(_BASE):
    """CSafeLoader that records duplicate keys and resolves fewer implicit types.

    A duplicate key does not stop the file: it is recorded in ``duplicates`` and the last
    value wins, so that the rest of the file can still be checked in the same run."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKeyError] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # let the base class raise its usual error
            if key in seen:
                self.duplicates.append(
                    DuplicateKeyError(key, seen[key].line + 1, key_node.start_mark)
                )
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


def _mark_at(text: str, index: int) -> yaml.Mark:
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    return yaml.Mark("<testo>", index, line, column, None, 0)


def _shown_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def screen(text: str) -> None:
    """Refuse, before anything is built, what editors never need: invisible control
    characters, tags (``!!bool yes``), anchors and aliases (``&a``, ``*a``: a few hundred
    bytes of aliases can expand to gigabytes), nesting deeper than :data:`MAX_DEPTH`, values
    longer than :data:`MAX_SCALAR` and whole numbers longer than :data:`MAX_DIGITS`.

    Reads libyaml's event stream, which holds one event at a time: time and memory grow
    with the text, never with what it would expand to. Raises :class:`RefusedError` or the
    parser's own :class:`yaml.YAMLError`.
    """
    found = CONTROL_RE.search(text)
    if found:
        raise RefusedError(control_message(found.group()), _mark_at(text, found.start()))
    depth = 0
    for event in yaml.parse(text, Loader=_BASE):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise RefusedError(
                f"alias '*{event.anchor}' non ammesso: scrivi il valore per esteso", mark
            )
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            raise RefusedError(
                f"ancora '&{event.anchor}' non ammessa: togli '&{event.anchor}' e scrivi "
                "i valori per esteso",
                mark,
            )
        tag = getattr(event, "tag", None)
        if isinstance(event, yaml.NodeEvent) and tag is not None:
            raise RefusedError(
                f"tag YAML {_shown_tag(tag)!r} non ammesso: scrivi solo il valore (i tipi li "
                "decide la Carta; un testo che inizia con '!' va tra virgolette)",
                mark,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise RefusedError(
                    f"troppi livelli annidati: al massimo {MAX_DEPTH} liste o gruppi di chiavi "
                    "uno dentro l'altro",
                    mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            value = event.value
            if len(value) > MAX_SCALAR:
                raise RefusedError(
                    f"valore troppo lungo: {len(value)} caratteri, al massimo {MAX_SCALAR}", mark
                )
            digits = len(value.lstrip("+-"))
            if event.implicit[0] and digits > MAX_DIGITS and _INT_RE.match(value):
                raise RefusedError(
                    f"numero troppo lungo: {digits} cifre, al massimo {MAX_DIGITS} (se è un "
                    "codice, mettilo tra virgolette)",
                    mark,
                )


def _load(text: str) -> tuple[Any, list[DuplicateKeyError]]:
    screen(text)
    loader = StrictLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def load(text: str) -> Any:
    """Parse ``text`` strictly. Raises :class:`yaml.YAMLError` (marks are 0-based), also
    for a duplicate key."""
    data, duplicates = _load(text)
    if duplicates:
        raise duplicates[0]
    return data


def parse(text: str, line_offset: int = 0) -> tuple[Any, list[YamlProblem], bool]:
    """Parse ``text`` strictly and never raise: ``(data, problems, readable)``.

    A duplicate key is a problem but the file stays readable (the last value wins), so its
    other mistakes are found in the same run; anything else that stops the parser makes the
    file unreadable (``data`` is ``None``). Positions are 1-based, in the file.
    """
    try:
        data, duplicates = _load(text)
    except yaml.YAMLError as exc:
        return None, [describe(exc, text, line_offset)], False
    except Exception as exc:  # noqa: BLE001 - no byte sequence may end in a traceback
        return None, [unreadable(exc, line_offset)], False
    return data, [describe(d, text, line_offset) for d in duplicates], True


def unreadable(exc: BaseException, line_offset: int = 0) -> YamlProblem:
    """A failure nobody foresaw, as a problem at the start of the text."""
    return YamlProblem(
        1 + line_offset,
        1,
        f"YAML non leggibile ({type(exc).__name__}): controlla questa parte del file",
    )


def describe(exc: yaml.YAMLError, text: str = "", line_offset: int = 0) -> YamlProblem:
    """Turn a PyYAML exception into an Italian message with a 1-based position in the file
    (``line_offset``: lines of the file before ``text``)."""
    if isinstance(exc, DuplicateKeyError):
        return YamlProblem(
            exc.mark.line + 1 + line_offset,
            exc.mark.column + 1,
            f"chiave {exc.key!r} ripetuta (già definita alla riga {exc.first_line + line_offset})",
        )
    if isinstance(exc, RefusedError):
        mark = exc.problem_mark
        line, column = (mark.line, mark.column) if mark else (0, 0)
        return YamlProblem(line + 1 + line_offset, column + 1, f"YAML non valido: {exc.problem}")
    if isinstance(exc, yaml.reader.ReaderError):
        index = min(max(exc.position, 0), len(text))
        at = _mark_at(text, index)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        return YamlProblem(
            at.line + 1 + line_offset, at.column + 1, control_message(char[:1] or "?")
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
    ("did not find expected node content", "manca un valore (o il valore non è valido)"),
    ("did not find expected ',' or ']'", "lista tra '[' e ']' non chiusa o senza virgole"),
    ("did not find expected ',' or '}'", "gruppo tra '{' e '}' non chiuso o senza virgole"),
    (
        "found unknown escape character",
        "sequenza con '\\' non valida tra virgolette doppie (usa le virgolette semplici)",
    ),
    ("expected a single document", "il file deve contenere un solo documento (niente '---')"),
    ("found unexpected ':'", "':' non ammesso qui (metti il testo tra virgolette)"),
    ("found a tab character", "tabulazione non ammessa, usa gli spazi"),
    ("expected alphabetic or numeric character", "nome di ancora, alias o tag non valido"),
    ("found duplicate anchor", "ancora ripetuta"),
    ("did not find expected <document start>", "testo in più dopo la fine dei dati"),
    (
        "block sequence entries are not allowed",
        "un elemento di lista '-' non può stare qui (va a capo e rientra)",
    ),
]


def _translate(problem: str, context: str | None) -> str:
    for english, italian in _TRANSLATIONS:
        if english in problem or (context and english in context):
            return f"YAML non valido: {italian}"
    return f"YAML non valido: controlla rientri, ':' e virgolette (il lettore dice: {problem})"


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
        screen(text)
        root = yaml.compose(text, Loader=StrictLoader)  # noqa: S506
    except Exception:  # noqa: BLE001 - positions are a help, never a failure
        return Positions(values, keys)

    def mark(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + line_offset, node.start_mark.column + 1

    # iterative, so that no nesting can exhaust the stack
    stack: list[tuple[yaml.Node, Path]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        values[path] = mark(node)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                keys[path + (key,)] = mark(key_node)
                stack.append((value_node, path + (key,)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in reversed(list(enumerate(node.value))):
                stack.append((item, path + (i,)))
    return Positions(values, keys)
