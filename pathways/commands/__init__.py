"""Sub-commands of ``pathways``, one module a topic (match, capacity, gaps, site, export...).

Each module defines module-level :mod:`click` commands; :func:`all_commands` collects them, so a
new topic needs no edit of :mod:`pathways.cli`.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

__all__ = ["all_commands"]


def all_commands() -> list[click.Command]:
    """Every click command defined at the top level of a module of this package."""
    found: dict[str, click.Command] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            callback = getattr(value, "callback", None)
            if (
                isinstance(value, click.Command)
                and getattr(callback, "__module__", module.__name__) == module.__name__
                and not _is_subcommand(value, vars(module).values())
            ):
                found.setdefault(value.name or "", value)
    return [found[name] for name in sorted(found)]


def _is_subcommand(command: click.Command, values: object) -> bool:
    groups = [v for v in values if isinstance(v, click.Group)]  # type: ignore[attr-defined]
    return any(command in g.commands.values() for g in groups if g is not command)
