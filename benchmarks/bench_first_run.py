"""First-run cost: each command on the sample data with an empty Numba cache (every kernel
it uses compiles) and again with the cache filled, as whole processes.

    python benchmarks/bench_first_run.py [--repeat 3]

Prints, per command, the median wall and CPU (user + sys) seconds of the cold and the warm
run. CPU time is the steadier figure on a shared machine: compiling is single-threaded, so
other jobs stretch the wall time but hardly the CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
from pathlib import Path

from _harness import REPO_ROOT, machine_facts, markdown_table, nlpzero_cmd, run_process, say

DATA = REPO_ROOT / "data_samples"


def commands(work: Path) -> dict[str, list[str]]:
    two = work / "two.seg"
    two.write_text("".join(DATA.joinpath("corpus.gold.txt").read_text("utf-8")
                           .splitlines(keepends=True)[:2]), "utf-8")
    return {
        "discover": ["discover", str(DATA / "corpus.txt")],
        "segment": ["segment", str(DATA / "corpus.txt"), "-l", str(DATA / "lexicon.tsv")],
        "templates": ["templates", str(DATA / "corpus.gold.txt")],
        "parse (2 lines)": ["parse", str(two), "-t", str(work / "templates.tsv")],
        "cluster": ["cluster", str(DATA / "graph.tsv")],
    }


def run(args: list[str], cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `nlpzero ARGS -q -o /dev/null` process."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = run_process(nlpzero_cmd(*args, "-q", "-o", os.devnull), check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done.wall_s, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nlpzero-first-run-"))
    try:
        cmds = commands(work)
        run_process(nlpzero_cmd("templates", DATA / "corpus.gold.txt", "-q", "-o",
                                work / "templates.tsv"), check=True,
                    env={**os.environ, "NUMBA_CACHE_DIR": str(work / "setup-cache")})
        rows = []
        for name, args in cmds.items():
            say(f"{name} ...")
            cold, warm = [], []
            for _ in range(opts.repeat):
                cache = work / "cache"
                shutil.rmtree(cache, ignore_errors=True)
                cold.append(run(args, cache))
                warm.append(run(args, cache))
            med = [statistics.median(x[i] for x in runs) for runs in (cold, warm) for i in (0, 1)]
            rows.append([name, *(f"{m:.1f}" for m in med)])
        print(markdown_table(["command", "cold wall s", "cold CPU s", "warm wall s",
                              "warm CPU s"], rows, right=range(1, 5)))
        print(f"\nmedian of {opts.repeat}; {machine_facts()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
