"""factory_boy factories. Roles are given through services (membership_add), never raw rows."""

import factory

from grids import services
from grids.models import Area, Department, User
from grids.roles import AreaLevel


def square(lng: float, lat: float, size: float) -> dict:
    """A GeoJSON square polygon with its south-west corner at (lng, lat)."""
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    level = AreaLevel.STREET
    code = factory.Sequence(lambda n: f"A{n}")
    name = factory.Sequence(lambda n: f"区域{n}")
    parent = None


def child_area(parent: Area, level: str, **kwargs) -> Area:
    return AreaFactory(parent=parent, level=level, **kwargs)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


def member(user: User, role: str, unit: Area | Department, **kwargs):
    """Give `user` `role` on `unit` through the service, as production code does."""
    key = "area" if isinstance(unit, Area) else "department"
    return services.membership_add(user=user, role=role, **{key: unit}, **kwargs)
