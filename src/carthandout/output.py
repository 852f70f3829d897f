"""Writing results: atomic files (temporary name, then rename) and the manifest."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Iterable, Iterator


# Flushing each file to disk on its own was a tenth of a batch's time and a fifth of a single
# ``generate``: both turn it off and sync once, before they write their manifest. The rename
# stays atomic either way (a killed process leaves the old file or the new one).
_flush_each_file = True


def flush_each_file(enabled: bool) -> None:
    global _flush_each_file
    _flush_each_file = enabled


def flush_to_disk() -> None:
    """Everything written so far, on disk (for files written while ``flush_each_file(False)``)."""
    if hasattr(os, "sync"):
        os.sync()


@contextmanager
def flushed_together() -> Iterator[None]:
    """Files written inside reach the disk together at the end (one sync instead of one each)."""
    flush_each_file(False)
    try:
        yield
    finally:
        flush_each_file(True)
        flush_to_disk()


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
