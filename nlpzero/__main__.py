"""``python -m nlpzero``: the command line, as the ``nlpzero`` script."""

if __name__ == "__main__":
    from nlpzero.cli.app import main

    main()
