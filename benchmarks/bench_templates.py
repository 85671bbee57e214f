"""Benchmark ``nlpzero templates`` + ``nlpzero parse`` against nlp-zero 0.1.6's
``Template_Finder`` + ``XTrie`` / ``Parser`` on the same segmented corpus, in one run.

Run from the repository root (about ten minutes; needs ``pip install nlp-zero==0.1.6``)::

    python benchmarks/bench_templates.py [--short-words 8,12,16] [--timeout 1] [--quick]

``--quick`` uses the first 2,000 lines of the corpus (a smoke run of a minute or two; on the
first 1,000 more rare pairs pass the PMI test and the original's search over all paths ran
for more than seven minutes).

Corpus: PFR January 1998 (People's Daily, gold segmentation) from ../shared/data, POS
tags removed, one line per paragraph. Both tools see the same sentence pieces: a line is
cut at punctuation tokens (nlp-zero's default ``filtering=True`` cut) and the original gets
each piece's words through a tokenize function that splits on ``|``. Defaults everywhere:
window 5, min_proba 1e-5, min_pmi 2, null_score -20.

1. Templates: train + find of both, in-process (nlpzero's numba kernels are loaded once on
   a small sample first); the two template tables must be identical (same templates, same
   counts). The nlpzero command line (``nlpzero templates FILE -o OUT``) is also timed as a
   whole process.
2. Parsing the whole corpus with nlpzero (in-process, and the command line as a process).
3. Parsing with the original: it is exponential (no memoisation, and its matcher lets
   extra words into every template), so it runs only on lines of at most the largest
   --short-words cut-off, each under a --timeout alarm (a timed-out line counts as not
   finished and is left out of both tools' times); nlpzero parses the same lines, each
   timed alone. Figures are given per cut-off. Trees are compared as nlp-zero
   ``SentTree.plot()`` text (nlpzero's ``Tree.plot`` has the same layout); a differing
   original tree is scored exactly (each node's template must be in the table, ln p(t)
   per template, null_score per extra uncovered word) and counted as a tie (same score),
   lower (the original's matcher keys matches by literal positions, so one template's
   count overwrites another's), invalid (a node shows a template not in the table: the
   literal-matching bug, ``谢谢`` matched as ``谢谢 [X]``) or higher (nlpzero missed the
   best tree; must be 0).

Both tools share the process, so the garbage collector is frozen before each timed
section (otherwise one tool's long-lived objects slow the other's collections).
"""

from __future__ import annotations

import argparse
import collections
import gc
import math
import signal
import tempfile
import time
from pathlib import Path

from _harness import (
    DATA,
    import_nlp_zero,
    machine_facts,
    markdown_table,
    nlpzero_cmd,
    require_data,
    require_peers,
    run_process,
    say,
    timed,
)

PFR = DATA / "cws" / "pfr199801" / "199801.txt"
QUICK_LINES = 2000


def segmented_pfr(out: Path, max_lines: int | None = None) -> int:
    """PFR without POS tags: words separated by single spaces. Returns the token count."""
    n = 0
    with open(PFR, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for k, line in enumerate(src):
            if k == max_lines:
                break
            words = [t.rsplit("/", 1)[0] for t in line.split()]
            n += len(words)
            dst.write(" ".join(words) + "\n")
    return n


def run_cli(*args: str) -> float:
    """Wall seconds of ``nlpzero ARGS`` as a whole process."""
    return run_process(nlpzero_cmd(*args), check=True).wall_s


class Timeout(Exception):
    pass


def freeze_gc() -> None:
    """Move every live object out of the collector's reach before a timed section: both
    tools share one process, and each one's long-lived objects (nlp-zero's tries, the trees
    kept for comparison) would otherwise slow the other's garbage collections."""
    gc.collect()
    gc.freeze()


def original_tree_score(node, table: dict, log_total: float, null_score: float = -20.0):
    """(score, words, valid) of an nlp-zero SentTree under exact matching: valid when every
    node shows a template of the table (or is an uncovered span of plain words)."""
    template = tuple(node.template.words)
    score, n_words, valid, k = 0.0, 0, True, 0
    for element in template:
        if element is None:
            s, m, v = original_tree_score(node.modules[k], table, log_total, null_score)
            k += 1
            score, n_words, valid = score + s, n_words + m, valid and v
        else:
            n_words += 1
    if template in table:
        score += math.log(table[template]) - log_total
    elif not node.modules:
        score += null_score * (n_words - 1)
    else:
        valid = False
    return score, n_words, valid


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--short-words", default="8,12,16",
                    help="line lengths (in words, comma-separated) at which the parsers are "
                         "compared; the original runs on lines up to the largest")
    ap.add_argument("--timeout", type=float, default=1.0,
                    help="seconds the original parser may spend on one line")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--quick", action="store_true",
                    help=f"only the first {QUICK_LINES:,} lines of the corpus (a smoke run)")
    args = ap.parse_args()
    require_data(PFR)
    require_peers(("nlp_zero", "nlp-zero==0.1.6"))
    nz = import_nlp_zero()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench_templates-")).resolve()
    corpus = workdir / "pfr.seg"
    n_tokens = segmented_pfr(corpus, QUICK_LINES if args.quick else None)
    lines = corpus.read_text(encoding="utf-8").splitlines()
    say(f"corpus: {len(lines):,} lines, {n_tokens:,} tokens -> {corpus}")

    from nlpzero.sentences.parsing import Parser, words_of
    from nlpzero.sentences.templates import find_templates, sentence_pieces

    warm = find_templates(lines[:200], min_proba=1e-3)
    Parser(warm).parse(lines[0])

    # 1. templates --------------------------------------------------------------------------
    freeze_gc()
    mine, t_mine = timed(find_templates, corpus, repeat=3)
    say(f"nlpzero templates: {len(mine):,} in {t_mine:.2f} s")
    orig_lines = [" ".join("|".join(p) for p in sentence_pieces(line)) for line in lines]

    def original_templates():
        finder = nz.Template_Finder(lambda s: s.split("|"))
        finder.train(orig_lines, filtering=False)
        finder.find(orig_lines, filtering=False)
        return {tuple(t.words): c for t, c in finder.templates.items()}

    freeze_gc()
    theirs, t_theirs = timed(original_templates, repeat=3)
    say(f"nlp-zero Template_Finder: {len(theirs):,} in {t_theirs:.2f} s")
    mine_dict = mine.as_dict()
    same = mine_dict == theirs
    n_diff = len(set(mine_dict.items()) ^ set(theirs.items()))
    table = workdir / "templates.tsv"
    t_cli_templates = run_cli("templates", str(corpus), "-q", "-o", str(table))

    # 2. nlpzero parses the whole corpus ------------------------------------------------------
    parser = Parser(mine)
    freeze_gc()
    _, t_parse_all = timed(lambda: [parser.parse(line) for line in lines])
    t_cli_parse = run_cli("parse", str(corpus), "-t", str(table), "-q", "-o",
                          str(workdir / "trees.txt"))
    n_words_max = max(len(words_of(line)) for line in lines)
    say(f"nlpzero parse: {len(lines):,} lines in {t_parse_all:.2f} s")

    # 3. the original parser on short lines -------------------------------------------------
    xtrie = nz.XTrie()
    for t, c in theirs.items():
        xtrie[t] = c
    orig_parser = nz.Parser(xtrie, lambda s: s.split("|"))
    cutoffs = sorted(int(k) for k in args.short_words.split(","))
    short = [w for w in (words_of(line) for line in lines) if 0 < len(w) <= cutoffs[-1]]

    def alarm(*_):
        raise Timeout

    signal.signal(signal.SIGALRM, alarm)
    runs = []  # (words, original tree or None when timed out, original seconds)
    freeze_gc()
    for words in short:
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        t0 = time.perf_counter()
        try:
            tree = orig_parser.parse("|".join(words))
            runs.append((words, tree, time.perf_counter() - t0))
        except Timeout:
            runs.append((words, None, args.timeout))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    say(f"nlp-zero Parser: {sum(r[1] is not None for r in runs):,} of {len(runs):,} lines "
        f"of <= {cutoffs[-1]} words finished")
    freeze_gc()
    mine_seconds = []
    for words, _, _ in runs:
        t0 = time.perf_counter()
        my_tree = parser.parse_words(words)
        mine_seconds.append((my_tree, time.perf_counter() - t0))
    log_total = math.log(sum(theirs.values()))
    verdicts, examples = [], []
    for (words, theirs_tree, _), (my_tree, _) in zip(runs, mine_seconds):
        if theirs_tree is None:
            verdicts.append("timeout")
        elif theirs_tree.plot() == my_tree.plot():
            verdicts.append("same")
        else:
            score, _, valid = original_tree_score(theirs_tree, theirs, log_total)
            if not valid:
                verdicts.append("invalid")
            elif score < my_tree.score - 1e-9:
                verdicts.append("lower")
                if len(examples) < 2:
                    examples.append((words, theirs_tree.plot(), score, my_tree.plot(),
                                     my_tree.score))
            elif score > my_tree.score + 1e-9:
                verdicts.append("higher")
            else:
                verdicts.append("tie")

    rows = [
        ("templates: train + find (PFR, in-process, best of 3)", f"{t_mine:.2f} s",
         f"{t_theirs:.2f} s",
         f"{t_theirs / t_mine:.1f}x"),
        ("templates: identical table (templates, counts)",
         f"{len(mine):,}", f"{len(theirs):,}", "yes" if same else f"no ({n_diff} differ)"),
        ("`nlpzero templates` whole process", f"{t_cli_templates:.2f} s", "", ""),
        (f"parse all {len(lines):,} lines (longest {n_words_max} words)",
         f"{t_parse_all:.2f} s", "does not finish", ""),
        ("`nlpzero parse` whole process, all lines", f"{t_cli_parse:.2f} s", "", ""),
    ]
    for k in cutoffs:
        sel = [i for i, r in enumerate(runs) if len(r[0]) <= k]
        done = [i for i in sel if runs[i][1] is not None]
        t_o = sum(runs[i][2] for i in done)
        t_m = sum(mine_seconds[i][1] for i in done)
        count = collections.Counter(verdicts[i] for i in sel)
        rows += [
            (f"parse lines of <= {k} words that the original finishes within "
             f"{args.timeout:g} s ({len(done):,} of {len(sel):,})", f"{t_m:.3f} s",
             f"{t_o:.2f} s", f"{t_o / max(t_m, 1e-9):.0f}x"),
            ("  same tree / tie (equal score) / original lower score / original uses a "
             "template not in the table / original higher",
             f"{count['same']:,} / {count['tie']:,} / {count['lower']:,} / "
             f"{count['invalid']:,} / {count['higher']:,}", "", ""),
            (f"templates + parse of those {len(done):,} lines (in-process)",
             f"{t_mine + t_m:.2f} s", f"{t_theirs + t_o:.2f} s",
             f"{(t_theirs + t_o) / (t_mine + t_m):.1f}x"),
        ]
    print(markdown_table(("step", "nlpzero", "nlp-zero 0.1.6", "speed-up / agreement"), rows))
    print()
    print(machine_facts(peers=("nlp-zero",)))
    print()
    print("Top non-trivial templates:")
    for t, c in list(mine.non_trivial())[:20]:
        print(f"    {' '.join('[X]' if w is None else w for w in t)}\t{c}")
    for words, theirs_plot, theirs_score, my_plot, my_score in examples:
        print("\nDifferent tree for:", " ".join(words))
        print(f"nlp-zero (score {theirs_score:.4f}):\n{theirs_plot}")
        print(f"nlpzero (score {my_score:.4f}):\n{my_plot}")
    assert math.isfinite(t_mine)


if __name__ == "__main__":
    main()
