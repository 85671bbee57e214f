"""Benchmark ``--dask local:2`` against the single-process commands on the xwlb news corpus.

Run from the repository root (about twenty minutes on 2 cores; needs ``nlpzero[dask]``)::

    python benchmarks/bench_dask.py [--repeat 1] [--memory-limit 900MB] [--only PARTS]
    python benchmarks/bench_dask.py --quick     # smoke run: the first 8 MB, about 3 minutes

Corpus: ../shared/data/raw/xwlb_news/xwlb_news.txt.xz (102.8 MB decompressed, 35 M
characters), decompressed under the temp folder (nlpzero-bench-dask/, reused when present).
Every run is a fresh process (``_harness.run_process``: wall seconds of the whole command,
start-up and the cluster's start included; the single-process peak RSS); the Dask runs'
driver and worker peaks are the ones the command logs (each process alone: ``/usr/bin/time``
would report the largest process of the tree, a worker).

1. Byte identity and wall time, single process vs ``--dask local:2`` (paired runs, median):
   ``discover`` (default method), ``discover --method nlpzero``, ``segment`` with the
   discovered lexicon, ``embed`` of the segmented text (same seed), ``templates`` of it;
   and ``discover --dask local:2`` over the corpus cut into 16 files (a folder).
2. Memory: ``discover --dask local:2:LIMIT`` with each worker's Dask ``memory_limit`` set
   below the single-process ``discover`` peak RSS (90 % of it by default; Dask restarts a
   worker at 95 % of its limit): it must finish with identical output; the driver's and
   the workers' peaks are reported.
"""

from __future__ import annotations

import argparse
import lzma
import re
import shutil
import statistics
import tempfile
from pathlib import Path

from _harness import (
    DATA,
    SAMPLES,
    head_of,
    machine_facts,
    markdown_table,
    nlpzero_cmd,
    require_data,
    run_process,
    say,
)

XWLB = DATA / "raw/xwlb_news/xwlb_news.txt.xz"
WORK = Path(tempfile.gettempdir()) / "nlpzero-bench-dask"
PARTS = ("discover", "nlpzero", "segment", "embed", "templates", "files", "memory")


def run(*args: object) -> tuple[float, float | None, str]:
    """(wall seconds, peak RSS MiB, stderr) of ``nlpzero ARGS``; a failure exits."""
    r = run_process(nlpzero_cmd(*args), check=True)
    return r.wall_s, r.peak_rss_mb, r.stderr


def worker_peaks(log: str) -> str:
    m = re.search(r"peak memory per worker: (.*)", log)
    return m.group(1).strip() if m else "-"


def driver_peak(log: str) -> str:
    m = re.search(r"driver peak memory ([\d,]+) MB", log)
    return m.group(1).replace(",", "") if m else "-"


def same(a: Path, b: Path) -> str:
    return "yes" if a.read_bytes() == b.read_bytes() else "NO"


def prepare(head: int | None) -> tuple[Path, Path]:
    """The decompressed corpus (its first *head* bytes with --quick), and the same cut
    into 16 files at line ends."""
    WORK.mkdir(exist_ok=True)
    corpus = WORK / "xwlb_news.txt"
    if not corpus.exists():
        say(f"decompressing {XWLB}")
        with lzma.open(XWLB) as src, open(corpus.with_suffix(".tmp"), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 24)
        corpus.with_suffix(".tmp").rename(corpus)
    if head:
        corpus = head_of(corpus, head)
    parts = WORK / f"parts16-{corpus.stem}"
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
                    help="worker memory_limit for part 2 (default: 90%% of the single-process "
                    "discover peak)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run on the corpus's first 8 MB (figures say nothing)")
    ap.add_argument("--only", default=",".join(PARTS),
                    help=f"comma-separated parts to run (default: all of {','.join(PARTS)})")
    args = ap.parse_args()
    only = set(args.only.split(","))
    require_data(XWLB)
    corpus, parts = prepare(8 << 20 if args.quick else None)
    out = WORK / "out"
    out.mkdir(exist_ok=True)
    local = f"local:{args.workers}"
    say("warming the numba caches of the workers' kernels")
    run("discover", SAMPLES / "corpus.txt", "-q", "--dask", local, "-o", out / "warm.tsv")

    lex, seg = out / "lex.single.tsv", out / "seg.single.txt"
    commands = [
        ("discover", "discover", ["discover", corpus], "lex", ".tsv"),
        ("discover --method nlpzero", "nlpzero", ["discover", corpus, "--method", "nlpzero"],
         "lexz", ".tsv"),
        ("segment", "segment", ["segment", corpus, "-l", lex], "seg", ".txt"),
        ("embed (seed 0)", "embed", ["embed", seg, "--seed", "0"], "vec", ".txt"),
        ("templates", "templates", ["templates", seg], "tpl", ".tsv"),
    ]
    needs_discover = "memory" in only and not args.memory_limit
    rows = []
    single_discover_rss: float | None = None
    for label, part, cmd, stem, ext in commands:
        if part not in only and not (part == "discover" and needs_discover):
            continue
        singles, dasks = [], []
        for _ in range(args.repeat):
            a, b = out / f"{stem}.single{ext}", out / f"{stem}.dask{ext}"
            say(f"{label}: single process, then --dask {local}")
            s_wall, s_rss, _ = run(*cmd, "-q", "-o", a)
            d_wall, _, log = run(*cmd, "--dask", local, "-o", b)
            singles.append(s_wall)
            dasks.append(d_wall)
        if part == "discover":
            single_discover_rss = s_rss
        s, d = statistics.median(singles), statistics.median(dasks)
        rows.append((label, same(a, b), f"{s:.1f}", f"{d:.1f}", f"{d / s:.2f}",
                     f"{s_rss:.0f}" if s_rss else "-", driver_peak(log), worker_peaks(log)))
    if "files" in only:
        say("discover over the corpus as 16 files")
        b = out / "lex.parts16.tsv"
        d_wall, _, log = run("discover", parts, "--dask", local, "-o", b)
        rows.append(("discover, 16 files", same(out / "lex.single.tsv", b), "-",
                     f"{d_wall:.1f}", "-", "-", driver_peak(log), worker_peaks(log)))
    if "memory" in only:
        limit = args.memory_limit or f"{int(0.9 * (single_discover_rss or 0))}MiB"
        say(f"discover with memory_limit {limit} per worker")
        b = out / "lex.limited.tsv"
        d_wall, _, log = run("discover", corpus, "--dask", f"{local}:{limit}", "-o", b)
        rows.append((f"discover, memory_limit {limit}", same(out / "lex.single.tsv", b), "-",
                     f"{d_wall:.1f}", "-",
                     f"{single_discover_rss:.0f}" if single_discover_rss else "-",
                     driver_peak(log), worker_peaks(log)))

    print(f"xwlb news, {corpus.stat().st_size / 1e6:.1f} MB, --dask {local}, median of "
          f"{args.repeat} paired run(s)\n")
    print(markdown_table(("command", "identical", "single s", "dask s", "ratio",
                          "single peak MiB", "driver peak MB", "worker peaks"), rows,
                         right=(2, 3, 4, 5, 6)))
    print(f"\n{machine_facts()}")


if __name__ == "__main__":
    main()
