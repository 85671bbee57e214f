"""The ``nlpzero`` command line (installed as ``nlpzero.cli``): thin Typer commands that
parse arguments, stream I/O and call the library."""
