"""Streaming input (decode errors with exact byte offsets, BOM, NUL, blocks) and atomic output."""

from __future__ import annotations

import io
import os
import random
import re
import sys
from pathlib import Path

import pytest

from nlpzero.errors import InputError
from nlpzero.text.chars import is_word_char
from nlpzero.text.io import (
    display_name,
    iter_blocks,
    open_binary,
    open_output,
    read_lines,
    seekable_path,
)
from nlpzero.text.progress import Progress

BOM = b"\xef\xbb\xbf"
ALPHABET = "中外科学名著ab1２，。—… \n\r\t"


def decoded(data: bytes, **kw) -> str:
    return "".join(iter_blocks(io.BytesIO(data), **kw))


def blocks(data: bytes, **kw) -> list[str]:
    return list(iter_blocks(io.BytesIO(data), **kw))


def reported_offset(excinfo: pytest.ExceptionInfo[InputError]) -> int:
    m = re.search(r"byte offset (\d+)", str(excinfo.value))
    assert m, str(excinfo.value)
    return int(m.group(1))


def random_text(rng: random.Random, n: int, alphabet: str = ALPHABET) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# --- decoding ----------------------------------------------------------------------------


@pytest.mark.parametrize("block_bytes", range(1, 9))
def test_invalid_byte_after_straddling_character_names_exact_offset(block_bytes: int) -> None:
    # "中" is 3 bytes at offsets 1..3, so most block sizes cut it; 0xFF sits at offset 4
    data = b"a" + "中".encode() + b"\xff" + b"bc"
    with pytest.raises(InputError, match="invalid UTF-8") as excinfo:
        decoded(data, name="in.txt", block_bytes=block_bytes)
    assert reported_offset(excinfo) == 4
    assert str(excinfo.value).startswith("in.txt: ")


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 4, 5, 64])
@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b"ab" + "中".encode()[:2] + b"x", 2),  # truncated sequence, then ASCII
        (b"ab" + "中".encode()[:2], 2),  # truncated sequence at end of input
        ("好中".encode() + b"\x80", 6),  # lone continuation byte
        (b"\xc0\xaf", 0),  # overlong encoding
        ("中".encode() + b"\xed\xa0\x80", 3),  # encoded surrogate
    ],
)
def test_invalid_utf8_offsets(data: bytes, offset: int, block_bytes: int) -> None:
    with pytest.raises(InputError) as excinfo:
        decoded(data, block_bytes=block_bytes)
    assert reported_offset(excinfo) == offset


def test_invalid_utf8_offset_matches_python_for_random_corruptions() -> None:
    rng = random.Random(1234)
    bad_bytes = [b"\xff", b"\x80", b"\xc3", b"\xe4\xb8", b"\xf0\x9f\x98", b"\xc0\xaf", b"\xfe"]
    for _ in range(300):
        text = random_text(rng, rng.randrange(0, 12))
        raw = text.encode()
        cut = rng.randrange(0, len(raw) + 1)
        data = raw[:cut] + rng.choice(bad_bytes) + random_text(rng, rng.randrange(0, 5)).encode()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            expected = e.start
        else:  # the corruption completed a valid character: nothing to test
            continue
        block_bytes = rng.randrange(1, 12)
        with pytest.raises(InputError) as excinfo:
            decoded(data, block_bytes=block_bytes)
        assert reported_offset(excinfo) == expected, (data, block_bytes)


def test_errors_replace_matches_one_shot_decoding() -> None:
    rng = random.Random(99)
    for _ in range(200):
        data = bytearray(random_text(rng, rng.randrange(1, 10)).encode())
        for _ in range(rng.randrange(1, 3)):
            data.insert(rng.randrange(0, len(data) + 1), rng.choice([0x80, 0xFF, 0xE4, 0xC3]))
        block_bytes = rng.randrange(1, 10)
        got = decoded(bytes(data), errors="replace", block_bytes=block_bytes)
        assert got == bytes(data).decode("utf-8", "replace"), (bytes(data), block_bytes)


def test_errors_replace_gives_replacement_character() -> None:
    data = "中文".encode() + b"\xff" + "好".encode()
    for block_bytes in (1, 2, 4, 64):
        assert decoded(data, errors="replace", block_bytes=block_bytes) == "中文\ufffd好"
        assert decoded("中".encode()[:2], errors="replace", block_bytes=block_bytes) == "\ufffd"


def test_unknown_errors_mode_is_rejected() -> None:
    with pytest.raises(ValueError):
        decoded(b"abc", errors="ignore")


def test_png_header_is_reported_as_binary() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    with pytest.raises(InputError, match="binary") as excinfo:
        decoded(png, name="x.png")
    assert reported_offset(excinfo) == 8
    assert str(excinfo.value).startswith("x.png: ")


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 4, 5, 1 << 16])
def test_nul_byte_offset_across_blocks(block_bytes: int) -> None:
    data = "中文ab".encode() + b"\x00" + "更多".encode()
    with pytest.raises(InputError, match="binary") as excinfo:
        decoded(data, block_bytes=block_bytes)
    assert reported_offset(excinfo) == 8
    # a NUL is binary even under errors="replace"
    with pytest.raises(InputError, match="binary"):
        decoded(data, errors="replace", block_bytes=block_bytes)


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 4, 5, 100])
def test_leading_bom_is_stripped_but_inner_one_is_kept(block_bytes: int) -> None:
    assert decoded(BOM + "中文\n".encode(), block_bytes=block_bytes) == "中文\n"
    assert decoded(BOM, block_bytes=block_bytes) == ""
    assert decoded(BOM + BOM + b"a", block_bytes=block_bytes) == "\ufeffa"
    assert decoded("a\ufeffb".encode(), block_bytes=block_bytes) == "a\ufeffb"


def test_empty_input_yields_nothing() -> None:
    assert list(iter_blocks(io.BytesIO(b""))) == []
    assert list(iter_blocks(io.BytesIO(BOM))) == []


def test_progress_counts_every_byte() -> None:
    data = ("中外科学，名著\n" * 5).encode()
    seen: list[int] = []

    class Counter(Progress):
        def advance(self, n_bytes: int) -> None:
            seen.append(n_bytes)

    decoded(data, block_bytes=7, progress=Counter())
    assert sum(seen) == len(data)
    assert all(0 < n <= 7 for n in seen)


def test_read_lines_ends_lines_only_at_newline(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(BOM + "a\u2028b\x1cc\x85d\r\ne\n\nf".encode())
    assert list(read_lines(path)) == ["a\u2028b\x1cc\x85d", "e", "", "f"]


def test_whole_lines_keeps_a_long_line_in_one_block() -> None:
    text = "中外科学，名著。" * 40 + "\n尾"
    got = blocks(text.encode(), block_bytes=20, whole_lines=True)
    assert got == [text[:-1], "尾"]


# --- iter_blocks -----------------------------------------------------------------------


def test_iter_blocks_rejoin_and_cut_at_separators() -> None:
    rng = random.Random(7)
    for _ in range(400):
        text = random_text(rng, rng.randrange(0, 60))
        block_bytes = rng.randrange(1, 40)
        got = blocks(text.encode(), block_bytes=block_bytes)
        assert "".join(got) == text
        assert all(got), "empty block"
        for b, after in zip(got[:-1], got[1:]):
            if b.endswith("\n"):
                continue
            # no newline in a block that does not end at one: cuts happen at the last newline
            assert "\n" not in b, (text, block_bytes, got)
            # otherwise the cut splits no word and no run of one mark, unless the block had
            # nothing to cut at (only word characters, or one repeated mark: forced cut)
            splits_nothing = b[-1] != after[0] and not (is_word_char(b[-1])
                                                         and is_word_char(after[0]))
            forced = all(is_word_char(c) for c in b) or len(set(b)) == 1
            assert splits_nothing or forced, (text, block_bytes, got)


def test_iter_blocks_keeps_lines_whole_when_blocks_are_big_enough() -> None:
    text = "".join(f"第{i}行中外科学。名著\n" for i in range(50))
    got = blocks(text.encode(), block_bytes=200)
    assert "".join(got) == text
    assert all(b.endswith("\n") for b in got)
    assert len(got) > 1


def test_iter_blocks_on_single_line_cuts_before_separators() -> None:
    text = "中外科学，名著。" * 40  # no newline
    got = blocks(text.encode(), block_bytes=20)
    assert "".join(got) == text
    assert len(got) > 1
    assert all(b[0] in "，。" for b in got[1:])


def test_iter_blocks_does_not_cut_runs_shorter_than_block_bytes() -> None:
    # the run has 6 characters < block_bytes=7, so it must not be cut
    assert blocks("中外科学名著".encode(), block_bytes=7) == ["中外科学名著"]


# --- seekable_path / open_binary ----------------------------------------------------------


def test_seekable_path_passes_files_through(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x")
    with seekable_path(str(path)) as p:
        assert Path(p) == path
    assert path.exists()


@pytest.mark.parametrize("name", ["-", None])
def test_seekable_path_spools_stdin_and_cleans_up(monkeypatch: pytest.MonkeyPatch,
                                                  name: str | None) -> None:
    data = ("中文\n" * 1000).encode() + b"\xff"  # bytes are copied verbatim, not decoded
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    with seekable_path(name) as p:
        assert p.read_bytes() == data
        assert p.read_bytes() == data  # re-readable
        spooled = p
    assert not spooled.exists()


def test_the_stdin_spool_is_named_stdin_in_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    # discover and templates read stdin twice from its spool: their errors named the spool
    # (/proc/self/fd/3) instead of <stdin>
    from nlpzero.cli.app import app
    from typer.testing import CliRunner

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"abc")))
    with seekable_path("-") as p:
        assert display_name(p) == "<stdin>"
    assert display_name(p) == str(p)  # only while it is the spool
    for args in (["discover", "-"], ["templates", "-"], ["discover", "--method", "nlpzero"]):
        result = CliRunner().invoke(app, [*args, "-q"], input="中文 好\n".encode() + b"\xff\n")
        assert result.exit_code == 1
        assert result.stderr.startswith("error: <stdin>: invalid UTF-8 at byte offset 11"), (
            args, result.stderr)


def test_seekable_path_removes_spool_on_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"abc")))
    with pytest.raises(RuntimeError), seekable_path("-") as p:
        spooled = p
        raise RuntimeError
    assert not spooled.exists()


def test_open_binary_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"), open_binary(tmp_path / "nope.txt"):
        pass
    with pytest.raises(InputError, match="directory"), open_binary(tmp_path):
        pass


# --- open_output --------------------------------------------------------------------------


def test_open_output_writes_file(tmp_path: Path) -> None:
    target = tmp_path / "out.tsv"
    with open_output(str(target)) as out:
        out.write("中文\t1\n")
        out.write("a\n")
    assert target.read_bytes() == "中文\t1\na\n".encode()
    assert os.listdir(tmp_path) == ["out.tsv"]


def test_open_output_is_atomic_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), open_output(target) as out:
        out.write("partial " * 1000)
        raise RuntimeError("boom")
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_open_output_keeps_existing_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), open_output(target) as out:
        out.write("new\n")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.txt"]
    # and a successful write replaces it
    with open_output(target) as out:
        out.write("new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_open_output_writes_lf_only(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with open_output(target) as out:
        out.write("a\nb\n")
    assert target.read_bytes() == b"a\nb\n"


def test_open_output_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"), open_output(tmp_path / "no" / "x"):
        pass


@pytest.mark.parametrize("name", ["-", None])
def test_open_output_stdout(capsys: pytest.CaptureFixture[str], name: str | None) -> None:
    with open_output(name) as out:
        out.write("中文\n")
    assert capsys.readouterr().out == "中文\n"
