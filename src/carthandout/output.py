"""Writing results: atomic files (temporary name, then rename) and the manifest."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from itertools import islice
from pathlib import Path
from typing import Iterable


# PDFs are written without flushing each to disk on its own (an fsync each, one after the other,
# was a tenth of a batch's time and a fifth of a single ``generate``). ``write_manifest`` flushes
# the files it lists together, then writes itself: what the manifest lists is on disk. The disk
# commits concurrent flushes together, and only these files are flushed (``os.sync`` would also
# wait for every other program's writes). The rename is atomic either way: a killed process
# leaves the old file or the new one.
FLUSH_THREADS = 8


FLUSH_BATCH = 256  # files handed to the threads at a time: a cohort's 7,000 at once held 10 MB of futures


def flush_files(paths: Iterable[Path]) -> None:
    """The data of every file in ``paths`` on disk, many flushed at once."""
    paths = iter(paths)
    with ThreadPoolExecutor(FLUSH_THREADS) as pool:
        while batch := list(islice(paths, FLUSH_BATCH)):
            for _ in pool.map(_flush_file, batch):
                pass


class FileFlusher:
    """Files flushed to disk by background threads as soon as they are handed over, so that a
    batch waits at the end only for its last few files, not for all of them (2 s for 7,000)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(FLUSH_THREADS)
        self._running: deque[Future] = deque()
        self._handed: set[str] = set()  # str, not Path: a cohort's 7,000 paths took 2 MB as Paths

    def __enter__(self) -> "FileFlusher":
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def add(self, paths: Iterable[Path]) -> None:
        for path in paths:
            name = str(path)
            if name not in self._handed:
                self._handed.add(name)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if flush:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


MANIFEST_COLUMNS = tuple(f.name for f in fields(ManifestRow))


def manifest_bytes(rows: Iterable[ManifestRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    writer.writerows([getattr(row, column) for column in MANIFEST_COLUMNS] for row in rows)
    return buffer.getvalue().encode("utf-8")


def write_manifest(directory: Path, rows: Iterable[ManifestRow], flusher: FileFlusher | None = None) -> Path:
    """The files of ``rows`` flushed to disk (by ``flusher`` when it has been flushing them
    already), then ``manifest.csv`` listing them."""
    rows = list(rows)
    if flusher is None:
        flush_files(directory / row.file for row in rows)
    else:
        flusher.add(directory / row.file for row in rows)
        flusher.wait()
    path = directory / "manifest.csv"
    write_atomic(path, manifest_bytes(rows))
    return path
