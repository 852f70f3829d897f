"""Access to the data shipped inside the package: content packs, fonts, policies, examples."""
from __future__ import annotations

import codecs
import re
import stat
import sys
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Callable, Hashable

import yaml

from carthandout.errors import ContentError


def package_dir(name: str) -> Traversable:
    """``name`` is one of handouts, fonts, policies, examples."""
    return resources.files(f"carthandout.{name}")


MERGE_TAG = "tag:yaml.org,2002:merge"


class _KeyProblem(yaml.constructor.ConstructorError):
    """A key given twice (``key``), or not a field name: in a file of patient data the key is
    quoted only when ``read_yaml_text``'s ``key_shown`` accepts it, since it may be patient data itself."""

    key: Any = None


class _UniqueKeySafeLoader(yaml.SafeLoader):
    """``yaml.safe_load``, except that a key given twice in one mapping is an error.

    PyYAML silently keeps the last value, so ``name:`` written twice would print the wrong name.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        repeated = self._keys_given_twice(node)
        if repeated:
            key, key_node = repeated[0]
            problem = _KeyProblem(None, None, f"the key {key!r} is given twice", key_node.start_mark)
            problem.key = key
            raise problem
        return super().construct_mapping(node, deep)

    def _keys_given_twice(self, node: yaml.MappingNode) -> list[tuple[Any, yaml.Node]]:
        """Each key given more than once in the mapping (once, with where it is given again)."""
        seen: set = set()
        repeated: list[tuple[Any, yaml.Node]] = []
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # "<<: *base": the base's keys, which this mapping may override
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable) or isinstance(key, (list, dict)):
                raise _KeyProblem(None, None, "a key must be a field name, not a list or a mapping", key_node.start_mark)
            if key in seen and key not in (known for known, _ in repeated):
                repeated.append((key, key_node))
            seen.add(key)
        return repeated

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date-shaped value that is no date (``2027-02-30``) stays text, for the field's own check.

        PyYAML raises ``ValueError`` for it while reading the file: a roster would fail whole,
        and the message would name neither the row nor the field.
        """
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        """A plain decimal whole number; anything else YAML 1.1 reads as one stays text, for the
        field's own check: ``072`` read as octal 58, ``1:12`` (base 60) and ``0x48`` as 72 (an
        unquoted weight of 072 kg changed the staff dose line)."""
        return super().construct_yaml_int(node) if _PLAIN_INTEGER.match(node.value) else self.construct_scalar(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        """Likewise a number written in base 60 (``1:12.5``)."""
        return self.construct_scalar(node) if ":" in node.value else super().construct_yaml_float(node)


_PLAIN_INTEGER = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_UniqueKeySafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _UniqueKeySafeLoader.construct_yaml_timestamp)
_UniqueKeySafeLoader.add_constructor("tag:yaml.org,2002:int", _UniqueKeySafeLoader.construct_yaml_int)
_UniqueKeySafeLoader.add_constructor("tag:yaml.org,2002:float", _UniqueKeySafeLoader.construct_yaml_float)


class MappingWithRepeatedKeys(dict):
    """A mapping read with ``repeated_keys_allowed``: ``repeated_keys`` lists the keys given more
    than once (their last value is kept), for the reader to report."""

    repeated_keys: tuple = ()


class _RepeatedKeysRecordingLoader(_UniqueKeySafeLoader):
    """A key given twice is noted on its mapping instead of stopping the file: a roster reports
    it for that patient alone."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._repeated_keys: dict[int, tuple] = {}

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        self._repeated_keys[id(node)] = tuple(key for key, _ in self._keys_given_twice(node))
        return yaml.SafeLoader.construct_mapping(self, node, deep)

    def construct_yaml_map(self, node: yaml.MappingNode) -> Any:
        data = MappingWithRepeatedKeys()
        yield data
        data.update(self.construct_mapping(node))
        data.repeated_keys = self._repeated_keys.pop(id(node), ())


_RepeatedKeysRecordingLoader.add_constructor("tag:yaml.org,2002:map", _RepeatedKeysRecordingLoader.construct_yaml_map)


def read_yaml_text(text: str, origin: str, private: bool = False, repeated_keys_allowed: bool = False,
                   key_shown: Callable[[Any], bool] | None = None) -> Any:
    """The YAML document in ``text``; ContentError naming ``origin`` and the line when it is not valid.

    ``private``: the text holds patient data, and PyYAML quotes what it could not read (a tag,
    an alias, a key): the quoted parts are left out of the message, but a key ``key_shown`` accepts.
    ``repeated_keys_allowed``: mappings are ``MappingWithRepeatedKeys``, a key given twice noted
    on its mapping instead of being an error.
    """
    loader = _RepeatedKeysRecordingLoader if repeated_keys_allowed else _UniqueKeySafeLoader
    return _read_yaml(text, origin, loader, private, key_shown)[0]


def read_yaml_document(text: str, origin: str) -> tuple[Any, yaml.Node | None]:
    """``read_yaml_text``'s data, and the node tree it was built from (where each value was written,
    and how: quoted or not), from one reading."""
    return _read_yaml(text, origin, _UniqueKeySafeLoader)


def _read_yaml(text: str, origin: str, loader_class: type[yaml.SafeLoader], private: bool = False,
               key_shown: Callable[[Any], bool] | None = None) -> tuple[Any, yaml.Node | None]:
    try:
        loader = loader_class(text)
        try:  # what yaml.load does, keeping the node
            node = loader.get_single_node()
            return (loader.construct_document(node) if node is not None else None), node
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        plain, at_context = _plain_words(problem)  # read before quoted parts are left out
        mark = getattr(exc, "context_mark", None) if at_context else None
        mark = mark or getattr(exc, "problem_mark", None)
        shown = isinstance(exc, _KeyProblem) and (exc.key is None or (key_shown is not None and key_shown(exc.key)))
        if private and not shown:
            problem = re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", problem)
        words = f"{plain} ({problem})" if plain else problem
        raise ContentError(f"{_where(origin, mark.line + 1 if mark else None)}{words}") from None
    except RecursionError:  # thousands of brackets inside each other: PyYAML reads them recursively
        raise ContentError(f"{_where(origin)}is nested too deeply to be read") from None


# What the parser's words for the usual slips of hand-edited YAML mean ("expected <block end>,
# but found '...'" told a nurse nothing), and whether the slip is on the line of the parser's
# context (a key without its colon is found a line later).
_PLAIN_WORDS = (
    ("expected <block end>", "a line is indented more or less than the lines around it, or a quote above it is "
                             "not closed", False),
    ("mapping values are not allowed", "a line is indented more than the one above it, or a value holds a colon "
                                       "(put the value in quotes)", False),
    ("could not find expected ':'", "a line lacks the colon after its field name", True),
    ("end of stream", "a quote or a bracket is left open", False),
    ("<stream end>", "a quote or a bracket is left open", False),
    ("but found another document", "the file holds more than one YAML document (a --- line starts another)", False),
    ("cannot start any token", "a character that cannot start a value there (a tab? indent with spaces; else put "
                               "the value in quotes)", False),
)


def _plain_words(problem: str) -> tuple[str | None, bool]:
    return next(((words, at_context) for marker, words, at_context in _PLAIN_WORDS if marker in problem), (None, False))


def _where(origin: str, line: int | None = None) -> str:
    """"p.yaml:4: " before a problem; with no ``origin`` (the field names the file), "line 4: "."""
    if not origin:
        return f"line {line}: " if line else ""
    return f"{origin}:{line}: " if line else f"{origin}: "


# A patient or clinic file is a few kilobytes, a roster of ten thousand patients a few megabytes;
# PyYAML reads about a megabyte a second, and /dev/zero never ends.
YAML_FILE_MAX_BYTES = 1_000_000


def check_regular_file(path: Path, origin: str, max_bytes: int) -> None:
    """Raise ContentError unless ``path`` (links followed) is a regular file of at most ``max_bytes``
    (a roster, read more than once): a device (/dev/zero) ran the process out of memory."""
    try:
        status = path.stat()
    except OSError as exc:
        raise ContentError(f"{_where(origin)}cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(status.st_mode):
        raise ContentError(f"{_where(origin)}is not a file (a folder, a device or a pipe)")
    if status.st_size > max_bytes:
        raise ContentError(_where(origin) + _too_large(max_bytes))


def _too_large(max_bytes: int) -> str:
    return f"is too large to read (more than {max_bytes:,} bytes)"


def read_bounded_text(path: Path, origin: str, max_bytes: int) -> str:
    """The UTF-8 text of a file, a pipe (``--patient <(gpg -d ...)``) or a device, read up to
    ``max_bytes``: /dev/zero ran the process out of memory. ``origin`` names it in errors ("":
    the caller's field does)."""
    prefix = _where(origin)
    if str(path) == "-":  # standard input, as Unix tools read "-": gpg -d patient.yaml.gpg | ... --patient -
        data = sys.stdin.buffer.read(max_bytes + 1)
    elif path.is_dir():
        raise ContentError(f"{prefix}is a folder, not a file")
    else:
        try:
            with path.open("rb") as stream:
                data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise ContentError(f"{prefix}cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise ContentError(prefix + _too_large(max_bytes))
    try:
        if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # its mark begins as UTF-16's does
            raise UnicodeDecodeError("utf-32", data, 0, 4, "not read")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError(f"{prefix}is not UTF-8 or UTF-16 text") from None


def load_yaml_file(path: Path, private: bool = False, repeated_keys_allowed: bool = False,
                   key_shown: Callable[[Any], bool] | None = None, max_bytes: int = YAML_FILE_MAX_BYTES,
                   origin: str | None = None) -> Any:
    """``origin`` names the file in errors; by default its path, or (``private``) its name alone: a
    patient's file may sit in a folder named after them."""
    if origin is None:
        origin = "standard input" if str(path) == "-" else path.name if private else str(path)
    return read_yaml_text(read_bounded_text(path, origin, max_bytes), origin, private, repeated_keys_allowed, key_shown)


def packaged_path(folder: str, relative: str) -> Path:
    """A real file path for packaged data (fonts need one for reportlab)."""
    node = package_dir(folder) / relative
    return Path(str(node))
