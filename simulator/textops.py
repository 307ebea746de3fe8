"""Vectorised builders of Arrow arrays: strings from word lists, numbers, times, decimals.

Everything works on whole columns (numpy in, pyarrow out) so that generators never loop in
Python over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from simulator.types import I64, U64, BoolArray

DECIMAL_TYPE = pa.decimal128(18, 2)
TIMESTAMP_TYPE = pa.timestamp("us")
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def pick(words: Sequence[str], index: I64) -> Any:
    """words[index[i]] for every i, as an Arrow string array."""
    return pa.array(words, pa.string()).take(pa.array(index))


def concat(*parts: Any) -> Any:
    """Element-wise concatenation of string arrays and/or string scalars."""
    return pc.binary_join_element_wise(*parts, "")


def choose(mask: BoolArray, if_true: Any, if_false: Any) -> Any:
    """if_true where mask else if_false (arrays or scalars)."""
    return pc.if_else(pa.array(mask, pa.bool_()), if_true, if_false)


def patch(values: Any, mask: BoolArray, replacement: Any) -> Any:
    """values with the masked rows replaced by `replacement` (a scalar, or an array holding
    one value per masked row); cheaper than choose() when few rows are masked."""
    if not mask.any():
        return values
    if not isinstance(replacement, pa.Array):
        replacement = pa.array([replacement] * int(mask.sum()), values.type)
    return pc.replace_with_mask(values, pa.array(mask, pa.bool_()), replacement)


def with_nulls(values: Any, null_mask: BoolArray) -> Any:
    """The array with NULL where null_mask is true."""
    if not null_mask.any():
        return values
    return pc.if_else(pa.array(null_mask, pa.bool_()), pa.scalar(None, values.type), values)


def int_text(values: I64, width: int = 0) -> Any:
    """Decimal text of integers, zero-padded to `width` digits (non-negative values)."""
    text = pc.cast(pa.array(values, pa.int64()), pa.string())
    if width:
        text = pc.utf8_lpad(text, width=width, padding="0")
    return text


def hundredths_text(values: I64) -> Any:
    """Text of values given in hundredths: 4919 -> '49.19', -13 -> '-0.13'."""
    magnitude = np.abs(values)
    sign = choose(values < 0, "-", "")
    return concat(sign, int_text(magnitude // 100), ".", int_text(magnitude % 100, 2))


def hex_text(values: U64, width: int) -> Any:
    """Lower-case hexadecimal of unsigned values, exactly `width` digits."""
    codes = np.empty((len(values), width), dtype=np.uint8)
    for position in range(width):
        shift = np.uint64(4 * (width - 1 - position))
        codes[:, position] = _HEX_DIGITS[((values >> shift) & np.uint64(15)).astype(np.intp)]
    return fixed_width_text(codes)


def fixed_width_text(codes: NDArray[np.uint8]) -> Any:
    """A string array from an (n, width) matrix of ASCII codes."""
    rows, width = codes.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(codes.tobytes())]
    )


def int64s(values: I64, null_mask: BoolArray | None = None) -> Any:
    """An int64 array, NULL where null_mask."""
    return pa.array(values, pa.int64(), mask=null_mask)


def timestamps(micros: I64, null_mask: BoolArray | None = None) -> Any:
    """A timestamp[us] array from microseconds since the epoch, NULL where null_mask."""
    return pa.array(micros.view("datetime64[us]"), TIMESTAMP_TYPE, mask=null_mask)


def dates(days: I64, null_mask: BoolArray | None = None) -> Any:
    """A date32 array from days since the epoch, NULL where null_mask."""
    return pa.array(days.astype(np.int32), pa.int32(), mask=null_mask).cast(pa.date32())


def decimals(cents: I64, null_mask: BoolArray | None = None) -> Any:
    """A decimal128(18, 2) array from integer hundredths, NULL where null_mask."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension into the high 64 bits
    values = pa.Array.from_buffers(DECIMAL_TYPE, len(cents), [None, pa.py_buffer(words)])
    if null_mask is None:
        return values
    return with_nulls(values, null_mask)
