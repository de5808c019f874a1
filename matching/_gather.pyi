"""Types of the C extension ``matching._gather`` (see :mod:`matching.gather`)."""

import numpy as np
import numpy.typing as npt

def gather(
    rec: npt.NDArray[np.int64],
    list_start: npt.NDArray[np.int64],
    list_slots: npt.NDArray[np.int64],
    grid_start: npt.NDArray[np.int64],
    grid_slots: npt.NDArray[np.int64],
    many_start: npt.NDArray[np.int64],
    many_slots: npt.NDArray[np.int64],
    evq_of: npt.NDArray[np.int64],
    list_base: int,
    n_needs: int,
    needs: list[int],
    cells: list[int],
    skip: npt.NDArray[np.int64],
    free: npt.NDArray[np.int64],
    ok: tuple[bool, ...],
    universe: int,
    waitlist: bool,
    /,
) -> tuple[bytes, bytes, bytes, bytes]: ...
def reduce_rows(
    slot: npt.NDArray[np.int64],
    mask: npt.NDArray[np.int64],
    agency: npt.NDArray[np.int64],
    distance: npt.NDArray[np.int64],
    spare: npt.NDArray[np.int64],
    waitlisted: npt.NDArray[np.bool_],
    engaged: npt.NDArray[np.int64],
    prune: bool,
    /,
) -> tuple[bytes, bytes, bytes]: ...
def union(
    start_a: npt.NDArray[np.int64],
    slots_a: npt.NDArray[np.int64],
    keys_a: list[int],
    start_b: npt.NDArray[np.int64],
    slots_b: npt.NDArray[np.int64],
    keys_b: list[int],
    n: int,
    /,
) -> bytes: ...
