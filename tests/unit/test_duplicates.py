"""Duplicate customers are recognised however their name and address are spelled."""

from __future__ import annotations

import pytest

from workflows.duplicates import (
    Place,
    fold,
    is_likely_duplicate,
    name_key,
    postcode_area,
    same_address,
    similar_names,
    street_key,
)

SHOP = Place("Καφενείο Παπαδόπουλος", "Ερμού 12", "Αθήνα", "10563")


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Καφενείο", "καφενειο"),
        ("ΚΑΦΕΝΕΊΟ", "καφενειο"),  # capitals with a tonos
        ("Ταΰγετος", "ταυγετοσ"),  # dialytika with tonos; final sigma as plain sigma
        ("ΪΟΝΙΟΝ", "ιονιον"),
        ("  Ο.Ε.  ", "οε"),  # dots join
        ("Κάβα-Αλεξίου/Ζαχαρίου", "καβα αλεξιου ζαχαριου"),
        ("Γιώργος’ Shop", "γιωργοσ shop"),
        ("", ""),
    ],
)
def test_fold_drops_accents_case_and_punctuation(typed, folded):
    assert fold(typed) == folded


def test_name_key_ignores_word_order_and_legal_forms():
    assert name_key("Παπαδόπουλος Καφενείο & ΣΙΑ Ο.Ε.") == name_key("Καφενείο Παπαδόπουλος")
    assert name_key("ΚΑΦΕΝΕΙΟ ΠΑΠΑΔΟΠΟΥΛΟΣ Ε.Π.Ε.") == name_key("καφενείο παπαδόπουλος")
    assert name_key("Kafeneio Papadopoulos A.E.") == "kafeneio papadopoulos"


@pytest.mark.parametrize(
    "typed",
    ["Ερμού 12", "ΕΡΜΟΥ 12", "οδός Ερμού 12", "Οδ. Ερμου 12", "12 Ερμού", "Ερμού, 12"],
)
def test_street_key_ignores_the_street_type_and_spelling(typed):
    assert street_key(typed) == street_key("Ερμού 12")


def test_street_key_unifies_avenue_and_saint_abbreviations():
    assert street_key("Λεωφόρος Αγίου Νικολάου 3") == street_key("Λεωφ. Αγ. Νικολάου 3")
    assert street_key("Λ. Αγίας Σοφίας 8") == street_key("Αγ Σοφίας 8")


def test_street_key_keeps_the_house_number():
    assert street_key("Ερμού 12") != street_key("Ερμού 14")
    assert street_key("Ερμού 12") != street_key("Ερμού 12Α")


@pytest.mark.parametrize(
    "other",
    [
        "ΚΑΦΕΝΕΙΟ ΠΑΠΑΔΟΠΟΥΛΟΣ",
        "Καφενείο Παπαδοπούλου",  # the genitive, as shop signs often have it
        "Παπαδόπουλος Καφενείο Ο.Ε.",
        "Καφενειο Παπαδοπουλος",
    ],
)
def test_similar_names(other):
    assert similar_names("Καφενείο Παπαδόπουλος", other)


@pytest.mark.parametrize(
    "other", ["Καφενείο Γεωργίου", "Κάβα Παπαδόπουλος", "Σούπερ Μάρκετ Παπαδόπουλος", "", "Ο.Ε."]
)
def test_different_names(other):
    assert not similar_names("Καφενείο Παπαδόπουλος", other)


def test_same_address_needs_the_same_street_and_the_same_postcode_or_city():
    assert same_address(SHOP, Place("x", "ΟΔΟΣ ΕΡΜΟΥ 12", "ΑΘΗΝΑ", "105 63"))
    assert same_address(SHOP, Place("x", "Ερμού 12", "Αθήνα", "10564"))  # a postcode typo
    assert same_address(SHOP, Place("x", "Ερμού 12", "Athens", "10563"))  # city in Latin
    assert not same_address(SHOP, Place("x", "Ερμού 12", "Πάτρα", "26221"))  # another town
    assert not same_address(SHOP, Place("x", "Ερμού 14", "Αθήνα", "10563"))
    assert not same_address(Place("x", "", "Αθήνα", "10563"), Place("y", "", "Αθήνα", "10563"))


def test_a_likely_duplicate_is_a_similar_name_at_the_same_address():
    typed_again = Place("ΚΑΦΕΝΕΙΟ ΠΑΠΑΔΟΠΟΥΛΟΥ", "οδός Ερμου 12", "ΑΘΗΝΑ", "105 63")
    assert is_likely_duplicate(typed_again, SHOP)
    neighbour = Place("Φούρνος Παπαδόπουλος", "Ερμού 12", "Αθήνα", "10563")
    assert not is_likely_duplicate(neighbour, SHOP)  # another shop in the same building
    branch = Place("Καφενείο Παπαδόπουλος", "Αθηνάς 3", "Αθήνα", "10551")
    assert not is_likely_duplicate(branch, SHOP)  # a second shop of the same owner


def test_postcode_area_is_the_first_three_digits():
    assert postcode_area("105 63") == "105"
    assert postcode_area("10563") == "105"
    assert postcode_area("") == ""
