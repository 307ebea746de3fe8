"""events.transaction_events: DocumentDB documents about transactions, in DMS document mode.

Each transaction has up to three event slots (k = 0, 1, 2): the initiation/authorisation at
its insert, a "posted" event when it posts and a "reversed" event when it is reversed. The
event key is 3 * transaction index + k. DMS writes `_id` (24-hex ObjectId) and `_doc` (the
document as MongoDB extended JSON text).

One table's model in one module (about 330 lines), like every table here: its change plan
and a generator per document field, side by side, so the document's fields are found in one
place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator import textops as tx
from simulator import vocab
from simulator.lifecycle import (
    DELETE,
    INSERT,
    UPDATE,
    Slots,
    applied,
    finalize,
    late_rows,
    rate_event,
)
from simulator.model import TRANSACTION_ID_BASE, TableModel, World
from simulator.patterns import (
    EVENT_LOAD_OFFSET,
    EVENT_POS_OFFSET,
    LOAD_DELETE,
    LOAD_UU,
    PATTERN_JITTER,
    Patterns,
    designate,
    designated_lateness,
)
from simulator.timeline import MILLISECOND, NEVER, SECOND, truncate
from simulator.transactions import INS as TX_INS
from simulator.transactions import POST as TX_POST
from simulator.transactions import REVERSE as TX_REVERSE
from simulator.transactions import Transactions
from simulator.types import I64, BoolArray

PER_TRANSACTION = 3
INS, REVIEW, RESCORE, DEL, REINS = range(5)
SLOTS = Slots(ops=(INSERT, UPDATE, UPDATE, DELETE, INSERT), delete=DEL, reinsert=REINS)
PATTERNS = Patterns(
    iudi={REVIEW: 0.25, DEL: 0.5, REINS: 0.75},
    iu={REVIEW: 0.5},
    iuu={REVIEW: 0.3, RESCORE: 0.6},
    load_delete={DEL: 0.5},
    load_uu={REVIEW: 0.3, RESCORE: 0.6},
)
EVENT_CHANCE = (0.88, 0.13, 0.9)
"""Chance that slot k has a document: at insert, when posted, when reversed."""
REVIEW_RATE = 0.002
RESCORE_RATE = 0.001
DELETE_RATE = 0.0005
FIRST_EVENT_TYPES = ("initiated", "authorized", "flagged")
FIRST_EVENT_WEIGHTS = (55, 40, 5)
_CHANNEL_HAS_DEVICE = np.array([c in {"mobile", "web"} for c in vocab.CHANNELS])
_CHANNEL_HAS_GEO = np.array([c in {"mobile", "pos", "atm", "branch"} for c in vocab.CHANNELS])
_IP_PREFIXES = ("203.0.113.", "198.51.100.", "192.0.2.")
_CITY_WEIGHTS = tuple(float(c.weight) for c in vocab.CITIES)
_TRUNCATE_AT = (47, 90)
"""Unparseable documents are cut after this many characters."""

SCHEMA = pa.schema(
    [
        pa.field("_id", pa.string(), nullable=False),
        pa.field("_doc", pa.string(), nullable=False),
    ]
)


class Events(TableModel):
    schema = "events"
    table = "transaction_events"
    key = "_id"
    arrow_schema = SCHEMA
    slots = SLOTS

    def __init__(self, world: World, transactions: Transactions) -> None:
        super().__init__(world)
        self.transactions = transactions

    def load_limit(self) -> int:
        return PER_TRANSACTION * self.world.scale.transactions.n_load

    def scan_limit(self, window: int) -> int:
        return PER_TRANSACTION * self.world.scale.transactions.limit(window)

    def _delay(self, idx: I64) -> I64:
        """Time from the event happening to its document being committed."""
        delay: I64 = 50 * MILLISECOND + self.world.rng.below("events:delay", idx, 3 * SECOND)
        return delay

    def plan(self, idx: I64) -> I64:
        rng = self.world.rng
        tx_idx, k = idx // PER_TRANSACTION, idx % PER_TRANSACTION
        unique_tx, position = np.unique(tx_idx, return_inverse=True)
        tx_times = self.transactions.plan(unique_tx)[position.reshape(-1)]
        occurred = np.choose(
            k, [tx_times[:, TX_INS], tx_times[:, TX_POST], tx_times[:, TX_REVERSE]]
        )
        first = k == 0
        designated = first & self._designated(tx_idx)
        present = rng.chance("events:present", idx, np.asarray(EVENT_CHANCE)[k]) | designated
        present &= occurred != NEVER
        times = np.full((len(idx), len(SLOTS)), NEVER, dtype=np.int64)
        rows = np.flatnonzero(present)
        times[rows] = self._plan_present(idx[rows], occurred[rows])
        return times

    def _plan_present(self, idx: I64, occurred: I64) -> I64:
        """Slot times of documents that exist, given when their event happened."""
        rng, timeline = self.world.rng, self.world.timeline
        layout = self.world.scale.transactions
        tx_idx, first = idx // PER_TRANSACTION, idx % PER_TRANSACTION == 0
        inserted = occurred + self._delay(idx)
        load_window, designation = layout.load_designation(tx_idx)
        designated_load = first & (load_window > 0) & (designation >= EVENT_LOAD_OFFSET)
        inserted = np.where(
            designated_load, np.minimum(inserted, timeline.start - SECOND), inserted
        )
        times = np.full((len(idx), len(SLOTS)), NEVER, dtype=np.int64)
        times[:, INS] = inserted
        times[:, REVIEW] = rate_event(rng, "events:review", idx, inserted, REVIEW_RATE, timeline)
        times[:, RESCORE] = rate_event(rng, "events:rescore", idx, inserted, RESCORE_RATE, timeline)
        times[:, DEL] = rate_event(rng, "events:delete", idx, inserted, DELETE_RATE, timeline)
        designate(
            times,
            tx_idx,
            layout,
            timeline,
            PATTERNS,
            PATTERN_JITTER * rng.uniform("events:pattern", idx),
            position_offset=EVENT_POS_OFFSET,
            load_offset=EVENT_LOAD_OFFSET,
            row_mask=first,
        )
        finalize(times, SLOTS)
        return times

    def _designated(self, tx_idx: I64) -> BoolArray:
        """Transactions whose first event document carries a designated pattern."""
        layout = self.world.scale.transactions
        position = layout.position(tx_idx) - EVENT_POS_OFFSET
        inserted = (layout.insert_window(tx_idx) > 0) & (position >= 0) & (position <= 3)
        load_window, designation = layout.load_designation(tx_idx)
        loaded = (load_window > 0) & (
            (designation == LOAD_DELETE + EVENT_LOAD_OFFSET)
            | (designation == LOAD_UU + EVENT_LOAD_OFFSET)
        )
        flagged: BoolArray = inserted | loaded
        return flagged

    def late(self, idx: I64, window: int) -> BoolArray:
        tx_idx, first = idx // PER_TRANSACTION, idx % PER_TRANSACTION == 0
        forced, exempt = designated_lateness(
            tx_idx, self.world.scale.transactions, window, EVENT_POS_OFFSET
        )
        return late_rows(
            self.world.rng,
            "events",
            idx,
            window,
            self.world.timeline,
            forced & first,
            exempt & first,
        )

    def render(self, idx: I64, times: I64, asof: I64) -> Any:
        done = applied(times, asof)
        reinserted = done[:, REINS]
        object_id = self._object_id(idx, times[:, INS])
        occurred = truncate(times[:, INS] - self._delay(idx), MILLISECOND)
        rescored = (done[:, RESCORE] & ~reinserted) | reinserted
        channel = self._channel(idx, reinserted)
        no_channel, no_time = self._missing_fields(idx)
        review = done[:, REVIEW] & ~reinserted
        document = tx.concat(
            '{"_id": {"$oid": "',
            object_id,
            '"}, "transaction_id": ',
            self._transaction_id(idx),
            ', "event_type": "',
            self._event_type(idx),
            '"',
            tx.choose(
                no_channel, "", tx.concat(', "channel": "', tx.pick(vocab.CHANNELS, channel), '"')
            ),
            tx.choose(no_time, "", tx.concat(', "occurred_at": ', _extended_date(occurred))),
            self._device(idx, channel),
            self._geo(idx, channel),
            self._risk(idx, rescored),
            tx.choose(
                review,
                tx.concat(
                    ', "review": {"status": "cleared", "reviewed_at": ',
                    _extended_date(truncate(np.where(review, times[:, REVIEW], 0), MILLISECOND)),
                    "}",
                ),
                "",
            ),
            tx.choose(reinserted, ', "replayed": true', ""),
            "}",
        )
        return pa.Table.from_arrays([object_id, self._unparseable(idx, document)], schema=SCHEMA)

    def _object_id(self, idx: I64, inserted: I64) -> Any:
        """ObjectId: 4-byte creation second, 5 'process' bytes, 3-byte counter.

        The process bytes hold a per-seed value and the high bits of the key, the counter its
        low 24 bits, so distinct keys always get distinct ids.
        """
        high = idx >> 24
        process = self.world.rng.bits("events:process", high) & np.uint64(0xFFFFFF)
        return tx.concat(
            tx.hex_text((inserted // SECOND).astype(np.uint64), 8),
            tx.hex_text(process, 6),
            tx.hex_text(high.astype(np.uint64), 4),
            tx.hex_text((idx & 0xFFFFFF).astype(np.uint64), 6),
        )

    def _transaction_id(self, idx: I64) -> Any:
        """The transaction id as a JSON number; dirt: a JSON string as in old documents."""
        text = tx.int_text(TRANSACTION_ID_BASE + idx // PER_TRANSACTION)
        as_string = self.world.dirty("event_string_transaction_id", idx)
        return tx.choose(as_string, tx.concat('"', text, '"'), text) if as_string.any() else text

    def _event_type(self, idx: I64) -> Any:
        k = idx % PER_TRANSACTION
        first = self.world.rng.choice("events:type", idx, FIRST_EVENT_WEIGHTS)
        return tx.choose(
            k == 0, tx.pick(FIRST_EVENT_TYPES, first), tx.choose(k == 1, "posted", "reversed")
        )

    def _channel(self, idx: I64, reinserted: BoolArray) -> I64:
        rng = self.world.rng
        channel: I64 = np.where(
            reinserted,
            rng.choice("events:channel_replayed", idx, vocab.CHANNEL_WEIGHTS),
            rng.choice("events:channel", idx, vocab.CHANNEL_WEIGHTS),
        )
        return channel

    def _missing_fields(self, idx: I64) -> tuple[BoolArray, BoolArray]:
        """Dirt: documents without channel and/or occurred_at."""
        missing = self.world.dirty("event_missing_fields", idx)
        kind = self.world.rng.below("events:missing_kind", idx, 3)
        return missing & (kind != 1), missing & (kind != 0)

    def _device(self, idx: I64, channel: I64) -> Any:
        rng = self.world.rng
        present = _CHANNEL_HAS_DEVICE[channel] & rng.chance("events:has_device", idx, 0.9)
        mobile = channel == vocab.CHANNELS.index("mobile")
        os_pick = np.where(
            mobile, rng.below("events:os", idx, 2), 2 + rng.below("events:os", idx, 3)
        )
        ip = tx.concat(
            tx.pick(_IP_PREFIXES, rng.below("events:ip_net", idx, 3)),
            tx.int_text(1 + rng.below("events:ip_host", idx, 254)),
        )
        device = tx.concat(
            ', "device": {"os": "',
            tx.pick(vocab.DEVICE_OS, os_pick),
            '", "app_version": "',
            tx.pick(vocab.APP_VERSIONS, rng.below("events:app", idx, len(vocab.APP_VERSIONS))),
            '", "ip": "',
            ip,
            '"}',
        )
        return tx.choose(present, device, "")

    def _geo(self, idx: I64, channel: I64) -> Any:
        rng = self.world.rng
        present = _CHANNEL_HAS_GEO[channel] & rng.chance("events:has_geo", idx, 0.75)
        city = rng.choice("events:city", idx, _CITY_WEIGHTS)
        lat = np.array([c.lat_hundredths for c in vocab.CITIES])[city]
        lon = np.array([c.lon_hundredths for c in vocab.CITIES])[city]
        geo = tx.concat(
            ', "geo": {"country": "',
            tx.pick([c.country for c in vocab.CITIES], city),
            '", "city": "',
            tx.pick([c.name for c in vocab.CITIES], city),
            '", "lat": ',
            tx.hundredths_text(lat),
            ', "lon": ',
            tx.hundredths_text(lon),
            "}",
        )
        return tx.choose(present, geo, "")

    def _risk(self, idx: I64, rescored: BoolArray) -> Any:
        rng = self.world.rng
        present = rng.chance("events:has_risk", idx, 0.8) | rescored
        first = (rng.uniform("events:score", idx) ** 3 * 100).astype(np.int64)
        second = (rng.uniform("events:rescore", idx) * 100).astype(np.int64)
        score = tx.hundredths_text(np.where(rescored, second, first))
        rules = tx.choose(
            rescored,
            '["manual_review"]',
            tx.pick(vocab.RISK_RULES, rng.below("events:rules", idx, len(vocab.RISK_RULES))),
        )
        risk = tx.concat(', "risk": {"score": ', score, ', "rules": ', rules, "}")
        return tx.choose(present, risk, "")

    def _unparseable(self, idx: I64, document: Any) -> Any:
        """Dirt: documents cut short, which no JSON parser accepts."""
        broken = self.world.dirty("event_unparseable", idx)
        if not broken.any():
            return document
        short = self.world.rng.chance("events:cut_short", idx, 0.5)[broken]
        chosen = document.filter(pa.array(broken, pa.bool_()))
        cut = tx.choose(
            short,
            pc.utf8_slice_codeunits(chosen, 0, _TRUNCATE_AT[0]),
            pc.utf8_slice_codeunits(chosen, 0, _TRUNCATE_AT[1]),
        )
        return tx.patch(document, broken, cut)


def _extended_date(millis_us: I64) -> Any:
    """{"$date": "2026-03-14T09:21:07.512Z"} for microsecond times truncated to ms."""
    text = pc.cast(pa.array((millis_us // MILLISECOND).view("datetime64[ms]")), pa.string())
    return tx.concat('{"$date": "', pc.replace_substring(text, " ", "T"), 'Z"}')
