"""Benchmark ``nlpzero embed`` against gensim 4.x word2vec (skip-gram) on the xwlb news corpus.

Run from the repository root (about fifteen minutes on 2 cores)::

    python benchmarks/bench_embed.py [--parts 1,2,3] [--faithful-epochs 15]

1. Corpus: ../shared/data/raw/xwlb_news/xwlb_news.txt.xz (102.8 MB, 35 M characters),
   decompressed, a lexicon learnt by ``nlpzero discover`` and the text segmented by
   ``nlpzero segment`` with it, all cached under /tmp/issue6-embed/ (reused when present).
2. Quality and speed, each system in its own subprocess timed by ``/usr/bin/time``
   (wall seconds of the whole process: start-up, reading, counting, training, writing the
   vectors file; peak RSS): ``nlpzero embed SEG -o OUT`` with its defaults (spectral,
   window 10, min-count 5, dim = 8.33 ln V rounded up to a multiple of 8), the same with
   window 5, Su's faithful AdaGrad mode (``--method adagrad --truncate-weight``, window 10,
   ``--faithful-epochs`` epochs), and gensim ``Word2Vec(corpus_file=SEG, sg=1, window=5,
   min_count=5, epochs=5, workers=2)`` with the same dimension, saved as word2vec text.
   Every vectors file is scored by the same ``nlpzero.evaluate`` code: Spearman ρ (cosine)
   on thunlp SE-WRL wordsim-240 / wordsim-297 with coverage, 3CosAdd accuracy on its
   analogy set (covered questions). numba's cache is warmed first on the sample corpus.
3. Counting at scale: window-10 co-occurrence counts of a synthetic Zipf(1.0) corpus over a
   100 000-word vocabulary (20 M tokens, 30-token lines) in a subprocess: time, distinct
   pairs and peak RSS (a dense V x V int32 matrix would need 40 GB).
4. Ablation (in-process, one co-occurrence count at window 10, the default dimension): the
   levers behind the default, each scored like part 2: eigenvalue weighting p in
   v = u λ^p, no context-distribution smoothing, a shifted target, and AdaGrad epochs on
   Su's weighted loss after the spectral warm start. Training seconds only.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable without `pip install -e .`
    sys.path.insert(0, str(REPO_ROOT))

DATA = REPO_ROOT.parent / "shared" / "data"  # ../shared/data beside the checkout
XWLB = DATA / "raw/xwlb_news/xwlb_news.txt.xz"
EVAL = DATA / "similarity/thunlp_SE-WRL"
CACHE = Path(tempfile.gettempdir()) / "issue6-embed"
NLPZERO = [sys.executable, "-m", "nlpzero.cli.app"]

W2V_CHILD = """
import sys
from gensim.models import Word2Vec
corpus, out, dim = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = Word2Vec(corpus_file=corpus, sg=1, vector_size=dim, window=5, min_count=5, epochs=5,
                 workers=2, seed=1)
model.wv.save_word2vec_format(out)
"""

COUNT_CHILD = """
import sys, time
import numpy as np
from nlpzero.vectors.cooccurrence import count_pairs
n_words, n_tokens, window = 100_000, 20_000_000, 10
rng = np.random.default_rng(0)
p = 1.0 / np.arange(1, n_words + 1)
ids = rng.choice(n_words, n_tokens, p=p / p.sum()).astype(np.int32)
ids[29::30] = -2  # line ends every 30 tokens
count_pairs(ids[:10000], n_words, window)  # compile / load the numba cache
t = time.perf_counter()
keys, counts = count_pairs(ids, n_words, window)
seconds = time.perf_counter() - t
present = np.unique(ids[ids >= 0]).size
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0].split()[1]
print(present, keys.size, int(counts.sum()), f"{seconds:.1f}", int(hwm) // 1024)
"""


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kwargs)


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB) of a child process, and its stderr."""
    fmt = "BENCH %e %M"
    proc = subprocess.run(["/usr/bin/time", "-f", fmt, *cmd], text=True, capture_output=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("BENCH ")][-1]
    seconds, kb = line.split()[1:]
    return float(seconds), int(kb) / 1024, proc.stderr


def prepare_corpus() -> Path:
    """xwlb news → discover lexicon → segmented text, cached by path."""
    CACHE.mkdir(parents=True, exist_ok=True)
    raw, lexicon, seg = CACHE / "xwlb.txt", CACHE / "lex.tsv", CACHE / "xwlb.seg.txt"
    if not raw.exists():
        with open(f"{raw}.tmp", "wb") as out:
            subprocess.run(["xz", "-dc", str(XWLB)], stdout=out, check=True)
        os.replace(f"{raw}.tmp", raw)
    if not lexicon.exists():
        run([*NLPZERO, "discover", str(raw), "-o", str(lexicon), "-q"])
    if not seg.exists():
        run([*NLPZERO, "segment", str(raw), "-l", str(lexicon), "-o", str(seg), "-q"])
    return seg


def evaluate(path: Path) -> list[str]:
    from nlpzero.vectors.evaluation import evaluate_analogy, evaluate_similarity, read_analogy
    from nlpzero.vectors.evaluation import read_similarity as read_sims
    from nlpzero.vectors.embedding import Embedding

    emb = Embedding.read(path)
    cells = []
    for name in ("wordsim-240.txt", "wordsim-297.txt"):
        r = evaluate_similarity(emb, read_sims(EVAL / name))
        cells.append(f"{r.spearman:.3f} ({r.covered}/{r.total})")
    total = evaluate_analogy(emb, read_analogy(EVAL / "analogy.txt"))[-1]
    cells.append(f"{total.accuracy:.3f} ({total.covered}/{total.total})")
    return cells


def quality_and_speed(seg: Path, faithful_epochs: int) -> list[list[str]]:
    out_dir = CACHE / "vectors"
    out_dir.mkdir(exist_ok=True)
    run([*NLPZERO, "embed", str(REPO_ROOT / "data_samples/corpus.gold.txt"), "-q",
         "-o", str(out_dir / "warmup.txt"), "--min-count", "3"])
    run([*NLPZERO, "embed", str(REPO_ROOT / "data_samples/corpus.gold.txt"), "-q", "--dim", "8",
         "-o", str(out_dir / "warmup.txt"), "--min-count", "3", "--method", "adagrad",
         "--epochs", "1"])
    rows = []
    configs = [
        ("nlpzero embed (default: spectral, window 10)", []),
        ("nlpzero embed --window 5", ["--window", "5"]),
    ]
    if faithful_epochs:
        configs.append((f"nlpzero embed --method adagrad --truncate-weight --epochs "
                        f"{faithful_epochs} (Su's reference)",
                        ["--method", "adagrad", "--truncate-weight", "--epochs",
                         str(faithful_epochs)]))
    dim = None
    for k, (label, extra) in enumerate(configs):
        path = out_dir / f"embed{k}.txt"
        seconds, rss, _ = timed([*NLPZERO, "embed", str(seg), "-o", str(path), "-q", *extra])
        dim = dim or int(path.open(encoding="utf-8").readline().split()[1])
        rows.append([label, f"{seconds:.1f}", f"{rss:.0f}", *evaluate(path)])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    path = out_dir / "w2v.txt"
    seconds, rss, _ = timed([sys.executable, "-c", W2V_CHILD, str(seg), str(path), str(dim)])
    rows.append([f"gensim {metadata.version('gensim')} Word2Vec sg, window 5, 5 epochs, "
                 f"2 workers, dim {dim}", f"{seconds:.1f}", f"{rss:.0f}", *evaluate(path)])
    print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


ABLATION = [
    ("spectral p = 0.25 (default)", {}),
    ("spectral p = 0.5 (<v_i, v_j> ≈ PPMI)", {"eigen_power": 0.5}),
    ("spectral p = 0 (eigenvectors only)", {"eigen_power": 0.0}),
    ("spectral, no context smoothing (P(j)^1)", {"context_power": 1.0}),
    ("spectral, target PPMI - log 2 (shifted)", {"shift": math.log(2)}),
    ("spectral p = 0.5 + 3 AdaGrad epochs (weighted loss)",
     {"eigen_power": 0.5, "epochs": 3}),
]


def ablation(seg: Path) -> list[list[str]]:
    from nlpzero.vectors.cooccurrence import cooccur
    from nlpzero.vectors.solvers import train
    from nlpzero.vectors.word2vec import write_word2vec

    counted = cooccur(seg, window=10, min_count=5)
    rows = []
    for label, kwargs in ABLATION:
        t = time.perf_counter()
        trained = train(counted, **kwargs)
        seconds = time.perf_counter() - t
        path = CACHE / "vectors" / "ablation.txt"
        write_word2vec(path, counted.vocab.words, trained.vectors)
        rows.append([label, f"{seconds:.1f}", *evaluate(path)])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="1,2,3,4")
    parser.add_argument("--faithful-epochs", type=int, default=15)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not XWLB.exists():
        sys.exit(f"{XWLB} is absent: nothing to benchmark")
    t0 = time.perf_counter()
    seg = prepare_corpus()
    tokens = sum(len(line.split()) for line in seg.open(encoding="utf-8"))
    print(f"corpus: {seg} ({tokens:,} tokens, prepared in {time.perf_counter() - t0:.0f} s)")
    if "2" in parts:
        rows = quality_and_speed(seg, args.faithful_epochs)
        print("\n| system | total s | peak RSS MB | wordsim-240 ρ (covered) "
              "| wordsim-297 ρ (covered) | analogy acc (covered) |")
        print("|---|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    if "3" in parts:
        out = run([sys.executable, "-c", COUNT_CHILD]).stdout.split()
        print(f"\ncounting, synthetic Zipf corpus: {int(out[0]):,} distinct words present "
              f"of 100,000, 20,000,000 tokens, window 10: {int(out[1]):,} distinct pairs "
              f"({int(out[2]):,} pair events) in {out[3]} s, peak RSS {out[4]} MB")
    if "4" in parts:
        print("\n| ablation (window 10) | train s | wordsim-240 ρ | wordsim-297 ρ | analogy acc |")
        print("|---|---|---|---|---|")
        for row in ablation(seg):
            print("| " + " | ".join(row) + " |")
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}, numpy {metadata.version('numpy')}, numba "
          f"{metadata.version('numba')}, scipy {metadata.version('scipy')}, load average "
          f"{os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
