"""How the ``pathways`` command prints: problems like compilers, tables that never cut a word.

Three rules, shared by every command:

* **Problems** print one per line as compilers and linters print them, then the hint indented
  below, so editors and CI logs can jump to them (:func:`problem_lines`)::

      agencies/casus.yaml:26:1: warning stale: agency 'casus' last verified 2025-06-01
          hint: Check the agency's details and update last_verified.

* **Widths** come from the terminal, or from ``COLUMNS`` when it is set (rich reads it); piped
  output without ``COLUMNS`` is 80 columns wide. Nothing forces a width.
* **Tables** (:func:`print_table`) never cut an id or a header inside a word. On a terminal
  wide enough, a table with borders; otherwise (piped, or too narrow) plain aligned lines, with
  the long prose columns moved onto indented lines below their row, wrapped between words.
  A word longer than the line is kept whole: it flows past the edge rather than being cut.

>>> from io import StringIO
>>> from rich.console import Console
>>> out = StringIO()
>>> print_table(
...     Console(file=out, width=40),
...     [Column("pathway"), Column("left", justify="right"), Column("why", prose=True)],
...     [["aspire-alcohol-diversion-course", "12", "the only candidate in reach"]],
... )
>>> print(out.getvalue().rstrip())
pathway                          left
aspire-alcohol-diversion-course    12
    why: the only candidate in reach
"""

from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from directory.problems import Problem

__all__ = [
    "Column",
    "make_console",
    "note",
    "print_paragraph",
    "print_problems",
    "print_table",
    "problem_lines",
    "problem_where",
    "shown_path",
]

Cell = str | Text

_MIN_PROSE = 16  # a prose column narrower than this reads badly in a bordered table
_INDENT = "    "


def make_console(stderr: bool = False) -> Console:
    """A console for stdout (or stderr) that respects the terminal and ``COLUMNS``.

    No width is forced: rich takes the terminal's width, or ``COLUMNS`` when set, or 80 when
    the output is piped.
    """
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def note(message: str) -> None:
    """Tell the reader on stderr how something they typed was read (never on stdout).

    >>> note("read 'housng' as 'accommodation' (Housing and accommodation)")
    """
    print(f"note: {message}", file=sys.stderr)


# ------------------------------------------------------------------------------ problems
def shown_path(base: Path | None, file: str | None) -> str | None:
    """The path of a problem's file as a reader's editor can open it.

    A file relative to ``base`` (the directory folder) is joined to it; the result is shown
    relative to the working folder when it lies inside it, else in full.

    >>> shown_path(None, "agencies/casus.yaml")
    'agencies/casus.yaml'
    >>> shown_path(Path("my-dir"), "agencies/casus.yaml")
    'my-dir/agencies/casus.yaml'
    """
    if file is None:
        return None
    path = Path(file)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return os.path.normpath(path) if base is not None else file


def problem_where(problem: Problem, base: Path | None = None) -> str:
    """``file:line:col`` of a problem (column 1 when only the line is known).

    >>> from directory.problems import Problem
    >>> problem_where(Problem("bad-url", "x", file="a.yaml", line=3), Path("d"))
    'd/a.yaml:3:1'
    """
    parts = [shown_path(base, problem.file) or "<directory>"]
    if problem.line is not None:
        parts.append(str(problem.line))
        parts.append(str(problem.column if problem.column is not None else 1))
    return ":".join(parts)


def problem_lines(problem: Problem, base: Path | None = None) -> list[str]:
    """A problem as a compiler prints it: ``file:line:col: severity code: message`` and a hint.

    The record, when the message does not name it already, follows in brackets.

    >>> from directory.problems import Problem
    >>> p = Problem("stale", "agency 'casus' last verified 2025-06-01", severity="warning",
    ...             file="agencies/casus.yaml", line=26, record="casus")
    >>> print("\\n".join(problem_lines(p)))
    agencies/casus.yaml:26:1: warning stale: agency 'casus' last verified 2025-06-01
        hint: Check the agency's details and update last_verified.
    """
    message = problem.message
    if problem.record and problem.record not in message:
        message += f" [{problem.record}]"
    if problem.field and problem.line is None and problem.field not in message:
        message += f" (at {problem.field})"  # a JSON pointer, where there are no lines
    lines = [f"{problem_where(problem, base)}: {problem.severity} {problem.code}: {message}"]
    if problem.hint:
        lines.append(f"{_INDENT}hint: {problem.hint}")
    return lines


def print_problems(
    problems: Iterable[Problem], console: Console, *, base: Path | None = None
) -> None:
    """Every problem, one per line with its hint below, coloured by severity on a terminal.

    Lines are never wrapped or cut (an editor needs the location whole).
    """
    for problem in problems:
        first, *rest = problem_lines(problem, base)
        style = "red" if problem.severity == "error" else "yellow"
        console.print(Text(first, style=style if console.is_terminal else ""), soft_wrap=True)
        for line in rest:
            console.print(Text(line), soft_wrap=True)


def print_paragraph(console: Console, title: str, text: str) -> None:
    """A titled paragraph: a panel on a terminal, else the title and the text wrapped between
    words at the console's width."""
    if console.is_terminal:
        console.print(Panel(Text(text), title=escape(title), expand=True))
        return
    console.print(Text(f"{title}:"), soft_wrap=True)
    for line in textwrap.wrap(
        text,
        width=max(console.width, 24),
        initial_indent=_INDENT,
        subsequent_indent=_INDENT,
        break_long_words=False,
        break_on_hyphens=False,
    ):
        console.print(Text(line), soft_wrap=True)


# ------------------------------------------------------------------------------ tables
@dataclass(frozen=True, slots=True)
class Column:
    """A column of :func:`print_table`.

    ``prose`` columns (reasons, messages, descriptions) may wrap between words and move below
    their row in plain output; other columns (ids, numbers, statuses) are always kept whole.
    """

    name: str
    justify: Literal["left", "right"] = "left"
    prose: bool = False


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _rich(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def _width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _pad(text: str, width: int, justify: str) -> str:
    return text.rjust(width) if justify == "right" else text.ljust(width)


def print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str | None = None,
) -> None:
    """Print rows as a bordered table on a wide enough terminal, else as plain lines.

    Cells are plain strings (printed as they are, never as markup) or :class:`rich.text.Text`
    for colour. Neither form cuts a cell or a header inside a word.
    """
    if title:
        console.print(Text(title, style="bold"), soft_wrap=True)
    if not rows:
        return
    keys = [i for i, c in enumerate(columns) if not c.prose]
    widths = [
        max(_width(_plain(row[i])) for row in rows) if not c.prose else 0
        for i, c in enumerate(columns)
    ]
    if console.is_terminal and _fits(columns, widths, console.width):
        _bordered(console, columns, rows, widths)
        return
    # a header word is never cut: a key column is at least as wide as its header
    widths = [
        max(w, len(c.name)) if not c.prose else 0 for w, c in zip(widths, columns, strict=True)
    ]
    prose = [i for i, c in enumerate(columns) if c.prose]
    inline = _inline_fits(columns, rows, widths, console.width)
    hanging = not inline and _hanging_fits(columns, widths, console.width)
    shown = keys + prose if inline or hanging else keys
    if inline:
        for i in prose:  # the last column flows; others are padded to their widest cell
            widths[i] = max(len(columns[i].name), *(_width(_plain(r[i])) for r in rows))
    header = "  ".join(
        _pad(columns[i].name, widths[i], columns[i].justify) for i in sorted(shown)
    ).rstrip()
    console.print(Text(header, style="bold" if console.is_terminal else ""), soft_wrap=True)
    for row in rows:
        cells = [
            _pad(_plain(row[i]).replace("\n", "; "), widths[i], columns[i].justify)
            for i in sorted(keys + prose if inline else keys)
        ]
        line = "  ".join(cells)
        if hanging:  # one prose column, last: wrapped beside the others, under its header
            margin = " " * (len(line) + 2)
            text = " ".join(_plain(row[prose[0]]).split())
            wrapped = textwrap.wrap(
                text,
                width=console.width,
                initial_indent=margin,
                subsequent_indent=margin,
                break_long_words=False,
                break_on_hyphens=False,
            ) or [margin]
            wrapped[0] = line + "  " + wrapped[0][len(margin) :]
            for part in wrapped:
                console.print(Text(part.rstrip()), soft_wrap=True)
            continue
        console.print(Text(line.rstrip()), soft_wrap=True)
        if inline:
            continue
        for i in prose:
            text = " ".join(_plain(row[i]).split())
            if not text:
                continue
            for part in textwrap.wrap(
                f"{columns[i].name}: {text}",
                width=max(console.width, 24),
                initial_indent=_INDENT,
                subsequent_indent=_INDENT * 2,
                break_long_words=False,
                break_on_hyphens=False,
            ):
                console.print(Text(part), soft_wrap=True)


def _hanging_fits(columns: Sequence[Column], widths: Sequence[int], total: int) -> bool:
    """One prose column, the last, beside key columns that leave it half the line or more."""
    if not columns or not columns[-1].prose or sum(c.prose for c in columns) != 1:
        return False
    keys = sum(widths[:-1]) + 2 * (len(columns) - 1)
    return keys <= total // 2


def _fits(columns: Sequence[Column], widths: Sequence[int], total: int) -> bool:
    """Whether a bordered table keeps every key column whole and leaves prose room to read."""
    need = 1 + sum(
        3 + max(w, len(c.name)) for c, w in zip(columns, widths, strict=True) if not c.prose
    )
    prose = sum(1 for c in columns if c.prose)
    return need + prose * (3 + _MIN_PROSE) <= total


def _inline_fits(
    columns: Sequence[Column], rows: Sequence[Sequence[Cell]], widths: Sequence[int], total: int
) -> bool:
    if not any(c.prose for c in columns):
        return True
    full = [
        max(len(c.name), *(_width(_plain(r[i])) for r in rows)) if c.prose else widths[i]
        for i, c in enumerate(columns)
    ]
    return sum(full) + 2 * (len(columns) - 1) <= total


def _bordered(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], widths: list[int]
) -> None:
    table = Table(header_style="bold", show_lines=any(c.prose for c in columns))
    for c, w in zip(columns, widths, strict=True):
        if c.prose:
            table.add_column(escape(c.name), justify=c.justify, overflow="fold")
        else:
            table.add_column(
                escape(c.name), justify=c.justify, no_wrap=True, min_width=max(w, len(c.name))
            )
    for row in rows:
        table.add_row(*(_rich(cell) for cell in row))
    console.print(table)
