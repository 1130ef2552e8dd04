"""Whom a retry runs the failed step for: the one whose act it ran after, retries aside."""

from types import SimpleNamespace

from engine.views.incidents import failed_step_asked_by


def trail(*acts: tuple[str, str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(action=action, actor=actor) for action, actor in acts]


def test_the_step_runs_for_whoever_asked_it_even_after_failed_retries():
    events = trail(
        ("start", "giorgos.bd"),
        ("task_ready", "system"),
        ("complete", "anna.credit"),
        ("error", "system"),
        ("retry", "admin"),
        ("error", "system"),
    )
    assert failed_step_asked_by(events) == "anna.credit"


def test_a_later_failure_counts_not_the_first():
    events = trail(
        ("start", "giorgos.bd"),
        ("error", "system"),
        ("retry", "admin"),
        ("complete", "irini.service"),
        ("error", "system"),
    )
    assert failed_step_asked_by(events) == "irini.service"


def test_no_failure_names_nobody():
    assert failed_step_asked_by(trail(("start", "giorgos.bd"))) is None
