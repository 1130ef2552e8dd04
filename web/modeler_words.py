"""The words bpmn-js and dmn-js show, in the reader's language (their `translate` hook).

The libraries ship English; each string they pass through `translate` is looked up in
the catalog (web/static/modeler.js installs the hook). Those people see on the page are
all here; a tooltip missing here shows in English.
"""

from __future__ import annotations

from flask_babel import gettext

from raci.messages import N_

WORDS = (
    # The decision table (dmn-js)
    N_("View DRD"), N_("When"), N_("And"), N_("Then"), N_("Hit policy:"), N_("Hit policy"),
    N_("Unique"), N_("First"), N_("Priority"), N_("Any"), N_("Collect"), N_("Rule order"),
    N_("Output order"), N_("Annotations"), N_("Annotation"), N_("Add rule"),
    N_("Add rule above"), N_("Add rule below"), N_("Remove rule"), N_("Copy rule"),
    N_("Cut rule"), N_("Paste rule above"), N_("Paste rule below"), N_("Add input"),
    N_("Add output"), N_("Add input column left"), N_("Add input column right"),
    N_("Remove input column"), N_("Add output column left"), N_("Add output column right"),
    N_("Remove output column"), N_("Input label"), N_("Input expression"),
    N_("Output label"), N_("Output name"), N_("Type"), N_("Expression"), N_("Edit string"),
    N_("Edit number"), N_("Edit boolean"), N_("Predefined values"), N_("Decision name"),
    # The diagram (bpmn-js): palette and context pad
    N_("Activate hand tool"), N_("Activate lasso tool"),
    N_("Activate create/remove space tool"), N_("Activate global connect tool"),
    N_("Create start event"), N_("Create intermediate/boundary event"),
    N_("Create end event"), N_("Create gateway"), N_("Create task"),
    N_("Create data object reference"), N_("Create data store reference"),
    N_("Create expanded sub-process"), N_("Create pool/participant"), N_("Create group"),
    N_("Append end event"), N_("Append gateway"), N_("Append task"),
    N_("Append intermediate/boundary event"), N_("Append timer intermediate catch event"),
    N_("Delete"), N_("Change element"), N_("Add text annotation"),
    N_("Connect to other element"),
    # The checks as one draws (bpmn-js-bpmnlint and the rules of web/lint/rules.mjs)
    N_("{errors} Errors, {warnings} Warnings"), N_("No Issues"),
    N_("Toggle linting overlays"), N_("Issues for child elements"),
    N_("A <Start Event> is not allowed in <Ad Hoc Sub Process>"),
    N_("An <End Event> is not allowed in <Ad Hoc Sub Process>"),
    N_("Sequence flow is missing condition"), N_("Process is missing end event"),
    N_("Sub process is missing end event"), N_("Process is missing start event"),
    N_("Sub process is missing start event"),
    N_("An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>"),
    N_("A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional"),
    N_("Start event is missing event definition"), N_("Element is not connected"),
    N_("SequenceFlow is a duplicate"), N_("Duplicate outgoing sequence flows"),
    N_("Duplicate incoming sequence flows"), N_("Process has multiple blank start events"),
    N_("Sub process has multiple blank start events"),
    N_("Event has multiple event definitions"), N_("Start event must be blank"),
    N_("Incoming flows do not join"), N_("Element is an implicit end"),
    N_("Flow splits implicitly"), N_("Element is an implicit start"),
    N_("Gateway is superfluous. It only has one source and target."),
    N_("Termination is superfluous."),
)  # fmt: skip


def modeler_words() -> dict[str, str]:
    """Each English string of the libraries and its words in the reader's language."""
    return {word: gettext(word) for word in WORDS}
