"""The crash soak (bench/crash_soak.py), run briefly so that it cannot rot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "bench" / "crash_soak.py"


def load_soak():
    spec = importlib.util.spec_from_file_location("crash_soak", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_short_soak_loses_and_doubles_nothing(tmp_path):
    crash_soak = load_soak()
    # Seed 10 kills a web worker, then the worker (a master restart costs seconds more).
    result = crash_soak.soak(
        seconds=3, max_kills=2, clients=2, postgres=None, seed=10, work=tmp_path
    )
    assert crash_soak.passed(result), result
    assert result["acknowledged"].get("approve", 0) >= 1
    assert sum(result["kills"].values()) >= 1
