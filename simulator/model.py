"""What every table generator provides, and the scale and shared context they work in."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from simulator.config import SimulationConfig
from simulator.hashrng import Rng
from simulator.lifecycle import IdLayout, Slots, late_rows
from simulator.patterns import designated_lateness
from simulator.timeline import Timeline, to_us
from simulator.types import I64, BoolArray

CUSTOMER_ID_BASE = 100_000
"""customer_id = base + index; ids below the base never exist (used for orphans)."""
ACCOUNT_ID_BASE = 2_000_000
"""account_id = base + index; ids below the base never exist (used for orphans)."""
TRANSACTION_ID_BASE = 1_000_000

CUSTOMERS_PER_TRANSACTIONS = 25
ACCOUNTS_PER_CUSTOMER = 1.5
NEW_CUSTOMERS_PER_BATCH = 0.01
NEW_TRANSACTIONS_PER_BATCH = 0.03
MIN_NEW_ROWS_PER_BATCH = 4
"""Customers/accounts: enough new ids per batch for the designated patterns."""


@dataclass(frozen=True)
class Scale:
    """Id layouts of the three source tables for a configuration."""

    customers: IdLayout
    accounts: IdLayout
    transactions: IdLayout

    @classmethod
    def from_config(cls, config: SimulationConfig) -> Scale:
        batches = config.batches
        n_customers = max(20, config.transactions // CUSTOMERS_PER_TRANSACTIONS)
        n_accounts = round(n_customers * ACCOUNTS_PER_CUSTOMER)
        return cls(
            customers=IdLayout(
                n_customers,
                max(MIN_NEW_ROWS_PER_BATCH, round(n_customers * NEW_CUSTOMERS_PER_BATCH)),
                batches,
            ),
            accounts=IdLayout(
                n_accounts,
                max(MIN_NEW_ROWS_PER_BATCH, round(n_accounts * NEW_CUSTOMERS_PER_BATCH)),
                batches,
            ),
            transactions=IdLayout(
                config.transactions,
                round(config.transactions * NEW_TRANSACTIONS_PER_BATCH),
                batches,
            ),
        )


@dataclass(frozen=True)
class World:
    """Everything a generator needs besides the ids it is asked about."""

    rng: Rng
    timeline: Timeline
    scale: Scale
    dirt_rate: float

    @classmethod
    def from_config(cls, config: SimulationConfig) -> World:
        return cls(
            rng=Rng(config.seed),
            timeline=Timeline(start=to_us(config.start), batches=config.batches),
            scale=Scale.from_config(config),
            dirt_rate=config.dirt_rate,
        )

    def dirty(self, name: str, idx: I64, share: float = 1.0) -> BoolArray:
        """Rows given dirt of kind `name`: about dirt_rate * share of them."""
        return self.rng.chance("dirt:" + name, idx, self.dirt_rate * share)


class TableModel(ABC):
    """A source table: its columns, and each row's changes and values by id index."""

    schema: str
    table: str
    key: str
    arrow_schema: Any
    slots: Slots

    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.table}"

    @abstractmethod
    def load_limit(self) -> int:
        """Indexes [0, load_limit) may exist at the task start."""

    @abstractmethod
    def scan_limit(self, window: int) -> int:
        """Indexes [0, scan_limit) may have changes up to the end of `window`."""

    @abstractmethod
    def plan(self, idx: I64) -> I64:
        """Commit time of each slot, shape (len(idx), len(slots)); NEVER when absent."""

    def layout(self) -> IdLayout:
        """The table's id layout (core tables); a table outside Scale overrides `late`."""
        layout: IdLayout = getattr(self.world.scale, self.table)
        return layout

    def late(self, idx: I64, window: int) -> BoolArray:
        """Rows whose changes committed in `window` go to the next batch's file."""
        forced, exempt = designated_lateness(idx, self.layout(), window)
        return late_rows(
            self.world.rng, self.table, idx, window, self.world.timeline, forced, exempt
        )

    @abstractmethod
    def render(self, idx: I64, times: I64, asof: I64) -> Any:
        """The rows (an Arrow table with arrow_schema) as they are at each `asof` instant."""
