"""The Numba UTF-8 decoder used by discovery agrees with Python's codec."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nlpzero.errors import InputError
from nlpzero.text import _utf8 as U
from nlpzero.text.chars import CharTable, is_word_char
from nlpzero.words.discovery import Corpus, NgramFinder, PairFinder, discover

ALPHABET = "中外科学名著，。—a1Ａ１ \n😀\u3000○"


def ids_via_numba(data: bytes, table: CharTable, replace: bool = False):
    arr = np.frombuffer(data, np.uint8)
    ids, table.n_chars, error = U.utf8_to_ids(
        arr, table.classes, table.ids, table.chars, table.id_classes, table.n_chars,
        table.fold, replace)
    return ids, error


def random_bytes(rng: random.Random) -> bytes:
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
    data = bytearray(text.encode())
    for _ in range(rng.randint(0, 3)):  # sprinkle invalid bytes or cut sequences
        if data:
            pos = rng.randrange(len(data))
            data[pos] = rng.choice([0x80, 0xBF, 0xC0, 0xE0, 0xED, 0xF5, 0xFF, 0xF0])
    if rng.random() < 0.2 and data:
        data = data[: rng.randrange(len(data))]
    return bytes(data)


@pytest.mark.parametrize("seed", range(300))
def test_decoder_agrees_with_python(seed):
    rng = random.Random(seed)
    data = random_bytes(rng)
    table, ref = CharTable(), CharTable()
    ids, error = ids_via_numba(data, table)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        assert error == e.start
        return
    assert error == -1
    assert np.array_equal(ids, ref.encode(text))
    assert np.array_equal(table.chars, ref.chars)


def test_replace_mode_reads_invalid_bytes_as_separators():
    table = CharTable()
    ids, error = ids_via_numba("中外".encode() + b"\xff" + "科学".encode(), table, True)
    assert error == -1
    assert table.decode(ids[ids > 0]) == "中外科学"
    assert (ids == 0).sum() == 1


@pytest.mark.parametrize("seed", range(100))
def test_safe_cut_never_splits_a_word(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice("中外科学名著，。——") for _ in range(rng.randint(1, 60)))
    data = text.encode()
    table = CharTable()
    cut = int(U.safe_cut(np.frombuffer(data, np.uint8), table.classes, 1 << 20))
    assert 0 <= cut < len(data)
    head, tail = data[:cut].decode(), data[cut:].decode()  # a character boundary
    if cut:  # the cut falls at a separator and never inside a run of one mark
        assert not (is_word_char(head[-1]) and is_word_char(tail[0]))
        assert head[-1] != tail[0]


@pytest.mark.parametrize("block_bytes", [16, 17, 64, 1 << 22])  # words are <= 15 bytes
@pytest.mark.parametrize("finder", [NgramFinder, PairFinder])
def test_file_blocks_equal_in_memory_text(tmp_path, block_bytes, finder):
    rng = random.Random(block_bytes)
    # one long line (no newline at all) and a BOM: blocks cut before separators
    text = "，".join("".join(rng.choice("中外科学名著") for _ in range(rng.randint(1, 5)))
                    for _ in range(300))
    path = tmp_path / "c.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    f_file = finder().train(Corpus(path, block_bytes=block_bytes))
    f_text = finder().train([text])
    assert np.array_equal(f_file.counts.keys, f_text.counts.keys)
    assert np.array_equal(f_file.counts.counts, f_text.counts.counts)


def test_file_errors_name_the_byte_offset(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("中外科学\n".encode() * 3 + b"\xe4\xb8" + b"\n")
    offset = 3 * len("中外科学\n".encode())
    for block_bytes in (4, 7, 1 << 22):
        with pytest.raises(InputError, match=f"byte offset {offset}"):
            discover(Corpus(path, block_bytes=block_bytes))
    lex = discover(Corpus(path, errors="replace"), min_count=1)
    assert sorted(lex.words) == sorted("中外科学") and list(lex.counts) == [3] * 4
    nul = tmp_path / "bin.dat"
    nul.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputError, match="binary"):
        discover(Corpus(nul))
