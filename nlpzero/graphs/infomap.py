"""Infomap: communities that minimise the map equation (Rosvall & Bergstrom 2008, 2011).

The search follows the reference tool (mapequation/infomap 2.x): a Louvain-style core loop of
greedy node moves, repeated on aggregated module networks; then fine-tuning (leaf nodes move
again inside the current modules) and coarse-tuning (modules split into sub-modules, which
move as units), alternately while the code shrinks; the best of ``trials`` runs. The
multilevel mode then splits modules recursively while the hierarchical map equation shrinks.
The objective lives in :mod:`nlpzero.graphs.mapequation`, the Numba kernels in
``_infomap_kernels``, the file formats in :mod:`nlpzero.graphs.formats`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _infomap_kernels as K
from .mapequation import Flow, flow, one_level_codelength_bits, plogp, rescaled

__all__ = ["InfomapResult", "communities", "infomap", "merge_links"]

CORE_LOOP_LIMIT = 10
AGGREGATED_LOOP_LIMIT = 20
CORE_LOOP_THRESHOLD_BITS = 1e-10
TUNE_ITERATION_LIMIT = 20
TUNE_RELATIVE_THRESHOLD = 1e-5
MIN_SPLIT_IMPROVEMENT_BITS = 1e-10


@dataclass(frozen=True)
class InfomapResult:
    """The best partition found.

    ``modules[α]`` is node α's top module, 0 for the module with the most flow, 1 for the next;
    ``paths[α]`` its path in the module tree, 1-based like Infomap's ``.tree`` (``[2, 1, 3]``
    = third node of the first sub-module of the second top module), padded with zeros to
    ``n_levels`` columns (the longest path). ``codelength_bits`` is the (hierarchical) map equation.
    """

    modules: np.ndarray
    paths: np.ndarray
    codelength_bits: float
    one_level_codelength_bits: float
    node_flow: np.ndarray
    trial_codelengths_bits: tuple[float, ...]

    @property
    def n_modules(self) -> int:
        return int(self.modules.max()) + 1 if len(self.modules) else 0

    @property
    def n_levels(self) -> int:
        """Levels of the tree below the root (2 for a two-level partition)."""
        return self.paths.shape[1]

    def path_strings(self) -> list[str]:
        """Each node's path as Infomap writes it, e.g. ``"1:3:2"``."""
        return [":".join(str(c) for c in row if c) for row in self.paths.tolist()]

    @property
    def module_flow(self) -> np.ndarray:
        return np.bincount(self.modules, self.node_flow, minlength=self.n_modules)


class _Network:
    """One level of the search: node flows and CSR links (see ``_infomap_kernels``)."""

    def __init__(self, node_flow, node_exit, node_enter, out_ptr, out_nbr, out_flow,
                 symmetric, group, group_offset):
        self.node_flow, self.node_exit, self.node_enter = node_flow, node_exit, node_enter
        self.out = (out_ptr, out_nbr, out_flow)
        self.symmetric = symmetric
        self.in_ = self.out if symmetric else K.transpose(len(node_flow), *self.out)
        self.group, self.group_offset = group, group_offset

    @classmethod
    def from_flow(cls, fl: Flow) -> _Network:
        n = fl.n_nodes
        order = np.argsort(fl.source, kind="stable")
        out_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(fl.source, minlength=n), out=out_ptr[1:])
        return cls(fl.node_flow, fl.node_exit, fl.node_enter, out_ptr,
                   fl.target[order].astype(np.int64), fl.link_flow[order],
                   not fl.directed, np.zeros(n, dtype=np.int64), np.zeros(1))

    @property
    def n(self) -> int:
        return len(self.node_flow)

    def module_sums(self, module: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return K.module_sums(module, self.node_flow, self.node_exit, self.node_enter,
                             *self.out, k)

    def aggregate(self, module: np.ndarray, k: int) -> _Network:
        """The network of modules (``module`` holds ids 0..k-1)."""
        flow_, exit_, enter = self.module_sums(module, k)
        group = np.zeros(k, dtype=np.int64)
        group[module] = self.group
        return _Network(flow_, exit_, enter, *K.aggregate(module, k, *self.out),
                        self.symmetric, group, self.group_offset)

    def grouped(self, group: np.ndarray, group_offset: np.ndarray) -> _Network:
        """The same nodes, moves confined to ``group``, each with its own index codebook."""
        return _Network(self.node_flow, self.node_exit, self.node_enter,
                        *K.within_groups(group, *self.out), self.symmetric, group, group_offset)

    def core_loop(self, module: np.ndarray, loop_limit: int) -> int:
        return K.core_loop(module, self.group, self.group_offset, self.node_flow,
                           self.node_exit, self.node_enter, *self.out, *self.in_,
                           self.symmetric, loop_limit, CORE_LOOP_THRESHOLD_BITS)

    def codelength(self, module: np.ndarray) -> float:
        return K.codelength_bits(module, self.group, self.group_offset, self.node_flow,
                                 self.node_exit, self.node_enter, *self.out)


def _find_modules(net: _Network, module: np.ndarray) -> np.ndarray:
    """Core loop from ``module``, then on the aggregated network, until nothing merges.

    Returns each node's module, ids 0..k-1.
    """
    assign = np.arange(net.n)
    module = module.copy()
    loop_limit = CORE_LOOP_LIMIT
    while True:
        net.core_loop(module, loop_limit)
        module, k = K.relabel(module)
        assign = module[assign]
        if k == net.n or k == 1:
            return assign
        net = net.aggregate(module, k)
        module = np.arange(k)
        loop_limit = AGGREGATED_LOOP_LIMIT


def _submodules(net: _Network, module: np.ndarray, module_exit: np.ndarray) -> np.ndarray:
    """Split every module into sub-modules, each module with its own index codebook
    offset by its exit flow ``module_exit``."""
    return _find_modules(net.grouped(module, module_exit), np.arange(net.n))


def _partition(leaf: _Network, one_level_bits: float) -> tuple[np.ndarray, float]:
    """One two-level trial: find modules, then alternate fine- and coarse-tuning."""
    module = _find_modules(leaf, np.arange(leaf.n))
    codelength = leaf.codelength(module)
    for iteration in range(TUNE_ITERATION_LIMIT):
        if iteration % 2 == 0:  # fine-tune: leaf nodes move again within the current modules
            candidate = _find_modules(leaf, module)
        else:  # coarse-tune: sub-modules move as units
            _, exit_, _ = leaf.module_sums(module, int(module.max()) + 1)
            sub, k = K.relabel(_submodules(leaf, module, exit_))
            start = np.empty(k, dtype=np.int64)
            start[sub] = module
            candidate = _find_modules(leaf.aggregate(sub, k), start)[sub]
        new_codelength = leaf.codelength(candidate)
        improvement = codelength - new_codelength
        if improvement > 0:
            module, codelength = candidate, new_codelength
        if iteration >= 1 and improvement < max(CORE_LOOP_THRESHOLD_BITS,
                                                TUNE_RELATIVE_THRESHOLD * one_level_bits):
            break
    return module, codelength


def _leaf_codelengths(net: _Network, module: np.ndarray, module_flow: np.ndarray,
                      module_exit: np.ndarray) -> np.ndarray:
    """Per module, ``plogp(q↷ + p) − plogp(q↷) − Σ plogp(p_α)``: its codebook as a leaf."""
    node_term = np.bincount(module, plogp(net.node_flow), minlength=len(module_flow))
    return plogp(module_exit + module_flow) - plogp(module_exit) - node_term


def _split_recursively(leaf: _Network, top: np.ndarray) -> list[np.ndarray]:
    """Levels of sub-modules below ``top`` (hierarchical map equation, 2011).

    All modules of one depth are split in one call: each is a group with its exit flow as
    offset, so it minimises its own codebook ``plogp(q↷ + Σ_j q_j↶) − plogp(q↷)
    − Σ_j plogp(q_j↶) + Σ_j L_leaf(j)``. A split is kept where it beats the module's leaf
    codebook by more than ``MIN_SPLIT_IMPROVEMENT_BITS``. A module that is not split, or has
    fewer than three nodes, continues as its own single child and is never tried again.
    Returns, per depth, each node's module id there (ids unique within a depth).
    """
    levels = [top]
    current = top
    open_ = np.ones(int(top.max()) + 1, dtype=bool)
    while True:
        k = int(current.max()) + 1
        size = np.bincount(current, minlength=k)
        open_ &= size > 2
        if not open_.any():
            return levels
        flow_, exit_, _ = leaf.module_sums(current, k)
        sub, k_sub = K.relabel(_submodules(leaf, current, exit_))
        parent = np.empty(k_sub, dtype=np.int64)
        parent[sub] = current
        sub_flow, sub_exit, sub_enter = leaf.module_sums(sub, k_sub)
        n_children = np.bincount(parent, minlength=k)
        sub_leaf_bits = _leaf_codelengths(leaf, sub, sub_flow, sub_exit)
        split_bits = (plogp(exit_ + np.bincount(parent, sub_enter, minlength=k))
                      - plogp(exit_) - np.bincount(parent, plogp(sub_enter), minlength=k)
                      + np.bincount(parent, sub_leaf_bits, minlength=k))
        leaf_bits = _leaf_codelengths(leaf, current, flow_, exit_)
        keep = open_ & (n_children > 1) & (split_bits < leaf_bits - MIN_SPLIT_IMPROVEMENT_BITS)
        if not keep.any():
            return levels
        current, k_next = K.relabel(np.where(keep[current], sub, k_sub + current))
        open_next = np.zeros(k_next, dtype=bool)
        open_next[current] = keep[levels[-1]]
        open_ = open_next
        levels.append(current)


def _super_modules(leaf: _Network, top: np.ndarray) -> list[np.ndarray]:
    """Levels of super-modules above ``top``, coarsest first (Infomap's super-module search).

    Grouping modules into super-modules replaces the index codebook by a two-level code. Its
    length is the two-level map equation of the module network when each module's *enter*
    flow plays the node flow, so the same search finds it; a level is kept while it
    shortens the index code.
    """
    above: list[np.ndarray] = []
    current = top
    while (k := int(current.max()) + 1) > 2:
        modules = leaf.aggregate(current, k)
        modules.node_flow = modules.node_enter
        index_bits = float(plogp(modules.node_enter.sum())
                           - plogp(modules.node_enter).sum())
        grouping, grouped_bits = _partition(modules, index_bits)
        if not 1 < int(grouping.max()) + 1 < k or \
                grouped_bits >= index_bits - MIN_SPLIT_IMPROVEMENT_BITS:
            break
        current = grouping[current]
        above.insert(0, current)
    return above


def _split_flags(levels: list[np.ndarray]) -> list[np.ndarray]:
    """Per depth d, which modules have more than one child at depth d + 1."""
    flags = []
    for current, child in zip(levels, levels[1:]):
        parent = _parents(current, child)
        flags.append(np.bincount(parent, minlength=int(current.max()) + 1) > 1)
    return flags


def _parents(current: np.ndarray, child: np.ndarray) -> np.ndarray:
    """For each module at the depth below, its parent module at ``current``'s depth."""
    parent = np.empty(int(child.max()) + 1, dtype=np.int64)
    parent[child] = current
    return parent


def _splits_below(levels: list[np.ndarray], flags: list[np.ndarray]) -> list[np.ndarray]:
    """Per depth d, which modules are split at d or deeper. A module with one child is the
    same set of nodes as that child: the tree skips it, and the child's splits are its own
    (a super-module holding one module whose sub-modules were kept)."""
    below = [np.zeros(int(levels[-1].max()) + 1, dtype=bool)]
    for d in range(len(flags) - 1, -1, -1):
        any_child = np.zeros(len(flags[d]), dtype=bool)
        np.logical_or.at(any_child, _parents(levels[d], levels[d + 1]), below[0])
        below.insert(0, flags[d] | any_child)
    return below


def _hierarchical_codelength(leaf: _Network, levels: list[np.ndarray]) -> float:
    """Hierarchical map equation of the module tree whose depth-d modules are ``levels[d]``.

    ``L = plogp(Σ_i q_i↶) − Σ_i plogp(q_i↶) + Σ_i L(i)``, where a split module costs
    ``plogp(q_i↷ + Σ_j q_j↶) − plogp(q_i↷) − Σ_j plogp(q_j↶) + Σ_j L(j)`` and a leaf module
    ``plogp(q_i↷ + p_i) − plogp(q_i↷) − Σ_{α∈i} plogp(p_α)``.
    """
    sums = [leaf.module_sums(level, int(level.max()) + 1) for level in levels]
    enter = sums[0][2]
    total = float(plogp(enter.sum()) - plogp(enter).sum())
    flags = _split_flags(levels)
    below = _splits_below(levels, flags)
    active = np.ones(len(enter), dtype=bool)
    for depth, current in enumerate(levels):
        flow_, exit_, _ = sums[depth]
        leaf_module = active & ~below[depth]  # nothing below it splits: a leaf module
        total += float(_leaf_codelengths(leaf, current, flow_, exit_)[leaf_module].sum())
        if depth == len(flags) or not (active & below[depth]).any():
            return total
        split = active & flags[depth]  # its own codebook; a one-child module passes through
        parent = _parents(current, levels[depth + 1])
        child_enter = sums[depth + 1][2]
        inner = np.bincount(parent, child_enter * split[parent], minlength=len(flow_))
        total += float((plogp(exit_ + inner) - plogp(exit_))[split].sum()
                       - plogp(child_enter[split[parent]]).sum())
        active = (active & below[depth])[parent]
    return total


def merge_links(source: np.ndarray, target: np.ndarray, weight: np.ndarray,
                directed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum duplicate links (``u v`` and ``v u`` are one link when undirected); drop zeros."""
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.float64)
    if len(weight) and not np.isfinite(weight).all():
        raise ValueError("link weights must be finite numbers (found NaN or infinity)")
    if (weight < 0).any():
        raise ValueError("link weights must not be negative")
    weight = rescaled(weight)  # duplicates of huge weights are summed below
    if not directed:
        source, target = np.minimum(source, target), np.maximum(source, target)
    if len(source) == 0:
        return source, target, weight
    key = (source << 32) | target
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    summed = np.add.reduceat(weight[order], first)
    key = key[first]
    keep = summed > 0
    return key[keep] >> 32, key[keep] & 0xFFFFFFFF, summed[keep]


def infomap(graph: Any, n_nodes: int | None = None, *, directed: bool = False,
            two_level: bool = True, trials: int = 1, seed: int = 123,
            markov_time: float = 1.0, teleportation: float = 0.15) -> InfomapResult:
    """Partition a graph's nodes into modules by minimising the map equation.

    ``graph`` is a scipy sparse (or dense) adjacency matrix, each entry (i, j) a link of that
    weight, or a tuple ``(source, target)`` / ``(source, target, weight)`` of node-id arrays
    with ``n_nodes`` nodes (default: the largest id + 1). Duplicate links are summed; when
    undirected, ``i→j`` and ``j→i`` are one link. Trial t is seeded with ``seed + t``
    (mod 2^32); the trial with the shortest code wins. If no partition beats the one-level
    code, the answer is one module — a legitimate map-equation result (structureless
    graph), not an error.
    """
    source, target, weight, n_nodes = _as_links(graph, n_nodes)
    if trials < 1:
        raise ValueError("trials must be at least 1")
    if not 0 <= seed < 2**32:
        raise ValueError("seed must be an integer in [0, 2^32 - 1]")
    if not (markov_time > 0 and math.isfinite(markov_time)):
        raise ValueError("markov_time must be a positive finite number")
    if not 0 <= teleportation < 1:
        raise ValueError("teleportation must be in [0, 1)")
    source, target, weight = merge_links(source, target, weight, directed)
    fl = flow(n_nodes, source, target, weight, directed=directed, teleportation=teleportation,
              markov_time=markov_time)
    leaf = _Network.from_flow(fl)
    one_level = one_level_codelength_bits(fl)
    best_module, best_codelength, codelengths = None, np.inf, []
    for trial in range(trials):
        K.seed((seed + trial) % 2**32)
        module, codelength = _partition(leaf, one_level)
        codelengths.append(codelength)
        if codelength < best_codelength - 1e-14:
            best_module, best_codelength = module, codelength
    if best_codelength >= one_level:  # one module, but isolated nodes stay on their own
        isolated = np.diff(leaf.out[0]) + np.diff(leaf.in_[0]) == 0
        best_module = K.relabel(np.where(isolated, np.arange(n_nodes), np.argmin(isolated)))[0]
        best_codelength = one_level
    levels = [best_module]
    if not two_level and best_module.max() > 0:
        K.seed(seed)
        levels = _super_modules(leaf, best_module) + _split_recursively(leaf, best_module)
    return _result(leaf, fl, levels, best_codelength, one_level, tuple(codelengths))


def _result(leaf: _Network, fl: Flow, levels: list[np.ndarray], codelength: float,
            one_level: float, codelengths: tuple[float, ...]) -> InfomapResult:
    """Number modules by decreasing flow at every depth, nodes by decreasing flow last."""
    n = leaf.n
    keys = [np.arange(n), -fl.node_flow]
    for level in reversed(levels):
        k = int(level.max()) + 1
        first = np.full(k, n, dtype=np.int64)
        np.minimum.at(first, level, np.arange(n))
        keys += [first[level], -np.bincount(level, fl.node_flow, minlength=k)[level]]
    order = np.lexsort(keys)
    # child numbers: runs of equal ids in path order, counted within the parent's run
    columns = []
    parent_start = np.zeros(n, dtype=bool)
    parent_start[:1] = True
    for level in [*levels, np.arange(n)]:
        ids = level[order]
        start = np.r_[True, ids[1:] != ids[:-1]] | parent_start
        count = np.cumsum(start)
        block = np.maximum.accumulate(np.where(parent_start, np.arange(n), 0))
        columns.append(count - count[block] + 1)
        parent_start = start
    # a node's path holds its top module, the child number wherever its module has more
    # than one child (a one-child module is the same node set: skipped), then its leaf number
    flags = _split_flags(levels)
    take = np.ones((n, len(levels) + 1), dtype=bool)
    for d, split in enumerate(flags):
        take[:, d + 1] = split[levels[d][order]]
    shift = np.argsort(~take, axis=1, kind="stable")  # the taken columns first, in order
    paths = np.where(np.take_along_axis(take, shift, axis=1),
                     np.take_along_axis(np.stack(columns, axis=1), shift, axis=1), 0)
    paths = paths[:, :int(take.sum(axis=1).max())]
    node_paths = np.empty_like(paths)
    node_paths[order] = paths
    if len(levels) > 1:
        codelength = _hierarchical_codelength(leaf, levels)
    return InfomapResult(node_paths[:, 0] - 1, node_paths, codelength, one_level, fl.node_flow,
                         codelengths)


def _as_links(graph: Any, n_nodes: int | None):
    if isinstance(graph, tuple):
        if len(graph) not in (2, 3):
            raise ValueError("graph tuple must be (source, target) or (source, target, weight)")
        source = np.asarray(graph[0], dtype=np.int64)
        target = np.asarray(graph[1], dtype=np.int64)
        weight = (np.asarray(graph[2], dtype=np.float64) if len(graph) == 3
                  else np.ones(len(source)))
        if not len(source) == len(target) == len(weight):
            raise ValueError("source, target and weight must have the same length")
        if len(source) and min(source.min(), target.min()) < 0:
            raise ValueError("node ids must be non-negative")
        top = int(max(source.max(), target.max())) + 1 if len(source) else 0
        n = top if n_nodes is None else int(n_nodes)
        if n < top:
            raise ValueError(f"n_nodes={n} but a link names node {top - 1}")
    else:
        import scipy.sparse as sp

        matrix = sp.coo_matrix(graph)
        if matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"adjacency matrix must be square, got {matrix.shape}")
        source, target = matrix.row.astype(np.int64), matrix.col.astype(np.int64)
        weight = matrix.data.astype(np.float64)
        n = matrix.shape[0]
    if n == 0:
        raise ValueError("the graph has no nodes")
    return source, target, weight, n


def communities(graph: Any, weight: str | None = "weight", **options: Any) -> list[set[Hashable]]:
    """Infomap on a networkx graph: the modules as sets of nodes, most flow first.

    Directed graphs use directed flow unless ``directed=False`` is passed; missing weights
    count 1. Other options are those of :func:`infomap`.
    """
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    edges: Iterable = graph.edges(data=weight, default=1.0) if weight else graph.edges
    source, target, w = [], [], []
    for edge in edges:
        source.append(index[edge[0]])
        target.append(index[edge[1]])
        w.append(float(edge[2]) if weight else 1.0)
    options.setdefault("directed", graph.is_directed())
    result = infomap((np.array(source, dtype=np.int64), np.array(target, dtype=np.int64),
                      np.array(w)), len(nodes), **options)
    groups: list[set[Hashable]] = [set() for _ in range(result.n_modules)]
    for node, module in zip(nodes, result.modules):
        groups[module].add(node)
    return groups
