"""Word discovery: exact counts, agreement with plain-Python references, invariants."""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlpzero._tables import merge_counts
from nlpzero.errors import InputError
from nlpzero.words.discovery import Corpus, NgramFinder, PairFinder, Progress, _WordTable, discover
from nlpzero.words.ngrams import (
    NgramCounts,
    sort_keys,
    sort_keys_with,
    sorted_head,
    sorted_keys_and_order,
    unpack,
)

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"


def random_text(rng: random.Random, n_lines: int = 30, alphabet: str = "天地人和中国家大学生"
                ) -> str:
    lines = []
    for _ in range(n_lines):
        parts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
                 for _ in range(rng.randint(1, 4))]
        lines.append("，".join(parts))
    return "\n".join(lines) + "\n"


def segments(text: str) -> list[str]:
    """Runs of word characters (the reference's pre-split)."""
    out, cur = [], ""
    for ch in text:
        if ch.isalnum():
            cur += ch
        elif cur:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def decode_counts(finder, counts: NgramCounts) -> Counter:
    rows = unpack(counts.keys)
    return Counter({finder.chars.decode(r[r > 0]): int(c) for r, c in zip(rows, counts.counts)})


@pytest.mark.parametrize("seed", range(5))
def test_ngram_counts_match_reference_and_merge(seed):
    rng = random.Random(seed)
    text = random_text(rng)
    finder = NgramFinder()
    ids = finder.chars.encode(text)
    whole = NgramCounts.from_ids(ids, 4)
    expected = Counter(s[i:i + n] for s in segments(text) for n in range(1, 5)
                       for i in range(len(s) - n + 1))
    assert decode_counts(finder, whole) == expected
    # counts of chunks cut at separators merge into the counts of the whole
    cut = text.index("\n", len(text) // 2) + 1
    a = NgramCounts.from_ids(finder.chars.encode(text[:cut]), 4)
    b = NgramCounts.from_ids(finder.chars.encode(text[cut:]), 4)
    merged = a.merge(b)
    assert np.array_equal(merged.keys, whole.keys)
    assert np.array_equal(merged.counts, whole.counts)
    # merging is commutative
    k2, c2 = merge_counts(b.keys, b.counts, a.keys, a.counts)
    assert np.array_equal(k2, whole.keys) and np.array_equal(c2, whole.counts)


def reference_strong_pairs(text: str, min_proba: float, min_pmi: float) -> set[str]:
    chars, pairs = Counter(), Counter()
    for s in segments(text):
        chars.update(s)
        pairs.update(s[i:i + 2] for i in range(len(s) - 1))
    nc, np_ = sum(chars.values()), sum(pairs.values())
    strong = set()
    for ab, c in pairs.items():
        lp = math.log(c) - math.log(np_)
        pmi = lp - (math.log(chars[ab[0]]) - math.log(nc)) - (math.log(chars[ab[1]]) - math.log(nc))
        if lp > math.log(min_proba) and pmi > min_pmi:
            strong.add(ab)
    return strong


def reference_fragments(text: str, strong: set[str]) -> Counter:
    out = Counter()
    for s in segments(text):
        cur = s[0]
        for a, b in zip(s, s[1:]):
            if a + b in strong:
                cur += b
            else:
                out[cur] += 1
                cur = b
        out[cur] += 1
    return out


@pytest.mark.parametrize("seed", range(5))
def test_pair_finder_matches_reference(seed):
    rng = random.Random(100 + seed)
    text = random_text(rng, alphabet="天地人和中国家大学生之乎者也")
    finder = PairFinder(min_proba=1e-7, min_pmi=0.3).train([text])
    strong = {finder.chars.decode(r[r > 0]) for r in unpack(finder.strong_pairs())}
    assert strong == reference_strong_pairs(text, 1e-7, 0.3)
    # fragment counts of the cut (pass 2), short fragments by packed key, long ones by hash
    table = finder._count_fragments(Corpus.of([text]), Progress())
    words = table.words(finder.chars)
    assert Counter(dict(zip(words, table.counts.tolist()))) == reference_fragments(text, strong)


def reference_remove_redundant(words, counts, order, unknown, sequential):
    """nlp-zero's 去冗 on strings, in the given order."""
    counts = [float(c) for c in counts]
    index = {w: i for i, w in enumerate(words)}
    removed = [False] * len(words)
    total = sum(counts)

    def best_split(w, log_total):
        best = [-1e300] * (len(w) + 1)
        best[0] = 0.0
        for i in range(len(w)):
            if best[i] == -1e300:
                continue
            for j in range(i + 1, len(w) + 1):
                v = index.get(w[i:j])
                if v is not None and not removed[v] and (j - i) < len(w):
                    best[j] = max(best[j], best[i] + math.log(counts[v]) - log_total)
            best[i + 1] = max(best[i + 1], best[i] + unknown)
        return best[len(w)]

    for w_i in order:
        w = words[w_i]
        if len(w) < 2:
            continue
        num = counts[w_i]
        score = math.log(num) - math.log(total)
        removed[w_i] = True
        if sequential:
            total -= num
        gain = score - best_split(w, math.log(total))
        if gain < len(w) - 1:
            if sequential:
                # recover the parts of the best split to move the count
                parts = _split_parts(w, index, removed, counts, math.log(total), unknown)
                for p in parts:
                    counts[index[p]] += num
                    total += num
        else:
            removed[w_i] = False
            if sequential:
                total += num
    return [not r for r in removed], counts


def _split_parts(w, index, removed, counts, log_total, unknown):
    best = [(-1e300, -1, None)] * (len(w) + 1)
    best[0] = (0.0, -1, None)
    for i in range(len(w)):
        if best[i][0] == -1e300:
            continue
        for j in range(i + 1, len(w) + 1):
            v = index.get(w[i:j])
            if v is not None and not removed[v] and (j - i) < len(w):
                cand = best[i][0] + math.log(counts[v]) - log_total
                if cand > best[j][0]:
                    best[j] = (cand, i, w[i:j])
        cand = best[i][0] + unknown
        if cand > best[i + 1][0]:
            best[i + 1] = (cand, i, None)
    parts, p = [], len(w)
    while p > 0:
        _, q, word = best[p]
        if word is not None:
            parts.append(word)
        p = q
    return parts


def _check_remove_redundant(words: list[str], rng: random.Random, sequential: bool) -> None:
    """remove_redundant on *words* with random counts (distinct powers of two, so no two
    splits tie) against the plain-Python reference."""
    counts = np.array([2 ** rng.randint(0, 30) + i for i, _ in enumerate(words)], dtype=np.int64)
    finder = NgramFinder()
    seqs = [finder.chars.encode(w) for w in words]
    ptr = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum([s.size for s in seqs], out=ptr[1:])
    table = _WordTable(ptr, np.concatenate(seqs).astype(np.int32), counts)
    keep, new_counts, _ = table.remove_redundant(-100.0, sequential)
    order = np.lexsort((np.arange(len(words)), -table.lengths))
    ref_keep, ref_counts = reference_remove_redundant(words, counts, order, -100.0, sequential)
    assert keep.tolist() == ref_keep
    assert np.allclose(new_counts, ref_counts)


@pytest.mark.parametrize("sequential", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_remove_redundant_matches_reference(seed, sequential):
    rng = random.Random(seed)
    alphabet = "甲乙丙丁戊"
    words = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                    for _ in range(40)} | set(alphabet))
    _check_remove_redundant(words, rng, sequential)


@pytest.mark.parametrize("sequential", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_remove_redundant_with_gaps_in_word_lengths_matches_reference(seed, sequential):
    """Words of lengths with gaps (long ones built from short ones, so that they split):
    the scan from each start stops at the longest word shorter than the word judged."""
    rng = random.Random(seed)
    alphabet = "甲乙丙丁戊"
    short = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 2)))
                    for _ in range(12)} | set(alphabet))
    long = {"".join(rng.choice(short) for _ in range(rng.choice([3, 5, 8]))) for _ in range(25)}
    words = sorted(set(short) | long)
    _check_remove_redundant(words, rng, sequential)


def test_nlpzero_method_on_a_long_periodic_line_finishes(tmp_path: Path) -> None:
    """One 750,000-character line with no separator, the same 3 characters over and over:
    every shift of the one fragment is a prefix of it, and 去冗 scanned each of them for a
    part as long as the fragment (over 90 s; now a scan stops at the longest other word).
    Cut into blocks (as a line over 4 MB is), it makes several fragments longer than the
    32,767 characters the table can find: 128 s, now a scan stops at the longest word the
    table can find. The alarm only detects a hang, it is not a speed test."""
    import signal

    def expire(signum: int, frame: object) -> None:
        raise AssertionError("discover --method nlpzero did not finish within 60 s (a hang?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    try:
        lex = discover(["天地人" * 250_000], method="nlpzero")
        path = tmp_path / "line.txt"
        path.write_text("天地人" * 100_000, encoding="utf-8")
        blocks = discover(Corpus(path, block_bytes=200_000), method="nlpzero")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert list(lex.words) == ["天地人" * 250_000]
    assert sorted(len(w) for w in blocks.words) == [33_334, 266_666]
    assert all(w in "天地人" * 100_000 for w in blocks.words)


def test_cohesion_hand_computed():
    # 甲乙 ×3 and 甲丙 ×1 in 4 segments: N = 8 characters
    finder = NgramFinder(min_count=1).train(["甲乙，甲乙，甲乙，甲丙"])
    coh = finder.cohesion(finder.counts)
    words = {finder.chars.decode(r[r > 0]): c for r, c in zip(unpack(finder.counts.keys), coh)}
    assert words["甲乙"] == pytest.approx(math.log(8 * 3 / (4 * 3)))
    assert words["甲丙"] == pytest.approx(math.log(8 * 1 / (4 * 1)))
    assert math.isinf(words["甲"])


def test_incremental_training_keeps_pairs():
    """nlp-zero emptied its pair table in find(); ours survives, so training can go on."""
    rng = random.Random(7)
    a, b = random_text(rng), random_text(rng)
    inc = PairFinder(min_pmi=0.2).train([a])
    inc.find([a])
    inc.train([b])
    both = PairFinder(min_pmi=0.2).train([a + b])
    assert np.array_equal(inc.counts.keys, both.counts.keys)
    assert np.array_equal(inc.counts.counts, both.counts.counts)
    lex_inc, lex_both = inc.find([a + b]), both.find([a + b])
    assert lex_inc.words == lex_both.words


def true_words() -> dict[str, int]:
    rows = [line.split("\t") for line in (SAMPLES / "lexicon.tsv").read_text("utf-8").splitlines()]
    return {w: int(c) for w, c in rows}


def test_discover_recovers_generated_words():
    lex = discover(SAMPLES / "corpus.txt")
    truth = true_words()
    multi = [w for w in lex.words if len(w) > 1]
    top = multi[:100]
    precision = sum(w in truth for w in top) / len(top)
    frequent_true = [w for w, c in truth.items() if len(w) > 1 and c >= 50 and w.isalpha()]
    recall = sum(w in lex for w in frequent_true) / len(frequent_true)
    assert precision >= 0.8, (precision, [w for w in top if w not in truth])
    assert recall >= 0.9, [w for w in frequent_true if w not in lex]


@pytest.mark.parametrize("method", ["unigram", "ngram", "nlpzero"])
def test_discover_is_deterministic_and_block_size_independent(tmp_path, method):
    text = (SAMPLES / "corpus.txt").read_text("utf-8")[:60000]
    path = tmp_path / "c.txt"
    path.write_text(text, "utf-8")
    one = discover(path, method=method)
    assert len(one) > 100
    again = discover(Corpus(path, block_bytes=4096), method=method)
    assert one.words == again.words
    assert np.array_equal(one.counts, again.counts)
    in_memory = discover(text.split("\n"), method=method)
    assert discover(str(path), method=method).words == one.words  # a str is a path
    assert in_memory.words == one.words


def test_nlpzero_method_runs_on_sample():
    lex = discover(SAMPLES / "corpus.txt", method="nlpzero", min_proba=1e-5)
    assert len(lex) > 100
    assert list(lex.counts) == sorted(lex.counts, reverse=True)


@pytest.mark.parametrize("text", ["", "\n\n", "，。！ ...", "   "])
@pytest.mark.parametrize("method", ["ngram", "nlpzero"])
def test_empty_corpus_is_a_clear_error(text, method):
    with pytest.raises(InputError, match="nothing|no letters"):
        discover([text], method=method)


def test_bad_options_are_value_errors():
    with pytest.raises(ValueError):
        discover(["甲乙"], method="magic")
    with pytest.raises(ValueError):
        discover(["甲乙"], method="ngram", max_len=9)


@pytest.mark.parametrize("partitions", [1, 2, 3])
@pytest.mark.parametrize("min_count", [1, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_apriori_ngrams_equal_brute_force(seed, min_count, partitions):
    """find's pruned, hash-partitioned 3/4-gram passes give exactly the full counts,
    filtered at min_count."""
    rng = random.Random(300 + seed)
    text = random_text(rng, n_lines=60, alphabet="天地人和中国家")
    finder = NgramFinder(min_count=min_count, partitions=partitions).train([text])
    table = finder.frequent_ngrams(Corpus.of([text]), Progress())
    full = NgramCounts.from_ids(finder.chars.encode(text), 4)
    orders = full.orders()
    keep = (orders <= 2) | (full.counts >= min_count)
    assert np.array_equal(table.keys, full.keys[keep])
    assert np.array_equal(table.counts, full.counts[keep])


@pytest.mark.parametrize("dense_ids", [0, 3, 4096])
def test_pair_counter_equals_brute_force(dense_ids):
    """Dense-matrix and sorted-overflow pair counting give NgramCounts.from_ids(ids, 2)."""
    from nlpzero.words.ngrams import PairCounter

    rng = random.Random(dense_ids)
    text = random_text(rng, n_lines=80)
    finder = NgramFinder()
    ids = finder.chars.encode(text)
    counter = PairCounter(dense_ids)
    cut = ids.size // 3
    counter.add(ids[:cut])  # a cut inside a segment loses exactly the one pair across it
    counter.add(ids[cut:])
    whole = NgramCounts.from_ids(ids[:cut], 2).merge(NgramCounts.from_ids(ids[cut:], 2))
    got = counter.result()
    assert np.array_equal(got.keys, whole.keys)
    assert np.array_equal(got.counts, whole.counts)


def test_a_missing_path_is_a_clear_error():
    with pytest.raises(InputError, match="no such file"):
        discover("missing.txt")


@pytest.mark.parametrize("seed", range(3))
def test_sort_keys_equals_numpy_sort(seed):
    """The radix sort gives numpy's sorted array, and sorted_keys_and_order that array and
    numpy's stable argsort: random 64-bit keys, packed n-gram keys (constant low bytes:
    skipped passes), many repeats, all equal, short arrays (radix-sorted too) and none."""
    rng = np.random.default_rng(seed)
    ids = lambda n: rng.integers(1, 300, n).astype(np.uint64)  # noqa: E731
    cases = [
        rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64) * np.uint64(2)
        + rng.integers(0, 2, 5000).astype(np.uint64),  # the top and bottom bits too
        (ids(4000) << np.uint64(48)) | (ids(4000) << np.uint64(32)) | (ids(4000) << np.uint64(16)),
        np.full(3000, 0xFFFF000000000000, np.uint64),
        rng.integers(0, 4, 2500).astype(np.uint64),
        rng.integers(0, 2**40, 700).astype(np.uint64),
        rng.integers(0, 2**64 - 1, 5, dtype=np.uint64),
        np.array([7], np.uint64),
        np.zeros(0, np.uint64),
    ]
    for keys in cases:
        got = keys.copy()
        sort_keys(got)
        assert np.array_equal(got, np.sort(keys))
        # the tail of one buffer as the scratch (as the counting kernels use it)
        both = np.concatenate([keys, rng.integers(0, 2**40, keys.size).astype(np.uint64)])
        sort_keys_with(both[:keys.size], both[keys.size:])
        assert np.array_equal(both[:keys.size], np.sort(keys))
        for extra in (keys.size, keys.size // 2):  # the tail as the scratch, or a new one
            buf = np.concatenate([keys, np.ones(extra, np.uint64)])
            assert np.array_equal(sorted_head(buf, keys.size), np.sort(keys))
            assert np.array_equal(buf[:keys.size], np.sort(keys))  # in place
        ordered, order = sorted_keys_and_order(keys)
        assert np.array_equal(order, np.argsort(keys, kind="stable"))
        assert np.array_equal(ordered, np.sort(keys))


def test_merge_counts_equals_a_dictionary_sum() -> None:
    """The two-pass exact-size merge sums the counts of equal keys, in key order (uint64 keys,
    int64 counts), on random sorted tables with shared keys, one side empty, and both
    empty."""
    rng = np.random.default_rng(11)
    for na, nb in ((0, 0), (0, 5), (7, 0), (50, 60), (1000, 300)):
        a = np.unique(rng.integers(1, 400, na).astype(np.uint64))
        b = np.unique(rng.integers(1, 400, nb).astype(np.uint64))
        ac, bc = rng.integers(1, 9, a.size), rng.integers(1, 9, b.size)
        got = merge_counts(a, ac, b, bc)
        assert got[0].dtype == np.uint64 and got[1].dtype == np.int64
        ref: dict[int, int] = {}
        for k, c in zip(a.tolist() + b.tolist(), ac.tolist() + bc.tolist(), strict=True):
            ref[k] = ref.get(k, 0) + c
        assert got[0].tolist() == sorted(ref) and got[1].tolist() == [ref[k] for k in sorted(ref)]


@pytest.mark.parametrize("method", ["ngram", "nlpzero"])
def test_cli_defaults_are_the_finders_own(cli, tmp_path, method):
    """The command passes only the options given, so with none its lexicon is the
    library's with the finder's own defaults."""
    path = tmp_path / "c.txt"
    path.write_text((SAMPLES / "corpus.txt").read_text("utf-8")[:60000], "utf-8")
    result = cli.invoke("discover", "-q", "--method", method, path)
    assert result.exit_code == 0, result.stderr
    words = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert len(words) > 100 and words == discover(path, method=method).words
