"""Numba kernels for the weighted least-squares embedding fit Σ λ_ij (<w_i, c_j> - t_ij)².

Pairs are parallel arrays (rows, cols, target, weight); the vectors are float32 rows.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, fastmath=True, error_model="numpy")  # x/0 is inf (skipped), not an error
def adagrad_epoch(rows, cols, target, weight, order, w, gw, c, gc, eta):
    """One AdaGrad pass over the pairs in *order*; returns Σ ½ λ (<w_i, c_j> - t_ij)².

    Su's rule (glove.c): g = λ·diff·(other vector); G += g²; v -= η g / √(G + 1e-8).
    ``c``/``gc`` may be the same arrays as ``w``/``gw`` (one shared vector set). A pair
    whose step is not finite is skipped and leaves everything untouched.
    """
    dim = w.shape[1]
    u1 = np.empty(dim, np.float32)
    u2 = np.empty(dim, np.float32)
    g1 = np.empty(dim, np.float32)
    g2 = np.empty(dim, np.float32)
    cost = 0.0
    for k in range(order.shape[0]):
        p = order[k]
        a = rows[p]
        b = cols[p]
        dot = np.float32(0.0)
        for t in range(dim):
            dot += w[a, t] * c[b, t]
        diff = dot - target[p]
        fdiff = weight[p] * diff
        if not np.isfinite(fdiff):
            continue
        s1 = np.float32(0.0)
        s2 = np.float32(0.0)
        for t in range(dim):
            g1[t] = fdiff * c[b, t]
            g2[t] = fdiff * w[a, t]
            u1[t] = eta * g1[t] / np.sqrt(gw[a, t] + g1[t] * g1[t] + np.float32(1e-8))
            u2[t] = eta * g2[t] / np.sqrt(gc[b, t] + g2[t] * g2[t] + np.float32(1e-8))
            s1 += u1[t]
            s2 += u2[t]
        if not (np.isfinite(s1) and np.isfinite(s2)):
            continue
        cost += 0.5 * fdiff * diff
        for t in range(dim):
            gw[a, t] += g1[t] * g1[t]
            w[a, t] -= u1[t]
            gc[b, t] += g2[t] * g2[t]
            c[b, t] -= u2[t]
    return cost


@njit(cache=True, fastmath=True)
def weighted_cost(rows, cols, target, weight, w, c):
    """Σ ½ λ_ij (<w_i, c_j> - t_ij)² over the pairs."""
    cost = 0.0
    for p in range(rows.shape[0]):
        a = rows[p]
        b = cols[p]
        dot = np.float32(0.0)
        for t in range(w.shape[1]):
            dot += w[a, t] * c[b, t]
        diff = dot - target[p]
        cost += 0.5 * weight[p] * diff * diff
    return cost


@njit(cache=True)
def triangle_indptr(rows, n):
    """CSR row pointers of entries whose (sorted) row ids are *rows*."""
    ptr = np.zeros(n + 1, np.int64)
    for p in range(rows.shape[0]):
        ptr[rows[p] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    return ptr


@njit(cache=True)
def triangle_matvec(indptr, cols, vals, x, y):
    """y = (U + Uᵀ) x, U the strict upper triangle in CSR (float32 values, float64 x, y).

    One pass over the stored triangle: entry (i, j) adds v·x_j to y_i and v·x_i to y_j, so
    the symmetric matrix is never stored twice.
    """
    n = indptr.shape[0] - 1
    for i in range(n):
        y[i] = 0.0
    for i in range(n):
        xi = x[i]
        acc = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            j = cols[p]
            v = np.float64(vals[p])
            acc += v * x[j]
            y[j] += v * xi
        y[i] += acc
