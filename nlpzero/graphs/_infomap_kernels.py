"""Numba kernels for the Infomap search: the node-move core loop and network aggregation.

A network at any level of the search is a set of nodes with flow ``p``, exit and enter flow
(``x``, ``e``, which may include flow to nodes outside the network), and links in CSR form
(``out_ptr``/``out_nbr``/``out_flow``, and the transpose ``in_*`` for directed flow; undirected
networks store each link in both directions and pass ``symmetric=True``). Self-links are never
stored. Every node belongs to a *group* (``group``): moves never leave it, and each group g has
its own index codebook ``plogp(offset_g + Σ_{i∈g} q_i↶) − Σ_{i∈g} plogp(q_i↶)``. One group with
offset 0 is the plain two-level map equation; groups with offset = their exit flow give the
sub-module problems of coarse tuning and of the hierarchical map equation (Rosvall & Bergstrom
2011), solved for all modules in one call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: A move must shorten the code by more than this (bits), as in Infomap's
#: ``minimumSingleNodeCodelengthImprovement``.
MIN_MOVE_IMPROVEMENT_BITS = 1e-16


@njit(cache=True, inline="always")
def plogp(x: float) -> float:
    return x * np.log2(x) if x > 0.0 else 0.0


@njit(cache=True)
def seed(value: int) -> None:
    """Seed Numba's random generator (separate from NumPy's), used for the visiting order."""
    np.random.seed(value)


@njit(cache=True)
def module_sums(module, node_flow, node_exit, node_enter, out_ptr, out_nbr, out_flow, n_modules):
    """Flow, exit and enter flow of every module: node sums minus the links inside it."""
    mod_flow = np.zeros(n_modules)
    mod_exit = np.zeros(n_modules)
    mod_enter = np.zeros(n_modules)
    for a in range(len(module)):
        m = module[a]
        mod_flow[m] += node_flow[a]
        mod_exit[m] += node_exit[a]
        mod_enter[m] += node_enter[a]
        for k in range(out_ptr[a], out_ptr[a + 1]):
            if module[out_nbr[k]] == m:
                mod_exit[m] -= out_flow[k]
                mod_enter[m] -= out_flow[k]
    for m in range(n_modules):  # cancellation can leave -1e-18 where the true value is 0
        mod_exit[m] = max(mod_exit[m], 0.0)
        mod_enter[m] = max(mod_enter[m], 0.0)
    return mod_flow, mod_exit, mod_enter


@njit(cache=True)
def codelength_bits(module, group, group_offset, node_flow, node_exit, node_enter,
                    out_ptr, out_nbr, out_flow):
    """Σ over groups of their two-level codelength (index + module codebooks), in bits.

    With a single group of offset 0 this is the map equation L(M); the constant
    ``− Σ_α plogp(p_α)`` is included, ``− plogp(offset_g)`` is not.
    """
    n = len(module)
    n_modules = np.int64(0)  # not the literal 0, which compiles module_sums twice
    for a in range(n):
        n_modules = max(n_modules, module[a] + 1)
    mod_flow, mod_exit, mod_enter = module_sums(module, node_flow, node_exit, node_enter,
                                                out_ptr, out_nbr, out_flow, n_modules)
    mod_group = np.full(n_modules, -1, dtype=np.int64)
    for a in range(n):
        mod_group[module[a]] = group[a]
    enter_sum = np.zeros(len(group_offset))
    total = 0.0
    for m in range(n_modules):
        g = mod_group[m]
        if g < 0:
            continue
        enter_sum[g] += mod_enter[m]
        total += plogp(mod_exit[m] + mod_flow[m]) - plogp(mod_exit[m]) - plogp(mod_enter[m])
    for g in range(len(group_offset)):
        total += plogp(group_offset[g] + enter_sum[g])
    for a in range(n):
        total -= plogp(node_flow[a])
    return total


@njit(cache=True, inline="always")
def leave_delta(p, x, e, d_old, old_flow, old_exit, old_enter):
    """Module codebook change when a node (flow p, exit x, enter e) leaves its module, which
    exchanges flow ``d_old`` (both directions) with the node: (ΔL part, new enter, new exit).

    ``q↶' = q↶ − e + d_old``, ``q↷' = q↷ − x + d_old``; ΔL part =
    ``−Δplogp(q↶) − Δplogp(q↷) + Δplogp(q↷ + p_i)``.
    """
    enter = old_enter - e + d_old
    exit_ = old_exit - x + d_old
    delta = (plogp(old_enter) - plogp(enter) + plogp(old_exit) - plogp(exit_)
             + plogp(exit_ + old_flow - p) - plogp(old_exit + old_flow))
    return delta, enter, exit_


@njit(cache=True, inline="always")
def join_delta(p, x, e, d_new, new_flow, new_exit, new_enter):
    """Module codebook change when the node joins a module it exchanges ``d_new`` with:
    ``q↶' = q↶ + e − d_new``, ``q↷' = q↷ + x − d_new``, ``p_i' = p_i + p``."""
    enter = new_enter + e - d_new
    exit_ = new_exit + x - d_new
    delta = (plogp(new_enter) - plogp(enter) + plogp(new_exit) - plogp(exit_)
             + plogp(exit_ + new_flow + p) - plogp(new_exit + new_flow))
    return delta, enter, exit_


@njit(cache=True)
def move_delta_bits(a, target, module, group, group_offset, node_flow, node_exit, node_enter,
                    out_ptr, out_nbr, out_flow):
    """ΔL of moving node ``a`` to module ``target`` (an empty id allowed), from the same
    terms the core loop uses; links may be stored one-way (directed) or both ways."""
    n = len(module)
    n_modules = max(module.max(), target) + 1
    mod_flow, mod_exit, mod_enter = module_sums(module, node_flow, node_exit, node_enter,
                                                out_ptr, out_nbr, out_flow, n_modules)
    old = module[a]
    g = group[a]
    enter_sum = 0.0
    seen = np.zeros(n_modules, dtype=np.bool_)
    for b in range(n):
        if group[b] == g and not seen[module[b]]:
            seen[module[b]] = True
            enter_sum += mod_enter[module[b]]
    d_old = 0.0
    d_new = 0.0
    for b in range(n):
        for k in range(out_ptr[b], out_ptr[b + 1]):
            c = out_nbr[k]
            if b == a or c == a:
                other = c if b == a else b
                if module[other] == old and other != a:
                    d_old += out_flow[k]
                elif module[other] == target and other != a:
                    d_new += out_flow[k]
    delta_old, enter_old, _ = leave_delta(node_flow[a], node_exit[a], node_enter[a], d_old,
                                          mod_flow[old], mod_exit[old], mod_enter[old])
    delta_new, _, _ = join_delta(node_flow[a], node_exit[a], node_enter[a], d_new,
                                 mod_flow[target], mod_exit[target], mod_enter[target])
    enter_sum_rest = enter_sum - mod_enter[old] + enter_old
    offset = group_offset[g]
    return (plogp(offset + enter_sum_rest + node_enter[a] - d_new) - plogp(offset + enter_sum)
            + delta_old + delta_new)


@njit(cache=True, inline="always")
def _flow_to_modules(a, ptr, nbr, flow, module, acc, seen, touched, n_touched):
    """Add the flow of node a's links (one CSR) to ``acc[module]``; modules seen for the
    first time are appended to ``touched``. Returns the new length of ``touched``."""
    for k in range(ptr[a], ptr[a + 1]):
        m = module[nbr[k]]
        if not seen[m]:
            seen[m] = True
            touched[n_touched] = m
            n_touched += 1
        acc[m] += flow[k]
    return n_touched


@njit(cache=True)
def core_loop(module, group, group_offset, node_flow, node_exit, node_enter,
              out_ptr, out_nbr, out_flow, in_ptr, in_nbr, in_flow, symmetric,
              loop_limit, threshold_bits):
    """Greedy node moves (Infomap's core loop); updates ``module`` in place.

    Sweeps visit nodes in random order; each node goes to the module of a neighbour in its
    group, or to an empty module, with the most negative ΔL (Rosvall & Bergstrom's 13-term
    update, only the plogp terms of the two modules touched change). Sweeps repeat while
    nodes move and the code shrinks by more than ``threshold_bits``, at most ``loop_limit``.
    Module ids must be below the number of nodes (one module per node at most).
    Returns the number of moves.
    """
    n = len(module)
    mod_flow, mod_exit, mod_enter = module_sums(module, node_flow, node_exit, node_enter,
                                                out_ptr, out_nbr, out_flow, n)
    mod_size = np.zeros(n, dtype=np.int64)
    mod_group = np.zeros(n, dtype=np.int64)
    enter_sum = np.zeros(len(group_offset))
    for a in range(n):
        mod_size[module[a]] += 1
        mod_group[module[a]] = group[a]
    empty = np.empty(n, dtype=np.int64)
    n_empty = 0
    for m in range(n - 1, -1, -1):
        if mod_size[m] == 0:
            empty[n_empty] = m
            n_empty += 1
        else:
            enter_sum[mod_group[m]] += mod_enter[m]

    out_to = np.zeros(n)
    in_from = np.zeros(n)
    seen = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    dirty = np.ones(n, dtype=np.bool_)
    total_moves = 0
    for _ in range(loop_limit):
        order = np.random.permutation(n)
        moves = 0
        gain = 0.0
        for a in order:
            if not dirty[a]:
                continue
            dirty[a] = False
            old = module[a]
            g = group[a]
            # flow between a and each neighbouring module, in both directions
            n_touched = _flow_to_modules(a, out_ptr, out_nbr, out_flow, module, out_to, seen,
                                         touched, 0)
            if not symmetric:
                n_touched = _flow_to_modules(a, in_ptr, in_nbr, in_flow, module, in_from, seen,
                                             touched, n_touched)
            p = node_flow[a]
            x = node_exit[a]
            e = node_enter[a]
            offset = group_offset[g]
            d_old = out_to[old] + (out_to[old] if symmetric else in_from[old])
            delta_old, enter_old, exit_old = leave_delta(p, x, e, d_old, mod_flow[old],
                                                         mod_exit[old], mod_enter[old])
            index_before = plogp(offset + enter_sum[g])
            enter_sum_rest = enter_sum[g] - mod_enter[old] + enter_old

            best = -1
            best_delta = 0.0
            for t in range(n_touched + 1):
                if t < n_touched:
                    m = touched[t]
                    if m == old:
                        continue
                    d_new = out_to[m] + (out_to[m] if symmetric else in_from[m])
                elif mod_size[old] > 1 and n_empty > 0:
                    m = empty[n_empty - 1]
                    d_new = 0.0
                else:
                    break
                delta_new, enter_new, exit_new = join_delta(p, x, e, d_new, mod_flow[m],
                                                            mod_exit[m], mod_enter[m])
                delta = (plogp(offset + enter_sum_rest + e - d_new) - index_before
                         + delta_old + delta_new)
                if delta < best_delta - MIN_MOVE_IMPROVEMENT_BITS:
                    best_delta = delta
                    best = m
                    best_enter = enter_new
                    best_exit = exit_new
            for t in range(n_touched):
                out_to[touched[t]] = 0.0
                in_from[touched[t]] = 0.0
                seen[touched[t]] = False
            if best < 0:
                continue

            if mod_size[best] == 0:
                n_empty -= 1
                mod_group[best] = g
            enter_sum[g] += enter_old - mod_enter[old] + best_enter - mod_enter[best]
            mod_enter[old] = max(enter_old, 0.0)
            mod_exit[old] = max(exit_old, 0.0)
            mod_flow[old] -= p
            mod_size[old] -= 1
            if mod_size[old] == 0:
                mod_enter[old] = 0.0
                mod_exit[old] = 0.0
                mod_flow[old] = 0.0
                empty[n_empty] = old
                n_empty += 1
            mod_enter[best] = max(best_enter, 0.0)
            mod_exit[best] = max(best_exit, 0.0)
            mod_flow[best] += p
            mod_size[best] += 1
            module[a] = best
            moves += 1
            gain -= best_delta
            for k in range(out_ptr[a], out_ptr[a + 1]):
                dirty[out_nbr[k]] = True
            if not symmetric:
                for k in range(in_ptr[a], in_ptr[a + 1]):
                    dirty[in_nbr[k]] = True
        total_moves += moves
        if moves == 0 or gain < threshold_bits:
            break
    return total_moves


@njit(cache=True)
def relabel(module):
    """Module ids renumbered 0..k-1 in order of first appearance; returns (ids, k)."""
    n = len(module)
    new_id = np.full(module.max() + 1 if n else 0, -1, dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    k = 0
    for a in range(n):
        m = module[a]
        if new_id[m] < 0:
            new_id[m] = k
            k += 1
        out[a] = new_id[m]
    return out, k


@njit(cache=True)
def aggregate(module, n_modules, out_ptr, out_nbr, out_flow):
    """Links between modules, coalesced: the CSR of the module network (no self-links)."""
    n = len(module)
    member_ptr = np.zeros(n_modules + 1, dtype=np.int64)
    for a in range(n):
        member_ptr[module[a] + 1] += 1
    for m in range(n_modules):
        member_ptr[m + 1] += member_ptr[m]
    members = np.empty(n, dtype=np.int64)
    fill = member_ptr[:-1].copy()
    for a in range(n):
        members[fill[module[a]]] = a
        fill[module[a]] += 1

    new_ptr = np.zeros(n_modules + 1, dtype=np.int64)
    new_nbr = np.empty(len(out_nbr), dtype=np.int64)
    new_flow = np.empty(len(out_nbr))
    acc = np.zeros(n_modules)
    seen = np.zeros(n_modules, dtype=np.bool_)
    touched = np.empty(n_modules, dtype=np.int64)
    n_links = 0
    for m in range(n_modules):
        n_touched = 0
        for i in range(member_ptr[m], member_ptr[m + 1]):
            a = members[i]
            for k in range(out_ptr[a], out_ptr[a + 1]):
                b = module[out_nbr[k]]
                if b == m:
                    continue
                if not seen[b]:
                    seen[b] = True
                    touched[n_touched] = b
                    n_touched += 1
                acc[b] += out_flow[k]
        for t in range(n_touched):
            b = touched[t]
            new_nbr[n_links] = b
            new_flow[n_links] = acc[b]
            n_links += 1
            acc[b] = 0.0
            seen[b] = False
        new_ptr[m + 1] = n_links
    return new_ptr, new_nbr[:n_links].copy(), new_flow[:n_links].copy()


@njit(cache=True)
def transpose(n, out_ptr, out_nbr, out_flow):
    """The in-link CSR of a directed network."""
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    for k in range(len(out_nbr)):
        in_ptr[out_nbr[k] + 1] += 1
    for a in range(n):
        in_ptr[a + 1] += in_ptr[a]
    fill = in_ptr[:-1].copy()
    in_nbr = np.empty(len(out_nbr), dtype=np.int64)
    in_flow = np.empty(len(out_nbr))
    for a in range(n):
        for k in range(out_ptr[a], out_ptr[a + 1]):
            b = out_nbr[k]
            in_nbr[fill[b]] = a
            in_flow[fill[b]] = out_flow[k]
            fill[b] += 1
    return in_ptr, in_nbr, in_flow


@njit(cache=True)
def within_groups(group, out_ptr, out_nbr, out_flow):
    """The links whose two ends are in the same group (moves never cross groups)."""
    n = len(group)
    new_ptr = np.zeros(n + 1, dtype=np.int64)
    new_nbr = np.empty(len(out_nbr), dtype=np.int64)
    new_flow = np.empty(len(out_nbr))
    n_links = 0
    for a in range(n):
        for k in range(out_ptr[a], out_ptr[a + 1]):
            if group[out_nbr[k]] == group[a]:
                new_nbr[n_links] = out_nbr[k]
                new_flow[n_links] = out_flow[k]
                n_links += 1
        new_ptr[a + 1] = n_links
    return new_ptr, new_nbr[:n_links].copy(), new_flow[:n_links].copy()
