"""Online form schemas (`form_schema`, the package's `BIEUMAUTRUCTUYEN`): what one may contain, and form
data checked against one without the network, the disk or a backtracking regular-expression engine.

The rules (docs/catalog-import.md), checked at import and again before a stored schema is used:

- at most MAX_SCHEMA_BYTES of JSON, nested at most MAX_DEPTH deep;
- references (`$ref`, `$dynamicRef`) start with `#` and point at a part of the schema itself; `$id` only
  at the root, so a fragment always means this document. Validation uses a `referencing` registry that
  retrieves nothing, so even a schema stored before these rules cannot make the server fetch a URL or
  read a file;
- patterns (`pattern`, the keys of `patternProperties`, the `regex` format) compile in RE2, which runs
  in time linear in the input, and have no nested quantifier such as `(a+)+`: the portal also runs
  `pattern` in the citizen's browser, whose engine backtracks. On the server they run in RE2 only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

MAX_SCHEMA_BYTES = 64 * 1024
MAX_DEPTH = 32
MAX_PATTERN_LENGTH = 1000
REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")
WORDS = ("title", "description", "x-enum-labels")  # what a form's shape does not depend on
# jsonschema evaluates patternProperties for unevaluatedProperties with Python's `re`, out of our reach
UNEVALUATED_WITH_PATTERNS = "unevaluatedProperties"


class UnsafeSchema(ValueError):
    """A form schema that breaks the rules; the message is the Vietnamese reason."""


def schema_problem(schema: Any) -> str | None:
    """Why an online form schema may not be stored or used, in Vietnamese; None when it may."""
    if _depth(schema) > MAX_DEPTH:
        return f"biểu mẫu lồng nhau quá {MAX_DEPTH} cấp."
    size = len(json.dumps(schema, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_SCHEMA_BYTES:
        return f"biểu mẫu dài {size} byte, vượt giới hạn {MAX_SCHEMA_BYTES} byte (64 KiB)."
    return _shape_problem(json.dumps(shape(schema), sort_keys=True))


def shape(node: Any) -> Any:
    """A schema without its words: forms that differ only in titles share one check."""
    if isinstance(node, dict):
        return {k: shape(v) for k, v in node.items() if k not in WORDS}
    if isinstance(node, list):
        return [shape(v) for v in node]
    return node


def form_validator(schema: dict[str, Any]) -> Any:
    """A validator of form data for the schema, or UnsafeSchema. Its errors may still raise
    `referencing.exceptions.Unresolvable` or RecursionError for a schema stored before these rules."""
    return _validator(json.dumps(schema, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> Any:
    from referencing import Registry

    schema = json.loads(schema_json)
    problem = schema_problem(schema)
    if problem:
        raise UnsafeSchema(problem)
    kind, checker = _kind()
    return kind(schema, registry=Registry(retrieve=_retrieve_nothing), format_checker=checker)  # type: ignore[call-arg]


# -- the checks ---------------------------------------------------------------------------------------


def _depth(node: Any) -> int:
    deepest, pending = 0, [(node, 1)]
    while pending:
        item, level = pending.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        pending.extend((child, level + 1) for child in children)
    return deepest


def _nodes(node: Any, root: bool = True) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every object in the schema, and whether it is the root."""
    if isinstance(node, dict):
        yield node, root
        for value in node.values():
            yield from _nodes(value, False)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value, False)


@lru_cache(maxsize=4096)
def _shape_problem(shape_json: str) -> str | None:
    # the metaschema check costs ~15 ms, so each distinct shape is checked once
    schema = json.loads(shape_json)
    references: list[str] = []
    uses: set[str] = set()
    for node, root in _nodes(schema):
        for keyword in REFERENCES:
            target = node.get(keyword)
            if isinstance(target, str):
                if not target.startswith("#"):
                    return f"tham chiếu {keyword} «{target[:100]}» trỏ ra ngoài biểu mẫu; chỉ dùng «#/...»."
                references.append(target)
        if "$id" in node and not root:
            return "chỉ phần gốc của biểu mẫu được có $id."
        patterns = [node.get("pattern"), *(node.get("patternProperties") or {})]
        for pattern in patterns:
            problem = pattern_problem(pattern) if isinstance(pattern, str) else None
            if problem:
                return problem
        uses.update(k for k in ("patternProperties", UNEVALUATED_WITH_PATTERNS) if k in node)
    if len(uses) == 2:
        return "không hỗ trợ dùng unevaluatedProperties cùng patternProperties."
    return _metaschema_problem(schema) or _reference_problem(schema, references)


def _metaschema_problem(schema: dict[str, Any]) -> str | None:
    from jsonschema.exceptions import SchemaError

    kind, checker = _kind()
    try:
        kind.check_schema(schema, format_checker=checker)
    except SchemaError as err:
        return f"không phải JSON Schema hợp lệ: {str(err.message)[:200]}"
    return None


def _reference_problem(schema: dict[str, Any], references: list[str]) -> str | None:
    from referencing import Registry
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    resource = DRAFT202012.create_resource(schema)
    resolver = Registry(retrieve=_retrieve_nothing).resolver_with_root(resource)  # type: ignore[call-arg]
    for reference in references:
        try:
            resolver.lookup(reference)
        except Unresolvable:
            return f"tham chiếu «{reference[:100]}» không trỏ tới phần nào của biểu mẫu."
    kind, checker = _kind()
    trial = kind(schema, registry=Registry(retrieve=_retrieve_nothing), format_checker=checker)  # type: ignore[call-arg]
    try:
        # a reference cycle with no data in between (`{"$ref": "#"}`) would recurse for any form
        for _ in trial.iter_errors({}):
            pass
    except (RecursionError, Unresolvable):
        return "biểu mẫu tham chiếu vòng tới chính nó."
    return None


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern may not be used, in Vietnamese; None when it compiles in RE2 and cannot backtrack."""
    shown = pattern[:100]
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"mẫu kiểm tra dài quá {MAX_PATTERN_LENGTH} ký tự."
    import re2

    try:
        _re2(pattern)
    except re2.error as err:
        reason = err.args[0].decode(errors="replace") if err.args and isinstance(err.args[0], bytes) else err
        return f"mẫu kiểm tra «{shown}» không dùng được ({reason})."
    if has_nested_quantifier(pattern):
        return (
            f"mẫu kiểm tra «{shown}» có lượng từ lồng nhau (như (a+)+), "
            "có thể chạy rất lâu trên trình duyệt của người dân."
        )
    return None


# -- patterns ---------------------------------------------------------------------------------------

_QUANTIFIER = re.compile(r"[*+?]|\{(\d+)(,(\d*))?\}")
_UNICODE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})")


def _quantifier(pattern: str, at: int) -> tuple[bool, bool, int]:
    """Whether a quantifier stands at `at`, whether it allows more than one repetition, where it ends."""
    found = _QUANTIFIER.match(pattern, at)
    if not found:
        return False, False, at
    text, end = found.group(0), found.end()
    if end < len(pattern) and pattern[end] in "?+":
        end += 1  # lazy or possessive: as many repetitions as the greedy form
    if text in "*+":
        return True, True, end
    if text == "?":
        return True, False, end
    low, comma, high = found.group(1), found.group(2), found.group(3)
    return True, (int(low) > 1 if not comma else (not high or int(high) > 1)), end


def has_nested_quantifier(pattern: str) -> bool:
    """A repeated group holding a quantifier or an alternative: how a backtracking engine goes
    exponential (`(a+)+`, `(a|a)*`, `(a?)*`). Conservative: it also refuses some safe patterns."""
    frames = [[False, False]]  # per open group: holds a quantifier, holds an alternative
    at = 0
    while at < len(pattern):
        char = pattern[at]
        if char == "(":
            frames.append([False, False])
            at += 1
            continue
        if char == "|":
            frames[-1][1] = True
            at += 1
            continue
        if char == ")" and len(frames) > 1:
            inner = frames.pop()
            quantified, repeated, at = _quantifier(pattern, at + 1)
            if repeated and (inner[0] or inner[1]):
                return True
            frames[-1][0] = frames[-1][0] or inner[0] or quantified
            continue
        quantified, _, at = _quantifier(pattern, _skip_atom(pattern, at))
        frames[-1][0] = frames[-1][0] or quantified
    return False


def _skip_atom(pattern: str, at: int) -> int:
    if pattern[at] == "\\":
        if at + 2 < len(pattern) and pattern[at + 1] in "pPx" and pattern[at + 2] == "{":
            close = pattern.find("}", at)
            return close + 1 if close > 0 else len(pattern)
        return at + 2
    if pattern[at] == "[":
        at += 1
        if at < len(pattern) and pattern[at] == "^":
            at += 1
        if at < len(pattern) and pattern[at] == "]":
            at += 1  # a leading ] is a character of the class
        while at < len(pattern) and pattern[at] != "]":
            at += 2 if pattern[at] == "\\" else 1
        return at + 1
    return at + 1


def _re2(pattern: str) -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False
    # JSON Schema patterns are ECMA-262, where \uXXXX is a character; RE2 spells it \x{XXXX}
    return re2.compile(_UNICODE_ESCAPE.sub(r"\1\\x{\2}", pattern), options)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    return _re2(pattern)


def _search(pattern: str, text: str) -> bool:
    return _compiled(pattern).search(text) is not None


# -- the validator ----------------------------------------------------------------------------------


def _retrieve_nothing(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@cache
def _kind() -> tuple[Any, Any]:
    """Draft 2020-12 whose pattern keywords and `regex` format run in RE2, and its format checker."""
    import re2
    from jsonschema import Draft202012Validator, FormatChecker, validators

    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("regex", raises=re2.error)(lambda value: not isinstance(value, str) or bool(_re2(value)))
    kind = validators.extend(
        Draft202012Validator,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        },
        format_checker=checker,
    )
    return kind, checker


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, allowed: Any, instance: Any, schema: dict[str, Any]) -> Any:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = sorted(
        (k for k in instance if k not in declared and not any(_search(p, k) for p in patterns)), key=str
    )
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif not allowed and extras:
        yield ValidationError(f"Additional properties are not allowed ({', '.join(map(repr, extras))})")
