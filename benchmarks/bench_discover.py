"""Benchmark nlpzero's word discovery and segmentation against nlp-zero 0.1.6 and jieba.

Run from the repository root (takes about five minutes; ``--quick`` about one)::

    python benchmarks/bench_discover.py [--quick] [--parts 1,2,3,4]

What is measured (read-only data from ../shared/data, see its SOURCES.md):

1. Quality on the SIGHAN 2005 PKU test set. The training text is the PFR January 1998
   corpus with its POS tags and spaces removed, followed by the raw PKU test text. Each
   finder learns a lexicon from it (nlpzero ``ngram`` with defaults; nlpzero ``nlpzero``
   and the original nlp-zero ``Word_Finder`` with min_proba 1e-7 .. 1e-4), the PKU test
   lines are segmented with that lexicon, and word precision, recall, F1 and OOV recall
   are scored against the gold standard (OOV = not in the PKU training word list).
   Times are in-process: discovery (train + find) and segmenting the test lines; numba's
   kernels are loaded once before the first timed call.
2. Speed and peak memory of discovery on the Project Gutenberg Chinese books (135 MB, one
   book per line). Every run is its own subprocess, so peak RSS is per run (the child's
   VmHWM: its ``ru_maxrss`` would include the parent's peak, see :func:`peak_rss_mb`);
   nlp-zero's child times ``train`` + ``find``; nlpzero's child runs the real command
   line (``nlpzero discover FILE -o OUT``) in-process and times all of it (imports,
   reading, counting, writing the lexicon). The parent times each child's whole life.
   nlpzero children are run once on a small sample first so that numba's on-disk cache
   is warm.
3. Segmentation throughput: nlpzero's streaming segmenter over the whole Gutenberg file
   with the lexicon from 2(c), and jieba 0.42.1 (``HMM=False``, after ``initialize()``)
   over its first 10 MB, in characters per second, each in a subprocess.
4. Robustness on one huge line: the Gutenberg text with its newlines replaced by 。 (a
   single 135 MB line) through ``nlpzero discover`` and ``nlpzero segment``; the segmented
   output must be one line whose text without spaces equals the input.

The final markdown table holds every figure, followed by the machine's facts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # runnable without `pip install -e .`
    sys.path.insert(0, str(REPO_ROOT))

DATA = REPO_ROOT.parent / "shared" / "data"  # ../shared/data beside the checkout
PFR = DATA / "cws/pfr199801/199801.txt"
PKU_TEST = DATA / "cws/icwb2/testing/pku_test.utf8"
PKU_GOLD = DATA / "cws/icwb2/gold/pku_test_gold.utf8"
PKU_WORDS = DATA / "cws/icwb2/gold/pku_training_words.utf8"
GUTENBERG_TAR = DATA / "raw/gutenberg_zh/gutenberg_zh.tar.xz"

CACHE_DIR = Path(tempfile.gettempdir())
MIN_PROBAS = (1e-7, 1e-6, 1e-5, 1e-4)
MB = 1 << 20  # slices are cut in MiB; sizes are printed in decimal MB
QUICK_BYTES = 20 * MB
JIEBA_BYTES = 10 * MB
WARMUP_BYTES = 2 * MB
WARMUP_BLOCK_BYTES = 256 * 1024  # several blocks, so the block-merging kernels compile too


# --- result rows and the table --------------------------------------------------------


@dataclass
class Row:
    """One line of the final table; None cells print as blanks."""

    part: str
    system: str
    setting: str
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    oov_recall: float | None = None
    lexicon: int | None = None
    discover_s: float | None = None
    segment_s: float | None = None
    child_wall_s: float | None = None
    peak_rss_mb: float | None = None
    chars_per_s: float | None = None
    note: str = ""


HEADERS = {
    "part": "Part", "system": "System", "setting": "Setting", "precision": "P",
    "recall": "R", "f1": "F1", "oov_recall": "OOV R", "lexicon": "Lexicon",
    "discover_s": "Discover s", "segment_s": "Segment s", "child_wall_s": "Child wall s",
    "peak_rss_mb": "Peak RSS MiB", "chars_per_s": "Chars/s", "note": "Notes",
}


def format_cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if name in ("precision", "recall", "f1", "oov_recall"):
        return f"{value:.4f}"
    if name == "lexicon":
        return f"{value:,}"
    if name == "chars_per_s":
        return f"{value / 1e6:.2f} M"
    if name == "peak_rss_mb":
        return f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def markdown_table(rows: list[Row]) -> str:
    names = [f.name for f in fields(Row)]
    lines = [
        "| " + " | ".join(HEADERS[n] for n in names) + " |",
        "|" + "|".join("---" if n in ("part", "system", "setting", "note") else "---:"
                       for n in names) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(format_cell(n, getattr(row, n)) for n in names) + " |")
    return "\n".join(lines)


def say(message: str) -> None:
    print(message, flush=True)


def missing_files(*paths: Path) -> list[Path]:
    return [p for p in paths if not p.is_file()]


# --- machine facts ----------------------------------------------------------------------


def machine_facts() -> list[str]:
    import numba
    import numpy

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    facts = [
        f"CPU: {cpu}, {os.cpu_count()} logical CPUs ({usable} usable by this process)",
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"numpy {numpy.__version__}, numba {numba.__version__}, "
        f"NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}",
        f"OS: {platform.platform()}",
    ]
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        facts.append(f"Memory: {pages * page_size / 2**30:.1f} GiB")
    except (ValueError, OSError):
        pass
    for dist in ("nlp-zero", "jieba"):
        try:
            facts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            facts.append(f"{dist}: not installed")
    facts.append(f"nlpzero at {git_revision()}")
    return facts


def git_revision() -> str:
    """The repository's commit, marked dirty when nlpzero's files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "nlpzero"],
                               cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit (no git)"
    return f"commit {head}" + (" with uncommitted changes in nlpzero/" if dirty else "")


# --- part 1: quality on PKU --------------------------------------------------------------


def write_pku_training_text(out: Path) -> int:
    """PFR-1998 without POS tags (one sentence a line), then the raw PKU test text."""
    n_lines = 0
    with open(out, "w", encoding="utf-8") as dst:
        with open(PFR, encoding="utf-8") as src:
            for line in src:
                words = (t.rsplit("/", 1)[0].replace("[", "") for t in line.split())
                text = "".join(words)
                if text:
                    dst.write(text + "\n")
                    n_lines += 1
        with open(PKU_TEST, encoding="utf-8", newline="") as src:
            for line in src:
                dst.write(line.replace("\r", ""))
                n_lines += 1
    return n_lines


def pku_test_lines() -> list[str]:
    from nlpzero.words.scoring import read_lines

    return list(read_lines(PKU_TEST))


def pku_training_words() -> set[str]:
    from nlpzero.words.scoring import read_lines

    return {w for line in read_lines(PKU_WORDS) for w in line.split()[:1]}


def score_pku(pred_lines: list[str], training_words: set[str]):
    from nlpzero.words.scoring import read_lines, score_lines

    return score_lines(read_lines(PKU_GOLD), pred_lines, training_words)


def warm_nlpzero_in_process(sample: Path) -> float:
    """Load (or compile) every numba kernel once, so later timings exclude it."""
    from nlpzero.words.discovery import discover
    from nlpzero.words.segmentation import Segmenter

    t0 = time.perf_counter()
    for method in ("ngram", "nlpzero"):
        lex = discover(sample, method=method)
        Segmenter(lex).segment_text("中文分词的测试。\n")
    return time.perf_counter() - t0


def measure_nlpzero_quality(train: Path, test: list[str], training_words: set[str],
                            method: str, **options) -> tuple[Row, list[str]]:
    from nlpzero.words.discovery import discover
    from nlpzero.words.segmentation import Segmenter

    t0 = time.perf_counter()
    lex = discover(train, method=method, **options)
    t1 = time.perf_counter()
    seg = Segmenter(lex)
    pred = [seg.segment_text(line) for line in test]
    t2 = time.perf_counter()
    s = score_pku(pred, training_words)
    setting = ", ".join(f"{k}={v:g}" for k, v in options.items()) or "defaults"
    row = Row("1 PKU", f"nlpzero {method}", setting, s.precision, s.recall, s.f1,
              s.oov_recall, len(lex), t1 - t0, t2 - t1)
    return row, lex.words


class LineCorpus:
    """Re-iterable stripped lines of a UTF-8 file, as nlp-zero's ``train``/``find`` want."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[str]:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield line.strip()


def import_nlp_zero():
    """nlp-zero 0.1.6 imports ``collections.Iterable``, gone since Python 3.10."""
    import collections
    import collections.abc

    collections.Iterable = collections.abc.Iterable  # type: ignore[attr-defined]
    from nlp_zero import Word_Finder

    return Word_Finder


def measure_nlp_zero_quality(train: Path, test: list[str], training_words: set[str],
                             min_proba: float) -> tuple[Row, list[str]]:
    Word_Finder = import_nlp_zero()
    corpus = LineCorpus(train)
    t0 = time.perf_counter()
    finder = Word_Finder(min_proba=min_proba)
    finder.train(corpus)
    finder.find(corpus)
    t1 = time.perf_counter()
    tokenizer = finder.export_tokenizer()
    token_lists = [tokenizer.tokenize(line) for line in test]
    t2 = time.perf_counter()
    note = "its own tokenizer"
    lost = sum("".join(tokens) != line for tokens, line in zip(token_lists, test))
    if lost:
        from nlpzero.words.lexicon import Lexicon
        from nlpzero.words.segmentation import Segmenter

        seg = Segmenter(Lexicon.from_counts(dict(finder.words)))
        pred = [seg.segment_text(line) for line in test]
        t2 = time.perf_counter()
        note = (f"its tokenizer changed {lost} lines, so scored with nlpzero's segmenter "
                "over its lexicon")
    else:
        pred = [" ".join(tokens) for tokens in token_lists]
    s = score_pku(pred, training_words)
    row = Row("1 PKU", "nlp-zero 0.1.6", f"min_proba={min_proba:g}", s.precision, s.recall,
              s.f1, s.oov_recall, len(finder.words), t1 - t0, t2 - t1, note=note)
    return row, list(finder.words)


def jaccard(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(1, len(sa | sb))


def run_quality_part(rows: list[Row], workdir: Path) -> None:
    say("== Part 1: quality on SIGHAN 2005 PKU (training text = PFR-1998 + PKU test text)")
    missing = missing_files(PFR, PKU_TEST, PKU_GOLD, PKU_WORDS)
    if missing:
        say(f"SKIP part 1: missing {', '.join(map(str, missing))}")
        return
    train = workdir / "pku_training_text.txt"
    n_lines = write_pku_training_text(train)
    say(f"   training text: {n_lines:,} lines, {train.stat().st_size / 1e6:.1f} MB")
    test, words = pku_test_lines(), pku_training_words()

    sample = workdir / "warmup_sample.txt"
    with open(train, encoding="utf-8") as src, open(sample, "w", encoding="utf-8") as dst:
        dst.writelines(line for _, line in zip(range(2000), src))
    warm = warm_nlpzero_in_process(sample)
    say(f"   numba kernels loaded in-process before timing: {warm:.1f} s")

    def report(row: Row) -> None:
        rows.append(row)
        say(f"   {row.system:<16} {row.setting:<16} P={row.precision:.4f} R={row.recall:.4f} "
            f"F1={row.f1:.4f} OOV-R={row.oov_recall:.4f} lexicon={row.lexicon:,} "
            f"discover={row.discover_s:.1f}s segment={row.segment_s:.1f}s")

    row, _ = measure_nlpzero_quality(train, test, words, "ngram")
    report(row)
    ours: dict[float, tuple[Row, list[str]]] = {}
    for mp in MIN_PROBAS:
        ours[mp] = measure_nlpzero_quality(train, test, words, "nlpzero", min_proba=mp)
        report(ours[mp][0])
    try:
        import_nlp_zero()
    except ImportError as e:
        say(f"SKIP nlp-zero rows of part 1: {e} (pip install nlp-zero==0.1.6)")
        return
    for mp in MIN_PROBAS:
        row, theirs = measure_nlp_zero_quality(train, test, words, mp)
        overlap = jaccard(ours[mp][1], theirs)
        ours[mp][0].note = f"lexicon Jaccard with nlp-zero: {overlap:.4f}"
        report(row)


# --- parts 2 and 3: subprocess runs on Gutenberg ---------------------------------------


def gutenberg_text() -> Path:
    """The books, one per line, cached in the temp folder keyed by the tar's size and mtime."""
    st = GUTENBERG_TAR.stat()
    out = CACHE_DIR / f"nlpzero-bench-gutenberg-{st.st_size}-{st.st_mtime_ns}.txt"
    if out.is_file():
        return out
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    with tarfile.open(GUTENBERG_TAR) as tar, open(tmp, "wb") as dst:
        members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
        for member in members:
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            dst.write(data.replace(b"\r", b"").replace(b"\n", b"") + b"\n")
    os.replace(tmp, out)
    return out


def head_of(path: Path, n_bytes: int) -> Path:
    """The first *n_bytes* of *path* (cut back to a UTF-8 character boundary), cached."""
    if path.stat().st_size <= n_bytes:
        return path
    out = path.with_name(f"{path.stem}-first{n_bytes}.txt")
    if out.is_file():
        return out
    with open(path, "rb") as fh:
        data = fh.read(n_bytes + 1)
    cut = n_bytes
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    data = data[:cut]
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data if data.endswith(b"\n") else data + b"\n")
    os.replace(tmp, out)
    return out


@dataclass
class ChildResult:
    ok: bool
    wall_s: float
    data: dict
    error: str = ""


def run_child(task: dict) -> ChildResult:
    """Run *task* in a fresh interpreter; its last stdout line is a JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(task)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT)
    wall = time.perf_counter() - t0
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        error = f"exit {proc.returncode}\n{proc.stderr.strip()[-4000:]}"
        say(f"   !! child {task} failed: {error}")
        return ChildResult(False, wall, {}, error)
    return ChildResult(True, wall, json.loads(lines[-1]))


def peak_rss_mb() -> float:
    """This process's peak RSS in MiB: VmHWM where /proc exists, else ``ru_maxrss``.

    On Linux ``ru_maxrss`` survives ``exec``: a child started by subprocess reports at least
    the parent's own peak (a 800 MB parent makes every child claim 800 MB), so it is only
    used as the fallback. VmHWM belongs to the child's new address space alone.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return ru_maxrss_mb()


def ru_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory_fields() -> dict:
    return {"peak_rss_mb": peak_rss_mb(), "ru_maxrss_mb": ru_maxrss_mb()}


def child_nlp_zero_discover(path: str, min_proba: float) -> dict:
    Word_Finder = import_nlp_zero()
    corpus = LineCorpus(Path(path))
    t0 = time.perf_counter()
    finder = Word_Finder(min_proba=min_proba)
    finder.train(corpus)
    finder.find(corpus)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "words": len(finder.words), **memory_fields()}


def child_cli(argv: list[str]) -> dict:
    """Run ``nlpzero ARGV`` in-process through the real command line."""
    from nlpzero.cli.app import main

    sys.argv = ["nlpzero", *argv]
    t0 = time.perf_counter()
    try:
        main()
    except SystemExit as e:
        if e.code:
            raise RuntimeError(f"nlpzero {argv[0]} exited with {e.code}") from None
    return {"seconds": time.perf_counter() - t0, **memory_fields()}


def child_nlpzero_discover(path: str, method: str, options: dict, lexicon_out: str | None,
                           block_bytes: int | None = None) -> dict:
    """End to end through the command line: ``nlpzero discover PATH -o OUT`` in-process."""
    if block_bytes is not None:  # warm-up only: small blocks compile the merge kernels too
        from nlpzero.words.discovery import Corpus, discover

        discover(Corpus(Path(path), block_bytes=block_bytes), method=method, **options)
    out = lexicon_out or str(Path(tempfile.gettempdir()) / f"nlpzero-bench-{os.getpid()}.tsv")
    argv = ["discover", path, "-q", "-o", out, "--method", method]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    result = child_cli(argv)
    with open(out, encoding="utf-8") as fh:
        result["words"] = sum(1 for _ in fh)
    if not lexicon_out:
        os.unlink(out)
    return result


def child_nlpzero_segment(path: str, lexicon: str, block_bytes: int | None = None) -> dict:
    from nlpzero.words.lexicon import Lexicon
    from nlpzero.words.segmentation import Segmenter

    t0 = time.perf_counter()
    seg = Segmenter(Lexicon.read(lexicon))
    load = time.perf_counter() - t0
    kwargs = {} if block_bytes is None else {"block_bytes": block_bytes}
    with open(path, "rb") as fh, open("/dev/null", "w", encoding="utf-8") as out:
        t0 = time.perf_counter()
        n_chars = seg.stream(fh, out.write, **kwargs)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "chars": n_chars, "load_seconds": load,
            **memory_fields()}


def child_jieba_segment(path: str) -> dict:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    text = Path(path).read_text(encoding="utf-8")
    t0 = time.perf_counter()
    jieba.initialize()
    init = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_tokens = sum(1 for _ in jieba.cut(text, HMM=False))
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "chars": len(text), "tokens": n_tokens, "init_seconds": init,
            **memory_fields()}


CHILD_TASKS = {
    "cli": child_cli,
    "nlp_zero_discover": child_nlp_zero_discover,
    "nlpzero_discover": child_nlpzero_discover,
    "nlpzero_segment": child_nlpzero_segment,
    "jieba_segment": child_jieba_segment,
}


def run_child_main(spec: str) -> None:
    task = json.loads(spec)
    result = CHILD_TASKS[task.pop("task")](**task)
    print(json.dumps(result), flush=True)


def warm_numba_cache(text: Path, workdir: Path) -> float:
    """Run each nlpzero child once on a small multi-block sample; returns the wall time."""
    sample = head_of(text, WARMUP_BYTES)
    lexicon = workdir / "warmup_lexicon.tsv"
    t0 = time.perf_counter()
    for method in ("nlpzero", "ngram"):
        out = str(lexicon) if method == "ngram" else None
        run_child({"task": "nlpzero_discover", "path": str(sample), "method": method,
                   "options": {}, "lexicon_out": out, "block_bytes": WARMUP_BLOCK_BYTES})
    run_child({"task": "nlpzero_segment", "path": str(sample), "lexicon": str(lexicon),
               "block_bytes": WARMUP_BLOCK_BYTES})
    return time.perf_counter() - t0


def run_discover_speed_part(rows: list[Row], text: Path, quick: bool,
                            lexicon_out: Path) -> dict[str, ChildResult]:
    size = f"{text.stat().st_size / 1e6:.0f} MB"
    say(f"== Part 2: discovery speed and peak RSS on Gutenberg ({size}, one child per run)")
    say(f"   numba cache warmed by running each nlpzero child once on a "
        f"{WARMUP_BYTES // MB} MiB sample: {warm_numba_cache(text, lexicon_out.parent):.1f} s")
    runs: dict[str, tuple[str, str, dict]] = {
        "(b)": ("nlpzero nlpzero", "min_proba=1e-07",
                {"task": "nlpzero_discover", "path": str(text), "method": "nlpzero",
                 "options": {"min_proba": 1e-7}, "lexicon_out": None}),
        "(c)": ("nlpzero ngram", "defaults",
                {"task": "nlpzero_discover", "path": str(text), "method": "ngram",
                 "options": {}, "lexicon_out": str(lexicon_out)}),
    }
    if quick:
        say("   (a) nlp-zero skipped (--quick)")
    else:
        runs = {"(a)": ("nlp-zero 0.1.6", "min_proba=1e-07",
                        {"task": "nlp_zero_discover", "path": str(text), "min_proba": 1e-7}),
                **runs}
    results: dict[str, ChildResult] = {}
    for key, (system, setting, task) in runs.items():
        res = run_child(task)
        results[key] = res
        if not res.ok:
            rows.append(Row("2 discover", system, f"{key} {setting}", child_wall_s=res.wall_s,
                            note="FAILED (see log)"))
            continue
        d = res.data
        rows.append(Row("2 discover", system, f"{key} {setting}", lexicon=d["words"],
                        discover_s=d["seconds"], child_wall_s=res.wall_s,
                        peak_rss_mb=d["peak_rss_mb"], note=size))
        say(f"   {key} {system:<16} discover={d['seconds']:.1f}s child wall={res.wall_s:.1f}s "
            f"peak RSS={d['peak_rss_mb']:.0f} MB (ru_maxrss {d['ru_maxrss_mb']:.0f} MB) "
            f"lexicon={d['words']:,}")
    return results


def discover_speedups(results: dict[str, ChildResult]) -> list[str]:
    a = results.get("(a)")
    if a is None or not a.ok:
        return ["Discovery speed-up over nlp-zero: n/a (nlp-zero run skipped or failed)"]
    lines = []
    for key in ("(b)", "(c)"):
        r = results.get(key)
        if r is None or not r.ok:
            continue
        lines.append(
            f"Discovery speed-up {key} over (a) nlp-zero: "
            f"{a.data['seconds'] / r.data['seconds']:.1f}x (discover call), "
            f"{a.wall_s / r.wall_s:.1f}x (child wall); peak RSS "
            f"{r.data['peak_rss_mb']:.0f} MB vs {a.data['peak_rss_mb']:.0f} MB"
        )
    return lines


def run_segment_speed_part(rows: list[Row], text: Path, lexicon: Path) -> list[str]:
    say("== Part 3: segmentation throughput (one child per run)")
    if not lexicon.is_file():
        say("   building the (c) lexicon first (not timed)")
        res = run_child({"task": "nlpzero_discover", "path": str(text), "method": "ngram",
                         "options": {}, "lexicon_out": str(lexicon)})
        if not res.ok:
            say("SKIP part 3: could not build the lexicon")
            return []
    jieba_text = head_of(text, JIEBA_BYTES)
    runs = {
        "ours, all": ("nlpzero Segmenter", "stream, lexicon (c)", text,
                      {"task": "nlpzero_segment", "path": str(text), "lexicon": str(lexicon)}),
        "ours, head": ("nlpzero Segmenter", "stream, lexicon (c)", jieba_text,
                       {"task": "nlpzero_segment", "path": str(jieba_text),
                        "lexicon": str(lexicon)}),
        "jieba, head": ("jieba 0.42.1", "cut(HMM=False)", jieba_text,
                        {"task": "jieba_segment", "path": str(jieba_text)}),
    }
    speeds: dict[str, float] = {}
    for key, (system, setting, path, task) in runs.items():
        size = f"{path.stat().st_size / 1e6:.0f} MB"
        res = run_child(task)
        if not res.ok:
            rows.append(Row("3 segment", system, setting, child_wall_s=res.wall_s,
                            note=f"{size}; FAILED (see log)"))
            continue
        d = res.data
        cps = d["chars"] / d["seconds"]
        speeds[key] = cps
        extra = (f"lexicon load {d['load_seconds']:.1f} s" if "load_seconds" in d
                 else f"initialize {d['init_seconds']:.1f} s")
        rows.append(Row("3 segment", system, setting, segment_s=d["seconds"],
                        child_wall_s=res.wall_s, peak_rss_mb=d["peak_rss_mb"], chars_per_s=cps,
                        note=f"{size}, {d['chars']:,} chars; {extra} (not timed)"))
        say(f"   {system:<18} {size:>6}: {d['chars']:,} chars in {d['seconds']:.1f}s = "
            f"{cps / 1e6:.2f} M chars/s; {extra}; peak RSS={d['peak_rss_mb']:.0f} MB "
            f"(ru_maxrss {d['ru_maxrss_mb']:.0f} MB)")
    if "ours, head" in speeds and "jieba, head" in speeds:
        ratio = speeds["ours, head"] / speeds["jieba, head"]
        return [f"Segmentation speed-up of nlpzero over jieba on the same first "
                f"{jieba_text.stat().st_size / 1e6:.1f} MB: {ratio:.1f}x"]
    return []


# --- part 4: one huge line ----------------------------------------------------------------


def one_line_text(text: Path) -> Path:
    """The Gutenberg text as ONE line (newlines replaced by 。), cached next to it."""
    out = text.with_name(text.stem + "-oneline.txt")
    if not out.is_file() or out.stat().st_size != text.stat().st_size + 2 * count_lines(text):
        with open(text, "rb") as src, open(out, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 24), b""):
                dst.write(chunk.replace(b"\n", "。".encode()))
    return out


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))


def nonspace_digest(path: Path) -> str:
    """sha256 of the text without whitespace, streamed (for the segment round trip)."""
    digest = hashlib.sha256()
    with open(path, encoding="utf-8") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), ""):
            digest.update("".join(chunk.split()).encode())
    return digest.hexdigest()


def run_one_line_part(rows: list[Row], text: Path, workdir: Path) -> list[str]:
    line = one_line_text(text)
    size = f"{line.stat().st_size / 1e6:.0f} MB, 1 line"
    say(f"== Part 4: a single {size} (discover, then segment, through the CLI)")
    lexicon, segmented = workdir / "oneline_words.tsv", workdir / "oneline.seg"
    checks = []
    for system, argv in (
        ("nlpzero discover", ["discover", str(line), "-q", "--method", "nlpzero",
                              "-o", str(lexicon)]),
        ("nlpzero segment", ["segment", str(line), "-q", "-l", str(lexicon),
                             "-o", str(segmented)]),
    ):
        res = run_child({"task": "cli", "argv": argv})
        if not res.ok:
            rows.append(Row("4 one line", system, "", child_wall_s=res.wall_s,
                            note=f"{size}; FAILED (see log)"))
            return [f"Single-line run failed at {system}"]
        d = res.data
        rows.append(Row("4 one line", system, "CLI", discover_s=d["seconds"],
                        child_wall_s=res.wall_s, peak_rss_mb=d["peak_rss_mb"], note=size))
        say(f"   {system}: {d['seconds']:.1f}s, peak RSS {d['peak_rss_mb']:.0f} MB")
    lines = count_lines(segmented)
    same = nonspace_digest(segmented) == nonspace_digest(line)
    checks.append(f"Single {size}: segment output has {lines} newline(s) for 0 in the input; "
                  f"text without spaces identical to the input: {same}")
    return checks


# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip nlp-zero in part 2; use the first 20 MB of Gutenberg in 2-3")
    parser.add_argument("--parts", default="1,2,3,4", help="comma-separated parts to run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        run_child_main(args.child)
        return 0
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"1", "2", "3", "4"}
    if unknown:
        raise SystemExit(f"--parts: unknown part(s) {', '.join(sorted(unknown))}")
    rows: list[Row] = []
    summary: list[str] = []
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nlpzero-bench-") as tmp:
        workdir = Path(tmp)
        if "1" in parts:
            run_quality_part(rows, workdir)
        if parts & {"2", "3", "4"}:
            if missing_files(GUTENBERG_TAR):
                say(f"SKIP parts 2-4: missing {GUTENBERG_TAR}")
            else:
                t0 = time.perf_counter()
                text = gutenberg_text()
                if args.quick:
                    text = head_of(text, QUICK_BYTES)
                say(f"== Gutenberg text: {text} ({text.stat().st_size / 1e6:.1f} MB, "
                    f"ready in {time.perf_counter() - t0:.1f} s; cached between runs)")
                lexicon = workdir / "gutenberg_ngram_lexicon.tsv"
                if "2" in parts:
                    results = run_discover_speed_part(rows, text, args.quick, lexicon)
                    summary += discover_speedups(results)
                if "3" in parts:
                    summary += run_segment_speed_part(rows, text, lexicon)
                if "4" in parts:
                    summary += run_one_line_part(rows, text, workdir)
    say("")
    say("## Results")
    say("")
    say(markdown_table(rows))
    say("")
    for line in summary:
        say(f"- {line}")
    say("- Part 1 times are in-process after loading numba's kernels; parts 2-3 run each "
        "system in a fresh subprocess after warming numba's on-disk cache (cache=True).")
    say("- Child wall s = the subprocess's whole life seen from the parent (interpreter, "
        "imports, reading). Peak RSS = the subprocess's VmHWM; its ru_maxrss is not used "
        f"because on Linux it includes the spawning parent's peak ({ru_maxrss_mb():.0f} MB "
        "here).")
    say("- Part 1 Segment s includes building the segmenter (or nlp-zero's trie tokenizer) "
        "from the lexicon.")
    say("")
    say("Machine: " + "; ".join(machine_facts()))
    say(f"Total benchmark time: {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
