"""Graph files: link lists and Pajek ``.net`` in, Infomap's ``.clu``, ``.tree`` and ``.ftree``
out, and the clusters TSV of ``nlpzero cluster`` back in.

A link list has one link per line, ``source target [weight]``, separated by whitespace or
TABs; lines starting with ``#`` are comments. Node names are arbitrary strings (Chinese words,
``007``, ``1.0``): they are never converted to numbers, so ``1`` and ``01`` are two nodes.
Every problem is reported with its line number as an :class:`~nlpzero.errors.InputError`.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import numpy as np

from ..errors import InputError
from ..text.io import display_name, quote, read_blocks, read_lines

if TYPE_CHECKING:
    from .infomap import InfomapResult
    from .mapequation import Flow

__all__ = ["Graph", "module_links", "read_graph", "read_modules", "write_clu", "write_ftree",
           "write_modules", "write_tree"]

_INTEGER = re.compile(r"(0|[1-9][0-9]*)\Z")
_MAX_ID = 2**63 - 1  # node ids are written from int64 arrays
#: Everything ``str.splitlines`` breaks at: written escaped in a header line.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass
class Graph:
    """Nodes ``0..n-1`` named ``names``; links as arrays (duplicates not yet merged).

    ``ids`` are the numeric node ids written to ``.clu`` / ``.tree`` files: the Pajek vertex
    ids, the names themselves when every name is a plain non-negative integer, otherwise
    1, 2, ... in order of first appearance. ``directed`` is True for Pajek ``*Arcs``, False
    for ``*Edges``, None when the file does not say.
    """

    names: list[str]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    ids: np.ndarray
    directed: bool | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.names)


def _numbered_lines(blocks: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Lines numbered from 1, without their newline."""
    number = 0
    for block in blocks:
        lines = block.split("\n")
        if block.endswith("\n"):
            lines.pop()
        for line in lines:
            number += 1
            yield number, line


def _weight(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: weight {quote(text)} is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise InputError(f"{where}: weight {quote(text)} is not a finite number")
    if value < 0:
        raise InputError(f"{where}: weight {quote(text)} is negative")
    return value


def read_graph(path: str | os.PathLike[str], format: str = "auto",
               errors: str = "strict") -> Graph:
    """Read a link list or a Pajek file (``format``: ``auto``, ``links`` or ``pajek``).

    ``auto`` picks Pajek for a ``.net`` file or a file whose first line starts with ``*``.
    """
    if format not in ("auto", "links", "pajek"):
        raise ValueError(f"unknown graph format {format!r} (use auto, links or pajek)")
    blocks = read_blocks(path, errors, whole_lines=True)
    name = display_name(path)
    first = next(blocks, None)
    if first is None:
        raise InputError(f"{name}: empty graph file")
    if format == "auto":
        pajek = str(path).lower().endswith(".net") or first.lstrip(" \t").startswith("*")
        format = "pajek" if pajek else "links"
    blocks = itertools.chain([first], blocks)
    graph = (_read_pajek(_numbered_lines(blocks), name) if format == "pajek"
             else _read_links(blocks, name))
    if graph.n_nodes == 0:
        raise InputError(f"{name}: the graph has no nodes")
    if not (graph.weight > 0).any():
        raise InputError(f"{name}: the graph has no link with a positive weight")
    return graph


#: A link line (2 or 3 fields, the first not a comment) and a blank or comment line.
_LINK = re.compile(r"^[ \t]*([^\s#]\S*)[ \t]+(\S+)(?:[ \t]+(\S+))?[ \t]*\r?$", re.M)
_SKIP = re.compile(r"^[ \t]*(?:#.*)?\r?$", re.M)


def _read_links(blocks: Iterable[str], name: str) -> Graph:
    """Link lines, a block at a time: one regex pass when every line of the block is a
    well-formed link, blank or comment; otherwise line by line, to name the bad line."""
    index: dict[str, int] = {}
    names_in_order: list[str] = []
    weight: list[float] = []
    first_line = 1
    for block in blocks:
        n_lines = block.count("\n") + 1  # the piece after the last newline counts
        links = _LINK.findall(block)
        fast = len(links) + len(_SKIP.findall(block)) == n_lines
        if fast:
            try:
                block_weight = [float(w) if w else 1.0 for _, _, w in links]
            except ValueError:
                fast = False
            else:
                array = np.array(block_weight)
                fast = bool(np.isfinite(array).all() and (array >= 0).all())
        if fast:
            names_in_order += [x for link in links for x in link[:2]]
            weight += block_weight
        else:
            for number, line in _numbered_lines([block]):
                fields = line.split()
                if not fields or fields[0].startswith("#"):
                    continue
                where = f"{name}: line {first_line + number - 1}"
                if not 2 <= len(fields) <= 3:
                    raise InputError(f"{where}: expected 'source target [weight]', "
                                     f"got {len(fields)} field{'s' * (len(fields) != 1)}")
                names_in_order += fields[:2]
                weight.append(_weight(fields[2], where) if len(fields) == 3 else 1.0)
        first_line += n_lines - 1
    ends = np.fromiter(map(index.setdefault, names_in_order, _next_ids(index)), np.int64,
                       len(names_in_order))
    names = list(index)
    if names and all(_INTEGER.match(n) and (len(n) < 19 or int(n) <= _MAX_ID) for n in names):
        ids = np.array([int(n) for n in names], dtype=np.int64)
    else:
        ids = np.arange(1, len(names) + 1, dtype=np.int64)
    return Graph(names, ends[0::2], ends[1::2], np.array(weight, dtype=np.float64), ids)


def _next_ids(index: dict[str, int]) -> Iterator[int]:
    """The id a new name would get: the current size of ``index``, re-read at every step."""
    while True:
        yield len(index)


_SECTION = re.compile(r"\*(\w+)")


def _read_pajek(lines: Iterator[tuple[int, str]], name: str) -> Graph:
    """Pajek: ``*Vertices N`` with ``id "name" [weight]`` lines, then ``*Edges`` (undirected)
    or ``*Arcs`` (directed) with ``source target [weight]`` lines, ids as declared."""
    index: dict[int, int] = {}
    names: list[str] = []
    source: list[int] = []
    target: list[int] = []
    weight: list[float] = []
    section = None
    directed: bool | None = None
    declared = False
    listed: int | None = None
    for number, line in lines:
        text = line.strip()
        if not text or text.startswith("%") or text.startswith("#"):
            continue
        where = f"{name}: line {number}"
        if text.startswith("*"):
            match = _SECTION.match(text)
            section = match.group(1).lower() if match else ""
            if section == "vertices":
                declared = True
                header = text.split()  # the N of *Vertices N, when it is a number
                listed = (int(header[1]) if len(header) > 1 and header[1].isdecimal()
                          else None)  # isdecimal: what int() reads (isdigit takes '²')
            elif section in ("edges", "arcs", "links"):
                kind = section == "arcs"
                if section != "links" and directed is not None and directed != kind:
                    raise InputError(f"{where}: a file mixing *Edges and *Arcs is not supported")
                directed = kind if section != "links" else directed
            else:
                raise InputError(f"{where}: unsupported Pajek section {quote(text.split()[0])} "
                                 "(expected *Vertices, *Edges, *Arcs or *Links)")
            continue
        if section is None:
            raise InputError(f"{where}: expected a Pajek section such as *Vertices")
        if section == "vertices":
            head, _, rest = text.partition(" ")
            vertex = _vertex_id(head, where)
            label = rest.strip()
            if label.startswith('"'):
                end = label.find('"', 1)
                if end < 0:
                    raise InputError(f"{where}: unterminated quoted name")
                label = label[1:end]
            else:
                label = label.split()[0] if label else head
            if vertex in index:
                raise InputError(f"{where}: vertex {vertex} declared twice")
            index[vertex] = len(names)
            names.append(label)
            continue
        fields = text.split()
        if not 2 <= len(fields) <= 3:
            raise InputError(f"{where}: expected 'source target [weight]', "
                             f"got {len(fields)} fields")
        ends = []
        for field in fields[:2]:
            vertex = _vertex_id(field, where)
            if vertex not in index:
                if declared and listed is not None and 1 <= vertex <= listed:
                    raise InputError(f"{where}: vertex {vertex} has no line under *Vertices "
                                     "(list every vertex as: id \"name\")")
                if declared:
                    raise InputError(f"{where}: vertex {vertex} is not among the *Vertices")
                index[vertex] = len(names)
                names.append(field)
            ends.append(index[vertex])
        source.append(ends[0])
        target.append(ends[1])
        weight.append(_weight(fields[2], where) if len(fields) == 3 else 1.0)
    ids = np.empty(len(names), dtype=np.int64)
    for vertex, i in index.items():
        ids[i] = vertex
    return Graph(names, np.array(source, dtype=np.int64), np.array(target, dtype=np.int64),
                 np.array(weight, dtype=np.float64), ids, directed)


def _vertex_id(text: str, where: str) -> int:
    if not _INTEGER.match(text):
        raise InputError(f"{where}: Pajek vertex id {quote(text)} is not a non-negative "
                         "integer")
    if len(text) >= 19 and int(text) > _MAX_ID:
        raise InputError(f"{where}: Pajek vertex id {quote(text)} is too large (at most "
                         f"{_MAX_ID})")
    return int(text)


def _tree_order(result: InfomapResult) -> np.ndarray:
    """Nodes in tree order: by path, so modules and their nodes come by decreasing flow."""
    paths = result.paths
    return np.lexsort(paths.T[::-1])


def write_modules(out: TextIO, graph: Graph, result: InfomapResult) -> None:
    """TSV ``node<TAB>module<TAB>flow``, in tree order; a multilevel module is its path.
    A TAB, CR or newline inside a node name (a quoted Pajek label) is written as a space,
    so every row has three columns."""
    paths = result.path_strings()
    for node in _tree_order(result):
        module = paths[node].rpartition(":")[0]
        name = graph.names[node]
        if "\t" in name or "\r" in name or "\n" in name:
            name = name.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        out.write(f"{name}\t{module}\t{result.node_flow[node]:.9g}\n")


def _header(out: TextIO, result: InfomapResult, command: str) -> None:
    from .._version import __version__

    # one header line, whatever the command line holds (a file name may contain a newline)
    command = _LINE_BREAK.sub(lambda m: repr(m.group())[1:-1], command)
    out.write(f"# nlpzero {__version__}\n# {command}\n")
    out.write(f"# levels {result.n_levels}, top modules {result.n_modules}\n")
    out.write(f"# codelength {result.codelength_bits:.9f} bits, one-level codelength "
              f"{result.one_level_codelength_bits:.9f} bits\n")


def write_clu(out: TextIO, graph: Graph, result: InfomapResult, command: str = "") -> None:
    """Infomap's ``.clu``: ``node_id module flow`` with top modules numbered from 1."""
    _header(out, result, command)
    out.write("# node_id module flow\n")
    for node in _tree_order(result):
        out.write(f"{graph.ids[node]} {result.modules[node] + 1} {result.node_flow[node]:.9g}\n")


def write_tree(out: TextIO, graph: Graph, result: InfomapResult, command: str = "") -> None:
    """Infomap's ``.tree``: ``path flow "name" node_id``, e.g. ``1:2 0.15 "a" 1``."""
    _header(out, result, command)
    out.write("# path flow name node_id\n")
    paths = result.path_strings()
    for node in _tree_order(result):
        label = graph.names[node].replace('"', "'")
        out.write(f'{paths[node]} {result.node_flow[node]:.9g} "{label}" {graph.ids[node]}\n')


def module_links(paths: np.ndarray, fl: Flow) -> tuple[np.ndarray, list[tuple[int, ...]],
                                                         np.ndarray, np.ndarray, np.ndarray,
                                                         list[np.ndarray]]:
    """The modules' links for ``.ftree``: per module (root first, then depth-first) its
    path prefix, enter and exit flow, number of children and link rows.

    ``paths`` is :attr:`InfomapResult.paths` (1-based, zero-padded). Returns ``order`` (the
    modules' ids in depth-first order), their path prefixes, enter and exit flows, the
    number of children, and for each module an array of rows ``(child_a, child_b, flow)``.
    """
    paths = np.asarray(paths, dtype=np.int64)
    n, width = paths.shape
    depth = (paths > 0).sum(axis=1)  # the leaf number sits at column depth - 1
    # module id of every node at every prefix length d = 0 .. width - 1 (d = 0: root)
    prefixes: dict[tuple[int, ...], int] = {(): 0}
    node_module = np.zeros((n, width), dtype=np.int64)
    for d in range(1, width):
        inside = depth > d  # the node's path has a module at this prefix length
        if not inside.any():
            continue
        keys, inverse = np.unique(paths[inside, :d], axis=0, return_inverse=True)
        ids = np.empty(len(keys), dtype=np.int64)
        for j, key in enumerate(keys.tolist()):
            ids[j] = prefixes.setdefault(tuple(key), len(prefixes))
        node_module[inside, d] = ids[inverse.ravel()]
    m = len(prefixes)
    prefix_of = [()] * m
    for key, i in prefixes.items():
        prefix_of[i] = key
    children = np.zeros(m, dtype=np.int64)
    for d in range(width):
        inside = depth > d
        np.maximum.at(children, node_module[inside, d], paths[inside, d])
    src, dst, link = fl.source, fl.target, fl.link_flow
    ps, pd = paths[src], paths[dst]
    same = np.cumprod(ps == pd, axis=1)
    common = same.sum(axis=1)  # length of the shared prefix; < both depths
    if len(src) and (common >= np.minimum(depth[src], depth[dst])).any():
        from ..errors import NlpzeroError

        raise NlpzeroError("cannot write .ftree: two nodes share one path in the module tree")
    enter = np.zeros(m)
    exit_ = np.zeros(m)
    for d in range(1, width):
        crossing = common < d
        u_in = crossing & (depth[src] > d)
        v_in = crossing & (depth[dst] > d)
        np.add.at(exit_, node_module[src[u_in], d], link[u_in])
        np.add.at(enter, node_module[dst[v_in], d], link[v_in])
    owner = node_module[src, common]
    a = ps[np.arange(len(src)), common]
    b = pd[np.arange(len(src)), common]
    if not fl.directed:
        a, b = np.minimum(a, b), np.maximum(a, b)
    rows: list[np.ndarray] = [np.zeros((0, 3))] * m
    if len(src):
        keys, inverse = np.unique(np.stack([owner, a, b], axis=1), axis=0, return_inverse=True)
        summed = np.bincount(inverse.ravel(), link, minlength=len(keys))
        starts = np.r_[0, np.nonzero(np.diff(keys[:, 0]))[0] + 1, len(keys)]
        for s, e in zip(starts[:-1], starts[1:]):
            rows[int(keys[s, 0])] = np.column_stack([keys[s:e, 1], keys[s:e, 2], summed[s:e]])
    order = np.array(sorted(range(m), key=lambda i: prefix_of[i]), dtype=np.int64)
    return order, prefix_of, enter, exit_, children, rows


def write_ftree(out: TextIO, graph: Graph, result: InfomapResult, command: str = "", *,
                directed: bool, teleportation: float = 0.15, markov_time: float = 1.0) -> None:
    """Infomap's ``.ftree``: the ``.tree`` lines, then the flow between modules.

    After the tree come ``*Links directed`` (or ``undirected``) and, for the root and then
    every module in depth-first order (``1``, ``1:1``, ``1:2``, ``2`` ...), a header
    ``*Links <path> <enterFlow> <exitFlow> <numEdges> <numChildren>`` and one row
    ``childA childB flow`` per pair of its children joined by links, with their link flow
    summed (children numbered from 1 within the module; undirected rows combine both
    directions, lower child first). Infomap writes this with ``--ftree``, its Network
    Navigator opens it, and ``infomap --cluster-data FILE.ftree`` reads it back. The flow
    is recomputed with the options the search used (*directed*, *teleportation*,
    *markov_time*).
    """
    from .infomap import merge_links
    from .mapequation import flow

    source, target, weight = merge_links(graph.source, graph.target, graph.weight, directed)
    fl = flow(graph.n_nodes, source, target, weight, directed=directed,
              teleportation=teleportation, markov_time=markov_time)
    write_tree(out, graph, result, command)
    out.write(f"*Links {'directed' if fl.directed else 'undirected'}\n")
    if not fl.directed:
        out.write("# link flow is both directions combined, one row per module pair\n")
    out.write("#*Links path enterFlow exitFlow numEdges numChildren\n")
    order, prefix_of, enter, exit_, children, rows = module_links(result.paths, fl)
    for i in order.tolist():
        name = ":".join(map(str, prefix_of[i])) or "root"
        block = rows[i]
        out.write(f"*Links {name} {enter[i]:.9g} {exit_[i]:.9g} {len(block)} {children[i]}\n")
        out.write("".join(f"{int(x)} {int(y)} {f:.9g}\n" for x, y, f in block.tolist()))


def read_modules(path: str, errors: str = "strict") -> tuple[list[str], list[str], np.ndarray]:
    """Words, modules and flows of a ``node<TAB>module<TAB>flow`` file (``nlpzero cluster``)."""
    name = display_name(path)
    words: list[str] = []
    modules: list[str] = []
    flows: list[float] = []
    for lineno, line in enumerate(read_lines(path, errors), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise InputError(f"{name}:{lineno}: expected node<TAB>module[<TAB>flow]")
        flow = 0.0
        if len(parts) > 2 and parts[2]:
            try:
                flow = float(parts[2])
            except ValueError:
                raise InputError(f"{name}:{lineno}: flow {parts[2]!r} is not a number") from None
            if not (math.isfinite(flow) and flow >= 0):
                raise InputError(f"{name}:{lineno}: flow must be finite and ≥ 0")
        words.append(parts[0])
        modules.append(parts[1])
        flows.append(flow)
    if not words:
        raise InputError(f"{name}: no nodes")
    return words, modules, np.array(flows)
