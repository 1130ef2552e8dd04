"""How a notice names a case: the reader knows which one without opening it."""

from types import SimpleNamespace

from engine.governance import case_label


def case(key, **summary):
    return SimpleNamespace(business_key=key, summary=summary or None)


def test_a_notice_names_the_customer_and_the_order_beside_the_key():
    named = case("C00012", customer_name="Μίνι Μάρκετ Νικολάου", order_number="SO-2026-000003")
    assert case_label(named) == "C00012 (Μίνι Μάρκετ Νικολάου, SO-2026-000003)"


def test_what_the_case_does_not_say_is_left_out():
    assert case_label(case("C00007", customer_name="Καφενείο")) == "C00007 (Καφενείο)"
    assert case_label(case(None, order_number="SO-2026-000009")) == "SO-2026-000009"
    assert case_label(case("C00007")) == "C00007"
    assert case_label(case(None)) is None
