"""Numba kernel of :mod:`nlpzero.graphs.htmlmap`: the module discs pushed apart."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Module discs: :func:`pack_discs` pulls them back towards their start for this many sweeps,
#: and stops after MAX_PACK_SWEEPS however much they still overlap.
PULL_SWEEPS = 150
MAX_PACK_SWEEPS = 2000


@njit(cache=True)
def pack_discs(centres: np.ndarray, radii: np.ndarray, gap: float) -> np.ndarray:
    """Push discs apart until none overlap (Gauss-Seidel sweeps over all pairs, each
    overlapping pair moved apart at once in proportion to the other's area), pulling each
    disc gently back towards where it started during the first PULL_SWEEPS; coincident
    centres separate along a fixed, index-dependent direction."""
    m = radii.shape[0]
    pos = centres.copy()
    area = radii * radii
    for it in range(MAX_PACK_SWEEPS):
        pull = 0.02 if it < PULL_SWEEPS else 0.0
        worst = 0.0
        for i in range(m):
            for j in range(i + 1, m):
                dx = pos[i, 0] - pos[j, 0]
                dy = pos[i, 1] - pos[j, 1]
                dist = math.sqrt(dx * dx + dy * dy)
                overlap = radii[i] + radii[j] + gap - dist
                if overlap <= 0:
                    continue
                worst = max(worst, overlap)
                if dist < 1e-12:
                    angle = (i * 2.399963 + j * 0.618034) % (2 * math.pi)
                    dx, dy, dist = math.cos(angle), math.sin(angle), 1.0
                share = area[j] / (area[i] + area[j])  # the smaller disc moves more
                f = 0.5 * overlap / dist
                pos[i, 0] += 2 * share * f * dx
                pos[i, 1] += 2 * share * f * dy
                pos[j, 0] -= 2 * (1 - share) * f * dx
                pos[j, 1] -= 2 * (1 - share) * f * dy
        if worst <= 1e-9 * (1 + gap) and pull == 0.0:
            break
        if pull > 0.0:
            for i in range(m):
                pos[i, 0] += pull * (centres[i, 0] - pos[i, 0])
                pos[i, 1] += pull * (centres[i, 1] - pos[i, 1])
    return pos
