"""Graph files and ``nlpzero cluster``: parsing, bad input with line numbers, output formats."""

from __future__ import annotations

import networkx as nx
import pytest

from nlpzero.errors import InputError
from nlpzero.graphs.formats import read_graph

KARATE = "".join(f"{u} {v}\n" for u, v in nx.karate_club_graph().edges())
TRIANGLES = "a\tb\nb c\nc a 1.0\n# the bridge\nc 中文 0.5\n中文 e\ne f\nf 中文\n"


def test_link_list_names_comments_tabs_and_weights(write_file):
    g = read_graph(write_file("g.txt", TRIANGLES))
    assert g.names == ["a", "b", "c", "中文", "e", "f"]
    assert g.source.tolist() == [0, 1, 2, 2, 3, 4, 5]
    assert g.weight.tolist() == [1, 1, 1, 0.5, 1, 1, 1]
    assert g.ids.tolist() == [1, 2, 3, 4, 5, 6] and g.directed is None


def test_names_that_look_like_numbers_stay_strings(write_file):
    g = read_graph(write_file("g.txt", "1 01\n01 1.0\n1.0 1\n"))
    assert g.names == ["1", "01", "1.0"]  # three different nodes
    g = read_graph(write_file("g.txt", "10 7\n7 3\n"))
    assert g.ids.tolist() == [10, 7, 3]  # plain integers keep their ids in .clu/.tree


@pytest.mark.parametrize("content, needles", [
    ("a b\nc\n", ["line 2", "got 1 field"]),
    ("a b\n\nc d 1 2\n", ["line 3", "got 4 fields"]),
    ("a b x\n", ["line 1", "'x' is not a number"]),
    ("a b 1\nb c nan\n", ["line 2", "not a finite number"]),
    ("a b inf\n", ["line 1", "not a finite number"]),
    ("a b -2\n", ["line 1", "negative"]),
    ("", ["empty graph file"]),
    ("# only a comment\n", ["no nodes"]),
    ("a b 0\n", ["no link with a positive weight"]),
])
def test_bad_link_lists_name_the_line(write_file, content, needles):
    with pytest.raises(InputError) as e:
        read_graph(write_file("g.txt", content))
    for needle in needles:
        assert needle in str(e.value)


def test_binary_invalid_utf8_and_a_huge_line(write_file):
    with pytest.raises(InputError, match="binary"):
        read_graph(write_file("g.txt", b"a b\n\x00\x01\x02"))
    with pytest.raises(InputError, match="invalid UTF-8"):
        read_graph(write_file("g.txt", b"a b\n\xff\xfe c\n"))
    huge = write_file("g.txt", "x" * (50 << 20) + " y 1 2\n")  # one 50 MB line
    with pytest.raises(InputError, match="line 1: expected"):
        read_graph(huge)
    g = read_graph(write_file("g2.txt", "x" * (50 << 20) + " y\n"))
    assert len(g.names[0]) == 50 << 20 and g.names[1] == "y"


def test_line_numbers_count_across_blocks_and_unusual_separators(write_file):
    # U+2028 separates fields (str.split) but does not end a line: lines end at "\n" only
    lines = ["ab c 0.5"] * 1_500_000 + ["x\u2028y", "p q nan"]
    with pytest.raises(InputError, match="line 1500002: weight 'nan'"):
        read_graph(write_file("big.txt", "\n".join(lines) + "\n"))  # 13.5 MB: 4 blocks
    g = read_graph(write_file("g.txt", "x\u2028y\r\na\u3000b 2\n"))
    assert g.names == ["x", "y", "a", "b"] and g.weight.tolist() == [1.0, 2.0]


def test_self_links_and_duplicates(write_file):
    from nlpzero.graphs.infomap import infomap

    g = read_graph(write_file("g.txt", "a b\na a 2\nb a\na b 0.5\n"))
    assert len(g.source) == 4
    result = infomap((g.source, g.target, g.weight), g.n_nodes)
    # undirected: a-b merged to weight 2.5, self-link counts once in a's flow
    assert result.node_flow.tolist() == pytest.approx([4.5 / 7, 2.5 / 7])


PAJEK = """*Vertices 4
1 "north pole" 1.0
2 "b"
3 c
4 "孤立"
*Arcs
1 2 2
2 3
3 1
"""


def test_pajek_names_arcs_and_isolated_vertex(write_file):
    g = read_graph(write_file("g.net", PAJEK))
    assert g.names == ["north pole", "b", "c", "孤立"]
    assert g.directed is True and g.ids.tolist() == [1, 2, 3, 4]
    assert g.source.tolist() == [0, 1, 2] and g.weight.tolist() == [2, 1, 1]


@pytest.mark.parametrize("content, needle", [
    ("*Vertices 2\n1 \"a\"\n2 \"b\"\n*Edges\n1 3\n", "line 5: vertex 3 is not among"),
    # said 'vertex 1 is not among the *Vertices' of a file declaring 3
    ("*Vertices 3\n*Edges\n1 2\n", "line 3: vertex 1 has no line under *Vertices"),
    ("*Vertices 3\n2 b\n*Edges\n2 3\n", "line 4: vertex 3 has no line under *Vertices"),
    ("*Vertices ²\n1 a\n*Edges\n1 2\n", "line 4: vertex 2 is not among the *Vertices"),
    ("*Vertices 1\nx \"a\"\n", "line 2: Pajek vertex id 'x'"),
    ("*Vertices 2\n1 \"a\n", "line 2: unterminated"),
    ("*Vertices 2\n1 a\n2 b\n*Edges\n1 2\n*Arcs\n2 1\n", "mixing *Edges and *Arcs"),
    ("*Vertices 1\n1 a\n*Multilayer\n", "unsupported Pajek section '*Multilayer'"),
    ("*Vertices 2\n1 a\n2 b\n*Edges\n1 2 -1\n", "line 5: weight '-1' is negative"),
])
def test_bad_pajek_files_name_the_line(write_file, content, needle):
    with pytest.raises(InputError, match=None) as e:
        read_graph(write_file("g.net", content))
    assert needle in str(e.value)


# --- the command ---------------------------------------------------------------------------


def test_cluster_karate_tsv_clu_tree(cli, write_file, tmp_path):
    graph = write_file("karate.txt", KARATE)
    clu, tree, out = tmp_path / "k.clu", tmp_path / "k.tree", tmp_path / "k.tsv"
    result = cli.invoke("cluster", graph, "--trials", "10", "--clu", clu, "--tree", tree, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    log = cli.flat(result.stderr)
    assert "3 modules; codelength 4.311792646 bits, one-module 4.704422599 bits" in log
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    assert len(rows) == 34 and {r[1] for r in rows} == {"1", "2", "3"}
    assert sum(float(r[2]) for r in rows) == pytest.approx(1.0)
    clu_rows = [line.split() for line in clu.read_text().splitlines() if not line.startswith("#")]
    assert {(r[0], r[1]) for r in clu_rows} == {(r[0], r[1]) for r in rows}
    assert "# codelength 4.311792646 bits" in clu.read_text()
    tree_rows = [line for line in tree.read_text().splitlines() if not line.startswith("#")]
    assert tree_rows[0].startswith('1:1 ') and tree_rows[0].endswith('"33" 33')


def test_cluster_reads_stdin_and_keeps_word_names(cli, write_file):
    result = cli.invoke("cluster", "-", "-q", input=TRIANGLES)
    assert result.exit_code == 0, result.stderr
    modules = {line.split("\t")[0]: line.split("\t")[1] for line in result.stdout.splitlines()}
    assert modules["a"] == modules["b"] == modules["c"] != modules["中文"] == modules["f"]


def test_cluster_directed_pajek_and_multilevel(cli, write_file):
    result = cli.invoke("cluster", write_file("g.net", PAJEK))
    assert result.exit_code == 0, result.stderr
    assert "(directed)" in cli.flat(result.stderr)
    assert "孤立" in result.stdout  # the isolated vertex is kept, as its own module
    result = cli.invoke("cluster", write_file("k.txt", KARATE), "--multilevel", "--trials", "5")
    assert result.exit_code == 0 and "levels" in result.stderr


def test_cluster_bad_input_and_usage_errors(cli, write_file):
    cli.assert_runtime_error(cli.invoke("cluster", write_file("g.txt", "a b\nb c nan\n")),
                         "line 2", "not a finite number")
    cli.assert_runtime_error(cli.invoke("cluster", write_file("g.txt", "")), "empty graph file")
    cli.assert_runtime_error(cli.invoke("cluster", write_file("g.txt", b"\x00\x00")), "binary")
    cli.assert_usage_error(cli.invoke("cluster", write_file("g.txt", KARATE), "--markov-time", "0"),
                       "--markov-time")
    cli.assert_usage_error(cli.invoke("cluster", write_file("g.txt", KARATE), "--trials", "0"),
                       "--trials")


def test_cluster_output_is_atomic_on_failure(cli, write_file, tmp_path):
    out = tmp_path / "out.tsv"
    out.write_text("previous\n")
    result = cli.invoke("cluster", write_file("g.txt", "a b\nb\n"), "-o", out)
    assert result.exit_code == 1
    assert out.read_text() == "previous\n"
    assert list(tmp_path.glob(".out.tsv.*")) == []
