"""Check a decision table's cells the way SpiffWorkflow's DMN engine will run them.

SpiffWorkflow parses a DMN file without reading its input entries: a rule cell such as
`=> 2000` is found wrong only when a case reaches the table, and then every case that
does stops with an incident. Its engine (SpiffWorkflow/dmn/engine/DMNEngine.py, `evaluate`)
turns a cell into one expression over the column's input expression:

- a cell holding `?` has it replaced by the input's value: `4 < ? < 6`;
- a cell that is an expression on its own is compared to the input: `(amount) == ("A")`;
- any other cell is appended to the input: `amount` + `>= 1000`.

Here every cell is built the same way and compiled by the sandbox, so that a deploy (and
the process owner's draft check) refuses the table with the rule and column named.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from raci.messages import N_, Message

from . import sandbox
from .errors import InvalidDecision, ScriptError

# A `?` outside quotes, as DMNEngine.evaluate finds it.
_INPUT_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def decision_problems(task_spec: Any, file_name: str | None) -> list[InvalidDecision]:
    """The cells of the table a business rule task runs that could never be evaluated."""
    engine = getattr(task_spec, "dmnEngine", None)
    if engine is None:
        return []
    element_id = getattr(task_spec, "bpmn_id", None)
    task = getattr(task_spec, "bpmn_name", None) or element_id
    return [
        InvalidDecision(
            Message(
                N_("the decision table of '%(task)s', %(where)s: not a condition the engine can"
                   " evaluate"),
                task=task,
                where=where,
            ),
            file_name=file_name,
            element_id=element_id,
        )
        for where, expression in _expressions(engine.decision_table)
        if not _compiles(expression)
    ]  # fmt: skip


def _expressions(table: Any) -> Iterator[tuple[Message, str]]:
    """(where, the expression the engine evaluates) for each input and rule cell."""
    for column in table.inputs:
        if column.expression:
            said = Message(N_("the input '%(label)s'"), label=column.label or column.expression)
            yield said, column.expression
    for rule in table.rules:
        for entry in rule.inputEntries:
            column = entry.input
            for cell in entry.lhs:
                if cell is None or not column.expression:
                    continue
                said = Message(
                    N_("rule %(row)s, column '%(label)s': '%(cell)s'"),
                    row=rule.row_number,
                    label=column.label or column.expression,
                    cell=cell,
                )
                yield said, _as_evaluated(column.expression, cell)


def _as_evaluated(input_expression: str, cell: str) -> str:
    marked = _INPUT_MARK.sub("dmninputexpr", cell)
    if "dmninputexpr" in marked:
        return marked
    if _parses(cell):
        return f"({input_expression}) == ({cell})"
    return input_expression + cell


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _compiles(expression: str) -> bool:
    try:
        sandbox.compile_script(expression, "eval")
    except ScriptError:
        return False
    return True
