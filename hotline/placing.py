"""Where a work order lies: its coordinates if given and inside the street, else the longest
gazetteer name its address contains, else nowhere (a person places it)."""

from decimal import Decimal

from grids.models import Area
from grids.selectors import area_at_point

from .models import GazetteerEntry


class Placer:
    """One street's placing rules, loaded once per slice of rows."""

    def __init__(self, street: Area) -> None:
        self.street = street
        entries = GazetteerEntry.objects.filter(street=street).select_related("area")
        # Longest first: "青山路12号院" beats "青山路".
        self.names = sorted(
            ((entry.name, entry.area) for entry in entries if entry.name.strip()),
            key=lambda pair: -len(pair[0]),
        )

    def in_street(self, area: Area) -> bool:
        return area.path.startswith(self.street.path)

    def by_point(self, latitude: Decimal, longitude: Decimal) -> Area | None:
        area = area_at_point(float(latitude), float(longitude))
        return area if area is not None and self.in_street(area) else None

    def by_address(self, address: str) -> Area | None:
        return next((area for name, area in self.names if name in address), None)

    def place(
        self, latitude: Decimal | None, longitude: Decimal | None, address: str
    ) -> Area | None:
        if latitude is not None and longitude is not None:
            found = self.by_point(latitude, longitude)
            if found is not None:
                return found
        return self.by_address(address) if address else None
