"""Array type aliases shared by the simulator modules."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

I64: TypeAlias = NDArray[np.int64]
U64: TypeAlias = NDArray[np.uint64]
F64: TypeAlias = NDArray[np.float64]
I8: TypeAlias = NDArray[np.int8]
BoolArray: TypeAlias = NDArray[np.bool_]
