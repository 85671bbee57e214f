"""Infomap: exact codelengths (infomap 2.16 test vectors), ΔL against a plain-Python
reference, search quality on planted graphs, multilevel trees, the networkx wrapper."""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx
import numpy as np
import pytest

from nlpzero.graphs import _infomap_kernels as K
from nlpzero.graphs.infomap import (
    _hierarchical_codelength,
    _Network,
    communities,
    infomap,
    merge_links,
)
from nlpzero.graphs.mapequation import codelength_bits, flow, one_level_codelength_bits

TRIANGLES = (np.array([0, 1, 2, 3, 4, 5, 2]), np.array([1, 2, 0, 4, 5, 3, 3]),
             np.array([1, 1, 1, 1, 1, 1, 0.5]))


def karate() -> tuple[np.ndarray, np.ndarray]:
    edges = np.array(list(nx.karate_club_graph().edges()))
    return edges[:, 0], edges[:, 1]


def _flow(links, n, directed=False, **kw):
    weight = links[2] if len(links) == 3 else np.ones(len(links[0]))
    s, t, w = merge_links(links[0], links[1], weight, directed=directed)
    return flow(n, s, t, w, directed=directed, **kw)


# --- the objective -------------------------------------------------------------------------


def test_two_triangles_exact():
    fl = _flow(TRIANGLES, 6)
    assert codelength_bits(fl, [0, 0, 0, 1, 1, 1]) == pytest.approx(2.053332956, abs=1e-9)
    assert one_level_codelength_bits(fl) == pytest.approx(2.576621220, abs=1e-9)
    result = infomap(TRIANGLES)
    assert result.codelength_bits == pytest.approx(2.053332956, abs=1e-9)
    assert result.modules.tolist() == [0, 0, 0, 1, 1, 1]


def test_reverse_link_is_merged_with_its_twin():
    s, t, w = TRIANGLES
    links = (np.r_[s, 1], np.r_[t, 0], np.r_[w, 1.0])  # 0-1 given twice: weight 2
    assert infomap(links).codelength_bits == pytest.approx(2.004092933, abs=1e-9)


def test_karate_exact():
    result = infomap(karate(), trials=10)
    assert result.codelength_bits == pytest.approx(4.311792646, abs=1e-9)
    assert result.one_level_codelength_bits == pytest.approx(4.704422599, abs=1e-9)
    assert result.n_modules == 3


def test_undirected_flow_counts_a_self_link_once():
    fl = _flow((np.array([0, 1, 2, 2, 2]), np.array([1, 2, 0, 2, 3]),
                np.array([1, 1, 1, 3, 1.0])), 4)
    assert fl.node_flow == pytest.approx(np.array([2, 2, 6, 1]) / 11)
    assert fl.link_flow.sum() == pytest.approx(8 / 11)  # self-link: node flow only


def test_directed_flow_on_a_cycle_and_with_a_dangling_node():
    fl = _flow((np.array([0, 1, 2]), np.array([1, 2, 0]), np.ones(3)), 3, directed=True)
    assert fl.node_flow == pytest.approx([1 / 3] * 3)
    assert fl.link_flow == pytest.approx([1 / 3] * 3)
    # node 3 is dangling: it teleports; node 4 has no in-link: zero flow
    fl = _flow((np.array([0, 1, 2, 2, 4]), np.array([1, 2, 0, 3, 0]), np.ones(5)), 5,
               directed=True)
    assert fl.node_flow.sum() == pytest.approx(1.0)
    assert fl.link_flow.sum() == pytest.approx(1.0)
    assert fl.node_flow[4] == 0.0 and fl.node_exit[4] > 0


def test_markov_time_scales_link_flow_only():
    base = _flow(karate(), 34)
    slow = _flow(karate(), 34, markov_time=2.0)
    assert slow.node_flow == pytest.approx(base.node_flow)
    assert slow.link_flow == pytest.approx(2 * base.link_flow)
    fine = infomap(karate(), markov_time=0.5, trials=3)
    coarse = infomap(karate(), markov_time=2.0, trials=3)
    assert fine.n_modules > 3 >= coarse.n_modules


def _reference_codelength(n, links, node_flow, module, group, offset):
    """Plain Python: Σ over groups of index + module codebooks (links given one way)."""
    plogp = lambda x: x * math.log2(x) if x > 0 else 0.0  # noqa: E731
    exit_, enter, mflow = defaultdict(float), defaultdict(float), defaultdict(float)
    node_exit, node_enter = [0.0] * n, [0.0] * n
    for (u, v), f in links.items():
        node_exit[u] += f
        node_enter[v] += f
    for a in range(n):
        mflow[module[a]] += node_flow[a]
        exit_[module[a]] += node_exit[a]
        enter[module[a]] += node_enter[a]
    for (u, v), f in links.items():
        if module[u] == module[v]:
            exit_[module[u]] -= f
            enter[module[u]] -= f
    mgroup = {module[a]: group[a] for a in range(n)}
    total = -sum(plogp(p) for p in node_flow)
    for g in set(group):
        mods = [m for m in mgroup if mgroup[m] == g]
        total += plogp(offset[g] + sum(enter[m] for m in mods))
        for m in mods:
            total += plogp(exit_[m] + mflow[m]) - plogp(exit_[m]) - plogp(enter[m])
    return total


def _random_network(rng, n, directed):
    src = rng.integers(0, n, 4 * n)
    dst = rng.integers(0, n, 4 * n)
    fl = _flow((src, dst, rng.uniform(0.1, 1, 4 * n)), n, directed=directed)
    net = _Network.from_flow(fl)
    links = defaultdict(float)
    for u, v, f in zip(fl.source, fl.target, fl.link_flow):
        links[int(u), int(v)] += f
    return fl, net, links


@pytest.mark.parametrize("directed", [False, True])
def test_move_delta_matches_a_plain_python_reference(directed):
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(3, 12))
        fl, net, links = _random_network(rng, n, directed)
        module = rng.integers(0, 3, n)
        group = np.zeros(n, dtype=np.int64)
        offset = np.zeros(1)
        if rng.random() < 0.5:  # sub-module problem: groups with an exit-flow offset
            group = (module >= 1).astype(np.int64)
            offset = rng.uniform(0, 0.2, 2)
            module = module * 2 + rng.integers(0, 2, n)
        a = int(rng.integers(0, n))
        same_group = [int(module[b]) for b in range(n) if group[b] == group[a]]
        target = int(rng.choice(same_group + [n - 1 if n - 1 not in module else module[a]]))
        if target == module[a]:
            continue
        kernel = K.move_delta_bits(a, target, module, group, offset, fl.node_flow,
                                   fl.node_exit, fl.node_enter, *net.out)
        moved = module.copy()
        moved[a] = target
        before = _reference_codelength(n, links, fl.node_flow, module, group, offset)
        after = _reference_codelength(n, links, fl.node_flow, moved, group, offset)
        assert kernel == pytest.approx(after - before, abs=1e-12)
        assert K.codelength_bits(module, group, offset, fl.node_flow, fl.node_exit,
                                 fl.node_enter, *net.out) == pytest.approx(before, abs=1e-12)


@pytest.mark.parametrize("directed", [False, True])
def test_core_loop_never_lengthens_the_code(directed):
    rng = np.random.default_rng(3)
    for _ in range(10):
        fl, net, _ = _random_network(rng, 40, directed)
        module = rng.integers(0, 5, 40)
        before = net.codelength(module)
        K.seed(1)
        net.core_loop(module, 10)
        assert net.codelength(module) <= before + 1e-12
        assert net.codelength(module) == pytest.approx(codelength_bits(fl, module), abs=1e-12)


# --- the search ----------------------------------------------------------------------------


def planted(rng, groups=6, size=12, p_in=0.7, p_out=0.01):
    n = groups * size
    truth = np.arange(n) // size
    u, v = np.triu_indices(n, 1)
    p = np.where(truth[u] == truth[v], p_in, p_out)
    keep = rng.random(len(u)) < p
    return (u[keep], v[keep]), truth


def same_partition(a, b):
    pairs = {(int(x), int(y)) for x, y in zip(a, b)}
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("directed", [False, True])
def test_planted_modules_are_recovered(directed):
    links, truth = planted(np.random.default_rng(1))
    if directed:
        links = (np.r_[links[0], links[1]], np.r_[links[1], links[0]])
    result = infomap(links, directed=directed)
    assert same_partition(result.modules, truth)
    assert result.codelength_bits < result.one_level_codelength_bits


def test_structureless_graph_is_one_module_and_isolated_nodes_stay_alone():
    u, v = np.triu_indices(12, 1)  # complete graph, plus isolated nodes 12 and 13
    result = infomap((u, v), 14)
    assert result.modules.tolist() == [0] * 12 + [1, 2]
    assert result.codelength_bits == pytest.approx(result.one_level_codelength_bits)
    assert result.codelength_bits == pytest.approx(math.log2(12))


def test_isolated_nodes_are_singletons_with_zero_flow():
    links, truth = planted(np.random.default_rng(2), groups=3)
    result = infomap(links, len(truth) + 2)
    assert result.n_modules == 5
    assert len(set(result.modules[-2:].tolist())) == 2
    assert result.node_flow[-2:].tolist() == [0.0, 0.0]


def test_modules_are_numbered_by_decreasing_flow_and_paths_agree():
    links, _ = planted(np.random.default_rng(4), groups=5, size=8)
    result = infomap(links)
    assert np.all(np.diff(result.module_flow) <= 1e-15)
    assert (result.paths[:, 0] - 1 == result.modules).all()
    for m in range(result.n_modules):  # leaf numbers 1..size, most flow first
        members = np.flatnonzero(result.modules == m)
        order = members[np.argsort(result.paths[members, 1])]
        assert sorted(result.paths[members, 1]) == list(range(1, len(members) + 1))
        assert np.all(np.diff(result.node_flow[order]) <= 1e-15)


def test_seed_determinism_and_trials():
    links, _ = planted(np.random.default_rng(5), p_in=0.3, p_out=0.03)
    a = infomap(links, seed=9, trials=3)
    b = infomap(links, seed=9, trials=3)
    assert a.modules.tolist() == b.modules.tolist()
    assert a.codelength_bits == b.codelength_bits == min(a.trial_codelengths_bits)
    single = infomap(links, seed=9)
    assert single.trial_codelengths_bits[0] == a.trial_codelengths_bits[0]


def _reference_tree_codelength(fl, paths):
    """Plain Python hierarchical map equation over a tree given as node paths."""
    plogp = lambda x: x * math.log2(x) if x > 0 else 0.0  # noqa: E731
    prefixes = {tuple(p[:d]) for p in paths for d in range(1, len(p))}
    members = {q: {a for a, p in enumerate(paths) if tuple(p[:len(q)]) == q} for q in prefixes}
    exit_, enter = defaultdict(float), defaultdict(float)
    for u, v, f in zip(fl.source, fl.target, fl.link_flow):
        for q, mem in members.items():
            if u in mem and v not in mem:
                exit_[q] += f
            if v in mem and u not in mem:
                enter[q] += f

    def cost(q):
        children = sorted({tuple(paths[a][:len(q) + 1]) for a in members[q]} & prefixes)
        if not children:  # leaf module
            flow_q = sum(fl.node_flow[a] for a in members[q])
            return (plogp(exit_[q] + flow_q) - plogp(exit_[q])
                    - sum(plogp(fl.node_flow[a]) for a in members[q]))
        return (plogp(exit_[q] + sum(enter[c] for c in children)) - plogp(exit_[q])
                - sum(plogp(enter[c]) for c in children) + sum(cost(c) for c in children))

    tops = sorted({q for q in prefixes if len(q) == 1})
    return (plogp(sum(enter[q] for q in tops)) - sum(plogp(enter[q]) for q in tops)
            + sum(cost(q) for q in tops))


def hierarchical_graph(rng):
    """4 groups of 4 dense cliques of 8 nodes."""
    n = 128
    u, v = np.triu_indices(n, 1)
    p = np.where(u // 8 == v // 8, 0.9, np.where(u // 32 == v // 32, 0.08, 0.004))
    keep = rng.random(len(u)) < p
    return (u[keep], v[keep]), n


def test_multilevel_finds_the_hierarchy_and_codes_it_exactly():
    links, n = hierarchical_graph(np.random.default_rng(0))
    flat = infomap(links, n, trials=3)
    tree = infomap(links, n, trials=3, two_level=False)
    assert tree.n_levels >= 3
    assert tree.codelength_bits < flat.codelength_bits
    assert same_partition(tree.modules, np.arange(n) // 32)
    fl = _flow(links, n)
    paths = [tuple(int(c) for c in row if c) for row in tree.paths]
    assert tree.codelength_bits == pytest.approx(_reference_tree_codelength(fl, paths), abs=1e-9)
    levels = [np.unique([p[:d + 1] for p in paths], axis=0, return_inverse=True)[1].ravel()
              for d in range(2)]
    net = _Network.from_flow(fl)
    assert _hierarchical_codelength(net, levels) == pytest.approx(tree.codelength_bits)


@pytest.mark.parametrize("directed", [False, True])
def test_multilevel_paths_are_a_tree_that_codes_to_the_reported_length(directed):
    """Random planted graphs: every node has its own path, and the reported codelength is the
    plain-Python hierarchical map equation of those paths. (A super-module holding a single
    module whose sub-modules were kept once cut its nodes' paths short: several nodes had
    one path, and the codelength ignored the sub-modules.)"""
    rng = np.random.default_rng(0)
    multilevel = 0
    for seed in range(40):
        n = int(rng.integers(6, 60))
        m = int(rng.integers(n, 4 * n))
        block = rng.integers(0, max(2, n // 6), n)
        u, v = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = (block[u] == block[v]) | (rng.random(m) < 0.15)
        links = (u[keep], v[keep], rng.random(int(keep.sum())) + 0.1)
        tree = infomap(links, n, directed=directed, two_level=False, seed=seed)
        paths = [tuple(int(c) for c in row if c) for row in tree.paths]
        assert len(set(paths)) == n
        if tree.n_levels > 2:
            multilevel += 1
            fl = _flow(links, n, directed=directed)
            assert tree.codelength_bits == pytest.approx(
                _reference_tree_codelength(fl, paths), abs=1e-9)
    assert multilevel >= 5


def test_multilevel_on_karate_is_the_two_level_answer():
    result = infomap(karate(), trials=10, two_level=False)
    assert result.codelength_bits == pytest.approx(4.311792646, abs=1e-9)


def test_scipy_matrix_and_networkx_wrapper():
    import scipy.sparse as sp

    s, t = karate()
    matrix = sp.coo_matrix((np.ones(len(s)), (s, t)), shape=(34, 34))
    sym = infomap(matrix + matrix.T, trials=10)  # both directions: weights double, same flow
    assert sym.codelength_bits == pytest.approx(4.311792646, abs=1e-9)
    groups = communities(nx.karate_club_graph(), weight=None, trials=10)
    assert sorted(len(g) for g in groups) == sorted(np.bincount(sym.modules).tolist())
    assert set().union(*groups) == set(range(34))


@pytest.mark.parametrize("bad, message", [
    ((np.array([0]), np.array([1]), np.array([np.nan])), "finite"),
    ((np.array([0]), np.array([1]), np.array([-1.0])), "negative"),
    ((np.array([0]), np.array([-1])), "non-negative"),
    ((np.array([], dtype=np.int64), np.array([], dtype=np.int64)), "no nodes"),
    ((np.array([0]), np.array([1]), np.array([0.0])), "positive weight"),
])
def test_bad_graphs_raise_value_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        infomap(bad)


def test_duplicate_links_are_summed():
    s, t, w = merge_links(np.array([0, 0, 1, 2]), np.array([1, 1, 0, 2]),
                          np.array([1.0, 2.0, 0.5, 1.0]), directed=False)
    assert list(zip(s.tolist(), t.tolist(), w.tolist())) == [(0, 1, 3.5), (2, 2, 1.0)]
    s, t, w = merge_links(np.array([0, 0, 1]), np.array([1, 1, 0]), np.ones(3), directed=True)
    assert list(zip(s.tolist(), t.tolist(), w.tolist())) == [(0, 1, 2.0), (1, 0, 1.0)]


@pytest.mark.filterwarnings("ignore")  # the package's own deprecation notices
@pytest.mark.parametrize("directed", [False, True])
def test_codelength_no_worse_than_the_reference_package(directed):
    """Only where the reference ``infomap`` package is installed (a benchmark peer)."""
    reference = pytest.importorskip("infomap", reason="the infomap package is not installed")
    rng = np.random.default_rng(11)
    for _ in range(3):
        links, truth = planted(rng, groups=8, size=15, p_in=0.35, p_out=0.03)
        n = len(truth)
        weight = rng.uniform(0.5, 1.0, len(links[0]))
        im = reference.Infomap(two_level=True, directed=directed, silent=True, num_trials=3,
                               seed=123, num_threads=1)
        im.add_nodes(range(n))
        im.add_links(np.column_stack([links[0], links[1], weight]))
        im.run()
        ours = infomap((links[0], links[1], weight), n, directed=directed, trials=3)
        assert ours.one_level_codelength_bits == pytest.approx(im.one_level_codelength, abs=1e-9)
        assert ours.codelength_bits <= im.codelength * 1.001
