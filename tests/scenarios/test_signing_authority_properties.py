"""Property: for any requested and recommended limit, whoever signs has the authority for
the limit that takes effect (issue 10: authority follows the value signed)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.governance import RaciRefusal

PROCESS = "credit_limit_change"
CUSTOMER = 150
LADDER = ("credit_controller", "finance_manager", "cfo")
SIGNER = {
    "credit_controller": "kostas.credit",
    "finance_manager": "vasso.finance",
    "cfo": "petros.cfo",
}


def level_for(limit: float, current: float) -> str:
    """The level table of bpmn/credit_limit_change.approval_level.dmn, written out."""
    if limit > 50000 or limit - current > 20000:
        return "cfo"
    if limit > 20000 or limit - current > 5000:
        return "finance_manager"
    return "credit_controller"


limits = st.one_of(
    st.integers(1, 10_000_000),
    st.sampled_from([5000, 5001, 20000, 20001, 50000, 50001]),  # the table's edges
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(asked=limits, recommended=st.one_of(limits, st.just(0)))
def test_whoever_signs_has_the_authority_for_the_limit_that_takes_effect(
    crm, asked: int, recommended: int
):
    crm.deploy(PROCESS)  # a no-op after the first example
    current = float(crm.customer(CUSTOMER)["credit_limit"])
    started = crm.start(PROCESS, "giorgos.bd", customer_id=CUSTOMER)
    instance = started.instance_id
    crm.complete(
        instance, "request", "giorgos.bd", requested_limit=asked, justification="A new shop opens"
    )
    [element] = crm.open_elements(instance)
    crm.complete(
        instance,
        element,
        "anna.credit",
        recommendation="approve",
        approved_limit=recommended,
        analysis="Pays within terms for two years",
    )

    signed_as = None
    for role in LADDER:  # the lowest level first: each refusal must be for want of authority
        try:
            crm.approve(instance, element, SIGNER[role])
        except RaciRefusal:
            continue
        signed_as = role
        break

    needed = max(level_for(recommended, current), level_for(asked, current), key=LADDER.index)
    assert signed_as == needed
    assert float(crm.customer(CUSTOMER)["credit_limit"]) == recommended
