"""Types of the C extension ``matching._kernels`` (see :mod:`matching.kernels`)."""

import numpy as np
import numpy.typing as npt

def site_km(
    lat1: float,
    lon1: float,
    cos1: float,
    two_r: float,
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    cos: npt.NDArray[np.float64],
    index: npt.NDArray[np.int64],
    out: npt.NDArray[np.float64],
    /,
) -> None: ...
def nearest_km(
    lat1: float,
    lon1: float,
    cos1: float,
    two_r: float,
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    cos: npt.NDArray[np.float64],
    site_start: npt.NDArray[np.int64],
    site_flat: npt.NDArray[np.int64],
    slots: npt.NDArray[np.int64],
    km: npt.NDArray[np.float64],
    site: npt.NDArray[np.int64],
    /,
) -> None: ...
