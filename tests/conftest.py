import os

import pytest
from django.core.cache import cache
from django.utils import translation

from grids.roles import AreaLevel
from tests.factories import AreaFactory, child_area

# The browser tests that also run in the PostgreSQL pass (the whole loop over PostgreSQL and
# Redis); the others are about the pages and their scripts, the same on either database, and
# run once, in the embedded pass (`make test` runs both passes at once on two cores).
BROWSER_TESTS_ON_POSTGRES = ("test_case_loop.py", "test_claim_race.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Browser tests are slow (`make test-fast` leaves them out) and run last: Playwright's
    sync API keeps an event loop in this thread while it lives, and asyncio.run() in later
    tests would refuse to start. Other slow tests carry the marker in their own module."""
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    kept, left = [], []
    for item in items:
        browser = "/tests/e2e/" in str(item.path)
        if browser:
            item.add_marker(pytest.mark.slow)
        if browser and postgres and item.path.name not in BROWSER_TESTS_ON_POSTGRES:
            left.append(item)
        else:
            kept.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
    items[:] = sorted(kept, key=lambda item: "/tests/e2e/" in str(item.path))


@pytest.fixture(autouse=True)
def english_messages():
    """Model and service messages in English for assertions; requests still negotiate their
    own language (zh-hans by default) through LocaleMiddleware."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with empty caches: rate-limit counters must not leak, and a board
    cached by one test must not be served to the next (rolled-back databases reuse ids)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def minute_window():
    """Rate limits count in windows aligned to the clock (gridcase/limits.py): a test that
    fills a per-minute limit must not straddle a minute's end, or its count starts again.
    Waits (at most 15 s, rarely) until the current minute has enough time left."""
    import time

    left = 60 - time.time() % 60
    if left < 15:
        time.sleep(left + 0.1)


@pytest.fixture(autouse=True)
def sms_outbox():
    """The locmem SMS backend's messages (notifications/sms.py), empty for every test."""
    from notifications import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def tree(db):
    """A street with two communities, two grids each, and a micro-grid under the first grid."""
    street = AreaFactory(code="S", level=AreaLevel.STREET)
    c1 = child_area(street, AreaLevel.COMMUNITY, code="S-01")
    c2 = child_area(street, AreaLevel.COMMUNITY, code="S-02")
    g11 = child_area(c1, AreaLevel.GRID, code="S-01-01")
    g12 = child_area(c1, AreaLevel.GRID, code="S-01-02")
    g21 = child_area(c2, AreaLevel.GRID, code="S-02-01")
    g22 = child_area(c2, AreaLevel.GRID, code="S-02-02")
    m111 = child_area(g11, AreaLevel.MICROGRID, code="S-01-01-01")
    return {a.code: a for a in (street, c1, c2, g11, g12, g21, g22, m111)}


@pytest.fixture
def world(db):
    from tests.workflows.world import world_build

    return world_build()
