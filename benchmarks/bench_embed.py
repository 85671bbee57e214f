"""Benchmark ``nlpzero embed`` against gensim 4.x word2vec (skip-gram) on the xwlb news corpus.

Run from the repository root (about fifteen minutes on 2 cores)::

    python benchmarks/bench_embed.py [--parts 1,2,3,4] [--faithful-epochs 15] [--quick]

``--quick`` is a smoke run of about a minute: the first 1 MB of the corpus (cached
under /tmp/issue6-embed/ too), 2 faithful epochs, and a 1 M-token, 10 000-word Zipf corpus
in part 3. Its figures say nothing about the full-size comparison.

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import (
    DATA,
    MB,
    SAMPLES,
    atomic_path,
    child_main,
    have_peer,
    head_of,
    machine_facts,
    markdown_table,
    nlpzero_cmd,
    peer_version,
    require_data,
    run_child,
    run_process,
    say,
)

XWLB = DATA / "raw/xwlb_news/xwlb_news.txt.xz"
EVAL = DATA / "similarity/thunlp_SE-WRL"
CACHE = Path(tempfile.gettempdir()) / "issue6-embed"
QUICK_BYTES = 1 * MB


def child_word2vec(corpus: str, out: str, dim: int) -> dict:
    from gensim.models import Word2Vec

    model = Word2Vec(corpus_file=corpus, sg=1, vector_size=dim, window=5, min_count=5,
                     epochs=5, workers=2, seed=1)
    model.wv.save_word2vec_format(out)
    return {}


def child_count(n_words: int, n_tokens: int, window: int) -> dict:
    import numpy as np

    from nlpzero.vectors.cooccurrence import count_pairs

    rng = np.random.default_rng(0)
    p = 1.0 / np.arange(1, n_words + 1)
    ids = rng.choice(n_words, n_tokens, p=p / p.sum()).astype(np.int32)
    ids[29::30] = -2  # line ends every 30 tokens
    count_pairs(ids[:10000], n_words, window)  # compile / load the numba cache
    t = time.perf_counter()
    keys, counts = count_pairs(ids, n_words, window)
    seconds = time.perf_counter() - t
    return {"present": int(np.unique(ids[ids >= 0]).size), "pairs": int(keys.size),
            "events": int(counts.sum()), "seconds": seconds}


CHILD_TASKS = {"word2vec": child_word2vec, "count": child_count}


def prepare_corpus(quick: bool) -> Path:
    """xwlb news → discover lexicon → segmented text, cached by path."""
    CACHE.mkdir(parents=True, exist_ok=True)
    raw = CACHE / "xwlb.txt"
    if not raw.exists():
        with atomic_path(raw) as tmp, open(tmp, "wb") as out:
            subprocess.run(["xz", "-dc", str(XWLB)], stdout=out, check=True)
    if quick:
        raw = head_of(raw, QUICK_BYTES)
    stem = raw.stem.removeprefix("xwlb")
    lexicon, seg = CACHE / f"lex{stem}.tsv", CACHE / f"xwlb{stem}.seg.txt"
    if not lexicon.exists():
        run_process(nlpzero_cmd("discover", raw, "-o", lexicon, "-q"), check=True)
    if not seg.exists():
        run_process(nlpzero_cmd("segment", raw, "-l", lexicon, "-o", seg, "-q"), check=True)
    return seg


def evaluate(path: Path) -> list[str]:
    from nlpzero.vectors.embedding import Embedding
    from nlpzero.vectors.evaluation import evaluate_analogy, evaluate_similarity, read_analogy
    from nlpzero.vectors.evaluation import read_similarity as read_sims

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
    warm = ["embed", SAMPLES / "corpus.gold.txt", "-q", "-o", out_dir / "warmup.txt",
            "--min-count", "3"]
    run_process(nlpzero_cmd(*warm), check=True)
    run_process(nlpzero_cmd(*warm, "--dim", "8", "--method", "adagrad", "--epochs", "1"),
                check=True)
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

    def report(label: str, run, path: Path) -> None:
        rows.append([label, f"{run.wall_s:.1f}", f"{run.peak_rss_mb:.0f}", *evaluate(path)])
        say(" | ".join(rows[-1]))

    for k, (label, extra) in enumerate(configs):
        path = out_dir / f"embed{k}.txt"
        run = run_process(nlpzero_cmd("embed", seg, "-o", path, "-q", *extra), check=True)
        dim = dim or int(path.open(encoding="utf-8").readline().split()[1])
        report(label, run, path)
    if not have_peer("gensim", what="the gensim row"):
        return rows
    path = out_dir / "w2v.txt"
    run = run_child(__file__, {"task": "word2vec", "corpus": str(seg), "out": str(path),
                               "dim": dim})
    if not run.ok:
        sys.exit("the gensim child failed")
    report(f"gensim {peer_version('gensim')} Word2Vec sg, window 5, 5 epochs, 2 workers, "
           f"dim {dim}", run, path)
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
        say(" | ".join(rows[-1]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="1,2,3,4")
    parser.add_argument("--faithful-epochs", type=int, default=None,
                        help="epochs of Su's AdaGrad mode in part 2 (15; 2 with --quick; "
                             "0 leaves it out)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run on the first 1 MB and a small Zipf corpus")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(CHILD_TASKS, args.child)
        return
    parts = set(args.parts.split(","))
    faithful = args.faithful_epochs
    if faithful is None:
        faithful = 2 if args.quick else 15
    require_data(XWLB, EVAL)
    t0 = time.perf_counter()
    seg = prepare_corpus(args.quick)
    tokens = sum(len(line.split()) for line in seg.open(encoding="utf-8"))
    print(f"corpus: {seg} ({tokens:,} tokens, prepared in {time.perf_counter() - t0:.0f} s)")
    if "2" in parts:
        rows = quality_and_speed(seg, faithful)
        print()
        print(markdown_table(("system", "total s", "peak RSS MB", "wordsim-240 ρ (covered)",
                              "wordsim-297 ρ (covered)", "analogy acc (covered)"), rows))
    if "3" in parts:
        n_words, n_tokens = (10_000, 1_000_000) if args.quick else (100_000, 20_000_000)
        run = run_child(__file__, {"task": "count", "n_words": n_words,
                                   "n_tokens": n_tokens, "window": 10})
        if not run.ok:
            sys.exit("the counting child failed")
        d = run.data
        print(f"\ncounting, synthetic Zipf corpus: {d['present']:,} distinct words present "
              f"of {n_words:,}, {n_tokens:,} tokens, window 10: {d['pairs']:,} distinct pairs "
              f"({d['events']:,} pair events) in {d['seconds']:.1f} s, peak RSS "
              f"{run.peak_rss_mb:.0f} MB")
    if "4" in parts:
        print()
        print(markdown_table(("ablation (window 10)", "train s", "wordsim-240 ρ",
                              "wordsim-297 ρ", "analogy acc"), ablation(seg)))
    print()
    print(machine_facts(peers=("scipy", "gensim")))


if __name__ == "__main__":
    main()
