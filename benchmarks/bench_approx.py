"""Benchmark Mitchell's approximate arithmetic (``nlpzero.approx``) on this machine.

Run from the repository root (about a minute; ``--quick`` for a few seconds)::

    python benchmarks/bench_approx.py [--quick] [--n 100000000] [--parts 1,2,3]

1. Elementwise throughput over n float32 elements (default 10^8, three arrays of 400 MB):
   Mitchell's product against numpy's multiply and a plain copy (memory bandwidth), in
   GB/s and Gelem/s, best of 5 interleaved runs; and whether Mitchell reaches 0.9 x the
   copy bandwidth. GB/s counts 8 bytes per element for a copy and 12 for a binary op.
2. Cosine top-10 over 50 000 x 128 float32 vectors (seeded clustered Gaussian: 500
   centres, noise 0.6 per coordinate) for 1000 queries from the same distribution:
   recall@10 against the exact float64 top-10 and the time of ``approx.cosine_topk``
   (Mitchell ranking + exact re-rank) against exact BLAS top-k (numpy matmul +
   argpartition), both on all cores.
3. Mitchell's log2 inside a Numba reduction (the place where it does pay): the sum of
   log2 over 10^7 float32 values with ``math.log2``, ``approx.fast_log2`` (with the
   16-entry table) and Mitchell's bare chord, against numpy's vectorised ``np.log2``.

Prints markdown tables and the machine's facts.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable without `pip install -e .`
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402
from numba import get_num_threads, njit  # noqa: E402

from nlpzero.approx import _kernels as K  # noqa: E402
from nlpzero.approx import arithmetic as approx  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} logical CPUs, numba threads {get_num_threads()}; "
            f"Python {platform.python_version()}, numpy {np.__version__}, "
            f"numba {metadata.version('numba')}; load average {load:.2f}")


def best_of(f, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


# --- 1. throughput ---------------------------------------------------------------------------


def part_throughput(n: int, repeat: int) -> None:
    rows = approx.throughput(n, repeat, np.float32)
    copy = max(r.gb_s for r in rows if r.kernel.startswith("copy"))
    print(f"\n### Elementwise, n = {n:,} float32 (best of {repeat})\n")
    print("| kernel | ms | Gelem/s | GB/s | vs best copy |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r.kernel} | {r.seconds * 1e3:.1f} | {r.gelem_s:.2f} | {r.gb_s:.1f} | "
              f"{r.gb_s / copy:.2f} |")
    by = {r.kernel: r for r in rows}
    mitchell = by["Mitchell mul raw (numba, streaming stores)"]
    exact = by["exact multiply (numba, streaming stores)"]
    guarded = by["Mitchell mul guarded: mul(x, y, out=o)"]
    numpy_mul = by["exact multiply (numpy)"]
    ratio = mitchell.gb_s / copy
    print(f"\nMitchell (raw, streaming stores) reaches {ratio:.2f} x the best copy bandwidth: "
          f"{'yes' if ratio >= 0.9 else 'NO'} (>= 0.9 required). The exact multiply with the "
          f"same streaming stores runs at {exact.gb_s / mitchell.gb_s:.2f} x Mitchell's speed; "
          f"the guarded mul() at {guarded.gb_s / numpy_mul.gb_s:.2f} x numpy's multiply.")


# --- 2. cosine top-k -------------------------------------------------------------------------


def clustered(n: int, d: int, centres: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    pick = rng.integers(0, len(centres), n)
    return (centres[pick] + 0.6 * rng.standard_normal((n, d))).astype(np.float32)


def blas_topk(q: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    qn = q / np.linalg.norm(q, axis=1, keepdims=True)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = qn @ xn.T
    part = np.argpartition(-s, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(s, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(a[:k]) & set(b)) / k for a, b in zip(found, truth)]))


def part_knn(n: int, d: int, nq: int, k: int, repeat: int) -> None:
    rng = np.random.default_rng(20240601)
    centres = rng.standard_normal((500, d))
    x = clustered(n, d, centres, rng)
    q = clustered(nq, d, centres, rng)
    xn = x.astype(np.float64) / np.linalg.norm(x, axis=1, keepdims=True)
    qn = q.astype(np.float64) / np.linalg.norm(q, axis=1, keepdims=True)
    truth = np.argsort(-(qn @ xn.T), axis=1, kind="stable")[:, :k]
    blas_topk(q[:2], x, k)
    approx.cosine_topk(q[:2], x, k)  # load / compile
    rows = []
    t = best_of(lambda: blas_topk(q, x, k), repeat)
    rows.append(("exact BLAS top-k (float32 matmul + argpartition)", recall(blas_topk(q, x, k),
                                                                           truth), t))
    for cand in (k, 2 * k, None):
        found = approx.cosine_topk(q, x, k, candidates=cand)[0]
        t = best_of(lambda c=cand: approx.cosine_topk(q, x, k, candidates=c), repeat)
        label = ("Mitchell ranking only (candidates = k)" if cand == k else
                 f"cosine_topk, exact re-rank of the top {cand or max(3 * k, k + 20)}")
        rows.append((label, recall(found, truth), t))
    blas_t = rows[0][2]
    print(f"\n### Cosine top-{k}: {n:,} x {d} base, {nq:,} queries, clustered Gaussian "
          f"(best of {repeat})\n")
    print(f"| method | recall@{k} | seconds | vs BLAS |")
    print("| --- | ---: | ---: | ---: |")
    for label, rec, t in rows:
        print(f"| {label} | {rec:.4f} | {t:.3f} | {t / blas_t:.1f} x |")


# --- 3. Mitchell's log2 in a Numba loop ---------------------------------------------------------


# fastmath "reassoc" lets the sums vectorise, so that the log, not the add, is measured
@njit(cache=True, fastmath={"reassoc"})
def sum_log2_libm(x):
    s = 0.0
    for i in range(x.size):  # (index loops vectorise; `for v in x` does not)
        s += math.log2(x[i])
    return s


@njit(cache=True, fastmath={"reassoc"})
def sum_log2_mitchell(x):
    s = 0.0
    for i in range(x.size):
        s += approx.fast_log2(x[i])
    return s


@njit(cache=True, fastmath={"reassoc"})
def sum_log2_chord(x):
    s = 0.0
    for i in range(x.size):
        s += K.log2_core(K.bits(x[i]), 0, 0.0, x[i])  # Mitchell's chord alone, no table
    return s


def part_log(n: int, repeat: int) -> None:
    rng = np.random.default_rng(7)
    x = np.exp(rng.uniform(-20, 20, n)).astype(np.float32)
    exact = float(np.sum(np.log2(x.astype(np.float64))))
    rows = []
    for label, f in (("numpy np.log2(x).sum() (SIMD, float32)", lambda: float(np.log2(x).sum())),
                     ("Numba loop, math.log2", lambda: sum_log2_libm(x)),
                     ("Numba loop, approx.fast_log2 (Mitchell + 16-entry table)",
                      lambda: sum_log2_mitchell(x)),
                     ("Numba loop, Mitchell's chord alone (bits / 2^23 - 127)",
                      lambda: sum_log2_chord(x))):
        value = f()
        rows.append((label, best_of(f, repeat), abs(value - exact) / n))
    base = rows[1][1]
    print(f"\n### Sum of log2 over {n:,} float32 values (one thread, best of {repeat})\n")
    print("| method | ms | Gelem/s | vs math.log2 | mean error (bits) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, t, err in rows:
        print(f"| {label} | {t * 1e3:.1f} | {n / t / 1e9:.2f} | {base / t:.1f} x | {err:.2g} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--n", type=int, default=None, help="elements for part 1 (10^8)")
    parser.add_argument("--parts", default="1,2,3")
    args = parser.parse_args()
    parts = {int(p) for p in args.parts.split(",")}
    n = args.n or (10**6 if args.quick else 10**8)
    print(f"Machine: {machine()}")
    if 1 in parts:
        part_throughput(n, 2 if args.quick else 5)
    if 2 in parts:
        if args.quick:
            part_knn(5_000, 128, 100, 10, 1)
        else:
            part_knn(50_000, 128, 1000, 10, 3)
    if 3 in parts:
        part_log(10**6 if args.quick else 10**7, 2 if args.quick else 5)


if __name__ == "__main__":
    main()
