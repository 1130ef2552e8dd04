"""Run every BPMN file of a folder through bare SpiffWorkflow and through raciflow.

Each executable process is run to its first wait state (a user task, a timer, a
message) or to its end, with no start data: once by SpiffWorkflow alone (its
parser and its own, unrestricted, Python script engine: run it on files you would
run anyway), and once by raciflow (deployed on a scratch SQLite database with no
services registered, started, its status read). A run succeeds when it reaches a
wait or the end; it fails with a reason (an exception, an instance in error, a
refused deploy). The script prints both counts and every process whose outcome
differs, with both reasons:

    python scripts/bpmn_coverage.py tests/fixtures
    python scripts/bpmn_coverage.py ~/corpus --json

DMN files of the folder are given to every BPMN file (business rule tasks find
their tables). Both sides stop a run after 10,000 steps or 20 nested call
activities, so a process that never waits cannot hang the comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine import ServiceRegistry, SourceFile, build_engine
from engine.definitions import is_definition_file
from engine.runtime import MAX_DEPTH, MAX_STEPS

REACHED = {"waiting", "completed", "running"}


@dataclass(frozen=True)
class Outcome:
    file: str
    process_id: str
    spiff: str | None  # None: it reached a wait or the end; else why not
    raciflow: str | None

    @property
    def differs(self) -> bool:
        return (self.spiff is None) != (self.raciflow is None)


class _Stop(Exception):
    pass


class _Budget:
    """The same limits as raciflow's (engine/runtime.py), for the bare run."""

    def __init__(self) -> None:
        self.steps = 0

    def __call__(self, task: object) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS or task.workflow.depth > MAX_DEPTH:  # type: ignore[attr-defined]
            raise _Stop("no wait after the step budget")


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return f"{type(err).__name__}: {text}"[:300]


def run_bare(path: Path, decisions: list[Path]) -> dict[str, str | None]:
    """Each executable process of `path` under bare SpiffWorkflow: None or why it failed."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_file(str(path))
        for dmn in decisions:
            parser.add_dmn_file(str(dmn))
        process_ids = parser.get_process_ids()
    except Exception as err:  # any file, any failure: it is what we measure
        return {"*": f"parse: {_one_line(err)}"}
    results: dict[str, str | None] = {}
    for process_id in process_ids:
        try:
            spec = parser.get_spec(process_id)
            workflow = BpmnWorkflow(spec, parser.get_subprocess_specs(process_id))
            workflow.do_engine_steps(will_complete_task=_Budget())
            results[process_id] = None
        except Exception as err:
            results[process_id] = _one_line(err)
    return results


def run_raciflow(engine: object, path: Path, decisions: list[Path]) -> dict[str, str | None]:
    """Each executable process of `path` deployed and started in raciflow: None or why not."""
    files = [SourceFile.read(path), *(SourceFile.read(d) for d in decisions)]
    try:
        deployed = engine.deploy(files, user="coverage")  # type: ignore[attr-defined]
    except Exception as err:
        return {"*": f"deploy: {_one_line(err)}"}
    results: dict[str, str | None] = {}
    for deployment in deployed:
        try:
            state = engine.start(deployment.process_id, user="coverage")  # type: ignore[attr-defined]
            status = str(state.status)
            results[deployment.process_id] = None if status in REACHED else state.error or status
        except Exception as err:
            results[deployment.process_id] = _one_line(err)
    return results


def compare(folder: Path) -> list[Outcome]:
    """Both runs of every BPMN file under `folder`."""
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and is_definition_file(p.name))
    decisions = [p for p in paths if p.name.lower().endswith(".dmn")]
    outcomes = []
    with tempfile.TemporaryDirectory() as scratch:
        engine = build_engine(
            f"sqlite:///{scratch}/coverage.sqlite", services=ServiceRegistry(), migrate=True
        )
        for path in (p for p in paths if p not in decisions):
            bare = run_bare(path, decisions)
            ours = run_raciflow(engine, path, decisions)
            name = str(path.relative_to(folder))
            for process_id in sorted(set(bare) | set(ours)):
                spiff = bare.get(process_id, bare.get("*", "not an executable process here"))
                raciflow = ours.get(process_id, ours.get("*", "not deployed"))
                outcomes.append(Outcome(name, process_id, spiff, raciflow))
        engine.database.dispose()  # type: ignore[union-attr]
    return [o for o in outcomes if o.process_id != "*" or o.differs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", action="store_true", help="every outcome, as JSON")
    args = parser.parse_args(argv)
    began = time.monotonic()
    outcomes = compare(args.folder)
    differences = [o for o in outcomes if o.differs]
    if args.json:
        print(json.dumps([{**asdict(o), "differs": o.differs} for o in outcomes], indent=2))
        return 0
    spiff = sum(o.spiff is None for o in outcomes)
    ours = sum(o.raciflow is None for o in outcomes)
    print(f"{len(outcomes)} processes in {args.folder} ({time.monotonic() - began:.1f} s)")
    print(f"SpiffWorkflow reaches a wait or the end: {spiff}")
    print(f"raciflow reaches a wait or the end:      {ours}")
    print(f"differences: {len(differences)}")
    for o in differences:
        print(f"- {o.file} {o.process_id}")
        print(f"    SpiffWorkflow: {o.spiff or 'reached'}")
        print(f"    raciflow:      {o.raciflow or 'reached'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
