"""The ``--ledger`` option: an SQLite file path or a ``postgresql://`` URL (no commands here)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from matching.store import is_url

if TYPE_CHECKING:
    from collections.abc import Callable

FC = TypeVar("FC", bound="Callable[..., Any]")

__all__ = ["LedgerTarget", "ledger_option"]


class LedgerTarget(click.ParamType[Any]):
    """A ledger: a ``postgresql://`` URL (kept as text) or a file path (a :class:`Path`)."""

    name = "ledger"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The URL as given, or the path; a folder is refused."""
        if isinstance(value, Path) or not is_url(str(value)):
            path = Path(value)
            if path.is_dir():
                self.fail(f"{path} is a folder, not a ledger", param, ctx)
            return path
        return str(value)


def ledger_option(required: bool) -> Callable[[FC], FC]:
    """``--ledger FILE|URL`` (env ``PATHWAYS_LEDGER``)."""
    return click.option(
        "--ledger",
        "ledger_path",
        type=LedgerTarget(),
        envvar="PATHWAYS_LEDGER",
        required=required,
        default=None,
        help="The referrals ledger: an SQLite file or a postgresql:// URL (env PATHWAYS_LEDGER).",
    )
