"""Authority follows the value signed: who signs is decided again on the data submitted.

A RACI row may declare that its signer is picked by a level table (raci.matrix.
Authority). Routing ran that table on what was known before the work was done;
the work itself may change the value (a credit controller recommends far more
than was asked), so the table runs again on the submitted data, at submission
and at each sign-off, and the role it names signs, never a lower one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from raci import policy
from raci.matrix import ActivityRow

from .governance import Governance, RaciRefusal
from .model import HumanTask
from .runtime import Runtime


@dataclass(frozen=True)
class SigningLevel:
    """The role that must sign a task's submitted data, and how the table found it."""

    role: str
    required: str
    decided_by: str
    inputs: dict[str, Any]

    def as_details(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "level": self.required,
            "decided_by": self.decided_by,
            "inputs": self.inputs,
        }


def signing_level(
    runtime: Runtime, workflow: Any, governance: Governance, task: HumanTask, data: dict[str, Any]
) -> SigningLevel | None:
    """The level `data` needs on `task`, or None when its row declares no authority.

    Each input the row `reads` is bound to the submitted field that takes effect;
    a field the submission leaves out or empty (nothing takes effect through it)
    leaves the input as routing saw it.
    """
    row: ActivityRow = governance.row(task)
    authority = row.rules.authority
    if authority is None:
        return None
    inputs = {name: data[f] for name, f in authority.reads if data.get(f) is not None}
    decided = runtime.decide(workflow, task.id, authority.decided_by, {**data, **inputs})
    required = next(iter(decided.values()), None)
    try:
        role = policy.signing_role(governance.matrix.levels, row, required)
    except policy.Refused as refused:
        raise RaciRefusal.of(refused, task) from refused
    return SigningLevel(role, str(required), authority.decided_by, inputs)
