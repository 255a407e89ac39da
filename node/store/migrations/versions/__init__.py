"""Alembic revisions, named ``YYYYMMDD_NNNN_what.py`` and written by hand to mirror schema.py."""
