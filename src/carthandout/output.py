"""Writing results: atomic files (temporary name, then rename) and the manifest."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Iterable, Iterator


# Flushing each file to disk as it is written (an fsync each, one after the other) was a tenth
# of a batch's time and a fifth of a single ``generate``. Both defer it and flush their files
# together, just before writing their manifest: the disk commits concurrent flushes together,
# and only these files are flushed (``os.sync`` would also wait for every other program's
# writes). The rename stays atomic either way: a killed process leaves the old file or the new.
_flush_each_file = True
FLUSH_THREADS = 8


def flush_each_file(enabled: bool) -> None:
    global _flush_each_file
    _flush_each_file = enabled


def flush_files(paths: Iterable[Path]) -> None:
    """The data of every file in ``paths`` on disk, many flushed at once."""
    with ThreadPoolExecutor(FLUSH_THREADS) as pool:
        for _ in pool.map(_flush_file, paths):
            pass


def _flush_file(path: Path) -> None:
    try:
        handle = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # replaced or removed since: nothing of it to flush
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextmanager
def flushed_together() -> Iterator[None]:
    """Files written inside are flushed to disk together when it ends."""
    global _written_together
    flush_each_file(False)
    _written_together = []
    try:
        yield
    finally:
        written, _written_together = _written_together, None
        flush_each_file(True)
        flush_files(written)


_written_together: list[Path] | None = None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if _flush_each_file:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        if _written_together is not None:
            _written_together.append(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
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
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return buffer.getvalue().encode("utf-8")


def write_manifest(directory: Path, rows: Iterable[ManifestRow]) -> Path:
    path = directory / "manifest.csv"
    write_atomic(path, manifest_bytes(rows))
    return path
