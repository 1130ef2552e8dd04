"""Alembic environment: runs against the engine handed in by engine.database."""

from alembic import context
from sqlalchemy import create_engine

# The CRM domain shares the database and this migration history.
import workflows.tables  # noqa: F401
from engine.orm import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # invoked by the alembic command line
    engine = create_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
