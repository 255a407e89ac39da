"""Alembic environment and revisions of the store (shipped as package data)."""
