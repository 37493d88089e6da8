"""Two officers press 报到 on the same case at the same moment: exactly one wins, and the
other is told who claimed it and when, back on the queue (POST-redirect-GET: never left on
the POST-only claim address, where a reload or a live refresh would fail)."""

from playwright.sync_api import expect

DISPATCHED_CASE = """
from grids.models import Area, Department, User
from workflows import services
from workflows.models import Category
person = lambda name: User.objects.get(username=name)
police = Department.objects.get(code="QG-PCS")
case = services.case_report(
    title="井盖缺失", description="人行道井盖缺失，夜间危险。",
    category=Category.objects.get(code="sewer"), area=Area.objects.get(code="QG-01-01"),
    source="grid_patrol", reporter=person("qs_wgy01"),
)
services.case_accept(case=case, actor=person("qs_wgy01"))
services.case_whistle(case=case, actor=person("qs_wgy01"), whistle_type="routine", reason="需部门")
services.case_dispatch(case=case, actor=person("qingshan_sq"), departments=[police],
                       lead=police, whistle_type="routine", reason="请派出所处理")
print(case.number)
"""

NAMES = {"pcs_zhang": "张芳", "pcs_he": "何静"}


def test_two_claims_at_once_one_wins_the_other_sees_who(server, person):
    number = server.shell(DISPATCHED_CASE).strip().splitlines()[-1]
    officers = {"pcs_zhang": person("pcs_zhang"), "pcs_he": person("pcs_he")}
    claim = f'.dispatch-queue [data-case="{number}"] form:has(button.claim)'
    for page in officers.values():
        page.goto("/w/department/")
        expect(page.locator(claim)).to_be_visible()
    for page in officers.values():  # both forms are in flight before either answer arrives
        page.evaluate("(selector) => document.querySelector(selector).requestSubmit()", claim)
    outcome = {}
    for name, page in officers.items():
        # What each of them is shown once the answer is in: the winner, the case in hand
        # with their own name on it and the message; the loser, the conflict message.
        mine = page.locator(f'.case-card[data-case="{number}"]', has_text=f"{NAMES[name]}于")
        lost = page.locator(".message.error")
        expect(mine.or_(lost).first).to_be_visible()
        if lost.count():
            outcome[name] = ("lost", lost.inner_text())
        else:
            outcome[name] = ("won", mine.inner_text())
    winners = [name for name, (result, _text) in outcome.items() if result == "won"]
    assert len(winners) == 1, outcome
    loser = next(name for name in officers if name not in winners)
    assert NAMES[winners[0]] in outcome[loser][1], outcome
    for page in officers.values():
        assert page.url.endswith("/w/department/"), page.url
    loser_page = officers[loser]
    loser_page.reload()  # a GET address: reloading works (it was a 405 before)
    expect(loser_page.locator(".dispatch-queue").first).to_be_visible()
    expect(officers[winners[0]].locator(".message.success")).to_have_text("已报到。")
