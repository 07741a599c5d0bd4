"""Every model module, imported once, so Base.metadata describes the whole schema (for Alembic and tests)."""

import assetledger.store.inventory_models  # noqa: F401  (issue 5: the annual inventory)
from assetledger.store import (
    access_models,
    award_policy_models,
    contract_models,
    distribution_models,
    document_models,
    governance_models,
    integrity_models,
    journal_models,
    models,
    publication_models,
    supervision_models,
)
from assetledger.store.models import Base

__all__ = [
    "Base",
    "access_models",
    "award_policy_models",
    "contract_models",
    "distribution_models",
    "document_models",
    "governance_models",
    "integrity_models",
    "journal_models",
    "models",
    "publication_models",
    "supervision_models",
]
