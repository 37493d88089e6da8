import pytest

from tests.workflows.demo_street import street_load


@pytest.fixture
def street(db):
    """The demo street 青杠街道 with the people the HTTP tests need."""
    street_load()
