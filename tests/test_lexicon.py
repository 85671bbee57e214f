"""Lexicon model and file format: reading, writing, round trips and clear errors."""

from __future__ import annotations

import io
import math
import random

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.text.io import open_output
from nlpzero.words.lexicon import Lexicon


def as_dict(lex: Lexicon) -> dict[str, float]:
    return dict(zip(lex.words, lex.counts.tolist()))


def written(lex: Lexicon, top: int | None = None) -> str:
    out = io.StringIO()
    lex.write(out, top)
    return out.getvalue()


def test_read_tsv_with_score_column(write_file) -> None:
    lex = Lexicon.read(write_file("l.tsv", "中外\t10\t1.5000\n科学\t20\t-0.25\n"))
    assert lex.words == ["中外", "科学"]
    assert lex.counts.tolist() == [10.0, 20.0]
    assert lex.scores is not None and lex.scores.tolist() == [1.5, -0.25]


def test_read_tsv_without_score_column(write_file) -> None:
    lex = Lexicon.read(write_file("l.tsv", "中外\t10\n科学\t2.5\n名著\n"))
    assert as_dict(lex) == {"中外": 10.0, "科学": 2.5, "名著": 1.0}
    assert lex.scores is None


def test_read_jieba_style_with_comments_blank_lines_and_repeats(write_file) -> None:
    text = (
        "# a jieba-style dictionary\n"
        "\n"
        "中外 10 n\n"
        "  科学 20 n  \n"
        "# 中外 1000 n\n"
        "中外\t5\tnz\n"
        "名著 7\n"
    )
    lex = Lexicon.read(write_file("dict.txt", text))
    assert as_dict(lex) == {"中外": 15.0, "科学": 20.0, "名著": 7.0}
    assert lex.scores is None  # part of speech is not a score


def test_scores_are_kept_only_when_every_word_has_one(write_file) -> None:
    lex = Lexicon.read(write_file("l.tsv", "中外\t10\t1.0\n科学\t20\n"))
    assert lex.scores is None


def test_read_handles_bom_and_crlf(write_file) -> None:
    lex = Lexicon.read(write_file("l.tsv", b"\xef\xbb\xbf" + "中外\t10\r\n科学\t20\r\n".encode()))
    assert as_dict(lex) == {"中外": 10.0, "科学": 20.0}


@pytest.mark.parametrize("with_scores", [False, True])
def test_write_read_round_trip(tmp_path, with_scores: bool) -> None:
    rng = random.Random(11)
    chars = "中外科学名著ab1"
    words = sorted({"".join(rng.choice(chars) for _ in range(rng.randrange(1, 5)))
                    for _ in range(60)})
    # integer counts of any size; fractions within the 6 significant digits that are written
    counts = [float(rng.randrange(1, 10**9)) if rng.random() < 0.7
              else rng.randrange(1, 8000) / 8 for _ in words]
    scores = np.array([rng.randrange(-10_000, 10_000) / 16 for _ in words]) if with_scores else None
    lex = Lexicon(words, np.array(counts), scores)
    path = tmp_path / "lex.tsv"
    with open_output(path) as out:
        lex.write(out)
    back = Lexicon.read(path)
    assert back.words == lex.words
    assert back.counts.tolist() == lex.counts.tolist()
    if with_scores:
        assert back.scores is not None
        assert back.scores.tolist() == pytest.approx(lex.scores.tolist(), abs=5e-5)
    else:
        assert back.scores is None


def test_write_format() -> None:
    lex = Lexicon(["中外", "科学"], np.array([10.0, 2.5]), np.array([1.0, -0.123456]))
    assert written(lex) == "中外\t10\t1.0000\n科学\t2.5\t-0.1235\n"
    assert written(Lexicon(["中外", "科学"], np.array([10.0, 2.5]))) == "中外\t10\n科学\t2.5\n"
    assert written(lex, top=1) == "中外\t10\t1.0000\n"
    assert written(lex, top=10) == written(lex)


def test_sorted_most_frequent_first_ties_by_word() -> None:
    lex = Lexicon(["b", "a", "c", "d"], np.array([1.0, 5.0, 5.0, 2.0]), np.array([1, 2, 3, 4.0]))
    s = lex.sorted()
    assert s.words == ["a", "c", "d", "b"]
    assert s.counts.tolist() == [5.0, 5.0, 2.0, 1.0]
    assert s.scores.tolist() == [2.0, 3.0, 4.0, 1.0]


def test_log_proba_is_a_distribution() -> None:
    lex = Lexicon.from_counts({"中外": 10, "科学": 20, "名著": 10})
    lp = lex.log_proba()
    assert lp[1] == pytest.approx(math.log(0.5))
    assert math.fsum(np.exp(lp)) == pytest.approx(1.0)
    assert lex.total == 40.0 and len(lex) == 3 and "科学" in lex and "科" not in lex


@pytest.mark.parametrize(("content", "line", "what"), [
    ("中外\t10\n科学\tabc\n", 2, "not a number"),
    ("# comment\n\n中外\t10\n科学\t0\n", 4, "positive"),
    ("中外\t-3\n", 1, "positive"),
    ("中外\tnan\n", 1, "positive"),
    ("中外\t10\n科学\tinf\n", 2, "positive"),
])
def test_bad_count_names_file_and_line(write_file, content: str, line: int, what: str) -> None:
    path = write_file("bad.tsv", content)
    with pytest.raises(InputError, match=what) as excinfo:
        Lexicon.read(path)
    assert str(excinfo.value).startswith(f"{path}:{line}: ")


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n  \n"])
def test_empty_lexicon_is_an_error(write_file, content: str) -> None:
    with pytest.raises(InputError, match="no words"):
        Lexicon.read(write_file("empty.tsv", content))


def test_missing_and_undecodable_lexicon(tmp_path, write_file) -> None:
    with pytest.raises(InputError, match="no such file"):
        Lexicon.read(tmp_path / "nope.tsv")
    with pytest.raises(InputError, match="byte offset 5"):
        Lexicon.read(write_file("bad.tsv", b"ab\t1\n\xff\t2\n"))
    lex = Lexicon.read(write_file("bad2.tsv", b"ab\t1\n\xff\t2\n"), errors="replace")
    assert as_dict(lex) == {"ab": 1.0, "\ufffd": 2.0}


def test_constructor_validates_counts() -> None:
    with pytest.raises(ValueError):
        Lexicon(["a"], np.array([0.0]))
    with pytest.raises(ValueError):
        Lexicon(["a", "b"], np.array([1.0]))
    assert len(Lexicon([], np.array([]))) == 0


def test_folded_spellings_share_one_entry_with_summed_count() -> None:
    """Full-width and ASCII digits fold to the same ids: one entry, p = (3 + 2) / total."""
    import math

    from nlpzero.words.lexicon import Lexicon

    lex = Lexicon.from_counts({"1998年": 3, "１９９８年": 2, "年": 1, "中外": 5})
    _, keys, lens, vals, logp, max_len = lex.compiled()
    assert max_len == 5
    entries = vals[vals >= 0]
    assert sorted(entries.tolist()) == [0, 2, 3]  # the full-width spelling has no own entry
    assert logp[0] == pytest.approx(math.log(5 / 11))
    assert logp[2] == pytest.approx(math.log(1 / 11))
