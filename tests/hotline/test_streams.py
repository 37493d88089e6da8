"""The progress bar's stream: only the street's dispatchers may follow it, and a job's slices
arrive live over the socket."""

import pytest
from asgiref.sync import sync_to_async

from hotline import services
from hotline.mapping import DEFAULT_COLUMNS
from hotline.models import ImportJob
from tests.hotline.conftest import csv_bytes, hotline_world
from tests.notifications.test_consumers import connect, subscribe

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(django_db_serialized_rollback, transactional_db):
    return hotline_world()


def _job(world) -> ImportJob:
    job = services.import_job_upload(
        street=world.areas["S"],
        actor=world.people["street"],
        filename="o.csv",
        content=csv_bytes(),
        columns=DEFAULT_COLUMNS,
    )
    return services.import_job_start(job=job, actor=world.people["street"], columns=job.columns)


async def test_progress_arrives_live_and_strangers_are_refused(world):
    job = await sync_to_async(_job)(world)
    stranger = await connect(world.people["community1"])
    replies = await subscribe(stranger, f"import:{job.pk}")
    assert replies[0] == {"type": "refused", "stream": f"import:{job.pk}", "code": "forbidden"}
    await stranger.disconnect()
    follower = await connect(world.people["street"])
    await subscribe(follower, f"import:{job.pk}")
    await sync_to_async(lambda: services.import_job_work(job, seconds=60))()
    last = None
    while last is None or last["state"] != "done":
        message = await follower.receive_json_from(timeout=5)
        if message["type"] == "event":
            last = message["event"]
    assert last["kind"] == "import.progress"
    assert (last["done"], last["created"], last["failed"], last["unplaced"]) == (6, 3, 2, 1)
    await follower.disconnect()
