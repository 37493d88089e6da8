"""The pages and the REST API over HTTP: the public 两公开 page has no personal data, the
proposal page offers the registry's actions, bad input is 400, refusals 403, wrong state 409."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from deliberation import services
from deliberation.models import Unit, Vote

from .conftest import REGISTER


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decided(estate):
    proposal = estate.voting(matter="fund_use")
    for who in ("wang", "li", "zhang", "liu"):
        services.vote_cast(proposal=proposal, actor=estate.people[who], choice="for")
    services.vote_enter_paper(
        proposal=proposal,
        actor=estate.people["staff"],
        unit=estate.unit("2栋-102"),
        choice="against",
        owner_name="陈静",
    )
    return estate.close(proposal)


def personal_data_absent(text: str) -> None:
    for _, _, _, name, phone in REGISTER:
        assert name not in text and phone not in text
    for who in ("wang", "li", "zhang", "liu", "chen"):
        assert f">{who}<" not in text


def test_the_public_page_shows_the_count_and_no_personal_data(estate):
    proposal = decided(estate)
    response = Client().get(reverse("deliberation:compound_public", args=["HDC"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert proposal.title in text and "510.75" in text or "585.75" in text
    personal_data_absent(text)
    data = Client().get(reverse("deliberation:compound_data", args=["HDC"])).json()
    assert data["proposals"][0]["count"]["for_units"] == 5
    personal_data_absent(json.dumps(data, ensure_ascii=False))


def test_the_proposal_page_is_for_owners_and_staff(estate):
    proposal = estate.voting()
    url = reverse("deliberation:proposal_detail", args=[proposal.pk])
    assert client_for(estate.people["stranger"]).get(url).status_code == 404
    assert client_for(estate.people["elsewhere"]).get(url).status_code == 404
    page = client_for(estate.people["li"]).get(url).content.decode()
    assert 'id="action-vote"' in page and 'id="action-paper_vote"' not in page
    staff_page = client_for(estate.people["staff"]).get(url).content.decode()
    assert 'id="action-paper_vote"' in staff_page and 'id="action-vote"' not in staff_page


def test_voting_through_the_page(estate):
    proposal = estate.voting()
    client = client_for(estate.people["li"])
    url = reverse("deliberation:act_vote", args=[proposal.pk])
    assert client.post(url, {"vote-choice": "maybe"}).status_code == 400
    response = client.post(url, {"vote-choice": "against"})
    assert response.status_code == 302
    assert Vote.objects.get(proposal=proposal).choice == "against"
    assert (
        client_for(estate.people["zhang"])
        .post(
            reverse("deliberation:act_paper_vote", args=[proposal.pk]),
            {
                "paper_vote-unit": estate.unit("2栋-101").pk,
                "paper_vote-owner_name": "刘洋",
                "paper_vote-choice": "for",
            },
        )
        .status_code
        == 403
    )
    conflict = client_for(estate.people["committee"]).post(
        reverse("deliberation:act_adopt", args=[proposal.pk]), {"adopt-motion": "m"}
    )
    assert conflict.status_code in (403, 409)


def test_the_register_page_refuses_a_bad_file_whole(estate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(estate.people["staff"])
    url = reverse("deliberation:compound_register", args=["HDC"])
    before = Unit.objects.count()
    bad = SimpleUploadedFile(
        "r.csv", "楼栋,房号,建筑面积,业主,电话\n5栋,1,90,某,13800000099\n5栋,2,x,某,1\n".encode()
    )
    response = client.post(url, {"file": bad})
    assert response.status_code == 400 and "第 3 行" in response.content.decode()  # zh-hans
    assert Unit.objects.count() == before
    good = SimpleUploadedFile(
        "r.csv", "楼栋,房号,建筑面积,业主,电话\n5栋,1,90,某,13800000099\n".encode()
    )
    assert client.post(url, {"file": good}).status_code == 302
    assert Unit.objects.count() == before + 1
    assert client_for(estate.people["wang"]).get(url).status_code == 403


def test_proposing_through_the_page(estate):
    url = reverse("deliberation:propose", args=["HDC"])
    assert client_for(estate.people["unverified"]).get(url).status_code == 403
    client = client_for(estate.people["wang"])
    assert client.post(url, {"title": "", "matter": "other", "text": "x"}).status_code == 400
    response = client.post(url, {"title": "加装电梯", "matter": "rebuild", "text": "1栋加装电梯"})
    assert response.status_code == 302


def test_the_api(estate):
    proposal = estate.voting()
    anonymous = Client()
    body = anonymous.get("/api/v1/deliberation/compounds/HDC/").json()
    assert body["code"] == "HDC" and body["proposals"][0]["status"] == "voting"
    assert anonymous.get(f"/api/v1/deliberation/proposals/{proposal.pk}/").status_code in (401, 403)
    owner = client_for(estate.people["li"])
    detail = owner.get(f"/api/v1/deliberation/proposals/{proposal.pk}/").json()
    assert detail["actions"] == ["vote"]
    vote = owner.post(
        f"/api/v1/deliberation/proposals/{proposal.pk}/vote/",
        {"choice": "for"},
        content_type="application/json",
    )
    assert vote.status_code == 200 and vote.json()["votes_in"] == 1
    bad = owner.post(
        f"/api/v1/deliberation/proposals/{proposal.pk}/vote/",
        {"choice": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    denied = owner.post(
        f"/api/v1/deliberation/proposals/{proposal.pk}/approve/",
        {},
        content_type="application/json",
    )
    assert denied.status_code == 403 and denied.json()["code"] == "denied"
    conflict = client_for(estate.people["staff"]).post(
        f"/api/v1/deliberation/proposals/{proposal.pk}/approve/",
        {},
        content_type="application/json",
    )
    assert conflict.status_code == 409
    hidden = client_for(estate.people["stranger"]).get(
        f"/api/v1/deliberation/proposals/{proposal.pk}/"
    )
    assert hidden.status_code == 404


def test_the_schema_lists_every_action(estate):
    from deliberation.actions import ACTIONS

    schema = client_for(estate.people["staff"]).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for action in ACTIONS:
        assert f"/api/v1/deliberation/proposals/{{id}}/{action.name.replace('_', '-')}/" in paths
    assert "/api/v1/deliberation/compounds/{code}/register/" in paths
    assert "/api/v1/deliberation/meetings/" in paths


@pytest.mark.parametrize("path", ["/deliberation/", "/deliberation/meetings/"])
def test_pages_need_a_login(estate, path):
    assert Client().get(path).status_code == 302


def test_the_api_register_propose_and_meetings(estate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = client_for(estate.people["staff"])
    bad = SimpleUploadedFile(
        "r.csv", "楼栋,房号,建筑面积,业主,电话\n9栋,1,0,某,13800000099\n".encode()
    )
    response = staff.post("/api/v1/deliberation/compounds/HDC/register/", {"file": bad})
    assert response.status_code == 400 and "第 2 行" in response.json()["detail"]
    good = SimpleUploadedFile(
        "r.csv", "楼栋,房号,建筑面积,业主,电话\n9栋,1,50,某,13800000099\n".encode()
    )
    response = staff.post("/api/v1/deliberation/compounds/HDC/register/", {"file": good})
    assert response.status_code == 200 and response.json() == {
        "created": 1,
        "updated": 0,
        "owners": 1,
    }
    denied = client_for(estate.people["wang"]).post(
        "/api/v1/deliberation/compounds/HDC/register/", {"file": SimpleUploadedFile("r.csv", b"x")}
    )
    assert denied.status_code == 403

    owner = client_for(estate.people["wang"])
    body = {"title": "加装充电桩", "matter": "common_parts_use", "text": "在地库加装充电桩"}
    created = owner.post(
        "/api/v1/deliberation/compounds/HDC/propose/", body, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["signatures"] == 2
    assert created.json()["status"] == "cosigning"
    refused = client_for(estate.people["stranger"]).post(
        "/api/v1/deliberation/compounds/HDC/propose/", body, content_type="application/json"
    )
    assert refused.status_code == 403
    invalid = owner.post(
        "/api/v1/deliberation/compounds/HDC/propose/",
        {**body, "matter": "x"},
        content_type="application/json",
    )
    assert invalid.status_code == 400

    meeting = {
        "community": "S-01",
        "held_on": "2026-12-01",
        "attendees": "社区书记、居民代表",
        "topics": "充电桩",
        "decisions": ["提交五议两公开"],
    }
    made = staff.post("/api/v1/deliberation/meetings/", meeting, content_type="application/json")
    assert made.status_code == 201 and made.json()["decisions"][0]["text"] == "提交五议两公开"
    assert len(staff.get("/api/v1/deliberation/meetings/").json()) == 1
    assert client_for(estate.people["elsewhere"]).get("/api/v1/deliberation/meetings/").json() == []
    other = client_for(estate.people["elsewhere"]).post(
        "/api/v1/deliberation/meetings/", meeting, content_type="application/json"
    )
    assert other.status_code == 403


def test_attachments_through_the_page(estate, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = client_for(estate.people["wang"])
    url = reverse("deliberation:propose", args=["HDC"])
    files = [SimpleUploadedFile(f"报价{i}.pdf", b"%PDF-1.4 demo") for i in range(2)]
    response = client.post(
        url, {"title": "门禁", "matter": "rebuild", "text": "更换门禁", "attachments": files}
    )
    assert response.status_code == 302
    from deliberation.models import ProposalAttachment

    assert sorted(a.name for a in ProposalAttachment.objects.all()) == ["报价0.pdf", "报价1.pdf"]
    many = [SimpleUploadedFile(f"{i}.pdf", b"x") for i in range(6)]
    response = client.post(
        url, {"title": "门禁2", "matter": "rebuild", "text": "x", "attachments": many}
    )
    assert response.status_code == 400 and ProposalAttachment.objects.count() == 2
