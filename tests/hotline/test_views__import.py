"""The import pages through HTTP: upload, columns, progress JSON, error report, placing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from hotline.mapping import DEFAULT_PRESET
from hotline.models import ColumnPreset, ImportJob, ImportRow
from tests.hotline.conftest import csv_bytes
from workflows.models import Case


def upload(client, world, content=None, name="orders.csv"):
    preset = ColumnPreset.objects.get(name=DEFAULT_PRESET)
    return client.post(
        "/hotline/",
        {
            "street": world.areas["S"].pk,
            "preset": preset.pk,
            "file": SimpleUploadedFile(name, csv_bytes() if content is None else content),
        },
    )


def test_upload_choose_columns_follow_and_download_errors(world, client):
    client.force_login(world.people["street"])
    assert client.get("/hotline/").status_code == 200
    response = upload(client, world)
    job = ImportJob.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/hotline/jobs/{job.pk}/columns/"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and "诉求地址" in page.content.decode()
    columns = {f"col_{k}": v for k, v in job.columns.items()}
    response = client.post(f"/hotline/jobs/{job.pk}/columns/", {**columns, "preset_name": "本街道"})
    assert response.status_code == 302
    assert ColumnPreset.objects.filter(name="本街道").exists()
    assert client.get(f"/hotline/jobs/{job.pk}/").status_code == 200
    call_command("run_timers", "--once")
    status = client.get(f"/hotline/jobs/{job.pk}/status/").json()
    assert {k: status[k] for k in ("state", "done", "created", "failed", "unplaced")} == {
        "state": "done",
        "done": 6,
        "created": 3,
        "failed": 2,
        "unplaced": 1,
    }
    report = client.get(f"/hotline/jobs/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert report.splitlines()[1].startswith("6,GD005,") and report.count("\n") == 3
    book = load_workbook(io.BytesIO(client.get(f"/hotline/jobs/{job.pk}/errors.xlsx").content))
    sheet = book.active
    assert [c.value for c in sheet[2]][:2] == [6, "GD005"] and sheet[1][0].font.b
    assert sheet.freeze_panes == "A2"


def test_a_file_that_does_not_read_is_a_form_error(world, client):
    client.force_login(world.people["street"])
    response = upload(client, world, content=b"PK-not-a-workbook", name="x.xlsx")
    assert response.status_code == 400 and not ImportJob.objects.exists()


def test_a_required_column_left_out_is_a_form_error(world, client):
    client.force_login(world.people["street"])
    upload(client, world)
    job = ImportJob.objects.get()
    columns = {f"col_{k}": v for k, v in job.columns.items()} | {"col_number": ""}
    assert client.post(f"/hotline/jobs/{job.pk}/columns/", columns).status_code == 400
    job.refresh_from_db()
    assert job.state == ImportJob.State.DRAFT


def test_others_may_not_see_the_import(world, client):
    client.force_login(world.people["street"])
    upload(client, world)
    job = ImportJob.objects.get()
    client.force_login(world.people["community1"])
    for url in ("columns/", "", "status/", "errors.csv", "unplaced/"):
        assert client.get(f"/hotline/jobs/{job.pk}/{url}").status_code == 403
    assert client.post("/hotline/", {}).status_code == 400  # no street to choose


def test_placing_a_row_from_the_list(world, client):
    client.force_login(world.people["street"])
    upload(client, world)
    job = ImportJob.objects.get()
    client.post(f"/hotline/jobs/{job.pk}/columns/", {f"col_{k}": v for k, v in job.columns.items()})
    call_command("run_timers", "--once")
    row = job.rows.get(outcome=ImportRow.Outcome.UNPLACED)
    page = client.get(f"/hotline/jobs/{job.pk}/unplaced/").content.decode()
    assert "GD004" in page
    response = client.post(f"/hotline/rows/{row.pk}/place/", {"area": world.areas["G3"].pk})
    assert response.status_code == 302
    assert Case.objects.get(hotline_number="GD004").area == world.areas["G3"]
    outside = client.post(f"/hotline/rows/{row.pk}/place/", {"area": 999999})
    assert outside.status_code == 302 and Case.objects.filter(hotline_number="GD004").count() == 1


def test_the_streets_list_gathers_every_imports_rows_to_place(world, client):
    client.force_login(world.people["street"])
    for name in ("a.csv", "b.csv"):
        upload(client, world, name=name)
    for job in ImportJob.objects.all():
        columns = {f"col_{k}": v for k, v in job.columns.items()}
        client.post(f"/hotline/jobs/{job.pk}/columns/", columns)
    call_command("run_timers", "--once")
    # the first import left GD004 to place; the second found it waiting again
    rows = ImportRow.objects.filter(outcome=ImportRow.Outcome.UNPLACED)
    assert rows.count() == 2
    page = client.get("/hotline/unplaced/").content.decode()
    assert page.count("GD004") == 2
    first = rows.order_by("job__submitted_at").first()
    response = client.post(
        f"/hotline/rows/{first.pk}/place/", {"area": world.areas["G1"].pk, "back": "street"}
    )
    assert response["Location"] == "/hotline/unplaced/"
    second = rows.exclude(pk=first.pk).get()
    client.post(f"/hotline/rows/{second.pk}/place/", {"area": world.areas["G2"].pk})
    second.refresh_from_db()
    assert second.case.area == world.areas["G1"]  # the work order had its case already
    assert Case.objects.filter(hotline_number="GD004").count() == 1
    client.force_login(world.people["community1"])
    assert client.get("/hotline/unplaced/").status_code == 403


def test_the_list_to_place_costs_the_same_queries_for_more_rows(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.people["street"])
    counts = []
    for name in ("a.csv", "b.csv"):
        upload(client, world, name=name)
        job = ImportJob.objects.latest("pk")
        client.post(
            f"/hotline/jobs/{job.pk}/columns/", {f"col_{k}": v for k, v in job.columns.items()}
        )
        call_command("run_timers", "--once")
        client.get("/hotline/unplaced/")
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/hotline/unplaced/").content.decode()
        counts.append((len(captured.captured_queries), page.count("GD004")))
    assert counts[0][1] == 1 and counts[1][1] == 2  # each row has its own menu of areas
    assert counts[0][0] == counts[1][0]
