"""The map equation (Rosvall & Bergstrom 2008, 2011): flow model and codelength, in bits.

The objective only; the search that minimises it lives in :mod:`nlpzero.graphs.infomap` and
its kernels, the file formats in :mod:`nlpzero.graphs.formats`. With ``plogp(x) = x log2 x``,
a two-level partition into modules i with enter flow q_i↶, exit flow q_i↷ and node flow
p_i = Σ_{α∈i} p_α costs, per step of the random walker,

    L = plogp(Σ_i q_i↶) − Σ_i plogp(q_i↶) − Σ_i plogp(q_i↷)
        + Σ_i plogp(q_i↷ + p_i) − Σ_α plogp(p_α)

(index codebook, then the module codebooks). Enter and exit flows are sums of link flows across
the module boundary. A module of modules adds ``plogp(q_exit + Σ_j q_j↶) − Σ_j plogp(q_j↶)
− plogp(q_exit)`` for its own sub-index codebook (the hierarchical map equation, 2011).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Flow", "codelength_bits", "flow", "module_codelength_bits", "one_level_codelength_bits",
           "plogp"]

#: PageRank (directed flow) stops once an iteration changes the ranks by less than this (L1),
#: after at least PAGERANK_MIN_ITERATIONS and at most PAGERANK_MAX_ITERATIONS iterations.
PAGERANK_TOLERANCE = 1e-15
PAGERANK_MIN_ITERATIONS = 50
PAGERANK_MAX_ITERATIONS = 200


def plogp(x: np.ndarray | float) -> np.ndarray | float:
    """``x log2 x`` with ``0 log 0 = 0``."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    pos = x > 0
    out[pos] = x[pos] * np.log2(x[pos])
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class Flow:
    """Stationary flow of a random walker: node visit rates and per-link flow.

    ``link_flow[k]`` is the flow along ``source[k] → target[k]``; an undirected link is stored
    once per direction, each carrying half of it. Self-links are dropped here: they add to a
    node's visit rate but never cross a module boundary. ``node_exit`` / ``node_enter`` are the
    flows leaving / entering each node along the remaining links.
    """

    node_flow: np.ndarray
    source: np.ndarray
    target: np.ndarray
    link_flow: np.ndarray
    directed: bool

    @property
    def n_nodes(self) -> int:
        return len(self.node_flow)

    @property
    def node_exit(self) -> np.ndarray:
        return np.bincount(self.source, self.link_flow, minlength=self.n_nodes)

    @property
    def node_enter(self) -> np.ndarray:
        return np.bincount(self.target, self.link_flow, minlength=self.n_nodes)


def rescaled(weight: np.ndarray) -> np.ndarray:
    """*weight* divided by its largest value when the strengths (each link counted at both
    ends) would overflow: flows only depend on the ratios, so 1e308 weights work."""
    with np.errstate(over="ignore"):
        total = 2.0 * weight.sum() if weight.size else 0.0
    return weight / weight.max() if not np.isfinite(total) else weight


def flow(n_nodes: int, source: np.ndarray, target: np.ndarray, weight: np.ndarray, *,
         directed: bool = False, teleportation: float = 0.15, markov_time: float = 1.0) -> Flow:
    """The flow model Infomap (≥ 1.0) uses by default.

    Undirected: ``p_α = s_α / Σ_β s_β`` with strength s (a self-link counts once), and a link of
    weight w carries ``w / Σ_β s_β`` in each direction.

    Directed: PageRank with teleportation probability τ to nodes in proportion to their
    out-strength; dangling nodes always teleport. Teleportation is *unrecorded*: after
    convergence one more step without teleportation gives the link flows
    ``f_αβ ∝ p_α w_αβ / s_α^out`` (normalised to sum to 1) and the node flows
    ``p_β = Σ_α f_αβ``, so enter and exit flows only count steps along links.

    Markov time t multiplies every link flow (node flows unchanged): t > 1 fewer modules.
    Links must already be merged (no duplicate pairs; undirected pairs once).
    """
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    weight = rescaled(np.asarray(weight, dtype=np.float64))
    if not directed:
        strength = (np.bincount(source, weight, minlength=n_nodes)
                    + np.bincount(target, weight, minlength=n_nodes))
        self_link = source == target
        strength -= np.bincount(source[self_link], weight[self_link], minlength=n_nodes)
        total = strength.sum()
        if not total > 0:
            raise ValueError("the graph has no link with positive weight")
        node_flow = strength / total
        keep = ~self_link
        half = weight[keep] / total
        src = np.concatenate([source[keep], target[keep]])
        dst = np.concatenate([target[keep], source[keep]])
        return Flow(node_flow, src, dst, np.concatenate([half, half]) * markov_time, False)

    out_strength = np.bincount(source, weight, minlength=n_nodes)
    total = out_strength.sum()
    if not total > 0:
        raise ValueError("the graph has no link with positive weight")
    teleport_to = out_strength / total
    dangling = out_strength == 0
    step = weight / np.where(dangling, 1.0, out_strength)[source]
    rank = np.full(n_nodes, 1.0 / n_nodes)
    for iteration in range(PAGERANK_MAX_ITERATIONS):
        dangling_rank = rank[dangling].sum()
        new = (teleportation + (1 - teleportation) * dangling_rank) * teleport_to
        new += (1 - teleportation) * np.bincount(target, rank[source] * step, minlength=n_nodes)
        new /= new.sum()
        change = np.abs(new - rank).sum()
        rank = new
        if iteration + 1 >= PAGERANK_MIN_ITERATIONS and change < PAGERANK_TOLERANCE:
            break
    link_flow = rank[source] * step
    link_flow /= link_flow.sum()
    node_flow = np.bincount(target, link_flow, minlength=n_nodes)
    keep = source != target
    return Flow(node_flow, source[keep], target[keep], link_flow[keep] * markov_time, True)


def module_codelength_bits(node_flow: np.ndarray, module_exit: np.ndarray,
                           module_flow: np.ndarray) -> float:
    """Module codebooks: ``Σ_i plogp(q_i↷ + p_i) − Σ_i plogp(q_i↷) − Σ_α plogp(p_α)``."""
    return float(plogp(module_exit + module_flow).sum() - plogp(module_exit).sum()
                 - plogp(node_flow).sum())


def codelength_bits(fl: Flow, modules: np.ndarray) -> float:
    """Two-level map equation L(M) of the partition ``modules`` (one module id per node)."""
    modules = np.asarray(modules, dtype=np.int64)
    _, modules = np.unique(modules, return_inverse=True)
    k = int(modules.max()) + 1 if len(modules) else 0
    cut = modules[fl.source] != modules[fl.target]
    exit_ = np.bincount(modules[fl.source[cut]], fl.link_flow[cut], minlength=k)
    enter = np.bincount(modules[fl.target[cut]], fl.link_flow[cut], minlength=k)
    module_flow = np.bincount(modules, fl.node_flow, minlength=k)
    index = plogp(enter.sum()) - plogp(enter).sum()
    return float(index) + module_codelength_bits(fl.node_flow, exit_, module_flow)


def one_level_codelength_bits(fl: Flow) -> float:
    """All nodes in one module: the entropy of the node visit rates, ``−Σ_α plogp(p_α)``."""
    return float(-plogp(fl.node_flow).sum())
