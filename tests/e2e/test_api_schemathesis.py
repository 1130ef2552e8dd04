"""Property-based API testing: schemathesis reads /api/v1/openapi.json and fires at every endpoint.

Whatever it sends, valid or not (a bounded number of examples per endpoint),
the API must never answer 500, and its answers must be what the document says:
declared statuses, content types and response schemas.

The operations are driven from one test rather than `schemathesis.pytest`'s
lazy fixture loader, which does not run under pytest 9.
"""

from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.test_api import CUSTOMER, PROCESS, make_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    database=None,  # the same examples every run: no hidden state between runs
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def test_the_api_never_fails_and_keeps_to_its_document(tmp_path):
    app = make_app(tmp_path)
    engine = app.extensions["raciflow"]
    started = engine.start(PROCESS, user="giorgos.bd", data={"customer_id": CUSTOMER})
    headers = {"Authorization": f"Bearer {engine.create_token('admin', label='fuzz')}"}
    # Random ids mostly miss (404); these let the examples reach real records too.
    known = {
        "task_id": started.ready_tasks[0],
        "instance_id": started.instance_id,
        "process_id": PROCESS,
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        names = re.findall(r"{(\w+)}", operation.path)
        runs = [(mode, None) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if names and set(names) <= known.keys():
            runs.append((GenerationMode.POSITIVE, {name: known[name] for name in names}))
        for mode, path_parameters in runs:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @EXAMPLES
            def call(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except Exception as failure:  # gather them all, then report
                label = (
                    f"{operation.label} ({mode.value}{', known ids' if path_parameters else ''})"
                )
                failures.append(f"{label}: {failure}")
    assert not failures, "\n\n".join(failures)
