"""Gentling's PostgreSQL database backend (settings ENGINE "gentling.postgresql", see base.py)."""
