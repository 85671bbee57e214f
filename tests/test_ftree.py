"""Infomap's .ftree: exact module links on a hand-computed graph, and the file read back by
the infomap package (`--cluster-data FILE.ftree --no-infomap` gives our codelength)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlpzero.graphs.formats import read_graph, write_ftree
from nlpzero.graphs.infomap import infomap

#: two triangles 1-2-3 and 4-5-6 joined by the link 3-4
TWO_TRIANGLES = "1 2\n2 3\n3 1\n4 5\n5 6\n6 4\n3 4\n"


def _ftree(tmp_path: Path, text: str, directed: bool, two_level: bool = True) -> tuple:
    path = tmp_path / "g.txt"
    path.write_text(text, "utf-8")
    net = read_graph(str(path))
    result = infomap((net.source, net.target, net.weight), net.n_nodes, directed=directed,
                     two_level=two_level)
    out = tmp_path / "ours.ftree"
    with open(out, "w", encoding="utf-8") as fh:
        write_ftree(fh, net, result, "test", directed=directed)
    return path, out, result


def test_two_triangles_by_hand(tmp_path: Path) -> None:
    """Undirected, W = 7: each link carries 1/14 each way; rows combine both ways (1/7);
    a module's exit is the one cut link one way, 1/14."""
    _, out, result = _ftree(tmp_path, TWO_TRIANGLES, directed=False)
    assert result.n_modules == 2
    text = out.read_text("utf-8")
    links = text[text.index("*Links undirected"):].splitlines()
    rows = [ln for ln in links if not ln.startswith("#")]
    one_seventh, one_14th = 1 / 7, 1 / 14
    expected = [
        "*Links undirected",
        "*Links root 0 0 1 2", f"1 2 {one_seventh:.9g}",
        f"*Links 1 {one_14th:.9g} {one_14th:.9g} 3 3",
        f"1 2 {one_seventh:.9g}", f"1 3 {one_seventh:.9g}", f"2 3 {one_seventh:.9g}",
        f"*Links 2 {one_14th:.9g} {one_14th:.9g} 3 3",
        f"1 2 {one_seventh:.9g}", f"1 3 {one_seventh:.9g}", f"2 3 {one_seventh:.9g}",
    ]
    assert rows == expected
    # the tree block comes first, exactly as the .tree writer writes it
    tree_lines = [ln for ln in text[:text.index("*Links")].splitlines()
                  if not ln.startswith("#")]
    assert len(tree_lines) == 6 and tree_lines[0].startswith("1:1 ")


def test_directed_rows_keep_their_direction(tmp_path: Path) -> None:
    _, out, _ = _ftree(tmp_path, TWO_TRIANGLES, directed=True)
    text = out.read_text("utf-8")
    assert "*Links directed" in text
    blocks = re.findall(r"\*Links (\S+) (\S+) (\S+) (\d+) (\d+)\n((?:\d+ \d+ \S+\n)*)", text)
    root = blocks[0]
    assert root[0] == "root" and root[3] == "1"
    # flows out of the root's rows plus the modules' inner rows sum to all link flow (1)
    total = sum(float(r.split()[2]) for b in blocks for r in b[5].splitlines())
    assert total == pytest.approx(1.0)
    # a directed module's exit equals the flow on the root row leaving it
    a, b, f = blocks[0][5].split()
    assert float(blocks[int(a)][2]) == pytest.approx(float(f))  # exit of module a


def _infomap_cli() -> list[str] | None:
    """The infomap package's command (installed with the test extra)."""
    exe = shutil.which("infomap") or shutil.which("infomap", path=str(Path(sys.executable).parent))
    return [exe] if exe else None


@pytest.mark.parametrize(("directed", "two_level"), [(False, True), (True, True),
                                                     (False, False)])
def test_infomap_reads_it_back(tmp_path: Path, directed: bool, two_level: bool) -> None:
    command = _infomap_cli()
    if command is None:
        pytest.skip("the infomap package is not installed")
    rng = np.random.default_rng(5)
    # 3 groups of 3 cliques of 5 nodes, sparse links between: a multilevel structure
    lines = set()
    for g in range(3):
        for c in range(3):
            base = g * 15 + c * 5 + 1
            lines |= {(base + i, base + j) for i in range(5) for j in range(i + 1, 5)}
        lines |= {(g * 15 + 1, g * 15 + 6), (g * 15 + 7, g * 15 + 12), (g * 15 + 11, g * 15 + 2)}
    lines |= {(1, 16), (17, 31)}
    text = "".join(f"{u} {v} {rng.integers(1, 4)}\n" for u, v in sorted(lines))
    path, ours, result = _ftree(tmp_path, text, directed, two_level)
    args = [*command, str(path), str(tmp_path), "--cluster-data", str(ours), "--no-infomap",
            "--silent", "--tree", "--out-name", "back"]
    if directed:
        args.append("-d")
    subprocess.run(args, check=True, capture_output=True, timeout=120)
    header = (tmp_path / "back.tree").read_text("utf-8")
    codelength = float(re.search(r"# codelength (\S+) bits", header).group(1))
    assert codelength == pytest.approx(result.codelength_bits, rel=1e-5)
    levels = int(re.search(r"partitioned into (\d+) levels", header).group(1))
    assert levels == result.n_levels


def test_cluster_writes_ftree_with_infomap_flags(tmp_path: Path, cli) -> None:
    graph = tmp_path / "g.txt"
    graph.write_text(TWO_TRIANGLES, "utf-8")
    short = cli.invoke("cluster", graph, "-2", "-d", "-N", 2, "-s", 9, "-q", "--ftree",
                       tmp_path / "a.ftree")
    long = cli.invoke("cluster", graph, "--two-level", "--directed", "--trials", 2, "--seed", 9,
                      "-q", "--ftree", tmp_path / "b.ftree")
    assert short.exit_code == 0 and long.exit_code == 0, short.output
    assert short.stdout == long.stdout
    body = [(tmp_path / n).read_text("utf-8").split("# path", 1)[1] for n in ("a.ftree", "b.ftree")]
    assert body[0] == body[1] and "*Links directed" in body[0]
