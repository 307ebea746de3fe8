"""core_banking.customers: people and companies, their e-mail and address changes.

One table's model in one module (about 330 lines), like every table here: its change plan
and a generator per column, side by side, so the table's columns are found in one place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator import textops as tx
from simulator import vocab
from simulator.hashrng import Rng
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
from simulator.model import CUSTOMER_ID_BASE, TableModel
from simulator.patterns import PATTERN_JITTER, Patterns, designate
from simulator.timeline import DAY, MILLISECOND, NEVER, SECOND, truncate
from simulator.types import I64, BoolArray

INS, PRE, EMAIL, ADDRESS, DEL, REINS = range(6)
SLOTS = Slots(ops=(INSERT, UPDATE, UPDATE, UPDATE, DELETE, INSERT), delete=DEL, reinsert=REINS)
PATTERNS = Patterns(
    iudi={EMAIL: 0.25, DEL: 0.5, REINS: 0.75},
    iu={EMAIL: 0.5},
    iuu={EMAIL: 0.3, ADDRESS: 0.6},
    load_delete={DEL: 0.5},
    load_uu={EMAIL: 0.3, ADDRESS: 0.6},
    keep=(PRE,),
)
HISTORY = 8 * 365 * DAY
LEGACY_AGE = 5 * 365 * DAY
"""Rows created this long before the start come from the old system: whole-second times."""
EMAIL_CHANGE_RATE = 0.01
ADDRESS_CHANGE_RATE = 0.007
DELETE_RATE = 0.002
GUARANTEED_TRICKY_ADDRESSES = 3
"""The first full-load customers always have addresses that need CSV quoting."""

SCHEMA = pa.schema(
    [
        pa.field("customer_id", pa.int64(), nullable=False),
        pa.field("first_name", pa.string()),
        pa.field("last_name", pa.string()),
        pa.field("email", pa.string()),
        pa.field("phone", pa.string()),
        pa.field("date_of_birth", pa.date32()),
        pa.field("gender", pa.string()),
        pa.field("address_line", pa.string()),
        pa.field("city", pa.string()),
        pa.field("country_code", pa.string()),
        pa.field("segment", pa.string(), nullable=False),
        pa.field("created_at", tx.TIMESTAMP_TYPE, nullable=False),
        pa.field("updated_at", tx.TIMESTAMP_TYPE, nullable=False),
    ]
)

_FIRST_ASCII = {
    "F": tuple(vocab.ascii_fold(n).lower() for n in vocab.FEMALE_FIRST),
    "M": tuple(vocab.ascii_fold(n).lower() for n in vocab.MALE_FIRST),
}
_LAST_ASCII = {
    "F": tuple(vocab.ascii_fold(n).lower().replace("'", "") for n in vocab.FEMALE_LAST),
    "M": tuple(vocab.ascii_fold(n).lower().replace("'", "") for n in vocab.MALE_LAST),
}
_CALLING_CODES = {
    "CZ": "420",
    "SK": "421",
    "AT": "43",
    "DE": "49",
    "FR": "33",
    "GB": "44",
    "PL": "48",
    "HU": "36",
}
_CITY_WEIGHTS = tuple(float(c.weight) for c in vocab.CITIES)
_ADDRESS_STYLE = np.array([vocab.ADDRESS_STYLE_BY_COUNTRY.get(c.country, 0) for c in vocab.CITIES])


def home_city(rng: Rng, idx: I64) -> I64:
    """Index into vocab.CITIES of each customer's city (used by accounts too)."""
    return rng.choice("customers:city", idx, _CITY_WEIGHTS)


class Customers(TableModel):
    schema = "core_banking"
    table = "customers"
    key = "customer_id"
    arrow_schema = SCHEMA
    slots = SLOTS

    def load_limit(self) -> int:
        return self.world.scale.customers.n_load

    def scan_limit(self, window: int) -> int:
        return self.world.scale.customers.limit(window)

    def plan(self, idx: I64) -> I64:
        rng, timeline = self.world.rng, self.world.timeline
        layout = self.world.scale.customers
        times = np.full((len(idx), len(SLOTS)), NEVER, dtype=np.int64)
        inserted = layout.insert_times(rng, "customers", idx, timeline, HISTORY)
        times[:, INS] = inserted
        touched = (idx < layout.n_load) & rng.chance("customers:touch", idx, 0.6)
        touch_at = within(inserted + 1, timeline.start, rng.uniform("customers:touch_at", idx))
        times[:, PRE] = np.where(touched, touch_at, NEVER)
        times[:, EMAIL] = rate_event(
            rng, "customers:email", idx, inserted, EMAIL_CHANGE_RATE, timeline
        )
        times[:, ADDRESS] = rate_event(
            rng, "customers:address", idx, inserted, ADDRESS_CHANGE_RATE, timeline
        )
        times[:, DEL] = rate_event(rng, "customers:delete", idx, inserted, DELETE_RATE, timeline)
        designate(
            times,
            idx,
            layout,
            timeline,
            PATTERNS,
            PATTERN_JITTER * rng.uniform("customers:pattern", idx),
        )
        finalize(times, SLOTS)
        return times

    def render(self, idx: I64, times: I64, asof: I64) -> Any:
        done = applied(times, asof)
        reinserted = done[:, REINS]
        female = self.world.rng.chance("customers:female", idx, 0.52)
        first, last, first_ascii, last_ascii = self._names(idx, female)
        email_changed = done[:, EMAIL] | reinserted
        email = tx.choose(
            email_changed,
            self._email(idx, first_ascii, last_ascii, "2"),
            self._email(idx, first_ascii, last_ascii, "1"),
        )
        first, last = self._blank_names(idx, first, last)
        city = home_city(self.world.rng, idx)
        country = self._country_code(idx, city)
        address_changed = done[:, ADDRESS] | reinserted
        address = tx.choose(
            address_changed, self._address(idx, city, "2"), self._address(idx, city, "1")
        )
        created_raw = np.where(reinserted, times[:, REINS], times[:, INS])
        legacy = created_raw < self.world.timeline.start - LEGACY_AGE
        created = np.where(
            legacy, truncate(created_raw, SECOND), truncate(created_raw, MILLISECOND)
        )
        touched = last_touch(times, done, SLOTS)
        updated = np.where(touched == created_raw, created, truncate(touched, MILLISECOND))
        return pa.Table.from_arrays(
            [
                tx.int64s(CUSTOMER_ID_BASE + idx),
                first,
                last,
                email,
                self._phone(idx, city),
                self._date_of_birth(idx),
                self._gender(idx, female),
                address,
                tx.pick([c.name for c in vocab.CITIES], city),
                country,
                tx.pick(
                    vocab.SEGMENTS,
                    self.world.rng.choice("customers:segment", idx, vocab.SEGMENT_WEIGHTS),
                ),
                tx.timestamps(created),
                tx.timestamps(updated),
            ],
            schema=SCHEMA,
        )

    def _names(self, idx: I64, female: BoolArray) -> tuple[Any, Any, Any, Any]:
        rng = self.world.rng
        first_pick = rng.bits("customers:first", idx)
        last_pick = rng.bits("customers:last", idx)

        def by_gender(
            female_words: tuple[str, ...], male_words: tuple[str, ...], picks: Any
        ) -> Any:
            f_idx = (picks % np.uint64(len(female_words))).astype(np.int64)
            m_idx = (picks % np.uint64(len(male_words))).astype(np.int64)
            return tx.choose(female, tx.pick(female_words, f_idx), tx.pick(male_words, m_idx))

        return (
            by_gender(vocab.FEMALE_FIRST, vocab.MALE_FIRST, first_pick),
            by_gender(vocab.FEMALE_LAST, vocab.MALE_LAST, last_pick),
            by_gender(_FIRST_ASCII["F"], _FIRST_ASCII["M"], first_pick),
            by_gender(_LAST_ASCII["F"], _LAST_ASCII["M"], last_pick),
        )

    def _blank_names(self, idx: I64, first: Any, last: Any) -> tuple[Any, Any]:
        """Dirt: '' or blanks in first and/or last name; migrated rows with both NULL."""
        blank = self.world.dirty("blank_name", idx)
        if not blank.any():
            return first, last
        kind = self.world.rng.below("customers:blank_kind", idx, 4)
        null = pa.scalar(None, pa.string())
        first = tx.choose(blank & (kind == 0), "", first)
        first = tx.choose(blank & (kind == 1), "   ", first)
        first = tx.choose(blank & (kind == 2), " ", first)
        last = tx.choose(blank & (kind == 2), "", last)
        first = tx.choose(blank & (kind == 3), null, first)
        last = tx.choose(blank & (kind == 3), null, last)
        return first, last

    def _email(self, idx: I64, first: Any, last: Any, version: str) -> Any:
        rng, world = self.world.rng, self.world
        stream = "customers:email" + version
        separator = tx.pick((".", "", "_", "."), rng.below(stream + ":sep", idx, 4))
        number = rng.below(stream + ":number", idx, 100)
        suffix = tx.choose(rng.chance(stream + ":has_number", idx, 0.4), tx.int_text(number, 2), "")
        domain = tx.pick(
            vocab.EMAIL_DOMAINS, rng.choice(stream + ":domain", idx, vocab.EMAIL_DOMAIN_WEIGHTS)
        )
        local = tx.concat(first, separator, last, suffix)
        email = tx.concat(local, "@", domain)
        invalid = world.dirty("invalid_email" + version, idx)
        if invalid.any():
            spaced = rng.chance(stream + ":invalid_kind", idx, 0.5)
            no_at = tx.concat(local, ".", domain)
            with_space = tx.concat(first, " ", last, suffix, "@", domain)
            email = tx.choose(invalid & spaced, with_space, email)
            email = tx.choose(invalid & ~spaced, no_at, email)
        shouty = world.dirty("mixed_case_email" + version, idx) & ~invalid
        if shouty.any():
            mixed = tx.concat(
                "  ",
                pc.utf8_capitalize(first),
                ".",
                pc.utf8_capitalize(last),
                "@",
                pc.utf8_upper(domain),
                " ",
            )
            email = tx.choose(shouty, mixed, email)
        return email

    def _phone(self, idx: I64, city: I64) -> Any:
        rng = self.world.rng
        codes = tx.pick([_CALLING_CODES[c.country] for c in vocab.CITIES], city)
        number = 600_000_000 + rng.below("customers:phone", idx, 200_000_000)
        digits = tx.int_text(number)
        grouped = tx.concat(
            tx.int_text(number // 1_000_000),
            " ",
            tx.int_text(number // 1_000 % 1_000, 3),
            " ",
            tx.int_text(number % 1_000, 3),
        )
        style = rng.below("customers:phone_style", idx, 4)
        phone = tx.choose(style == 0, tx.concat("+", codes, " ", grouped), digits)
        phone = tx.choose(style == 1, tx.concat("+", codes, digits), phone)
        phone = tx.choose(style == 2, tx.concat("00", codes, " ", grouped), phone)
        return tx.with_nulls(phone, rng.chance("customers:no_phone", idx, 0.04))

    def _date_of_birth(self, idx: I64) -> Any:
        rng = self.world.rng
        first_day, span = -10_957, 24_472  # 1940-01-01 .. 2006-12-31 in days since 1970
        days = first_day + rng.below("customers:dob", idx, span)
        return tx.dates(days, rng.chance("customers:no_dob", idx, 0.02))

    def _gender(self, idx: I64, female: BoolArray) -> Any:
        gender = tx.choose(female, "F", "M")
        return tx.with_nulls(gender, self.world.rng.chance("customers:no_gender", idx, 0.04))

    def _country_code(self, idx: I64, city: I64) -> Any:
        country = tx.pick([c.country for c in vocab.CITIES], city)
        lower = self.world.dirty("lower_country", idx)
        return tx.choose(lower, pc.utf8_lower(country), country) if lower.any() else country

    def _address(self, idx: I64, city: I64, version: str) -> Any:
        rng = self.world.rng
        stream = "customers:address" + version
        style = _ADDRESS_STYLE[city]
        number = tx.int_text(1 + rng.below(stream + ":number", idx, 180))
        land_register = tx.int_text(100 + rng.below(stream + ":cp", idx, 3800))
        central_street = tx.pick(
            vocab.STREETS_CENTRAL, rng.below(stream + ":street", idx, len(vocab.STREETS_CENTRAL))
        )
        french_street = tx.pick(
            vocab.STREETS_FRENCH, rng.below(stream + ":street", idx, len(vocab.STREETS_FRENCH))
        )
        english_street = tx.pick(
            vocab.STREETS_ENGLISH, rng.below(stream + ":street", idx, len(vocab.STREETS_ENGLISH))
        )
        with_register = rng.chance(stream + ":with_cp", idx, 0.5)
        central = tx.concat(
            central_street,
            " ",
            tx.choose(with_register, tx.concat(land_register, "/", number), number),
        )
        flat = rng.chance(stream + ":flat", idx, 0.2)
        english = tx.concat(
            tx.choose(
                flat,
                tx.concat("Flat ", tx.int_text(1 + rng.below(stream + ":flat_no", idx, 30)), ", "),
                "",
            ),
            number,
            " ",
            english_street,
        )
        address = tx.choose(
            style == 1,
            tx.concat(number, ", ", french_street),
            tx.choose(style == 2, english, central),
        )
        tricky = self.world.dirty("tricky_address" + version, idx)
        if version == "1":
            tricky |= idx < GUARANTEED_TRICKY_ADDRESSES
        if tricky.any():
            pick = rng.below(stream + ":tricky", idx, len(vocab.TRICKY_ADDRESSES))
            pick = np.where(idx < GUARANTEED_TRICKY_ADDRESSES, idx, pick)
            address = tx.choose(tricky, tx.pick(vocab.TRICKY_ADDRESSES, pick), address)
        return address
