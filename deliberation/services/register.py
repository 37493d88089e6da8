"""The compound's register (units, floor areas, owners): CSV import, and its staff roles.

The CSV has a header row and one row per unit: building, unit, floor area (m²), owner
names and their phones, several owners separated by ";" (or "；"/"、") in the same order
as their phones. Chinese headers (楼栋,房号,建筑面积,业主,电话) work as well as English
(building,unit,floor_area,owners,phones). Every row is checked first; any error refuses
the whole file with each row's message, and nothing is written. A valid file creates the
units it names and updates those that exist (floor area, owners replaced); units not in
the file stay. The register is frozen while a vote is open: its count depends on it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import User
from grids.phones import normalise_phone

from ..choices import CompoundRoleKind, ProposalStatus
from ..errors import DeliberationConflict
from ..models import Building, Compound, CompoundRole, Owner, Unit
from ..permissions import may_keep_register
from .common import require

HEADERS = {
    "building": ("building", "楼栋"),
    "unit": ("unit", "房号"),
    "floor_area": ("floor_area", "建筑面积"),
    "owners": ("owners", "业主"),
    "phones": ("phones", "电话"),
}
MAX_ROWS = 5000
MAX_AREA = Decimal("9999999.99")
SEPARATORS = re.compile(r"[;；、]")


@dataclass(frozen=True)
class RegisterRow:
    line: int
    building: str
    unit: str
    floor_area: Decimal
    owners: list[tuple[str, str]]  # (name, normalised phone)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    owners: int = 0
    errors: list[str] = field(default_factory=list)


def register_parse(data: bytes | str) -> list[RegisterRow]:
    """The file's rows, or a ValidationError listing every bad row (line numbers as in a
    spreadsheet: the header is line 1)."""
    text = _decoded(data)
    if "\x00" in text:
        raise ValidationError(_("This is not a CSV text file."))
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error:
        raise ValidationError(_("This is not a CSV text file.")) from None
    if header is None:
        raise ValidationError(_("The file is empty."))
    columns = _columns(header)
    rows: list[RegisterRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values in _lines(reader):
        if not any(value.strip() for value in values):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ValidationError(_("At most %(max)d units per file.") % {"max": MAX_ROWS})
        try:
            row = _row(line, values, columns)
        except ValidationError as exc:
            errors.extend(
                _("Line %(line)d: %(error)s") % {"line": line, "error": m} for m in exc.messages
            )
            continue
        key = (row.building, row.unit)
        if key in seen:
            errors.append(
                _("Line %(line)d: unit %(unit)s is already on line %(first)d.")
                % {"line": line, "unit": f"{row.building}-{row.unit}", "first": seen[key]}
            )
            continue
        seen[key] = line
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The file has a header but no units."))
    return rows


def _lines(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet line, cells) of each row after the header; bad CSV is a ValidationError."""
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError(
                _("Line %(line)d: %(error)s") % {"line": line + 1, "error": exc}
            ) from None
        line += 1
        yield line, values


def _decoded(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Save the file as UTF-8 CSV.")) from None


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    columns: dict[str, int] = {}
    for key, aliases in HEADERS.items():
        found = [i for i, name in enumerate(names) if name in aliases]
        if not found:
            raise ValidationError(
                _("The header needs a column %(name)s.") % {"name": " / ".join(aliases)}
            )
        columns[key] = found[0]
    return columns


def _row(line: int, values: list[str], columns: dict[str, int]) -> RegisterRow:
    def cell(key: str) -> str:
        index = columns[key]
        return values[index].strip() if index < len(values) else ""

    problems: list[str] = []
    building, unit = cell("building"), cell("unit")
    if not building or not unit:
        problems.append(_("building and unit are required."))
    if len(building) > 32 or len(unit) > 32:
        problems.append(_("building and unit have at most 32 characters."))
    area = _area(cell("floor_area"), problems)
    owners = _owners(cell("owners"), cell("phones"), problems)
    if problems:
        raise ValidationError(problems)
    assert area is not None
    return RegisterRow(line, building, unit, area, owners)


def _area(raw: str, problems: list[str]) -> Decimal | None:
    try:
        area = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        problems.append(_("floor area “%(value)s” is not a number of m².") % {"value": raw})
        return None
    if not area.is_finite() or area <= 0 or area > MAX_AREA:
        problems.append(_("floor area must be more than 0 m²."))
        return None
    if area != area.quantize(Decimal("0.01")):
        problems.append(_("floor area has at most two decimals."))
        return None
    return area.quantize(Decimal("0.01"))


def _owners(names_raw: str, phones_raw: str, problems: list[str]) -> list[tuple[str, str]]:
    names = [n.strip() for n in SEPARATORS.split(names_raw) if n.strip()]
    phones = [p.strip() for p in SEPARATORS.split(phones_raw) if p.strip()]
    if not names:
        problems.append(_("at least one owner is required."))
        return []
    if len(names) != len(phones):
        problems.append(
            _("%(names)d owner(s) but %(phones)d phone(s): give one phone per owner.")
            % {"names": len(names), "phones": len(phones)}
        )
        return []
    owners: list[tuple[str, str]] = []
    for name, raw in zip(names, phones, strict=True):
        phone = normalise_phone(raw)
        if not 7 <= len(phone.lstrip("+")) <= 20:
            problems.append(_("phone “%(value)s” is not a phone number.") % {"value": raw})
        elif len(name) > 64:
            problems.append(_("owner names have at most 64 characters."))
        else:
            owners.append((name, phone))
    if len({phone for _, phone in owners}) != len(owners):
        problems.append(_("the same phone is given twice for one unit."))
    return owners


@transaction.atomic
def compound_register_import(*, compound: Compound, actor: User, data: bytes | str) -> ImportResult:
    """Check the whole file, then write it in one transaction (or nothing)."""
    require(
        may_keep_register(actor, compound),
        _("%(actor)s may not keep the register of %(compound)s.")
        % {"actor": actor, "compound": compound.name},
    )
    rows = register_parse(data)
    compound = Compound.objects.select_for_update().get(pk=compound.pk)
    if compound.proposals.filter(status=ProposalStatus.VOTING).exists():
        raise DeliberationConflict(
            _("A vote is open in %(compound)s: the register cannot change until it closes.")
            % {"compound": compound.name}
        )
    result = ImportResult()
    buildings = {b.name: b for b in compound.buildings.all()}
    for row in rows:
        building = buildings.get(row.building)
        if building is None:
            building = buildings[row.building] = Building.objects.create(
                compound=compound, name=row.building
            )
        unit, created = Unit.objects.update_or_create(
            building=building, number=row.unit, defaults={"floor_area": row.floor_area}
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
            unit.owners.all().delete()
        Owner.objects.bulk_create(Owner(unit=unit, name=n, phone=p) for n, p in row.owners)
        result.owners += len(row.owners)
    return result


@transaction.atomic
def compound_role_set(
    *, compound: Compound, actor: User, user: User, role: str, held: bool = True
) -> None:
    """Name `user` to the committee or the party branch of `compound` (or take it away)."""
    require(
        may_keep_register(actor, compound),
        _("%(actor)s may not name the committee of %(compound)s.")
        % {"actor": actor, "compound": compound.name},
    )
    if role not in CompoundRoleKind.values:
        raise ValidationError(_("Unknown role."))
    if held:
        CompoundRole.objects.get_or_create(compound=compound, user=user, role=role)
    else:
        CompoundRole.objects.filter(compound=compound, user=user, role=role).delete()
