"""Co-occurrence counting, simpler-GloVe training, vector I/O, queries and evaluation."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.vectors.cooccurrence import Cooccurrence, cooccur, count_pairs, read_corpus
from nlpzero.vectors.embedding import Embedding
from nlpzero.vectors.evaluation import evaluate_analogy, evaluate_similarity, read_analogy
from nlpzero.vectors.solvers import (
    DENSE_SIZE,
    default_dim,
    top_eigenpairs,
    train,
    upper_triangle,
)
from nlpzero.vectors.word2vec import read_word2vec, write_word2vec
from nlpzero.words.lexicon import Lexicon

#: cooccur() without the command line's dynamic window and subsampling: plain counts
PLAIN = {"dynamic": False, "subsample_t": 0.0}


# --- co-occurrence ---------------------------------------------------------------------------


def zipf_token_lines(seed: int, n_words: int, n_lines: int, max_len: int) -> list[str]:
    """*n_lines* lines of 0..max_len−1 words w0..w{n_words−1} drawn with Zipf frequencies."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n_words)]
    probs = 1 / np.arange(1, n_words + 1)
    probs /= probs.sum()
    return [" ".join(rng.choice(words, size=rng.integers(0, max_len), p=probs))
            for _ in range(n_lines)]


def reference_counts(lines: list[str], window: int, min_count: int):
    """Plain-Python cooccur.c: drop OOV tokens, then count pairs within *window* per line."""
    unigram = Counter(t for line in lines for t in line.split())
    vocab = {w for w, n in unigram.items() if n >= min_count}
    pairs: Counter = Counter()
    for line in lines:
        toks = [t for t in line.split() if t in vocab]
        for p, b in enumerate(toks):
            for a in toks[max(0, p - window):p]:
                if a != b:
                    pairs[frozenset((a, b))] += 1
    return {w: unigram[w] for w in vocab}, pairs


def as_dict(cooc: Cooccurrence) -> dict:
    words = cooc.vocab.words
    return {frozenset((words[i], words[j])): int(x)
            for i, j, x in zip(cooc.rows, cooc.cols, cooc.counts)}


def test_counts_and_pmi_exact_on_a_tiny_corpus() -> None:
    cooc = cooccur(["a b c a", "b c", "x"], window=2, min_count=1, **PLAIN)
    assert cooc.vocab.words == ["a", "b", "c", "x"]  # frequency order, ties by first use
    # a b c a: (a,b) (a,c) (b,c) (c,a) (a,b)...: a-b 2, a-c 2, b-c 1; line 2 adds b-c
    assert as_dict(cooc) == {frozenset("ab"): 2, frozenset("ac"): 2, frozenset("bc"): 2}
    assert cooc.total_pairs == 12 and cooc.n_tokens == 7
    # PMI = log((2 / 12) / ((2/7) (2/7)))
    np.testing.assert_allclose(cooc.pmi(), math.log((2 / 12) / (2 / 7) ** 2))
    single = cooc.pmi(dtype=np.float32)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, math.log((2 / 12) / (2 / 7) ** 2), rtol=1e-6)
    x = cooc.dense()
    assert (x == x.T).all() and np.trace(x) == 0


def test_window_does_not_cross_lines_and_skips_oov() -> None:
    cooc = cooccur(["a rare b", "c"], window=1, min_count=1, **PLAIN)
    assert frozenset("ac") not in as_dict(cooc) and frozenset("bc") not in as_dict(cooc)
    # rare is dropped before windowing
    cooc = cooccur(["a rare b", "a b"], window=1, min_count=2, **PLAIN)
    assert as_dict(cooc) == {frozenset("ab"): 2}


@pytest.mark.parametrize("window", [1, 3, 10])
def test_counts_agree_with_a_plain_python_reference(window: int) -> None:
    lines = zipf_token_lines(window, 40, 200, 30)
    unigram, pairs = reference_counts(lines, window, 3)
    cooc = cooccur(lines, window=window, min_count=3, **PLAIN)
    assert dict(zip(cooc.vocab.words, cooc.vocab.counts.astype(int))) == unigram
    assert as_dict(cooc) == dict(pairs)
    assert (cooc.rows < cooc.cols).all()
    keys = cooc.rows.astype(np.int64) * len(cooc.vocab) + cooc.cols
    assert (np.diff(keys) > 0).all()  # sorted, unique


def test_a_tiny_hash_table_merges_to_the_same_counts() -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 300, 20000).astype(np.int32)
    ids[rng.random(20000) < 0.05] = -2  # line ends
    big = count_pairs(ids, 300, 5)
    small = count_pairs(ids, 300, 5, table_slots=1024)  # ~100 flush-and-merge rounds
    np.testing.assert_array_equal(big[0], small[0])
    np.testing.assert_array_equal(big[1], small[1])


def test_bad_corpora_are_clear_errors() -> None:
    with pytest.raises(InputError, match="empty corpus"):
        read_corpus(["", "  "])
    with pytest.raises(InputError, match="empty vocabulary"):
        read_corpus(["a b c"], min_count=2)
    with pytest.raises(InputError, match="no co-occurring"):
        train(cooccur(["a", "b"], window=5, min_count=1, **PLAIN), dim=2)


# --- training ---------------------------------------------------------------------------------


def low_rank_cooccurrence(n_words: int = 24, rank: int = 3, seed: int = 0):
    """Counts whose PMI estimate is exactly U Uᵀ + c (c > 0): rank + 1, PSD."""
    rng = np.random.default_rng(seed)
    u = rng.normal(0, 0.4, (n_words, rank))
    rows, cols = np.triu_indices(n_words, 1)
    counts = 1000 * np.exp((u @ u.T)[rows, cols])
    vocab = Lexicon([f"w{i}" for i in range(n_words)], np.full(n_words, 50.0))
    cooc = Cooccurrence(vocab, rows.astype(np.int32), cols.astype(np.int32), counts, 5,
                        int(vocab.total))
    shift = cooc.pmi() - (u @ u.T)[rows, cols]
    assert np.ptp(shift) < 1e-9 and shift[0] > 0
    return cooc


def test_adagrad_recovers_an_exactly_low_rank_pmi_matrix() -> None:
    cooc = low_rank_cooccurrence()
    trained = train(cooc, dim=6, method="adagrad", epochs=400, x_max=1.0,
                    truncate_weight=True, seed=1)
    v = trained.vectors
    fitted = np.einsum("ij,ij->i", v[cooc.rows], v[cooc.cols])
    assert np.abs(fitted - cooc.pmi()).max() < 0.05
    assert trained.losses[-1] < 1e-4 < trained.losses[0]


def test_the_loss_decreases() -> None:
    rng = np.random.default_rng(3)
    lines = [" ".join(f"w{int(x)}" for x in rng.zipf(1.3, 25) if x < 200) for _ in range(300)]
    cooc = cooccur(lines, window=5, min_count=2, **PLAIN)
    losses = train(cooc, dim=16, method="adagrad", epochs=8, x_max=10.0, seed=0).losses
    assert len(losses) == 8
    assert all(b < a for a, b in zip(losses[1:], losses[2:]))
    assert losses[-1] < 0.5 * losses[0]


def random_triangle(n: int, density: float, seed: int):
    """A random symmetric sparse matrix (zero diagonal) as a Triangle, and densely."""
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < density, 1) * rng.random((n, n)).astype(np.float32)
    rows, cols = np.nonzero(upper)
    tri = upper_triangle(rows.astype(np.int32), cols.astype(np.int32), upper[rows, cols], n)
    return tri, (upper + upper.T).astype(np.float64)


def test_triangle_product_matches_the_dense_symmetric_matrix() -> None:
    tri, dense = random_triangle(50, 0.2, 0)
    np.testing.assert_array_equal(tri.dense(), dense)
    x = np.random.default_rng(1).normal(size=50)
    np.testing.assert_allclose(tri.matvec(x), dense @ x, rtol=1e-12, atol=1e-12)
    assert tri.values.dtype == np.float32 and tri.cols.dtype == np.int32
    assert tri.values.size == np.count_nonzero(np.triu(dense, 1))  # one triangle stored


@pytest.mark.parametrize("n", [40, DENSE_SIZE + 200])  # dense path, Lanczos path
def test_solver_recovers_an_exactly_low_rank_target(n: int) -> None:
    """A = B Bᵀ - diag (rank 6 plus the diagonal removed, as the PMI matrix has no diagonal
    stored): the top eigenpairs are recovered to the tolerance, residuals reported."""
    rng = np.random.default_rng(2)
    b = rng.normal(size=(n, 6)) * np.array([6, 5, 4, 3, 2, 1.0])
    full = b @ b.T
    np.fill_diagonal(full, 0.0)
    rows, cols = np.triu_indices(n, 1)
    tri = upper_triangle(rows.astype(np.int32), cols.astype(np.int32),
                         full[rows, cols].astype(np.float32), n)
    pairs = top_eigenpairs(tri, 6, seed=0, tol=1e-8)
    exact_values, exact_vectors = np.linalg.eigh(tri.dense())
    np.testing.assert_allclose(pairs.values, exact_values[::-1][:6], rtol=1e-6)
    overlap = np.abs(pairs.vectors.T.astype(np.float64) @ exact_vectors[:, ::-1][:, :6])
    np.testing.assert_allclose(np.diag(overlap), 1.0, atol=1e-5)  # same vectors up to sign
    assert pairs.residuals.max() < 1e-6
    assert (pairs.products > 0) == (n > DENSE_SIZE)


def test_top_eigenpairs_give_the_best_low_rank_fit() -> None:
    """Eckart-Young: the rank-12 fit from the top eigenpairs is no worse than another rank-12
    (here rank-4) matrix, W Wᵀ, whose off-diagonal entries are the stored target."""
    n, d = DENSE_SIZE + 100, 4
    rng = np.random.default_rng(5)
    w = np.abs(rng.normal(size=(n, d)))  # non-negative factors: every entry positive
    target = w @ w.T
    rows, cols = np.triu_indices(n, 1)
    tri = upper_triangle(rows.astype(np.int32), cols.astype(np.int32),
                         target[rows, cols].astype(np.float32), n)
    pairs = top_eigenpairs(tri, 12, seed=1, tol=1e-10)
    approx = (pairs.vectors * pairs.values.astype(np.float32)) @ pairs.vectors.T
    dense = tri.dense()
    # the best rank-12 fit is at least as good as any other rank-12 matrix, e.g. W Wᵀ (rank 4)
    best = np.linalg.norm(approx - dense)
    assert best <= np.linalg.norm(w @ w.T - dense) + 1e-3


def test_converged_spectral_fit_gives_seed_independent_cosines(zipf_lines) -> None:
    # (the weighted default's own check is in test_embed_weighted.py)
    cooc = cooccur(zipf_lines(3000, 0), window=5, min_count=3)
    assert len(cooc.vocab) > DENSE_SIZE  # the Lanczos path
    cosines = []
    for seed in (0, 1, 2):
        trained = train(cooc, dim=16, method="spectral", seed=seed, tol=1e-8)
        assert trained.residual < 1e-6
        unit = trained.vectors[:300] / np.linalg.norm(trained.vectors[:300], axis=1,
                                                       keepdims=True)
        cosines.append(unit @ unit.T)
    assert np.abs(cosines[0] - cosines[1]).max() < 1e-3
    assert np.abs(cosines[0] - cosines[2]).max() < 1e-3


@pytest.mark.parametrize(("method", "model", "width"),
                         [("spectral", 0, 8), ("adagrad", 0, 8), ("adagrad", 1, 16),
                          ("adagrad", 2, 8), ("spectral", 1, 16)])
def test_model_variants_shapes(method: str, model: int, width: int) -> None:
    cooc = low_rank_cooccurrence()
    trained = train(cooc, dim=8, method=method, model=model, epochs=2, seed=0)
    assert trained.vectors.shape == (24, width)
    assert trained.vectors.dtype == np.float32 and np.isfinite(trained.vectors).all()


def test_same_seed_same_vectors() -> None:
    cooc = low_rank_cooccurrence()
    a = train(cooc, dim=4, method="adagrad", epochs=3, seed=7).vectors
    b = train(cooc, dim=4, method="adagrad", epochs=3, seed=7).vectors
    c = train(cooc, dim=4, method="adagrad", epochs=3, seed=8).vectors
    assert (a == b).all() and not (a == c).all()


def test_default_dim_follows_8_33_ln_n() -> None:
    assert default_dim(100_000) == 96  # 8.33 ln 1e5 = 95.9
    assert default_dim(43_023) == 96  # 88.9 -> 96
    assert default_dim(5_000_000) == 136  # 128.5 -> 136


def test_bad_options_are_value_errors() -> None:
    cooc = low_rank_cooccurrence()
    for kwargs in ({"method": "sgd"}, {"model": 3}, {"x_max": 0.0}, {"x_max": math.nan},
                   {"dim": 0}, {"tol": 0.0}, {"tol": 1.0}, {"tol": -1e-3}, {"tol": math.nan},
                   {"tol": math.inf}, {"eigen_power": math.nan}, {"eigen_power": -0.5},
                   {"eigen_power": 2.0}, {"shift": math.nan}, {"shift": -math.inf}):
        with pytest.raises(ValueError):
            train(cooc, **kwargs)


# --- vectors: I/O and queries ---------------------------------------------------------------


def test_word2vec_round_trip_with_non_bmp_words(tmp_path) -> None:
    words = ["中国", "𠀾字", "😀", "a"]
    matrix = np.array([[0.5, -1.25], [1e-8, 3.0], [0.0, 2.0], [-7.0, 1 / 3]], np.float32)
    path = tmp_path / "v.txt"
    write_word2vec(path, words, matrix)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "4 2" and text.splitlines()[2].startswith("𠀾字 ")
    got_words, got = read_word2vec(path)
    assert got_words == words and got.dtype == np.float32
    np.testing.assert_allclose(got, matrix, rtol=1e-5)  # 6 significant digits


def test_word2vec_refuses_spaces_and_nan(tmp_path) -> None:
    path = tmp_path / "v.txt"
    with pytest.raises(InputError, match="whitespace"):
        write_word2vec(path, ["a b"], np.ones((1, 2)))
    with pytest.raises(InputError, match="NaN"):
        write_word2vec(path, ["a"], np.array([[np.nan, 1.0]]))
    assert not path.exists()
    path.write_text("1 2\na nan 1\n")
    with pytest.raises(InputError, match="NaN"):
        read_word2vec(path)
    path.write_text("2 2\na 1 1\nb 1\n")
    with pytest.raises(InputError, match="line 3"):
        read_word2vec(path)


def test_gensim_reads_our_file(tmp_path) -> None:
    gensim_models = pytest.importorskip("gensim.models", reason="gensim (benchmark peer) absent")
    path = tmp_path / "v.txt"
    write_word2vec(path, ["中国", "𠀾"], np.array([[1.0, 2.0], [3.0, -4.0]]))
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path))
    np.testing.assert_allclose(kv["𠀾"], [3.0, -4.0])


def test_similar_space_is_the_pearson_correlation_of_pmi_profiles() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(30, 4)).astype(np.float32)
    emb = Embedding([f"w{i}" for i in range(30)], vectors)
    space = emb.similar_space(reference_words=20)
    profiles = vectors.astype(np.float64) @ vectors[:20].T.astype(np.float64)
    pearson = np.corrcoef(profiles)
    np.testing.assert_allclose(space @ space.T, pearson, atol=1e-4)


def test_queries_related_analogy_keywords() -> None:
    words = ["king", "queen", "man", "woman", "the"]
    vectors = np.array([[1, 1, 0], [1, -1, 0], [0, 1, 0.1], [0, -1, 0.1], [0.01, 0, 0]],
                       np.float32)
    emb = Embedding(words, vectors)
    assert emb.analogy("man", "king", "woman", 1)[0][0] == "queen"
    # inner products with king: man 1, the 0.01, queen 0, woman -1
    assert [w for w, _ in emb.related("king", 2)] == ["man", "the"]
    assert [w for w, _ in emb.related("king", 1, cosine=True)] == ["the"]  # norm ignored
    dots = dict(emb.related("man", 4))
    assert dots["king"] == pytest.approx(1.0) and dots["woman"] == pytest.approx(-0.99)
    # keywords: <2 v_king + v_man + v_the, v_w> = king 5.01, man 3.01, the 0.0201
    ranked = emb.keywords(["king", "man", "the", "unknown", "king"], 3)
    assert [w for w, _ in ranked] == ["king", "man", "the"]
    assert [s for _, s in ranked] == pytest.approx([5.01, 3.01, 0.0201], abs=1e-5)
    np.testing.assert_allclose(emb.sentence_vector(["king", "man"]), [1, 2, 0.1], rtol=1e-6)
    with pytest.raises(InputError, match="not in the vocabulary"):
        emb.similar("prince")


def test_evaluate_spearman_and_analogy_accuracy(tmp_path) -> None:
    emb = Embedding(["a", "b", "c", "d"],
                    np.array([[1, 0], [0.9, 0.1], [0, 1], [-1, 0.1]], np.float32))
    # cos(a,b) > cos(a,c) > cos(a,d): human scores in the same order -> ρ = 1
    result = evaluate_similarity(emb, [("a", "b", 9), ("a", "c", 5), ("a", "d", 1),
                                       ("a", "zz", 3)])
    assert result.spearman == pytest.approx(1.0) and (result.covered, result.total) == (3, 4)
    reversed_ = evaluate_similarity(emb, [("a", "b", 1), ("a", "c", 5), ("a", "d", 9)])
    assert reversed_.spearman == pytest.approx(-1.0)
    words = ["king", "queen", "man", "woman", "the"]
    emb = Embedding(words, np.array([[1, 1, 0], [1, -1, 0], [0, 1, 0.1], [0, -1, 0.1],
                                     [0.01, 0, 0]], np.float32))
    path = tmp_path / "analogy.txt"
    path.write_text(": s1\nman king woman queen\nman king woman the\nman king x queen\n"
                    ": s2\nking man queen woman\n", encoding="utf-8")
    results = evaluate_analogy(emb, read_analogy(path))
    assert [(r.name, r.correct, r.covered, r.total) for r in results] == \
        [("s1", 1, 2, 3), ("s2", 1, 1, 1), ("total", 2, 3, 4)]
    assert results[0].accuracy == 0.5


def test_3cosmul_by_hand() -> None:
    """3CosMul = cos'(x,b) cos'(x,c) / (cos'(x,a) + 0.001), cos' = (cos + 1) / 2; here it
    picks a different answer than 3CosAdd: x is balanced (cos 0, .6, .6 to a, b, c: add 1.2,
    mul 1.277), y leans on b and away from a (cos -.28, .9, 0: add 1.18, mul 1.316)."""
    words = ["a", "b", "c", "x", "y"]
    m = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0],
                  [0, 0.6, 0.6, np.sqrt(0.28)], [-0.28, 0.9, 0, np.sqrt(1 - 0.0784 - 0.81)]],
                 np.float32)
    emb = Embedding(words, m)
    unit = emb.unit.astype(np.float64)

    def by_hand(method: str) -> dict:
        out = {}
        for w in ("x", "y"):
            cos = {q: float(unit[emb.index[w]] @ unit[emb.index[q]]) for q in "abc"}
            if method == "add":
                out[w] = cos["b"] - cos["a"] + cos["c"]
            else:
                h = {q: (v + 1) / 2 for q, v in cos.items()}
                out[w] = h["b"] * h["c"] / (h["a"] + 1e-3)
        return out

    for method in ("add", "mul"):
        got = dict(emb.analogy("a", "b", "c", 2, method=method))
        expected = by_hand(method)
        assert got.keys() == expected.keys()
        for w in got:
            assert got[w] == pytest.approx(expected[w], rel=1e-5)
    assert emb.analogy("a", "b", "c", 1, method="add")[0][0] == "x"
    assert emb.analogy("a", "b", "c", 1, method="mul")[0][0] == "y"
    with pytest.raises(ValueError):
        emb.analogy("a", "b", "c", 1, method="max")


def test_pair_count_merge_is_exact_size_and_refuses_int32_overflow() -> None:
    from nlpzero.vectors._cooccurrence_kernels import merge_pair_counts, split_keys

    a_keys, a_counts = np.array([1, 4, 9], np.int64), np.array([1, 2, 3], np.int32)
    b_keys, b_counts = np.array([0, 4, 10], np.int64), np.array([5, 6, 7], np.int64)
    keys, counts, ok = merge_pair_counts(a_keys, a_counts, b_keys, b_counts)
    assert ok and keys.tolist() == [0, 1, 4, 9, 10] and counts.tolist() == [5, 1, 8, 3, 7]
    assert counts.dtype == np.int32
    big = np.array([2**31 - 1], np.int32)
    assert not merge_pair_counts(np.array([3], np.int64), big, np.array([3], np.int64),
                                 np.array([1], np.int64))[2]
    rows, cols = split_keys(np.array([0, 7, 3 * 1000 + 999], np.int64), 1000)
    assert rows.tolist() == [0, 0, 3] and cols.tolist() == [0, 7, 999]
    assert rows.dtype == cols.dtype == np.int32


# --- word2vec's counting tricks: dynamic window, frequent-word subsampling --------------------

M64 = (1 << 64) - 1


def mix(x: int) -> int:
    """splitmix64's finaliser, in plain Python integers."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def reference_subsample(lines: list[list[int]], counts: list[int], t: float, key: int):
    """Plain Python: per line of word ids, hash (key, the line's ids), then keep the token at
    place j when the top 32 bits of mix(h ^ (j + 1) * c1) fall below ⌊p · 2^32⌋,
    p = min(1, √(t/f) + t/f)."""
    total = sum(counts)
    golden = 0x9E3779B97F4A7C15
    kept = []
    for line in lines:
        h = mix(key ^ golden)
        for i in line:
            h = mix((h + (i + 1) * golden) & M64)
        out = []
        for j, i in enumerate(line):
            f = counts[i] / total
            p = min(1.0, math.sqrt(t / f) + t / f)
            if (mix(h ^ (((j + 1) * 0xBF58476D1CE4E5B9) & M64)) >> 32) < min(
                    math.floor(p * 2.0 ** 32), 1 << 32):
                out.append(i)
        kept.append(out)
    return kept


def reference_dynamic_counts(lines: list[list[str]], window: int) -> Counter:
    """Plain Python: a pair d apart (d <= window, one line) adds window - d + 1."""
    pairs: Counter = Counter()
    for toks in lines:
        for p, b in enumerate(toks):
            for q in range(max(0, p - window), p):
                if toks[q] != b:
                    pairs[frozenset((toks[q], b))] += window - (p - q) + 1
    return pairs


def test_dynamic_window_counts_by_hand() -> None:
    # a b c a, window 2: a-b at d=1 (2) and d=2 (b..a: 1); a-c at d=2 (1) and d=1 (2);
    # b-c at d=1 (2); second line b c at d=1 (2)
    cooc = cooccur(["a b c a", "b c", "x"], window=2, min_count=1, dynamic=True, subsample_t=0.0)
    assert as_dict(cooc) == {frozenset("ab"): 3, frozenset("ac"): 3, frozenset("bc"): 4}
    assert cooc.dynamic and cooc.count_unit == 2
    # PMI only sees ratios: Z = 2 * 10
    np.testing.assert_allclose(cooc.pmi()[0], math.log((3 / 20) / (2 / 7) ** 2))


@pytest.mark.parametrize("window", [1, 4, 12])
def test_dynamic_counts_agree_with_a_plain_python_reference(window: int) -> None:
    lines = zipf_token_lines(30 + window, 30, 150, 25)
    unigram, _ = reference_counts(lines, window, 2)
    kept = [[t for t in line.split() if t in unigram] for line in lines]
    cooc = cooccur(lines, window=window, min_count=2, dynamic=True, subsample_t=0.0)
    assert as_dict(cooc) == dict(reference_dynamic_counts(kept, window))
    # a window wider than every line: the weights still use the window asked for
    wide = cooccur(lines, window=500, min_count=2, dynamic=True, subsample_t=0.0)
    assert as_dict(wide) == dict(reference_dynamic_counts(kept, 500))


def test_subsampling_agrees_with_a_plain_python_reference() -> None:
    from nlpzero.vectors.cooccurrence import SUBSAMPLE_KEY, subsample

    rng = np.random.default_rng(40)
    probs = 1 / np.arange(1, 21) ** 1.5
    probs /= probs.sum()
    lines = [rng.choice(20, size=rng.integers(0, 15), p=probs).tolist() for _ in range(300)]
    counts = np.bincount(np.concatenate([np.array(x, int) for x in lines]), minlength=20)
    ids = np.concatenate([np.array(x + [-2], np.int32) for x in lines])
    for t in (1e-3, 1e-2, 0.05):
        got = subsample(ids.copy(), counts, t)
        want = reference_subsample(lines, counts.tolist(), t, SUBSAMPLE_KEY)
        assert got.tolist() == [i for x in want for i in x + [-2]]
        assert 0 < sum(map(len, want)) < counts.sum()
    assert subsample(ids.copy(), counts, 0.0).tolist() == ids.tolist()


def test_subsampling_keeps_words_at_their_rate_and_ignores_chunking() -> None:
    from nlpzero.vectors.cooccurrence import keep_thresholds, subsample

    rng = np.random.default_rng(41)
    probs = 1 / np.arange(1, 51)
    probs /= probs.sum()
    lines = [rng.choice(50, size=rng.integers(1, 40), p=probs) for _ in range(4000)]
    ids = np.concatenate([np.append(x, -2).astype(np.int32) for x in lines])
    counts = np.bincount(ids[ids >= 0], minlength=50)
    t = 2e-3
    kept = subsample(ids.copy(), counts, t)
    p = keep_thresholds(counts, t) / 2.0 ** 32
    rate = np.bincount(kept[kept >= 0], minlength=50) / counts
    # binomial: within 5 standard deviations of the keep probability for every word
    assert np.all(np.abs(rate - p) <= 5 * np.sqrt(p * (1 - p) / counts) + 1e-12)
    assert p[0] < 0.5 and p[-1] == 1.0
    # pieces cut at line ends drop the same tokens as the whole
    ends = np.flatnonzero(ids == -2) + 1
    cuts = [0, int(ends[999]), int(ends[2499]), ids.size]
    pieces = [subsample(ids[a:b].copy(), counts, t) for a, b in zip(cuts[:-1], cuts[1:])]
    np.testing.assert_array_equal(np.concatenate(pieces), kept)


def test_subsampled_counts_are_the_kept_tokens_counts() -> None:
    """cooccur(subsample_t=t) counts the windows of exactly the tokens subsample keeps (the
    line structure kept), and the vocabulary keeps the unsampled counts."""
    from nlpzero.vectors.cooccurrence import subsample

    lines = zipf_token_lines(42, 25, 200, 20)
    vocab, ids = read_corpus(lines, 2)
    kept = subsample(ids.copy(), vocab.counts, 5e-3)
    text = []
    line: list[str] = []
    for i in kept.tolist():
        if i == -2:
            text.append(" ".join(line))
            line = []
        else:
            line.append(vocab.words[i])
    text.append(" ".join(line))
    _, pairs = reference_counts(text, 3, 1)
    got = cooccur(lines, window=3, min_count=2, subsample_t=5e-3, dynamic=False)
    assert as_dict(got) == dict(pairs) and kept.size < ids.size
    assert got.vocab.counts.tolist() == vocab.counts.tolist() and got.subsample == 5e-3


@pytest.mark.parametrize("kwargs, match", [
    ({"window": 1001, "dynamic": True}, "dynamic window"),
    ({"subsample_t": -1e-3}, "subsample"),
    ({"subsample_t": float("nan")}, "subsample"),
    ({"subsample_t": float("inf")}, "subsample"),
    ({"subsample_t": 1.5}, "subsample"),
    ({"window": 0, "dynamic": True}, "window"),
])
def test_bad_counting_options(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        cooccur(["a b c"], min_count=1, **{**PLAIN, **kwargs})


def test_dynamic_counts_scale_x_max_by_the_window() -> None:
    """A dynamic count of window * X at distance 1 gets the weight a uniform count X gets:
    on a corpus where every pair is adjacent the two fits are the same up to rounding."""
    lines = ["a b", "c d", "a c", "b d", "a d"] * 40
    uniform = train(cooccur(lines, window=1, min_count=1, **PLAIN), dim=2, sweeps=1)
    dynamic = cooccur(lines, window=1, min_count=1, dynamic=True, subsample_t=0.0)
    assert dynamic.count_unit == 1
    # two-word lines: d = 1
    wide = cooccur(lines, window=5, min_count=1, dynamic=True, subsample_t=0.0)
    assert wide.count_unit == 5 and (wide.counts == 5 * dynamic.counts).all()
    np.testing.assert_allclose(train(wide, dim=2, sweeps=1).vectors, uniform.vectors,
                               rtol=1e-4, atol=1e-5)
