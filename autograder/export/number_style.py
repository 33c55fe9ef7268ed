"""Numbers as an LMS file writes them (``10``, ``10.00``, ``10,00``): read with their style
(decimals shown, decimal separator), so that the grades written look like the file's own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class NumberStyle:
    """How the LMS file writes numbers: decimals shown and the decimal separator."""

    decimals: int = 2
    separator: str = "."

    def format(self, value: float) -> str:
        """``value`` with this file's decimals, or with up to 2 when it needs more (7.5 in a
        file that shows whole numbers stays 7.5)."""
        rounded = Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
        decimals = max(self.decimals, -min(rounded.as_tuple().exponent, 0))
        text = f"{rounded.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)}"
        return text.replace(".", self.separator)


def parse_number(text: str) -> tuple[float, NumberStyle] | None:
    """A number as an LMS writes it (``10``, ``10.00``, ``10,00``) and its style, else None."""
    match = re.fullmatch(r"\s*(\d+)(?:([.,])(\d+))?\s*", text)
    if not match:
        return None
    whole, separator, fraction = match.groups()
    value = float(f"{whole}.{fraction}" if fraction else whole)
    return value, NumberStyle(len(fraction or ""), separator or ".")
