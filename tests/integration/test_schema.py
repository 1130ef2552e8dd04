"""The Alembic migrations build exactly the schema the code maps."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import workflows.tables  # noqa: F401  (the CRM tables share the metadata)
from engine.database import make_engine
from engine.orm import metadata


def test_migrations_match_the_mapped_tables(database_url):
    db = make_engine(database_url)
    with db.connect() as conn:
        context = MigrationContext.configure(conn)
        differences = compare_metadata(context, metadata)
    db.dispose()
    assert differences == []
