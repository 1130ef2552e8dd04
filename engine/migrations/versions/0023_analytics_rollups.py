"""Analytics roll-ups: finished instances' figures per day and month of start, and where
each process's roll-up stands (docs/analytics.md, "Roll-ups").

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BLOCK = ("process_id", "span", "first_day", "version_id")  # a period first: reports read by it


def _block() -> list[sa.Column]:
    return [
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("span", sa.String(10), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
    ]


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _table(name: str, keys: tuple[str, ...], *columns: sa.Column) -> None:
    op.create_table(
        name, *_block(), *columns, sa.PrimaryKeyConstraint(*BLOCK, *keys, name=f"pk_{name}")
    )


def upgrade() -> None:
    op.create_index(
        op.f("ix_process_instances_process_id_ended_at"),
        "process_instances",
        ["process_id", "ended_at"],
    )
    _table(
        "analytics_instances",
        ("status", "ended_day"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("ended_day", sa.Integer(), nullable=False),
        *_counts("instances"),
        sa.Column("cycle_seconds", sa.Float(), nullable=False),
        *_counts("flawed_rework", "flawed_breach", "flawed_either"),
    )
    _table(
        "analytics_activities",
        ("element",),
        sa.Column("element", sa.String(200), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("first_seen", sa.Float(), nullable=False),
        *_counts("tasks", "completed", "open", "reworks", "breaches"),
        *_counts("done_rework", "done_breach", "done_either"),
    )
    _table(
        "analytics_people",
        ("person",),
        sa.Column("person", sa.String(200), nullable=False),
        *_counts("open", "done", "breached", "signed"),
    )
    _table(
        "analytics_spreads",
        ("measure", "subject", "bin"),
        sa.Column("measure", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        *_counts("count"),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
    )
    op.create_table(
        "analytics_rollups",
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("rolled_before", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("process_id", name="pk_analytics_rollups"),
    )


def downgrade() -> None:
    for name in (
        "analytics_rollups",
        "analytics_spreads",
        "analytics_people",
        "analytics_activities",
        "analytics_instances",
    ):
        op.drop_table(name)
    op.drop_index(op.f("ix_process_instances_process_id_ended_at"), "process_instances")
