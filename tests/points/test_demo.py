"""The demo programme: made through the services, consistent, loaded once."""

from django.db.models import Sum

from points.demo import demo_points_create
from points.models import Account, Entry, Goods, HelpRequest
from tests.points.conftest import closed


def test_demo_programme_is_consistent_and_idempotent(world):
    closed(world, world.report(area="M1", by="resident", source="resident"))
    counts = demo_points_create(seed=1)
    assert counts["cases paid"] == 1  # the resident's closed report, by the closing award
    assert counts["accounts"] >= 2 * 12 and counts["activities"] == 12
    for account in Account.objects.all():
        total = account.entries.aggregate(total=Sum("points"))["total"] or 0
        assert account.balance == total >= 0
    assert not Goods.objects.filter(stock__lt=0).exists()
    assert HelpRequest.objects.filter(status="confirmed").exists()
    assert Entry.objects.filter(kind="redeem").exists()
    before = Entry.objects.count()
    assert demo_points_create(seed=1) == {}
    assert Entry.objects.count() == before
