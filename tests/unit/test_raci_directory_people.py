"""A search box's person: typed as a username, a name, part of one, without accents."""

from __future__ import annotations

from raci.directory import Directory, User


def directory() -> Directory:
    people = [
        User("eleni.bd", "Ελένη Γεωργίου", None, True, frozenset({"bd"})),
        User("eleni.cs", "Ελένη Σταύρου", None, False, frozenset({"cs_agent"})),  # has left
        User("nikos.bd", "Νίκος Αντωνίου", None, True, frozenset({"bd"})),
    ]
    return Directory(users={u.username: u for u in people})


def test_a_username_is_itself_whatever_its_case():
    assert directory().people_called(" Eleni.BD ") == ("eleni.bd",)


def test_a_name_typed_any_way_finds_everyone_it_fits_former_staff_too():
    assert directory().people_called("ελενη") == ("eleni.bd", "eleni.cs")
    assert directory().people_called("ΕΛΈΝΗ ΓΕΩΡΓΊΟΥ") == ("eleni.bd",)
    assert directory().people_called("nikos") == ("nikos.bd",)


def test_no_one_found_is_the_text_as_typed_which_matches_no_one():
    assert directory().people_called("Κανένας") == ("κανένας",)
