"""Parse YAML into plain values while keeping the line and column of every value.

PyYAML's safe loader throws positions away and lets a duplicate key silently win. Here the file is
composed into nodes (with libyaml when available), and the nodes are walked once into plain Python
values, recording where every key and item came from. The walk refuses what a directory never
needs and an attacker could abuse:

* aliases (``*ref``): a billion-laughs document is refused at the first repeated node, in linear
  time and memory, before anything is expanded;
* tags other than the standard scalar ones (``!!python/object`` and friends);
* duplicate keys, non-scalar keys, and nesting deeper than :data:`MAX_DEPTH`;
* control characters, reported with their line before the parser sees them.

The nesting depth is measured on libyaml's event stream (an iterative parser with its own stack)
*before* any node is composed: composing is recursive in C, and 50,000 nested ``[`` would overflow
the C stack and kill the process. A scalar that its tag cannot hold (``2026-13-45``, ``!!int x12``)
is kept as the text written when the tag was implied, so the field's own check reports it with its
line; an explicit tag that cannot hold its value is a ``yaml-tag`` error at that line.

>>> value, marks = parse("name: Outside Links\\npathways:\\n  - id: a\\n", "x.yaml")
>>> value
{'name': 'Outside Links', 'pathways': [{'id': 'a'}]}
>>> marks[("pathways", 0, "id")]
Mark(line=3, column=5)
>>> parse("a: 1\\na: 2\\n", "x.yaml")
Traceback (most recent call last):
...
directory.yamlpos.YamlError: duplicate key 'a' (first at line 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from directory.errors import PathwaysError

__all__ = ["MAX_DEPTH", "Mark", "Path", "YamlError", "parse"]

MAX_DEPTH = 50
Path = tuple[str | int, ...]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# what YAML 1.1 allows in a stream: tab, line feed, carriage return, printable characters, NEL,
# and the rest of Unicode but surrogates and the two non-characters U+FFFE, U+FFFF
_NOT_ALLOWED = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    column: int


class YamlError(PathwaysError):
    """A YAML file that cannot be used; ``code`` is a problem code."""

    def __init__(self, code: str, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.mark = mark


def _mark(node: Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    def __init__(self) -> None:
        self.marks: dict[Path, Mark] = {}
        self.seen: set[int] = set()
        self.constructor = SafeConstructor()

    def _near(self, path: Path) -> Mark | None:
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                return self.marks[path[:end]]
        return None

    def scalar(self, node: ScalarNode) -> Any:
        """The scalar's value; its text when an implied tag cannot hold it (``2026-02-30``)."""
        try:
            return self.constructor.construct_object(node)
        except (ValueError, OverflowError, ArithmeticError, yaml.YAMLError) as err:
            implied = Resolver().resolve(  # type: ignore[no-untyped-call]
                ScalarNode, node.value, (True, False)
            )
            if not node.style and implied == node.tag:
                return node.value
            kind = node.tag.rsplit(":", 1)[-1]
            raise YamlError(
                "yaml-tag", f"{node.value[:40]!r} is not a valid {kind}: {err}", _mark(node)
            ) from None

    def walk(self, node: Node, path: Path, depth: int) -> Any:
        if id(node) in self.seen:  # libyaml hands an alias back as the anchored node itself
            raise YamlError("yaml-alias", "anchors and aliases are not allowed", self._near(path))
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlError("yaml-syntax", f"nested more than {MAX_DEPTH} levels", _mark(node))
        if node.tag not in _PLAIN_TAGS:
            raise YamlError("yaml-tag", f"tag {node.tag!r} is not allowed", _mark(node))
        self.marks.setdefault(path, _mark(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            first: dict[str, Mark] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError(
                        "yaml-alias", "merge keys (<<) are not allowed", _mark(key_node)
                    )
                if not isinstance(key_node, ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                    raise YamlError("non-string-key", "a key must be a plain word", _mark(key_node))
                key = str(self.constructor.construct_object(key_node))
                if key in first:
                    raise YamlError(
                        "duplicate-key",
                        f"duplicate key {key!r} (first at line {first[key].line})",
                        _mark(key_node),
                    )
                first[key] = _mark(key_node)
                self.marks[(*path, key)] = _mark(key_node)
                out[key] = self.walk(value_node, (*path, key), depth + 1)
            return out
        raise YamlError("yaml-syntax", "unexpected YAML node", _mark(node))  # pragma: no cover


def _check_depth(text: str, file: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` from the event stream, before composing."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                where = Mark(mark.line + 1, mark.column + 1) if mark is not None else None
                raise YamlError(
                    "yaml-syntax", f"{file}: nested more than {MAX_DEPTH} levels", where
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def parse(text: str, file: str) -> tuple[Any, dict[Path, Mark]]:
    """Parse one YAML document; return the plain value and the mark of every path in it.

    ``file`` names the file in messages only. Raises :class:`YamlError` whose ``code`` is a problem
    code (``yaml-syntax``, ``yaml-alias``, ``yaml-tag``, ``duplicate-key``, ``non-string-key``,
    ``empty-file``).
    """
    bad = _NOT_ALLOWED.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        raise YamlError(
            "yaml-syntax",
            f"{file}: control character U+{ord(bad.group()):04X} is not allowed",
            Mark(line, column),
        )
    try:
        _check_depth(text, file)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark is not None else None
        reason = " ".join(str(x) for x in (err.context, err.problem) if x)
        raise YamlError("yaml-syntax", f"{file}: {reason or 'invalid YAML'}", where) from None
    except yaml.YAMLError as err:
        raise YamlError("yaml-syntax", f"{file}: {err}") from None
    if node is None:
        raise YamlError("empty-file", f"{file} holds no YAML document")
    walker = _Walker()
    value = walker.walk(node, (), 0)
    return value, walker.marks
