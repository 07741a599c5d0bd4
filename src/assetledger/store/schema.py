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
    objection_models,
    publication_models,
    rate_limits,
    supervision_models,
)
from assetledger.store.models import Base

# Tables whose rows come and go and are never sealed: web sessions (logout deletes one) and the login throttle's
# counters (store/rate_limits.py; every row expires). Everything else is of record.
NOT_OF_RECORD = frozenset({"web_sessions", "rate_limit_entries"})

__all__ = [
    "NOT_OF_RECORD",
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
    "objection_models",
    "publication_models",
    "rate_limits",
    "supervision_models",
]
