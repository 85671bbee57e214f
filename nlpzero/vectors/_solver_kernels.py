"""Numba kernels of :mod:`nlpzero.vectors.solvers`, the fits of Σ λ_ij (<w_i, c_j> - t_ij)².

AdaGrad epochs over parallel pair arrays (rows, cols, target, weight); the products of the
symmetric matrices the Lanczos start decomposes (a strict upper triangle in CSR, or the
positive part of the tiled pair matrix); the weighted fit's passes over the tiled pairs.
The vectors are float32 rows.
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


# --- count-weighted least squares over one triangle -------------------------------------------
#
# Loss over the observed pairs, both orientations (entry (a, b), a < b, stored once):
#   L(W, C) = Σ_{a<b} λ_ab [(<w_a, c_b> - t_ab)² + (<w_b, c_a> - t_ab)²] + μ (‖W‖² + ‖C‖²),
#   λ_ab = min(1, (X_ab / x_max)^α).
# The pairs are stored in column tiles (see ``tile_pairs``): cell k * n + a of ``indptr`` holds
# row a's pairs whose column lies in tile k, each column stored as its offset in the tile
# (uint16), so the rows of the other side touched by one tile (3 x tile x d floats) stay in
# cache while its rows are swept.
# With C fixed, L is a sum of independent quadratics in the rows w_i:
#   w_iᵀ A_i w_i - 2 b_iᵀ w_i, A_i = Σ_j λ_ij c_j c_jᵀ + μ I, b_i = Σ_j λ_ij t_ij c_j,
# each solved by a few conjugate-gradient steps run for all rows at once; A_i is never formed
# (each product is one pass over the triangle), so a step costs O(nnz d).


@njit(cache=True)
def pair_weight(count, lut, x_max, alpha):
    """λ = min(1, (X / x_max)^α) for an integer count X (a table below x_max)."""
    if count < lut.shape[0]:
        return lut[count]
    if count >= x_max:
        return np.float32(1.0)
    return np.float32((count / x_max) ** alpha)


# Both-core evaluation without float reductions in thread-dependent order: entry (a, b) of
# the triangle adds to row a (its "gather" half: row a's own pairs, over every tile) and to
# row b (its "scatter" half: b lies in the entry's column tile). A pass runs in two phases,
# each split into pieces that write disjoint rows: first the gathers by blocks of rows (every
# row receives its tiles in ascending order), then the scatters by column tile (every row of
# tile k receives its pairs in ascending row order). So each output row is summed in one
# fixed order, whatever the number of threads and whichever thread runs a piece; the loss is
# summed per piece and the pieces' sums are added in piece order by the caller.


@njit(cache=True, fastmath=True, nogil=True)
def residual_gather(indptr, offsets, tile, target, counts, lut, x_max, alpha, w, c, ridge, r,
                    lo, hi):
    """Rows lo..hi-1: r_a = -ridge w_a + Σ_{b > a} λ_ab (t_ab - <w_a, c_b>) c_b; returns
    their part of the loss, ridge (‖w_a‖² + ‖c_a‖²) + Σ λ_ab (t_ab - <w_a, c_b>)² (float64)."""
    n, dim = w.shape
    loss = 0.0
    for a in range(lo, hi):
        for t in range(dim):
            r[a, t] = -ridge * w[a, t]
            loss += ridge * (np.float64(w[a, t]) * w[a, t] + np.float64(c[a, t]) * c[a, t])
    # row a's own vector and sums live in local buffers (no aliasing with the rows of b,
    # so the inner loops vectorise)
    wa = np.empty(dim, np.float32)
    acc = np.empty(dim, np.float32)
    tiles = (indptr.shape[0] - 1) // n
    for k in range(tiles):
        ck = c[k * tile:]
        for a in range(lo, hi):
            cell = k * n + a
            if indptr[cell] == indptr[cell + 1]:
                continue
            for t in range(dim):
                wa[t] = w[a, t]
                acc[t] = 0.0
            for p in range(indptr[cell], indptr[cell + 1]):
                cb = ck[offsets[p]]
                lam = pair_weight(counts[p], lut, x_max, alpha)
                d1 = np.float32(0.0)
                for t in range(dim):
                    d1 += wa[t] * cb[t]
                e1 = target[p] - d1
                loss += lam * (np.float64(e1) * e1)
                s1 = lam * e1
                for t in range(dim):
                    acc[t] += s1 * cb[t]
            for t in range(dim):
                r[a, t] += acc[t]
    return loss


@njit(cache=True, fastmath=True, nogil=True)
def residual_scatter(indptr, offsets, tile, target, counts, lut, x_max, alpha, w, c, r, k):
    """Column tile k: r_b += λ_ab (t_ab - <w_b, c_a>) c_a for its entries (a, b); returns
    Σ λ_ab (t_ab - <w_b, c_a>)² over them (float64)."""
    n, dim = w.shape
    loss = 0.0
    ca = np.empty(dim, np.float32)
    for a in range(n):
        cell = k * n + a
        if indptr[cell] == indptr[cell + 1]:
            continue
        for t in range(dim):
            ca[t] = c[a, t]
        for p in range(indptr[cell], indptr[cell + 1]):
            b = k * tile + offsets[p]
            lam = pair_weight(counts[p], lut, x_max, alpha)
            wb = w[b]
            rb = r[b]
            d2 = np.float32(0.0)
            for t in range(dim):
                d2 += wb[t] * ca[t]
            e2 = target[p] - d2
            loss += lam * (np.float64(e2) * e2)
            s2 = lam * e2
            for t in range(dim):
                rb[t] += s2 * ca[t]
    return loss


@njit(cache=True, fastmath=True, nogil=True)
def apply_gather(indptr, offsets, tile, counts, lut, x_max, alpha, c, ridge, x, y, lo, hi):
    """Rows lo..hi-1: y_a = ridge x_a + Σ_{b > a} λ_ab <c_b, x_a> c_b."""
    n, dim = x.shape
    for a in range(lo, hi):
        for t in range(dim):
            y[a, t] = ridge * x[a, t]
    xa = np.empty(dim, np.float32)
    acc = np.empty(dim, np.float32)
    tiles = (indptr.shape[0] - 1) // n
    for k in range(tiles):
        ck = c[k * tile:]
        for a in range(lo, hi):
            cell = k * n + a
            if indptr[cell] == indptr[cell + 1]:
                continue
            for t in range(dim):
                xa[t] = x[a, t]
                acc[t] = 0.0
            for p in range(indptr[cell], indptr[cell + 1]):
                cb = ck[offsets[p]]
                lam = pair_weight(counts[p], lut, x_max, alpha)
                d1 = np.float32(0.0)
                for t in range(dim):
                    d1 += cb[t] * xa[t]
                s1 = lam * d1
                for t in range(dim):
                    acc[t] += s1 * cb[t]
            for t in range(dim):
                y[a, t] += acc[t]


@njit(cache=True, fastmath=True, nogil=True)
def apply_scatter(indptr, offsets, tile, counts, lut, x_max, alpha, c, x, y, k):
    """Column tile k: y_b += λ_ab <c_a, x_b> c_a for its entries (a, b)."""
    n, dim = x.shape
    ca = np.empty(dim, np.float32)
    for a in range(n):
        cell = k * n + a
        if indptr[cell] == indptr[cell + 1]:
            continue
        for t in range(dim):
            ca[t] = c[a, t]
        for p in range(indptr[cell], indptr[cell + 1]):
            b = k * tile + offsets[p]
            lam = pair_weight(counts[p], lut, x_max, alpha)
            xb = x[b]
            yb = y[b]
            d2 = np.float32(0.0)
            for t in range(dim):
                d2 += ca[t] * xb[t]
            s2 = lam * d2
            for t in range(dim):
                yb[t] += s2 * ca[t]


@njit(cache=True, nogil=True)
def row_blocks(indptr, n, pieces):
    """Cut points 0 = e_0 < ... = n of about *pieces* blocks of rows holding about equal
    numbers of pairs (a row's pairs over all tiles, plus one for the row itself)."""
    tiles = (indptr.shape[0] - 1) // n
    per_row = np.ones(n, np.int64)
    for k in range(tiles):
        for a in range(n):
            per_row[a] += indptr[k * n + a + 1] - indptr[k * n + a]
    total = per_row.sum()
    edges = np.empty(pieces + 1, np.int64)
    edges[0] = 0
    m = 1
    run = 0
    for a in range(n):
        run += per_row[a]
        if m < pieces and run * pieces >= m * total and a + 1 < n:
            edges[m] = a + 1
            m += 1
    edges[m] = n
    return edges[:m + 1]


@njit(cache=True, fastmath=True)
def cg_rows_step(w, r, p, q, rr):
    """One conjugate-gradient step on every row's system, given q = A p.

    The step length is the exact line minimum α = <p, r> / <p, A p>, so no row's quadratic
    (and hence the loss) can increase; a row with <p, A p> <= 0 (nothing observed) is left
    unchanged. Then r -= α q and p = r + β p with β = <r, r> / <r, r>_previous (Fletcher–Reeves,
    *rr* holds the previous <r, r> per row)."""
    n, dim = w.shape
    for i in range(n):
        pq = 0.0
        pr = 0.0
        for t in range(dim):
            pq += np.float64(p[i, t]) * q[i, t]
            pr += np.float64(p[i, t]) * r[i, t]
        if pq <= 0.0 or pr == 0.0:
            for t in range(dim):
                p[i, t] = 0.0
            rr[i] = 0.0
            continue
        step = np.float32(pr / pq)
        new = 0.0
        for t in range(dim):
            w[i, t] += step * p[i, t]
            r[i, t] -= step * q[i, t]
            new += np.float64(r[i, t]) * r[i, t]
        beta = np.float32(new / rr[i]) if rr[i] > 0.0 else np.float32(0.0)
        for t in range(dim):
            p[i, t] = r[i, t] + beta * p[i, t]
        rr[i] = new


@njit(cache=True)
def row_norms_squared(r, out):
    n, dim = r.shape
    for i in range(n):
        s = 0.0
        for t in range(dim):
            s += np.float64(r[i, t]) * r[i, t]
        out[i] = s


@njit(cache=True)
def tile_pairs(row_ptr, cols, counts, target, log_marginal, log_total, shift, n, tile):
    """The pairs (sorted by row, then column; row a's are row_ptr[a] .. row_ptr[a + 1])
    reordered by (column tile, row, column), with their target: ``target`` - shift when
    given (one value a pair), else PMI - shift = log X - log Z - m_i - m_j - shift computed
    on the way (no separate target array): returns (indptr, offsets, target, counts) with
    indptr[k * n + a] .. indptr[k * n + a + 1] the pairs of row a whose column c has
    c // tile == k, and offsets = c - k * tile (uint16: tile <= 65 536). (Row pointers, not
    a row per pair: the caller can free its rows first.)"""
    tiles = (n + tile - 1) // tile
    ptr = np.zeros(tiles * n + 1, np.int64)
    for a in range(n):
        for p in range(row_ptr[a], row_ptr[a + 1]):
            ptr[(cols[p] // tile) * n + a + 1] += 1
    for k in range(tiles * n):
        ptr[k + 1] += ptr[k]
    fill = ptr[:-1].copy()
    out_cols = np.empty(cols.shape[0], np.uint16)
    out_target = np.empty(cols.shape[0], np.float32)
    out_counts = np.empty(cols.shape[0], np.int32)
    given = target.shape[0] == cols.shape[0]
    for a in range(n):
        for p in range(row_ptr[a], row_ptr[a + 1]):
            cell = (cols[p] // tile) * n + a
            q = fill[cell]
            fill[cell] = q + 1
            out_cols[q] = cols[p] % tile
            if given:
                out_target[q] = target[p] - shift
            else:
                out_target[q] = (np.log(np.float64(counts[p])) - log_total
                                 - log_marginal[a] - log_marginal[cols[p]] - shift)
            out_counts[q] = counts[p]
    return ptr, out_cols, out_target, out_counts


@njit(cache=True)
def tile_pairs_in_place(row_ptr, cols, counts, log_marginal, log_total, shift, n, tile):
    """:func:`tile_pairs` for the PMI target, reusing *counts* (int32; *cols* int32, both
    sorted by row then column, row a's at row_ptr[a] .. row_ptr[a + 1]): the counts are
    permuted into the tiled order in place, and the target and the columns' uint16 tile
    offsets are the only new pair-sized arrays (*cols* is read, not changed, and can be
    freed). Returns (indptr, offsets, target).

    The pairs of one row in one column tile are a run in the sorted order, so a pair's
    destination is the start of its cell in the tiled order plus its place in the run;
    the permutation is applied cycle by cycle, a bit per pair marking the placed ones. A
    position's column is read before the position is filled, so *cols* stays intact."""
    tiles = (n + tile - 1) // tile
    nnz = cols.shape[0]
    ptr = np.zeros(tiles * n + 1, np.int64)
    run = np.empty(tiles * n, np.int64)  # where each cell's run starts in the sorted order
    target = np.empty(nnz, np.float32)
    offsets = np.empty(nnz, np.uint16)
    for a in range(n):
        for p in range(row_ptr[a], row_ptr[a + 1]):
            cell = (cols[p] // tile) * n + a
            if ptr[cell + 1] == 0:
                run[cell] = p
            ptr[cell + 1] += 1
            target[p] = (np.log(np.float64(counts[p])) - log_total - log_marginal[a]
                         - log_marginal[cols[p]] - shift)
    for k in range(tiles * n):
        ptr[k + 1] += ptr[k]
    placed = np.zeros((nnz >> 3) + 1, np.uint8)
    for start in range(nnz):
        if placed[start >> 3] & (1 << (start & 7)):
            continue
        col = cols[start]
        count = counts[start]
        value = target[start]
        src = start
        while True:
            # the carried pair came from src: find its row, hence its cell and destination
            lo = 0
            hi = n
            while hi - lo > 1:  # the last row with row_ptr[row] <= src
                mid = (lo + hi) >> 1
                if row_ptr[mid] <= src:
                    lo = mid
                else:
                    hi = mid
            cell = (col // tile) * n + lo
            d = ptr[cell] + (src - run[cell])
            placed[d >> 3] |= np.uint8(1 << (d & 7))
            next_col = cols[d]
            next_count = counts[d]
            next_value = target[d]
            offsets[d] = col % tile
            counts[d] = count
            target[d] = value
            if d == start:
                break
            col = next_col
            count = next_count
            value = next_value
            src = d
    return ptr, offsets, target


# The spectral start's products: (P + Pᵀ) x for one float64 vector (the Lanczos steps; a
# scalar accumulator, which the 2-D form's inner loop would slow down twofold) and for a
# block of vectors at once (the residual check after it: one pass for many vectors).


@njit(cache=True, nogil=True)
def positive_gather(indptr, offsets, tile, target, x, y, lo, hi):
    """Rows lo..hi-1 of y = (P + Pᵀ) x, their own entries' half: y_a = Σ_{b > a} P_ab x_b,
    P the positive part of the tiled strict upper triangle (the PPMI matrix the spectral start
    decomposes), float64 x and y."""
    n = x.shape[0]
    for a in range(lo, hi):
        y[a] = 0.0
    tiles = (indptr.shape[0] - 1) // n
    for k in range(tiles):
        xk = x[k * tile:]
        for a in range(lo, hi):
            acc = 0.0
            for p in range(indptr[k * n + a], indptr[k * n + a + 1]):
                acc += max(np.float64(target[p]), 0.0) * xk[offsets[p]]  # branch-free
            y[a] += acc


@njit(cache=True, nogil=True)
def positive_scatter(indptr, offsets, tile, target, x, y, k):
    """Column tile k's half of y = (P + Pᵀ) x: y_b += P_ab x_a for its entries (a, b)."""
    n = x.shape[0]
    yk = y[k * tile:]
    for a in range(n):
        xa = x[a]
        for p in range(indptr[k * n + a], indptr[k * n + a + 1]):
            yk[offsets[p]] += max(np.float64(target[p]), 0.0) * xa


@njit(cache=True, nogil=True)
def positive_gather_block(indptr, offsets, tile, target, x, y, lo, hi):
    """:func:`positive_gather` for the columns of x (n x m) at once."""
    n, m = x.shape
    acc = np.empty(m)
    for a in range(lo, hi):
        for t in range(m):
            y[a, t] = 0.0
    tiles = (indptr.shape[0] - 1) // n
    for k in range(tiles):
        xk = x[k * tile:]
        for a in range(lo, hi):
            start = indptr[k * n + a]
            end = indptr[k * n + a + 1]
            if start == end:
                continue
            for t in range(m):
                acc[t] = 0.0
            for p in range(start, end):
                v = max(np.float64(target[p]), 0.0)
                xb = xk[offsets[p]]
                for t in range(m):
                    acc[t] += v * xb[t]
            for t in range(m):
                y[a, t] += acc[t]


@njit(cache=True, nogil=True)
def positive_scatter_block(indptr, offsets, tile, target, x, y, k):
    """:func:`positive_scatter` for the columns of x (n x m) at once."""
    n, m = x.shape
    yk = y[k * tile:]
    for a in range(n):
        xa = x[a]
        for p in range(indptr[k * n + a], indptr[k * n + a + 1]):
            v = max(np.float64(target[p]), 0.0)
            yb = yk[offsets[p]]
            for t in range(m):
                yb[t] += v * xa[t]
