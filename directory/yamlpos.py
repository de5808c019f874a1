"""Parse YAML into plain values while keeping the line and column of every value.

PyYAML's safe loader throws positions away and lets a duplicate key silently win. Here the file is
composed into nodes (with libyaml when available), and the nodes are walked once into plain Python
values, recording where every key and item came from. The walk refuses what a directory never
needs and an attacker could abuse:

* aliases (``*ref``): a billion-laughs document is refused at the first repeated node, in linear
  time and memory, before anything is expanded;
* tags other than the standard scalar ones (``!!python/object`` and friends);
* duplicate keys, non-scalar keys, and nesting deeper than :data:`MAX_DEPTH`.

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

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from directory.errors import PathwaysError

__all__ = ["MAX_DEPTH", "Mark", "Path", "YamlError", "parse"]

MAX_DEPTH = 50
Path = tuple[str | int, ...]

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
            return self.constructor.construct_object(node)
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


def parse(text: str, file: str) -> tuple[Any, dict[Path, Mark]]:
    """Parse one YAML document; return the plain value and the mark of every path in it.

    ``file`` names the file in messages only. Raises :class:`YamlError` whose ``code`` is a problem
    code (``yaml-syntax``, ``yaml-alias``, ``yaml-tag``, ``duplicate-key``, ``non-string-key``,
    ``empty-file``).
    """
    try:
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
