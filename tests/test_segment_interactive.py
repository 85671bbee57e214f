"""segment from a slow pipe writes each line as it arrives (not after 4 MB or the end),
and a file in tiny blocks or one big block gives the same output."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
from pathlib import Path

from nlpzero.text.io import is_interactive
from nlpzero.words.segmentation import Segmenter


def _read_line(stream, deadline_s: float = 300.0) -> bytes:
    """One line from a pipe, waiting at most *deadline_s* (a guard against a hang, not a
    timing check: the first call also waits for the kernels to compile)."""
    ready, _, _ = select.select([stream], [], [], deadline_s)
    assert ready, "no output line while the input was still open"
    return stream.readline()


def test_lines_come_out_while_the_pipe_stays_open(write_file) -> None:
    lexicon = write_file("l.tsv", "中外\t10\n科学\t20\n名著\t10\n")
    proc = subprocess.Popen([sys.executable, "-m", "nlpzero", "segment", "-l", str(lexicon),
                             "-q"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "200"})
    try:
        proc.stdin.write("中外科学\n".encode())
        proc.stdin.flush()
        assert _read_line(proc.stdout) == "中外 科学\n".encode()
        proc.stdin.write("科学名著\n".encode())
        proc.stdin.flush()
        assert _read_line(proc.stdout) == "科学 名著\n".encode()
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
        assert proc.stdout.read() == b""
    finally:
        if proc.poll() is None:
            proc.kill()


def test_regular_files_are_not_interactive(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("x\n", "utf-8")
    with open(path, "rb") as fh:
        assert not is_interactive(fh)
    assert not is_interactive(io.BytesIO(b"x"))
    read, write = os.pipe()
    try:
        with os.fdopen(read, "rb") as fh:
            assert is_interactive(fh)
    finally:
        os.close(write)


def test_pipe_and_file_give_the_same_output(tmp_path: Path, hand_lexicon) -> None:
    text = ("中外科学名著，中外科学。\n" * 300 + "科学名著") .encode()
    path = tmp_path / "t.txt"
    path.write_bytes(text)
    seg = Segmenter(hand_lexicon)
    from_file: list[str] = []
    with open(path, "rb") as fh:
        seg.stream(fh, from_file.append, block_bytes=1 << 20)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer: small pieces, some cutting lines and characters in two
        os.close(read)
        for i in range(0, len(text), 977):
            os.write(write, text[i:i + 977])
        os._exit(0)
    os.close(write)
    flushed: list[int] = []
    from_pipe: list[str] = []
    with os.fdopen(read, "rb") as fh:
        seg.stream(fh, from_pipe.append, block_bytes=1 << 20,
                   flush=lambda: flushed.append(len(from_pipe)))
    os.waitpid(pid, 0)
    assert "".join(from_pipe) == "".join(from_file)
    assert flushed and flushed[-1] == len(from_pipe)  # flushed after every write
