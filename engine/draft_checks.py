"""Check a draft's files as a deploy would, collecting every problem with its element.

The same checks `raciflow deploy` applies (engine/definitions.py, engine/matrices.py),
run so that a process owner sees them all at once, each pinned to the BPMN element
it is about: parse and schema, raciflow's BPMN checks, scripts compiled in the
sandbox, services known, DMN tables, the RACI matrix, and a form for every user task.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from lxml import etree

from raci.directory import Directory
from raci.loading import MatrixFormatError, is_matrix_file, load_matrix, process_id_of
from raci.matrix import RaciMatrix
from raci.messages import N_, Message
from raci.validation import Activity, validate

from .definitions import ProcessDefinition, SourceFile, is_definition_file, parse_definitions
from .errors import InvalidDecision, InvalidDefinition
from .process_limits import ProcessLimits
from .safe_xml import parse_xml

Kind = Literal["parse", "bpmn", "script", "service", "dmn", "raci", "form"]
HasForm = Callable[[str, str], bool]  # (process id, task id) -> whether a form is registered


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a draft, and where."""

    kind: Kind
    message: str
    severity: Literal["error", "warning"] = "error"
    file: str | None = None
    element_id: str | None = None
    line: int | None = None
    said: Message | None = field(default=None, compare=False)  # `message`, to translate

    @classmethod
    def of(
        cls,
        kind: Kind,
        said: Message,
        severity: Literal["error", "warning"] = "error",
        **where: Any,
    ) -> Problem:
        """A problem worded by a Message: `message` in English, `said` for the reader."""
        return cls(kind, str(said), severity, said=said, **where)

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        del found["said"]
        return found


@dataclass
class Review:
    """What checking a draft found; a draft may be submitted only when it has no errors."""

    problems: list[Problem] = field(default_factory=list)
    definition: ProcessDefinition | None = None  # the draft's process, when it parses

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def review_draft(
    process_id: str,
    files: dict[str, str],
    *,
    directory: Directory,
    known_services: Iterable[str] | None,
    known_scopes: Mapping[str, Collection[str]] | None = None,
    limits: ProcessLimits | None = None,
    has_form: HasForm | None = None,
) -> Review:
    """Every problem of the draft of `process_id` made of `files` (name -> text)."""
    review = Review()
    sources = [SourceFile(name, text.encode()) for name, text in sorted(files.items())]
    matrices = [s for s in sources if s.is_matrix]
    found: list[InvalidDefinition] = []
    try:
        definitions = parse_definitions(
            [s for s in sources if not s.is_matrix and is_definition_file(s.name)],
            known_services=known_services,
            limits=limits,
            problems=found,
        )
    except InvalidDefinition as err:
        kind: Kind = "dmn" if (err.file_name or "").lower().endswith(".dmn") else "parse"
        review.problems.append(_problem(kind, err))
        return review
    review.problems.extend(_problem(_kind_of(err), err) for err in found)
    by_id = {d.process_id: d for d in definitions}
    definition = by_id.get(process_id)
    if definition is None:
        review.problems.append(
            Problem.of(
                "bpmn",
                Message(
                    N_("the files define the process(es) %(found)s, not '%(process)s'"),
                    found=", ".join(sorted(by_id)),
                    process=process_id,
                ),
            )
        )
        return review
    # What a version keeps: the BPMN, the DMN it calls (parse_definitions), its matrix.
    matrix_text = {m.name: files[m.name] for m in matrices if process_id_of(m.name) == process_id}
    review.definition = replace(definition, attachments={**definition.attachments, **matrix_text})
    review.problems.extend(
        replace(_problem("service", w), severity="warning") for w in definition.warnings
    )
    review.problems.extend(_unknown_files(process_id, files))
    review.problems.extend(_unreachable(files))
    review.problems.extend(
        _matrix_problems(process_id, definition.activities, matrices, directory, known_scopes)
    )
    if has_form is not None:
        review.problems.extend(_form_problems(process_id, definition.activities, has_form))
    return review


BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_NEEDS_A_WAY_IN = (
    "Task", "task", "subProcess", "callActivity", "transaction", "Gateway",
    "intermediateCatchEvent", "intermediateThrowEvent", "endEvent",
)  # fmt: skip


def _unreachable(files: dict[str, str]) -> Iterable[Problem]:
    """Elements drawn with no way in: SpiffWorkflow leaves them out, so they would never
    run (and a user task there would never reach anyone's inbox)."""
    for name, text in sorted(files.items()):
        if not name.lower().endswith(".bpmn"):
            continue
        root = parse_xml(text, name)
        targets = {flow.get("targetRef") for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow")}
        for scope in root.iter(f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess"):
            for element in scope:
                if not isinstance(element.tag, str):
                    continue
                kind = etree.QName(element).localname
                started_otherwise = (  # an event sub-process, a compensation activity
                    element.get("triggeredByEvent") == "true"
                    or element.get("isForCompensation") == "true"
                )
                if (
                    kind.endswith(_NEEDS_A_WAY_IN)
                    and not started_otherwise
                    and element.get("id") not in targets
                ):
                    yield Problem.of(
                        "bpmn",
                        Message(
                            N_("'%(task)s' has no way in: connect it, or it never runs"),
                            task=element.get("name") or element.get("id"),
                        ),
                        file=name,
                        element_id=element.get("id"),
                    )


def _problem(kind: Kind, err: InvalidDefinition) -> Problem:
    said = err.said if isinstance(err, InvalidDecision) else None
    where = {"file": err.file_name, "element_id": err.element_id, "line": err.line}
    return Problem(kind, err.message, said=said, **where)


def _kind_of(err: InvalidDefinition) -> Kind:
    if isinstance(err, InvalidDecision):
        return "dmn"
    if err.message.startswith("service task calls unknown service"):
        return "service"
    return "script"


def _unknown_files(process_id: str, files: dict[str, str]) -> Iterable[Problem]:
    for name in sorted(files):
        if is_matrix_file(name):
            if process_id_of(name) != process_id:
                said = Message(N_("a matrix of another process: %(file)s"), file=name)
                yield Problem.of("raci", said, file=name)
        elif not is_definition_file(name):
            said = Message(N_("not a BPMN, DMN or RACI matrix file"))
            yield Problem.of("parse", said, file=name)


def _matrix_problems(
    process_id: str,
    activities: tuple[Activity, ...],
    matrices: list[SourceFile],
    directory: Directory,
    known_scopes: Mapping[str, Collection[str]] | None,
) -> Iterable[Problem]:
    own = [m for m in matrices if process_id_of(m.name) == process_id]
    if len(own) > 1:
        said = Message(N_("more than one RACI matrix: keep one"))
        yield Problem.of("raci", said, file=own[1].name)
        return
    if not own:
        if any(a.is_user_task for a in activities):
            said = Message(
                N_("%(process)s has no RACI matrix: any user may work its tasks"),
                process=process_id,
            )
            yield Problem.of("raci", said, "warning")
        return
    [source] = own
    try:
        matrix = load_matrix(source.name, source.content)
    except MatrixFormatError as err:
        yield Problem("raci", err.message, file=source.name, line=err.line)
        return
    yield from _findings(matrix, activities, directory, known_scopes, source.name)


def _findings(
    matrix: RaciMatrix,
    activities: tuple[Activity, ...],
    directory: Directory,
    known_scopes: Mapping[str, Collection[str]] | None,
    file_name: str,
) -> Iterable[Problem]:
    element_of = {a.id: a.id for a in activities}
    element_of.update({(a.name or "").casefold(): a.id for a in activities if a.name})
    for finding in validate(matrix, activities, set(directory.roles), known_scopes or {}):
        activity = finding.activity
        element = element_of.get(activity) or element_of.get((activity or "").casefold())
        row = matrix.row_for(activity, activity) if activity else None
        said = finding.said or Message(finding.message)
        if finding.role:
            said = Message(N_("%(role)s: %(message)s"), role=finding.role, message=said)
        yield Problem.of(
            "raci",
            said,
            finding.severity,
            file=file_name,
            element_id=element,
            line=row.line if row else None,
        )


def _form_problems(
    process_id: str, activities: tuple[Activity, ...], has_form: HasForm
) -> Iterable[Problem]:
    """A process whose tasks have forms needs one for each: a task without would show
    people a bare page. Processes without any form (run from the API only) are exempt."""
    user_tasks = [a for a in activities if a.is_user_task]
    formed = [a for a in user_tasks if has_form(process_id, a.id)]
    if not formed and not has_form(process_id, "start"):
        return
    for activity in user_tasks:
        if activity not in formed:
            said = Message(
                N_(
                    "user task '%(task)s' has no form: its id must be one of the process's "
                    "form keys"
                ),
                task=activity.name or activity.id,
            )
            yield Problem.of("form", said, element_id=activity.id)
