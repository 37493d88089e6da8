from grids.roles import AreaLevel
from grids.selectors import area_at_point
from tests.factories import AreaFactory, child_area, square


def test_the_deepest_area_containing_the_point_wins(db):
    street = AreaFactory(code="S", level=AreaLevel.STREET, boundary=square(104.0, 30.0, 1.0))
    community = child_area(
        street, AreaLevel.COMMUNITY, code="S-01", boundary=square(104.0, 30.0, 0.5)
    )
    grid = child_area(community, AreaLevel.GRID, code="S-01-01", boundary=square(104.0, 30.0, 0.1))
    child_area(community, AreaLevel.GRID, code="S-01-02")  # no boundary: never chosen
    assert area_at_point(30.05, 104.05) == grid
    assert area_at_point(30.3, 104.3) == community
    assert area_at_point(30.8, 104.8) == street


def test_outside_every_boundary_or_out_of_range_is_none(db):
    AreaFactory(code="S", level=AreaLevel.STREET, boundary=square(104.0, 30.0, 1.0))
    assert area_at_point(31.5, 104.5) is None
    assert area_at_point(30.5, 103.5) is None  # latitude and longitude are not swapped
    assert area_at_point(91, 104.5) is None
    assert area_at_point(30.5, 181) is None


def test_a_point_on_a_shared_edge_goes_to_the_smaller_code(db):
    street = AreaFactory(code="S", level=AreaLevel.STREET, boundary=square(104.0, 30.0, 1.0))
    west = child_area(street, AreaLevel.COMMUNITY, code="S-01", boundary=square(104.0, 30.0, 0.5))
    child_area(street, AreaLevel.COMMUNITY, code="S-02", boundary=square(104.5, 30.0, 0.5))
    assert area_at_point(30.25, 104.5) == west
