"""The words of the actions the audit trail records, in the reader's language.

One table for every page and file that lists acts: the audit search, a case's timeline,
the case file (page, CSV and PDF). An action missing here shows as its code.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "start": _l("started"),
    "case_started": _l("started another case"),
    "task_ready": _l("task ready"),
    "claim": _l("claimed"),
    "release": _l("returned to the queue"),
    "reassign": _l("reassigned"),
    "complete": _l("completed task"),
    "signoff_requested": _l("sign-off requested"),
    "approve": _l("approved"),
    "reject": _l("rejected"),
    "consult_requested": _l("consultation requested"),
    "consult_answered": _l("consultation answered"),
    "consult_overridden": _l("consultation overridden"),
    "notified": _l("notified"),
    "refused": _l("refused"),
    "task_cancelled": _l("task cancelled"),
    "timer_fired": _l("timer fired"),
    "error": _l("error"),
    "retry": _l("retried"),
    "signoff_voided": _l("sign-off voided: the signed data was changed"),
    "cancel": _l("cancelled"),
    "instance_completed": _l("instance completed"),
    "deploy": _l("deployed"),
    "directory_import": _l("directory imported"),
    "password_set": _l("password set"),
    "data_changed": _l("data changed"),
    "decision": _l("decision"),
    "audience": _l("people of the case chosen"),
    "audit_checkpoint": _l("audit checkpoint recorded"),
    "routed": _l("routed to a person"),
    "routing_failed": _l("routing failed"),
    "password_changed": _l("password changed"),
    "password_reset": _l("password reset"),
    "deputy_set": _l("deputy named"),
    "deputy_removed": _l("deputy removed"),
    "user_created": _l("user created"),
    "user_changed": _l("user changed"),
    "user_deactivated": _l("user deactivated"),
    "user_reactivated": _l("user reactivated"),
    "role_added": _l("role added"),
    "role_removed": _l("role removed"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
    "incident": _l("incident"),
    "comment": _l("commented"),
    "attach": _l("file attached"),
    "migrated": _l("migrated to another version"),
    "migrate": _l("instances migrated"),
    "draft_opened": _l("draft opened"),
    "draft_saved": _l("draft saved"),
    "draft_deleted": _l("draft deleted"),
    "draft_submitted": _l("draft submitted for approval"),
    "draft_approved": _l("draft approved"),
    "draft_rejected": _l("draft rejected"),
    "draft_refused": _l("draft approval refused"),
    "message_received": _l("message received"),
    "signal_received": _l("signal received"),
    "message_kept": _l("message kept for its receiver"),
    "message_dropped": _l("message dropped: nobody waits for it"),
}


def action_words(action: str) -> str:
    """`action` (an audit event's) in words; an unknown one as its code."""
    found = ACTION_LABELS.get(action)
    return str(found) if found is not None else action
