"""Scripts and expressions run in a sandbox: what they may do, and what they may not."""

from __future__ import annotations

import gc
import threading
import time
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from engine import sandbox
from engine.errors import ScriptError

SIZE_REFUSAL = "memory|the limit is"  # the memory ceiling, or the data-size check


def run(script: str, **data):
    sandbox.execute(script, data, time_limit=0.5)
    return data


def test_plain_business_scripts_work():
    data = run(
        "total = sum(l['qty'] * l['price'] for l in lines)\n"
        "names = sorted(set(l['sku'].upper() for l in lines))\n"
        "big = total > 100\n",
        lines=[{"sku": "a", "qty": 3, "price": 50}, {"sku": "b", "qty": 1, "price": 1}],
    )
    assert data["total"] == 151
    assert data["names"] == ["A", "B"]
    assert data["big"] is True


def test_expressions_see_task_data():
    assert sandbox.evaluate("amount > 1000 and segment == 'A'", {"amount": 5000, "segment": "A"})


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "from os import system",
        "__import__('os')",
        "x = ().__class__.__bases__[0].__subclasses__()",
        "x = [].__class__",
        "x = getattr([], '__class__')",
        "f = open('/etc/passwd')",
        "eval('1')",
        "exec('x = 1')",
        "compile('1', 'x', 'eval')",
        "x = type('A', (), {})",
        "x = type(type(1))",
        "x = type(len)",
        "class A: pass",
        # format strings walk attributes and items too
        "x = '{0.__class__}'.format(1)",
        "x = '{0.__class__.__bases__}'.format([])",
        "x = '{0[__builtins__]}'.format({'__builtins__': 1})",
        "x = '{a.__dict__}'.format_map({'a': date.today()})",
        "x = getattr(json, '__loader__')",
        "x = json.__spec__",
        "x = hasattr(1, '__class__') or getattr([], '__class__', 1)",
        # only the listed modules, and only their listed names
        "import time",
        "import sys",
        "import datetime.sys",
        "from json import decoder",
        "from . import x",
        "import os.path",
        "import importlib",
        "x = re.compile",
        "x = math.factorial",
        "x = datetime.sys",
        "x = date.today.__self__",
    ],
)
def test_escapes_are_refused(script):
    with pytest.raises(ScriptError):
        run(script)


def test_endless_loop_is_stopped():
    with pytest.raises(ScriptError, match="time limit"):
        run("while True:\n    pass")


def test_time_spent_waiting_for_a_core_does_not_count_against_the_limit():
    # On a busy server a script's thread waits for a core; the limit is its CPU time.
    # (A sleep stands for the wait: the thread is off the CPU.)
    data = {"wait_for_a_core": time.sleep}
    sandbox.execute(
        "for i in range(4):\n    wait_for_a_core(0.1)\ndone = True", data, time_limit=0.2
    )
    assert data["done"] is True


def test_a_script_on_the_cpu_is_stopped_even_when_it_also_waits():
    data = {"wait_for_a_core": time.sleep}
    script = "while True:\n    wait_for_a_core(0.001)\n    for i in range(2000):\n        pass"
    began = time.monotonic()
    with pytest.raises(ScriptError, match="time limit"):
        sandbox.execute(script, data, time_limit=0.2)
    assert time.monotonic() - began < 5


def test_the_limit_is_the_scripts_own_cpu_time_not_another_threads():
    other_used_more_than_the_limit = threading.Event()

    def busy() -> None:  # another thread of the server works while the script waits
        began = time.thread_time()
        while time.thread_time() - began < 0.3:
            sum(range(1000))
        other_used_more_than_the_limit.set()

    other = threading.Thread(target=busy)
    other.start()
    data = {"wait_for_the_other": other_used_more_than_the_limit.wait}
    sandbox.execute("wait_for_the_other(30)\ndone = True", data, time_limit=0.2)
    other.join()
    assert data["done"] is True


class _SlowToCollect:
    """Garbage whose finalizer works for 0.3 s of CPU, as a large heap's collection does."""

    finished = False

    def __init__(self) -> None:
        self.cycle = self  # only the collector frees it

    def __del__(self) -> None:
        began = time.thread_time()
        while time.thread_time() - began < 0.3:
            sum(range(1000))
        _SlowToCollect.finished = True


def test_a_collection_during_a_script_runs_its_finalizers_to_the_end():
    """The script's limit stopped other code's finalizer halfway (its error swallowed),
    and tracing, and so the limit, was off for the rest of the script."""
    gc.disable()  # the garbage waits for the collection the script starts
    try:
        _SlowToCollect()
        data = {"allocate_and_collect": gc.collect}
        sandbox.execute("allocate_and_collect()\ndone = True", data, time_limit=0.2)
    finally:
        gc.enable()
    assert _SlowToCollect.finished and data["done"] is True


def test_a_collections_time_does_not_count_against_a_scripts_limit(monkeypatch):
    """A collection started inside a one-line timer expression ("P2D") took it past its
    second on a test worker with a large heap, and its process could not be deployed.
    (The collection's 2 s are simulated: a clock that jumps as it ends.)"""
    phases: dict[str, object] = {}
    jump = lambda: 2.0 if "stop" in phases else 0.0  # noqa: E731
    clocks = SimpleNamespace(
        monotonic=lambda: time.monotonic() + jump(),
        thread_time=lambda: time.thread_time() + jump(),
    )
    monkeypatch.setattr(sandbox, "time", clocks)
    # Before the script's callback, so the jump falls inside the collection it times; a
    # C function, so no traced Python runs in the collection.
    gc.callbacks.append(phases.__setitem__)
    try:
        data = {"allocate_and_collect": gc.collect}
        sandbox.execute("allocate_and_collect()\ndone = True", data, time_limit=1)
    finally:
        gc.callbacks.remove(phases.__setitem__)
    assert data["done"] is True and "stop" in phases


def test_an_endless_loop_making_garbage_is_stopped():
    # Its limit is often up during a collection: stopped there, the error would be lost.
    script = "while True:\n    garbage = [[i] for i in range(100)]"
    with pytest.raises(ScriptError, match="time limit"):
        sandbox.execute(script, {}, time_limit=0.2)


def test_a_script_that_works_between_collections_is_still_stopped():
    script = "while True:\n    collect()\n    for i in range(2000):\n        pass"
    began = time.monotonic()
    with pytest.raises(ScriptError, match="time limit"):
        sandbox.execute(script, {"collect": lambda: gc.collect(0)}, time_limit=0.2)
    assert time.monotonic() - began < 10


def test_scripts_cannot_catch_the_time_limit():
    script = "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass"
    with pytest.raises(ScriptError, match="time limit"):
        run(script)


def test_bare_except_is_refused():
    with pytest.raises(ScriptError, match="bare 'except:'"):
        run("try:\n    x = 1\nexcept:\n    pass")


@pytest.mark.parametrize(
    "script",
    [
        "x = 10 ** 10 ** 10",
        "x = 'a' * 10 ** 9",
        "x = [0] * 10 ** 9",
        "x = 1 << 10 ** 9",
        "x = list(range(10 ** 9))",
        "x = 'ab'.replace('a', 'a' * 100000).replace('a', 'a' * 100000)",
        "a = [1]\nfor i in range(40):\n    a.extend(a)",
        "x = 'x'.ljust(10 ** 10)",
    ],
)
def test_huge_allocations_are_refused(script):
    with pytest.raises(ScriptError):
        run(script)


def test_results_larger_than_the_limit_are_refused():
    with pytest.raises(ScriptError, match="bytes of data"):
        run("x = ['abcdefgh'] * 200000")  # within the per-operation limit, over the data limit


def test_a_refused_script_leaves_the_data_unchanged():
    data = {"amount": 1}
    with pytest.raises(ScriptError):
        sandbox.execute("amount = 2\nimport os", data)
    with pytest.raises(ScriptError):
        sandbox.execute("amount = 2\nwhile True:\n    pass", data, time_limit=0.2)
    assert data == {"amount": 1}


# Memory bombs (issue 11 D6): single C calls that allocate a lot from small arguments,
# and loops that allocate a little at a time but fast. Each must fail the script with a
# sandbox error naming the limit, before the memory is taken.
@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("x = len((5).to_bytes(1500000000, 'big'))", "to_bytes"),
        ("x = True.to_bytes(10 ** 9, 'big')", "to_bytes"),
        ("x = '%01000000000d' % 1", "format"),
        ("x = '%.1000000000f' % 1.5", "format"),
        ("x = '%*d' % (10 ** 9, 1)", "format"),
        ("x = b'%01000000000d' % 1", "format"),
        ("s = 'a' * 1000000\nx = ('%s' * 1000) % ((s,) * 1000)", "format"),
        ("s = 'a' * 1000000\nx = ('%(a)s' * 1000) % {'a': s}", "format"),
        ("x = '%d'\nx %= 1\nx = '%01000000000d'\nx %= 1", "format"),
        ("x = f'{1:>1000000000}'", "format"),
        ("x = f'{1.5:.1000000000f}'", "format"),
        ("w = 10 ** 9\nx = f'{1:>{w}}'", "format"),
        ("s = 'a' * 1000000\nx = f'{[s] * 1000}'", "too large"),
        ("s = 'a' * 1000000\nx = str([s] * 1000)", "too large"),
        ("s = 'a' * 1000000\nprint([s] * 1000)", "too large"),
        ("x = sum([[0] * 1000000] * 1000, [])", "sum"),
        ("x = round(5, -10 ** 9)", "round"),
        ("x = [0] * 1000\nfor i in range(1000):\n    x.append('a' * 1000000)", "memory"),
        ("x = []\nwhile True:\n    x.append(list(range(100000)))", "memory"),
        # C loops over lazy iterators, which the trace function cannot see inside. The
        # ceiling samples memory once a millisecond: on a loaded machine the data-size
        # check at the end may be the one that refuses (both are sandbox refusals).
        ("x = list(map(tuple, [range(1000000)] * 40))", SIZE_REFUSAL),
        ("x = sorted(zip(*[range(1000000)] * 40))", SIZE_REFUSAL),
        ("x = [*map(tuple, [range(1000000)] * 40)]", SIZE_REFUSAL),
        ("x = {}\nx.update(zip(range(40), map(tuple, [range(1000000)] * 40)))", SIZE_REFUSAL),
        ("x = set().union(map(tuple, [range(1000000)] * 40))", SIZE_REFUSAL),
    ],
)
# Python runs a garbage collector callback (hypothesis installs one in the test process)
# inside the traced script; a limit that fires there is "ignored" with a warning, and
# fires again at the next check, a millisecond later.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_memory_bombs_fail_the_script_with_a_sandbox_error(script, reason):
    with pytest.raises(ScriptError, match=reason):
        sandbox.execute(script, {}, time_limit=5, memory_limit=64 * 1024 * 1024)


def test_an_error_message_made_of_a_huge_value_is_cut_short():
    with pytest.raises(ScriptError) as caught:
        run("s = 'a' * 1000000\nraise ValueError((s,) * 1000)")
    assert len(str(caught.value)) < 2000


def test_data_that_would_serialize_huge_is_refused_before_serializing():
    with pytest.raises(ScriptError, match="bytes of data"):
        run("s = 'a' * 1000000\nx = [s] * 1000")


def test_formatting_and_conversions_still_work():
    data = run(
        "a = f'{amount:>8.2f}|{name!r}|{when}'\n"
        "b = '%05d-%s-%.1f' % (7, name, 2.25)\n"
        "c = str([1, 'x']) + str(3)\n"
        "d = isinstance(name, str) and isinstance(amount, (int, float))\n"
        "e = (255).to_bytes(2, 'big')[1]\n"
        "f = sum([[1], [2]], [])\n"
        "g = round(1234.5678, 2), round(1234, -2)\n"
        "h = [list(zip('ab', (1, 2))), sorted({3, 1}), dict(zip('ab', 'cd')), tuple(range(3))]\n"
        "i = [*map(str, range(3))], isinstance([], list), set('aa'), frozenset([1])\n"
        "first, *rest = [1, 2, 3]\n",
        amount=3.14159,
        name="Ω",
        when=date(2026, 12, 3),
    )
    assert data["a"] == "    3.14|'Ω'|2026-12-03"
    assert data["b"] == "00007-Ω-2.2"
    assert data["c"] == "[1, 'x']3"
    assert data["d"] is True
    assert data["e"] == 255
    assert data["f"] == [1, 2]
    assert data["g"] == (1234.57, 1200)
    assert data["h"] == [[("a", 1), ("b", 2)], [1, 3], {"a": "c", "b": "d"}, (0, 1, 2)]
    assert data["i"] == (["0", "1", "2"], True, {"a"}, frozenset([1]))
    assert data["rest"] == [2, 3]


@pytest.mark.parametrize(
    "script",
    ["x = int(d)", "x = round(d)", "x = d.as_integer_ratio()", "x = f'{d:f}'", "x = '%d' % d"],
)
def test_a_decimal_with_a_huge_exponent_is_not_written_out(script):
    """Decimal('1e999999999') is small; as an int or in fixed notation it is a billion digits."""
    with pytest.raises(ScriptError, match="too large"):
        run(script, d=Decimal("1e999999999"))
    assert run("x = int(d) + d.as_integer_ratio()[0]", d=Decimal("12.5"))["x"] == 37


def test_an_expression_whose_value_would_serialize_huge_is_refused():
    """A DMN cell or data association returning [s] * 1000 would be a 1 GB JSON later."""
    with pytest.raises(ScriptError, match="data limit"):
        sandbox.evaluate("[s] * 1000", {"s": "a" * 1_000_000})
    assert sandbox.evaluate("s[:3]", {"s": "a" * 1_000_000}) == "aaa"


def test_safe_modules_and_builtins_that_ordinary_scripts_need():
    data = run(
        "import datetime, json, re\n"
        "from decimal import Decimal, ROUND_HALF_UP\n"
        "import math, uuid\n"
        "a = json.loads(json.dumps({'k': [1, 2]}))\n"
        "b = re.sub(r'\\s+', ' ', ' a   b ').strip()\n"
        "c = str(Decimal('2.345').quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))\n"
        "d = when.strftime('%d/%m/%Y')\n"
        "e = '{0}-{1:>3}-{name}'.format('x', 7, name='n') + '{k}'.format_map({'k': 1})\n"
        "f = str(42).zfill(6)\n"
        "g = hasattr('x', 'upper'), hasattr('x', 'nope'), getattr({}, 'nope', 'dflt')\n"
        "h = type('s') == str, type(1) is int, type(when) == datetime.date, repr('q')\n"
        "it = iter([1, 2])\n"
        "i = next(it), next(it), next(it, 'end')\n"
        "j = dict.fromkeys(['a', 'b'], 0)\n"
        "k = math.floor(2.7), len(str(uuid.uuid4())), re.match(r'(\\d+)', '12ab').group(1)\n"
        "m = datetime.datetime.strptime('2026-01-02', '%Y-%m-%d').date().isoformat()\n",
        when=date(2026, 12, 3),
    )
    assert data["a"] == {"k": [1, 2]}
    assert data["b"] == "a b"
    assert data["c"] == "2.35"
    assert data["d"] == "03/12/2026"
    assert data["e"] == "x-  7-n1"
    assert data["f"] == "000042"
    assert data["g"] == (True, False, "dflt")
    assert data["h"] == (True, True, True, "'q'")
    assert data["i"] == (1, 2, "end")
    assert data["j"] == {"a": 0, "b": 0}
    assert data["k"] == (2, 36, "12")
    assert data["m"] == "2026-01-02"
    assert "json" not in data and "it" in data  # modules are not data


def test_the_clock_is_the_engines():
    from datetime import UTC, datetime

    from engine.sandbox_modules import engine_clock

    fixed = datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
    with engine_clock(lambda: fixed):
        data = run(
            "from datetime import date, datetime\n"
            "a = date.today().isoformat()\n"
            "b = datetime.now().isoformat()\n"
            "c = datetime.now(datetime.now().astimezone().tzinfo).year\n"
        )
        assert sandbox.evaluate("datetime.date.today().year", {}) == 2030
    assert data["a"] == "2030-05-06"
    assert data["b"] == "2030-05-06T07:08:00"
    assert data["c"] == 2030


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("x = re.match('(a|aa)+$', 'a' * 60 + 'b')", "time limit"),
        ("x = re.sub('', 'x' * 100000, 'a' * 100000)", "too large"),
        ("x = re.sub('(a*)', r'\\1\\1\\1\\1\\1\\1\\1\\1', 'a' * 999999)", "too large"),
        ("x = '{:>1000000000}'.format(1)", "too large"),
        ("w = 10 ** 9\nx = '{:>{w}}'.format(1, w=w)", "too large"),
        ("s = 'a' * 1000000\nx = ('{0}' * 1000).format(s)", "too large"),
        ("x = '1'.zfill(10 ** 10)", "zfill"),
        ("x = 'x'.center(10 ** 10)", "center"),
        ("s = 'a' * 1000000\nx = json.dumps([s] * 1000)", "too large"),
        ("s = 'a' * 1000000\nx = repr([s] * 1000)", "too large"),
        ("x = json.dumps([1], indent=10 ** 9)", "indent"),
        # type() hands back the guarded constructors, never the raw C ones
        ("x = list(type(range(0))(10 ** 12))", "range of"),
        ("x = type(b'')(10 ** 10)", "not available"),
        ("x = type('')(['a' * 1000000] * 1000)", "too large"),
        ("x = re.sub('(a*)', lambda m: 'b' * 1000000, 'a' * 10)", "too large"),
        # regex writes counted repetitions out when it compiles: one C call, gigabytes
        ("x = re.match('(a{10000}){10000}', 'a')", "repeats too much"),
        ("x = re.search('a{10000}' * 11, 'a')", "repeats too much"),
        ("x = re.sub('(?:b{1000}){1000}', '', 'a')", "repeats too much"),
    ],
)
def test_the_new_modules_cannot_spin_or_allocate_in_one_call(script, reason):
    with pytest.raises(ScriptError, match=reason):
        sandbox.execute(script, {}, time_limit=1, memory_limit=64 * 1024 * 1024)


def test_a_refused_import_says_what_may_be_imported():
    with pytest.raises(ScriptError, match="scripts may import datetime, decimal, json"):
        run("import os")
