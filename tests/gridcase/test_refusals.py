"""Error pages in the site's language and layout (or JSON for scripts and API clients)."""

from django.test import RequestFactory

from gridcase import refusals
from tests.factories import UserFactory


def test_403_is_a_page_with_the_reason(client, db):
    client.force_login(UserFactory())
    page = client.get("/w/department/")
    assert page.status_code == 403
    html = page.content.decode()
    assert 'data-refused="403"' in html and 'class="topbar"' in html
    assert "当前账号无权进行此操作" in html  # what to do next, in the site's language
    script = client.get("/w/department/", HTTP_X_REQUESTED_WITH="fetch")
    assert script.status_code == 403 and script.json()["code"] == "denied"


def test_500_is_a_page_in_the_layout(db):
    request = RequestFactory().get("/cases/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = UserFactory()
    page = refusals.server_error(request)
    assert page.status_code == 500 and 'data-refused="500"' in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"


def test_500_still_answers_when_the_database_cannot_be_reached():
    """No `db` fixture: every query fails, as with the database down; the layout's unread
    count needs one, so the bare page answers."""
    request = RequestFactory().get("/cases/")
    request.user = UserFactory.build(pk=7)
    bare = refusals.server_error(request)
    assert bare.status_code == 500 and b"<h1>" in bare.content
