"""``nlpzero map``: the layout, the page, and the page rendered by a real browser (headless
Chromium: every module and the searched word are in the DOM after the page's JavaScript
ran, and the screenshot shows coloured words; skipped when no Chromium is installed)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import urllib.parse
import zlib
from pathlib import Path

import numpy as np
import pytest

from nlpzero.graphs.htmlmap import layout, render_map

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser",
                                                   "google-chrome") if shutil.which(name)), None)
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")


def _decode_png(data: bytes) -> np.ndarray:
    """RGB(A) pixels of an 8-bit non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = (line + prev) & 255
        else:  # sub, average, paeth need the pixel to the left: sequential
            cur = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                a = cur[x - channels] if x >= channels else 0
                b = prev[x]
                c = prev[x - channels] if x >= channels else 0
                if kind == 1:
                    pred = a
                elif kind == 3:
                    pred = (a + b) >> 1
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (line[x] + pred) & 255
        out[y] = cur
        prev = cur
    return out.reshape(height, width, channels)[:, :, :3]


def _page(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(4, 16)) * 3
    words, modules, vectors = [], [], []
    for m in range(4):
        for i in range(12):
            words.append(f"词{m}{chr(0x4E00 + 37 * m + i)}")
            modules.append(str(m + 1))
            vectors.append(centres[m] + rng.normal(size=16))
    vectors = np.array(vectors)
    ids = np.array([int(m) for m in modules])
    coords = layout(vectors, ids)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sim = unit @ unit.T
    np.fill_diagonal(sim, -2)
    nbr = np.argsort(-sim, axis=1)[:, :5]
    page = render_map(words, modules, np.full(len(words), 1 / len(words)), coords, nbr,
                      title="test map")
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")
    return path, words, sorted(set(modules))


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", "--virtual-time-budget=3000", *args],
                          capture_output=True, timeout=120, check=True)


@needs_browser
def test_dom_has_every_module_and_the_searched_word(tmp_path):
    path, words, modules = _page(tmp_path)
    query = words[17]
    url = path.as_uri() + "#q=" + urllib.parse.quote(query)
    dom = _chromium("--dump-dom", url).stdout.decode("utf-8")
    for m in modules:
        assert f'data-module="{m}"' in dom
    # the page's script ran: it marked the searched word and described it in the status
    assert f'id="found">{query}</text>' in dom
    assert f"{query} · module 2 · neighbours:" in dom
    # and an unknown word is reported, not silently ignored
    url = path.as_uri() + "#q=" + urllib.parse.quote("不在图上")
    dom = _chromium("--dump-dom", url).stdout.decode("utf-8")
    assert "不在图上: not on the map" in dom


@needs_browser
def test_screenshot_shows_coloured_words(tmp_path):
    path, _, _ = _page(tmp_path)
    shot = tmp_path / "shot.png"
    _chromium(f"--screenshot={shot}", "--window-size=900,600", path.as_uri())
    pixels = _decode_png(shot.read_bytes()).astype(np.int32)
    assert pixels.shape[:2] == (600, 900)
    pixels = pixels[50:, :560]  # the map only: no header, no module list (300 px wide)
    saturated = (pixels.max(axis=2) - pixels.min(axis=2)) > 60
    # four modules in four distinct hues cover a visible part of the map
    assert saturated.mean() > 0.002
    hues = {tuple(p) for p in (pixels[saturated] // 32).tolist()}
    assert len(hues) >= 4


def _clusters(seed: int = 3, modules: int = 5, per: int = 15, dim: int = 12):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(modules, dim)) * 4
    vectors = np.repeat(centres, per, axis=0) + rng.normal(size=(modules * per, dim))
    ids = np.repeat(np.arange(modules), per)
    return vectors, ids


def test_layout_is_deterministic_and_in_the_box() -> None:
    vectors, ids = _clusters()
    for method in ("modules", "pca"):
        a = layout(vectors, ids, method)
        assert np.array_equal(a, layout(vectors, ids, method))
        assert a.shape == (len(ids), 2)
        assert (a >= 0).all() and (a <= 1000).all()


def test_module_layout_keeps_modules_apart() -> None:
    """Discs do not overlap: every word is nearer its own module's centre than any other
    module's disc reaches, and its nearest word on the map is in its module."""
    from nlpzero.graphs.htmlmap import neighbour_quality

    vectors, ids = _clusters(modules=8, per=10)
    coords = layout(vectors, ids)
    centre = np.array([coords[ids == m].mean(axis=0) for m in range(8)])
    reach = np.array([np.linalg.norm(coords[ids == m] - centre[m], axis=1).max()
                      for m in range(8)])
    gaps = np.linalg.norm(centre[:, None] - centre[None], axis=2) - reach[:, None] - reach[None]
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() > -0.05 * reach.max()  # discs at most touch
    kept, purity = neighbour_quality(vectors, coords, ids, k=5)
    assert purity >= 0.95  # a word on a disc edge may sit next to a touching disc
    assert 0 < kept <= 1


def test_neighbour_quality_hand_example() -> None:
    """Two pairs: on the map each word's nearest is its vector-space neighbour."""
    from nlpzero.graphs.htmlmap import neighbour_quality

    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    coords = np.array([[0, 0], [1, 0], [10, 0], [11, 0]], dtype=float)
    assert neighbour_quality(vectors, coords, np.array([0, 0, 1, 1]), k=1) == (1.0, 1.0)
    swapped = np.array([[0, 0], [10, 0], [1, 0], [11, 0]], dtype=float)
    assert neighbour_quality(vectors, swapped, np.array([0, 0, 1, 1]), k=1) == (0.0, 0.0)


def test_page_is_self_contained_and_lists_modules() -> None:
    from html.parser import HTMLParser

    words = ["北京", "上海", "<b>", "猫", "狗"]
    modules = ["1", "1", "1", "2", "2"]
    page = render_map(words, modules, np.array([0.3, 0.2, 0.1, 0.25, 0.15]),
                      np.array([[1, 1], [2, 2], [3, 3], [500, 500], [501, 501.0]]),
                      [[1], [0], [0], [4], [3]])
    for forbidden in ("http://", "https://", "src=", "@import", "url("):
        assert forbidden not in page.replace("http://www.w3.org/2000/svg", "")  # a name
    assert "<b>" not in page.split('<script type="application/json"')[0]  # escaped
    rows = []

    class Rows(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "tr" and "data-module" in attrs:
                rows.append(attrs["data-module"])

    Rows().feed(page)
    assert rows == ["1", "2"]  # by decreasing flow: 0.6, 0.4
    assert "<td class=\"n\">3</td><td class=\"n\">0.6000</td>" in page


def test_cluster_map_and_command(tmp_path: Path) -> None:
    from nlpzero.cli.app import app
    from typer.testing import CliRunner

    from nlpzero.graphs.htmlmap import cluster_map
    from nlpzero.vectors.word2vec import write_word2vec

    vectors, ids = _clusters(modules=3, per=6)
    words = [f"w{i}" for i in range(len(ids))]
    clustered = words[:-2]  # two words with a vector and no module
    drawn = cluster_map(clustered + ["无向量"], [str(m + 1) for m in ids[:-2]] + ["3"],
                        np.full(len(clustered) + 1, 0.01), words, vectors)
    assert drawn.words == clustered and drawn.missing == 1
    assert drawn.rows.tolist() == list(range(len(clustered)))
    write_word2vec(str(tmp_path / "v.txt"), words, vectors)
    (tmp_path / "c.tsv").write_text("".join(f"{w}\t{m + 1}\t0.01\n"
                                            for w, m in zip(clustered, ids)), "utf-8")
    result = CliRunner().invoke(app, ["map", str(tmp_path / "c.tsv"), str(tmp_path / "v.txt"),
                                      "-o", str(tmp_path / "m.html"), "--projector",
                                      str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "m.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('class="mod"') == 3
    meta = (tmp_path / "p.metadata.tsv").read_text("utf-8").splitlines()
    assert meta[0] == "word\tmodule" and len(meta) == len(clustered) + 1
    bad = CliRunner().invoke(app, ["map", str(tmp_path / "v.txt"), str(tmp_path / "v.txt")])
    assert bad.exit_code == 1 and "error:" in bad.output
