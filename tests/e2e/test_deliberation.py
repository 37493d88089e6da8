"""五议两公开 in real browsers: an owner on a phone watches the owners' vote while the
community's staff enter a paper ballot on a laptop (the count of units that took part moves
live, without a reload); the owner then votes; the public page shows no personal data."""

from playwright.sync_api import expect

from tests.processes import manage

from .conftest import screenshot


def test_an_owners_page_follows_the_vote_live(server, person):
    manage("load_demo_deliberation", check=True, **server.env)
    found = server.shell(
        "from deliberation.models import Proposal, Unit\n"
        "p = Proposal.objects.get(compound__code='QG-01-QSY')\n"
        "u = Unit.objects.get(building__compound__code='QG-01-QSY',\n"
        "    building__name='4栋', number='302')\n"
        "print(p.pk, u.pk, u.owners.first().name)"
    ).split()
    proposal, unit, owner = found[-3], found[-2], found[-1]

    phone = person("owner_zhou", phone=True)
    phone.goto(f"/deliberation/p/{proposal}/")
    taken = phone.locator("[data-participation]")
    expect(taken).to_have_attribute("data-participation", "8")
    phone.wait_for_timeout(1500)  # the compound socket subscribes

    staff = person("qingshan_sq")
    staff.goto(f"/deliberation/p/{proposal}/")
    staff.locator("#action-paper_vote summary").click()
    staff.select_option("select[name=paper_vote-unit]", unit)
    staff.fill("input[name=paper_vote-owner_name]", owner)
    staff.locator("#action-paper_vote input[value=for]").check()
    staff.locator("#action-paper_vote button[type=submit]").click()
    expect(staff.locator(".messages")).to_contain_text("纸质选票已录入")
    expect(staff.locator(".timeline")).to_contain_text("4栋-302: — → for")
    screenshot(staff, "desktop-deliberation-audit")

    expect(taken).to_have_attribute("data-participation", "9", timeout=10_000)  # live
    screenshot(phone, "phone-deliberation-vote")

    liu = person("resident_liu", phone=True)
    liu.goto(f"/deliberation/p/{proposal}/")
    liu.locator("#action-vote input[value=against]").check()
    liu.locator("#action-vote button[type=submit]").click()
    expect(liu.locator(".messages")).to_contain_text("您的投票已记录")
    expect(liu.locator("[data-participation]")).to_have_attribute("data-participation", "10")

    public = person(None)
    public.goto("/deliberation/c/QG-01-QSY/")
    expect(public.locator("section.proposal h2")).to_contain_text("更换小区门禁并加装监控")
    assert owner not in public.content() and "13900001001" not in public.content()
    screenshot(public, "desktop-deliberation-public")
