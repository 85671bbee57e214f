"""The default discovery method (unigram): exact counts of any length, the pruning step
against a plain-Python reference, round trips through segment, long words, bad options."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.text.chars import HAN
from nlpzero.text.progress import Progress
from nlpzero.words import _unigram_kernels as UK
from nlpzero.words import unigram
from nlpzero.words.discovery import Corpus, _WordTable, discover
from nlpzero.words.segmentation import Segmenter
from nlpzero.words.unigram import UnigramFinder, select_candidates


def table_words(finder: UnigramFinder, table: _WordTable) -> Counter:
    text = finder.chars.decode(table.chars)
    p = table.ptr.tolist()
    return Counter({text[p[i]:p[i + 1]]: int(c) for i, c in enumerate(table.counts)})


def brute_ngrams(text: str, min_count: int, max_len: int) -> Counter:
    """Every ideograph, and every run of ideographs of length 2..max_len seen min_count
    times or more (occurrences may overlap)."""
    counts: Counter = Counter()
    for line in text.split("\n"):
        run = ""
        for ch in line + "\n":
            if "\u4e00" <= ch <= "\u9fff":
                run += ch
                continue
            for i in range(len(run)):
                for n in range(1, min(max_len, len(run) - i) + 1):
                    counts[run[i:i + n]] += 1
            run = ""
    return Counter({w: c for w, c in counts.items() if len(w) == 1 or c >= min_count})


def count_table(text: str, **options) -> tuple[UnigramFinder, Counter]:
    finder = UnigramFinder(**options).train([text])
    return finder, table_words(finder, finder.ngram_table(Corpus.of([text]), Progress()))


def test_counts_of_any_length_hand_made():
    text = "甲乙丙丁戊己庚辛\n甲乙丙丁戊己庚辛。甲乙丙丁\n甲乙丙丁戊己庚辛ab甲乙\n"
    _, got = count_table(text, min_count=3, max_len=32)
    assert got["甲乙丙丁戊己庚辛"] == 3  # 8 characters, exactly three times
    assert got["甲乙丙丁"] == 4
    assert got["甲乙"] == 5
    assert got["乙丙丁戊己庚辛"] == 3
    assert got["丙"] == 4
    assert "甲乙丙丁戊己庚辛甲" not in got  # never across 。 or letters
    assert got == brute_ngrams(text, 3, 32)
    _, capped = count_table(text, min_count=3, max_len=5)
    assert max(map(len, capped)) == 5
    assert capped == brute_ngrams(text, 3, 5)


@pytest.mark.parametrize("partitions", [1, 3])
@pytest.mark.parametrize("min_count", [1, 2, 4])
@pytest.mark.parametrize("seed", range(4))
def test_counts_equal_brute_force(seed, min_count, partitions):
    """Level-by-level apriori counting over blocks equals counting every substring."""
    rng = random.Random(seed)
    alphabet = "天地人和中国"
    lines = []
    for _ in range(80):
        lines.append("，".join("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20)))
                              for _ in range(rng.randint(1, 3))))
    text = "\n".join(lines) + "\n"
    finder = UnigramFinder(min_count=min_count, max_len=16, partitions=partitions).train([text])
    corpus = Corpus.of([text])
    got = table_words(finder, finder.ngram_table(corpus, Progress()))
    assert got == brute_ngrams(text, min_count, 16)


# --- the pruning step against a plain-Python reference ----------------------------------


def reference_prune(words: list[str], counts: list[float], unknown: float, char_cost: float,
                    lexicon_cost: float) -> tuple[list[bool], list[float], list[float]]:
    total = sum(counts)
    logp = {w: math.log(c / total) for w, c in zip(words, counts) if c > 0}
    index = {w: i for i, w in enumerate(words)}
    keep, gains, saved = [], [], []
    for w, c in zip(words, counts):
        if len(w) < 2 or c <= 0:
            keep.append(c > 0)
            gains.append(0.0)
            saved.append(0.0)
            continue
        # best split of w into other words (a single character may be unknown)
        best = [(-math.inf, [])] * (len(w) + 1)
        best[0] = (0.0, [])
        for e in range(1, len(w) + 1):
            for s in range(e - 1, -1, -1):
                if best[s][0] == -math.inf:
                    continue
                piece = w[s:e]
                if piece != w and piece in logp:
                    score, part = logp[piece], piece
                elif e - s == 1:
                    score, part = unknown, None
                else:
                    continue
                if best[s][0] + score > best[e][0]:
                    best[e] = (best[s][0] + score, best[s][1] + [part])
        split, parts = best[len(w)]
        gain = logp[w] - split
        n1 = total + (len(parts) - 1) * c
        d = n1 * math.log(n1) - total * math.log(total) + c * math.log(c)
        for part, mult in Counter(parts).items():
            if part is None:
                d -= mult * c * unknown
            else:
                cv = counts[index[part]]
                d -= (cv + mult * c) * math.log(cv + mult * c) - cv * math.log(cv)
        keep.append(gain >= len(w) - 1 and d >= lexicon_cost * char_cost * len(w))
        gains.append(gain)
        saved.append(d)
    return keep, gains, saved


#: The random lexicons' characters; 己 is never a word on its own (an unknown character).
ALPHABET = "甲乙丙丁戊己"


def random_words(rng: random.Random, n: int, max_len: int) -> list[str]:
    """*n* random strings of 1..max_len characters of ALPHABET, with each character but 己,
    sorted and distinct."""
    return sorted({"".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, max_len)))
                   for _ in range(n)} | set(ALPHABET[:-1]))


def string_table(strings: list[str], values) -> _WordTable:
    """*strings* of ALPHABET as a CSR string table (ids 1..6) with counts *values*."""
    ids = {ch: i + 1 for i, ch in enumerate(ALPHABET)}
    ptr = np.zeros(len(strings) + 1, np.int64)
    np.cumsum([len(w) for w in strings], out=ptr[1:])
    return _WordTable(ptr, np.array([ids[ch] for w in strings for ch in w], np.int32),
                      np.array(values, np.int64))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("in_halves", [False, True])
def test_prune_matches_reference(seed, in_halves, monkeypatch):
    rng = random.Random(seed)
    words = random_words(rng, 40, 5)
    counts = [float(rng.choice([0, 1, 2, 5, 20, 100, 1000])) for _ in words]
    table = string_table(words, np.ones(len(words)))
    ptr, chars = table.ptr, table.chars
    tk, tv = UK.key_table(UK.row_keys(ptr, chars))
    unknown, char_cost, lexicon_cost = -20.0, math.log(6), rng.choice([0.0, 1.0, 3.0])
    if in_halves:  # the two threads' halves of the table, as on a large corpus
        split = unigram._split
        monkeypatch.setattr(unigram, "_split", lambda first, stop: split(first, stop, 2))
    keep, gain, saved = unigram.prune(table, np.array(counts), tk, tv, unknown, char_cost,
                                      lexicon_cost)
    ref_keep, ref_gain, ref_saved = reference_prune(words, counts, unknown, char_cost,
                                                    lexicon_cost)
    assert keep.tolist() == ref_keep
    assert np.allclose(gain, ref_gain, rtol=1e-9, atol=1e-9)
    assert np.allclose(saved, ref_saved, rtol=1e-9, atol=1e-6)


def split_stats(table, counts, n_chars):
    """Plain-Python reference: per row the cohesion (min over binary splits of
    ln(N c(w) / (c(left) c(right))), +inf for one character) and the rows of w[:-1] and
    w[1:] (-1 for one character)."""
    spans = [tuple(table.chars[table.ptr[r]:table.ptr[r + 1]].tolist())
             for r in range(len(counts))]
    row = {w: r for r, w in enumerate(spans)}
    coh = np.full(len(spans), np.inf)
    prefix = np.full(len(spans), -1)
    suffix = np.full(len(spans), -1)
    for r, w in enumerate(spans):
        if len(w) < 2:
            continue
        coh[r] = min(math.log(n_chars * counts[r] / (counts[row[w[:s]]] * counts[row[w[s:]]]))
                     for s in range(1, len(w)))
        prefix[r], suffix[r] = row[w[:-1]], row[w[1:]]
    return coh, prefix, suffix


def test_cohesion_reference_hand_computed():
    """The counts of the n-gram table and the plain-Python cohesion reference that the
    candidate tests compare with (split_stats), against hand-computed values."""
    # 甲乙 always together; 丙丁 twice, 丙 once alone, 丁 once alone
    text = "甲乙丙丁\n甲乙丙丁\n甲乙\n丙\n丁\n甲乙\n"
    finder = UnigramFinder(min_count=2).train([text])
    table = finder.ngram_table(Corpus.of([text]), Progress())
    words = table.words(finder.chars)
    counts = table.counts.astype(np.float64)
    coh, prefix, suffix = split_stats(table, counts, 14.0)
    row = {w: i for i, w in enumerate(words)}
    assert coh[row["甲乙"]] == pytest.approx(math.log(14 * 4 / (4 * 4)))
    assert coh[row["丙丁"]] == pytest.approx(math.log(14 * 2 / (3 * 3)))
    # 乙丙 (2): splits 乙|丙 -> 14*2/(4*3)
    assert coh[row["乙丙"]] == pytest.approx(math.log(14 * 2 / (4 * 3)))
    four = row["甲乙丙丁"]
    assert words[prefix[four]] == "甲乙丙" and words[suffix[four]] == "乙丙丁"
    assert math.isinf(coh[row["甲"]])


# --- end to end ----------------------------------------------------------------------------


def generated_corpus(seed: int, n_sentences: int, long_word: str, rate: float = 0.05) -> str:
    rng = random.Random(seed)
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    rng.shuffle(pool)
    long_chars = set(long_word)
    pool = [ch for ch in pool if ch not in long_chars]
    vocab = ["".join(pool[i:i + n]) for i, n in zip(range(0, 240, 3), [1, 2, 3] * 80)]
    weights = [1.0 / (r + 1) for r in range(len(vocab))]
    lines = []
    for _ in range(n_sentences):
        words = rng.choices(vocab, weights, k=rng.randint(3, 9))
        if rng.random() < rate:
            words.insert(rng.randrange(len(words) + 1), long_word)
        lines.append("".join(words) + "。")
    return "\n".join(lines) + "\n"


def test_long_word_recovered_from_generated_corpus():
    # nine characters, never seen apart, about 60 times in 240 k characters: its cohesion
    # ln(N / c) clears the default pmi_cap of 8 nats
    long_word = "甲乙丙丁戊己庚辛壬"
    text = generated_corpus(7, 20000, long_word, rate=0.003)
    lex = discover(text.split("\n"))
    assert long_word in lex
    assert not any(len(w) > 1 and w != long_word and w in long_word for w in lex.words)
    seg = Segmenter(lex)
    line = next(ln for ln in text.split("\n") if long_word in ln)
    assert long_word in seg.tokenize(line)


@pytest.mark.parametrize("seed", range(3))
def test_segment_round_trip(seed):
    text = generated_corpus(seed, 600, "子丑寅卯辰巳")
    rng = random.Random(seed)
    noisy = [ln[: rng.randint(0, len(ln))] + " 3.14% x.org ，" + ln for ln in
             text.split("\n")[:200]]
    lex = discover(text.split("\n"))
    seg = Segmenter(lex)
    for line in noisy:
        out = seg.segment_text(line)
        assert out.replace(" ", "") == "".join(line.split())


def test_digit_unit_words_follow_the_corpus():
    lines = [f"在{y}年{m}月发生了事情。" for y in range(1990, 2000) for m in range(1, 6)]
    lines += ["他有3个苹果和5个梨。", "第7个人来了。"] * 2
    lines += generated_corpus(1, 2000, "子丑寅卯辰巳").split("\n")  # other text
    lex = discover(lines, min_count=3)
    assert "1995年" in lex and "3月" in lex
    assert not any(w[0].isdigit() and w.endswith("个") for w in lex.words)  # twice: below min_count
    seg = Segmenter(lex)
    assert "1995年" in seg.tokenize("在1995年发生了事情。")


def test_min_count_by_default_follows_the_corpus_size(monkeypatch):
    """min_count's default is 2 on a corpus of fewer than SMALL_CORPUS_CHARS characters
    and 3 from there on; a given min_count is kept on any corpus. The threshold counts the
    corpus's letters, digits and ideographs (marks and white space aside)."""
    text = generated_corpus(2, 300, "子丑寅卯辰")
    n_chars = sum(ch.isalnum() for ch in text)
    for limit, expected in ((n_chars + 1, 2), (n_chars, 3)):
        monkeypatch.setattr(unigram, "SMALL_CORPUS_CHARS", limit)
        assert UnigramFinder().train([text]).settle_min_count() == expected
        assert UnigramFinder(min_count=5).train([text]).settle_min_count() == 5
    monkeypatch.setattr(unigram, "SMALL_CORPUS_CHARS", n_chars + 1)
    auto, two = discover(text.split("\n")), discover(text.split("\n"), min_count=2)
    assert auto.words == two.words and auto.words != discover(text.split("\n"), min_count=3).words


def test_deterministic_and_block_size_independent(tmp_path):
    text = generated_corpus(3, 3000, "子丑寅卯辰巳午")
    path = tmp_path / "c.txt"
    path.write_text(text, "utf-8")
    one = discover(path)
    small_blocks = discover(Corpus(path, block_bytes=2048))
    assert one.words == small_blocks.words
    assert np.array_equal(one.counts, small_blocks.counts)
    assert discover(text.split("\n")).words == one.words


@pytest.mark.parametrize("option, value", [
    ("min_count", 0), ("min_count", 1.5), ("min_count", True),
    ("min_pmi", math.nan), ("min_pmi", math.inf), ("pmi_step", -1.0),
    ("pmi_cap", math.nan), ("max_len", 0), ("max_len", 10**9), ("max_share", 0.0),
    ("max_share", 1.5), ("max_share", math.nan), ("lexicon_cost", -1.0),
    ("lexicon_cost", math.inf), ("iterations", 0), ("iterations", 10**9),
    ("unknown_score", math.nan), ("unknown_score", 5.0), ("partitions", 0),
    ("partitions", 1000), ("boundary_margin", -1.0), ("boundary_margin", math.nan),
    ("boundary_margin", math.inf), ("boundary_margin", 1e7),
])
def test_bad_options_are_value_errors(option, value):
    with pytest.raises(ValueError, match=option):
        UnigramFinder(**{option: value})


@pytest.mark.parametrize("text", ["", "\n\n", "，。！ ...", "   "])
def test_empty_corpus_is_a_clear_error(text):
    with pytest.raises(InputError, match="no letters"):
        discover([text])


def test_latin_and_digits_only_corpus_gives_an_empty_lexicon():
    lex = discover(["abc 123 abc", "abc 42"])  # letter and digit runs are the segmenter's
    assert len(lex) == 0


@pytest.mark.parametrize("args, needle", [
    (["--max-len", "0"], "--max-len"), (["--max-len", "5000"], "--max-len"),
    (["--pmi-step", "nan"], "--pmi-step"), (["--pmi-step", "-1"], "--pmi-step"),
    (["--pmi-cap", "inf"], "--pmi-cap"), (["--min-pmi", "nan"], "--min-pmi"),
    (["--max-share", "2"], "--max-share"), (["--max-share", "0"], "--max-share"),
    (["--lexicon-cost", "-1"], "--lexicon-cost"), (["--iterations", "0"], "--iterations"),
    (["--iterations", "100000"], "--iterations"), (["--unknown-score", "nan"], "--unknown-score"),
    (["--partitions", "0"], "--partitions"), (["--partitions", "999"], "--partitions"),
    (["--boundary-margin", "nan"], "--boundary-margin"),
    (["--boundary-margin", "-1"], "--boundary-margin"),
    (["--boundary-margin", "inf"], "--boundary-margin"),
    (["--boundary-margin", "1e7"], "--boundary-margin"),
])
def test_cli_rejects_bad_unigram_options(cli, write_file, args, needle):
    corpus = write_file("c.txt", "中外科学\n")
    cli.assert_usage_error(cli.invoke("discover", *args, corpus), needle)


def test_boundary_margin_1e6_switches_the_test_off(monkeypatch):
    """The help promises 1000000 = never: the branching-entropy kernels are not even run."""
    import nlpzero.words.unigram as unigram

    def refuse(*args):
        raise AssertionError("the boundary test ran")

    monkeypatch.setattr(unigram.UK, "boundary_excess", refuse)
    text = generated_corpus(4, 1500, "子丑寅卯辰巳午")
    off = UnigramFinder(min_count=2, boundary_margin=1e6).train([text])
    assert len(off.find(Corpus.of([text]))) > 0
    on = UnigramFinder(min_count=2, boundary_margin=6).train([text])
    with pytest.raises(AssertionError, match="boundary test ran"):
        on.find(Corpus.of([text]))


def test_cli_unigram_is_the_default(cli, tmp_path):
    text = generated_corpus(5, 3000, "子丑寅卯辰巳午未")
    path = tmp_path / "c.txt"
    path.write_text(text, "utf-8")
    default = cli.invoke("discover", "-q", path)
    explicit = cli.invoke("discover", "-q", "--method", "unigram", path)
    assert default.exit_code == 0, default.stderr
    assert default.stdout == explicit.stdout
    words = [line.split("\t")[0] for line in default.stdout.splitlines()]
    assert words == discover(path).words


def reference_candidates(finder: UnigramFinder, table) -> np.ndarray:
    """The candidate mask by its definition, in plain Python and numpy: one character, or
    cohesion at the length's threshold and no one-character extension holding 0.8 of the
    occurrences (the finder's max_share)."""
    counts = table.counts.astype(np.float64)
    coh, prefix, suffix = split_stats(table, counts, float(finder.char_counts().sum()))
    share = np.zeros(counts.size)
    for parent in (prefix, suffix):
        has = parent >= 0
        np.maximum.at(share, parent[has], counts[has] / counts[parent[has]])
    lengths = table.lengths
    return (lengths == 1) | ((coh >= finder.thresholds(lengths)) & (share < finder.max_share))


@pytest.mark.parametrize("seed", range(3))
def test_candidate_selection_matches_its_definition(seed):
    """select_candidates = cohesion threshold and extension share computed separately in
    plain Python and numpy."""
    text = generated_corpus(seed, 1500, "子丑寅卯辰巳午")
    finder = UnigramFinder(min_count=2).train([text])
    table = finder.ngram_table(Corpus.of([text]), Progress())
    n_chars = float(finder.char_counts().sum())
    tk, tv = UK.key_table(UK.row_keys(table.ptr, table.chars))
    expected = reference_candidates(finder, table)
    for with_autonomy in (False, True):
        got, aut = select_candidates(table, tk, tv, n_chars, finder.min_pmi, finder.pmi_step,
                                     finder.pmi_cap, 0.8, with_autonomy)
        assert np.array_equal(got, expected)
        assert aut.size == (got.sum() if with_autonomy else 0)
    assert got.sum() > (table.lengths == 1).sum()  # some multi-character candidates


def test_candidate_selection_in_halves_equals_one_piece(monkeypatch):
    """select_candidates runs each length's lookups and cohesion in two halves on two
    threads: the same keep and autonomy, to the bit, as in one piece."""
    text = generated_corpus(5, 1500, "子丑寅卯辰巳午")
    finder = UnigramFinder(min_count=2).train([text])
    table = finder.ngram_table(Corpus.of([text]), Progress())
    tk, tv = UK.key_table(UK.row_keys(table.ptr, table.chars))
    args = (table, tk, tv, float(finder.char_counts().sum()), 1.5, 1.5, 8.0, 0.8, True)
    whole = select_candidates(*args)
    split = unigram._split
    monkeypatch.setattr(unigram, "_split", lambda first, stop: split(first, stop, 2))
    halves = select_candidates(*args)
    assert np.array_equal(whole[0], halves[0]) and whole[0].sum() > 100
    assert np.array_equal(whole[1], halves[1])


@pytest.mark.parametrize("args, option, owner", [
    (["--method", "ngram", "--pmi-cap", "6"], "--pmi-cap", "--method unigram"),
    (["--method", "nlpzero", "--max-share", "0.5"], "--max-share", "--method unigram"),
    (["--method", "ngram", "--lexicon-cost", "2"], "--lexicon-cost", "--method unigram"),
    (["--method", "nlpzero", "--max-len", "8"], "--max-len", "--method ngram or unigram"),
    (["--min-proba", "1e-5"], "--min-proba", "--method nlpzero"),
    (["--method", "ngram", "--boundary-margin", "3"], "--boundary-margin", "--method unigram"),
])
def test_cli_refuses_options_of_other_methods(cli, write_file, args, option, owner):
    corpus = write_file("c.txt", "中外科学\n")
    cli.assert_usage_error(cli.invoke("discover", *args, corpus), f"{option} applies to {owner}")


# --- branching-entropy boundary test ---------------------------------------------------------


def reference_autonomy(table: Counter) -> dict[str, float]:
    """nVBE by its definition, with strings and floats: h_right(w) = −Σ_x p(x|w) ln p(x|w)
    over the table's extensions wx, the rest of w's occurrences each a different x; the
    empty string's entropy is the character entropy; a = Δh_right + Δh_left, minus the mean
    of a over the strings of the same length."""
    def entropy(w: str, right: bool) -> float:
        c = table[w]
        ext = [table[v] for v in table if len(v) == len(w) + 1
               and (v[:-1] == w if right else v[1:] == w)]
        return math.log(c) - sum(x * math.log(x) for x in ext) / c

    chars = [c for w, c in table.items() if len(w) == 1]
    n = sum(chars)
    h0 = math.log(n) - sum(c * math.log(c) for c in chars) / n
    raw = {}
    for w in table:
        hr0 = h0 if len(w) == 1 else entropy(w[:-1], True)
        hl0 = h0 if len(w) == 1 else entropy(w[1:], False)
        raw[w] = entropy(w, True) - hr0 + entropy(w, False) - hl0
    out = {}
    for w, v in raw.items():
        same = [raw[x] for x in raw if len(x) == len(w)]
        out[w] = v - sum(same) / len(same)
    return out


def reference_boundary_excess(w: str, aut: dict[str, float], usable: set[str]) -> float:
    """Every split of w into two or more usable strings, by brute force: the best
    Σ a(part) len(part) minus a(w) len(w), −inf without such a split."""
    best = -math.inf
    for cuts in itertools.chain.from_iterable(
            itertools.combinations(range(1, len(w)), k) for k in range(1, len(w))):
        b = [0, *cuts, len(w)]
        parts = [w[x:y] for x, y in zip(b, b[1:])]
        if all(p in usable for p in parts):
            best = max(best, sum(aut[p] * len(p) for p in parts))
    return best - aut[w] * len(w)


def all_autonomy(table, tk, tv) -> np.ndarray:
    """select_candidates' autonomy of every row (thresholds that keep every row)."""
    keep, aut = select_candidates(table, tk, tv, float(table.counts[table.lengths == 1].sum()),
                                  -1e300, 0.0, -1e300, 2.0, True)
    assert keep.all()
    return aut


@pytest.mark.parametrize("seed", range(3))
def test_autonomy_and_boundary_test_match_reference(seed):
    rng = random.Random(seed)
    text = generated_corpus(seed, 400, "子丑寅卯辰")
    finder = UnigramFinder(min_count=2, max_len=6).train([text])
    table = finder.ngram_table(Corpus.of([text]), Progress())
    words = table_words(finder, table)
    tk, tv = UK.key_table(UK.row_keys(table.ptr, table.chars))
    aut = all_autonomy(table, tk, tv)
    names = table.words(finder.chars)
    ref = reference_autonomy(words)
    for i, w in enumerate(names):
        assert aut[i] == pytest.approx(ref[w], abs=1e-9), w
    usable = np.array([len(w) == 1 or rng.random() < 0.5 for w in names])
    rows = np.flatnonzero(table.lengths >= 2)
    excess = UK.boundary_excess(table.ptr, table.chars, rows, aut, usable, tk, tv, 3)
    ok = {w for w, u in zip(names, usable) if u}
    expected = [-math.inf if len(names[r]) < 3 else reference_boundary_excess(names[r], ref, ok)
                for r in rows]
    assert np.isneginf(excess).tolist() == [math.isinf(x) for x in expected]
    finite = np.isfinite(excess)
    assert finite.any()
    assert np.allclose(excess[finite], np.array(expected)[finite], rtol=0, atol=1e-9)
    assert (excess[finite] > 0).any() and (excess[finite] < 0).any()


def test_boundary_test_cuts_a_compound_and_keeps_a_word():
    """Two words that each occur in many contexts, and now and then side by side: nVBE
    decoding prefers to cut them (positive excess); a word never seen apart is not (its
    excess is negative) and comes out of the whole method, with the new first Viterbi
    pass, whole, as do the six words."""
    rng = random.Random(3)
    heads, tails = ["甲乙", "丙丁", "戊己"], ["庚辛", "壬癸", "子丑"]
    fill = [chr(c) for c in range(0x4E00, 0x4E00 + 60)]
    lines = []
    for _ in range(3000):
        words = [rng.choice(fill) for _ in range(rng.randint(2, 6))]
        words.insert(rng.randrange(len(words) + 1), rng.choice(heads))
        words.insert(rng.randrange(len(words) + 1), rng.choice(tails))
        if rng.random() < 0.05:
            words.insert(rng.randrange(len(words) + 1), "寅卯辰巳")
        lines.append("".join(words))
    finder = UnigramFinder().train(lines)
    table = finder.ngram_table(Corpus.of(lines), Progress())
    names = table.words(finder.chars)
    tk, tv = UK.key_table(UK.row_keys(table.ptr, table.chars))
    aut = all_autonomy(table, tk, tv)
    usable = np.ones(len(names), np.bool_)
    compounds = [w for w in names if len(w) == 4 and w[:2] in heads and w[2:] in tails]
    rows = np.array([names.index(w) for w in ["寅卯辰巳", *compounds]])
    assert rows.size > 1
    excess = UK.boundary_excess(table.ptr, table.chars, rows, aut, usable, tk, tv, 3)
    assert excess[0] < 0 and (excess[1:] > 0).all()
    lexicon = finder.find(Corpus.of(lines))
    assert "寅卯辰巳" in lexicon and set(heads + tails) <= set(lexicon.words)
    assert not set(compounds) & set(lexicon.words)


@pytest.mark.parametrize("seed", range(4))
def test_boundary_keep_matches_reference(seed):
    """The test pays a candidate's excess with its gain against its best split in the
    model of the given counts (the reference gain of :func:`reference_prune`) beyond the
    len(w) − 1 nats the redundancy test asks."""
    rng = random.Random(seed)
    words = random_words(rng, 40, 5)
    counts = [float(rng.choice([0, 1, 2, 5, 20, 100, 1000])) for _ in words]
    table = string_table(words, np.ones(len(words)))
    excess = np.array([-math.inf if len(w) < 3 else rng.uniform(-4.0, 12.0) for w in words])
    margin, lexicon_cost = rng.choice([0.0, 1.5, 6.0]), rng.choice([0.0, 1.0])
    finder = UnigramFinder(unknown_score=-20.0, lexicon_cost=lexicon_cost,
                           boundary_margin=margin)
    keep = finder.boundary_keep(table, excess, np.array(counts, np.int64), math.log(6))
    _, gains, _ = reference_prune(words, counts, -20.0, math.log(6), lexicon_cost)
    # the margin is for candidates of four characters or more; three-character ones get none
    expected = [not x > (margin if len(w) >= 4 else 0.0) + g - (len(w) - 1)
                for w, x, g in zip(words, excess, gains)]
    assert keep.tolist() == expected
    assert 0 < int(keep.sum()) < keep.size


def test_survivors_chunks_give_the_same_lexicon():
    """find() counts all the candidates over the corpus's blocks (the same counts as over
    their distinct chunks) and cuts chunks for the words that pass the branching-entropy
    test; a Viterbi pass over the chunks of all the candidates (which join more
    neighbours) must count the survivors the same, so the lexicon is the same."""
    text = generated_corpus(11, 2500, "子丑寅卯辰巳午未")
    finder = UnigramFinder(min_count=2).train([text])
    corpus = Corpus.of([text])
    words, excess = finder.candidates(finder.ngram_table(corpus, Progress()))
    wide = finder.chunks(words, corpus, Progress())

    def wide_counts(w: _WordTable) -> np.ndarray:
        return finder.path_counts(wide, w)

    assert np.array_equal(finder.corpus_path_counts(words, corpus, Progress()),
                          wide_counts(words))  # every occurrence = distinct chunks x counts
    survivors = finder.boundary_pass(words, excess, wide_counts, Progress())
    assert 0 < survivors.counts.size < words.counts.size
    narrow = finder.chunks(survivors, corpus, Progress())
    assert narrow.chars.size < wide.chars.size
    assert np.array_equal(finder.path_counts(narrow, survivors), wide_counts(survivors))
    # the pairs of one-character words are read off the survivors' chunks (a pair at a
    # cut between them is one no candidate contains), as find() does
    expected = finder.reestimate(survivors, wide_counts, Progress(),
                                 lambda w: finder.path_pairs(narrow, w))
    got = finder.find(corpus)
    assert got.words == expected.words
    assert np.array_equal(got.counts, expected.counts)


@pytest.mark.parametrize("seed", range(3))
def test_candidates_match_plain_python_definition(seed):
    """candidates() (cohesion + share, autonomy kept for the candidates only, the boundary
    excess over the candidates' own key table) = the definitions composed in plain Python:
    a split may use any candidate as a part, with the autonomy of the whole n-gram table."""
    text = generated_corpus(seed, 400, "子丑寅卯辰")
    finder = UnigramFinder(min_count=2, max_len=6).train([text])
    table = finder.ngram_table(Corpus.of([text]), Progress())
    first = reference_candidates(finder, table)
    names = table.words(finder.chars)
    ref = reference_autonomy(table_words(finder, table))
    usable = {w for w, k in zip(names, first) if k}
    words, excess = finder.candidates(table)
    got = words.words(finder.chars)
    assert got == [w for w in names if w in usable]  # the table's order, each once
    expected = [-math.inf if len(w) < 3 else reference_boundary_excess(w, ref, usable)
                for w in got]
    assert np.isneginf(excess).tolist() == [math.isinf(x) for x in expected]
    finite = np.isfinite(excess)
    assert np.allclose(excess[finite], np.array(expected)[finite], rtol=0, atol=1e-9)
    assert (excess[finite] > 0).any()  # some candidate nVBE decoding would cut


def test_row_key_table_is_the_key_table_of_the_row_keys():
    text = generated_corpus(1, 300, "子丑寅卯")
    finder = UnigramFinder(min_count=2).train([text])
    table = finder.ngram_table(Corpus.of([text]), Progress())
    keys = UK.row_keys(table.ptr, table.chars)
    for tk, tv in (UK.row_key_table(table.ptr, table.chars), UK.key_table(keys)):
        assert sorted(tk[tk != 0].tolist()) == sorted(keys.tolist())
        assert [UK.key_row(tk, tv, k) for k in keys] == list(range(keys.size))
        assert UK.key_row(tk, tv, np.uint64(12345)) == -1


# --- pairs of one-character words on the best paths ---------------------------------------


def reference_path_pairs(chunks: list[str], weights: list[int], words: list[str],
                         counts: list[int], unknown: float) -> Counter:
    """Plain Python: each chunk's unigram Viterbi path (ln count − ln total a word, an
    unknown character *unknown*, ties keep the first path found, words before the
    fallback), and how often one one-character word follows another on those paths."""
    total = max(1.0, float(sum(counts)))
    logp = {w: math.log(max(c, 1)) - math.log(total) for w, c in zip(words, counts)}
    longest = max(len(w) for w in words)
    out: Counter = Counter()
    for text, weight in zip(chunks, weights):
        n = len(text)
        score = [-math.inf] * (n + 1)
        back = [0] * (n + 1)
        via: list = [None] * (n + 1)
        score[0] = 0.0
        for i in range(n):
            for j in range(i + 1, min(n, i + longest) + 1):
                w = text[i:j]
                if w in logp and score[i] + logp[w] > score[j]:
                    score[j], back[j], via[j] = score[i] + logp[w], i, w
            if score[i] + unknown > score[i + 1]:
                score[i + 1], back[i + 1], via[i + 1] = score[i] + unknown, i, None
        path = []
        p = n
        while p > 0:
            path.append(via[p])
            p = back[p]
        path.reverse()
        for a, b in zip(path, path[1:]):
            if a is not None and b is not None and len(a) == 1 and len(b) == 1:
                out[a + b] += weight
    return out


@pytest.mark.parametrize("seed", range(6))
def test_path_pairs_match_reference(seed):
    rng = random.Random(seed)
    words = random_words(rng, 25, 4)
    counts = [rng.choice([1, 2, 5, 20, 100]) for _ in words]
    chunks = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12)))
              for _ in range(60)]
    weights = [rng.randint(1, 4) for _ in chunks]
    table, chunk_table = string_table(words, counts), string_table(chunks, weights)
    finder = UnigramFinder(unknown_score=-20.0)
    keys, got = finder.path_pairs(chunk_table, table,
                                  np.full(chunk_table.chars.size, HAN, np.uint8))
    assert np.all(np.diff(keys) > 0)
    n = len(words)
    found = Counter({words[k // n] + words[k % n]: int(c) for k, c in zip(keys, got)})
    expected = reference_path_pairs(chunks, weights, words, counts, -20.0)
    assert found == expected
    assert sum(expected.values()) > 0


def test_pair_words_hand_computed():
    """ab becomes a word when seen min_count times and ln(T c(ab) / (c(a) c(b))) reaches
    min_pmi (and 1 nat), T the words on the paths; a pair that is a word already does not."""
    words = ["甲", "乙", "丙", "丁", "乙丙"]
    counts = [40, 30, 50, 20, 60]  # T = 200
    ptr = np.array([0, 1, 2, 3, 4, 6], np.int64)
    ids = {"甲": 1, "乙": 2, "丙": 3, "丁": 4}
    table = _WordTable(ptr, np.array([ids[c] for w in words for c in w], np.int32),
                       np.array(counts, np.int64))
    n = len(words)
    pairs = {("甲", "乙"): 30,  # ln(200·30 / (40·30)) = ln 5 = 1.61: a word
             ("乙", "甲"): 26,  # ln(200·26 / 1200) = 1.47 < 1.5: no
             ("丙", "丁"): 2,   # ln(200·2 / 1000) < 0, and twice: no
             ("丁", "甲"): 2,   # ln(200·2 / 800) < 0: no
             ("丁", "丁"): 3,   # ln(200·3 / 400) = 0.41: no
             ("乙", "丙"): 25}  # a word already
    keys = np.array(sorted(words.index(a) * n + words.index(b) for a, b in pairs), np.int64)
    back = {words.index(a) * n + words.index(b): c for (a, b), c in pairs.items()}
    got = UnigramFinder(min_pmi=1.5, min_count=3).pair_words(
        table, keys, np.array([back[k] for k in keys], np.int64))
    assert got.ptr.tolist() == [0, 2]
    assert got.chars.tolist() == [1, 2] and got.counts.tolist() == [30]
    got = UnigramFinder(min_pmi=1.4, min_count=3).pair_words(
        table, keys, np.array([back[k] for k in keys], np.int64))
    assert got.chars.tolist() == [1, 2, 2, 1] and got.counts.tolist() == [30, 26]
    got = UnigramFinder(min_pmi=-5.0, min_count=2).pair_words(  # 1 nat at least
        table, keys, np.array([back[k] for k in keys], np.int64))
    assert got.chars.tolist() == [1, 2, 2, 1] and got.counts.tolist() == [30, 26]


def test_pair_of_characters_cohesive_only_as_tokens_becomes_a_word():
    """甲 and 乙 are frequent inside 甲丙丁 and 戊己乙, so 甲乙 (1 % of the lines, and inside
    庚甲乙辛) is not cohesive as characters and is no candidate; on the best paths 甲 and 乙
    are left as tokens almost only there, so the pair step makes 甲乙 a word."""
    rng = random.Random(3)
    pool = [chr(c) for c in range(0x4E00 + 500, 0x4E00 + 900)]
    rng.shuffle(pool)
    vocab = ["".join(pool[i:i + n]) for i, n in zip(range(0, 240, 3), [1, 2, 3] * 80)]
    weights = [1.0 / (r + 1) for r in range(len(vocab))]
    lines = []
    for _ in range(6000):
        words = rng.choices(vocab, weights, k=rng.randint(3, 8))
        r = rng.random()
        extra = ("甲丙丁" if r < 0.25 else "戊己乙" if r < 0.5 else "甲乙" if r < 0.51
                 else "庚甲乙辛" if r < 0.52 else None)
        if extra:
            words.insert(rng.randrange(len(words) + 1), extra)
        lines.append("".join(words) + "。")
    finder = UnigramFinder().train(lines)
    corpus = Corpus.of(lines)
    words, excess = finder.candidates(finder.ngram_table(corpus, Progress()))
    assert "甲乙" not in words.words(finder.chars)
    survivors = finder.boundary_pass(
        words, excess, lambda w: finder.corpus_path_counts(w, corpus, Progress()), Progress())
    chunks = finder.chunks(survivors, corpus, Progress())
    without = finder.reestimate(survivors, lambda w: finder.path_counts(chunks, w), Progress())
    lexicon = finder.find(corpus)
    assert "甲乙" not in without and "甲乙" in lexicon
    assert {"甲丙丁", "戊己乙", "庚甲乙辛"} <= set(lexicon.words)
    line = next(ln for ln in lines if "甲乙" in ln and "庚" not in ln)
    assert "甲乙" in Segmenter(lexicon).tokenize(line)


@pytest.mark.parametrize("seed", range(4))
def test_chunk_path_counts_follow_the_segmenters_paths(seed):
    """chunk_path_counts over its path_table counts the words of the lexicon's own Viterbi
    (path_words over the lexicon's hash table): the same paths, ties included (counts are
    powers of two, so many paths score alike), letter/digit runs whole, a repeated word
    counted under its first row, and each chunk weighted by its count."""
    from nlpzero.words import _lexicon_kernels as LK

    rng = random.Random(seed)
    n_ids = 8  # ids 7 and 8 are letters (class 2), the rest ideographs (class 1)
    cls_of = np.array([0] + [1] * 6 + [2, 2], np.int8)
    words = [[rng.randint(1, n_ids) for _ in range(rng.randint(1, 7))] for _ in range(60)]
    words.append(list(words[5]))  # a repeated word: its first row takes the counts
    ptr = np.zeros(len(words) + 1, np.int64)
    np.cumsum([len(w) for w in words], out=ptr[1:])
    table = _WordTable(ptr, np.array([c for w in words for c in w], np.int32),
                       np.array([2 ** rng.randint(0, 6) for _ in words], np.int64))
    logp = np.log(table.counts) - math.log(float(table.counts.sum()))
    keys, lens, vals = table.table()
    max_len = int(table.lengths.max())
    chunks = [np.array([rng.randint(1, n_ids) for _ in range(rng.randint(1, 40))], np.int32)
              for _ in range(30)]
    weights = np.array([rng.randint(1, 5) for _ in chunks], np.int64)
    expected = np.zeros(len(words), np.int64)
    for chunk, weight in zip(chunks, weights):
        on_path = LK.path_words(chunk, cls_of[chunk], keys, lens, vals, logp, max_len, -20.0)
        expected += weight * np.bincount(on_path[on_path >= 0], minlength=len(words))
    chars = np.concatenate(chunks)
    ends = np.cumsum([c.size for c in chunks])
    got = UK.chunk_path_counts(ends - [c.size for c in chunks], ends, chars, cls_of[chars],
                               weights, UK.path_table(table.ptr, table.chars), logp, max_len,
                               -20.0, len(words))
    assert np.array_equal(got, expected)
    assert got[len(words) - 1] == 0 and expected.sum() > 0


def test_span_table_matches_unpacked_rows() -> None:
    """span_table writes the short spans' fields and the long rows straight into one CSR
    table: the same rows as unpacking the keys (non-zero fields) and appending the long
    table, on random keys of 1-4 fields and random long rows."""
    from nlpzero.words.discovery import span_table
    from nlpzero.words.ngrams import unpack

    rng = np.random.default_rng(5)
    for n_short, n_long in ((0, 0), (1, 0), (0, 3), (50, 7), (300, 40)):
        lens = rng.integers(1, 5, n_short)
        fields = rng.integers(1, 1 << 16, (n_short, 4)).astype(np.uint64)
        fields[np.arange(4)[None, :] >= lens[:, None]] = 0
        keys = np.sort((fields[:, 0] << np.uint64(48)) | (fields[:, 1] << np.uint64(32))
                       | (fields[:, 2] << np.uint64(16)) | fields[:, 3])
        counts = rng.integers(1, 100, n_short).astype(np.int64)
        l_lens = rng.integers(5, 12, n_long)
        l_ptr = np.zeros(n_long + 1, np.int64)
        np.cumsum(l_lens, out=l_ptr[1:])
        l_chars = rng.integers(1, 1 << 16, int(l_ptr[-1])).astype(np.int32)
        l_counts = rng.integers(1, 100, n_long).astype(np.int64)
        table = span_table((keys, counts), (None, l_counts, l_ptr, l_chars))
        rows = [[int(c) for c in row if c] for row in unpack(keys)]
        rows += [l_chars[l_ptr[r]:l_ptr[r + 1]].tolist() for r in range(n_long)]
        got = [table.chars[table.ptr[r]:table.ptr[r + 1]].tolist()
               for r in range(table.counts.size)]
        assert got == rows
        assert table.ptr.dtype == np.int64 and table.chars.dtype == np.int32
        assert table.counts.tolist() == counts.tolist() + l_counts.tolist()


def test_discover_drops_only_its_own_corpus_cache(tmp_path) -> None:
    """discover frees the cached ids of the Corpus it made itself after the last pass
    (same lexicon), and leaves a caller's Corpus cached for its next use."""
    rng = np.random.default_rng(3)
    words = ["甲乙丙", "丁戊", "己庚辛壬", "癸子", "丑寅"]
    path = tmp_path / "c.txt"
    path.write_text("\n".join("".join(rng.choice(words, 12)) for _ in range(300)) + "\n",
                    encoding="utf-8")
    own = discover(str(path))
    mine = Corpus(str(path))
    theirs = discover(mine)
    assert not mine.read_once_more and mine._cache is not None and len(mine._cache) > 0
    assert own.words == theirs.words and own.counts.tolist() == theirs.counts.tolist()
    assert "丁戊" in own.words


def test_chunk_bounds_match_a_plain_cut() -> None:
    """chunk_bounds gives the chunks of a plain walk over the ids: runs of ids > 0 where
    each neighbour pair is joined (both letters/digits, or the pair in the set), on random
    blocks with separators, letters and a random pair set (dense and hashed parts)."""
    from nlpzero.words.discovery import _pair_lookup

    rng = np.random.default_rng(8)
    for n, n_ids in ((0, 5), (1, 5), (2, 3), (50, 6), (2000, 40), (3000, 400)):
        ids = rng.integers(0, n_ids, n).astype(np.int32)
        is_alnum = rng.random(n_ids) < 0.2
        is_alnum[0] = False
        counts = rng.integers(1, 100, n_ids).astype(np.float64)
        a, b = rng.integers(1, n_ids, (2, 3 * n_ids)).astype(np.uint64)
        pairs = np.unique((a << np.uint64(48)) | (b << np.uint64(32)))
        lookup = _pair_lookup(pairs, counts)
        pair_set = set(pairs.tolist())
        starts, ends = [], []
        for i in range(n):
            if ids[i] <= 0:
                continue
            joined_before = i > 0 and ids[i - 1] > 0 and (
                (is_alnum[ids[i - 1]] and is_alnum[ids[i]])
                or ((int(ids[i - 1]) << 48) | (int(ids[i]) << 32)) in pair_set)
            joins_next = i + 1 < n and ids[i + 1] > 0 and (
                (is_alnum[ids[i]] and is_alnum[ids[i + 1]])
                or ((int(ids[i]) << 48) | (int(ids[i + 1]) << 32)) in pair_set)
            if not joined_before:
                starts.append(i)
            if not joins_next:
                ends.append(i + 1)
        got = UK.chunk_bounds(ids, is_alnum, *lookup)
        assert got[0].tolist() == starts and got[1].tolist() == ends
        assert got[0].dtype == np.int64 and got[1].dtype == np.int64


def test_own_finder_keeps_its_pairs_and_finds_again(tmp_path) -> None:
    """Only discover's own finder frees its pair counts during find: a caller's finder
    keeps them (it can train more, or find again with the same result)."""
    from nlpzero.words.ngrams import key_order

    rng = np.random.default_rng(4)
    words = ["甲乙丙", "丁戊", "己庚辛壬", "癸子", "丑寅"]
    path = tmp_path / "c.txt"
    path.write_text("\n".join("".join(rng.choice(words, 12)) for _ in range(300)) + "\n",
                    encoding="utf-8")
    finder = UnigramFinder()
    finder.train(str(path))
    first = finder.find(str(path))
    assert not finder.found_once and (key_order(finder.counts.keys) == 2).any()
    again = finder.find(str(path))
    assert first.words == again.words and first.counts.tolist() == again.counts.tolist()
    own = discover(str(path))
    assert own.words == first.words and own.counts.tolist() == first.counts.tolist()
