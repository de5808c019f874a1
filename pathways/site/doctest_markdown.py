"""A Markdown extension for the API reference: doctest examples in docstrings become code blocks.

Docstrings here carry runnable ``>>>`` examples in plain text. Read as Markdown, ``>>>`` would be
three nested quotes and ``[a][b]`` in an output a link; this turns each run of example lines into
a ``pycon`` fenced block (for ``pymdownx.superfences`` or ``fenced_code``). ``mkdocs.yml`` loads
it as ``pathways.site.doctest_markdown``.

>>> print(fence_doctests(["Text.", ">>> 1 + 1", "2", "", "More."]))
['Text.', '', '```pycon', '>>> 1 + 1', '2', '```', '', '', 'More.']
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown  # type: ignore[import-untyped]
from markdown.preprocessors import Preprocessor  # type: ignore[import-untyped]

__all__ = ["DoctestExtension", "fence_doctests", "makeExtension"]

_PROMPT = re.compile(r"^(\s*)>>>( |$)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def fence_doctests(lines: list[str]) -> list[str]:
    """Wrap every run of doctest lines (a ``>>>`` line up to the next blank line) in a fence."""
    out: list[str] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
        prompt = None if in_fence else _PROMPT.match(line)
        if prompt is None:
            out.append(line)
            i += 1
            continue
        indent = prompt.group(1)
        block = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i].removeprefix(indent))
            i += 1
        out += ["", indent + "```pycon", *(indent + b for b in block), indent + "```", ""]
    return out


class _Doctests(Preprocessor):  # type: ignore[misc]
    def run(self, lines: list[str]) -> list[str]:
        return fence_doctests(lines)


class DoctestExtension(Extension):  # type: ignore[misc]
    """Registers the preprocessor ahead of the fenced-code ones."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_Doctests(md), "doctest_fences", 40)


def makeExtension(**kwargs: Any) -> DoctestExtension:
    """The entry point Markdown looks for."""
    return DoctestExtension(**kwargs)
