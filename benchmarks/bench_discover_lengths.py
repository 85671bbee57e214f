"""Word discovery by gold word length, on PKU, the small setting, news, and Gutenberg speed.

Run from the repository root (needs ``../shared/data``; ``pip install nlp-zero==0.1.6 jieba``
for the peers)::

    python benchmarks/bench_discover_lengths.py [--parts 1,2,3,4,5,6] [--news-mb 0]

1. PKU (SIGHAN 2005): each system learns a lexicon from PFR-1998 raw text (POS tags and
   spaces removed) + the raw PKU test text, the PKU test text is segmented with it and
   scored against the gold standard. Printed: P, R, F1, OOV recall, and recall by gold
   word length 1 / 2 / 3 / 4 / 5+ (precision by predicted token length too). jieba uses
   its own supervised dictionary (``cut(HMM=False)``) as a reference point.
2. The small setting: the same, learning from the raw PKU test text alone (175 k chars).
3. A second domain nobody tuned on: the xwlb news corpus (CCTV 新闻联播, 2012-2026). Which
   of the issue's common words are in each lexicon, and one sentence through
   ``discover | segment`` (``--news-mb`` limits the corpus; 0 = all 100 MB).
4. Speed and peak memory of discovery on the 135 MB Gutenberg corpus, every run in its own
   process: nlp-zero 0.1.6 ``Word_Finder`` train + find (min_proba 1e-7, its default) and
   nlpzero's methods through ``discover(path)`` + writing the lexicon. Wall and CPU
   seconds (user + system, which is steadier on a shared machine) and VmHWM.
5. A second gold set (same standard, other text; only --pmi-step looked at it): discover on
   the PFR-1998 raw text, segment every 10th PFR line and score it against PFR's own
   segmentation (no OOV column: no word list); and a second small setting, discovering on
   those PFR lines alone.
6. Traditional script: parts 1 and 2 again with the training text, the test text, the gold
   and the word list converted by OpenCC's s2t table (``pip install
   opencc-python-reimplemented``; character for character, the gold re-cut at the same
   positions). Nothing was chosen on it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from _harness import DATA, REPO_ROOT, import_nlp_zero, machine_facts

PFR = DATA / "cws/pfr199801/199801.txt"
PKU_TEST = DATA / "cws/icwb2/testing/pku_test.utf8"
PKU_GOLD = DATA / "cws/icwb2/gold/pku_test_gold.utf8"
PKU_WORDS = DATA / "cws/icwb2/gold/pku_training_words.utf8"
NEWS_XZ = DATA / "raw/xwlb_news/xwlb_news.txt.xz"
GUTENBERG_TAR = DATA / "raw/gutenberg_zh/gutenberg_zh.tar.xz"
CACHE = Path(tempfile.gettempdir())

NEWS_WORDS = ["习近平", "一带一路", "国务院", "李克强", "政治局", "中国共产党", "制造业",
              "负责人", "代表团", "发布会", "奥运会", "机器人"]
NEWS_LINE = ("中共中央总书记、国家主席、中央军委主席胡锦涛《在庆祝香港回归祖国15周年大会暨香港特别"
             "行政区第四届政府就职典礼上的讲话》单行本，已由人民出版社出版，即日起在全国新华书店发行。")

SYSTEMS = (("nlpzero unigram (default)", "unigram", {}),
           ("nlpzero ngram (0.1 default)", "ngram", {}),
           ("nlpzero nlpzero, min_proba 1e-5", "nlpzero", {"min_proba": 1e-5}))


def say(message: str = "") -> None:
    """Results go to stdout (the harness's own ``say`` is for progress on stderr)."""
    print(message, flush=True)


# --- data ------------------------------------------------------------------------------


def pku_training_text() -> Path:
    out = CACHE / f"nlpzero-bench-pku-train-{PFR.stat().st_mtime_ns}.txt"
    if out.is_file():
        return out
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as dst:
        with open(PFR, encoding="utf-8") as src:
            for line in src:
                text = "".join(t.rsplit("/", 1)[0].replace("[", "") for t in line.split())
                if text:
                    dst.write(text + "\n")
        with open(PKU_TEST, encoding="utf-8", newline="") as src:
            for line in src:
                dst.write(line.replace("\r", ""))
    os.replace(tmp, out)
    return out


def news_text(max_mb: int) -> Path:
    import lzma

    out = CACHE / f"nlpzero-bench-news-{NEWS_XZ.stat().st_size}-{max_mb}.txt"
    if out.is_file():
        return out
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    limit = max_mb << 20 if max_mb > 0 else None
    written = 0
    with lzma.open(NEWS_XZ, "rt", encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
        for line in src:
            if limit is not None and written >= limit:
                break
            dst.write(line)
            written += len(line.encode("utf-8"))
    os.replace(tmp, out)
    return out


def gutenberg_text() -> Path:
    st = GUTENBERG_TAR.stat()
    out = CACHE / f"nlpzero-bench-gutenberg-{st.st_size}-{st.st_mtime_ns}.txt"
    if out.is_file():
        return out
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    with tarfile.open(GUTENBERG_TAR) as tar, open(tmp, "wb") as dst:
        for member in sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name):
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            dst.write(data.replace(b"\r", b"").replace(b"\n", b"") + b"\n")
    os.replace(tmp, out)
    return out


# --- scoring by length -------------------------------------------------------------------


def spans(line: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for w in line.split():
        out.append((pos, pos + len(w)))
        pos += len(w)
    return out


def by_length(gold: list[str], pred: list[str]) -> tuple[list[float], list[float]]:
    """Recall by gold word length and precision by predicted token length (1..4, 5+)."""
    g_tot, g_hit, p_tot, p_hit = [0] * 6, [0] * 6, [0] * 6, [0] * 6
    for g, p in zip(gold, pred):
        gs, ps = spans(g), spans(p)
        gset, pset = set(gs), set(ps)
        for s, e in gs:
            k = min(e - s, 5)
            g_tot[k] += 1
            g_hit[k] += (s, e) in pset
        for s, e in ps:
            k = min(e - s, 5)
            p_tot[k] += 1
            p_hit[k] += (s, e) in gset
    return ([g_hit[k] / max(1, g_tot[k]) for k in range(1, 6)],
            [p_hit[k] / max(1, p_tot[k]) for k in range(1, 6)])


def score_row(name: str, pred: list[str], gold: list[str], training_words: set[str],
              n_words: int | str, seconds: float) -> str:
    from nlpzero.words.scoring import score_lines

    s = score_lines(gold, pred, training_words)
    rec, prec = by_length(gold, pred)
    cells = [name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"**{s.f1:.3f}**",
             f"{s.oov_recall:.3f}" if training_words else "–"] + [f"{x:.3f}" for x in rec] + [
             " / ".join(f"{x:.2f}" for x in prec), f"{n_words:,}" if isinstance(n_words, int)
             else n_words, f"{seconds:.1f}"]
    return "| " + " | ".join(cells) + " |"


HEADER = ("| system | P | R | F1 | OOV R | rec 1 | rec 2 | rec 3 | rec 4 | rec 5+ | "
          "prec 1/2/3/4/5+ | lexicon | discover s |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")


def system_rows(train: Path | list[str], test: list[str], gold: list[str],
                training_words: set[str]) -> None:
    """One score row per nlpzero system: discover on *train*, segment *test*, score."""
    from nlpzero.words.discovery import discover
    from nlpzero.words.segmentation import Segmenter

    for name, method, options in SYSTEMS:
        t0 = time.perf_counter()
        lex = discover(train, method=method, **options)
        dt = time.perf_counter() - t0
        seg = Segmenter(lex)
        say(score_row(name, [seg.segment_text(ln) for ln in test], gold, training_words,
                      len(lex), dt))


def quality(train: Path | list[str], title: str, with_peers: bool) -> None:
    from nlpzero.text.io import read_lines
    from nlpzero.words.segmentation import Segmenter

    test = list(read_lines(PKU_TEST))
    gold = list(read_lines(PKU_GOLD))
    training_words = {ln.split()[0] for ln in read_lines(PKU_WORDS) if ln.split()}
    say(f"\n### {title}\n")
    say(HEADER)
    system_rows(train, test, gold, training_words)
    if not with_peers:
        return
    try:
        word_finder = import_nlp_zero().Word_Finder
    except ImportError:
        say("| nlp-zero 0.1.6: not installed | | | | | | | | | | | | |")
    else:
        t0 = time.perf_counter()
        finder = word_finder(min_proba=1e-5)
        corpus = LineCorpus(train)  # type: ignore[arg-type]
        finder.train(corpus)
        finder.find(corpus)
        dt = time.perf_counter() - t0
        tok = finder.export_tokenizer()
        pred = [" ".join(tok.tokenize(ln)) for ln in test]
        if any(p.replace(" ", "") != "".join(ln.split()) for p, ln in zip(pred, test)):
            from nlpzero.words.lexicon import Lexicon  # its tokenizer dropped characters

            seg = Segmenter(Lexicon.from_counts(dict(finder.words)))
            pred = [seg.segment_text(ln) for ln in test]
        say(score_row("nlp-zero 0.1.6 Word_Finder, min_proba 1e-5", pred, gold,
                      training_words, len(finder.words), dt))
    try:
        import jieba
    except ImportError:
        say("| jieba: not installed | | | | | | | | | | | | |")
    else:
        jieba.setLogLevel(60)
        jieba.initialize()
        pred = [" ".join(w for w in jieba.cut(ln, HMM=False) if w.strip()) for ln in test]
        say(score_row("jieba 0.42 (own supervised dictionary, reference)", pred, gold,
                      training_words, "349,046", 0.0))


def pfr_held_out() -> tuple[Path, list[str]]:
    """PFR-1998 as a second gold set: all of its raw text (ids, tags, spaces removed) to
    discover on, and every 10th line's own segmentation as the gold standard."""
    out = CACHE / f"nlpzero-bench-pfr-raw-{PFR.stat().st_mtime_ns}.txt"
    gold = []
    raw = []
    with open(PFR, encoding="utf-8") as src:
        for i, line in enumerate(src):
            words = [t.rsplit("/", 1)[0].replace("[", "") for t in line.split()[1:]]
            words = [w for w in words if w]
            if not words:
                continue
            raw.append("".join(words))
            if i % 10 == 0:
                gold.append("  ".join(words))
    if not out.is_file():
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(raw) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    return out, gold


def traditional_quality() -> None:
    from nlpzero.text.io import read_lines

    try:
        from opencc import OpenCC
    except ImportError:
        say("SKIP part 6: pip install opencc-python-reimplemented")
        return
    convert = OpenCC("s2t").convert

    def same_length(simplified: str) -> str:
        out = convert(simplified)
        if len(out) != len(simplified):
            raise SystemExit(f"s2t changed a line's length: {simplified[:40]}")
        return out

    test = [same_length(ln) for ln in read_lines(PKU_TEST)]
    gold_simplified = [g.split() for g in read_lines(PKU_GOLD)]
    if len(gold_simplified) != len(test):
        raise SystemExit("the PKU gold and test files have different numbers of lines")
    gold = []
    for words, line in zip(gold_simplified, test):
        ends = [0]
        for w in words:
            ends.append(ends[-1] + len(w))
        if ends[-1] != len("".join(line.split())):
            raise SystemExit(f"a gold line does not spell its test line: {line[:40]}")
        line = "".join(line.split())
        gold.append("  ".join(line[a:b] for a, b in zip(ends, ends[1:])))
    training_words = {same_length(ln.split()[0]) for ln in read_lines(PKU_WORDS) if ln.split()}
    simplified = pku_training_text()
    train = CACHE / f"nlpzero-bench-pku-train-s2t-{simplified.stat().st_mtime_ns}.txt"
    if not train.is_file():
        tmp = train.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(same_length(ln) for ln in read_lines(simplified)) + "\n",
                       encoding="utf-8")
        os.replace(tmp, train)
    say("\n### Traditional script (OpenCC s2t): discover on PFR-1998 raw + PKU test raw\n")
    say(HEADER)
    system_rows(train, test, gold, training_words)
    say("\n### Traditional script (OpenCC s2t), small setting: the PKU test raw text alone\n")
    say(HEADER)
    system_rows(test, test, gold, training_words)


def pfr_quality() -> None:

    train, gold = pfr_held_out()
    test = [g.replace(" ", "") for g in gold]
    say(f"\n### Second gold set: PFR-1998, discover on its raw text, score every 10th line "
        f"({len(gold):,} lines) against its own segmentation (only --pmi-step looked at it)\n")
    say(HEADER)
    system_rows(train, test, gold, set())
    say(f"\n### Second small setting: discover on those {len(gold):,} PFR lines alone\n")
    say(HEADER)
    system_rows(test, test, gold, set())


class LineCorpus:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self):
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield line.strip()


# --- news ------------------------------------------------------------------------------


def news(max_mb: int) -> None:
    from nlpzero.words.discovery import discover
    from nlpzero.words.segmentation import Segmenter

    path = news_text(max_mb)
    say(f"\n### Second domain: xwlb news ({path.stat().st_size / 1e6:.0f} MB), not tuned on\n")
    for name, method, _ in SYSTEMS[:2]:
        t0 = time.perf_counter()
        lex = discover(path, method=method)
        dt = time.perf_counter() - t0
        whole = [w for w in NEWS_WORDS if w in lex]
        say(f"- {name}: {len(lex):,} words in {dt:.1f} s; {len(whole)}/{len(NEWS_WORDS)} of "
            f"the issue's words whole ({' '.join(whole) or '-'})")
        say(f"  `{Segmenter(lex).segment_text(NEWS_LINE)}`")


# --- speed -----------------------------------------------------------------------------

CHILD = r"""
import json, os, resource, sys, time
def peak():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
kind, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
if kind == "nlp-zero":
    import collections, collections.abc
    collections.Iterable = collections.abc.Iterable
    from nlp_zero import Word_Finder
    class Lines:
        def __iter__(self):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    yield line.strip()
    f = Word_Finder(min_proba=1e-7)
    f.train(Lines()); f.find(Lines())
    n = len(f.words)
else:
    from nlpzero.words.discovery import discover
    lex = discover(path, method=kind)
    with open(out, "w", encoding="utf-8") as fh:
        lex.write(fh)
    n = len(lex)
dt = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"time": dt, "cpu": ru.ru_utime + ru.ru_stime, "peak": peak(), "words": n}))
"""


def child(kind: str, path: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", CHILD, kind, str(path), f"{tmp}/lex.tsv"],
                             capture_output=True, text=True, cwd=REPO_ROOT)
        wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"{kind} failed: {res.stderr[-2000:]}")
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["process"] = wall
    return out


def speed() -> None:
    path = gutenberg_text()
    sample = CACHE / "nlpzero-bench-lengths-warmup.txt"
    with open(path, "rb") as src:
        sample.write_bytes(src.read(1 << 20).rsplit(b"\n", 1)[0] + b"\n")
    for kind in ("unigram", "nlpzero"):
        child(kind, sample)  # numba's on-disk cache is warm before the timed runs
    say(f"\n### Discovery speed, Gutenberg ({path.stat().st_size / 1e6:.0f} MB), each run in "
        "its own process\n")
    say("| system | time s | CPU s | process s | peak MiB | words | CPU vs nlp-zero |")
    say("|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    for kind, name in (("nlp-zero", "nlp-zero 0.1.6 Word_Finder(min_proba=1e-7)"),
                       ("unigram", "nlpzero unigram (default)"),
                       ("nlpzero", "nlpzero --method nlpzero --min-proba 1e-7")):
        try:
            rows.append((name, child(kind, path)))
        except (RuntimeError, ImportError) as e:
            say(f"| {name}: {str(e).splitlines()[-1] if str(e) else e} | | | | | | |")
    base = next((r for n, r in rows if n.startswith("nlp-zero")), None)
    for name, r in rows:
        ratio = f"{base['cpu'] / r['cpu']:.1f}x" if base else ""
        say(f"| {name} | {r['time']:.1f} | {r['cpu']:.1f} | {r['process']:.1f} | "
            f"{r['peak']:.0f} | {r['words']:,} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="1,2,3,4,5,6")
    parser.add_argument("--news-mb", type=int, default=0, help="news corpus size (0 = all)")
    args = parser.parse_args()
    parts = {int(p) for p in re.split(r"[ ,]+", args.parts) if p}
    missing = [p for p in (PFR, PKU_TEST, PKU_GOLD, PKU_WORDS) if not p.is_file()]
    if missing and parts & {1, 2}:
        say(f"SKIP parts 1-2: missing {missing[0]}")
        parts -= {1, 2}
    if 1 in parts:
        quality(pku_training_text(), "PKU: discover on PFR-1998 raw + PKU test raw", True)
    if 2 in parts:
        from nlpzero.text.io import read_lines

        quality(list(read_lines(PKU_TEST)), "Small setting: discover on the PKU test raw "
                "text alone", False)
    if 5 in parts:
        if PFR.is_file():
            pfr_quality()
        else:
            say(f"SKIP part 5: missing {PFR}")
    if 6 in parts:
        if missing:
            say(f"SKIP part 6: missing {missing[0]}")
        else:
            traditional_quality()
    if 3 in parts:
        if NEWS_XZ.is_file():
            news(args.news_mb)
        else:
            say(f"SKIP part 3: missing {NEWS_XZ}")
    if 4 in parts:
        if GUTENBERG_TAR.is_file():
            speed()
        else:
            say(f"SKIP part 4: missing {GUTENBERG_TAR}")
    say("\n" + machine_facts(("nlp-zero", "jieba")))


if __name__ == "__main__":
    main()
