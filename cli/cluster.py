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
    failures,
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
    trials: Annotated[int, typer.Option("--trials", "--num-trials", "-N", min=1,
                                        help="Independent runs; the shortest code wins.")
                      ] = 1,
    seed: SeedOpt = SEED,
    markov_time: Annotated[float, typer.Option(
        help="Scales link flow: > 1 fewer, larger modules.")] = 1.0,
    teleportation: Annotated[float, typer.Option(
        help="PageRank teleportation (directed flow).")] = 0.15,
    clu: Annotated[PathOpt, typer.Option(help="Also write Infomap's .clu here.",
                                         show_default=False)] = None,
    tree: Annotated[PathOpt, typer.Option(help="Also write Infomap's .tree here.",
                                          show_default=False)] = None,
    ftree: Annotated[PathOpt, typer.Option(
        help="Also write Infomap's .ftree here (the tree plus the flow between modules; "
        "Infomap's Network Navigator opens it).", show_default=False)] = None,
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
        from nlpzero.text.io import open_output

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
        for target, writer in ((clu, write_clu), (tree, write_tree)):
            if target:
                with open_output(target) as out:
                    writer(out, net, result, command)
        if ftree:
            with open_output(ftree) as out:
                write_ftree(out, net, result, command, directed=is_directed,
                            teleportation=teleportation, markov_time=markov_time)
        with open_output(output) as out:
            write_modules(out, net, result)
        seconds = log.elapsed()
        levels = f", {result.n_levels} levels" if multilevel else ""
        log.info(f"{result.n_modules:,} modules{levels}; codelength "
                 f"{result.codelength_bits:.9f} bits, one-module "
                 f"{result.one_level_codelength_bits:.9f} bits "
                 f"({1 - result.codelength_bits / result.one_level_codelength_bits:.2%} saved) "
                 f"in {seconds:.2f} s")
