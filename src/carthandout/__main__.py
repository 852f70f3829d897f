"""``python -m carthandout`` and the ``carthandout`` command."""
import os
import sys


def run() -> None:
    """The command, with Ctrl-C while its libraries load ending it quietly: a traceback otherwise."""
    standard_streams_open()
    try:
        from carthandout.cli import main
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    main()


def standard_streams_open() -> None:
    """A closed stdout or stderr (``2>&-``) is given the null device before any file is opened.

    Else the first file opened takes the closed stream's number: the run's warnings were written
    to it (a file read while importing made them fail, and the batch end with exit 1), and with
    ``sys.stderr`` None (as Python leaves it) a batch stopped at its progress bar.
    """
    for number, name in ((1, "stdout"), (2, "stderr")):
        if not _writable(number):
            null = os.open(os.devnull, os.O_WRONLY)
            if null != number:
                os.dup2(null, number)
                os.close(null)
        if getattr(sys, name) is None:
            setattr(sys, name, open(number, "w", encoding="utf-8", closefd=False))


def _writable(number: int) -> bool:
    """Whether file descriptor ``number`` is open for writing. A closed one may already hold a file
    opened for reading: a launcher script run by its shell (pyenv's shims) keeps it on 2."""
    try:
        import fcntl  # POSIX; on Windows a stream is taken as writable when open
    except ImportError:
        fcntl = None
    try:
        if fcntl is None:
            return os.fstat(number) is not None
        return fcntl.fcntl(number, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
    except OSError:
        return False


if __name__ == "__main__":
    run()
