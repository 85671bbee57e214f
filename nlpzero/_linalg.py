"""Small array helpers shared by the vector, graph and approximate-arithmetic packages."""

from __future__ import annotations

import numpy as np


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), in the input's float type; the
    norms are summed in float64."""
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64)).astype(matrix.dtype)
    norms[norms == 0] = 1
    return matrix / norms[:, None]
