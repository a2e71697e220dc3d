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
from collections.abc import Mapping
from pathlib import Path

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError

__all__ = [
    "ExternalReference",
    "Framework",
    "FrameworkItem",
    "load_case",
]


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
        EvidenceError: ``MK300`` unreadable file, ``MK340`` not JSON, ``MK341`` not a CASE
            package, ``MK342`` an item without identifier, ``MK343`` two items with one code,
            ``MK344`` an entry that is not an object, ``MK345`` two items with one identifier,
            ``MK346`` an association without origin, destination or type, ``MK347`` an item
            that is its own ancestor through ``isChildOf``. Each diagnostic's
            ``location`` names the file and the JSON path (``$.CFItems[3]``).
    """
    path = Path(path)
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        why = {FileNotFoundError: "no such file", IsADirectoryError: "it is a folder"}.get(
            type(err), (err.strerror or str(err)).lower()
        )
        raise EvidenceError(
            [Diagnostic("MK300", f"cannot read `{file}`: {why}", location=file)]
        ) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _error("MK340", f"`{file}` is not valid JSON: not UTF-8 text", file, _TOP) from None
    except json.JSONDecodeError as err:
        raise _error(
            "MK340",
            f"`{file}` is not valid JSON: {err.msg.lower()}",
            file,
            f"line {err.lineno} column {err.colno}",
        ) from None
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
    for code in codes:
        seen = [code]
        parent = parents.get(code)
        while parent is not None and parent not in seen:
            seen.append(parent)
            parent = parents.get(parent)
        if parent == code:
            problems.append(
                Diagnostic(
                    "MK347",
                    f"CFItem `{code}` is its own ancestor through `isChildOf`",
                    help="the chain is " + " → ".join([*seen, code]),
                    location=f"{file} $.CFItems[{by_code[code]}]",
                )
            )
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
