"""core_banking.transactions: bookings that move pending -> posted -> reversed.

One table's model in one module (about 330 lines), like every table here: its change plan
and a generator per column, side by side, so the table's columns are found in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa

from simulator import textops as tx
from simulator import vocab
from simulator.accounts import account_currency
from simulator.lifecycle import DELETE, INSERT, UPDATE, Slots, applied, finalize, last_touch
from simulator.model import ACCOUNT_ID_BASE, TRANSACTION_ID_BASE, TableModel
from simulator.patterns import PATTERN_JITTER, Patterns, designate, pattern_rows
from simulator.timeline import (
    DAY,
    HOUR,
    MILLISECOND,
    MINUTE,
    NEVER,
    SECOND,
    to_us,
    truncate,
)
from simulator.types import I64, BoolArray

INS, POST, REVERSE, DEL, REINS = range(5)
SLOTS = Slots(ops=(INSERT, UPDATE, UPDATE, DELETE, INSERT), delete=DEL, reinsert=REINS)
PATTERNS = Patterns(
    iudi={POST: 0.25, DEL: 0.5, REINS: 0.75},
    iu={POST: 0.5},
    iuu={POST: 0.3, REVERSE: 0.6},
    load_delete={DEL: 0.5},
    load_uu={POST: 0.3, REVERSE: 0.6},
)
HISTORY = 365 * DAY
BORN_POSTED = 0.3
"""Share booked directly as posted (fees, interest, internal transfers)."""
DECLINED = 0.005
"""Share reversed while still pending."""
REVERSED = 0.015
"""Share reversed some time after posting."""
DELETED = 0.001
"""Share deleted while pending (cancelled)."""
PENDING_MEDIAN = 6 * HOUR
REVERSAL_MEAN = 3 * DAY

ALL_TYPES = vocab.TRANSACTION_TYPES + vocab.NEW_TRANSACTION_TYPES
_DIRECTION = tuple(t.direction for t in ALL_TYPES)
_MEDIAN_EUR = np.array([t.median_eur for t in ALL_TYPES])
_CURRENCY_SCALE = np.array(vocab.CURRENCY_SCALE)
_TYPE_WEIGHTS = tuple(float(t.weight) for t in vocab.TRANSACTION_TYPES)
_DESCRIPTION_PREFIX = {
    "card_payment": "CARD PAYMENT ",
    "transfer_out": "Payment to ",
    "transfer_in": "Payment from ",
    "withdrawal": "ATM withdrawal ",
    "deposit": "Cash deposit ",
    "fee": "Account fee",
    "interest": "Interest credit",
    "loan_payment": "Loan instalment",
    "crypto_purchase": "Crypto purchase BTC",
    "standing_order": "Standing order ",
    "cashback": "Cashback",
}
_PREFIXES = tuple(_DESCRIPTION_PREFIX[t.name] for t in ALL_TYPES)
_DETAIL_KIND = np.array(
    [
        {
            "card_payment": 1,
            "transfer_out": 2,
            "transfer_in": 2,
            "withdrawal": 3,
            "deposit": 3,
            "standing_order": 2,
        }.get(t.name, 0)
        for t in ALL_TYPES
    ]
)
"""0 no detail, 1 merchant, 2 counterparty name, 3 city."""
_COUNTERPARTY = np.array(
    [t.name in {"transfer_out", "transfer_in", "standing_order", "loan_payment"} for t in ALL_TYPES]
)
_CARD = np.array([t.name == "card_payment" for t in ALL_TYPES])
_YEAR_1993 = to_us(datetime(1993, 1, 1))
_YEAR_2035 = to_us(datetime(2035, 1, 1))
_YEAR = 365 * DAY

SCHEMA = pa.schema(
    [
        pa.field("transaction_id", pa.int64(), nullable=False),
        pa.field("account_id", pa.int64(), nullable=False),
        pa.field("transaction_ts", tx.TIMESTAMP_TYPE, nullable=False),
        pa.field("amount", tx.DECIMAL_TYPE, nullable=False),
        pa.field("direction", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("transaction_type", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("balance_after", tx.DECIMAL_TYPE),
        pa.field("counterparty_account", pa.string()),
        pa.field("description", pa.string()),
        pa.field("created_at", tx.TIMESTAMP_TYPE, nullable=False),
        pa.field("updated_at", tx.TIMESTAMP_TYPE, nullable=False),
    ]
)


class Transactions(TableModel):
    schema = "core_banking"
    table = "transactions"
    key = "transaction_id"
    arrow_schema = SCHEMA
    slots = SLOTS

    def load_limit(self) -> int:
        return self.world.scale.transactions.n_load

    def scan_limit(self, window: int) -> int:
        return self.world.scale.transactions.limit(window)

    def born_posted(self, idx: I64) -> BoolArray:
        """Rows inserted already posted (never through pending)."""
        drawn = self.world.rng.chance("transactions:born_posted", idx, BORN_POSTED)
        born: BoolArray = drawn & ~pattern_rows(idx, self.world.scale.transactions)
        return born

    def plan(self, idx: I64) -> I64:
        rng, timeline = self.world.rng, self.world.timeline
        layout = self.world.scale.transactions
        times = np.full((len(idx), len(SLOTS)), NEVER, dtype=np.int64)
        inserted = layout.insert_times(rng, "transactions", idx, timeline, HISTORY)
        times[:, INS] = inserted
        born = self.born_posted(idx)
        pending_for = np.clip(
            rng.lognormal("transactions:pending", idx, PENDING_MEDIAN, 1.3), MINUTE, 10 * DAY
        ).astype(np.int64)
        declined = ~born & rng.chance("transactions:declined", idx, DECLINED)
        posted = np.where(born | declined, NEVER, inserted + pending_for)
        times[:, POST] = posted
        reversed_ = ~declined & rng.chance("transactions:reversed", idx, REVERSED)
        reversal_delay = (
            MINUTE + rng.exponential("transactions:reversal", idx, REVERSAL_MEAN)
        ).astype(np.int64)
        since = np.where(born, inserted, posted)
        times[:, REVERSE] = np.where(
            declined, inserted + pending_for, np.where(reversed_, since + reversal_delay, NEVER)
        )
        deleted = rng.chance("transactions:deleted", idx, DELETED)
        delete_after = np.where(born, DAY, pending_for) * rng.uniform("transactions:delete_at", idx)
        deleted_at = inserted + SECOND + delete_after.astype(np.int64)
        # Only deletes after the start: the full load holds exactly `transactions` rows.
        times[:, DEL] = np.where(deleted & (deleted_at > timeline.start), deleted_at, NEVER)
        designate(
            times,
            idx,
            layout,
            timeline,
            PATTERNS,
            PATTERN_JITTER * rng.uniform("transactions:pattern", idx),
        )
        finalize(times, SLOTS)
        return times

    def render(self, idx: I64, times: I64, asof: I64) -> Any:
        done = applied(times, asof)
        reinserted = done[:, REINS]
        kind = self._kind(idx)
        account = self._account_index(idx)
        currency = self._currency_index(idx, account)
        status = tx.choose(
            done[:, REVERSE] & ~reinserted,
            "reversed",
            tx.choose(done[:, POST] | reinserted | self.born_posted(idx), "posted", "pending"),
        )
        created_raw = np.where(reinserted, times[:, REINS], times[:, INS])
        created = truncate(created_raw, MILLISECOND)
        touched = last_touch(times, done, SLOTS)
        updated = np.where(touched == created_raw, created, truncate(touched, MILLISECOND))
        return pa.Table.from_arrays(
            [
                tx.int64s(TRANSACTION_ID_BASE + idx),
                tx.int64s(self._account_id(idx, account)),
                tx.timestamps(self._booking_time(idx, times[:, INS], kind)),
                tx.decimals(self._amount(idx, kind, currency, reinserted)),
                tx.pick(_DIRECTION, kind),
                self._currency(idx, currency),
                tx.pick([t.name for t in ALL_TYPES], kind),
                status,
                self._balance(idx, currency),
                self._counterparty(idx, kind),
                self._description(idx, kind),
                tx.timestamps(created),
                tx.timestamps(updated),
            ],
            schema=SCHEMA,
        )

    def _kind(self, idx: I64) -> I64:
        """Index into ALL_TYPES; dirt: types that are not in the documented list."""
        rng = self.world.rng
        kind = rng.choice("transactions:type", idx, _TYPE_WEIGHTS)
        new_type = self.world.dirty("new_transaction_type", idx)
        novel = len(vocab.TRANSACTION_TYPES) + rng.below(
            "transactions:new_type", idx, len(vocab.NEW_TRANSACTION_TYPES)
        )
        chosen: I64 = np.where(new_type, novel, kind)
        return chosen

    def _account_index(self, idx: I64) -> I64:
        accounts = self.world.scale.accounts
        window = self.world.scale.transactions.insert_window(idx)
        existing = np.maximum(accounts.n_load + window * accounts.per_batch, 1)
        chosen: I64 = self.world.rng.below("transactions:account", idx, existing)
        return chosen

    def _account_id(self, idx: I64, account: I64) -> I64:
        """account_id of the account; dirt: ids of accounts that never existed."""
        orphan = self.world.dirty("orphan_account", idx)
        orphan_id = 100_000 + self.world.rng.below("transactions:orphan", idx, 900_000)
        chosen: I64 = np.where(orphan, orphan_id, ACCOUNT_ID_BASE + account)
        return chosen

    def _currency_index(self, idx: I64, account: I64) -> I64:
        """Mostly the account's currency, sometimes a foreign one (card payment abroad)."""
        rng = self.world.rng
        own = account_currency(self.world, account)
        foreign = rng.choice("transactions:foreign_currency", idx, vocab.CURRENCY_WEIGHTS)
        chosen: I64 = np.where(rng.chance("transactions:is_foreign", idx, 0.06), foreign, own)
        return chosen

    def _currency(self, idx: I64, currency: I64) -> Any:
        """Currency code; dirt: codes that are not ISO 4217."""
        text = tx.pick(vocab.CURRENCIES, currency)
        unknown = self.world.dirty("unknown_currency_transaction", idx)
        if not unknown.any():
            return text
        odd = tx.pick(
            vocab.UNKNOWN_CURRENCIES,
            self.world.rng.below(
                "transactions:unknown_currency", idx, len(vocab.UNKNOWN_CURRENCIES)
            ),
        )
        return tx.choose(unknown, odd, text)

    def _amount(self, idx: I64, kind: I64, currency: I64, reinserted: BoolArray) -> I64:
        rng = self.world.rng
        median = _MEDIAN_EUR[kind] * _CURRENCY_SCALE[currency]
        value = rng.lognormal("transactions:amount", idx, median, 0.9)
        corrected = value * (0.5 + rng.uniform("transactions:corrected", idx))
        value = np.where(reinserted, corrected, value)
        cents: I64 = np.maximum(np.round(value * 100), 1).astype(np.int64)
        return cents

    def _balance(self, idx: I64, currency: I64) -> Any:
        rng = self.world.rng
        scale = _CURRENCY_SCALE[currency]
        value = rng.lognormal("transactions:balance", idx, 2_500.0 * scale, 1.2)
        negative = rng.chance("transactions:overdrawn", idx, 0.1)
        cents = np.round(np.where(negative, -0.2 * value, value) * 100).astype(np.int64)
        return tx.decimals(cents, rng.chance("transactions:balance_unknown", idx, 0.06))

    def _booking_time(self, idx: I64, inserted: I64, kind: I64) -> I64:
        """Booking time: just before the insert; card payments keep milliseconds.

        Dirt: migrated history booked in 1993 and scheduled payments booked in 2035.
        """
        rng, world = self.world.rng, self.world
        earlier = inserted - SECOND * rng.below("transactions:booked_before", idx, 600)
        booked = np.where(_CARD[kind], truncate(earlier, MILLISECOND), truncate(earlier, SECOND))
        offset = truncate(rng.below("transactions:odd_date", idx, _YEAR), SECOND)
        booked = np.where(world.dirty("migrated_1993", idx, 0.5), _YEAR_1993 + offset, booked)
        chosen: I64 = np.where(world.dirty("scheduled_2035", idx, 0.5), _YEAR_2035 + offset, booked)
        return chosen

    def _counterparty(self, idx: I64, kind: I64) -> Any:
        rng = self.world.rng
        country = tx.pick(
            ("CZ", "SK", "DE", "AT", "GB"),
            rng.choice("transactions:cp_country", idx, (60, 10, 12, 8, 10)),
        )
        iban = tx.concat(
            country,
            tx.int_text(2 + rng.below("transactions:cp_check", idx, 97), 2),
            tx.pick(
                vocab.IBAN_BANKS, rng.below("transactions:cp_bank", idx, len(vocab.IBAN_BANKS))
            ),
            tx.int_text(rng.below("transactions:cp_number", idx, 10**12), 16),
        )
        return tx.with_nulls(iban, ~_COUNTERPARTY[kind])

    def _description(self, idx: I64, kind: I64) -> Any:
        rng, world = self.world.rng, self.world
        detail_kind = _DETAIL_KIND[kind]
        merchant = tx.pick(
            vocab.MERCHANTS, rng.below("transactions:merchant", idx, len(vocab.MERCHANTS))
        )
        name = tx.pick(
            vocab.MALE_LAST, rng.below("transactions:cp_name", idx, len(vocab.MALE_LAST))
        )
        city = tx.pick(
            [c.name for c in vocab.CITIES], rng.below("transactions:city", idx, len(vocab.CITIES))
        )
        detail = tx.choose(
            detail_kind == 1,
            merchant,
            tx.choose(detail_kind == 2, name, tx.choose(detail_kind == 3, city, "")),
        )
        text = tx.concat(tx.pick(_PREFIXES, kind), detail)
        tricky = world.dirty("tricky_description", idx)
        if tricky.any():
            odd = tx.pick(
                vocab.TRICKY_DESCRIPTIONS,
                rng.below("transactions:tricky", idx, len(vocab.TRICKY_DESCRIPTIONS)),
            )
            text = tx.choose(tricky, odd, text)
        style = rng.uniform("transactions:description_style", idx)
        text = tx.choose(style < 0.03, "", text)
        return tx.with_nulls(text, (style >= 0.03) & (style < 0.07))
