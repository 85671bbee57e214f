"""Benchmark ``--dask local:2`` against the single-process commands on the xwlb news corpus.

Run from the repository root (about ten minutes on 2 cores; needs ``nlpzero[dask]``)::

    python benchmarks/bench_dask.py [--repeat 1] [--memory-limit 420MB]

Corpus: ../shared/data/raw/xwlb_news/xwlb_news.txt.xz (102.8 MB decompressed, 35 M
characters), decompressed under /tmp/nlpzero-bench-dask/ (reused when present). Every run is
a subprocess timed by ``/usr/bin/time -v`` (wall seconds of the whole process, start-up and
the cluster's start included; the single-process peak RSS); the Dask driver's and workers'
peaks are the ones the command logs (each process alone).

1. Byte identity and wall time, single process vs ``--dask local:2``:
   ``discover`` (default method), ``discover --method nlpzero``, ``segment`` with the
   discovered lexicon, ``embed`` of the segmented text (same seed), ``templates`` of it;
   and ``discover --dask local:2`` over the corpus cut into 16 files (a folder).
2. Memory: ``discover --dask local:2:LIMIT`` with each worker's Dask ``memory_limit`` set
   below the single-process ``discover`` peak RSS: it must finish with identical output;
   the driver's and the workers' peaks are reported.
"""

from __future__ import annotations

import argparse
import lzma
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT.parent / "shared" / "data"  # ../shared/data beside the checkout
XWLB = DATA / "raw/xwlb_news/xwlb_news.txt.xz"
WORK = Path(tempfile.gettempdir()) / "nlpzero-bench-dask"
NLPZERO = [sys.executable, "-m", "nlpzero.cli.app"]


def timed(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stderr) of ``nlpzero ARGS`` under /usr/bin/time -v."""
    proc = subprocess.run(["/usr/bin/time", "-v", *NLPZERO, *args], capture_output=True,
                          text=True, cwd=REPO_ROOT)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): nlpzero {' '.join(args)}\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    assert wall is not None
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    assert rss is not None
    return seconds, int(rss.group(1)) / 1024, proc.stderr


def worker_peaks(log: str) -> str:
    m = re.search(r"peak memory per worker: (.*)", log)
    return m.group(1).strip() if m else "-"


def driver_peak(log: str) -> str:
    """The driver's own peak RSS as the command logs it (``/usr/bin/time`` would report
    the largest process of the tree, a worker)."""
    m = re.search(r"driver peak memory ([\d,]+) MB", log)
    return m.group(1).replace(",", "") if m else "-"


def same(a: Path, b: Path) -> str:
    return "yes" if a.read_bytes() == b.read_bytes() else "NO"


def prepare() -> tuple[Path, Path]:
    """The decompressed corpus, and the same cut into 16 files at line ends."""
    WORK.mkdir(exist_ok=True)
    corpus = WORK / "xwlb_news.txt"
    if not corpus.exists():
        with lzma.open(XWLB) as src, open(corpus.with_suffix(".tmp"), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 24)
        corpus.with_suffix(".tmp").rename(corpus)
    parts = WORK / "parts16"
    if not parts.exists():
        lines = corpus.read_bytes().splitlines(keepends=True)
        tmp = WORK / "parts16.tmp"
        tmp.mkdir(exist_ok=True)
        step = -(-len(lines) // 16)
        for i in range(16):
            (tmp / f"part{i:02d}.txt").write_bytes(b"".join(lines[i * step:(i + 1) * step]))
        tmp.rename(parts)
    return corpus, parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="paired runs per command (median)")
    ap.add_argument("--memory-limit", default=None,
                    help="worker memory_limit for part 2 (default: 80%% of the single-process "
                    "discover peak)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="discover,nlpzero,segment,embed,templates,files,memory",
                    help="comma-separated parts to run (default: all)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if not XWLB.exists():
        sys.exit(f"corpus not found: {XWLB}")
    corpus, parts = prepare()
    out = WORK / "out"
    out.mkdir(exist_ok=True)
    local = f"local:{args.workers}"
    timed(["discover", str(REPO_ROOT / "data_samples/corpus.txt"), "-q", "--dask", local,
           "-o", str(out / "warm.tsv")])  # numba caches of the workers' kernels

    lex = out / "lex.single.tsv"
    seg = out / "seg.single.txt"
    rows = []
    commands = [
        ("discover", "discover", ["discover", str(corpus)], "lex", ".tsv"),
        ("discover --method nlpzero", "nlpzero",
         ["discover", str(corpus), "--method", "nlpzero"], "lexz", ".tsv"),
        ("segment", "segment", ["segment", str(corpus), "-l", str(lex)], "seg", ".txt"),
        ("embed (seed 0)", "embed", ["embed", str(seg), "--seed", "0"], "vec", ".txt"),
        ("templates", "templates", ["templates", str(seg)], "tpl", ".tsv"),
    ]
    single_discover_rss = 0.0
    for label, part, cmd, stem, ext in commands:
        if part not in only and not (part == "discover" and "memory" in only
                                     and not args.memory_limit):
            continue
        singles, dasks = [], []
        for _ in range(args.repeat):
            a = out / f"{stem}.single{ext}"
            b = out / f"{stem}.dask{ext}"
            s_wall, s_rss, _ = timed([*cmd, "-q", "-o", str(a)])
            d_wall, d_rss, log = timed([*cmd, "--dask", local, "-o", str(b)])
            singles.append(s_wall)
            dasks.append(d_wall)
        if label == "discover":
            single_discover_rss = s_rss
        s, d = statistics.median(singles), statistics.median(dasks)
        rows.append((label, same(a, b), f"{s:.1f}", f"{d:.1f}", f"{d / s:.2f}",
                     f"{s_rss:.0f}", driver_peak(log), worker_peaks(log)))
        print(" | ".join(rows[-1]), flush=True)
    if "files" in only:
        b = out / "lex.parts16.tsv"
        d_wall, d_rss, log = timed(["discover", str(parts), "--dask", local, "-o", str(b)])
        rows.append(("discover, 16 files", same(out / "lex.single.tsv", b), "-",
                     f"{d_wall:.1f}", "-", "-", driver_peak(log), worker_peaks(log)))
    if "memory" in only:
        limit = args.memory_limit or f"{int(0.8 * single_discover_rss)}MB"
        b = out / "lex.limited.tsv"
        d_wall, d_rss, log = timed(["discover", str(corpus), "--dask", f"{local}:{limit}",
                                    "-o", str(b)])
        rows.append((f"discover, memory_limit {limit}", same(out / "lex.single.tsv", b),
                     "-", f"{d_wall:.1f}", "-", f"{single_discover_rss:.0f}",
                     driver_peak(log), worker_peaks(log)))

    print(f"\nxwlb news, {corpus.stat().st_size / 1e6:.1f} MB, {os.cpu_count()} cores, "
          f"--dask {local}, median of {args.repeat} paired run(s)\n")
    head = ("command", "identical", "single s", "dask s", "ratio", "single peak MB",
            "driver peak MB", "worker peaks")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
