"""Benchmark nlpzero's word discovery and segmentation against nlp-zero 0.1.6 and jieba.

Run from the repository root (takes about five minutes; ``--quick`` about one)::

    python benchmarks/bench_discover.py [--quick] [--parts 1,2,3,4]

``--quick`` learns part 1's lexicons from the first 3,000 PFR lines (+ the PKU test text)
with one min_proba, skips nlp-zero in part 2 and uses the first 20 MB of Gutenberg in 2-4.

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
   maximum resident set, read by ``/usr/bin/time``: see ``_harness.run_process``);
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
import os
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from _harness import (
    DATA,
    MB,
    Run,
    atomic_path,
    child_main,
    count_lines,
    have_peer,
    head_of,
    import_nlp_zero,
    machine_facts,
    markdown_table,
    missing,
    run_child,
    say,
)

PFR = DATA / "cws/pfr199801/199801.txt"
PKU_TEST = DATA / "cws/icwb2/testing/pku_test.utf8"
PKU_GOLD = DATA / "cws/icwb2/gold/pku_test_gold.utf8"
PKU_WORDS = DATA / "cws/icwb2/gold/pku_training_words.utf8"
GUTENBERG_TAR = DATA / "raw/gutenberg_zh/gutenberg_zh.tar.xz"

CACHE_DIR = Path(tempfile.gettempdir())
MIN_PROBAS = (1e-7, 1e-6, 1e-5, 1e-4)
QUICK_MIN_PROBAS = (1e-5,)
QUICK_PFR_LINES = 3000
QUICK_BYTES = 20 * MB  # slices are cut in MiB; sizes are printed in decimal MB
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


HEADERS = ("Part", "System", "Setting", "P", "R", "F1", "OOV R", "Lexicon", "Discover s",
           "Segment s", "Child wall s", "Peak RSS MiB", "Chars/s", "Notes")
CELL_FORMATS = {"precision": "{:.4f}", "recall": "{:.4f}", "f1": "{:.4f}",
                "oov_recall": "{:.4f}", "lexicon": "{:,}", "peak_rss_mb": "{:.0f}"}


def format_cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if name == "chars_per_s":
        return f"{value / 1e6:.2f} M"
    if name in CELL_FORMATS:
        return CELL_FORMATS[name].format(value)
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def results_table(rows: list[Row]) -> str:
    names = [f.name for f in fields(Row)]
    cells = [[format_cell(n, v) for n, v in zip(names, astuple(row))] for row in rows]
    return markdown_table(HEADERS, cells, right=range(3, len(names) - 1))


# --- part 1: quality on PKU --------------------------------------------------------------


def write_pku_training_text(out: Path, max_pfr_lines: int | None = None) -> int:
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
                    if n_lines == max_pfr_lines:
                        break
        with open(PKU_TEST, encoding="utf-8", newline="") as src:
            for line in src:
                dst.write(line.replace("\r", ""))
                n_lines += 1
    return n_lines


def score_pku(pred_lines: list[str], training_words: set[str]):
    from nlpzero.text.io import read_lines
    from nlpzero.words.scoring import score_lines

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


def nlp_zero_finder(path: Path, min_proba: float):
    """nlp-zero's ``Word_Finder`` after ``train`` + ``find`` over *path*, and those seconds."""
    Word_Finder = import_nlp_zero().Word_Finder
    corpus = LineCorpus(path)
    t0 = time.perf_counter()
    finder = Word_Finder(min_proba=min_proba)
    finder.train(corpus)
    finder.find(corpus)
    return finder, time.perf_counter() - t0


def measure_nlp_zero_quality(train: Path, test: list[str], training_words: set[str],
                             min_proba: float) -> tuple[Row, list[str]]:
    finder, discover_s = nlp_zero_finder(train, min_proba)
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
              s.f1, s.oov_recall, len(finder.words), discover_s, t2 - t1, note=note)
    return row, list(finder.words)


def jaccard(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(1, len(sa | sb))


def run_quality_part(rows: list[Row], workdir: Path, quick: bool) -> None:
    say("== Part 1: quality on SIGHAN 2005 PKU (training text = PFR-1998 + PKU test text)")
    absent = missing(PFR, PKU_TEST, PKU_GOLD, PKU_WORDS)
    if absent:
        say(f"SKIP part 1: missing {', '.join(map(str, absent))}")
        return
    from nlpzero.text.io import read_lines

    train = workdir / "pku_training_text.txt"
    n_lines = write_pku_training_text(train, QUICK_PFR_LINES if quick else None)
    say(f"   training text: {n_lines:,} lines, {train.stat().st_size / 1e6:.1f} MB"
        + (f" (--quick: first {QUICK_PFR_LINES:,} PFR lines)" if quick else ""))
    test = list(read_lines(PKU_TEST))
    words = {w for line in read_lines(PKU_WORDS) for w in line.split()[:1]}

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
    min_probas = QUICK_MIN_PROBAS if quick else MIN_PROBAS
    for mp in min_probas:
        ours[mp] = measure_nlpzero_quality(train, test, words, "nlpzero", min_proba=mp)
        report(ours[mp][0])
    if not have_peer("nlp_zero", what="the nlp-zero rows of part 1"):
        return
    for mp in min_probas:
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
    with tarfile.open(GUTENBERG_TAR) as tar, atomic_path(out) as tmp, open(tmp, "wb") as dst:
        members = sorted((m for m in tar.getmembers() if m.isfile()), key=lambda m: m.name)
        for member in members:
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            dst.write(data.replace(b"\r", b"").replace(b"\n", b"") + b"\n")
    return out


def child(task: str, **arguments) -> Run:
    """Run one of :data:`CHILD_TASKS` in a fresh interpreter (this script with --child)."""
    return run_child(__file__, {"task": task, **arguments})


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
    return {"seconds": time.perf_counter() - t0}


def child_nlp_zero_discover(path: str, min_proba: float) -> dict:
    finder, seconds = nlp_zero_finder(Path(path), min_proba)
    return {"seconds": seconds, "words": len(finder.words)}


def child_nlpzero_discover(path: str, method: str, options: dict, lexicon_out: str | None,
                           block_bytes: int | None = None) -> dict:
    """End to end through the command line: ``nlpzero discover PATH -o OUT`` in-process."""
    if block_bytes is not None:  # warm-up only: small blocks compile the merge kernels too
        from nlpzero.words.discovery import Corpus, discover

        discover(Corpus(Path(path), block_bytes=block_bytes), method=method, **options)
    out = lexicon_out or str(CACHE_DIR / f"nlpzero-bench-{os.getpid()}.tsv")
    argv = ["discover", path, "-q", "-o", out, "--method", method]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    result = child_cli(argv)
    with open(out, encoding="utf-8") as fh:
        result["words"] = sum(1 for _ in fh)
    if not lexicon_out:
        Path(out).unlink()
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
    return {"seconds": seconds, "chars": n_chars, "load_seconds": load}


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
    return {"seconds": seconds, "chars": len(text), "tokens": n_tokens, "init_seconds": init}


CHILD_TASKS = {
    "cli": child_cli,
    "nlp_zero_discover": child_nlp_zero_discover,
    "nlpzero_discover": child_nlpzero_discover,
    "nlpzero_segment": child_nlpzero_segment,
    "jieba_segment": child_jieba_segment,
}


def warm_numba_cache(text: Path, workdir: Path) -> float:
    """Run each nlpzero child once on a small multi-block sample; returns the wall time."""
    sample = head_of(text, WARMUP_BYTES)
    lexicon = workdir / "warmup_lexicon.tsv"
    t0 = time.perf_counter()
    for method in ("nlpzero", "ngram"):
        child("nlpzero_discover", path=str(sample), method=method, options={},
              lexicon_out=str(lexicon) if method == "ngram" else None,
              block_bytes=WARMUP_BLOCK_BYTES)
    child("nlpzero_segment", path=str(sample), lexicon=str(lexicon),
          block_bytes=WARMUP_BLOCK_BYTES)
    return time.perf_counter() - t0


def failed_row(rows: list[Row], part: str, system: str, setting: str, res: Run,
               size: str) -> None:
    rows.append(Row(part, system, setting, child_wall_s=res.wall_s,
                    note=f"{size}; FAILED (see log)"))


def run_discover_speed_part(rows: list[Row], text: Path, quick: bool,
                            lexicon_out: Path) -> dict[str, Run]:
    size = f"{text.stat().st_size / 1e6:.0f} MB"
    say(f"== Part 2: discovery speed and peak RSS on Gutenberg ({size}, one child per run)")
    say(f"   numba cache warmed by running each nlpzero child once on a "
        f"{WARMUP_BYTES // MB} MiB sample: {warm_numba_cache(text, lexicon_out.parent):.1f} s")
    runs: dict[str, tuple[str, str, str, dict]] = {
        "(b)": ("nlpzero nlpzero", "min_proba=1e-07", "nlpzero_discover",
                {"path": str(text), "method": "nlpzero", "options": {"min_proba": 1e-7},
                 "lexicon_out": None}),
        "(c)": ("nlpzero ngram", "defaults", "nlpzero_discover",
                {"path": str(text), "method": "ngram", "options": {},
                 "lexicon_out": str(lexicon_out)}),
    }
    if quick:
        say("   (a) nlp-zero skipped (--quick)")
    elif have_peer("nlp_zero", what="(a) nlp-zero"):
        runs = {"(a)": ("nlp-zero 0.1.6", "min_proba=1e-07", "nlp_zero_discover",
                        {"path": str(text), "min_proba": 1e-7}), **runs}
    results: dict[str, Run] = {}
    for key, (system, setting, task, arguments) in runs.items():
        res = results[key] = child(task, **arguments)
        if not res.ok:
            failed_row(rows, "2 discover", system, f"{key} {setting}", res, size)
            continue
        d = res.data
        rows.append(Row("2 discover", system, f"{key} {setting}", lexicon=d["words"],
                        discover_s=d["seconds"], child_wall_s=res.wall_s,
                        peak_rss_mb=res.peak_rss_mb, note=size))
        say(f"   {key} {system:<16} discover={d['seconds']:.1f}s child wall={res.wall_s:.1f}s "
            f"peak RSS={res.peak_rss_mb:.0f} MB lexicon={d['words']:,}")
    return results


def discover_speedups(results: dict[str, Run]) -> list[str]:
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
            f"{r.peak_rss_mb:.0f} MB vs {a.peak_rss_mb:.0f} MB"
        )
    return lines


def run_segment_speed_part(rows: list[Row], text: Path, lexicon: Path) -> list[str]:
    say("== Part 3: segmentation throughput (one child per run)")
    if not lexicon.is_file():
        say("   building the (c) lexicon first (not timed)")
        if not child("nlpzero_discover", path=str(text), method="ngram", options={},
                     lexicon_out=str(lexicon)).ok:
            say("SKIP part 3: could not build the lexicon")
            return []
    jieba_text = head_of(text, JIEBA_BYTES)
    runs = {
        "ours, all": ("nlpzero Segmenter", "stream, lexicon (c)", text, "nlpzero_segment",
                      {"path": str(text), "lexicon": str(lexicon)}),
        "ours, head": ("nlpzero Segmenter", "stream, lexicon (c)", jieba_text,
                       "nlpzero_segment", {"path": str(jieba_text), "lexicon": str(lexicon)}),
    }
    if have_peer("jieba", what="the jieba row of part 3"):
        runs["jieba, head"] = ("jieba 0.42.1", "cut(HMM=False)", jieba_text, "jieba_segment",
                               {"path": str(jieba_text)})
    speeds: dict[str, float] = {}
    for key, (system, setting, path, task, arguments) in runs.items():
        size = f"{path.stat().st_size / 1e6:.0f} MB"
        res = child(task, **arguments)
        if not res.ok:
            failed_row(rows, "3 segment", system, setting, res, size)
            continue
        d = res.data
        cps = speeds[key] = d["chars"] / d["seconds"]
        extra = (f"lexicon load {d['load_seconds']:.1f} s" if "load_seconds" in d
                 else f"initialize {d['init_seconds']:.1f} s")
        rows.append(Row("3 segment", system, setting, segment_s=d["seconds"],
                        child_wall_s=res.wall_s, peak_rss_mb=res.peak_rss_mb, chars_per_s=cps,
                        note=f"{size}, {d['chars']:,} chars; {extra} (not timed)"))
        say(f"   {system:<18} {size:>6}: {d['chars']:,} chars in {d['seconds']:.1f}s = "
            f"{cps / 1e6:.2f} M chars/s; {extra}; peak RSS={res.peak_rss_mb:.0f} MB")
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
        with open(text, "rb") as src, atomic_path(out) as tmp, open(tmp, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 24), b""):
                dst.write(chunk.replace(b"\n", "。".encode()))
    return out


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
    for system, argv in (
        ("nlpzero discover", ["discover", str(line), "-q", "--method", "nlpzero",
                              "-o", str(lexicon)]),
        ("nlpzero segment", ["segment", str(line), "-q", "-l", str(lexicon),
                             "-o", str(segmented)]),
    ):
        res = child("cli", argv=argv)
        if not res.ok:
            failed_row(rows, "4 one line", system, "", res, size)
            return [f"Single-line run failed at {system}"]
        rows.append(Row("4 one line", system, "CLI", discover_s=res.data["seconds"],
                        child_wall_s=res.wall_s, peak_rss_mb=res.peak_rss_mb, note=size))
        say(f"   {system}: {res.data['seconds']:.1f}s, peak RSS {res.peak_rss_mb:.0f} MB")
    same = nonspace_digest(segmented) == nonspace_digest(line)
    return [f"Single {size}: segment output has {count_lines(segmented)} newline(s) for 0 in "
            f"the input; text without spaces identical to the input: {same}"]


# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"part 1 on the first {QUICK_PFR_LINES:,} PFR lines with one "
                             "min_proba; skip nlp-zero in part 2; the first 20 MB of "
                             "Gutenberg in 2-4")
    parser.add_argument("--parts", default="1,2,3,4", help="comma-separated parts to run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child_main(CHILD_TASKS, args.child)
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
            run_quality_part(rows, workdir, args.quick)
        if parts & {"2", "3", "4"}:
            if missing(GUTENBERG_TAR):
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
    print("\n## Results\n")
    print(results_table(rows))
    print()
    for line in summary:
        print(f"- {line}")
    print("- Part 1 times are in-process after loading numba's kernels; parts 2-3 run each "
          "system in a fresh subprocess after warming numba's on-disk cache (cache=True).")
    print("- Child wall s = the subprocess's whole life seen from the parent (interpreter, "
          "imports, reading). Peak RSS = the subprocess's maximum resident set as reported "
          "by /usr/bin/time (its own ru_maxrss would include the spawning parent's peak).")
    print("- Part 1 Segment s includes building the segmenter (or nlp-zero's trie tokenizer) "
          "from the lexicon.")
    print()
    print(machine_facts(peers=("nlp-zero", "jieba")))
    print(f"Total benchmark time: {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
