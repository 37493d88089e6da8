"""Case photos only through the view that checks who may see them, at every request."""

from django.test import Client

from grids import services as grid_services
from grids.models import Membership
from tests.workflows.world import photo
from workflows import services
from workflows.choices import Source


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_photo_is_served_to_those_who_see_the_case_and_ends_with_the_membership(world):
    case = world.report(photos=[photo()])
    picture = case.photos.get()
    address = picture.get_absolute_url()
    assert address == f"/photos/{picture.pk}/" and "/media/" not in address
    member = signed_in(world.people["leader1"])  # the grid leader (not the reporter)
    response = member.get(address)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # the JPEG itself
    assert "no-store" in response["Cache-Control"]
    unknown = signed_in(world.people["grid3"]).get("/photos/999999/")
    hidden = signed_in(world.people["grid3"]).get(address)  # another community's member
    assert hidden.status_code == unknown.status_code == 404
    assert Client().get(address).status_code == 404  # the address alone opens nothing
    assert Client().get(f"/media/{picture.image.name}").status_code == 404  # no side door
    grid_services.membership_remove(membership=Membership.objects.get(user=world.people["leader1"]))
    assert member.get(address).status_code == 404  # revoked with the membership


def test_the_resident_following_the_case_sees_the_result_photos_only(world):
    grid1 = world.people["grid1"]
    case = world.report(by="resident", source="resident", contact_phone="13912345678")
    case = services.case_accept(case=case, actor=grid1)
    services.case_resolve(case=case, actor=grid1, result="已清理", photos=[photo("after.jpg")])
    result = case.photos.get(kind="after")
    visitor = Client()
    assert visitor.get(result.get_absolute_url()).status_code == 404
    tracked = visitor.post("/track/", {"number": case.number, "phone": "13912345678"})
    assert tracked.status_code == 302
    assert visitor.get(result.get_absolute_url()).status_code == 200


def test_open311_request_photos_are_public_and_a_front_server_can_send_them(world, settings):
    case = world.report(source=Source.OPEN311, photos=[photo()])
    address = case.photos.get().get_absolute_url()
    assert Client().get(address).status_code == 200
    settings.GRIDCASE_MEDIA_SERVE = "x-accel-redirect"
    response = Client().get(address)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{case.photos.get().image.name}"
    settings.GRIDCASE_MEDIA_SERVE = "x-sendfile"
    assert Client().get(address)["X-Sendfile"] == case.photos.get().image.path
