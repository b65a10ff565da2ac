"""Reader for the real foot-IMU walking sample used to check the simulator (gaitmap's example data).

The sample is never shipped with the project; tests and the notebook use it only when present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FS = 204.8
_LEFT_COLUMNS = [1, 3, 5, 7, 9, 11]  # acc_x, acc_y, acc_z (m/s^2), gyr_x, gyr_y, gyr_z (deg/s), left foot


def load_reference(folder: str | Path, foot: str = "left") -> tuple[np.ndarray, np.ndarray]:
    """(samples, 6) signal of one foot and its stride start indices, from ``imu_sample.csv`` and
    ``stride_borders_sample.csv``."""
    folder = Path(folder)
    table = np.genfromtxt(folder / "imu_sample.csv", delimiter=",", skip_header=2)
    columns = _LEFT_COLUMNS if foot == "left" else [c + 1 for c in _LEFT_COLUMNS]
    borders = np.genfromtxt(folder / "stride_borders_sample.csv", delimiter=",", skip_header=1, dtype=None,
                            encoding=None)
    starts = sorted(int(row[2]) for row in borders if row[1] == foot)
    ends = sorted(int(row[3]) for row in borders if row[1] == foot)
    heel = np.array(sorted(set(starts) | {ends[-1]}))
    return table[:, columns].astype(np.float32), heel
