"""Writing results: atomic files (temporary name, then rename) and the manifest."""
from __future__ import annotations

import csv
import errno
import glob
import hashlib
import io
import os
import re
import signal
import stat
import tempfile
from collections import deque
from contextlib import contextmanager
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from carthandout.errors import InputError


# PDFs are written without flushing each to disk on its own (an fsync each, one after the other,
# was a tenth of a batch's time and a fifth of a single ``generate``). ``write_manifest`` flushes
# the files it lists together, then writes itself: what the manifest lists is on disk (a batch's
# ``ManifestStream`` starts those flushes in background threads as files are listed). The disk
# commits concurrent flushes together, and only these files are flushed (``os.sync`` would also
# wait for every other program's writes). The rename is atomic either way: a killed process
# leaves the old file or the new one.
FLUSH_THREADS = 8


class FileFlusher:
    """Files flushed to disk by background threads as soon as they are handed over, so that a
    batch waits at the end only for its last few files, not for all of them (2 s for 7,000)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(FLUSH_THREADS)
        self._running: deque[Future] = deque()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def add(self, paths: Iterable[Path]) -> None:
        for path in paths:
            self._running.append(self._pool.submit(_flush_file, path))
        while self._running and self._running[0].done():  # only what is still running is held
            self._running.popleft().result()

    def wait(self) -> None:
        """Every file handed over is on disk."""
        while self._running:
            self._running.popleft().result()


def _flush_file(path: Path) -> None:
    try:
        handle = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # replaced or removed since: nothing of it to flush
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_atomic(path: Path, data: bytes, flush: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    ``flush=False``: the data reaches the disk later, when ``write_manifest`` lists the file.
    """
    _rename_into_place([(_staged(path, data, flush), path)])


def write_all_atomic(files: Sequence[tuple[Path, bytes]], mode: int | None = None) -> None:
    """Write every file under a temporary name, then, only once all are written, rename each into
    place: a full disk or a kill while they are written (nearly all of the time) leaves the old
    set whole, where it left one patient's new handout beside another patient's card; a folder
    in a file's place is found before any file is replaced. (Flushed when the manifest lists them.)
    Each file gets ``mode``, else the mode of the file it replaces (``_mode_for``)."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            check_replaceable(path)
            staged.append((_staged(path, data, flush=False, mode=mode), path))
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    _rename_into_place(staged)


def check_replaceable(path: Path) -> None:
    """Raise OSError naming ``path`` when something other than a file (or a link) is in its place."""
    if os.path.lexists(path) and not (path.is_symlink() or path.is_file()):
        code = errno.EISDIR if path.is_dir() else errno.EEXIST
        raise OSError(code, os.strerror(code), str(path))


def _rename_into_place(staged: Sequence[tuple[str, Path]]) -> None:
    """Each temporary file renamed to its path. On a failure the temporaries not yet renamed are
    removed (they hold patient data) and the error names the file, not its temporary."""
    for index, (temporary, path) in enumerate(staged):
        try:
            os.replace(temporary, path)
        except BaseException as error:
            for left, _ in staged[index:]:
                Path(left).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise OSError(error.errno, error.strerror, str(path)) from None
            raise


def _staged(path: Path, data: bytes, flush: bool, mode: int | None = None) -> str:
    """``data`` in a temporary file beside ``path``, with the mode ``path`` will have; its name.
    An error names ``path``, not the temporary file."""
    stream, temporary = _temporary_beside(path, "wb")
    try:
        stream.write(data)
        _close_staged(stream, temporary, path, flush, mode)
    except BaseException as error:
        stream.close()
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise
    return temporary


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_current_umask()  # read once, at import: os.umask is process-wide


def within_umask(mode: int) -> int:
    """``mode`` with what the umask takes away from a new file taken away too: a file replacing
    another never allows more than the umask does (an administrator who set a stricter umask
    after finding 644 files kept getting 644)."""
    return mode & _NEW_FILE_MODE


def _mode_for(path: Path) -> int:
    """The mode of the file ``path`` replaces (an administrator's 600 stays 600) within the umask,
    else what the umask gives a new file (it was always 644, readable by every user of the machine)."""
    try:
        status = os.lstat(path)
    except OSError:
        return _NEW_FILE_MODE
    return within_umask(stat.S_IMODE(status.st_mode)) if stat.S_ISREG(status.st_mode) else _NEW_FILE_MODE


def _temporary_beside(path: Path, mode: str, **open_args: Any) -> tuple[Any, str]:
    """An open temporary file in ``path``'s folder (hidden, ``.part``), and its name. An error
    names ``path`` (a read-only folder named the temporary file, a name nobody knows)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None
    return os.fdopen(handle, mode, **open_args), temporary


def _close_staged(stream: Any, temporary: str, path: Path, flush: bool, mode: int | None = None) -> None:
    """Close the temporary file (on disk first when ``flush``) with the mode ``path`` will have."""
    if flush:
        stream.flush()
        os.fsync(stream.fileno())
    stream.close()
    os.chmod(temporary, _mode_for(path) if mode is None else mode)


def _publish(stream: Any, temporary: str, path: Path, flush: bool) -> None:
    """Close the temporary file and rename it to ``path``, atomically."""
    _close_staged(stream, temporary, path, flush)
    _rename_into_place([(temporary, path)])


# The names of the files a run writes (a document, its edited copy, a print part, the run's
# record), and of their temporary files: only these are named when a write fails.
_OWN_FILE = re.compile(r"^\.?([a-z][a-z0-9_-]*(?:\.edited(?:-[0-9]+)?)?\.(?:pdf|csv))(?:\.[A-Za-z0-9_]+\.part)?$")


def cannot_write(error: OSError) -> str:
    """What a failed write says: the file's name when it is one of ours, never a folder's (named
    after the patient's MRN or name: "cannot write RCC-00002" went to stderr and errors.csv)."""
    target = error.filename2 or error.filename  # os.replace names the temporary file first
    own = _OWN_FILE.match(Path(target).name) if isinstance(target, (str, os.PathLike)) else None
    return f"cannot write {own[1] if own else 'into the output folder'} ({error.strerror})"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


EDITED_MARK = "edited"
EDITED_COPIES = 99  # checklist.edited.pdf, then checklist.edited-2.pdf ... -99.pdf


def recorded_digests(manifest_rows: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """File (relative to the manifest's folder) -> the sha256 the run that wrote it recorded."""
    return {row["file"]: row["sha256"] for row in manifest_rows}


def keep_copy(path: Path, data: bytes) -> Path:
    """``path`` (whose bytes are ``data``) kept beside it as ``<name>.edited.pdf``, then
    ``.edited-2.pdf`` ..., before a run replaces or removes it; returns where. A copy already
    kept (the same bytes) is not kept twice."""
    for candidate in _edited_names(path):
        if not os.path.lexists(candidate):
            _copy_beside(path, candidate, data)
            return candidate
        if _same_bytes(candidate, data):
            return candidate
    raise OSError(errno.EEXIST, f"{EDITED_COPIES} edited copies already kept", str(path))


def regular_file_bytes(path: Path) -> bytes | None:
    """The file's bytes; None when there is none, or a link or a folder is in its place."""
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _edited_names(path: Path) -> Iterator[Path]:
    yield path.with_name(f"{path.stem}.{EDITED_MARK}{path.suffix}")
    for number in range(2, EDITED_COPIES + 1):
        yield path.with_name(f"{path.stem}.{EDITED_MARK}-{number}{path.suffix}")


def _copy_beside(path: Path, copy: Path, data: bytes) -> None:
    """A second name for the file (its mode kept, within the umask), or, where links are not
    allowed, a copy."""
    try:
        os.link(path, copy)
    except OSError:
        write_atomic(copy, data, flush=False)
        return
    os.chmod(copy, within_umask(stat.S_IMODE(os.lstat(copy).st_mode)))  # the old name is replaced next


def _same_bytes(path: Path, data: bytes) -> bool:
    return regular_file_bytes(path) == data


@dataclass(frozen=True, slots=True)  # a cohort's run holds thousands
class ManifestRow:
    record: str
    document: str
    file: str
    pages: int
    sha256: str
    language: str
    version: str
    reviewed: str
    row: str = ""
    policy: str = ""  # the policy profile the dates and durations came from (``policy.policy_record``)


MANIFEST_COLUMNS = tuple(f.name for f in fields(ManifestRow))
# Manifests written before the policy column: still read (their digests spare reading files back).
_MANIFEST_COLUMNS_BEFORE_POLICY = MANIFEST_COLUMNS[:-1]
# A spreadsheet runs a cell that starts with one of these as a formula: a roster value typed as
# "=HYPERLINK(...)" and shown in errors.csv (--show-values) would run when staff open it in Excel.
# (The manifest's cells are folder names, document names, hashes and dates: never such a cell.)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cells: Iterable[object]) -> list[object]:
    """A CSV row that a spreadsheet shows as text: a cell that would start a formula gets a leading
    apostrophe (OWASP's advice for CSV injection)."""
    return [f"'{cell}" if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) else cell for cell in cells]


ERRORS_FILE = "errors.csv"  # a batch's problems, beside its manifest
PRINT_DIR = "print"  # a batch's print files
MANIFEST_FILE = "manifest.csv"


def earlier_manifest(directory: Path) -> list[dict[str, str]]:
    """The rows of the ``manifest.csv`` an earlier run left in ``directory`` (none when there is
    none, or it is not one of ours)."""
    return _manifest_rows(directory / MANIFEST_FILE) or []


def _manifest_rows(path: Path) -> list[dict[str, str]] | None:
    """The rows of the manifest at ``path``, also as a spreadsheet re-saves it (a BOM, semicolons or
    tabs, quotes); None when it cannot be read or is not one of ours."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    delimiter = _manifest_delimiter(text.partition("\n")[0])
    if delimiter is None:
        return None
    try:
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return None


def _manifest_delimiter(header: str) -> str | None:
    """The delimiter with which ``header`` is our manifest's, or None."""
    for delimiter in (",", ";", "\t"):
        titles = tuple(title.strip().strip('"') for title in header.strip().split(delimiter))
        if titles in (MANIFEST_COLUMNS, _MANIFEST_COLUMNS_BEFORE_POLICY):
            return delimiter
    return None


def check_manifest_is_ours(directory: Path) -> None:
    """Refuse a folder whose ``manifest.csv`` is a file carthandout did not write: the run
    replaced someone's own list without a word, where a PDF of the same kind stops the run. One
    of ours re-saved by a spreadsheet (a BOM, semicolons, quotes) is still ours."""
    path = directory / MANIFEST_FILE
    if path.is_file() and not _our_manifest_header(path):
        raise InputError("--output", f"{MANIFEST_FILE} here was not written by carthandout: move it away, "
                         "or give the run another folder", sensitive=False)


def _our_manifest_header(path: Path) -> bool:
    try:
        with open(path, "rb") as stream:
            first = stream.readline(4096).decode("utf-8-sig", errors="replace")
    except OSError:
        return True  # unreadable: the write that follows reports it
    return _manifest_delimiter(first) is not None


def write_manifest(directory: Path, rows: Iterable[ManifestRow]) -> Path:
    """The files of ``rows`` flushed to disk, then ``manifest.csv`` listing them."""
    with ManifestStream(directory) as manifest:
        manifest.extend(list(rows))
        return manifest.commit()


class ManifestStream:
    """``manifest.csv``, written row by row (a batch's as patients finish, in roster order), so a
    run never holds its cohort's rows. Each file listed starts flushing to disk at once, in
    background threads; the manifest takes its name only once every file it lists is on disk
    (``commit``). Left uncommitted, it is removed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0
        self._stream, self._temporary = _temporary_beside(directory / MANIFEST_FILE, "w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._stream, lineterminator="\n")
        self._writer.writerow(MANIFEST_COLUMNS)
        self._flusher = FileFlusher()

    def __enter__(self) -> "ManifestStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self._flusher.close()
        if not self._stream.closed:
            try:
                self._stream.close()  # flushes what is buffered: a full disk fails here too
            except OSError:
                pass
            finally:
                Path(self._temporary).unlink(missing_ok=True)

    def extend(self, rows: Sequence[ManifestRow]) -> None:
        with self._naming_the_manifest():
            self._writer.writerows([getattr(row, column) for column in MANIFEST_COLUMNS] for row in rows)
        self._flusher.add(self.directory / row.file for row in rows)
        self.count += len(rows)

    def commit(self) -> Path:
        self._flusher.wait()
        path = self.directory / MANIFEST_FILE
        with self._naming_the_manifest():
            _publish(self._stream, self._temporary, path, flush=True)
        return path

    @contextmanager
    def _naming_the_manifest(self) -> Iterator[None]:
        """An OSError (a full disk) names manifest.csv, not its temporary file or nothing."""
        try:
            yield
        except OSError as error:
            if error.filename and Path(error.filename).name == MANIFEST_FILE:
                raise
            raise OSError(error.errno, error.strerror, str(self.directory / MANIFEST_FILE)) from None


class FolderLock:
    """One run at a time writes into an output folder: a second batch into the same folder took
    the first's temporary files for a killed run's leftovers and removed them, and the first
    ended without its manifest. The lock is an advisory ``flock`` on the folder itself, so no
    file is left behind and a killed run's lock goes with its process. (No such lock on Windows,
    nor on a network file system that cannot lock a folder.)"""

    def __init__(self, folder: Path) -> None:
        self.handle: int | None = None
        try:
            import fcntl
        except ImportError:
            return
        self.handle = _opened_folder(folder)
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self.release()
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise InputError("--output", "another carthandout run is writing into this folder: let it finish, "
                                 "or give this run a folder of its own", sensitive=False) from None
            # A file system that cannot lock a folder (NFS, SMB, some FUSE mounts): the run goes on unlocked.

    def release(self) -> None:
        if self.handle is not None:
            os.close(self.handle)
            self.handle = None

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _opened_folder(folder: Path) -> int:
    """``folder``, made if need be, opened to be locked."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder, os.O_RDONLY)
    except OSError as error:
        problem = "is a link to nothing" if folder.is_symlink() and not folder.exists() else error.strerror
        raise InputError("--output", f"cannot be made a folder ({problem})", sensitive=False) from None


# What stops a run in order: SIGTERM, and SIGHUP where there is one (not on Windows).
TERMINATING = (signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else []))
INTERRUPTS = (signal.SIGINT, *TERMINATING)


# Read as the process starts, before a run ignores signals for a while (``interrupts_ignored``).
_STARTED_IGNORING_HANGUP = hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) == signal.SIG_IGN


def ignored_hangup(number: int) -> bool:
    """Whether ``number`` is SIGHUP and the process was started to ignore it (``nohup``, the usual
    way to leave a long batch running over SSH): it must not stop the run then."""
    return _STARTED_IGNORING_HANGUP and number == signal.SIGHUP


@contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP ignored: for the few writes that make a run's record (its documents
    renamed into place and the manifest listing them)."""
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in INTERRUPTS}
    try:
        yield
    finally:
        for number, earlier in previous.items():
            signal.signal(number, earlier)


def temporaries_of(name: str) -> str:
    """The glob pattern of the temporary files ``_staged`` makes for a file named ``name``."""
    return f".{glob.escape(name)}.*.part"


def remove_leftover_temporaries(folder: Path, patterns: Iterable[str]) -> None:
    """The temporary files a killed run left (hidden, holding a patient's data), by their patterns
    (``temporaries_of``): ``generate`` never removed them."""
    for pattern in patterns:
        for leftover in folder.glob(pattern):
            leftover.unlink(missing_ok=True)
