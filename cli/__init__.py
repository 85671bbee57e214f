"""The ``nlpzero`` command line (installed as ``nlpzero.cli``): thin Typer commands that
parse arguments, stream I/O and call the library."""


def main() -> None:
    """The console script: stop signals are handled from the first moment (an interrupt
    while the command line loads is ``interrupted``, exit 130, not a traceback)."""
    import signal
    import sys

    try:
        from nlpzero.text.io import install_signal_handlers

        install_signal_handlers()
        from . import _common
        from .app import main as run

        try:
            run()
        except SystemExit as e:  # Typer's own Ctrl-C handling exits 130 without a word
            if e.code == 130 and not _common.interrupt_reported:
                print("interrupted", file=sys.stderr)
            raise
    except KeyboardInterrupt as e:  # io.Interrupted carries the signal that stopped us
        signum = getattr(e, "signum", signal.SIGINT)
        name = "" if signum == signal.SIGINT else f" ({signal.Signals(signum).name})"
        print(f"interrupted{name}", file=sys.stderr)
        sys.exit(128 + signum)
