"""The JSON API: a credit limit change end to end, tokens, authorisation, errors by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import SourceFile, views
from engine.database import make_engine, upgrade
from web import create_app
from web.config import Settings
from workflows.customers import get_customer
from workflows.demo import DEMO_PASSWORD, demo_directory, load_data

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
PROCESS = "credit_limit_change"
CUSTOMER = 150  # a C-segment customer of the demo data
USERS = (
    "giorgos.bd",
    "eleni.bd",
    "anna.credit",
    "kostas.credit",
    "petros.cfo",
    "fotis.audit",
    "christina.sales",
    "admin",
)


def make_app(tmp_path: Path):
    """The web app on a fresh database with the demo company and the credit process."""
    settings = Settings.from_env(
        {"RACIFLOW_INSTANCE_DIR": str(tmp_path), "RACIFLOW_SECRET_KEY": "test"}
    )
    upgrade(make_engine(settings.database_url))
    # Explicitly on: the limiter is one object for every app, and keeps a disabled state.
    app = create_app(settings, test_config={"RATELIMIT_ENABLED": True})
    engine = app.extensions["raciflow"]
    engine.import_directory(demo_directory(), user="admin")
    load_data(engine)
    engine.deploy(
        [SourceFile.read(path) for path in sorted(BPMN.glob(f"{PROCESS}.*"))], user="lena.owner"
    )
    for username in USERS:  # scrypt is slow: only the people these tests need
        engine.set_password(username, DEMO_PASSWORD, by="admin")
        engine.set_locale(username, "en")  # the tests read the English answers
    return app


class Caller:
    """One user's API client: a bearer token, JSON in and out."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers, **kwargs)


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def as_user(app):
    tokens: dict[str, str] = {}

    def caller(username: str) -> Caller:
        if username not in tokens:
            tokens[username] = app.extensions["raciflow"].create_token(username, label="test")
        return Caller(app.test_client(), tokens[username])

    return caller


def credit_limit(app) -> float:
    with app.extensions["raciflow"].uow() as uow:
        return get_customer(uow.session, CUSTOMER)["credit_limit"]


def assert_error(answer: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is the API's one error shape, with this status and code."""
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.is_json
    error = answer.get_json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    return error


def only_task(caller: Caller, element: str) -> str:
    [task] = [t for t in caller.get("/tasks").get_json()["items"] if t["element"] == element]
    return task["id"]


def requested(as_user, increase: float, before: float) -> str:
    """A BD starts a credit limit change and completes the request; return the instance id."""
    bd = as_user("giorgos.bd")
    started = bd.post(
        f"/processes/{PROCESS}/instances",
        {"data": {"customer_id": CUSTOMER}, "business_key": f"C{CUSTOMER:05d}"},
    )
    assert started.status_code == 201, started.get_json()
    instance_id = started.get_json()["instance_id"]
    request_id = only_task(bd, "request")
    assert bd.get(f"/tasks/{request_id}").get_json()["form"][0]["name"] == "requested_limit"
    completed = bd.post(
        f"/tasks/{request_id}/complete",
        {"data": {"requested_limit": before + increase, "justification": "Opens a second shop"}},
    )
    assert completed.status_code == 200, completed.get_json()
    return instance_id


def test_a_credit_limit_change_through_the_api(app, as_user):
    before = credit_limit(app)
    instance_id = requested(as_user, 1000, before)

    anna = as_user("anna.credit")
    task_id = only_task(anna, "analyse_controller")
    assert anna.post(f"/tasks/{task_id}/claim").get_json()["assignee"] == "anna.credit"
    assert [t["id"] for t in anna.get("/tasks/mine").get_json()["items"]] == [task_id]
    analysis = {"recommendation": "approve", "approved_limit": before + 800}
    done = anna.post(
        f"/tasks/{task_id}/complete", {"data": {**analysis, "analysis": "Pays within terms"}}
    )
    assert done.status_code == 200, done.get_json()
    assert credit_limit(app) == before  # nothing changes before sign-off

    # Four eyes: the controller who did the analysis cannot sign it, even with her password.
    refused = anna.post(f"/tasks/{task_id}/approve", {"password": DEMO_PASSWORD})
    assert "four eyes" in assert_error(refused, 403, "RaciRefusal")["message"]
    kostas = as_user("kostas.credit")
    assert [t["id"] for t in kostas.get("/signoffs").get_json()] == [task_id]
    wrong = kostas.post(f"/tasks/{task_id}/approve", {"password": "not my password"})
    assert_error(wrong, 403, "ReauthenticationFailed")
    approved = kostas.post(f"/tasks/{task_id}/approve", {"password": DEMO_PASSWORD})

    assert approved.get_json()["status"] == "completed"
    assert credit_limit(app) == before + 800
    bd = as_user("giorgos.bd")
    assert bd.get(f"/instances/{instance_id}").get_json()["status"] == "completed"
    actions = [e["action"] for e in bd.get(f"/instances/{instance_id}/events").get_json()]
    assert {"start", "claim", "complete", "refused", "approve"} <= set(actions)
    with app.extensions["raciflow"].uow() as uow:
        own_bd = get_customer(uow.session, CUSTOMER)["bd"]
    # the customer's own BD is I on the analysis (bd is scoped to customer_bd)
    assert as_user(own_bd).get("/notifications").get_json()["total"] >= 1
    auditor = as_user("fotis.audit")
    [execution] = [
        e
        for e in auditor.get(f"/audit/compliance/{PROCESS}").get_json()
        if e["activity"] == "analyse_controller"
    ]
    assert execution["accountable"]["user"] == "kostas.credit"
    assert execution["violations"][0]["user"] == "anna.credit"
    assert_error(auditor.get("/audit/verify"), 404, "NotFound")  # never checked yet
    checked = auditor.post("/audit/verify", {})
    assert checked.status_code == 200, checked.get_json()
    assert (checked.get_json()["ok"], checked.get_json()["run_by"]) == (True, "fotis.audit")
    assert auditor.get("/audit/verify").get_json() == checked.get_json()  # the recorded one
    assert_error(as_user("lena.owner").post("/audit/verify", {}), 403, "NotAllowed")


def test_a_signer_below_the_level_of_the_recommended_limit_is_refused(app, as_user):
    """Issue 10: a 9,000 request analysed as 5,000,000 cannot be signed by a controller."""
    before = credit_limit(app)
    requested(as_user, 9000 - before, before)
    anna = as_user("anna.credit")
    task_id = only_task(anna, "analyse_controller")
    analysis = {"recommendation": "approve", "approved_limit": 5_000_000}
    done = anna.post(
        f"/tasks/{task_id}/complete", {"data": {**analysis, "analysis": "Pays within terms"}}
    )
    assert done.status_code == 200, done.get_json()

    kostas = as_user("kostas.credit")
    assert kostas.get("/signoffs").get_json() == []
    refused = kostas.post(f"/tasks/{task_id}/approve", {"password": DEMO_PASSWORD})
    message = assert_error(refused, 403, "RaciRefusal")["message"]
    assert "the data submitted needs the authority of Chief financial officer" in message
    # The sales manager, only told of the analysis, is no signer too low: no signer at all.
    told = as_user("christina.sales").post(f"/tasks/{task_id}/approve", {"password": DEMO_PASSWORD})
    message = assert_error(told, 403, "RaciRefusal")["message"]
    assert "is not accountable" in message and "needs the authority" not in message, message
    assert credit_limit(app) == before

    petros = as_user("petros.cfo")
    assert [t["id"] for t in petros.get("/signoffs").get_json()] == [task_id]
    assert petros.get(f"/tasks/{task_id}").status_code == 200  # the raised signer opens it
    approved = petros.post(f"/tasks/{task_id}/approve", {"password": DEMO_PASSWORD})
    assert approved.status_code == 200, approved.get_json()
    assert credit_limit(app) == 5_000_000


def test_a_rejected_analysis_returns_to_its_controller_with_the_reason(app, as_user):
    before = credit_limit(app)
    requested(as_user, 1000, before)
    anna, kostas = as_user("anna.credit"), as_user("kostas.credit")
    task_id = only_task(anna, "analyse_controller")
    data = {"recommendation": "decline", "analysis": "Two late payments this year"}
    anna.post(f"/tasks/{task_id}/complete", {"data": data})

    blank = kostas.post(f"/tasks/{task_id}/reject", {"reason": "   ", "password": DEMO_PASSWORD})
    assert "reason" in assert_error(blank, 422, "UnprocessableEntity")["fields"]
    # Sending work back is an act of the A role: it re-authenticates, as approving does.
    reason = {"reason": "Check the new invoices"}
    no_password = kostas.post(f"/tasks/{task_id}/reject", reason)
    assert "password" in assert_error(no_password, 422, "UnprocessableEntity")["fields"]
    wrong = kostas.post(f"/tasks/{task_id}/reject", {**reason, "password": "not my password"})
    assert_error(wrong, 403, "ReauthenticationFailed")
    assert kostas.get(f"/tasks/{task_id}").get_json()["status"] == "awaiting_signoff"
    rejected = kostas.post(f"/tasks/{task_id}/reject", {**reason, "password": DEMO_PASSWORD})

    assert rejected.get_json()["rejection_reason"] == "Check the new invoices"
    [mine] = anna.get("/tasks/mine").get_json()["items"]
    assert (mine["id"], mine["rework_count"]) == (task_id, 1)


def test_who_did_the_first_round_cannot_sign_the_rework_someone_else_did(app, as_user):
    requested(as_user, 1000, credit_limit(app))
    anna, kostas = as_user("anna.credit"), as_user("kostas.credit")
    task_id = only_task(anna, "analyse_controller")
    data = {"recommendation": "decline", "analysis": "Two late payments this year"}
    assert anna.post(f"/tasks/{task_id}/complete", {"data": data}).status_code == 200
    assert (
        kostas.post(
            f"/tasks/{task_id}/reject", {"reason": "Check again", "password": DEMO_PASSWORD}
        ).status_code
        == 200
    )
    handed = anna.post(f"/tasks/{task_id}/reassign", {"to": "kostas.credit"})
    assert handed.get_json()["assignee"] == "kostas.credit"
    assert kostas.post(f"/tasks/{task_id}/complete", {"data": data}).status_code == 200

    refused = anna.post(f"/tasks/{task_id}/approve", {"password": DEMO_PASSWORD})

    assert "before it was sent back" in assert_error(refused, 403, "RaciRefusal")["message"]
    assert anna.get(f"/tasks/{task_id}").get_json()["status"] == "awaiting_signoff"


def test_the_consulted_role_answers_and_the_accountable_one_may_override(app, as_user):
    before = credit_limit(app)
    requested(as_user, 60000 - before, before)  # a large limit: the CFO signs, finance is asked
    requested(as_user, 60000 - before, before)
    vasso, petros, anna = as_user("vasso.finance"), as_user("petros.cfo"), as_user("anna.credit")
    first, second = vasso.get("/consultations").get_json()
    assert first["role"] == "finance_manager" and first["task"]["element"] == "analyse_cfo"

    answered = vasso.post(f"/consultations/{first['id']}/answer", {"comment": "Books look fine"})
    assert answered.status_code == 204
    seen = anna.get(f"/tasks/{first['task']['id']}").get_json()["consultations"]
    assert (seen[0]["answered_by"], seen[0]["comment"]) == ("vasso.finance", "Books look fine")
    override = f"/tasks/{second['task']['id']}/consultations/override"
    refused = anna.post(override, {"reason": "x", "password": DEMO_PASSWORD})
    assert_error(refused, 403, "RaciRefusal")
    no_password = petros.post(override, {"reason": "Urgent: season"})
    assert "password" in assert_error(no_password, 422, "UnprocessableEntity")["fields"]
    wrong = petros.post(override, {"reason": "Urgent: season", "password": "not my password"})
    assert_error(wrong, 403, "ReauthenticationFailed")
    assert vasso.get("/consultations").get_json() != []  # nothing overridden yet
    overridden = petros.post(override, {"reason": "Urgent: season", "password": DEMO_PASSWORD})
    assert overridden.get_json()["consultations"][0]["overridden_by"] == "petros.cfo"
    assert vasso.get("/consultations").get_json() == []


def test_the_api_lets_start_a_case_only_whom_the_start_page_lets(app, as_user):
    """A credit controller works a credit limit change but does not ask for one: the page
    refused them, the API let them start it."""
    body = {"data": {"customer_id": CUSTOMER}}
    anna = as_user("anna.credit")
    refused = anna.post(f"/processes/{PROCESS}/instances", body)
    assert assert_error(refused, 403, "NotAllowed")
    [listed] = [p for p in anna.get("/processes").get_json() if p["process_id"] == PROCESS]
    assert listed["can_start"] is False
    assert as_user("giorgos.bd").post(f"/processes/{PROCESS}/instances", body).status_code == 201


def test_a_start_sent_again_with_its_idempotency_key_starts_no_second_case(app, as_user):
    """A terminal that timed out and sent the request again started a second case."""
    bd = as_user("giorgos.bd")
    body = {"data": {"customer_id": CUSTOMER}, "business_key": f"C{CUSTOMER:05d}"}

    def send(key: str, sent: dict[str, Any] = body) -> Any:
        headers = {**bd.headers, "Idempotency-Key": key}
        return bd.client.post(f"/api/v1/processes/{PROCESS}/instances", json=sent, headers=headers)

    first, again = send("5b1e0c6a-terminal-17"), send("5b1e0c6a-terminal-17")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    another = send("5b1e0c6a-terminal-18")
    assert another.get_json()["instance_id"] != first.get_json()["instance_id"]
    starts = views.audit_events(app.extensions["raciflow"].uow(), action="start")
    assert len(starts) == 2

    other_body = {**body, "data": {"customer_id": CUSTOMER + 1}}
    reused = send("5b1e0c6a-terminal-17", other_body)
    assert "used for another start" in assert_error(reused, 409, "RequestKeyReused")["message"]
    too_long = send("k" * 101)
    assert "Idempotency-Key" in assert_error(too_long, 422, "UnprocessableEntity")["fields"]


def test_each_role_sees_only_its_own_work(app, as_user):
    instance_id = requested(as_user, 1000, credit_limit(app))
    task_id = only_task(as_user("anna.credit"), "analyse_controller")
    bd, other_bd = as_user("giorgos.bd"), as_user("eleni.bd")

    assert bd.get("/tasks").get_json()["items"] == []
    assert bd.get(f"/tasks/{task_id}").status_code == 200  # her request: she may follow it
    assert_error(other_bd.get(f"/tasks/{task_id}"), 403, "NotAllowed")  # RACI I is not enough
    assert_error(bd.post(f"/tasks/{task_id}/claim"), 403, "RaciRefusal")
    for path in ("/audit/events", "/audit/verify", f"/audit/compliance/{PROCESS}"):
        assert_error(bd.get(path), 403, "NotAllowed")
    assert bd.get(f"/instances/{instance_id}").status_code == 200  # she started it
    assert_error(other_bd.get(f"/instances/{instance_id}"), 403, "NotAllowed")
    assert other_bd.get("/instances").get_json()["total"] == 0
    assert_error(
        other_bd.post(f"/instances/{instance_id}/cancel", {"reason": "x"}), 403, "NotAllowed"
    )

    auditor = as_user("fotis.audit")
    assert auditor.get(f"/tasks/{task_id}").status_code == 200
    assert auditor.get("/instances").get_json()["total"] == 1
    by_customer = auditor.get("/instances", query_string={"business_key": "C00", "limit": 5})
    assert [i["id"] for i in by_customer.get_json()["items"]] == [instance_id]
    assert by_customer.get_json()["limit"] == 5
    assert auditor.get("/instances", query_string={"business_key": "X"}).get_json()["total"] == 0
    page = auditor.get("/audit/events", query_string={"user": "giorgos.bd", "limit": 2})
    assert page.get_json()["total"] > 2 and len(page.get_json()["items"]) == 2
    csv = auditor.get("/audit/events.csv", query_string={"instance": instance_id})
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).startswith("id,stream")
    cancelled = bd.post(f"/instances/{instance_id}/cancel", {"reason": "customer withdrew"})
    assert cancelled.get_json()["status"] == "cancelled"


def test_bad_input_is_refused_by_field(app, as_user):
    bd = as_user("giorgos.bd")
    no_customer = bd.post(f"/processes/{PROCESS}/instances", {"data": {"customer_id": "x"}})
    assert set(assert_error(no_customer, 422, "InvalidTaskData")["fields"]) == {"customer_id"}
    huge = bd.post(f"/processes/{PROCESS}/instances", {"data": {"customer_id": 10**25}})
    assert set(assert_error(huge, 422, "InvalidTaskData")["fields"]) == {"customer_id"}
    bd.post(f"/processes/{PROCESS}/instances", {"data": {"customer_id": CUSTOMER}})
    request_id = only_task(bd, "request")

    invalid = bd.post(
        f"/tasks/{request_id}/complete", {"data": {"requested_limit": -5, "justification": "x"}}
    )
    fields = assert_error(invalid, 422, "InvalidTaskData")["fields"]
    assert set(fields) == {"requested_limit", "justification"}
    no_data = bd.post(f"/tasks/{request_id}/complete", {"dta": {}})
    assert set(assert_error(no_data, 422, "UnprocessableEntity")["fields"]) == {"data", "dta"}
    bad_query = bd.get("/tasks", query_string={"limit": 0, "due": "someday"})
    assert set(assert_error(bad_query, 422, "UnprocessableEntity")["fields"]) == {"limit", "due"}
    assert bd.get(f"/tasks/{request_id}").get_json()["status"] == "ready"  # nothing changed


def test_someone_with_no_part_in_the_work_is_refused_before_their_data_is_read(app, as_user):
    """The auditor's completion with bad data was answered 422 (fix the fields), as if
    correct data would have gone through."""
    bd = as_user("giorgos.bd")
    bd.post(f"/processes/{PROCESS}/instances", {"data": {"customer_id": CUSTOMER}})
    request_id = only_task(bd, "request")

    refused = as_user("fotis.audit").post(
        f"/tasks/{request_id}/complete", {"data": {"requested_limit": -5}}
    )

    assert_error(refused, 403, "RaciRefusal")
    assert bd.get(f"/tasks/{request_id}").get_json()["status"] == "ready"


def test_malformed_oversized_and_unknown_requests_get_json_errors(app, as_user):
    bd = as_user("giorgos.bd")
    malformed = bd.client.post(
        "/api/v1/notifications/read",
        data="{not json",
        headers={**bd.headers, "Content-Type": "application/json"},
    )
    assert_error(malformed, 400, "BadRequest")
    huge = bd.post("/notifications/read", {"ids": [1] * 400_000})
    assert_error(huge, 413, "RequestEntityTooLarge")
    assert_error(bd.post("/tasks/any/claim", {"x": "y" * 1_100_000}), 413, "RequestEntityTooLarge")
    too_big_login = bd.client.post("/api/v1/tokens", json={"username": "y" * 1_100_000})
    assert_error(too_big_login, 413, "RequestEntityTooLarge")
    assert_error(bd.get("/tasks/no-such-task"), 404, "NotFound")
    assert_error(bd.get("/instances/no-such-instance/events"), 404, "NotFound")
    assert_error(bd.get("/processes/no_such_process/raci"), 404, "NotFound")
    assert_error(bd.post("/consultations/99999/answer", {"comment": "ok"}), 404, "NotFound")
    assert_error(bd.get("/no/such/endpoint"), 404, "NotFound")


def test_tokens_are_exchanged_for_a_password_and_rate_limited(app):
    client = app.test_client()
    wrong = client.post("/api/v1/tokens", json={"username": "anna.credit", "password": "nope"})
    assert_error(wrong, 401, "Unauthorized")
    issued = client.post(
        "/api/v1/tokens", json={"username": "Anna.Credit", "password": DEMO_PASSWORD}
    )
    assert issued.status_code == 201
    token = issued.get_json()["token"]
    me = Caller(client, token).get("/me").get_json()
    assert (me["username"], me["roles"]) == ("anna.credit", ["credit_controller"])

    statuses = [
        client.post("/api/v1/tokens", json={"username": "x", "password": "y"}).status_code
        for _ in range(9)
    ]
    assert statuses[:8] == [401] * 8  # ten a minute from one address, two used above
    assert_error(client.post("/api/v1/tokens", json={}), 429, "TooManyRequests")
    assert statuses[8] == 429


def test_a_one_time_password_opens_no_token_until_it_is_changed(app):
    engine = app.extensions["raciflow"]
    one_time = engine.reset_password("anna.credit", by="admin")
    client = app.test_client()

    refused = client.post("/api/v1/tokens", json={"username": "anna.credit", "password": one_time})

    # Nobody is signed in yet: the answer is in the site's language, whichever it is.
    assert assert_error(refused, 403, "NotAllowed")["message"] in {
        "change your one-time password on the web before asking for a token",
        "αλλάξτε πρώτα τον κωδικό μίας χρήσης στην εφαρμογή και μετά ζητήστε κλειδί API",
    }
    engine.change_password("anna.credit", current=one_time, new="A new pass phrase 2026")
    issued = client.post(
        "/api/v1/tokens", json={"username": "anna.credit", "password": "A new pass phrase 2026"}
    )
    assert issued.status_code == 201


def test_only_bearer_tokens_authenticate(app, as_user):
    client = app.test_client()
    assert_error(client.get("/api/v1/me"), 401, "Unauthorized")
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert_error(bad, 401, "Unauthorized")
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(
        client.get("/api/v1/me", headers={"Authorization": "Basic eDp5"}), 401, "Unauthorized"
    )

    # A browser signed in to the web pages gets nothing from the API with its cookie.
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"username": "giorgos.bd", "password": DEMO_PASSWORD, "csrf_token": csrf}
    assert client.post("/login", data=form).status_code == 302
    assert_error(client.get("/api/v1/me"), 401, "Unauthorized")
    # A token needs no CSRF token, even from that browser.
    answer = as_user("giorgos.bd").post("/me/language", {"language": "en"})
    assert answer.get_json()["language"] == "en"


def test_the_openapi_document_describes_every_endpoint(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["paths"]["/api/v1/tokens"]["post"]["security"] == []
    complete = doc["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]
    assert {"200", "401", "403", "404", "409", "413", "422"} <= set(complete["responses"])
    assert "requestBody" in complete


def test_a_case_started_through_the_api_is_keyed_by_its_customer_as_on_the_page(app, as_user):
    """Cases started through the API had no business key, unlike the page's: the inbox
    and the customer's case file could not find them by customer."""
    started = as_user("giorgos.bd").post(
        f"/processes/{PROCESS}/instances", {"data": {"customer_id": CUSTOMER}}
    )
    assert started.status_code == 201, started.get_json()
    engine = app.extensions["raciflow"]
    keyed = views.instance(engine.uow(), started.get_json()["instance_id"])
    assert keyed["business_key"] == f"C{CUSTOMER:05d}"
    kept = as_user("giorgos.bd").post(
        f"/processes/{PROCESS}/instances",
        {"data": {"customer_id": CUSTOMER}, "business_key": "MY-OWN-KEY"},
    )
    own = views.instance(engine.uow(), kept.get_json()["instance_id"])
    assert own["business_key"] == "MY-OWN-KEY"  # a key given is the one kept
