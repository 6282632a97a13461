"""The per-site traffic budget."""

from .estimates import DEFAULT_DAILY_REQUESTS, TrafficEstimate, load_estimates
from .ledger import BudgetLedger, BudgetSettings, SiteBudget
from .strain import StrainController

__all__ = [
    "DEFAULT_DAILY_REQUESTS",
    "BudgetLedger",
    "BudgetSettings",
    "SiteBudget",
    "StrainController",
    "TrafficEstimate",
    "load_estimates",
]
