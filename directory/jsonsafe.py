"""JSON from other people's systems: budgets checked before parsing, every refusal located.

:func:`loads` is :func:`json.loads` with the limits an import needs:

* nesting deeper than :data:`MAX_DEPTH` is refused by a scan of the brackets *before* the parser
  runs (the parser recurses; 100,000 ``[`` would end in a ``RecursionError``);
* integers longer than :data:`MAX_INT_DIGITS` digits, ``NaN``, ``Infinity`` and numbers too large
  for a float are refused (JSON has no NaN; a 5,000-digit integer is nobody's capacity);
* a key written twice in one object is refused: the parser would silently keep the last.

Every refusal is a :class:`JsonError` carrying a problem ``code`` (``json-syntax``,
``json-too-deep``, ``json-number``, ``duplicate-key``) and the line and column where known.

>>> loads('{"places": 12}')
{'places': 12}
>>> loads('{"a": 1, "a": 2}')
Traceback (most recent call last):
...
directory.jsonsafe.JsonError: key 'a' appears twice in one object
>>> loads_error("[" * 100 + "]" * 100)
'json-too-deep at 1:65'
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from directory.errors import PathwaysError

__all__ = ["MAX_DEPTH", "MAX_INT_DIGITS", "JsonError", "loads", "loads_error"]

#: Deepest nesting of arrays and objects accepted (an ORUK service nests about 6 levels).
MAX_DEPTH = 64
#: Longest integer accepted, in digits (a signed 64-bit integer has at most 19).
MAX_INT_DIGITS = 19

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


class JsonError(PathwaysError, ValueError):
    """A JSON text refused; ``code`` is a problem code, ``line``/``column`` 1-based or None."""

    def __init__(
        self, code: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


def _where(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


def _check_depth(text: str, max_depth: int) -> None:
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > max_depth:
                line, column = _where(text, token.start())
                raise JsonError(
                    "json-too-deep", f"nested more than {max_depth} levels", line, column
                )
        elif char in "]}":
            depth -= 1


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonError(
            "json-number", f"an integer of {len(text.lstrip('-')):,} digits is too large"
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonError("json-number", f"{text[:40]} is too large for a number")
    return value


def _constant(text: str) -> Any:
    raise JsonError("json-number", f"{text} is not a JSON number")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonError("duplicate-key", f"key {key[:60]!r} appears twice in one object")
        out[key] = value
    return out


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one JSON text within the budgets above; raise :class:`JsonError` otherwise."""
    _check_depth(text, max_depth)
    try:
        return json.loads(
            text,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
            object_pairs_hook=_pairs,
        )
    except json.JSONDecodeError as err:
        raise JsonError("json-syntax", f"not JSON: {err.msg}", err.lineno, err.colno) from None
    except RecursionError:  # pragma: no cover - the depth scan refuses these first
        raise JsonError("json-too-deep", "nested too deeply") from None


def loads_error(text: str) -> str:
    """The code and place of the refusal of ``text`` (``"ok"`` when accepted): for examples.

    >>> loads_error('{"minimum_age": NaN}')
    'json-number'
    """
    try:
        loads(text)
    except JsonError as err:
        return err.code + (f" at {err.line}:{err.column}" if err.line is not None else "")
    return "ok"
