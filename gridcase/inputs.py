"""Strict parsing of client input that becomes database values.

`str.isdigit()` says yes to "²" and "٣" (then `int()` fails: a 500), and Python's integers
have no upper bound where PostgreSQL's bigint has one; text with a NUL character cannot even
be compared by PostgreSQL. Every id, page number and key from a client goes through here.
"""

MAX_ID = 2**63 - 1  # PostgreSQL bigint, the largest primary key
ASCII_DIGITS = frozenset("0123456789")


def strict_int(raw: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """`raw` as an int if it is ASCII digits (or an int, not a bool) within [low, high]."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and 0 < len(raw) <= 19 and set(raw) <= ASCII_DIGITS:
        value = int(raw)
    else:
        return None
    return value if low <= value <= high else None


def storable_text(raw: str, *, max_length: int = 200) -> bool:
    """Whether `raw` may be compared with database text: no NUL, not absurdly long."""
    return "\x00" not in raw and len(raw) <= max_length
