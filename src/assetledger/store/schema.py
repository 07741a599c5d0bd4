"""Every model module, imported once, so Base.metadata describes the whole schema (for Alembic and tests)."""

from assetledger.store import distribution_models, governance_models, journal_models, models
from assetledger.store.models import Base

__all__ = ["Base", "distribution_models", "governance_models", "journal_models", "models"]
