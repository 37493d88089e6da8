"""No input makes a page or the socket fail: generated values ("²", NUL, 10**30, negative,
huge, Unicode digits, random text) in every query parameter and form field the pages read,
and in every field of the socket's messages. Pages answer < 500; the socket answers with
`error`/`refused` frames and never closes with 1011. Runs on SQLite and, in `make test`'s
second pass, on PostgreSQL (where NUL and bigint overflows are errors of the database)."""

import asyncio
import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workflows.actions import ACTIONS
from workflows.boards.board import BoardFilterForm
from workflows.forms import CaseFilterForm, CaseReportForm, PublicReportForm, TrackForm

pytestmark = pytest.mark.slow  # a few hundred generated requests

NASTY = [
    "²",
    "٣",
    "\x00",
    "1\x00",
    "-1",
    "0",
    "",
    " ",
    "1e9",
    "0x10",
    "+5",
    "1_000",
    str(10**30),
    str(2**63),
    str(2**63 - 1),
    str(2**31),
    "9" * 40,
    "NaN",
    "inf",
    "-0",
    "2026-02-30",
    "99999-01-01",
    "../",
    "<script>",
    "' OR 1=1 --",
    "％",
    "１２３",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(NASTY),  # twice: the values that broke things before come up most
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=24),
)


def fields(*forms) -> list[str]:
    return sorted({name for form in forms for name in form.base_fields})


ACTION_FIELDS = fields(*(action.form for action in ACTIONS))
CASE_ACTIONS = [f"/cases/<number>/{a.name}/" for a in ACTIONS if a.scope == "case"]
PART_ACTIONS = [f"/cases/<number>/{a.name}/PCS/" for a in ACTIONS if a.scope == "part"]
PAGES = {  # name: (method, addresses, field names); <number>: a real case's number or garbage
    "case list": ("GET", ["/cases/"], [*fields(CaseFilterForm), "after"]),
    "board": (
        "GET",
        ["/w/board/", "/w/board/S/data/", "/w/board/S/export.csv"],
        fields(BoardFilterForm),
    ),
    "notifications": ("GET", ["/notifications/"], ["page"]),
    "notifications read": ("POST", ["/notifications/read/"], ["id"]),
    "location": ("GET", ["/areas/at/"], ["lat", "lng"]),
    "tracking": ("POST", ["/track/"], fields(TrackForm)),
    "public report": ("POST", ["/report/"], fields(PublicReportForm)),
    "field report": ("POST", ["/cases/new/"], fields(CaseReportForm)),
    "case pages": (
        "GET",
        ["/cases/<number>/", "/track/<number>/", "/cases/<number>/process.svg"],
        [],
    ),
    "case actions": ("POST", CASE_ACTIONS, ACTION_FIELDS),
    "part actions": ("POST", PART_ACTIONS, ACTION_FIELDS),
}


@pytest.fixture
def signed_in(world, settings):
    settings.GRIDCASE_RATE_LIMITS = {}  # the fuzzer is not an abuser
    case = world.dispatched("police")
    clients = {}
    for name in ("street", "cop1", "grid1", "resident"):
        clients[name] = Client()
        clients[name].force_login(world.people[name])
    clients["anonymous"] = Client()
    return clients, case.number


@pytest.mark.parametrize("page", sorted(PAGES))
@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_page_input_is_a_server_error(signed_in, page, data):
    clients, number = signed_in
    method, addresses, names = PAGES[page]
    address = data.draw(st.sampled_from(addresses))
    path_number = data.draw(st.one_of(st.just(number), VALUES.filter(lambda v: "/" not in v)))
    address = address.replace("<number>", path_number.replace("\x00", "%00") or "x")
    # every field of the page, each with one to three generated values
    params = {name: data.draw(st.lists(VALUES, min_size=1, max_size=3)) for name in names}
    client = clients[data.draw(st.sampled_from(sorted(clients)))]
    response = client.get(address, params) if method == "GET" else client.post(address, params)
    assert response.status_code < 500, (method, address, params, response.status_code)


# --- the socket -----------------------------------------------------------------------------

SOCKET_VALUES = st.one_of(
    VALUES,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(VALUES, st.integers()), max_size=4),
    st.dictionaries(st.text(max_size=5), VALUES, max_size=2),
)
STREAMS = st.one_of(
    st.sampled_from(["user", "area:S", "dept:PCS", "case:", "area:\x00", "case:%s" % ("x" * 300)]),
    st.builds(
        lambda kind, key: f"{kind}:{key}", st.sampled_from(["area", "dept", "case", "x"]), VALUES
    ),
)
MESSAGES = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["subscribe", "unsubscribe"])},
        optional={
            "streams": st.one_of(st.lists(STREAMS, max_size=5), SOCKET_VALUES),
            "since": SOCKET_VALUES,
        },
    ),
    st.dictionaries(st.sampled_from(["type", "streams", "since", "x"]), SOCKET_VALUES, max_size=3),
    SOCKET_VALUES,
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(messages=st.lists(MESSAGES, min_size=1, max_size=4))
@example(messages=[{"type": "subscribe", "streams": ["area:\x00"]}])  # found from outside
@example(messages=[{"type": "subscribe", "streams": ["user"], "since": 10**30}])
@example(messages=[{"type": "subscribe", "streams": ["case:²"], "since": True}])
def test_no_socket_message_closes_the_socket_with_an_error(socket_world, messages):
    asyncio.run(_talk(socket_world, messages))


async def _talk(user, messages) -> None:
    """Each message, then a marker subscription: every frame up to the marker's refusal is
    the answer to the message, and none of them may be a close."""
    from tests.notifications.test_consumers import connect

    communicator = await connect(user)
    for n, message in enumerate(messages):
        await communicator.send_to(text_data=json.dumps(message, default=str))
        marker = f"marker:{n}"
        await communicator.send_to(text_data=json.dumps({"type": "subscribe", "streams": [marker]}))
        while True:
            output = await communicator.receive_output(timeout=10)
            assert output["type"] != "websocket.close", (messages, output)
            frame = json.loads(output["text"])
            assert frame["type"] in ANSWERS, (message, frame)
            if frame.get("stream") == marker:
                break
    await communicator.disconnect()


ANSWERS = {"error", "refused", "subscribed", "replayed", "resync"}


@pytest.fixture
def socket_world(django_db_serialized_rollback, transactional_db):
    from tests.workflows.world import world_build

    world = world_build()
    world.dispatched("police")
    return world.people["street"]
