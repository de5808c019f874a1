"""The problem-code catalogue page (``docs/problems.md``), rendered from
:data:`directory.problems.CATALOGUE`; a test keeps the committed page equal to this.

>>> text = render_problems()
>>> "`unknown-need`" in text and "coverage-hole" in text
True
"""

from __future__ import annotations

from directory.problems import CATALOGUE
from pathways.site.escape import md_cell

__all__ = ["render_problems"]

PATH = "problems.md"


def render_problems() -> str:
    """Every problem code with its severity, title and fix hint, errors first."""
    lines = [
        "<!-- Generated from directory/problems.py by pathways.site.problems; do not edit. -->",
        "<!-- Refresh: UPDATE_GOLDEN=1 pytest tests/test_site_pages.py -->",
        "",
        "# Problem codes",
        "",
        "`pathways validate` reports every problem in a directory at once. Each problem has one "
        "of the stable codes below, the file, line and record it was found at, a message and a "
        "hint. Errors stop a directory from loading; warnings are worth a look but do not.",
        "",
    ]
    for severity, heading in (("error", "Errors"), ("warning", "Warnings")):
        lines += [f"## {heading}", "", "| Code | Problem | How to fix it |", "|---|---|---|"]
        for code, (level, title, hint) in CATALOGUE.items():
            if level == severity:
                lines.append(f"| `{code}` | {md_cell(title)} | {md_cell(hint)} |")
        lines.append("")
    return "\n".join(lines)
