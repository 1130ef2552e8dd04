"""Inbox: customers searchable by name however it is typed; instances carry a summary.

`crm_customers.name_folded` is the name lower-cased without accents or punctuation
(workflows.duplicates.fold), so that "ταβερνα" finds "Ταβέρνα" in SQL, the same on
SQLite and PostgreSQL. `process_instances.summary` is what lists show of a case
(customer, key figure), drawn from its data at each step; older instances get
theirs at their next step.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from workflows.duplicates import fold

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

customers = sa.table(
    "crm_customers", sa.column("id", sa.Integer), sa.column("name"), sa.column("name_folded")
)


def upgrade() -> None:
    # Plain ADD/DROP COLUMN: a batch copy of these tables would trip the foreign keys
    # that point at them (SQLite).
    op.add_column("process_instances", sa.Column("summary", sa.JSON(), nullable=True))
    op.add_column("crm_customers", sa.Column("name_folded", sa.String(400), nullable=True))
    bind = op.get_bind()
    # Folding is Python's (the function the application writes with), not SQL's.
    rows = bind.execute(sa.select(customers.c.id, customers.c.name)).all()
    if rows:
        bind.execute(
            customers.update()
            .where(customers.c.id == sa.bindparam("key"))
            .values(name_folded=sa.bindparam("folded")),
            [{"key": row.id, "folded": fold(row.name)} for row in rows],
        )


def downgrade() -> None:
    _drop("crm_customers", "name_folded")
    _drop("process_instances", "summary")


def _drop(table: str, column: str) -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite 3.35+ drops a column in place
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)
