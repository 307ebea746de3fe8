"""What the reader asked for: the report's command-line options."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    top: int = 15
    """Customers in the ranking."""
    days: int = 60
    """Booking days in the daily chart."""
    months: int = 13
    """Months in the monthly table."""
    show_personal_data: bool = False
    """Names and e-mails in clear (dim_customers) instead of masked (dim_customers_masked)."""
