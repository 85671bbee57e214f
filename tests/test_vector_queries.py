"""Batch vector queries from stdin (vectors read once) answer exactly as single queries;
gensim-style most_similar / similarity; knn reports the words without a link."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlpzero.vectors.embedding import Embedding
from nlpzero.vectors.word2vec import write_word2vec

WORDS = ["北京", "上海", "天津", "中国", "日本", "东京", "猫", "狗", "鱼", "鸟", "花", "树"]


@pytest.fixture
def vectors(tmp_path: Path) -> Path:
    rng = np.random.default_rng(11)
    matrix = rng.normal(size=(len(WORDS), 6)).astype(np.float32)
    path = tmp_path / "v.txt"
    write_word2vec(str(path), WORDS, matrix)
    return path


def test_similar_batch_equals_single_queries(cli, vectors: Path) -> None:
    queries = ["北京", "猫", "树"]
    batch = cli.invoke("similar", vectors, "-n", 4, input="\n".join(queries) + "\n")
    assert batch.exit_code == 0, batch.output
    expected = ""
    for q in queries:
        single = cli.invoke("similar", vectors, q, "-n", 4)
        expected += "".join(f"{q}\t{line}\n" for line in single.stdout.splitlines())
    assert batch.stdout == expected
    dash = cli.invoke("similar", vectors, "-", "-n", 4, input="\n".join(queries) + "\n")
    assert dash.stdout == expected  # `-` is stdin, never the word "-"


def test_analogy_batch_equals_single_queries(cli, vectors: Path) -> None:
    rows = ["北京 中国 东京", "猫 狗 鱼"]
    batch = cli.invoke("analogy", vectors, "-n", 3, input="\n".join(rows) + "\n")
    assert batch.exit_code == 0, batch.output
    expected = ""
    for row in rows:
        single = cli.invoke("analogy", vectors, *row.split(), "-n", 3)
        expected += "".join(f"{row}\t{line}\n" for line in single.stdout.splitlines())
    assert batch.stdout == expected


def test_batch_reports_unknown_words_and_answers_the_rest(cli, vectors: Path) -> None:
    result = cli.invoke("similar", vectors, "-n", 2, input="北京\n没有\n猫\n")
    assert result.exit_code == 1
    assert [ln.split("\t")[0] for ln in result.stdout.splitlines()] == ["北京"] * 2 + ["猫"] * 2
    assert "<stdin>:2: word '没有' is not in the vocabulary" in cli.flat(result.stderr)
    wrong = cli.invoke("analogy", vectors, input="北京 中国\n")
    cli.assert_runtime_error(wrong, "<stdin>:1: expected 3 words per line, got 2")
    half = cli.invoke("analogy", vectors, "北京", "中国")
    cli.assert_usage_error(half, "give all three words A B C")


def test_gensim_names(vectors: Path) -> None:
    emb = Embedding.read(str(vectors))
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    i, j = WORDS.index("猫"), WORDS.index("狗")
    assert emb.similarity("猫", "狗") == pytest.approx(float(unit[i] @ unit[j]), abs=1e-6)
    assert [w for w, _ in emb.most_similar("猫", topn=5)] == [
        w for w, _ in emb.similar("猫", 5, reference_words=None)]
    # most_similar(positive=[b, c], negative=[a]) ranks as 3CosAdd a : b :: c : ?
    assert [w for w, _ in emb.most_similar(["中国", "东京"], ["北京"], topn=4)] == [
        w for w, _ in emb.analogy("北京", "中国", "东京", 4)]
    top = emb.most_similar(["中国", "东京"], ["北京"], topn=1)[0]
    q = unit[WORDS.index("中国")] + unit[WORDS.index("东京")] - unit[WORDS.index("北京")]
    assert top[1] == pytest.approx(float(unit[WORDS.index(top[0])] @ q / np.linalg.norm(q)),
                                   abs=1e-5)  # a true cosine, as gensim returns
    with pytest.raises(ValueError, match="at least one"):
        emb.most_similar()


def test_knn_reports_words_without_a_link(cli, tmp_path: Path) -> None:
    matrix = np.array([[1, 0], [0.99, 0.1], [0, 1], [-1, 0.05]], dtype=np.float32)
    path = tmp_path / "v.txt"
    write_word2vec(str(path), ["a", "b", "c", "d"], matrix)
    result = cli.invoke("knn", path, "--min-sim", 0.9, "--words", 3)
    assert result.exit_code == 0, result.output
    assert result.stdout == "a\tb\t0.994937\nb\ta\t0.994937\n"
    log = cli.flat(result.stderr)
    assert "using the first 3 of 4 words (--words)" in log
    assert "1 words got no link" in log
