"""The vote arithmetic of the owners' assembly (业主大会), Civil Code art. 278. Pure: no Django.

Art. 278 lists the matters owners decide together:
  (1) the assembly's rules of procedure, (2) the management statute, (3) electing or replacing
  the owners' committee (业委会), (4) hiring or dismissing the property company (物业),
  (5) using the maintenance fund, (6) raising the maintenance fund, (7) rebuilding or
  reconstructing buildings and their facilities, (8) changing the use of common parts or
  running a business on them, (9) other major matters of common ownership and management.

Participation: owners holding at least 2/3 of the floor area *and* at least 2/3 of the owners
take part. A motion passes with more than 1/2 of the participating area *and* of the
participating owners; items 6–8 need at least 3/4 of both. Using the fund (item 5) needs only
the simple majority. Here one unit (房屋) is one owner and one vote (its owners vote together);
a unit's weight is its floor area. Everything is compared in exact integer arithmetic: areas
are Decimals, cross-multiplied, never divided.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Matter(StrEnum):
    """What a motion is about: the items of art. 278 (values are stored on proposals)."""

    RULES = "rules"  # (1) 制定和修改业主大会议事规则
    STATUTE = "statute"  # (2) 制定和修改管理规约
    COMMITTEE = "committee"  # (3) 选举业主委员会或者更换业主委员会成员
    PROPERTY_COMPANY = "property_company"  # (4) 选聘和解聘物业服务企业或者其他管理人
    FUND_USE = "fund_use"  # (5) 使用建筑物及其附属设施的维修资金
    FUND_RAISE = "fund_raise"  # (6) 筹集建筑物及其附属设施的维修资金
    REBUILD = "rebuild"  # (7) 改建、重建建筑物及其附属设施
    COMMON_PARTS_USE = "common_parts_use"  # (8) 改变共有部分的用途或者利用共有部分从事经营活动
    OTHER = "other"  # (9) 有关共有和共同管理权利的其他重大事项


# Items 6–8: three quarters of both the participating area and the participating owners.
SUPERMAJORITY_MATTERS = frozenset({Matter.FUND_RAISE, Matter.REBUILD, Matter.COMMON_PARTS_USE})


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Tally:
    """The count of one vote and what it means; every figure is derived, never typed in."""

    matter: Matter
    units: int  # owners (units) in the register
    area: Decimal  # their total floor area, m²
    voted_units: int
    voted_area: Decimal
    for_units: int
    for_area: Decimal
    against_units: int
    against_area: Decimal
    abstain_units: int
    abstain_area: Decimal

    @property
    def supermajority(self) -> bool:
        return self.matter in SUPERMAJORITY_MATTERS

    @property
    def quorate(self) -> bool:
        """≥ 2/3 of the area and ≥ 2/3 of the owners took part (and somebody did)."""
        return (
            self.voted_units > 0
            and 3 * self.voted_area >= 2 * self.area
            and 3 * self.voted_units >= 2 * self.units
        )

    @property
    def majority(self) -> bool:
        """The motion has the majority its matter needs among those who took part."""
        if self.voted_units == 0:
            return False
        if self.supermajority:
            return (
                4 * self.for_area >= 3 * self.voted_area
                and 4 * self.for_units >= 3 * self.voted_units
            )
        return 2 * self.for_area > self.voted_area and 2 * self.for_units > self.voted_units

    @property
    def passed(self) -> bool:
        return self.quorate and self.majority


def tally(
    matter: Matter | str,
    register: Mapping[int, Decimal],
    votes: Mapping[int, Choice | str],
) -> Tally:
    """Count `votes` (unit → choice) against `register` (unit → floor area, m²).

    A vote for a unit that is not in the register is a programming error: the services only
    accept votes for registered units."""
    unknown = set(votes) - set(register)
    if unknown:
        raise ValueError(f"votes for units not in the register: {sorted(unknown)}")
    if any(area <= 0 for area in register.values()):
        raise ValueError("every unit has a positive floor area")
    counts = {choice: (0, Decimal(0)) for choice in Choice}
    for unit, raw in votes.items():
        choice = Choice(raw)
        units, area = counts[choice]
        counts[choice] = (units + 1, area + register[unit])
    voted_units = sum(units for units, _ in counts.values())
    voted_area = _sum(area for _, area in counts.values())
    return Tally(
        matter=Matter(matter),
        units=len(register),
        area=_sum(register.values()),
        voted_units=voted_units,
        voted_area=voted_area,
        for_units=counts[Choice.FOR][0],
        for_area=counts[Choice.FOR][1],
        against_units=counts[Choice.AGAINST][0],
        against_area=counts[Choice.AGAINST][1],
        abstain_units=counts[Choice.ABSTAIN][0],
        abstain_area=counts[Choice.ABSTAIN][1],
    )


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))
