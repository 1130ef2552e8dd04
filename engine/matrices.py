"""RACI matrices at deploy time: pair each with its process, check it, store it.

A matrix file `<process_id>.raci.csv|yaml` travels with the BPMN as an
attachment of the same version, so a changed matrix is a new version and
running instances keep the rules they started under.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from raci.directory import Directory
from raci.loading import MatrixFormatError, is_matrix_file, load_matrix, process_id_of
from raci.matrix import RaciMatrix
from raci.validation import errors, validate

from .definitions import ProcessDefinition, SourceFile
from .errors import InvalidMatrices
from .model import ProcessVersion


@dataclass
class MatrixReview:
    """What checking the matrices of a deploy found."""

    definitions: list[ProcessDefinition]  # with their matrices attached
    warnings: dict[str, list[str]]  # by process id
    problems: list[str]  # errors: any one refuses the deploy


def review_matrices(
    definitions: Sequence[ProcessDefinition],
    matrix_files: Sequence[SourceFile],
    directory: Directory,
    known_scopes: Mapping[str, Collection[str]] | None = None,
) -> MatrixReview:
    """Check each matrix against its process, the directory's roles and the known scopes."""
    by_process = {definition.process_id: definition for definition in definitions}
    attached: dict[str, ProcessDefinition] = dict(by_process)
    warnings: dict[str, list[str]] = {process_id: [] for process_id in by_process}
    problems: list[str] = []
    for source in matrix_files:
        process_id = process_id_of(source.name)
        definition = by_process.get(process_id)
        if definition is None:
            problems.append(f"{source.name}: no process '{process_id}' among the files deployed")
            continue
        try:
            matrix = load_matrix(source.name, source.content)
        except MatrixFormatError as err:
            problems.append(str(err))
            continue
        findings = validate(matrix, definition.activities, set(directory.roles), known_scopes or {})
        problems.extend(f"{source.name}: {finding}" for finding in errors(findings))
        warnings[process_id].extend(
            f"{source.name}: {finding}" for finding in findings if finding.severity == "warning"
        )
        matrix_text = {source.name: source.content.decode("utf-8-sig")}
        attached[process_id] = replace(
            definition, attachments={**definition.attachments, **matrix_text}
        )
    for process_id, definition in attached.items():
        has_matrix = any(is_matrix_file(name) for name in definition.attachments)
        if not has_matrix and any(a.is_user_task for a in definition.activities):
            warnings[process_id].append(
                f"{process_id} has no RACI matrix: any user may work its tasks"
            )
    return MatrixReview([attached[p] for p in by_process], warnings, problems)


def attach_matrices(
    definitions: Sequence[ProcessDefinition],
    matrix_files: Sequence[SourceFile],
    directory: Directory,
    known_scopes: Mapping[str, Collection[str]] | None = None,
) -> list[tuple[ProcessDefinition, list[str]]]:
    """The definitions with their checked matrices attached, and each one's warnings.

    Raises InvalidDefinition listing every problem if any matrix is invalid.
    """
    review = review_matrices(definitions, matrix_files, directory, known_scopes)
    if review.problems:
        raise InvalidMatrices(review.problems)
    return [(d, review.warnings[d.process_id]) for d in review.definitions]


def matrix_of(version: ProcessVersion) -> RaciMatrix | None:
    """The RACI matrix deployed with `version`, or None for an ungoverned process."""
    for name, text in version.attachments.items():
        if is_matrix_file(name):
            return load_matrix(name, text)
    return None
