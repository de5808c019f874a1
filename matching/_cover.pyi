"""Types of the C extension ``matching._cover`` (see :mod:`matching.cover`)."""

from collections.abc import Sequence

from matching.cover import OptionLike

def search(
    universe: int, options: Sequence[OptionLike], free: frozenset[int], /
) -> tuple[tuple[int, ...], int, int, int, int, int] | None: ...
