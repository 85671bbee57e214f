"""``nlpzero cluster``: Infomap communities of a graph file."""

from __future__ import annotations

import shlex
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ._common import (
    SEED,
    Errors,
    ErrorsOpt,
    InputArg,
    Log,
    OutputOpt,
    QuietOpt,
    SeedOpt,
    check_output,
    failures,
    number,
    refuse,
    resolve_input,
)


class GraphFormat(str, Enum):
    auto = "auto"
    links = "links"
    pajek = "pajek"


PathOpt = Optional[str]  # noqa: UP045 - typer needs Optional


def cluster(
    ctx: typer.Context,
    graph: InputArg = None,
    output: OutputOpt = None,
    format: Annotated[GraphFormat, typer.Option(
        "--format", help="links: 'source target [weight]' lines; pajek: .net (auto: by "
        "extension or a leading '*').")] = GraphFormat.auto,
    directed: Annotated[Optional[bool], typer.Option(  # noqa: UP045
        "--directed/--undirected", "-d/-u", help="Flow model [default: directed for Pajek "
        "*Arcs, else undirected].", show_default=False)] = None,
    multilevel: Annotated[bool, typer.Option(
        "--multilevel/--two-level", "-m/-2", help="Module tree (hierarchical map equation) "
        "or flat modules.")] = False,
    trials: Annotated[int, typer.Option("--trials", "--num-trials", "-N", min=1, max=10_000,
                                        help="Independent runs; the shortest code wins.")
                      ] = 1,
    seed: SeedOpt = SEED,
    markov_time: Annotated[float, typer.Option(
        help="Scales link flow: > 1 fewer, larger modules.",
        callback=number(0, 1e6, low_open=True))] = 1.0,
    teleportation: Annotated[float, typer.Option(
        help="PageRank teleportation (directed flow), in [0, 1).",
        callback=number(0, 1, high_open=True))] = 0.15,
    clu: Annotated[PathOpt, typer.Option(help="Also write Infomap's .clu here.",
                                         show_default=False, callback=check_output)] = None,
    tree: Annotated[PathOpt, typer.Option(help="Also write Infomap's .tree here.",
                                          show_default=False, callback=check_output)] = None,
    ftree: Annotated[PathOpt, typer.Option(
        help="Also write Infomap's .ftree here (the tree plus the flow between modules; "
        "Infomap's Network Navigator opens it).", show_default=False,
        callback=check_output)] = None,
    errors: ErrorsOpt = Errors.strict,
    quiet: QuietOpt = False,
) -> None:
    """Communities by the map equation: TSV node, module, flow (modules by decreasing flow).

    Input: one link per line, 'source target [weight]' (node names are any strings, e.g.
    words), or Pajek .net. Duplicate links are summed; undirected 'a b' and 'b a' are one
    link. The codelength, the one-module codelength and the module count go to stderr.
    Infomap's short flags work: -2 (two-level), -d (directed), -N (trials), -s (seed).
    """
    path = resolve_input(graph)
    log = Log(quiet)
    with failures():
        from nlpzero.graphs.formats import (
            read_graph,
            write_clu,
            write_ftree,
            write_modules,
            write_tree,
        )
        from nlpzero.graphs.infomap import infomap
        from nlpzero.text.io import Outputs

        outputs = Outputs()
        extra = [(outputs.add(target), writer)
                 for target, writer in ((clu, write_clu), (tree, write_tree)) if target]
        ftree_out = outputs.add(ftree) if ftree else None
        main = outputs.add(output)
        net = read_graph(path, format.value, errors.value)
        is_directed = bool(net.directed) if directed is None else directed
        if not is_directed:
            refuse(ctx, "teleportation", "directed flow (--directed or a Pajek *Arcs file)")
        log.info(f"read {net.n_nodes:,} nodes and {len(net.source):,} links "
                 f"({'directed' if is_directed else 'undirected'})")
        result = infomap((net.source, net.target, net.weight), net.n_nodes,
                         directed=is_directed, two_level=not multilevel, trials=trials,
                         seed=seed, markov_time=markov_time, teleportation=teleportation)
        command = "nlpzero " + shlex.join(sys.argv[1:])
        with outputs:  # all files move into place together, after everything is written
            for target, writer in extra:
                writer(target.open(), net, result, command)
            if ftree_out is not None:
                write_ftree(ftree_out.open(), net, result, command, directed=is_directed,
                            teleportation=teleportation, markov_time=markov_time)
            write_modules(main.open(), net, result)
        one_level = result.one_level_codelength_bits
        saved = f"{1 - result.codelength_bits / one_level:.2%}" if one_level > 0 else "0%"
        levels = f", {result.n_levels} levels" if multilevel else ""
        log.info(f"{result.n_modules:,} modules{levels}; codelength "
                 f"{result.codelength_bits:.9f} bits, one-module {one_level:.9f} bits "
                 f"({saved} saved) in {log.elapsed():.2f} s")
