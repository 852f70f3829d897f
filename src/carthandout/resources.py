"""Access to the data shipped inside the package: content packs, fonts, policies, examples."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from carthandout.errors import ContentError


def package_dir(name: str) -> Traversable:
    """``name`` is one of handouts, fonts, policies, examples."""
    return resources.files(f"carthandout.{name}")


def read_yaml_text(text: str, origin: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise ContentError(f"{where}: {problem}") from None


def load_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ContentError(f"{path}: is not UTF-8 text") from None
    return read_yaml_text(text, str(path))


@lru_cache(maxsize=None)
def packaged_text(folder: str, relative: str) -> str:
    node = package_dir(folder)
    for part in relative.split("/"):
        node = node / part
    return node.read_text(encoding="utf-8")


def packaged_path(folder: str, relative: str) -> Path:
    """A real file path for packaged data (fonts need one for reportlab)."""
    node = package_dir(folder) / relative
    return Path(str(node))
