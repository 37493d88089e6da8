"""The framework's ceiling for benchmark 1: a bare Django view that inserts one row.

Mounted at /bench/insert-one-row/ only when GRIDCASE_BENCH=1 (set by `python -m bench` for the
servers it starts): same server, same middleware, same database, no GridCase logic."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TABLE = "bench_bare_row"


@csrf_exempt
@require_POST
def insert_one_row(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", [request.body[:200].decode()])
    return HttpResponse(status=201)


def table_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, body text)")


urlpatterns = [path("bench/insert-one-row/", insert_one_row)]
