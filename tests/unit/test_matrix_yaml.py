"""The RACI panel's grid written back as a matrix file: letters and flags from the grid,
everything else (authority, scopes, levels) carried over from the matrix it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from raci.loading import load_matrix
from raci.matrix_yaml import apply_grid, dump

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.mark.parametrize("name", sorted(p.name for p in BPMN.glob("*.raci.*")))
def test_every_matrix_of_bpmn_reads_back_the_same_from_yaml(name):
    matrix = load_matrix(name, (BPMN / name).read_text())
    again = load_matrix(name.rsplit(".", 2)[0] + ".raci.yaml", dump(matrix))
    assert [(r.activity, r.cells, r.rules) for r in again.rows] == [
        (r.activity, r.cells, r.rules) for r in matrix.rows
    ]
    assert (again.roles, again.levels, again.scopes) == (matrix.roles, matrix.levels, matrix.scopes)


def test_the_grid_changes_letters_and_flags_and_keeps_the_rest():
    name = "credit_limit_change.raci.yaml"
    old = load_matrix(name, (BPMN / name).read_text())
    rows = [
        {
            "activity": "request",
            "cells": {"bd": "R/A", "credit_controller": "I"},
            "self_approval": True,
        },
        {
            "activity": "analyse_controller",
            "cells": {"bd": "I", "credit_controller": "R/A", "sales_manager": "C"},
            "signoff_due": "P2D",
        },
    ]
    new = apply_grid("credit_limit_change", old, list(old.roles), rows)
    [request, analysis] = new.rows
    assert request.rules.self_approval and not analysis.rules.self_approval
    assert {r: "".join(sorted(v)) for r, v in analysis.cells.items() if v} == {
        "bd": "I",
        "credit_controller": "AR",
        "sales_manager": "C",
    }
    assert analysis.rules.signoff_due.days == 2
    assert analysis.rules.authority == old.rows[1].rules.authority  # kept
    assert analysis.rules.scopes == (("bd", "customer_bd"),)
    assert new.levels == old.levels


def test_a_letter_the_grid_cannot_read_is_refused():
    with pytest.raises(ValueError):
        apply_grid("p", None, ["clerk"], [{"activity": "a", "cells": {"clerk": "X"}}])


def test_letters_typed_on_a_greek_keyboard_read_as_the_keys_say():
    """Greek Rho/Alpha (on R and A's keys, and looking like them) were refused with
    "is not a RACI cell", and Psi is what C's key types."""
    cells = {"clerk": "\u03a1/\u0391", "boss": "\u03c8", "audit": "\u03b9"}  # Ρ/Α, ψ, ι
    [row] = apply_grid(
        "p", None, ["clerk", "boss", "audit"], [{"activity": "a", "cells": cells}]
    ).rows
    assert {role: "".join(sorted(v)) for role, v in row.cells.items()} == {
        "clerk": "AR",
        "boss": "C",
        "audit": "I",
    }
    with pytest.raises(ValueError):  # other Greek letters are still no RACI letter
        apply_grid("p", None, ["clerk"], [{"activity": "a", "cells": {"clerk": "\u03a9"}}])


def test_the_grid_narrows_and_lifts_a_row_s_audience_scope():
    name = "credit_limit_change.raci.yaml"
    old = load_matrix(name, (BPMN / name).read_text())
    cells = {"bd": "I", "credit_controller": "R/A", "sales_manager": "I"}
    rows = [
        # Lifted: every BD is told of this analysis.
        {"activity": "analyse_controller", "cells": cells, "scopes": {}},
        # Narrowed: only the customer's own sales manager (a scope on a role it had none).
        {"activity": "analyse_finance", "cells": cells, "scopes": {"sales_manager": "x"}},
        # A scope on a role with no letter on the row is dropped.
        {"activity": "analyse_cfo", "cells": {"cfo": "R/A"}, "scopes": {"bd": "customer_bd"}},
    ]
    new = apply_grid("credit_limit_change", old, list(old.roles), rows)
    assert [row.rules.scopes for row in new.rows] == [(), (("sales_manager", "x"),), ()]
