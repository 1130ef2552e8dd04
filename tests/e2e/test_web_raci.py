"""RACI pages: every signed-in user reads the matrix of each deployed process version."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from engine import SourceFile

from .test_web_instances import (  # noqa: F401  (the fixtures app, engine, seeded)
    ROOT,
    as_user,
    process_engine,
    seeded_database,
    text_of,
    web_app,
)


def matrix_of_page(page: str) -> dict[str, dict[str, str]]:
    """The matrix table as {activity id: {column: cell text}}.

    Ids are not shown (people read names): a role's column and an activity's row carry
    their id as the title (on hover); other columns are keyed by their words.
    """
    table = lxml_html.fromstring(page).xpath("//table[contains(@class, 'matrix')]")[0]
    columns = [th.get("title") or _words(th) for th in table.xpath("thead/tr/th")]
    rows = {}
    for row in table.xpath("tbody/tr"):
        activity = row.xpath("th")[0].get("title")
        cells = [_words(td) for td in row.xpath("td")]
        rows[activity] = dict(zip(columns[1:], cells, strict=True))
    return rows


def _words(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def test_the_index_lists_the_deployed_processes(app):
    page = as_user(app, "giorgos.bd").page("/raci/")
    assert 'href="/raci/credit_limit_change"' in page
    assert "Credit limit change" in page and 'href="/raci/credit_review"' in page


def test_the_matrix_of_credit_limit_change_reads_like_the_chart(app):
    page = as_user(app, "giorgos.bd").page("/raci/credit_limit_change")
    matrix = matrix_of_page(page)
    assert list(matrix) == ["request", "analyse_controller", "analyse_finance", "analyse_cfo"]
    assert matrix["request"]["bd"] == "R A"
    assert matrix["request"]["credit_controller"] == "I"
    assert matrix["request"]["Self-approval"] == "yes"
    assert matrix["analyse_controller"]["credit_controller"] == "R A"
    assert matrix["analyse_controller"]["Sign-off due"] == "1 day"
    assert matrix["analyse_finance"]["finance_manager"] == "A"
    cfo = matrix["analyse_cfo"]
    assert cfo["finance_manager"] == "C"
    assert cfo["cfo"] == "A"
    assert cfo["Advisory"] == "yes" and cfo["Sign-off due"] == "3 days"
    assert cfo["sales_manager"] == "I" and cfo["Self-approval"] == ""
    text = text_of(page)
    assert "Request new credit limit" in text  # activities by their BPMN names
    assert "Chief financial officer" in text and "finance_manager" not in text  # roles by name
    assert 'class="table-wrap matrix-wrap"' in page  # the matrix scrolls in its own box


def test_the_version_selector_shows_earlier_versions(app, engine):
    files = [SourceFile.read(p) for p in sorted((ROOT / "bpmn").glob("credit_limit_change.*"))]
    changed = (ROOT / "bpmn" / "credit_limit_change.raci.yaml").read_text().replace("P3D", "P5D")
    files = [f for f in files if not f.is_matrix]
    files.append(SourceFile("credit_limit_change.raci.yaml", changed.encode()))
    [deployment] = engine.deploy(files, user="lena.owner")
    assert deployment.version == 2

    browser = as_user(app, "eleni.bd")
    latest = browser.page("/raci/credit_limit_change")
    assert matrix_of_page(latest)["analyse_cfo"]["Sign-off due"] == "5 days"
    assert '<option value="2" selected>v2 (latest)</option>' in latest
    first = browser.page("/raci/credit_limit_change?version=1")
    assert matrix_of_page(first)["analyse_cfo"]["Sign-off due"] == "3 days"
    assert browser.get("/raci/credit_limit_change?version=9").status_code == 404
    assert browser.get("/raci/no_such_process").status_code == 404


def test_an_ungoverned_process_says_so(app):
    page = as_user(app, "giorgos.bd").page("/raci/fragile")
    assert "no RACI matrix" in page


def test_the_process_diagram_is_served_as_svg(app):
    answer = as_user(app, "giorgos.bd").get("/raci/credit_limit_change/diagram.svg?version=1")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    root = etree.fromstring(answer.data)
    assert root.xpath("//*[local-name()='g'][@id='bpmn-analyse_cfo']")
    assert as_user(app, "giorgos.bd").get("/raci/nope/diagram.svg").status_code == 404


def test_signing_in_is_required(app):
    answer = app.test_client().get("/raci/credit_limit_change")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
