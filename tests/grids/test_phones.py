"""Proving a phone by a code sent by SMS: the one normal form, the limits, wrong codes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from grids.models import PhoneCode, User
from grids.phones import normalise_phone, verified_phone
from grids.services import PhoneCodeRefused, phone_code_confirm, phone_code_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=False)


def code_in(outbox) -> str:
    found = re.search(r"\b(\d{6})\b", outbox[-1].text)
    assert found, outbox[-1].text
    return found.group(1)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("138 0013 8000 ", "13800138000"),
        ("+44 20 7946 0958", "+442079460958"),
        ("１３８", ""),  # full-width digits are not silently turned into a number
    ],
)
def test_one_normal_form(raw, normal):
    assert normalise_phone(raw) == normal


def test_a_code_by_sms_verifies_the_phone(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(user=user, phone="+86 138 0013 8000")
    assert [m.phone for m in sms_outbox] == ["13800138000"]
    assert verified_phone(user) == ""
    phone_code_confirm(user=user, code=code_in(sms_outbox))
    user = User.objects.get(pk=user.pk)
    assert user.phone == "13800138000" and verified_phone(user) == "13800138000"
    assert not PhoneCode.objects.filter(user=user, confirmed_at__isnull=True).exists()


def test_nothing_is_sent_when_the_write_rolls_back(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        phone_code_send(user=user, phone="13800138000")
    assert sms_outbox == [] and len(callbacks) == 1


def test_wrong_codes_count_and_end_the_code(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(user=user, phone="13800138000")
    right = code_in(sms_outbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(PhoneCodeRefused, match="not right"):
            phone_code_confirm(user=user, code=wrong)
    assert PhoneCode.objects.get(user=user).attempts == 5
    with pytest.raises(PhoneCodeRefused, match="Too many wrong codes"):
        phone_code_confirm(user=user, code=right)
    assert verified_phone(User.objects.get(pk=user.pk)) == ""


def test_codes_expire_and_are_limited(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(user=user, phone="13800138000")
    with pytest.raises(PhoneCodeRefused, match="seconds"):
        phone_code_send(user=user, phone="13800138000")
    PhoneCode.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    with pytest.raises(PhoneCodeRefused, match="expired"):
        phone_code_confirm(user=user, code=code_in(sms_outbox))
    for minutes in (20, 30, 40, 50):
        PhoneCode.objects.create(
            user=user,
            phone="13800138000",
            code_hash="x",
        )
        PhoneCode.objects.filter(code_hash="x").update(
            created_at=timezone.now() - timedelta(minutes=minutes), code_hash="y"
        )
    with pytest.raises(PhoneCodeRefused, match="tomorrow"):
        phone_code_send(user=user, phone="13800138000")
    with pytest.raises(PhoneCodeRefused, match="mobile phone number"):
        phone_code_send(user=UserFactory(), phone="12")


def test_a_changed_phone_is_no_longer_verified(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(user=user, phone="13800138000")
    phone_code_confirm(user=user, code=code_in(sms_outbox))
    user = User.objects.get(pk=user.pk)
    user.name = "改名"
    user.save()
    assert verified_phone(User.objects.get(pk=user.pk)) == "13800138000"
    user.phone = "13900139000"
    user.save(update_fields=["phone"])
    assert User.objects.get(pk=user.pk).phone_verified_at is None


def test_the_account_page_sends_and_confirms(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/account/phone/")
    assert page.status_code == 200
    refused = client.post("/account/phone/", {"phone": "abc"})
    assert refused.status_code == 400 and sms_outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/account/phone/", {"phone": "13800138000"})
    assert sent.status_code == 302 and len(sms_outbox) == 1
    bad = client.post("/account/phone/", {"code": "12345x"})
    assert bad.status_code == 400
    done = client.post("/account/phone/", {"code": code_in(sms_outbox)}, follow=True)
    assert done.status_code == 200 and "13800138000" in done.content.decode()
    assert verified_phone(User.objects.get(pk=user.pk)) == "13800138000"
    assert client.get("/account/phone/").status_code == 200
    client.logout()
    assert client.get("/account/phone/").status_code == 302
