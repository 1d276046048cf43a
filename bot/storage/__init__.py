"""Persistence: SQLAlchemy 2 models, engine setup and Alembic migrations."""
