"""常用回复: a department's reply templates — kept by its own head only, offered on its own
result and return forms (the case page, the queue's inline return), never another's."""

import pytest
from django.core.exceptions import ValidationError

from grids.roles import Role
from tests.factories import UserFactory, member
from workflows import services
from workflows.errors import CaseActionDenied
from workflows.models import ReplyTemplate
from workflows.services.replies import reply_template_delete, reply_template_save


def save(world, who="police_head", department="police", **fields):
    data = {"kind": "return", "title": "非公安职责", "text": "不属于公安职责，建议派往城管。"}
    return reply_template_save(
        actor=world.people[who] if isinstance(who, str) else who,
        department=world.departments[department],
        **(data | fields),
    )


def test_only_the_departments_own_head_keeps_its_templates(world):
    template = save(world)
    assert template.department == world.departments["police"]
    city_head = UserFactory(username="city_head")
    member(city_head, Role.DEPARTMENT_HEAD, world.departments["city"])
    for who in ("cop1", "city1", "community1", city_head):
        with pytest.raises(CaseActionDenied):
            save(world, who, title="x")
        with pytest.raises(CaseActionDenied):
            reply_template_delete(
                actor=who if not isinstance(who, str) else world.people[who], template=template
            )
    with pytest.raises(CaseActionDenied):  # a head may not move another's template to hers
        save(world, city_head, department="city", template=template, title="改")
    changed = save(world, template=template, title="非本所职责", order=5)
    assert changed.pk == template.pk and changed.title == "非本所职责"
    reply_template_delete(actor=world.people["police_head"], template=template)
    assert not ReplyTemplate.objects.exists()


def test_bad_templates_are_refused_with_a_reason(world):
    for fields in ({"title": " "}, {"text": ""}, {"kind": "other"}, {"title": "长" * 31}):
        with pytest.raises(ValidationError):
            save(world, **fields)
    save(world)
    with pytest.raises(ValidationError, match="already"):
        save(world)
    assert ReplyTemplate.objects.count() == 1


def claimed(world):
    case = world.dispatched("police", "city")
    police = world.departments["police"]
    services.case_claim(case=case, department=police, actor=world.people["cop1"])
    return case


def test_the_case_page_offers_the_departments_own_templates(client, world):
    save(world, kind="result", title="已出警", text="民警已到场处置。")
    save(world, kind="return", title="非公安职责")
    city = world.departments["city"]  # written in the admin: the admin's own checks
    ReplyTemplate.objects.create(
        department=city, kind="result", title="城管已清理", text="已清理。"
    )
    case = claimed(world)
    client.force_login(world.people["cop1"])
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'data-reply-target="id_resolve-PCS-result"' in page
    assert 'data-reply-text="民警已到场处置。"' in page and ">已出警</button>" in page
    assert 'data-reply-target="id_return-PCS-reason"' in page and ">非公安职责</button>" in page
    assert "城管已清理" not in page  # the city's templates are not offered to the police
    assert "workflows/replies.js" in page
    client.force_login(world.people["city1"])  # the city's part is not claimed: return only
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "非公安职责" not in page and "已出警" not in page


def test_the_queue_offers_a_return_with_the_templates_and_comes_back(client, world):
    save(world, kind="return", title="非公安职责", text="不属于公安职责。")
    case = world.dispatched("police")
    client.force_login(world.people["cop1"])
    page = client.get("/w/department/").content.decode()
    box = f"quick-return-{case.number}-PCS"
    assert f'data-reply-target="{box}"' in page and f'id="{box}"' in page
    assert 'data-reply-text="不属于公安职责。"' in page
    answer = client.post(
        f"/cases/{case.number}/return/PCS/",
        {"return-PCS-reason": "不属于公安职责。", "next": "/w/department/"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/w/department/"
    assert case.dispatches.get().returned_at is not None


def test_the_heads_page_adds_changes_and_deletes(client, world):
    client.force_login(world.people["cop1"])
    assert client.get("/w/department/replies/").status_code == 403
    assert "/w/department/replies/" not in client.get("/w/department/").content.decode()
    client.force_login(world.people["police_head"])
    assert "/w/department/replies/" in client.get("/w/department/").content.decode()
    new = {"department": "PCS", "kind": "result", "title": "已调解", "text": "双方已和解。"}
    assert client.post("/w/department/replies/", new).status_code == 302
    template = ReplyTemplate.objects.get()
    page = client.get("/w/department/replies/").content.decode()
    assert "已调解" in page and "双方已和解。" in page
    client.post("/w/department/replies/", {**new, "id": template.pk, "text": "已调解完毕。"})
    template.refresh_from_db()
    assert template.text == "已调解完毕。"
    answer = client.post("/w/department/replies/", {**new, "title": ""}, follow=True)
    assert "title" in answer.content.decode() or "标题" in answer.content.decode()
    city = {**new, "department": "CG", "title": "城管"}
    assert client.post("/w/department/replies/", city).status_code == 403
    client.post("/w/department/replies/", {"department": "PCS", "id": template.pk, "delete": "1"})
    assert not ReplyTemplate.objects.exists()
