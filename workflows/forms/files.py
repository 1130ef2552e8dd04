"""What files a form needs on its case before it may be submitted (docs/attachments.md).

The engine enforces these (engine/commands/base.py, `require_attachments`), for the
page, the API and the CLI alike; a task page names them beside the upload form.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.attachments import DOCUMENTS, IMAGES, AttachmentRule
from raci.messages import N_

SIGNED_CONTRACT = "signed_contract"  # the kind a file is uploaded as, when a rule asks for it

_NEEDS: dict[tuple[str, str], tuple[AttachmentRule, ...]] = {
    # Logistics replaces a broken product on the evidence of its photo (taken by whoever
    # took the complaint down, or by the driver on arrival); a rejection needs none.
    ("complaint", "arrange_replacement"): (
        AttachmentRule(
            name=N_("a photo of the broken product"),
            refusal=N_("Attach a photo of the broken product first."),
            types=IMAGES,
            when={"outcome": "accepted"},
        ),
    ),
    # Master data accepts a new customer only with the contract the customer signed.
    ("customer_onboarding", "validate_customer"): (
        AttachmentRule(
            name=N_("the signed contract"),
            refusal=N_("Attach the contract the customer signed before accepting."),
            types=DOCUMENTS,
            kind=SIGNED_CONTRACT,
            when={"decision": "accept"},
        ),
    ),
}

# Processes whose start form takes files too (the complaint's photo, the signed contract).
AT_START = frozenset({"complaint", "customer_onboarding"})

# The kinds a file may be uploaded as, and how the upload form names them.
KINDS = {SIGNED_CONTRACT: N_("the signed contract")}


def needs(process_id: str, task_id: str) -> Sequence[AttachmentRule]:
    """The files the form of `task_id` in `process_id` needs on its case (often none)."""
    return _NEEDS.get((process_id, task_id), ())


def kinds_at_start(process_id: str) -> dict[str, str]:
    """The kinds a file sent with `process_id`'s start form may be said to be."""
    return dict(KINDS) if process_id == "customer_onboarding" else {}
