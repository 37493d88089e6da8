"""The hotline import through its services and the timer dispatcher: rows become cases
(source hotline, work order kept), placed by coordinates, the gazetteer or by hand; bad rows
are reported and do not stop the others; a second import makes nothing; a stopped job
resumes with exact counts."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from hotline import services
from hotline.mapping import DEFAULT_COLUMNS, DEFAULT_PRESET
from hotline.models import ColumnPreset, ImportJob, ImportRow
from tests.hotline.conftest import ROWS, csv_bytes, xlsx_bytes
from workflows.choices import Source
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import Case, Category

Outcome = ImportRow.Outcome


def submit(world, content: bytes, filename: str, by: str = "street", **kwargs) -> ImportJob:
    preset = ColumnPreset.objects.get(name=DEFAULT_PRESET)
    job = services.import_job_upload(
        street=world.areas["S"],
        actor=world.people[by],
        filename=filename,
        content=content,
        columns=preset.columns,
        **kwargs,
    )
    return services.import_job_start(job=job, actor=world.people[by], columns=job.columns)


def outcomes(job: ImportJob) -> dict[int, tuple[str, str]]:
    return {row.line: (row.outcome, row.reason) for row in job.rows.order_by("line")}


def test_the_default_preset_is_the_migrations(db):
    assert ColumnPreset.objects.get(name=DEFAULT_PRESET).columns == DEFAULT_COLUMNS


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("orders.csv", csv_bytes()),
        ("orders-gbk.csv", csv_bytes(encoding="gbk")),
        ("orders.xlsx", xlsx_bytes()),
    ],
)
def test_each_row_becomes_a_case_or_a_reported_error(world, filename, content):
    job = submit(world, content, filename)
    call_command("run_timers", "--once")  # the dispatcher works the queued job to its end
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert (job.total, job.done, job.created, job.skipped, job.failed, job.unplaced) == (
        6,
        6,
        3,
        0,
        2,
        1,
    )
    rows = outcomes(job)
    assert rows[2][0] == rows[3][0] == rows[4][0] == Outcome.CREATED
    assert rows[5] == (Outcome.UNPLACED, "")
    assert rows[6][0] == Outcome.FAILED and "昨天下午" in rows[6][1]
    assert rows[7][0] == Outcome.FAILED and rows[7][1]
    by_number = {case.hotline_number: case for case in Case.objects.filter(source=Source.HOTLINE)}
    assert set(by_number) == {"GD001", "GD002", "GD003"}
    assert by_number["GD001"].area == world.areas["G1"]  # by its coordinates
    assert by_number["GD002"].area == world.areas["G3"]  # 青山路12号院 beats 青山路
    assert by_number["GD003"].area == world.areas["G2"]  # 青山路
    gd001 = by_number["GD001"]
    assert gd001.category.code == "sanitation" and gd001.contact_phone == "13800000001"
    assert "青杠街道" in gd001.description and gd001.events.filter(kind="case.reported").exists()


def test_importing_the_same_file_again_creates_nothing(world):
    submit(world, csv_bytes(), "orders.csv")
    call_command("run_timers", "--once")
    cases = Case.objects.count()
    again = submit(world, csv_bytes(), "orders.csv")
    call_command("run_timers", "--once")
    again.refresh_from_db()
    assert Case.objects.count() == cases
    assert (again.created, again.skipped, again.failed, again.unplaced) == (0, 3, 2, 1)


def test_a_row_repeated_in_one_file_is_one_case(world):
    job = submit(world, csv_bytes([ROWS[0], ROWS[0]]), "twice.csv")
    call_command("run_timers", "--once")
    job.refresh_from_db()
    assert (job.created, job.skipped) == (1, 1)
    assert Case.objects.filter(hotline_number="GD001").count() == 1


def test_a_stopped_job_resumes_where_it_stopped_with_exact_counts(world):
    job = submit(world, csv_bytes(), "orders.csv")
    services.import_job_work(job, seconds=60, max_rows=2)  # then the server "restarts"
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.state, job.done, job.created) == (ImportJob.State.RUNNING, 2, 2)
    assert job.rows.filter(outcome=Outcome.PENDING).count() == 4
    while services.imports_work():  # a new dispatcher picks it up
        pass
    job.refresh_from_db()
    assert (job.state, job.done, job.created, job.failed, job.unplaced) == (
        ImportJob.State.DONE,
        6,
        3,
        2,
        1,
    )


def test_an_unknown_category_falls_back_or_fails(world):
    rows = [["GD010", "", "无类别", "青山路1号", "", "", "完全不认识", "", "", "", ""]]
    failed = submit(world, csv_bytes(rows), "a.csv")
    call_command("run_timers", "--once")
    assert outcomes(failed)[2][0] == Outcome.FAILED
    fallback = Category.objects.get(code="property")
    kept = submit(world, csv_bytes(rows), "b.csv", fallback_category=fallback)
    call_command("run_timers", "--once")
    assert outcomes(kept)[2][0] == Outcome.CREATED
    assert Case.objects.get(hotline_number="GD010").category == fallback


def test_only_the_streets_dispatchers_may_import(world):
    with pytest.raises(CaseActionDenied):
        submit(world, csv_bytes(), "orders.csv", by="community1")
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("filename", "content"),
    [("x.pdf", b"%PDF"), ("x.xlsx", b"not a zip"), ("x.csv", b""), ("x.csv", b"\xff\xfe\x00")],
)
def test_unreadable_files_are_refused_and_nothing_is_kept(world, filename, content):
    with pytest.raises(ValidationError):
        submit(world, content, filename)
    assert not ImportJob.objects.exists()


def test_columns_must_name_the_required_fields_and_exist(world):
    preset = ColumnPreset.objects.get(name=DEFAULT_PRESET)
    job = services.import_job_upload(
        street=world.areas["S"],
        actor=world.people["street"],
        filename="o.csv",
        content=csv_bytes(),
        columns=preset.columns,
    )
    with pytest.raises(ValidationError):
        services.import_job_start(
            job=job, actor=world.people["street"], columns={"number": "工单编号"}
        )
    with pytest.raises(ValidationError):
        services.import_job_start(
            job=job, actor=world.people["street"], columns={**preset.columns, "address": "地址"}
        )
    job.refresh_from_db()
    assert job.state == ImportJob.State.DRAFT


def test_a_row_to_be_placed_is_placed_by_hand_once(world):
    job = submit(world, csv_bytes(), "orders.csv")
    call_command("run_timers", "--once")
    row = job.rows.get(outcome=Outcome.UNPLACED)
    with pytest.raises(CaseActionDenied):
        services.import_row_place(row=row, area=world.areas["G1"], actor=world.people["community1"])
    case = services.import_row_place(row=row, area=world.areas["G1"], actor=world.people["street"])
    assert (case.hotline_number, case.area, case.source) == (
        "GD004",
        world.areas["G1"],
        Source.HOTLINE,
    )
    job.refresh_from_db()
    assert (job.created, job.unplaced) == (4, 0)
    with pytest.raises(CaseConflict):
        services.import_row_place(row=row, area=world.areas["G1"], actor=world.people["street"])


def test_hotline_cases_are_found_by_work_order_in_the_case_list(world, client):
    submit(world, csv_bytes(), "orders.csv")
    call_command("run_timers", "--once")
    client.force_login(world.people["street"])
    page = client.get("/cases/", {"hotline_number": "GD002"}).content.decode()
    assert Case.objects.get(hotline_number="GD002").number in page
    assert Case.objects.get(hotline_number="GD001").number not in page


def test_hotline_cases_are_found_by_work_order_in_the_api(world, client):
    submit(world, csv_bytes(), "orders.csv")
    call_command("run_timers", "--once")
    client.force_login(world.people["street"])
    found = client.get("/api/v1/cases/", {"hotline_number": "GD003"}).json()["results"]
    assert [(c["hotline_number"], c["source"]) for c in found] == [("GD003", "hotline")]
