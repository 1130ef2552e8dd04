"""Turn BPMN and DMN files into deployable, versionable process definitions.

Parsing is SpiffWorkflow's (with its XSD validation); this module adds safe XML
loading, our own checks (sandbox-compilable scripts, known service tasks,
supported timers) and a content hash that identifies a version.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask

from raci.loading import is_matrix_file
from raci.validation import Activity, Decision

from . import sandbox
from .decision_cells import decision_problems
from .errors import EngineError, InvalidDefinition, ScriptError
from .process_limits import ProcessLimits, check_process_size
from .safe_xml import decode_xml, parse_xml
from .serialization import spec_to_dict

DEFINITION_SUFFIXES = (".bpmn", ".dmn", ".bpmn20.xml")  # .bpmn20.xml: Activiti, Flowable


def stored_name(name: str) -> str:
    """The name a version keeps a BPMN file under: `x.bpmn20.xml` is kept as `x.bpmn`,
    so that whatever reads a version's BPMN (pages, drafts, diffs) finds it by suffix."""
    if name.lower().endswith(".bpmn20.xml"):
        return name[: -len(".bpmn20.xml")] + ".bpmn"
    return name


BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def process_name_in(files: Mapping[str, str], process_id: str) -> str | None:
    """The name the BPMN among `files` gives `process_id` (a draft's, before any version
    carries it); None if none does or the file does not parse."""
    for file_name, text in files.items():
        if not file_name.lower().endswith(".bpmn"):
            continue
        try:
            root = parse_xml(text.encode("utf-8"), file_name)
        except EngineError:
            continue
        for process in root.iter(f"{{{BPMN_MODEL}}}process"):
            if process.get("id") == process_id and (process.get("name") or "").strip():
                return process.get("name").strip()
    return None


def is_definition_file(name: str) -> bool:
    """A BPMN or DMN file by its name (RACI matrices are told apart by raci/loading.py)."""
    return name.lower().endswith(DEFINITION_SUFFIXES)


@dataclass(frozen=True)
class SourceFile:
    """One BPMN or DMN file as uploaded or read from disk."""

    name: str
    content: bytes

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        return cls(name=path.name, content=path.read_bytes())

    @property
    def is_dmn(self) -> bool:
        return self.name.lower().endswith(".dmn")

    @property
    def is_matrix(self) -> bool:
        """A RACI matrix, deployed with the process it names (raci/loading.py)."""
        return is_matrix_file(self.name)


@dataclass(frozen=True)
class ProcessDefinition:
    """A parsed executable process, ready to be stored as a version."""

    process_id: str
    name: str
    spec: dict[str, Any]
    sources: dict[str, str]
    attachments: dict[str, str] = field(default_factory=dict)
    activities: tuple[Activity, ...] = ()  # what a RACI matrix is checked against
    warnings: tuple[InvalidDefinition, ...] = ()  # worth a look, not a refusal

    @property
    def content_hash(self) -> str:
        """Identify this content: the spec (covers DMN), its BPMN sources, attachments.

        DMN files are kept as attachments (so that a draft can open them again) but
        left out of the hash: the spec already holds what they decide, and versions
        deployed before they were kept keep their identity.
        """
        digest = hashlib.sha256()
        digest.update(json.dumps(self.spec, sort_keys=True, separators=(",", ":")).encode())
        for name, text in sorted({**self.sources, **self.attachments}.items()):
            if not name.lower().endswith(".dmn"):
                digest.update(b"\0" + name.encode() + b"\0" + text.encode())
        return digest.hexdigest()


def collect_files(paths: Iterable[Path]) -> list[SourceFile]:
    """Read every BPMN, DMN and RACI matrix file named, or found in the folders named."""
    files: list[SourceFile] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and (is_definition_file(p.name) or is_matrix_file(p.name))
            )
            files.extend(SourceFile.read(p) for p in found)
        elif path.is_file():
            files.append(SourceFile.read(path))
        else:
            raise InvalidDefinition("no such file or folder", file_name=str(path))
    return files


def parse_definitions(
    files: Sequence[SourceFile],
    *,
    known_services: Iterable[str] | None = None,
    limits: ProcessLimits | None = None,
    problems: list[InvalidDefinition] | None = None,
) -> list[ProcessDefinition]:
    """Parse and check `files`; return one definition per executable process.

    A file that cannot be parsed raises InvalidDefinition. The checks of each task
    (scripts, services, timers) raise the first problem found, or, when a list of
    `problems` is given, append every one there (a draft's validation shows them all).
    """
    parser = SpiffBpmnParser(validator=VALIDATOR)
    bpmn_sources: dict[str, str] = {}
    dmn_sources: dict[str, str] = {}
    for source in files:
        text = decode_xml(source.content, source.name)
        root = parse_xml(text, source.name)
        if not source.is_dmn:  # before SpiffWorkflow's parser, whose cost grows with size
            check_process_size(root, source.name, limits or ProcessLimits())
        try:
            if source.is_dmn:
                parser.add_dmn_xml(root, filename=source.name)
                dmn_sources[source.name] = text
            else:
                parser.add_bpmn_xml(etree.ElementTree(root), filename=source.name)
                bpmn_sources[source.name] = text
        except ValidationException as err:
            raise _from_validation(err, source.name) from None
        except SpiffWorkflowException as err:
            raise InvalidDefinition(str(err), file_name=source.name) from None
    process_ids = parser.get_process_ids()
    if not process_ids:
        raise InvalidDefinition("no executable process found in the files given")
    return [
        _build_definition(parser, process_id, bpmn_sources, dmn_sources, known_services, problems)
        for process_id in process_ids
    ]


class InvalidFiles(InvalidDefinition):
    """Files of a deploy that cannot be deployed; `problems` has one per file."""

    def __init__(self, problems: list[InvalidDefinition]) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} file(s) cannot be deployed: {shown}")


def parse_each(
    files: Sequence[SourceFile],
    *,
    known_services: Iterable[str] | None = None,
    limits: ProcessLimits | None = None,
) -> tuple[list[ProcessDefinition], list[InvalidDefinition]]:
    """Parse `files` (a folder, say) so that one bad or duplicate file refuses only itself.

    Returns the definitions of the good files and one problem per bad file. All files
    are tried together first (the usual case costs one parse); on a failure each BPMN
    file is added to the good ones in turn, twice over, so that a file calling a
    process of a later file gets its chance.
    """
    options = {"known_services": known_services, "limits": limits}
    try:
        return parse_definitions(files, **options), []
    except InvalidDefinition as err:
        first = err
    refused: list[InvalidDefinition] = []
    decisions = []
    for source in (f for f in files if f.is_dmn):
        try:
            _check_decision_file(source)
            decisions.append(source)
        except InvalidDefinition as err:
            refused.append(err)
    good: list[SourceFile] = []
    pending = [f for f in files if not f.is_dmn]
    for _ in range(2):
        failed = []
        for source in pending:
            try:
                parse_definitions([*good, source, *decisions], **options)
                good.append(source)
            except InvalidDefinition as err:
                failed.append((source, err))
        pending = [source for source, _ in failed]
    refused += [err if err.file_name else _named(err, src.name) for src, err in failed]
    if not good and not refused:
        raise first  # nothing wrong with any one file: the set has no process at all
    definitions = parse_definitions([*good, *decisions], **options) if good else []
    return definitions, refused


def _check_decision_file(source: SourceFile) -> None:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_dmn_xml(parse_xml(decode_xml(source.content, source.name), source.name),
                           filename=source.name)  # fmt: skip
    except ValidationException as err:
        raise _from_validation(err, source.name) from None
    except SpiffWorkflowException as err:
        raise InvalidDefinition(str(err), file_name=source.name) from None


def _named(err: InvalidDefinition, file_name: str) -> InvalidDefinition:
    return InvalidDefinition(err.message, file_name=file_name, line=err.line,
                             element_id=err.element_id)  # fmt: skip


def _build_definition(
    parser: SpiffBpmnParser,
    process_id: str,
    bpmn_sources: dict[str, str],
    dmn_sources: dict[str, str],
    known_services: Iterable[str] | None,
    problems: list[InvalidDefinition] | None = None,
) -> ProcessDefinition:
    process_parser = parser.get_process_parser(process_id)
    file_name = process_parser.filename
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as err:
        raise _from_validation(err, file_name) from None
    except SpiffWorkflowException as err:
        raise InvalidDefinition(str(err), file_name=file_name) from None
    warnings = []
    decision_files = _decision_file_by_task(parser, bpmn_sources[file_name])
    for process_spec in (spec, *subprocess_specs.values()):
        warnings += unknown_operations(process_spec, file_name, known_services)
        found = task_problems(process_spec, file_name, known_services, decision_files)
        if problems is None:
            for problem in found:
                raise problem
        else:
            problems.extend(found)
    return ProcessDefinition(
        process_id=process_id,
        name=spec.description or process_id,
        spec=spec_to_dict(spec, subprocess_specs),
        sources={stored_name(file_name): bpmn_sources[file_name]},
        attachments=_decision_files(parser, bpmn_sources[file_name], dmn_sources),
        activities=tuple(activities(spec, subprocess_specs)),
        warnings=tuple(warnings),
    )


SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def _decision_file_by_task(parser: SpiffBpmnParser, bpmn_text: str) -> dict[str | None, str]:
    """The DMN file of the table each business rule task calls (its problems name it)."""
    root = parse_xml(bpmn_text, "the BPMN file")  # checked already: this cannot fail
    files: dict[str | None, str] = {}
    for called in root.iter(f"{{{SPIFF_NS}}}calledDecisionId"):
        task = called.getparent().getparent()  # task > extensionElements > calledDecisionId
        dmn_parser = parser.dmn_parsers.get((called.text or "").strip())
        if task is not None and dmn_parser is not None:
            files[task.get("id")] = dmn_parser.filename
    return files


def _decision_files(
    parser: SpiffBpmnParser, bpmn_text: str, dmn_sources: dict[str, str]
) -> dict[str, str]:
    """The DMN files whose decisions the process calls: kept with its version."""
    root = etree.fromstring(bpmn_text.encode())
    called = {node.text.strip() for node in root.iter(f"{{{SPIFF_NS}}}calledDecisionId")}
    files = {}
    for decision_id in called:
        dmn_parser = parser.dmn_parsers.get(decision_id)
        if dmn_parser is not None and dmn_parser.filename in dmn_sources:
            files[dmn_parser.filename] = dmn_sources[dmn_parser.filename]
    return files


def activities(spec: Any, subprocess_specs: dict[str, Any]) -> Iterable[Activity]:
    """Every BPMN element of a process and its subprocesses, as the engine parsed them."""
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            element_id = getattr(task_spec, "bpmn_id", None)
            if element_id:
                yield Activity(
                    id=element_id,
                    name=getattr(task_spec, "bpmn_name", None),
                    lane=getattr(task_spec, "lane", None),
                    is_user_task=bool(task_spec.manual),
                    decision=_decision(task_spec),
                )


def _decision(task_spec: Any) -> Decision | None:
    """The level table a business rule task runs, as RACI validation reads it."""
    engine = getattr(task_spec, "dmnEngine", None)
    if engine is None:
        return None
    table = engine.decision_table
    outputs = tuple(
        _literal(rule.outputEntries[0].text if rule.outputEntries else None) for rule in table.rules
    )
    return Decision(tuple(i.expression or "" for i in table.inputs), outputs)


def _literal(text: str | None) -> str | None:
    try:
        value = ast.literal_eval(text or "")
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def task_problems(
    process_spec: Any,
    file_name: str,
    known_services: Iterable[str] | None,
    decision_files: dict[str | None, str] | None = None,
) -> list[InvalidDefinition]:
    """Every task of `process_spec` the engine could not run: scripts the sandbox refuses,
    decision table cells it could never evaluate; each names its element."""
    decision_files = decision_files or {}
    found: list[InvalidDefinition] = []
    for task_spec in process_spec.task_specs.values():
        element_id = getattr(task_spec, "bpmn_id", None)
        found += decision_problems(task_spec, decision_files.get(element_id))
        scripts = [(getattr(task_spec, "script", None), "exec")]
        scripts += [(condition, "eval") for condition in _conditions(task_spec)]
        for source, mode in scripts:
            try:
                _check_script(source, file_name, element_id, mode=mode)
            except InvalidDefinition as err:
                found.append(err)
    return found


def unknown_operations(
    process_spec: Any, file_name: str, known_services: Iterable[str] | None
) -> list[InvalidDefinition]:
    """Service tasks naming an operation no service or connector provides now: a warning,
    not a refusal (the task may never be reached; a connector may come later, and
    reaching it before then is an incident that a retry clears, docs/connectors.md)."""
    if known_services is None:
        return []
    services = set(known_services)
    return [
        InvalidDefinition(
            f"service task calls operation '{task_spec.operation_name}' that no service or"
            " connector provides yet; reaching it will stop the instance with an incident",
            file_name=file_name,
            element_id=getattr(task_spec, "bpmn_id", None),
        )
        for task_spec in process_spec.task_specs.values()
        if isinstance(task_spec, ServiceTask) and task_spec.operation_name not in services
    ]


def _conditions(task_spec: Any) -> list[str]:
    # Gateways keep (condition, target) pairs; a condition holds its expression in args.
    conditions = getattr(task_spec, "cond_task_specs", None) or []
    return [cond.args[0] for cond, _target in conditions if cond is not None and cond.args]


def _check_script(source: str | None, file_name: str, element_id: str | None, mode: str) -> None:
    if not source:
        return
    try:
        sandbox.compile_script(source, mode)
    except ScriptError as err:
        raise InvalidDefinition(str(err), file_name=file_name, element_id=element_id) from None


def _from_validation(err: ValidationException, file_name: str) -> InvalidDefinition:
    line = err.line_number if isinstance(err.line_number, int) else None
    message = err.args[0] if err.args else str(err)
    return InvalidDefinition(
        str(message), file_name=err.file_name or file_name, line=line, element_id=err.id or None
    )
