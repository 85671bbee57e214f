"""Merged lexicons (repeated -l, Lexicon.merge) and jieba-style user dictionaries
(--user-dict, Lexicon.add, read_user_dict)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.words.lexicon import Lexicon, read_user_dict
from nlpzero.words.segmentation import Segmenter


def test_merge_sums_counts_of_shared_words() -> None:
    a = Lexicon.from_counts({"中外": 10, "科学": 20})
    b = Lexicon.from_counts({"科学": 5, "名著": 7})
    c = Lexicon.from_counts({"名著": 1})
    m = a.merge(b, c)
    assert dict(zip(m.words, m.counts.tolist())) == {"中外": 10, "科学": 25, "名著": 8}


def test_repeated_lexicon_option_merges(cli, write_file) -> None:
    one = write_file("one.tsv", "中外\t10\n科学\t20\n")
    two = write_file("two.tsv", "名著\t10\n")
    text = write_file("t.txt", "中外科学名著\n")
    result = cli.invoke("segment", text, "-l", one, "-l", two, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == "中外 科学 名著\n"
    only_last = cli.invoke("segment", text, "-l", two, "-q")
    assert only_last.stdout != result.stdout


def test_read_user_dict_formats(write_file) -> None:
    path = write_file("u.txt", "# comment\n云计算 5\n韩玉鉴赏 3 nz\n台中\n八一双鹿 nz\n\n")
    words, counts = read_user_dict(str(path))
    assert words == ["云计算", "韩玉鉴赏", "台中", "八一双鹿"]
    assert counts[:2].tolist() == [5.0, 3.0] and np.isnan(counts[2:]).all()


@pytest.mark.parametrize(("content", "needle"), [
    ("云计算 x nz\n", "frequency 'x' is not a number"),
    ("云计算 -3\n", "frequency must be positive"),
    ("云计算 1e400 n\n", "frequency must be positive and finite, got 1e400"),  # was 'positive'
    ("云计算 nan\n", "frequency must be positive and finite, got nan"),
    ("a b c d\n", "expected 'word [freq] [tag]'"),
    ("# only a comment\n", "has no words"),
])
def test_read_user_dict_errors(write_file, content: str, needle: str) -> None:
    with pytest.raises(InputError, match=re.escape(needle)):
        read_user_dict(str(write_file("u.txt", content)))


def test_add_without_frequency_beats_every_split(hand_lexicon) -> None:
    """中外科学 splits as 中外 + 科学 (p = 10/56 · 20/56); the suggested count is the
    smallest that beats it with the final total: floor(T · p_split) + 1."""
    seg = Segmenter(hand_lexicon)
    assert seg.segment_text("中外科学名著") == "中外 科学 名著"
    added = hand_lexicon.add(["中外科学"])
    count = added.counts[added.index["中外科学"]]
    total = added.total
    split = 10 / 56 * 20 / 56
    assert count == math.floor(split * total) + 1
    assert math.log(count / total) > math.log(10 / total) + math.log(20 / total)
    assert math.log((count - 1) / (total - 1)) <= math.log(10 / (total - 1)) + math.log(
        20 / (total - 1))
    assert Segmenter(added).segment_text("中外科学名著") == "中外科学 名著"


def test_add_with_frequency_replaces_the_count(hand_lexicon) -> None:
    added = hand_lexicon.add(["科学", "新词"], [3, 4])
    assert added.counts[added.index["科学"]] == 3
    assert added.counts[added.index["新词"]] == 4
    assert added.total == hand_lexicon.total - 20 + 3 + 4


def test_add_keeps_a_higher_existing_count(hand_lexicon) -> None:
    added = hand_lexicon.add(["科学"])
    assert added.counts[added.index["科学"]] == 20  # already beats 科 + 学 (unknown chars)


def test_user_dict_priority_on_the_command_line(cli, write_file) -> None:
    lexicon = write_file("l.tsv", "区块\t50\n链\t40\n技术\t60\n块链\t1\n")
    user = write_file("u.txt", "区块链\n")
    text = write_file("t.txt", "区块链技术\n")
    plain = cli.invoke("segment", text, "-l", lexicon, "-q")
    assert plain.stdout == "区块 链 技术\n"
    forced = cli.invoke("segment", text, "-l", lexicon, "--user-dict", user, "-q")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout == "区块链 技术\n"
    bad = cli.invoke("segment", text, "-l", lexicon, "--user-dict", write_file("b.txt", "x -1\n"))
    cli.assert_runtime_error(bad, "frequency must be positive")
