"""``python -m carthandout`` and the ``carthandout`` command."""
import sys

from carthandout.streams import standard_streams_open


def run() -> None:
    """The command, with Ctrl-C while its libraries load ending it quietly: a traceback otherwise."""
    standard_streams_open()
    try:
        from carthandout.cli import main
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
