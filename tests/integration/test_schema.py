"""The Alembic migrations build exactly the schema the code maps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

import workflows.tables  # noqa: F401  (the CRM tables share the metadata)
from engine import build_engine, collect_files
from engine.database import alembic_config, make_engine
from engine.orm import human_tasks, metadata, task_roles

FIXTURES = Path(__file__).parent.parent / "fixtures"
PROCESS = "emergency_order"  # 0026 knows its open tasks as urgent


def test_migrations_match_the_mapped_tables(database_url):
    db = make_engine(database_url)
    with db.connect() as conn:
        context = MigrationContext.configure(conn)
        differences = compare_metadata(context, metadata)
    db.dispose()
    assert differences == []


def test_the_role_index_migration_copies_open_tasks_inbox_fields(database_url):
    """0008 gives existing role rows their task's inbox fields (and can be undone)."""
    engine = build_engine(database_url)
    engine.deploy(
        collect_files([FIXTURES / "approval.bpmn", FIXTURES / "approval_level.dmn"]), user="ops"
    )
    [task_id] = engine.start("approval", user="sales1", business_key="C-7").ready_tasks
    engine.claim(task_id, user="sales1")

    db = make_engine(database_url)
    command.downgrade(alembic_config(db), "0007")
    command.upgrade(alembic_config(db), "head")
    with db.connect() as conn:
        [row] = conn.execute(select(task_roles).where(task_roles.c.task_id == task_id)).all()
        task = conn.execute(select(human_tasks).where(human_tasks.c.id == task_id)).one()
    db.dispose()
    assert (row.role, row.letter) == ("*", "R")
    copied = ("process_id", "business_key", "status", "assignee", "created_at", "due_at")
    assert {name: getattr(row, name) for name in copied} == {
        name: getattr(task, name) for name in copied
    }
    assert (row.business_key, row.assignee) == ("C-7", "sales1")


def test_the_urgency_migration_marks_open_emergency_work_urgent(database_url):
    """0026: an emergency order's open tasks were urgent by their process id; after the
    upgrade they are urgent on the task and on its inbox rows, others are not."""
    engine = build_engine(database_url)
    engine.deploy(
        collect_files([FIXTURES / "approval.bpmn", FIXTURES / "approval_level.dmn"]), user="ops"
    )
    [emergency] = engine.start("approval", user="sales1").ready_tasks
    [ordinary] = engine.start("approval", user="sales1").ready_tasks

    db = make_engine(database_url)
    command.downgrade(alembic_config(db), "0025")
    with db.begin() as conn:  # the task of an emergency order, as 0025 knew it
        for table in (human_tasks, task_roles):
            key = table.c.id if table is human_tasks else table.c.task_id
            conn.execute(table.update().where(key == emergency).values(process_id=PROCESS))
    command.upgrade(alembic_config(db), "head")
    with db.connect() as conn:
        tasks = dict(conn.execute(select(human_tasks.c.id, human_tasks.c.urgent)).all())
        rows = dict(conn.execute(select(task_roles.c.task_id, task_roles.c.urgent)).all())
    db.dispose()
    assert tasks == rows == {emergency: True, ordinary: False}


def test_the_inbox_due_migration_keys_each_letter_as_its_inbox_sorts_it(database_url):
    """0028: a role row's inbox_due is when an urgent task was created (due at once,
    whatever its deadline); else its sign-off's deadline on an A row, else the work's."""
    engine = build_engine(database_url)
    engine.deploy(
        collect_files([FIXTURES / "approval.bpmn", FIXTURES / "approval_level.dmn"]), user="ops"
    )
    urgent, dated, undated = (engine.start("approval", user="sales1").ready_tasks[0] for _ in "123")
    work_due = datetime(2026, 3, 2, 9, tzinfo=UTC)
    signoff_due = datetime(2026, 3, 3, 9, tzinfo=UTC)

    db = make_engine(database_url)
    command.downgrade(alembic_config(db), "0027")
    kept = [column for column in task_roles.c if column.name != "inbox_due"]
    with db.begin() as conn:  # role rows as 0027 kept them, with no inbox_due
        for row in conn.execute(select(*kept)).all():  # and each task a signer's row
            conn.execute(task_roles.insert().values({**row._asdict(), "role": "x", "letter": "A"}))
        for task_id, values in (
            (urgent, {"urgent": True, "due_at": work_due, "signoff_due_at": signoff_due}),
            (dated, {"due_at": work_due, "signoff_due_at": signoff_due}),
            (undated, {"due_at": None}),
        ):
            conn.execute(task_roles.update().where(task_roles.c.task_id == task_id).values(values))
        created = dict(conn.execute(select(human_tasks.c.id, human_tasks.c.created_at)).all())
    command.upgrade(alembic_config(db), "head")
    with db.connect() as conn:
        rows = conn.execute(
            select(task_roles.c.task_id, task_roles.c.letter, task_roles.c.inbox_due)
        ).all()
    db.dispose()
    expected = {
        urgent: {"R": created[urgent], "A": created[urgent]},
        dated: {"R": work_due, "A": signoff_due},
        undated: {"R": None, "A": None},
    }
    assert len(rows) == 6
    for row in rows:
        assert row.inbox_due == expected[row.task_id][row.letter], row
