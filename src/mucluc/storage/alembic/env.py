"""Alembic environment: migrate through the engine mucluc hands over.

SQLite migrations rebuild a table to alter it (batch mode). With foreign
keys enforced, dropping a table other rows refer to fails, so enforcement
is off while migrating (a PRAGMA only takes effect outside a transaction)
and every reference is checked before the migration commits.
"""

from alembic import context
from sqlalchemy import Connection

from mucluc.storage.tables import Base


def _run_migrations(connection: Connection) -> None:
    with connection.begin():
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


engine = context.config.attributes["engine"]
with engine.connect() as connection:
    if connection.dialect.name != "sqlite":
        _run_migrations(connection)
    else:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            _run_migrations(connection)
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
