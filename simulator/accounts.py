"""core_banking.accounts: customers' accounts, frozen and closed over time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from simulator import textops as tx
from simulator import vocab
from simulator.customers import home_city
from simulator.lifecycle import (
    DELETE,
    INSERT,
    UPDATE,
    Slots,
    applied,
    finalize,
    last_touch,
    rate_event,
    within,
)
from simulator.model import ACCOUNT_ID_BASE, CUSTOMER_ID_BASE, TableModel, World
from simulator.patterns import PATTERN_JITTER, Patterns, designate
from simulator.timeline import DAY, MILLISECOND, NEVER, SECOND, truncate
from simulator.types import I64

INS, PRE, FREEZE, CLOSE, DEL, REINS = range(6)
SLOTS = Slots(ops=(INSERT, UPDATE, UPDATE, UPDATE, DELETE, INSERT), delete=DEL, reinsert=REINS)
PATTERNS = Patterns(
    iudi={FREEZE: 0.25, DEL: 0.5, REINS: 0.75},
    iu={CLOSE: 0.5},
    iuu={FREEZE: 0.3, CLOSE: 0.6},
    load_delete={DEL: 0.5},
    load_uu={FREEZE: 0.3, CLOSE: 0.6},
    keep=(PRE,),
)
HISTORY = 8 * 365 * DAY
LEGACY_AGE = 5 * 365 * DAY
CLOSED_BEFORE_START = 0.05
FROZEN_BEFORE_START = 0.015
FREEZE_RATE = 0.003
CLOSE_RATE = 0.005
DELETE_RATE = 0.001
HOME_CURRENCY_SHARE = 0.8

SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.int64(), nullable=False),
        pa.field("customer_id", pa.int64(), nullable=False),
        pa.field("account_number", pa.string(), nullable=False),
        pa.field("account_type", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("opened_at", tx.TIMESTAMP_TYPE, nullable=False),
        pa.field("closed_at", tx.TIMESTAMP_TYPE),
        pa.field("created_at", tx.TIMESTAMP_TYPE, nullable=False),
        pa.field("updated_at", tx.TIMESTAMP_TYPE, nullable=False),
    ]
)

_HOME_CURRENCY = np.array(
    [vocab.CURRENCIES.index(vocab.HOME_CURRENCY[c.country]) for c in vocab.CITIES]
)


def account_owner(world: World, idx: I64) -> I64:
    """Customer index owning each account: an older customer, or one new in the same batch."""
    rng = world.rng
    accounts, customers = world.scale.accounts, world.scale.customers
    share_of_load = (np.minimum(idx, accounts.n_load) + 1) / max(accounts.n_load, 1)
    older = np.maximum(np.ceil(share_of_load * customers.n_load), 1).astype(np.int64)
    window = accounts.insert_window(idx)
    existing = np.where(window == 0, older, customers.n_load + (window - 1) * customers.per_batch)
    owner = rng.below("accounts:owner", idx, existing)
    newcomer = (window > 0) & rng.chance("accounts:owner_is_new", idx, 0.5)
    new_owner = (
        customers.n_load
        + (window - 1) * customers.per_batch
        + rng.below("accounts:new_owner", idx, customers.per_batch)
    )
    chosen: I64 = np.where(newcomer, new_owner, owner)
    return chosen


def account_currency(world: World, idx: I64) -> I64:
    """Index into vocab.CURRENCIES of each account's (valid) currency."""
    rng = world.rng
    home = _HOME_CURRENCY[home_city(rng, account_owner(world, idx))]
    other = rng.choice("accounts:currency", idx, vocab.CURRENCY_WEIGHTS)
    currency: I64 = np.where(
        rng.chance("accounts:home_currency", idx, HOME_CURRENCY_SHARE), home, other
    )
    return currency


class Accounts(TableModel):
    schema = "core_banking"
    table = "accounts"
    key = "account_id"
    arrow_schema = SCHEMA
    slots = SLOTS

    def load_limit(self) -> int:
        return self.world.scale.accounts.n_load

    def scan_limit(self, window: int) -> int:
        return self.world.scale.accounts.limit(window)

    def plan(self, idx: I64) -> I64:
        rng, timeline = self.world.rng, self.world.timeline
        layout = self.world.scale.accounts
        times = np.full((len(idx), len(SLOTS)), NEVER, dtype=np.int64)
        inserted = layout.insert_times(rng, "accounts", idx, timeline, HISTORY)
        times[:, INS] = inserted
        loaded = idx < layout.n_load
        touched = loaded & rng.chance("accounts:touch", idx, 0.5)
        times[:, PRE] = np.where(
            touched,
            within(inserted + 1, timeline.start, rng.uniform("accounts:touch_at", idx)),
            NEVER,
        )
        closed_before = loaded & rng.chance("accounts:closed_before", idx, CLOSED_BEFORE_START)
        frozen_before = (
            loaded & ~closed_before & rng.chance("accounts:frozen_before", idx, FROZEN_BEFORE_START)
        )
        history_at = within(inserted + 1, timeline.start, rng.uniform("accounts:history_at", idx))
        freeze = rate_event(rng, "accounts:freeze", idx, inserted, FREEZE_RATE, timeline)
        close = rate_event(rng, "accounts:close", idx, inserted, CLOSE_RATE, timeline)
        times[:, FREEZE] = np.where(
            frozen_before, history_at, np.where(closed_before, NEVER, freeze)
        )
        times[:, CLOSE] = np.where(closed_before, history_at, close)
        times[:, FREEZE] = np.where(times[:, FREEZE] > times[:, CLOSE], NEVER, times[:, FREEZE])
        times[:, DEL] = rate_event(rng, "accounts:delete", idx, inserted, DELETE_RATE, timeline)
        designate(
            times,
            idx,
            layout,
            timeline,
            PATTERNS,
            PATTERN_JITTER * rng.uniform("accounts:pattern", idx),
        )
        finalize(times, SLOTS)
        return times

    def render(self, idx: I64, times: I64, asof: I64) -> Any:
        rng = self.world.rng
        done = applied(times, asof)
        reinserted = done[:, REINS]
        owner = account_owner(self.world, idx)
        customer_id = CUSTOMER_ID_BASE + owner
        orphan = self.world.dirty("orphan_customer", idx)
        customer_id = np.where(
            orphan, 1 + rng.below("accounts:orphan", idx, CUSTOMER_ID_BASE - 1), customer_id
        )
        closed = done[:, CLOSE] & ~reinserted
        frozen = done[:, FREEZE] & ~closed & ~reinserted
        status = tx.choose(closed, "closed", tx.choose(frozen, "frozen", "active"))
        created_raw = np.where(reinserted, times[:, REINS], times[:, INS])
        legacy = created_raw < self.world.timeline.start - LEGACY_AGE
        created = np.where(
            legacy, truncate(created_raw, SECOND), truncate(created_raw, MILLISECOND)
        )
        touched = last_touch(times, done, SLOTS)
        updated = np.where(touched == created_raw, created, truncate(touched, MILLISECOND))
        opened = truncate(created_raw, DAY) - DAY * rng.below("accounts:opened", idx, 3)
        closed_at = np.where(closed, truncate(np.where(closed, times[:, CLOSE], 0), MILLISECOND), 0)
        return pa.Table.from_arrays(
            [
                tx.int64s(ACCOUNT_ID_BASE + idx),
                tx.int64s(customer_id),
                self._account_number(idx, owner),
                tx.pick(
                    vocab.ACCOUNT_TYPES,
                    rng.choice("accounts:type", idx, vocab.ACCOUNT_TYPE_WEIGHTS),
                ),
                self._currency(idx),
                status,
                tx.timestamps(opened),
                tx.timestamps(closed_at, ~closed),
                tx.timestamps(created),
                tx.timestamps(updated),
            ],
            schema=SCHEMA,
        )

    def _account_number(self, idx: I64, owner: I64) -> Any:
        """IBAN-like: country, check digits, bank code, a branch prefix and the account id."""
        rng = self.world.rng
        country = tx.pick([c.country for c in vocab.CITIES], home_city(rng, owner))
        check = tx.int_text(2 + rng.below("accounts:iban_check", idx, 97), 2)
        bank = tx.pick(vocab.IBAN_BANKS, rng.below("accounts:bank", idx, len(vocab.IBAN_BANKS)))
        prefix = tx.int_text(rng.below("accounts:iban_prefix", idx, 1000) * 19 % 1_000_000, 6)
        number = tx.int_text(ACCOUNT_ID_BASE + idx, 10)
        return tx.concat(country, check, bank, prefix, number)

    def _currency(self, idx: I64) -> Any:
        currency = tx.pick(vocab.CURRENCIES, account_currency(self.world, idx))
        unknown = self.world.dirty("unknown_currency_account", idx)
        if not unknown.any():
            return currency
        odd = tx.pick(
            vocab.UNKNOWN_CURRENCIES,
            self.world.rng.below("accounts:unknown_currency", idx, len(vocab.UNKNOWN_CURRENCIES)),
        )
        return tx.choose(unknown, odd, currency)
