"""Types of the C extension ``matching._cover`` (see :mod:`matching.cover`)."""

from collections.abc import Sequence
from typing import Protocol

class _Option(Protocol):
    mask: int
    agency: int
    distance: int
    spare: int

def search(
    universe: int, options: Sequence[_Option], free: frozenset[int], /
) -> tuple[tuple[int, ...], int, int, int, int] | None: ...
