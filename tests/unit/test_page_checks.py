"""The crawler's checks of a page's visible text (tests/browser/page_checks.py)."""

from __future__ import annotations

from tests.browser.page_checks import english_words, repr_problems, utc_problems


def test_python_and_json_reprs_are_caught():
    assert repr_problems("γραμμές: [{'line_no': 1}]")
    assert repr_problems('{"a": 1}') and repr_problems("τιμή: None") and repr_problems("True")
    assert repr_problems("Καφενείο Μακρής · 15.000,00 €") == []


def test_utc_times_are_caught_and_local_ones_pass():
    assert utc_problems("2026-12-05T22:34:31.411794+00:00")
    assert utc_problems("Οι ώρες είναι σε UTC.") and utc_problems("12:00Z")
    assert utc_problems("3 Δεκ 2026, 23:50") == []


def test_english_words_are_caught_but_codes_names_and_user_data_pass():
    text = "Ανάλυση credit_limit_change Approve giorgos.bd C00012 EQ-00042 SO-2026-000001"
    assert english_words(text, {"giorgos.bd"}) == ["Approve", "credit_limit_change"]
    assert english_words("raciflow · RACI · BPMN · PDF · e-mail · Cola Zero 330ml") == []
    assert english_words("anna.credit@example.com ΑΦΜ 094014201") == []


def test_a_short_case_id_of_letters_only_is_an_id_not_english():
    assert english_words("Υπόθεση cadaafee · φάκελος υπόθεσης") == []
    assert english_words("Υπόθεση cadaafe") == ["cadaafe"]  # seven letters: a word
