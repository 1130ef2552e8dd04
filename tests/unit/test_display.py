"""How values read on a page: words, the user's locale, one time zone, never a repr."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from raci.directory import Directory, User
from tests.unit.test_order_checks import POLICY, line, order
from web import display
from web.addresses import address_text, map_url
from web.case_notes import file_size
from web.case_warnings import warnings, without_warnings
from web.config import ConfigError, Settings
from web.display_values import show
from workflows.order_checks import find_anomalies

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
REPR = ("{'", "[{", "None", "True", "False", "&#39;")


PRODUCTS = {"P0001": "Νερό 0,5L", "P0005": "Cola 330ml"}


class FakeEngine:
    """What the filters ask the engine: the directory, and a unit of work to look records
    up in (the catalogue's lookup is faked below)."""

    def directory(self) -> Directory:
        return Directory(users={"giorgos.bd": User("giorgos.bd", "Γιώργος Παπαδόπουλος")})

    def uow(self) -> None:
        return None


@pytest.fixture(autouse=True)
def catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product names a page shows, without a database."""

    def product_label(_uow: None, code: str) -> str | None:
        return f"{PRODUCTS[code]} ({code})" if code in PRODUCTS else None

    monkeypatch.setattr("web.customer_card.product_label", product_label)


def make_app(locale: str, zone: str = "Europe/Athens") -> Flask:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=lambda: locale)
    app.extensions["raciflow"] = FakeEngine()
    display.init_app(app, zone)
    return app


@pytest.fixture
def greek():
    with make_app("el").test_request_context():
        yield


@pytest.fixture
def english():
    with make_app("en").test_request_context():
        yield


def test_money_and_numbers_follow_the_greek_locale(greek):
    assert display.money(15000) == "15.000,00\xa0€"
    assert display.money(Decimal("1197.06")) == "1.197,06\xa0€"
    assert display.number(9000) == "9.000"
    assert display.number(2.5) == "2,5"
    assert display.money(None) == "—"


def test_money_and_numbers_in_english(english):
    assert display.money(15000) == "€15,000.00"
    assert display.number(9000) == "9,000"


def test_times_are_shown_in_the_one_display_zone(greek):
    assert display.local_time("2026-07-01T09:00:00+00:00") == "2026-07-01 12:00"  # summer
    assert display.local_time("2026-12-01T09:00:00+00:00") == "2026-12-01 11:00"  # winter
    assert display.local_time("2026-12-01T09:00:00") == "2026-12-01 11:00"  # naive is UTC
    assert display.local_time("2026-12-01") == "2026-12-01"  # a day stays a day
    assert display.local_time(None) == ""


def test_the_display_zone_is_a_setting():
    with make_app("en", "America/New_York").test_request_context():
        assert display.local_time("2026-12-01T17:00:00+00:00") == "2026-12-01 12:00"
    assert Settings.from_env({"RACIFLOW_INSTANCE_DIR": "/tmp", "RACIFLOW_SECRET_KEY": "x"})
    with pytest.raises(ConfigError, match="RACIFLOW_TIMEZONE"):
        Settings.from_env({"RACIFLOW_TIMEZONE": "Mars/Olympus", "RACIFLOW_SECRET_KEY": "x"})


def test_durations_read_as_words(greek):
    assert display.duration("P2D") == "2 ημέρες"
    assert display.duration("PT36H") == "36 ώρες"  # not rounded to days
    assert display.duration("P1DT2H") == "1 ημέρα 2 ώρες"
    assert display.duration("soon") == "soon"
    assert display.duration(timedelta(days=1, hours=12)) == "1 ημέρα 12 ώρες"


def test_measured_times_read_in_their_two_largest_units_rounded(greek):
    assert display.span(2 * 86400 + 3 * 3600 + 20 * 60) == "2 ημέρες 3 ώ."
    assert display.span(2 * 86400 + 3 * 3600 + 40 * 60) == "2 ημέρες 4 ώ."  # rounded
    assert display.span(86400 - 10) == "1 ημέρα"  # 23 h 59 min 50 s rounds to a day
    assert display.span(4 * 3600 + 600) == "4 ώ. 10 λ."
    assert display.span(42.4) == "42 δευτ."
    assert display.span(0) == "0 δευτ."
    assert display.span(None) == "—"


def test_shares_read_as_percentages(greek):
    assert display.percent(0.9734) == "97,3%"
    assert display.percent(1) == "100,0%"
    assert display.percent(None) == "—"


def test_durations_in_english(english):
    assert display.span(3 * 3600 + 60) == "3 hr 1 min"
    assert display.duration("PT4H") == "4 hours"


def test_booleans_missing_values_and_people_are_words(greek):
    assert display.yesno(True) == "Ναι" and display.yesno(False) == "Όχι"
    assert display.yesno(None) == "—"
    assert display.person("giorgos.bd") == "Γιώργος Παπαδόπουλος"
    assert display.person("nobody.known") == "nobody.known"


def test_order_lines_become_a_table_with_greek_headings_and_no_repr(greek):
    lines = [
        {"line_no": 1, "product_code": "P0001", "quantity": 100, "substitute_for": None},
        {"line_no": 2, "product_code": "P0005", "quantity": 9000, "unit_price": 11.81},
    ]
    html = str(show({"lines": lines, "emergency": True, "total": 106290.0, "note": None}))
    assert "<table" in html and "<th>Γραμμή</th>" in html and "<th>Ποσότητα</th>" in html
    heads = [html.index(f"<th>{head}</th>") for head in ("Γραμμή", "Προϊόν", "Ποσότητα")]
    assert heads == sorted(heads)  # what a line is, then its figures
    assert "Νερό 0,5L (P0001)" in html and "Cola 330ml (P0005)" in html
    assert "<th>Τιμή μονάδας</th>" in html and "11,81\xa0€" in html
    assert "9.000" in html and "106.290,00\xa0€" in html and "Ναι" in html
    assert "Αντί για" not in html  # a column nobody fills is left out
    for repr_ in REPR:
        assert repr_ not in html


def test_codes_read_as_words_and_free_text_as_written(greek):
    assert str(show("call_agent", "channel")) == "Τηλεφωνητής"  # a role id reads as the role
    assert str(show("placement", "kind")) == "τοποθέτηση"
    assert str(show("P2D", "sla")) == "2 ημέρες"
    assert str(show("Wedding <tonight>", "urgency")) == "Wedding &lt;tonight&gt;"
    assert str(show("P0001", "product_code")) == "Νερό 0,5L (P0001)"  # the product by name
    assert str(show("P9999", "product_code")) == "P9999"  # an unknown code as written


def test_the_equipment_jobs_schedule_is_labelled_in_greek(greek):
    html = str(show({"schedule": {"technician": "giorgos.bd", "due_on": "2026-12-10"}}))
    assert "Προγραμματισμός εργασίας" in html and "Schedule" not in html


def test_a_decision_tables_outcome_reads_in_greek_and_a_persons_text_as_written(greek):
    # The eligibility table's reason (bpmn/equipment_request.eligibility.dmn).
    assert str(show("segment A: always eligible", "eligibility_reason")) == (
        "κατηγορία A: πάντα επιλέξιμος"
    )
    assert str(show("Νέο ψυγείο δίπλα στην είσοδο", "description")) == (
        "Νέο ψυγείο δίπλα στην είσοδο"
    )


def test_an_address_has_a_map_link(greek):
    address = {"street": "Αχαρνών 210", "city": "Αθήνα", "postcode": "10446"}
    assert address_text(address) == "Αχαρνών 210, 10446 Αθήνα"
    assert map_url(address).startswith("https://www.openstreetmap.org/search?query=")
    html = str(show(address))
    assert "Αχαρνών 210, 10446 Αθήνα" in html and 'href="https://www.openstreetmap.org' in html


def test_anomalies_are_pulled_out_as_warnings_blocking_first(greek):
    case = {
        "check": {
            "clean": False,
            "anomalies": [
                {"code": "unusually_large", "message": "total 106290.00", "hard": False},
                {"code": "unknown_product", "message": "P9999", "hard": True, "line_no": None},
            ],
        }
    }
    found = warnings(case)
    assert [w.title for w in found] == ["Άγνωστο προϊόν", "Ασυνήθιστα μεγάλη παραγγελία"]
    assert found[0].blocking and not found[1].blocking
    assert without_warnings(case) == {"check": {"clean": False}}


def test_an_order_checks_finding_is_said_in_greek_with_its_figures_as_greek_writes_them(greek):
    cheap = order(line(code="P0001", price="9.99", listed="4.65"), total="9.99", average="10")
    case = {"check": {"anomalies": [a.as_dict() for a in find_anomalies(cheap, POLICY)]}}
    details = [w.detail.replace("\xa0", " ") for w in warnings(case)]  # Babel's € is unbroken
    assert "Το σύνολο 9,99 € είναι κάτω από την ελάχιστη παραγγελία των 50,00 €." in details
    assert "Το P0001 στα 9,99 €, πάνω από την τιμή καταλόγου 4,65 €." in details
    assert not any("total" in d or "above list" in d for d in details)
    # Cases checked before the figures were kept show the English text they stored.
    [old] = warnings({"check": {"anomalies": [{"code": "below_minimum", "message": "total 1"}]}})
    assert old.detail == "total 1"


def test_a_credit_block_is_said_in_greek_from_its_figures(greek):
    """The credit tasks read "overdue balance of 777.52", in English, with a dot."""
    credit = {
        "blocked": True,
        "reasons": ["overdue balance of 777.52", "exposure 9000.00 + order 1200.00 exceeds..."],
        "overdue_balance": 777.52,
        "exposure": 9000.0,
        "credit_limit": 10000.0,
        "total": 1200.0,
    }
    [found] = warnings({"credit": credit})
    detail = found.detail.replace("\xa0", " ")
    assert detail == (
        "Ληξιπρόθεσμο υπόλοιπο 777,52 €. Το ανοιχτό υπόλοιπο 9.000,00 € και αυτή η"
        " παραγγελία 1.200,00 € ξεπερνούν το πιστωτικό όριο 10.000,00 €."
    )
    assert "reasons" not in without_warnings({"credit": credit})["credit"]


def test_a_credit_block_is_a_warning(english):
    [found] = warnings({"credit": {"blocked": True, "reasons": ["overdue 84 days"]}})
    assert found.title == "Blocked for credit" and found.detail == "overdue 84 days"
    assert warnings({"credit": {"blocked": False, "reasons": []}}) == []


def test_a_changed_phone_or_tax_id_reads_as_typed_and_a_limit_as_an_amount():
    from web.trail_views import change_view

    with make_app("el").test_request_context():
        phone = change_view({"field": "phone", "old": "2120806154", "new": "2120806199"})
        afm = change_view({"field": "afm", "old": "094014201", "new": "094014202"})
        limit = change_view({"field": "credit_limit", "old": "15000", "new": "20000.5"})
        terms = change_view({"field": "payment_terms_days", "old": "30", "new": "1000"})
    assert (phone["old"], phone["new"]) == ("2120806154", "2120806199")
    assert afm["new"] == "094014202"  # the leading zero kept
    # In euros, as the case's data shows it: "20.000,5" read as a bare number.
    assert (limit["old"], limit["new"]) == ("15.000,00\xa0€", "20.000,50\xa0€")
    assert terms["new"] == "1.000"  # a quantity, in Greek


def test_a_decisions_amount_reads_with_its_cents_in_greek():
    """A release's credit level read "Value of the order to release (EUR) = 3.581,7"."""
    from web.trail_views import decision_view

    inputs = [
        {"label": "Value of the order to release (EUR)", "value": 3581.7},
        {"label": "Days the customer is overdue", "value": 45},
        {"label": "Requested limit (EUR)", "value": 21000},
        {"label": "Unusual size factor", "value": 2.5},  # not an amount: no cents
    ]
    outputs = {"min_order_value": 50, "quantity_factor": 2.5, "credit_level": "controller"}
    with make_app("el").test_request_context():
        view = decision_view({"inputs": inputs, "outputs": outputs})
        shown = [value for _, value in view["inputs"]]
        results = [str(show(value, name)) for name, value in view["outputs"].items()]
    assert shown == ["3.581,70", "45", "21.000,00", "2,5"]
    assert results[:2] == ["50,00\xa0€", "2,5"]  # an amount by its name, a factor as is


def test_a_corrected_order_line_reads_in_greek_on_the_trail():
    """The timeline read "quantity: 100 -> 150" and the reason "lines corrected"."""
    from web.trail_views import change_view, reason_view

    with make_app("el").test_request_context():
        quantity = change_view({"entity": "order_line", "field": "quantity", "new": "150"})
        price = change_view({"entity": "order_line", "field": "unit_price", "new": "12.45"})
        total = change_view({"entity": "order", "field": "total", "old": "2177", "new": "2861.75"})
        reason = reason_view("lines corrected")
        assert (str(quantity["field"]), quantity["new"]) == ("ποσότητα", "150")
        assert (str(price["field"]), price["new"]) == ("τιμή μονάδας", "12,45\xa0€")
        assert (str(total["field"]), total["new"]) == ("σύνολο", "2.861,75\xa0€")
    assert reason == "διόρθωση γραμμών"


def test_a_changed_technician_reads_as_the_person():
    from web.trail_views import change_view

    with make_app("el").test_request_context():
        scheduled = change_view({"field": "technician", "old": None, "new": "giorgos.bd"})
    assert scheduled["new"] == "Γιώργος Παπαδόπουλος"


def test_a_changed_record_known_by_its_number_reads_as_a_number_not_a_bare_id():
    """The auditor's case file read "Παράπονο 1" for the complaint's record."""
    from web.trail_views import change_view

    with make_app("el").test_request_context():
        complaint = change_view({"entity": "complaint", "key": "1", "field": "status"})
        order = change_view({"entity": "order", "key": "SO-2026-000002", "field": "status"})
        assert f"{complaint['entity']} {complaint['key']}" == "Παράπονο αρ. 1"
    assert order["key"] == "SO-2026-000002"  # a number people use is shown as it is


def test_the_command_lines_default_actors_read_as_words_not_usernames(greek):
    from web.display import person

    assert person("init") == "εγκατάσταση (raciflow init)"
    assert person("cli") == "γραμμή εντολών"
    assert person("cli:maria") == "γραμμή εντολών (maria)"  # who ran it, by their login
    assert person("giorgos.bd") == "Γιώργος Παπαδόπουλος"


def test_a_release_cases_records_are_headed_in_greek(greek):
    """The case so far read "Shortage" and "Nothing" on the release tasks."""
    from web.display_values import field_label

    assert [field_label(k) for k in ("shortage", "nothing", "signing_level")] == [
        "Έλλειψη αποθέματος",
        "Τίποτα διαθέσιμο",
        "Ποιος υπογράφει την αλλαγή",
    ]


def test_what_an_invoice_was_credited_before_reads_as_money(greek):
    from web.display_values import field_label, show

    assert field_label("credited_on_invoice") == "Ήδη πιστωμένο σε αυτό το τιμολόγιο"
    assert str(show(1500.0, "credited_on_invoice")).replace("\xa0", " ") == "1.500,00 €"


def test_a_blocked_customer_is_said_by_the_title_alone_not_again_in_english(greek):
    [found] = warnings(
        {
            "check": {
                "anomalies": [
                    {"code": "customer_blocked", "hard": True, "message": "the customer is blocked"}
                ]
            }
        }
    )
    assert (found.title, found.detail) == ("Ο πελάτης είναι μπλοκαρισμένος", None)


def test_a_file_of_a_few_bytes_is_not_said_to_be_empty(greek):
    """A 44-byte PDF was listed as "0 KB" beside a 73-byte PNG at "0,1 KB"."""
    assert [file_size(n) for n in (44, 73, 2048, 3 * 1024 * 1024)] == [
        "0,1 KB",
        "0,1 KB",
        "2 KB",
        "3 MB",
    ]
