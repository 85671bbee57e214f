"""``python -m nlpzero``: the command line, as the ``nlpzero`` script."""

from nlpzero.cli.app import main

main()
