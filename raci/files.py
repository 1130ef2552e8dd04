"""What reading RACI matrix files and directory files share: errors, text, CSV and YAML."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import yaml

Fail = Callable[[int | None, str], Exception]  # builds the error for (line, message)

_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


class FileFormatError(ValueError):
    """A file that cannot be read; names the file and, when known, the line."""

    def __init__(self, file_name: str, line: int | None, message: str) -> None:
        self.file_name, self.line, self.message = file_name, line, message
        where = f"{file_name}, line {line}" if line else file_name
        super().__init__(f"{where}: {message}")


def base_name(name: str) -> str:
    """Return the last part of a path written with / or \\."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def read_text(content: str | bytes, max_bytes: int, fail: Fail) -> str:
    """Decode UTF-8 `content` (with or without BOM), refusing more than `max_bytes`."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if len(raw) > max_bytes:
        raise fail(None, f"file is larger than the {max_bytes // 1024} KiB limit")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(None, f"not UTF-8 text (bad byte at offset {exc.start})") from None


def csv_records(
    text: str, fail: Fail, *, one_line: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """Yield the non-blank CSV records of `text`, stripped, with the line each starts on.

    Strict: a quote left open is an error, never a cell that swallows the rest of
    the file. With `one_line`, a record may not run over several lines either (a
    quote left open and closed by a later one would silently merge the rows between).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for record in reader:
            if one_line and reader.line_num > start:
                raise fail(
                    start,
                    f"a quoted cell runs on to line {reader.line_num}; "
                    'a closing quote (") is missing',
                )
            if any(cell.strip() for cell in record):
                yield start, [cell.strip() for cell in record]
            start = reader.line_num + 1
    except csv.Error as exc:
        hint = '; a closing quote (") is missing' if reader.line_num > start else ""
        raise fail(start, f"not valid CSV ({exc}){hint}") from None


def write_csv(records: list[list[str]]) -> str:
    """Write `records` as CSV text with \\n line ends."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    return out.getvalue()


class _LineMapping(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on, for messages."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """YAML's safe loader, building mappings that know their line."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_LineMapping]:
    data = _LineMapping()
    data.line = node.start_mark.line + 1
    _refuse_duplicate_keys(node)
    yield data  # first, as PyYAML's own constructor does, so that aliases can refer to it
    data.update(loader.construct_mapping(node))


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    """A key given twice is an error: PyYAML would silently keep only the last one."""
    seen: set[str] = set()
    for key, _value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
            if key.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key.value}' appears twice", key.start_mark
                )
            seen.add(key.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
# Dates stay text, for the reader to check: PyYAML would raise a bare ValueError on
# 2026-02-30 and turn a date with a time into a datetime.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def read_yaml(text: str, fail: Fail) -> Any:
    """Parse `text` with YAML's safe loader; mappings get a line for `line_of`."""
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise fail(mark.line + 1 if mark else None, f"not valid YAML ({problem})") from None
    finally:
        loader.dispose()


def line_of(value: object) -> int | None:
    """Return the line a YAML mapping read by `read_yaml` starts on, if known."""
    return getattr(value, "line", None)


def check_mapping(
    value: object, keys: tuple[str, ...], what: str, line: int | None, fail: Fail
) -> None:
    """Insist that `value` is a mapping using only `keys`."""
    if not isinstance(value, dict):
        raise fail(line, f"{what} must be a mapping of {', '.join(keys)}")
    if unknown := [str(key) for key in value if key not in keys]:
        known = ", ".join(keys)
        raise fail(line_of(value) or line, f"unknown key {', '.join(unknown)} (known: {known})")


def parse_bool(text: str) -> bool | None:
    """Read true/false/yes/no/1/0 (any case); an empty cell is None."""
    word = text.strip().lower()
    if not word:
        return None
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(f"'{text.strip()}' is not true or false (use true, false, yes, no, 1 or 0)")


def yaml_bool(value: object) -> bool:
    """Read a YAML flag: a boolean, or text that `parse_bool` reads."""
    if isinstance(value, bool):
        return value
    flag = parse_bool(value) if isinstance(value, str) else None
    if flag is None:
        raise ValueError(f"{value!r} is not true or false")
    return flag
