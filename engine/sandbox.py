"""Run BPMN scripts and expressions where they cannot reach the OS.

Built on RestrictedPython, which refuses at compile time imports, names and
attributes that start with an underscore (so no ``__class__`` walks), and lets
us guard attribute access, item access and iteration at run time. On top of it
this module adds what RestrictedPython leaves to the host:

* a small allowlist of builtins (no ``open``, ``eval``, ``exec``, ``compile``,
  ``getattr``, ``type``, classes or modules);
* an allowlist of methods per value type;
* size checks on the operations that can allocate a lot in one C call
  (``*``, ``**``, ``<<``, ``+``, ``%``-formatting, f-strings and format specs,
  ``str()`` and ``print`` of containers, ``int.to_bytes``, ``sum``, ``round``,
  ``str.replace``, ``str.join``, ``list.extend``, ``range``), since a single C
  call cannot be interrupted (estimates in ``engine/sandbox_sizes.py``); and
  what collects a lazy iterator (``list``, ``sorted``, ``[*it]``, ...) does it
  in a Python loop the trace function sees (``_collect``);
* a CPU deadline and a memory ceiling, both enforced by a trace function
  raising an exception scripts cannot catch (bare ``except:`` is refused, and
  ``BaseException`` is not reachable). The ceiling is on the growth of the
  process's resident memory while the script runs, read from /proc every
  millisecond: tracemalloc would count exactly, but makes allocating code
  about ten times slower; a resource-limited child per script would cost a
  fork per gateway condition, and RLIMIT_AS cannot be set for one script in a
  web worker. What one C call may allocate between two readings is bounded by
  the size checks above;
* a bound on the size of the data a script leaves behind.
"""

from __future__ import annotations

import ast
import builtins
import gc
import json
import operator
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from datetime import time as time_of_day
from decimal import Decimal
from functools import lru_cache
from types import ModuleType
from typing import Any
from uuid import UUID

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
)
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.PrintCollector import PrintCollector

from . import sandbox_modules as modules
from .errors import ScriptError
from .sandbox_sizes import percent_size, spec_width, text_size

MAX_ITEMS = 1_000_000  # longest str/list/range a script may build in one operation
MAX_INT_BITS = 64 * 1024
MAX_ROUND_DIGITS = 10_000  # round(x, n): |n| beyond this makes a huge power of ten
MAX_DATA_BYTES = 1024 * 1024  # task data a script may leave behind, as JSON
MAX_MESSAGE = 500  # characters of a script's own error message that we keep
DEFAULT_TIME_LIMIT = 1.0  # CPU seconds per script or expression
DEFAULT_MEMORY_LIMIT = 64 * 1024 * 1024  # bytes a script may add to the process's memory
_MEMORY_CHECK_INTERVAL = 0.001  # seconds between two readings of the resident memory


class _LimitExceeded(BaseException):
    """Raised inside a script when it runs out of time or memory; scripts cannot catch it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refuse(message: str) -> None:
    raise ScriptError(message)


def _refuse_text(size: int, what: str) -> None:
    if size > MAX_ITEMS:
        _refuse(f"text too large: {what} would exceed the sandbox limit of {MAX_ITEMS} characters")


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def _guard_binop(op: str, left: Any, right: Any) -> Any:
    """Apply a potentially allocating operator after checking the result's size."""
    if op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if max(left.bit_length(), 1) * right > MAX_INT_BITS:
            _refuse("number too large: '**' result would exceed the sandbox limit")
    elif op == "<<" and isinstance(right, int) and right > MAX_INT_BITS:
        _refuse("number too large: '<<' result would exceed the sandbox limit")
    elif op == "*":
        for seq, times in ((left, right), (right, left)):
            if _sized(seq) and isinstance(times, int) and _sized(seq) * times > MAX_ITEMS:
                _refuse("sequence too large: '*' result would exceed the sandbox limit")
        both_ints = isinstance(left, int) and isinstance(right, int)
        if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            _refuse("number too large: '*' result would exceed the sandbox limit")
    elif op == "+" and _sized(left) + _sized(right) > MAX_ITEMS:
        _refuse("sequence too large: '+' result would exceed the sandbox limit")
    elif op == "%" and isinstance(left, (str, bytes)):
        _refuse_text(percent_size(left, right, MAX_ITEMS), "this '%' format")
    return _BINOPS[op](left, right)


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "**": operator.pow,
    "<<": operator.lshift,
    "*": operator.mul,
    "+": operator.add,
    "%": operator.mod,
}
_GUARDED_AST_OPS = {ast.Pow: "**", ast.LShift: "<<", ast.Mult: "*", ast.Add: "+", ast.Mod: "%"}
_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": lambda a, b: _guard_binop("+", a, b),
    "*=": lambda a, b: _guard_binop("*", a, b),
    "**=": lambda a, b: _guard_binop("**", a, b),
    "<<=": lambda a, b: _guard_binop("<<", a, b),
    "%=": lambda a, b: _guard_binop("%", a, b),
    "-=": operator.sub,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    ">>=": operator.rshift,
    "&=": operator.and_,
    "|=": operator.or_,
    "^=": operator.xor,
}


class _SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus guarded operators and no bare except."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _GUARDED_AST_OPS.get(type(node.op))
        if symbol is None:
            return node
        name = ast.copy_location(ast.Name("_binop_", ast.Load()), node)
        op = ast.copy_location(ast.Constant(symbol), node)
        call = ast.Call(func=name, args=[op, node.left, node.right], keywords=[])
        return ast.copy_location(call, node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """f'{value!conversion:spec}' -> f'{_format_(value, conversion, spec)}'."""
        node = self.node_contents_visit(node)
        spec = node.format_spec or ast.Constant("")
        args = [node.value, ast.Constant(node.conversion), spec]
        call = ast.Call(func=ast.Name("_format_", ast.Load()), args=args, keywords=[])
        formatted = ast.FormattedValue(value=call, conversion=-1, format_spec=None)
        return ast.fix_missing_locations(ast.copy_location(formatted, node))

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        """[*it], f(*it) -> [*_collect_(it)]: unpacking a lazy iterator is a C loop."""
        node = self.node_contents_visit(node)
        if not isinstance(node.ctx, ast.Load):
            return node
        call = ast.Call(func=ast.Name("_collect_", ast.Load()), args=[node.value], keywords=[])
        node.value = ast.copy_location(call, node.value)
        return ast.fix_missing_locations(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        if node.type is None:
            self.error(node, "a bare 'except:' is not allowed; name the exception")
        return super().visit_ExceptHandler(node)

    def visit_Import(self, node: ast.Import) -> ast.AST:
        for alias in node.names:
            if alias.name not in modules.SAFE_MODULES:
                self.error(
                    node, f"import of '{alias.name}' is not allowed; {modules.allowed_modules()}"
                )
        return super().visit_Import(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        module = modules.SAFE_MODULES.get(node.module or "") if not node.level else None
        if module is None:
            self.error(
                node, f"import from '{node.module}' is not allowed; {modules.allowed_modules()}"
            )
        else:
            for alias in node.names:
                if alias.name.startswith("_") or not hasattr(module, alias.name):
                    self.error(node, f"'{node.module}' has no '{alias.name}' for scripts")
        return super().visit_ImportFrom(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "class definitions are not allowed in scripts")
        return node


def _guarded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_ITEMS:
        _refuse(f"range of {len(result)} items exceeds the sandbox limit of {MAX_ITEMS}")
    return result


def _guarded_replace(text: str) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1) -> str:
        occurrences = text.count(old) if old else len(text) + 1
        if count >= 0:
            occurrences = min(occurrences, count)
        if len(text) + occurrences * len(new) > MAX_ITEMS:
            _refuse("str.replace result would exceed the sandbox limit")
        return text.replace(old, new, count)

    return replace


# Collections whose copy is no larger than what they already hold.
_CONCRETE = (
    list, tuple, str, bytes, range, dict, set, frozenset,
    type({}.keys()), type({}.values()), type({}.items()),
)  # fmt: skip


def _collect(items: Any) -> Any:
    """`items` if it is a concrete collection, else a list of what it yields, gathered here.

    A C loop over a lazy iterator (list(map(tuple, ...)), sorted(zip(...)), [*it])
    could build gigabytes before the trace function next runs; this loop is Python,
    so the memory ceiling is checked while it runs.
    """
    if isinstance(items, _CONCRETE):
        return items
    collected: list[Any] = []
    for item in items:
        collected.append(item)
    return collected


def _guarded_list(items: Any = ()) -> list[Any]:
    return list(_collect(items))


def _guarded_tuple(items: Any = ()) -> tuple[Any, ...]:
    return tuple(_collect(items))


def _guarded_set(items: Any = ()) -> set[Any]:
    return set(_collect(items))


def _guarded_frozenset(items: Any = ()) -> frozenset[Any]:
    return frozenset(_collect(items))


def _guarded_dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    return dict(*(_collect(arg) for arg in args), **kwargs)


def _guarded_sorted(items: Any, /, *, key: Any = None, reverse: bool = False) -> list[Any]:
    return sorted(_collect(items), key=key, reverse=reverse)


def _collecting(name: str) -> Callable[[Any], Callable[..., Any]]:
    """A method (dict.update, set.union, ...) that gathers lazy arguments first."""

    def wrap(target: Any) -> Callable[..., Any]:
        method = getattr(target, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return method(*(_collect(arg) for arg in args), **kwargs)

        return call

    return wrap


def _guarded_padding(name: str) -> Callable[[str], Callable[..., str]]:
    """str.zfill/ljust/rjust/center, refusing a width that would make huge text."""

    def wrap(text: str) -> Callable[..., str]:
        method = getattr(text, name)

        def pad(width: int, *args: Any) -> str:
            if isinstance(width, int) and width > MAX_ITEMS:
                _refuse(f"str.{name} to {width} characters exceeds the sandbox limit")
            return method(width, *args)

        return pad

    return wrap


def _guarded_str_format(text: str) -> Callable[..., str]:
    def format_(*args: Any, **kwargs: Any) -> str:
        return modules.SafeFormatter(_guarded_getattr).vformat(text, args, kwargs)

    return format_


def _guarded_format_map(text: str) -> Callable[[Any], str]:
    def format_map(mapping: Any) -> str:
        return modules.SafeFormatter(_guarded_getattr).vformat(text, (), mapping)

    return format_map


def _guarded_fromkeys(_: Any) -> Callable[..., dict[Any, Any]]:
    def fromkeys(keys: Any, value: Any = None) -> dict[Any, Any]:
        return dict.fromkeys(_collect(keys), value)

    return fromkeys


def _guarded_join(separator: str) -> Callable[[Any], str]:
    def join(items: Any) -> str:
        items = _collect(items)
        total = len(separator) * len(items) + sum(len(i) for i in items if isinstance(i, str))
        if total > MAX_ITEMS:
            _refuse("str.join result would exceed the sandbox limit")
        return separator.join(items)

    return join


def _guarded_extend(target: list) -> Callable[[Any], None]:
    def extend(items: Any) -> None:
        items = _collect(items)
        if len(target) + len(items) > MAX_ITEMS:
            _refuse("list.extend result would exceed the sandbox limit")
        target.extend(items)

    return extend


def _guarded_to_bytes(number: int) -> Callable[..., bytes]:
    def to_bytes(length: int = 1, *args: Any, **kwargs: Any) -> bytes:
        if isinstance(length, int) and length > MAX_ITEMS:
            _refuse(f"int.to_bytes of {length} bytes exceeds the sandbox limit of {MAX_ITEMS}")
        return number.to_bytes(length, *args, **kwargs)

    return to_bytes


def _guarded_ratio(number: Any) -> Callable[[], tuple[int, int]]:
    def as_integer_ratio() -> tuple[int, int]:
        if isinstance(number, Decimal):  # Decimal('1e999999999') is 10**999999999 as an int
            _refuse_text(text_size(number, MAX_ITEMS), "as_integer_ratio() of this decimal")
        return number.as_integer_ratio()

    return as_integer_ratio


def _guarded_format(value: Any, conversion: int, spec: str) -> str:
    """What an f-string's {value!conversion:spec} does, once its size is known to be sane."""
    size = text_size(value, MAX_ITEMS) + spec_width(spec)
    _refuse_text(size, "this f-string format")
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("a"):
        value = ascii(value)
    elif conversion == ord("s"):
        value = str(value)
    return format(value, spec)


def _guarded_str(*args: Any, **kwargs: Any) -> str:
    if args:
        _refuse_text(text_size(args[0], MAX_ITEMS), "str() of this value")
    return str(*args, **kwargs)


def _guarded_int(*args: Any, **kwargs: Any) -> int:
    if args and isinstance(args[0], Decimal):
        _refuse_text(text_size(args[0], MAX_ITEMS), "int() of this decimal")
    return int(*args, **kwargs)


def _guarded_round(number: Any, ndigits: int | None = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        _refuse(f"round() to {ndigits} digits exceeds the sandbox limit of {MAX_ROUND_DIGITS}")
    if ndigits is None and isinstance(number, Decimal):
        _refuse_text(text_size(number, MAX_ITEMS), "round() of this decimal")
    return round(number) if ndigits is None else round(number, ndigits)


def _guarded_sum(items: Any, start: Any = 0) -> Any:
    if isinstance(start, (list, tuple)):  # concatenating sequences, one C call
        items = _collect(items)
        if len(start) + sum(_sized(item) for item in items) > MAX_ITEMS:
            _refuse("sequence too large: sum() of these sequences exceeds the sandbox limit")
    return sum(items, start)


def _guarded_isinstance(value: Any, kinds: Any) -> bool:
    """isinstance, seeing the guarded str and int as the types they stand for."""
    if isinstance(kinds, tuple):
        kinds = tuple(_GUARDED_TYPES.get(kind, kind) for kind in kinds)
    else:
        kinds = _GUARDED_TYPES.get(kinds, kinds)
    return isinstance(value, kinds)


_GUARDED_TYPES: dict[Any, type] = {
    _guarded_str: str,
    _guarded_int: int,
    _guarded_list: list,
    _guarded_tuple: tuple,
    _guarded_set: set,
    _guarded_frozenset: frozenset,
    _guarded_dict: dict,
    _guarded_range: range,  # type(range(0))(10**12) must be the bounded range
}
_GUARDED_BY_TYPE: dict[type, Any] = {kind: guard for guard, kind in _GUARDED_TYPES.items()}


class _GuardedPrintCollector(PrintCollector):
    """print(), refusing what would print more text than one operation may build."""

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        size = sum(text_size(item, MAX_ITEMS) for item in objects)
        _refuse_text(size + sum(len(text) for text in self.txt), "print()")
        super()._call_print(*objects, **kwargs)


_STR_METHODS = frozenset(
    [
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "find",
        "index",
        "isalnum",
        "isalpha",
        "isdigit",
        "isnumeric",
        "isspace",
        "islower",
        "isupper",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "rfind",
        "rindex",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
    ]
)
_ALLOWED_ATTRIBUTES: dict[type, frozenset[str]] = {
    str: _STR_METHODS,
    dict: frozenset(
        ["get", "items", "keys", "values", "pop", "setdefault", "update", "copy", "clear"]
    ),
    list: frozenset(
        ["append", "count", "index", "insert", "pop", "remove", "reverse", "sort", "copy"]
    ),
    tuple: frozenset({"count", "index"}),
    set: frozenset(
        ["add", "discard", "remove", "union", "intersection", "difference", "issubset", "copy"]
    ),
    frozenset: frozenset(["union", "intersection", "difference", "issubset"]),
}
_WRAPPED_METHODS: dict[tuple[type, str], Callable[[Any], Callable[..., Any]]] = {
    (str, "replace"): _guarded_replace,
    (str, "join"): _guarded_join,
    (str, "format"): _guarded_str_format,
    (str, "format_map"): _guarded_format_map,
    **{(str, name): _guarded_padding(name) for name in ("zfill", "ljust", "rjust", "center")},
    (list, "extend"): _guarded_extend,
    (int, "to_bytes"): _guarded_to_bytes,
    (Decimal, "as_integer_ratio"): _guarded_ratio,
    (dict, "update"): _collecting("update"),
    **{
        (kind, name): _collecting(name)
        for kind in (set, frozenset)
        for name in ("union", "intersection", "difference", "issubset")
    },
}
_VALUE_TYPES = (date, datetime, timedelta, time_of_day, timezone, Decimal, int, float)


def _guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    for kind in type(obj).__mro__:  # bool's to_bytes is int's
        wrapper = _WRAPPED_METHODS.get((kind, name))
        if wrapper is not None:
            return wrapper(obj)
    if name.startswith("_"):
        raise ScriptError(f"access to attribute '{name}' of {type(obj).__name__} is not allowed")
    allowed = _ALLOWED_ATTRIBUTES.get(type(obj))
    if allowed is not None and name in allowed:
        return getattr(obj, name)
    if isinstance(obj, _VALUE_TYPES):
        override = modules.INSTANCE_OVERRIDES.get(type(obj), {}).get(name)
        return override if override is not None else getattr(obj, name)
    if modules.is_safe_module(obj):
        return getattr(obj, name)
    if isinstance(obj, type) and name in modules.CLASS_ATTRIBUTES.get(obj, {}):
        return modules.CLASS_ATTRIBUTES[obj][name]
    if obj is _guarded_dict and name == "fromkeys":
        return _guarded_fromkeys(obj)
    if isinstance(obj, modules.MATCH_TYPE) and name in modules.MATCH_ATTRIBUTES:
        return getattr(obj, name)
    if isinstance(obj, UUID) and name in modules.UUID_ATTRIBUTES:
        return getattr(obj, name)
    raise ScriptError(f"access to attribute '{name}' of {type(obj).__name__} is not allowed")


def _script_getattr(obj: Any, name: str, *default: Any) -> Any:
    """getattr(): what `obj.name` would give; the default only for a name obj lacks."""
    if not isinstance(name, str):
        raise ScriptError("getattr() needs the attribute's name as a string")
    try:
        return _guarded_getattr(obj, name)
    except ScriptError:
        if default and not name.startswith("_") and not hasattr(obj, name):
            return default[0]
        raise
    except AttributeError:
        if default:
            return default[0]
        raise


def _script_hasattr(obj: Any, name: str) -> bool:
    try:
        _guarded_getattr(obj, name)
    except (ScriptError, AttributeError):
        return False
    return True


# What type() answers: the values' types, as the names scripts know them by.
_VISIBLE_TYPES = frozenset(
    [str, int, float, bool, complex, list, tuple, dict, set, frozenset, type(None),
     date, datetime, timedelta, time_of_day, timezone, Decimal, UUID, range]
)  # fmt: skip


def _guarded_type(value: Any, *rest: Any) -> Any:
    """type(value) of a data value; type(name, bases, dict) would make a class: refused."""
    if rest:
        _refuse("type() with three arguments (making a class) is not allowed in scripts")
    kind = type(value)
    if kind not in _VISIBLE_TYPES:
        _refuse(f"type() of a {kind.__name__} is not available in scripts")
    return _GUARDED_BY_TYPE.get(kind, kind)


def _guarded_repr(value: Any) -> str:
    _refuse_text(text_size(value, MAX_ITEMS), "repr() of this value")
    return repr(value)


def _guarded_write(obj: Any) -> Any:
    if isinstance(obj, (dict, list, set)):
        return obj
    raise ScriptError(f"scripts may not modify objects of type {type(obj).__name__}")


def _inplace(op: str, left: Any, right: Any) -> Any:
    return _INPLACE_OPS[op](left, right)


_SAFE_BUILTIN_NAMES = [
    "abs",
    "all",
    "any",
    "bool",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "int",
    "isinstance",
    "len",
    "list",
    "map",
    "max",
    "min",
    "reversed",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
    "next",
    "iter",
    "frozenset",
    "chr",
    "ord",
    "Exception",
    "ValueError",
    "KeyError",
    "TypeError",
    "IndexError",
    "ZeroDivisionError",
    "ArithmeticError",
    "LookupError",
    "None",
    "True",
    "False",
]
_SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in _SAFE_BUILTIN_NAMES}
_SAFE_BUILTINS.update(
    range=_guarded_range,
    str=_guarded_str,
    int=_guarded_int,
    round=_guarded_round,
    sum=_guarded_sum,
    isinstance=_guarded_isinstance,
    list=_guarded_list,
    tuple=_guarded_tuple,
    set=_guarded_set,
    frozenset=_guarded_frozenset,
    dict=_guarded_dict,
    sorted=_guarded_sorted,
    getattr=_script_getattr,
    hasattr=_script_hasattr,
    type=_guarded_type,
    repr=_guarded_repr,
    __import__=modules.guarded_import,
)

GUARD_GLOBALS: dict[str, Any] = {
    "__builtins__": _SAFE_BUILTINS,
    "_getattr_": _guarded_getattr,
    "_getitem_": lambda obj, key: obj[key],
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _guarded_write,
    "_inplacevar_": _inplace,
    "_binop_": _guard_binop,
    "_print_": _GuardedPrintCollector,
    "_format_": _guarded_format,
    "_collect_": _collect,
    "_apply_": lambda func, *args, **kwargs: func(*args, **kwargs),
}


@lru_cache(maxsize=1024)
def compile_script(source: str, mode: str = "exec") -> Any:
    """Compile a script (`mode` "exec") or expression ("eval"); raise ScriptError if refused."""
    if mode == "eval":
        source = source.strip()
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename="<script>", policy=_SandboxPolicy)
    if result.errors:
        raise ScriptError("script refused: " + "; ".join(result.errors))
    return result.code


class _Limits:
    """A trace function that stops the traced code once its time or memory is up.

    The time is the CPU time of the script's thread, so that a busy server, whose threads
    wait for a core, does not fail a short script. Reading it costs five times what the
    monotonic clock does, on every traced line; the clock, which runs at least as fast,
    is read instead, and the CPU time only when the clock says the time could be up.

    The interpreter's garbage collections do not count either: one that a script's
    allocation happens to start walks the whole process's heap and runs whatever
    finalizers it finds, which took a one-line timer expression past its second on a
    test worker with a large heap. `collecting` (in `gc.callbacks` while the script
    runs) keeps their time apart.
    """

    def __init__(self, seconds: float, memory_bytes: int) -> None:
        started = time.monotonic()
        self.cpu_started = time.thread_time()
        self.expires = started + seconds  # by the clock: the CPU time cannot be up before
        self.seconds = seconds
        self.memory_bytes = memory_bytes
        self.baseline = _resident_memory()
        self.next_check = started + _MEMORY_CHECK_INTERVAL
        self.thread = threading.get_ident()
        self.collected = 0.0  # CPU seconds of garbage collections finished
        self.collecting_since: float | None = None

    def seconds_left(self) -> float:
        """CPU seconds the script may still use."""
        now = time.thread_time()
        collecting = now - self.collecting_since if self.collecting_since is not None else 0.0
        return self.seconds - (now - self.cpu_started - self.collected - collecting)

    def collecting(self, phase: str, _info: dict[str, Any]) -> None:
        """A garbage collection starts or stops (in any thread: only this one's count)."""
        if threading.get_ident() != self.thread:
            return
        if phase == "start":
            self.collecting_since = time.thread_time()
        elif self.collecting_since is not None:
            self.collected += time.thread_time() - self.collecting_since
            self.collecting_since = None

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        # Never stop code the collector calls (this class's callback, finalizers): it is
        # not the script's, and what it raised would be swallowed, and would switch this
        # trace function off (sys.settrace) for the rest of the script.
        if self.collecting_since is not None:
            return self
        if frame.f_code is _COLLECTING:
            return None
        now = time.monotonic()
        if now > self.expires:
            left = self.seconds_left()
            if left <= 0:
                raise _LimitExceeded(f"script exceeded its time limit of {self.seconds:g}s")
            self.expires = now + left  # the thread waited for a core meanwhile
        if now >= self.next_check and self.baseline is not None:
            self.next_check = now + _MEMORY_CHECK_INTERVAL
            grown = (_resident_memory() or 0) - self.baseline
            if grown > self.memory_bytes:
                mib = self.memory_bytes // (1024 * 1024)
                raise _LimitExceeded(f"script exceeded its memory limit of {mib} MiB")
        return self


_COLLECTING = _Limits.collecting.__code__
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_statm_fd: int | None = None  # /proc/<pid>/statm of this process, opened once


def _resident_memory() -> int | None:
    """The process's resident memory in bytes, from /proc (None where there is none).

    The file stays open (opening it costs more than reading it); a forked child,
    such as a gunicorn worker, opens its own (see _forget_parent_statm).
    """
    global _statm_fd
    if _statm_fd is None:
        try:
            _statm_fd = os.open(f"/proc/{os.getpid()}/statm", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
    return int(os.pread(_statm_fd, 128, 0).split()[1]) * _PAGE_SIZE


def _forget_parent_statm() -> None:
    global _statm_fd
    if _statm_fd is not None:
        os.close(_statm_fd)
        _statm_fd = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_statm)


def _run_bounded(code: Any, namespace: dict[str, Any], time_limit: float, memory_limit: int) -> Any:
    previous = sys.gettrace()
    limits = _Limits(time_limit, memory_limit)
    gc.callbacks.append(limits.collecting)
    sys.settrace(limits)
    try:
        with modules.time_left(limits.seconds_left):
            return eval(code, namespace)  # noqa: S307 - restricted, guarded code object
    except _LimitExceeded as exceeded:
        raise ScriptError(exceeded.message) from None
    except RecursionError:
        raise ScriptError("script exceeded the recursion limit") from None
    except MemoryError:
        raise ScriptError("script ran out of memory") from None
    except ScriptError:
        raise
    except ImportError:
        raise ScriptError(f"that import is not allowed; {modules.allowed_modules()}") from None
    except NameError as err:
        raise ScriptError(f"{_message(err)} (only data and safe builtins are available)") from None
    except Exception as err:
        raise ScriptError(f"script failed: {type(err).__name__}: {_message(err)}") from err
    finally:
        sys.settrace(previous)
        gc.callbacks.remove(limits.collecting)


def _message(err: Exception) -> str:
    """A script's exception as text, never larger than MAX_MESSAGE (its args may be huge)."""
    if text_size(err.args, MAX_MESSAGE) > MAX_MESSAGE:
        return "(message too large to show)"
    return str(err)[:MAX_MESSAGE]


def _clean_data(namespace: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in namespace.items()
        if not key.startswith("_")
        and key not in GUARD_GLOBALS
        and not callable(value)
        and not isinstance(value, ModuleType)
    }


def check_data_size(data: dict[str, Any], limit: int = MAX_DATA_BYTES) -> None:
    """Refuse task data whose JSON form is larger than `limit` bytes."""
    estimate = text_size(data, limit)
    if estimate > limit:  # before serializing: shared references can make it enormous
        raise ScriptError(f"script left over {limit} bytes of data; the limit is {limit} bytes")
    try:
        size = len(json.dumps(data, default=str))
    except (TypeError, ValueError) as err:
        raise ScriptError(f"script left data that cannot be stored: {err}") from None
    if size > limit:
        raise ScriptError(f"script left {size} bytes of data; the limit is {limit} bytes")


def evaluate(
    expression: str,
    context: dict[str, Any],
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> Any:
    """Return the value of `expression` with `context` as its variables.

    The value may become task data (a DMN output, a data association), stored as
    JSON: it is bounded like what a script leaves, before anything serializes it.
    """
    code = compile_script(expression, "eval")
    namespace = {**modules.SAFE_MODULES, **context, **GUARD_GLOBALS}
    value = _run_bounded(code, namespace, time_limit, memory_limit)
    if text_size(value, MAX_DATA_BYTES) > MAX_DATA_BYTES:
        raise ScriptError(f"expression result is over the data limit of {MAX_DATA_BYTES} bytes")
    return value


def execute(
    script: str,
    context: dict[str, Any],
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> None:
    """Run `script` with `context` as its variables; `context` receives the results."""
    code = compile_script(script, "exec")
    namespace = {**modules.SAFE_MODULES, **context, **GUARD_GLOBALS}
    _run_bounded(code, namespace, time_limit, memory_limit)
    results = _clean_data(namespace)
    check_data_size(results)
    context.clear()
    context.update(results)
