"""Infomap quality and speed against the reference ``infomap`` package, in one run.

    pip install infomap networkit       # peers, not dependencies of nlpzero
    python benchmarks/bench_cluster.py  # all parts, ~3 minutes on 2 cores
    python benchmarks/bench_cluster.py --parts 1,3 --quick

1. LFR graphs (networkit's generator: N = 1 000 / 10 000, <k> = 20, k_max = 50, τ1 = 2,
   τ2 = 1, communities 20–100, μ = 0.1 … 0.7): NMI against the planted communities and
   two-level codelength, nlpzero vs infomap 2.x (1 trial, 1 thread, seed 123).
2. Speed on LFR N = 10 000 and 100 000 (≈ 1 M links), μ = 0.5: nlpzero's ``infomap()``
   (flow included) vs infomap's ``run()`` (links already added) vs networkx's
   ``louvain_communities``.
3. Newman's college-football network against its 12 conferences.
4. ``knn`` on 50 000 × 128 vectors (exact BLAS and Mitchell-approximate ranking), and Su's
   recipe end to end on synthetic word-like vectors: kNN graph → Infomap, NMI vs the clusters.

Single-threaded numbers: both tools are pinned to one thread (OMP/BLAS threads = 1 for the
clustering; BLAS is left multi-threaded for knn, as a user would run it).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
from _harness import DATA, machine_facts, md_row, require_peers

FOOTBALL = DATA / "graphs" / "newman_adamic" / "football.gml"


def nmi(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised mutual information, arithmetic normalisation (Danon et al.)."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    joint = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(joint, (a, b), 1.0 / len(a))
    pa, pb = joint.sum(1), joint.sum(0)
    nz = joint > 0
    mutual = (joint[nz] * np.log(joint[nz] / np.outer(pa, pb)[nz])).sum()
    entropy = -(pa * np.log(pa)).sum() - (pb * np.log(pb)).sum()
    return 1.0 if entropy == 0 else float(2 * mutual / entropy)


def lfr(n: int, mu: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    import networkit as nk

    nk.engineering.setSeed(seed, False)
    nk.setNumberOfThreads(1)
    gen = nk.generators.LFRGenerator(n)
    gen.generatePowerlawDegreeSequence(20, 50, -2)
    gen.generatePowerlawCommunitySizeSequence(20, 100, -1)
    gen.setMu(mu)
    graph = gen.generate()
    edges = np.array(list(graph.iterEdges()), dtype=np.int64)
    part = gen.getPartition()
    return edges, np.array([part.subsetOf(i) for i in range(n)])


def run_reference(edges: np.ndarray, n: int, directed: bool = False,
                  weights: np.ndarray | None = None):
    import infomap

    im = infomap.Infomap(two_level=True, directed=directed, silent=True, num_trials=1,
                         seed=123, num_threads=1)
    im.add_nodes(range(n))
    im.add_links(edges if weights is None else np.column_stack([edges, weights]))
    start = time.perf_counter()
    im.run()
    seconds = time.perf_counter() - start
    modules = im.get_modules()
    return (np.array([modules[i] for i in range(n)]), im.codelength, seconds)


def run_ours(edges: np.ndarray, n: int, directed: bool = False,
             weights: np.ndarray | None = None):
    from nlpzero.graphs.infomap import infomap

    start = time.perf_counter()
    links = (edges[:, 0], edges[:, 1]) if weights is None else (edges[:, 0], edges[:, 1],
                                                                 weights)
    result = infomap(links, n, directed=directed)
    return result.modules, result.codelength_bits, time.perf_counter() - start


def part_lfr(quick: bool) -> None:
    print("\n## 1. LFR quality: nlpzero vs infomap (two-level, 1 trial)\n")
    print(md_row("N", "μ", "seeds", "links", "NMI infomap", "NMI nlpzero", "ΔNMI",
                 "L infomap (bits)", "L nlpzero (bits)", "ΔL %", "modules infomap / nlpzero"))
    print(md_row(*["---"] * 11))
    worst_nmi, worst_l = 0.0, -np.inf
    for n, seeds in ((1000, (1, 2, 3)), (10000, (1,) if quick else (1, 2))):
        for mu in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            stats = []
            for seed in seeds:
                edges, truth = lfr(n, mu, seed)
                ref_mod, ref_l, _ = run_reference(edges, n)
                our_mod, our_l, _ = run_ours(edges, n)
                stats.append((nmi(ref_mod, truth), nmi(our_mod, truth), ref_l, our_l,
                              len(set(ref_mod)), len(set(our_mod)), len(edges)))
            s = np.array(stats)
            d_nmi = s[:, 1].mean() - s[:, 0].mean()
            d_l = 100 * (s[:, 3] / s[:, 2] - 1).max()
            worst_nmi, worst_l = min(worst_nmi, d_nmi), max(worst_l, d_l)
            print(md_row(n, mu, len(seeds), int(s[0, 6]), f"{s[:, 0].mean():.4f}",
                         f"{s[:, 1].mean():.4f}", f"{d_nmi:+.4f}", f"{s[:, 2].mean():.6f}",
                         f"{s[:, 3].mean():.6f}", f"{d_l:+.3f}",
                         f"{s[:, 4].mean():.0f} / {s[:, 5].mean():.0f}"), flush=True)
    print(f"\nworst NMI difference (nlpzero − infomap): {worst_nmi:+.4f}; "
          f"worst codelength excess: {worst_l:+.3f} %")


def part_speed(quick: bool) -> None:
    import networkx as nx

    print("\n## 2. Speed, single thread, LFR μ = 0.5 (best of 3 runs; Louvain once)\n")
    print(md_row("N", "links", "infomap run() s", "nlpzero infomap() s", "ratio",
                 "networkx louvain s", "NMI infomap / nlpzero / louvain"))
    print(md_row(*["---"] * 7))
    for n in (10000,) if quick else (10000, 100000):
        edges, truth = lfr(n, 0.5, 1)
        ref = min((run_reference(edges, n) for _ in range(3)), key=lambda r: r[2])
        ours = min((run_ours(edges, n) for _ in range(3)), key=lambda r: r[2])
        graph = nx.Graph()
        graph.add_edges_from(edges.tolist())
        start = time.perf_counter()
        groups = nx.community.louvain_communities(graph, seed=1)
        louvain_s = time.perf_counter() - start
        louvain = np.empty(n, dtype=np.int64)
        for i, group in enumerate(groups):
            louvain[list(group)] = i
        print(md_row(n, len(edges), f"{ref[2]:.3f}", f"{ours[2]:.3f}",
                     f"{ours[2] / ref[2]:.2f}×", f"{louvain_s:.2f}",
                     f"{nmi(ref[0], truth):.4f} / {nmi(ours[0], truth):.4f} / "
                     f"{nmi(louvain, truth):.4f}"), flush=True)


def part_football() -> None:
    import networkx as nx

    print("\n## 3. College football (Newman), 12 conferences\n")
    if not FOOTBALL.exists():
        print(f"skipped: {FOOTBALL} not found")
        return
    graph = nx.read_gml(FOOTBALL)
    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
    truth = np.array([graph.nodes[v]["value"] for v in nodes])
    ref = run_reference(edges, len(nodes))
    ours = run_ours(edges, len(nodes))
    print(md_row("tool", "modules", "codelength (bits)", "NMI vs conferences"))
    print(md_row(*["---"] * 4))
    for name, (modules, length, _) in (("infomap", ref), ("nlpzero", ours)):
        print(md_row(name, len(set(modules)), f"{length:.6f}", f"{nmi(modules, truth):.4f}"))


def word_like_vectors(n: int, dim: int, clusters: int, noise: float, seed: int):
    """Unit vectors around ``clusters`` random centres, Pareto-sized clusters."""
    rng = np.random.default_rng(seed)
    sizes = rng.pareto(1.5, clusters) + 1
    labels = rng.choice(clusters, n, p=sizes / sizes.sum())
    centres = rng.normal(size=(clusters, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vectors = centres[labels] + noise * rng.normal(size=(n, dim)) / np.sqrt(dim)
    return vectors.astype(np.float32), labels


def part_knn(quick: bool) -> None:
    from nlpzero.graphs.knn import cosine_knn

    print("\n## 4. knn and Su's recipe (kNN graph → Infomap)\n")
    vectors, _ = word_like_vectors(50000, 128, 1000, 1.0, 1)
    print(md_row("task", "rows × dim", "k", "seconds"))
    print(md_row(*["---"] * 4))
    start = time.perf_counter()
    exact = cosine_knn(vectors, k=10, min_similarity=-1.0)
    print(md_row("knn exact (BLAS)", "50 000 × 128", 10, f"{time.perf_counter() - start:.2f}"))
    if not quick:
        start = time.perf_counter()
        approx = cosine_knn(vectors[:10000], k=10, min_similarity=-1.0, approx=True)
        seconds = time.perf_counter() - start
        ref = cosine_knn(vectors[:10000], k=10, min_similarity=-1.0)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(
            approx[1].reshape(-1, 10), ref[1].reshape(-1, 10))])
        print(md_row(f"knn --approx (Mitchell, recall@10 {recall:.4f})", "10 000 × 128", 10,
                     f"{seconds:.2f}"))
    del exact

    print()
    print(md_row("kNN graph (20 000 × 64, 400 clusters, k = 20)", "links", "tool",
                 "NMI", "modules", "seconds"))
    print(md_row(*["---"] * 6))
    vectors, labels = word_like_vectors(20000, 64, 400, 1.6, 7)
    source, target, sim = cosine_knn(vectors, k=20, min_similarity=0.25)
    edges = np.column_stack([source, target])
    for directed in (True, False):
        kind = "directed" if directed else "undirected"
        for name, runner in (("infomap", run_reference), ("nlpzero", run_ours)):
            modules, _, seconds = runner(edges, len(vectors), directed, sim.astype(np.float64))
            print(md_row(kind, len(edges), name, f"{nmi(modules, labels):.4f}",
                         len(set(modules)), f"{seconds:.2f}"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="1,2,3,4")
    parser.add_argument("--quick", action="store_true", help="fewer seeds, no 100k graph")
    args = parser.parse_args()
    parts = {int(p) for p in args.parts.split(",")}
    warnings.filterwarnings("ignore")
    for var in ("OMP_NUM_THREADS",):
        os.environ.setdefault(var, "1")
    require_peers(("infomap", "infomap"), ("networkit", "networkit"))
    from nlpzero.graphs.infomap import infomap as warm

    warm((np.array([0, 1, 2, 3]), np.array([1, 2, 0, 0])))  # load the Numba cache
    print(f"# nlpzero cluster benchmark — {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} CPUs, infomap {__import__('infomap').__version__}")
    if 1 in parts:
        part_lfr(args.quick)
    if 2 in parts:
        part_speed(args.quick)
    if 3 in parts:
        part_football()
    if 4 in parts:
        part_knn(args.quick)
    print()
    print(machine_facts(peers=("infomap", "networkit", "networkx")))


if __name__ == "__main__":
    main()
