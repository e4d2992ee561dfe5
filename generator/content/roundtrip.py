"""Round-trip edits of ``branch.yml``: change values, keep everything else as the staff wrote it.

ruamel.yaml keeps comments, key order, quoting and block styles of a loaded document. The
spreadsheet import puts single cells into a document; the browser editor hands over a whole new
document (plain data), which ``merge`` folds into the loaded one field by field, guided by the
schema, so a value that did not change keeps its exact text and an edited slogan is a one-line
diff.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from ..display import display_width
from . import schema


def yaml_rt() -> YAML:
    """The round-trip loader and dumper; with these settings every example round-trips byte for
    byte."""
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long Chinese lines
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def dump(data: Any) -> str:
    buf = io.StringIO()
    yaml_rt().dump(data, buf)
    return buf.getvalue()


# --- single values ----------------------------------------------------------------------------


def text_value(raw: str, old: Any) -> str:
    """A text field's new value, in the style the file already uses for it.

    A literal block (``|``) stays literal and a folded one (``>``) folded; text with line breaks
    (Markdown lists, several paragraphs) becomes a literal block, since folding would join its
    lines; anything else is one plain line, as the examples write list steps and descriptions.
    """
    text = raw.strip()
    # An empty block of the scaffold (``summary: >``) keeps its clip chomping, as a filled one.
    empty_block = isinstance(old, (LiteralScalarString, FoldedScalarString)) and not old.strip()
    keep_newline = isinstance(old, str) and (old.endswith("\n") or empty_block)
    end = "\n" if keep_newline else ""
    if isinstance(old, LiteralScalarString) or "\n" in text:
        return LiteralScalarString(text + end)
    if isinstance(old, FoldedScalarString):
        return FoldedScalarString(text + end)
    return text


def keep_comment_column(parent: CommentedMap, key: Any, old: Any, new: Any) -> None:
    """Keep the ``# …`` after a changed value where it was on screen.

    ruamel.yaml counts characters, but a Chinese character takes two columns in an editor,
    so without this the aligned comments of the scaffold drift right by one per character.
    """
    entry = parent.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or isinstance(new, (FoldedScalarString, LiteralScalarString)):
        return
    if isinstance(new, (CommentedSeq, CommentedMap)) and not new.fa.flow_style():
        return  # the comment stays on the key's own line

    def shown(value: Any) -> str:
        if isinstance(value, list):
            return "".join(map(str, value))
        return "" if value is None else str(value)

    shift = _extra(shown(new)) - _extra(shown(old))
    token.column = max(0, token.column - shift)


def _extra(text: str) -> int:
    """Columns ``text`` takes beyond its length (ruamel counts comment columns in characters)."""
    return display_width(text) - len(text)


# --- merging a whole new document into a loaded one -------------------------------------------


def merge(
    doc: CommentedMap, new: Mapping[str, Any], spec: schema.Field = schema.BRANCH
) -> list[str]:
    """Fold the plain data ``new`` into the loaded document ``doc``; the fields that changed.

    Fields of the schema only: keys the schema does not know are left as they are (the
    validator reports them). An empty value (blank text, empty list, ``false``) and an absent one
    are the same, so the scaffold's blank lines stay blank and an emptied field is removed.
    """
    changed: list[str] = []
    _merge_map(doc, new, spec, "", changed)
    return changed


def _merge_map(
    old: CommentedMap, new: Mapping[str, Any], spec: schema.Field, where: str, changed: list[str]
) -> None:
    for f in spec.children:
        path = f"{where}.{f.key}" if where else f.key
        value = new.get(f.key) if isinstance(new, Mapping) else None
        present = f.key in old
        before = old.get(f.key)
        if _empty(value, f):
            if present and not _empty(before, f):
                _delete(old, f.key)
                changed.append(path)
            continue
        if not present:
            _insert(old, f, spec, _build(value, f))
            changed.append(path)
            continue
        shown = list(before) if isinstance(before, CommentedSeq) else before  # before merging
        after = _merge_value(before, value, f, path, changed)
        if after is not before:
            old[f.key] = after
        if changed and changed[-1] == path:
            keep_comment_column(old, f.key, shown, after)


def _merge_value(before: Any, value: Any, f: schema.Field, path: str, changed: list[str]) -> Any:
    if f.kind == schema.MAP:
        if isinstance(before, CommentedMap) and isinstance(value, Mapping):
            _merge_map(before, value, f, path, changed)
            return before
    elif f.kind == schema.LIST:
        if isinstance(before, CommentedSeq) and isinstance(value, list):
            if _merge_list(before, value, f, path):
                changed.append(path)
            return before
    elif _same(before, value, f):
        return before
    changed.append(path)
    return _build(value, f, before)


def _merge_list(old: CommentedSeq, new: list, f: schema.Field, path: str) -> bool:
    """Make ``old`` hold ``new``'s items in ``new``'s order, reusing old items (and so their
    comments and styles) that are equal or that name the same thing; True when it changed."""
    assert f.item is not None
    item = f.item
    wanted = [v for v in new if not _empty(v, item)]
    if len(wanted) == len(old) and all(
        _equal(o, v, item) for o, v in zip(old, wanted, strict=True)
    ):
        return False
    used: set[int] = set()
    items: list[Any] = []
    for i, v in enumerate(wanted):
        j = _find(old, used, lambda o, v=v: _equal(o, v, item))
        if j is None and item.kind == schema.MAP:
            ident = _identity(v, item)
            j = _find(
                old, used, lambda o, ident=ident: ident is not None and _identity(o, item) == ident
            )
            if j is None and i < len(old) and i not in used and isinstance(old[i], CommentedMap):
                j = i
        if j is None:
            items.append(_build(v, item))
            continue
        used.add(j)
        o = old[j]
        if isinstance(o, CommentedMap) and isinstance(v, Mapping):
            _merge_map(o, v, item, path, [])
            items.append(o)
        else:
            items.append(o if _equal(o, v, item) else _build(v, item, o))
    if not old and f.item.kind in (schema.LINE, schema.PATH):
        old.fa.set_flow_style()  # the scaffold's ``tags: []`` becomes ``tags: [a, b]``
    tail = _detach_tail(old)
    for i, v in enumerate(items):
        if i >= len(old):
            old.append(v)
        elif old[i] is not v:
            old[i] = v
    del old[len(items) :]
    _attach_tail(old, tail)
    return True


def _find(seq: list, used: set[int], match) -> int | None:
    for j, o in enumerate(seq):
        if j not in used and match(o):
            return j
    return None


def _identity(value: Any, spec: schema.Field) -> str | None:
    """What names a list item (a photo's file, a case's title): its first field."""
    if not isinstance(value, Mapping) or not spec.children:
        return None
    first = spec.children[0]
    got = value.get(first.key)
    return None if _empty(got, first) else _norm(got, first)


def _build(value: Any, f: schema.Field, before: Any = None) -> Any:
    """A new YAML value for ``value``, in the style the scaffold writes."""
    if f.kind == schema.MAP:
        out = CommentedMap()
        if isinstance(value, Mapping):
            for child in f.children:
                v = value.get(child.key)
                if not _empty(v, child):
                    out[child.key] = _build(v, child)
        return out
    if f.kind == schema.LIST:
        assert f.item is not None
        seq = CommentedSeq(
            _build(v, f.item)
            for v in (value if isinstance(value, list) else [value])
            if not _empty(v, f.item)
        )
        if f.item.kind in (schema.LINE, schema.PATH):
            seq.fa.set_flow_style()  # tags: [集体经济, 乡村振兴], as the scaffold writes them
        return seq
    return _scalar(value, f, before)


def _scalar(value: Any, f: schema.Field, before: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value  # the wrong shape: written as given, the validator says what is wrong
    text = _text(value)
    if f.kind == schema.TEXT:
        return text_value(text, before)
    if f.kind in (schema.INT, schema.YEAR):
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else text
    if f.kind == schema.DATE:
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
        return text
    if f.kind == schema.BOOL:
        return {"true": True, "false": False}.get(text.lower(), text)
    return " ".join(text.split())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _norm(value: Any, f: schema.Field) -> str:
    text = _text(value)
    if f.kind == schema.TEXT:
        return "\n".join(line.rstrip() for line in text.split("\n"))
    if f.kind == schema.BOOL:
        return text.lower()
    return " ".join(text.split())


def _same(before: Any, value: Any, f: schema.Field) -> bool:
    if isinstance(before, (dict, list)) or isinstance(value, (dict, list)):
        return False
    return _norm(before, f) == _norm(value, f)


def _equal(old: Any, new: Any, f: schema.Field) -> bool:
    """Whether two values mean the same (what the validator would read from them)."""
    if _empty(old, f) and _empty(new, f):
        return True
    if f.kind == schema.MAP:
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            return False
        if any(k not in {c.key for c in f.children} for k in old):
            return False  # an unknown key would be lost; keep the old item and merge instead
        return all(_equal(old.get(c.key), new.get(c.key), c) for c in f.children)
    if f.kind == schema.LIST:
        assert f.item is not None
        if not isinstance(old, list) or not isinstance(new, list):
            return False
        a = [v for v in old if not _empty(v, f.item)]
        b = [v for v in new if not _empty(v, f.item)]
        return len(a) == len(b) and all(_equal(x, y, f.item) for x, y in zip(a, b, strict=True))
    return _same(old, new, f)


def _empty(value: Any, f: schema.Field) -> bool:
    if value is None:
        return True
    if isinstance(value, bool) and f.kind == schema.BOOL:
        return not value  # false is the default: the same as not writing it
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        known = {c.key: c for c in f.children} if f.kind == schema.MAP else {}
        return all(_empty(v, known[k]) if k in known else v is None for k, v in value.items())
    if isinstance(value, list):
        item = f.item if f.kind == schema.LIST and f.item is not None else f
        return all(_empty(v, item) for v in value)
    return False


# --- keys in place ----------------------------------------------------------------------------


def _insert(doc: CommentedMap, f: schema.Field, spec: schema.Field, value: Any) -> None:
    """Insert a new key after the last present key that comes before it in the schema."""
    order = [c.key for c in spec.children]
    keys = list(doc.keys())
    rank = order.index(f.key)
    pos = 0
    for i, k in enumerate(keys):
        if k in order and order.index(k) < rank:
            pos = i + 1
    doc.insert(pos, f.key, value)
    if pos and pos == len(keys):
        # The blank line or comment that ended the previous last key now ends the new one.
        _move_tail(doc, keys[pos - 1], f.key)


def _delete(doc: CommentedMap, key: str) -> None:
    """Delete a key; blank lines and comment lines after it stay for the key that follows."""
    keys = list(doc.keys())
    i = keys.index(key)
    lines = _following_lines(doc, key)
    del doc[key]
    if lines and i > 0:
        _append_lines(doc, keys[i - 1], lines)


def _token(doc: CommentedMap, key: Any):
    entry = doc.ca.items.get(key)
    return entry[2] if entry and len(entry) > 2 else None


def _following_lines(doc: CommentedMap, key: Any) -> str:
    """The text after the key's own end-of-line comment: blank and comment lines below it."""
    token = _token(doc, key)
    if token is None or "\n" not in token.value:
        return ""
    return token.value.split("\n", 1)[1]


def _append_lines(doc: CommentedMap, key: Any, lines: str) -> None:
    from ruamel.yaml.tokens import CommentToken

    token = _token(doc, key)
    if token is None:
        if isinstance(doc[key], (CommentedMap, CommentedSeq)) and doc[key]:
            return  # a nested value carries its own trailing comments; not worth the risk
        doc.ca.items[key] = [None, None, CommentToken("\n" + lines, None, None), None]
        return
    head = token.value.split("\n", 1)[0]
    token.value = head + "\n" + lines


def _move_tail(doc: CommentedMap, src: Any, dst: Any) -> None:
    lines = _following_lines(doc, src)
    if not lines:
        return
    token = _token(doc, src)
    token.value = token.value.split("\n", 1)[0] + "\n"
    _append_lines(doc, dst, lines)


def _detach_tail(seq: CommentedSeq) -> tuple[Any, str] | None:
    """The blank lines after a block list's last item (they separate it from the next key)."""
    if not seq or seq.fa.flow_style():
        return None
    last = seq[-1]
    if isinstance(last, CommentedMap) and last:
        key = list(last.keys())[-1]
        if isinstance(last[key], (CommentedMap, CommentedSeq)):
            return None
        lines = _following_lines(last, key)
        if lines:
            token = _token(last, key)
            token.value = token.value.split("\n", 1)[0] + "\n"
            return last, lines
    return None


def _attach_tail(seq: CommentedSeq, tail: tuple[Any, str] | None) -> None:
    if tail is None:
        return
    owner, lines = tail
    last = seq[-1] if seq else None
    target = last if isinstance(last, CommentedMap) and last else owner
    key = list(target.keys())[-1]
    if isinstance(target[key], (CommentedMap, CommentedSeq)):
        target = owner
        key = list(owner.keys())[-1]
    _append_lines(target, key, lines)
