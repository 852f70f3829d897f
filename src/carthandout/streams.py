"""The standard streams made safe to write before anything else is opened (no imports of ours: loaded first)."""
import os
import sys


def standard_streams_open() -> None:
    """A closed stdout or stderr (``2>&-``) is given the null device before any file is opened.

    Else the first file opened takes the closed stream's number: the run's warnings were written
    to it (a file read while importing made them fail, and the batch end with exit 1), and with
    ``sys.stderr`` None (as Python leaves it) a batch stopped at its progress bar.
    """
    for number, name in ((1, "stdout"), (2, "stderr")):
        if not _writable(number):
            null_device_on(number)
        if getattr(sys, name) is None:
            setattr(sys, name, open(number, "w", encoding="utf-8", closefd=False))


def null_device_on(number: int) -> None:
    """File descriptor ``number`` writes to the null device (open or closed before)."""
    null = os.open(os.devnull, os.O_WRONLY)
    if null != number:  # a closed descriptor is the lowest free: the null device may already be on it
        os.dup2(null, number)
        os.close(null)


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
