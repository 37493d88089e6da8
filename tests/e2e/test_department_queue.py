"""The department queue watched all day on a 1366×768 laptop: at least six compact cards on
the screen, each with the whistle type, the whistle's reason and the dispatcher's
instruction; a case dispatched meanwhile arrives at the top, highlighted, and the tab's
title counts the queue; several cards are claimed at once."""

from playwright.sync_api import expect

from tests.e2e.test_claim_race import DISPATCHED_CASE

SEVEN = (
    "numbers = []\nfor i in range(7):\n"
    + "".join(f"    {line}\n" for line in DISPATCHED_CASE.strip().splitlines()).replace(
        "print(case.number)", "numbers.append(case.number)"
    )
    + "print(' '.join(numbers))\n"
)

WHISTLED_UP = DISPATCHED_CASE.split("services.case_dispatch")[0] + "print(case.number)\n"


def test_the_queue_shows_six_cards_takes_new_ones_on_top_and_claims_several(server, person):
    numbers = server.shell(SEVEN).strip().splitlines()[-1].split()
    waiting = server.shell(WHISTLED_UP).strip().splitlines()[-1]
    police = person("pcs_he")
    police.goto("/w/department/")
    cards = police.locator("[data-queue] .case-card")
    expect(cards.first).to_be_visible()
    on_screen = cards.evaluate_all(
        "cs => cs.filter(c => c.getBoundingClientRect().bottom <= innerHeight).length"
    )
    assert on_screen >= 6, on_screen
    first = cards.first
    expect(first.locator(".badge.whistle-routine")).to_have_text("日常哨")
    expect(first.locator(".card-notes")).to_contain_text("需部门")  # the whistle's reason
    expect(first.locator(".card-notes")).to_contain_text("请派出所处理")  # the instruction
    count = cards.count()
    expect(police).to_have_title(f"({count}) 部门待办 · 网格通")

    community = person("qingshan_sq")  # dispatches one more while the queue is open
    expect(police.locator("#live-status[data-status=connected]")).to_be_attached()
    community.goto(f"/cases/{waiting}/#action-dispatch")
    community.locator("#action-dispatch").get_by_label("青杠派出所", exact=True).check()
    community.select_option("select[name=dispatch-lead]", label="青杠派出所")
    community.fill("textarea[name=dispatch-reason]", "夜间巡逻时顺带查看")
    community.click("#action-dispatch button[type=submit]")
    arrived = police.locator(f'[data-queue] .case-card[data-case="{waiting}"]')
    expect(arrived).to_have_class("case-card is-new")  # highlighted
    expect(cards.first).to_have_attribute("data-case", waiting)  # on top
    expect(police).to_have_title(f"({count + 1}) 部门待办 · 网格通")
    police.screenshot(path=str(_shot("desktop-department-queue-compact")))

    for number in numbers[:2]:
        police.check(f'input[name=part][value="{number}:QG-PCS"]')
    police.click("#queue-selected button[value=claim]")
    expect(police.locator(".message.success")).to_contain_text(numbers[0])
    expect(police.locator(".message.success")).to_contain_text(numbers[1])
    for number in numbers[:2]:
        expect(police.locator(f'[data-queue] [data-case="{number}"]')).to_have_count(0)
        mine = police.locator(f'.case-card[data-case="{number}"]', has_text="何静于")
        expect(mine).to_be_visible()


def _shot(name: str):
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
