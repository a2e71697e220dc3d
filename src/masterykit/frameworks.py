"""Competency frameworks from outside the policy: 1EdTech CASE 1.0 packages.

``import framework "state-math.json"`` in a policy, or :func:`load_case` in Python, reads a CASE
package into a :class:`Framework`: one :class:`FrameworkItem` per CFItem, coded by its
``humanCodingScheme`` (items without one by their identifier), titled by its ``fullStatement``,
with ``isChildOf`` giving the tree and ``precedes`` the prerequisites. Associations whose other
end is not in the package are kept as :class:`ExternalReference` values and reported in the
summary, never as errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError, FileTooLarge, read_limited

__all__ = [
    "MAX_FRAMEWORK_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_DIGITS",
    "MAX_TREE_DEPTH",
    "ExternalReference",
    "Framework",
    "FrameworkItem",
    "load_case",
]

#: The largest framework file :func:`load_case` reads: 64 MiB, room for the 20,000 competencies a
#: policy may hold with every association and attribute CASE gives them.
MAX_FRAMEWORK_BYTES = 64 * 1024 * 1024
#: How deep arrays and objects may nest in a framework file (a CASE package nests about 5 deep).
MAX_JSON_DEPTH = 64
#: The most digits a whole number in a framework file may have (Python's own default limit on
#: turning text into whole numbers).
MAX_JSON_DIGITS = 4300
#: How many levels deep items may sit under each other through ``isChildOf`` (a CASE framework
#: has a handful: subject, grade, domain, cluster, standard, component). An item with children
#: selects everything below it, so a policy's selections grow with depth times items.
MAX_TREE_DEPTH = 64


@attrs.frozen(slots=True)
class FrameworkItem:
    """One CFItem: its competency code, title, CASE identifier, parent item's code (``None`` at
    the top), the codes of the items that precede it, and kept attributes (``CFItemType``,
    education level, abbreviated statement …)."""

    code: str
    title: str | None
    identifier: str
    parent: str | None = None
    prerequisites: tuple[str, ...] = ()
    attributes: Mapping[str, str] = attrs.field(factory=dict, hash=False)


@attrs.frozen(slots=True)
class ExternalReference:
    """An association whose other end is outside the package (kept, otherwise ignored)."""

    association: str
    origin: str
    destination: str
    kind: str


@attrs.frozen(slots=True)
class Framework:
    """A loaded competency framework: its title, its CFDocument identifier, its items in the
    package's order, and the associations that point outside it."""

    title: str
    identifier: str
    items: tuple[FrameworkItem, ...]
    external: tuple[ExternalReference, ...] = ()
    file: str | None = None


# --- loading CASE packages -------------------------------------------------------------------

_TOP = "$"


def _error(
    code: str, message: str, file: str, where: str, help: str | None = None
) -> EvidenceError:
    return EvidenceError([Diagnostic(code, message, help=help, location=f"{file} {where}")])


def _node_id(value: object) -> str | None:
    """The identifier a ``*URI`` field points at: an object's ``identifier`` (else its ``uri``),
    or a plain string (a URI or an identifier)."""
    if isinstance(value, Mapping):
        for key in ("identifier", "uri"):
            found = value.get(key)
            if isinstance(found, str) and found.strip():
                return found.strip()
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _uri_title(value: object) -> str | None:
    if isinstance(value, Mapping):
        title = value.get("title")
        return title.strip() if isinstance(title, str) and title.strip() else None
    return None


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _attributes(item: Mapping[str, object]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    item_type = _text(item.get("CFItemType")) or _uri_title(item.get("CFItemTypeURI"))
    if item_type:
        attributes["CFItemType"] = item_type
    levels = item.get("educationLevel")
    if isinstance(levels, list):
        level = ",".join(str(v).strip() for v in levels if str(v).strip())
    else:
        level = _text(levels) or _text(item.get("educationalLevel")) or ""
    if level:
        attributes["educationLevel"] = level
    for key in ("abbreviatedStatement", "language"):
        value = _text(item.get(key))
        if value:
            attributes[key] = value
    return attributes


class _LongNumber:
    """A whole number too long to convert, kept as its digit count until it is reported."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _parse_int(text: str) -> int | _LongNumber:
    digits = len(text.lstrip("-"))
    return _LongNumber(digits) if digits > MAX_JSON_DIGITS else int(text)


# A `\uD800`–`\uDFFF` escape: the only way JSON text in UTF-8 can hold a surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _key_path(parent: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key)}]"


def _lone_surrogate(text: str) -> str | None:
    """The first lone surrogate in ``text``, written as a JSON escape (``\\ud800``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return f"\\u{ord(text[err.start]):04x}"
    return None


def _walk(data: object) -> Iterator[tuple[str, int, object]]:
    """Every value of a parsed JSON document with its JSON path and depth, without recursion;
    arrays and objects deeper than :data:`MAX_JSON_DEPTH` are not entered."""
    todo: list[tuple[str, int, object]] = [(_TOP, 0, data)]
    while todo:
        where, depth, value = todo.pop()
        yield where, depth, value
        if depth >= MAX_JSON_DEPTH:
            continue
        if isinstance(value, dict):
            todo.extend(
                (_key_path(where, key), depth + 1, item) for key, item in reversed(value.items())
            )
        elif isinstance(value, list):
            todo.extend(
                (f"{where}[{index}]", depth + 1, item)
                for index, item in reversed(list(enumerate(value)))
            )


def _too_deep(data: object) -> bool:
    """Whether arrays and objects nest deeper than :data:`MAX_JSON_DEPTH`: a quick walk, level
    by level, over the arrays and objects only."""
    level: list[object] = [data] if isinstance(data, (dict, list)) else []
    for _depth in range(MAX_JSON_DEPTH):
        below: list[object] = []
        for value in level:
            children = value.values() if isinstance(value, dict) else value
            assert isinstance(children, Iterable)
            below.extend([child for child in children if isinstance(child, (dict, list))])
        level = below
    return any(level)


def _check_values(data: object, file: str, surrogates: bool) -> None:
    """Refuse values masterykit cannot hold safely: nesting over :data:`MAX_JSON_DEPTH`
    (``MK614``), whole numbers over :data:`MAX_JSON_DIGITS` digits (``MK615``) and, when the
    text has surrogate escapes, text with half of a surrogate pair (``MK613``)."""
    for where, depth, value in _walk(data):
        if isinstance(value, (dict, list)) and depth >= MAX_JSON_DEPTH and value:
            raise _error(
                "MK614",
                f"arrays and objects are nested more than {MAX_JSON_DEPTH} deep",
                file,
                where,
                help="a CASE package nests a few levels deep; this file is not one",
            )
        if isinstance(value, _LongNumber):
            raise _error(
                "MK615",
                f"a number has {value.digits:,} digits; numbers in a framework file have at "
                f"most {MAX_JSON_DIGITS:,}",
                file,
                where,
            )
        if not surrogates:
            continue
        texts = [value] if isinstance(value, str) else []
        if isinstance(value, dict):
            texts = list(value)
        for text in texts:
            half = _lone_surrogate(text)
            if half is not None:
                kind = "a key" if text is not value else "the text"
                raise _error(
                    "MK613",
                    f"{kind} holds `{half}`, half of a surrogate pair, which is not a character",
                    file,
                    where,
                    help="UTF-16 surrogates come in pairs, such as `\\ud83d\\ude00`; fix the "
                    "program that wrote this file",
                )


def _read_json(path: Path, file: str) -> object:
    """The parsed JSON of a framework file, or an :class:`EvidenceError`."""
    long_numbers: list[int] = []

    def parse_int(text: str) -> int | _LongNumber:
        number = _parse_int(text)
        if isinstance(number, _LongNumber):
            long_numbers.append(number.digits)
        return number

    try:
        raw = read_limited(path, MAX_FRAMEWORK_BYTES)
    except FileTooLarge as err:
        raise _error(
            "MK612",
            f"`{file}` is {err}; a framework file may be at most {MAX_FRAMEWORK_BYTES:,} bytes",
            file,
            _TOP,
            help="import the framework in parts, one file per subject",
        ) from None
    except OSError as err:
        why = {FileNotFoundError: "no such file", IsADirectoryError: "it is a folder"}.get(
            type(err), (err.strerror or str(err)).lower()
        )
        raise EvidenceError(
            [Diagnostic("MK300", f"cannot read `{file}`: {why}", location=file)]
        ) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_int=parse_int)
    except UnicodeDecodeError:
        raise _error("MK340", f"`{file}` is not valid JSON: not UTF-8 text", file, _TOP) from None
    except json.JSONDecodeError as err:
        raise _error(
            "MK340",
            f"`{file}` is not valid JSON: {err.msg.lower()}",
            file,
            f"line {err.lineno} column {err.colno}",
        ) from None
    except RecursionError:
        # Deeper than Python's own parser goes, far deeper than MAX_JSON_DEPTH.
        raise _error(
            "MK614",
            f"arrays and objects are nested more than {MAX_JSON_DEPTH} deep",
            file,
            _TOP,
            help="a CASE package nests a few levels deep; this file is not one",
        ) from None
    surrogates = _SURROGATE_ESCAPE.search(raw) is not None
    if surrogates or long_numbers or _too_deep(data):
        _check_values(data, file, surrogates)  # finds the value at fault, with its path
    return data


def _chain_text(cycle: list[str], at: int, *, closed: bool = True) -> str:
    """``A → B → A``: the cycle read from its member at index ``at`` back to it (or, not
    ``closed``, a chain read from its start to its end), the middle of a long one left out."""
    size = len(cycle)
    length = size + 1 if closed else size
    steps = list(range(length))
    if length > 12:
        steps = [*range(5), -1, *range(length - 5, length)]
    return " → ".join(
        f"… ({length - 10:,} more)" if step < 0 else cycle[(at + step) % size] for step in steps
    )


def _too_deep_tree(
    codes: list[str], parents: Mapping[str, str | None], by_code: Mapping[str, int], file: str
) -> list[Diagnostic]:
    """``MK616`` for the deepest item when items sit more than :data:`MAX_TREE_DEPTH` levels
    under each other (the parents form no circle); each item's depth is found once."""
    depth: dict[str, int] = {}
    for code in codes:
        walk: list[str] = []
        node: str | None = code
        while node is not None and node not in depth:
            walk.append(node)
            node = parents.get(node)
        level = depth[node] if node is not None else 0
        for member in reversed(walk):
            level += 1
            depth[member] = level
    deepest = max(codes, key=lambda code: depth[code], default=None)
    if deepest is None or depth[deepest] <= MAX_TREE_DEPTH:
        return []
    chain: list[str] = []
    node = deepest
    while node is not None:
        chain.append(node)
        node = parents.get(node)
    chain.reverse()
    return [
        Diagnostic(
            "MK616",
            f"CFItem `{deepest}` sits {depth[deepest]:,} levels deep through `isChildOf`; "
            f"items nest at most {MAX_TREE_DEPTH} levels deep",
            help="the chain is " + _chain_text(chain, 0, closed=False),
            location=f"{file} $.CFItems[{by_code[deepest]}]",
        )
    ]


def _parent_cycles(
    codes: list[str], parents: Mapping[str, str | None], by_code: Mapping[str, int], file: str
) -> list[Diagnostic]:
    """``MK347`` for each item that is its own ancestor, following each parent link once."""
    state: dict[str, int] = {}  # 1: on the walk being followed, 2: done
    cycle_of: dict[str, tuple[list[str], int]] = {}
    for code in codes:
        walk: list[str] = []
        node: str | None = code
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = parents.get(node)
        if node is not None and state[node] == 1:
            cycle = walk[walk.index(node) :]
            for at, member in enumerate(cycle):
                cycle_of[member] = (cycle, at)
        for member in walk:
            state[member] = 2
    problems = []
    for code in codes:
        found = cycle_of.get(code)
        if found is None:
            continue
        problems.append(
            Diagnostic(
                "MK347",
                f"CFItem `{code}` is its own ancestor through `isChildOf`",
                help="the chain is " + _chain_text(*found),
                location=f"{file} $.CFItems[{by_code[code]}]",
            )
        )
    return problems


def load_case(path: str | Path) -> Framework:
    """Load a 1EdTech CASE 1.0 package (CFPackage JSON) as a :class:`Framework`.

    Each CFItem becomes a :class:`FrameworkItem`: code = ``humanCodingScheme`` (else the
    identifier), title = ``fullStatement``, ``CFItemType`` (or ``CFItemTypeURI.title``) and the
    education level (``educationLevel`` list or older ``educationalLevel`` text, kept as
    comma-separated text) in the attributes. ``isChildOf`` gives the parent (an item that is a
    child of the CFDocument is at the top; when an item has several parents the first counts);
    ``precedes`` gives prerequisites: the origin comes before the destination, so the
    destination gets the origin as a prerequisite. ``*URI`` fields may be objects
    (``{title, identifier, uri}``) or plain strings. An association with an end outside the
    package becomes an :class:`ExternalReference`.

    Raises:
        EvidenceError: ``MK300`` unreadable file, ``MK612`` a file larger than
            :data:`MAX_FRAMEWORK_BYTES`, ``MK613`` text that holds half of a surrogate pair,
            ``MK614`` arrays and objects nested deeper than :data:`MAX_JSON_DEPTH`, ``MK615`` a
            number longer than :data:`MAX_JSON_DIGITS` digits, ``MK340`` not JSON, ``MK341``
            not a CASE package, ``MK342`` an item without identifier, ``MK343`` two items with
            one code, ``MK344`` an entry that is not an object, ``MK345`` two items with one
            identifier, ``MK346`` an association without origin, destination or type, ``MK347``
            an item that is its own ancestor through ``isChildOf``, ``MK616`` items nested
            deeper than :data:`MAX_TREE_DEPTH` through ``isChildOf``. Each diagnostic's
            ``location`` names the file and the JSON path (``$.CFItems[3]``).
    """
    path = Path(path)
    file = str(path)
    data = _read_json(path, file)
    if not isinstance(data, dict) or not isinstance(data.get("CFDocument"), dict):
        raise _error(
            "MK341",
            "not a CASE package: there is no `CFDocument` object",
            file,
            _TOP,
            help="a CASE package is a JSON object with `CFDocument`, `CFItems` and "
            "`CFAssociations`",
        )
    document = data["CFDocument"]
    doc_id = _text(document.get("identifier")) or ""
    doc_uri = _text(document.get("uri"))
    raw_items = data.get("CFItems", [])
    raw_assocs = data.get("CFAssociations", [])
    for key, value in (("CFItems", raw_items), ("CFAssociations", raw_assocs)):
        if not isinstance(value, list):
            raise _error("MK341", f"not a CASE package: `{key}` is not a list", file, f"$.{key}")
    problems: list[Diagnostic] = []
    by_id: dict[str, int] = {}
    by_code: dict[str, int] = {}
    uri_to_id: dict[str, str] = {}
    codes: list[str] = []
    kept: list[Mapping[str, object]] = []
    for index, item in enumerate(raw_items):
        where = f"{file} $.CFItems[{index}]"
        if not isinstance(item, dict):
            problems.append(Diagnostic("MK344", "CFItem is not a JSON object", location=where))
            continue
        identifier = _text(item.get("identifier"))
        if identifier is None:
            problems.append(Diagnostic("MK342", "CFItem has no `identifier`", location=where))
            continue
        if identifier in by_id:
            problems.append(
                Diagnostic(
                    "MK345",
                    f"two CFItems have the identifier `{identifier}`",
                    help=f"the first is $.CFItems[{by_id[identifier]}]",
                    location=where,
                )
            )
            continue
        code = _text(item.get("humanCodingScheme")) or identifier
        if code in by_code:
            problems.append(
                Diagnostic(
                    "MK343",
                    f"two CFItems have the code `{code}`",
                    help=f"the first is $.CFItems[{by_code[code]}]; codes must be unique",
                    location=where,
                )
            )
            continue
        by_id[identifier] = index
        by_code[code] = index
        uri = _text(item.get("uri"))
        if uri:
            uri_to_id[uri] = identifier
        codes.append(code)
        kept.append(item)
    code_of = {
        _text(item.get("identifier")) or "": code for item, code in zip(kept, codes, strict=True)
    }
    parents: dict[str, str | None] = {}
    prerequisites: dict[str, list[str]] = {}
    external: list[ExternalReference] = []
    for index, assoc in enumerate(raw_assocs):
        where = f"{file} $.CFAssociations[{index}]"
        if not isinstance(assoc, dict):
            problems.append(
                Diagnostic("MK344", "CFAssociation is not a JSON object", location=where)
            )
            continue
        kind = _text(assoc.get("associationType"))
        origin = _node_id(assoc.get("originNodeURI"))
        destination = _node_id(assoc.get("destinationNodeURI"))
        missing = [
            name
            for name, value in (
                ("associationType", kind),
                ("originNodeURI", origin),
                ("destinationNodeURI", destination),
            )
            if value is None
        ]
        if missing or kind is None or origin is None or destination is None:
            problems.append(
                Diagnostic("MK346", f"CFAssociation has no `{missing[0]}`", location=where)
            )
            continue
        origin = uri_to_id.get(origin, origin)
        destination = uri_to_id.get(destination, destination)
        is_document = destination in (doc_id, doc_uri)
        if kind == "isChildOf" and origin in code_of and (destination in code_of or is_document):
            parents.setdefault(code_of[origin], None if is_document else code_of[destination])
        elif origin in code_of and destination in code_of:
            if kind == "precedes":
                prerequisites.setdefault(code_of[destination], []).append(code_of[origin])
        else:
            association = _text(assoc.get("identifier")) or f"$.CFAssociations[{index}]"
            external.append(ExternalReference(association, origin, destination, kind))
    cycles = _parent_cycles(codes, parents, by_code, file)
    problems.extend(cycles)
    if not cycles:
        problems.extend(_too_deep_tree(codes, parents, by_code, file))
    if problems:
        raise EvidenceError(problems)
    items = tuple(
        FrameworkItem(
            code=code,
            title=_text(item.get("fullStatement")),
            identifier=_text(item.get("identifier")) or code,
            parent=parents.get(code),
            prerequisites=tuple(dict.fromkeys(prerequisites.get(code, ()))),
            attributes=_attributes(item),
        )
        for item, code in zip(kept, codes, strict=True)
    )
    title = _text(document.get("title")) or _uri_title(document.get("CFPackageURI")) or doc_id
    return Framework(title, doc_id, items, tuple(external), file)
