"""A process names the defects its analytics counts in its RACI matrix (`defects:`)."""

from __future__ import annotations

import pytest

from engine.analytics.report import DefectKind
from engine.commands.analytics import defect_kinds
from raci import matrix_yaml
from raci.loading import MatrixFormatError, load_matrix
from raci.matrix import DEFECT_KINDS

MATRIX = """\
process: approval
roles: [clerk, manager]
{defects}
activities:
  - activity: review
    raci: {{clerk: R, manager: A}}
"""


def loaded(defects_line: str):
    return load_matrix("approval.raci.yaml", MATRIX.format(defects=defects_line))


def test_a_matrix_without_defects_counts_every_kind():
    assert loaded("").defects is None
    assert defect_kinds(loaded("")) == frozenset(DefectKind)
    assert defect_kinds(None) == frozenset(DefectKind)


def test_a_matrix_names_the_kinds_it_counts_and_keeps_them_through_the_editor():
    matrix = loaded("defects: [rework, cancelled]")
    assert defect_kinds(matrix) == {DefectKind.REWORK, DefectKind.CANCELLED}
    assert load_matrix("approval.raci.yaml", matrix_yaml.dump(matrix)).defects == matrix.defects
    grid = [{"activity": "review", "cells": {"clerk": "R", "manager": "A"}}]
    edited = matrix_yaml.apply_grid("approval", matrix, ["clerk", "manager"], grid)
    assert edited.defects == ("rework", "cancelled")


@pytest.mark.parametrize(
    ("line", "fault"),
    [
        ("defects: [rework, late]", "must be a list of defect kinds"),
        ("defects: rework", "must be a list of defect kinds"),
        ("defects: [rework, rework]", "names a kind twice"),
    ],
)
def test_an_unknown_or_repeated_kind_is_refused(line, fault):
    with pytest.raises(MatrixFormatError, match=fault):
        loaded(line)


def test_the_matrix_and_the_engine_know_the_same_kinds():
    assert set(DEFECT_KINDS) == {kind.value for kind in DefectKind}
