"""Persistence: SQLAlchemy 2 typed models, the Money type, sessions and analytic SQL."""
