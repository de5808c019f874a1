"""CSV from and for spreadsheets: budgets and located errors on reading, no formulas on writing.

Reading (cohort files, counts tables): :func:`read_csv_text` refuses a file over
:data:`MAX_CSV_BYTES` before reading it and turns bytes that are not UTF-8 into a ``not-utf8``
problem with the line and column of the first bad byte; a UTF-8 byte order mark is accepted.
:func:`csv_rows` yields every row with the line it starts on and turns a CSV error (a field over
:data:`MAX_FIELD_CHARS` characters, a NUL byte) into a problem at that line, then goes on.

Writing: a cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading ``'``, as OWASP recommends against
CSV injection; :func:`unescape_cell` takes it off again on reading, so a value goes round
unchanged. A value that itself starts with ``'`` before such a character gets one more ``'``, so
the escape is one-to-one.

>>> escape_cell("=HYPERLINK(1)"), escape_cell("Outside Links"), escape_cell("'=x")
("'=HYPERLINK(1)", 'Outside Links', "''=x")
>>> all(unescape_cell(escape_cell(v)) == v for v in ["=1", "'=1", "''@", "'", "a", "", "-"])
True
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from directory.problems import Problem

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = [
    "FORMULA_START",
    "MAX_CSV_BYTES",
    "MAX_FIELD_CHARS",
    "csv_rows",
    "escape_cell",
    "escape_row",
    "read_csv_text",
    "unescape_cell",
]

#: Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_START = frozenset("=+-@\t\r")
#: Largest CSV file read (a national year of 200,000 assessments is about 20 MB).
MAX_CSV_BYTES = 256 * 1024 * 1024
#: Longest field read: Python's csv default, named here so messages and docs can say it.
MAX_FIELD_CHARS = 131_072


def escape_cell(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would take it for a formula."""
    return "'" + value if value.lstrip("'")[:1] in FORMULA_START and value else value


def unescape_cell(value: str) -> str:
    """The inverse of :func:`escape_cell`: one leading ``'`` off where it put one on."""
    if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_START and value.lstrip("'"):
        return value[1:]
    return value


def escape_row(values: dict[str, object]) -> dict[str, object]:
    """Every text value of a row through :func:`escape_cell`; numbers stay numbers."""
    return {k: escape_cell(v) if isinstance(v, str) else v for k, v in values.items()}


def read_csv_text(
    path: str | os.PathLike[str], problems: list[Problem], *, file: str | None = None
) -> str | None:
    """The text of a CSV file, or None with the reason appended to ``problems``."""
    name = file or str(path)
    target = Path(path)
    try:
        size = target.stat().st_size
        if not target.is_file():
            problems.append(Problem("unreadable-file", f"{name} is not a file", file=name))
            return None
        if size > MAX_CSV_BYTES:
            problems.append(
                Problem(
                    "file-too-large",
                    f"{name} is {size:,} bytes; the limit is {MAX_CSV_BYTES:,}",
                    file=name,
                )
            )
            return None
        raw = target.read_bytes()
    except FileNotFoundError:
        problems.append(Problem("missing-file", f"{name} does not exist", file=name))
        return None
    except OSError as err:
        problems.append(
            Problem("unreadable-file", f"{name} cannot be read: {err.strerror}", file=name)
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        problems.append(
            Problem(
                "not-utf8",
                f"byte {raw[err.start]:#04x} is not UTF-8 (perhaps Latin-1 or Windows-1252)",
                file=name,
                line=line,
                column=err.start - raw.rfind(b"\n", 0, err.start),
                hint="Save the file as CSV UTF-8 (the spreadsheet's 'CSV UTF-8' format).",
            )
        )
        return None


def csv_rows(
    text: str, file: str, code: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each row of ``text``, header included, cells through
    :func:`unescape_cell`; a row that cannot be read is a ``code`` problem at its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            message = str(err)
            if "field larger than field limit" in message:
                message = f"a field is longer than {MAX_FIELD_CHARS:,} characters"
            problems.append(Problem(code, message, file=file, line=line))
            continue
        yield line, [unescape_cell(cell) for cell in row]
