"""Routing to a named person: the task's and the consultation's `routed_to`, and the
task's `audience` (the case's person for each role scoped to the case).

A matrix row's `assign_to` (or a role scoped to the case, such as the customer's
own BD) names the one person who may work a task or answer a consultation.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("human_tasks", sa.Column("routed_to", sa.String(200), nullable=True))
    op.add_column("human_tasks", sa.Column("audience", sa.JSON, nullable=True))
    op.add_column("consultations", sa.Column("routed_to", sa.String(200), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy would drop human_tasks, which
    # task_roles and consultations refer to.
    op.drop_column("consultations", "routed_to")
    op.drop_column("human_tasks", "audience")
    op.drop_column("human_tasks", "routed_to")
