"""Schemathesis against the OpenAPI schema, in-process (WSGI): 100 generated examples per
operation, sent in turn as a grid member, a department staff member, a street official, a
resident and anonymously (20 each). No answer may be a 5xx, use an undocumented status code or
content type, or break its documented schema.

Half of the examples aim at real cases (in every state) instead of random case numbers, so the
actions reach the services; the cases move on as the examples act on them.
"""

import itertools
import os
import zlib

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.workflows.world import photo, world_build
from workflows import services

pytestmark = pytest.mark.slow  # about a minute of generated requests

ROLES = ("grid1", "cop1", "street", "resident")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
# Hypothesis-generated examples only: schemathesis' extra "coverage" phase (boundary values,
# undeclared methods) would multiply the run time; 405s and boundaries are covered elsewhere.
schema.config.phases.coverage.enabled = False


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """Cases in every state and a token per role, built once for the module inside a
    transaction that is rolled back at the end; each operation's test runs in a savepoint
    inside it, so every operation starts from the same cases."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = world_build()
        numbers = [case.number for case in _cases_in_every_state(world)]
        tokens = [Token.objects.create(user=world.people[name]).key for name in ROLES]
        yield {
            "numbers": itertools.cycle(numbers),
            "identities": itertools.cycle([None, *tokens]),
        }
        transaction.set_rollback(True)


def _cases_in_every_state(world) -> list:
    grid1 = world.people["grid1"]
    reported = world.report(by="resident", source="resident")
    handling = services.case_accept(case=world.report(), actor=grid1)
    dispatched = world.dispatched("police", "city")
    claimed = world.dispatched("police")
    services.case_claim(
        case=claimed, department=world.departments["police"], actor=world.people["cop1"]
    )
    accepted = services.case_accept(case=world.report(), actor=grid1)
    resolved = services.case_resolve(case=accepted, actor=grid1, result="ok")
    accepted = services.case_accept(
        case=world.report(by="resident", source="resident"), actor=grid1
    )
    done = services.case_resolve(case=accepted, actor=grid1, result="ok", photos=[photo()])
    closed = services.case_verify(case=done, actor=grid1)
    return [reported, handling, dispatched, claimed, resolved, closed]


@pytest.fixture
def fuzzing(fuzz_world, settings):
    """Like Django's test client, keep the test's connection open across requests (a real
    WSGI handler closes it when a request finishes)."""
    settings.GRIDCASE_RATE_LIMITS = {}  # the fuzzer is not an abuser; limits are tested apart
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield fuzz_world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("GRIDCASE_FUZZ_EXAMPLES", "100")),  # fewer while debugging
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_follow_the_schema(case, fuzzing):
    aimed = zlib.crc32(repr((case.body, case.query)).encode()) % 2 == 0
    if aimed and "number" in (case.path_parameters or {}):
        case.path_parameters["number"] = next(fuzzing["numbers"])
    token = next(fuzzing["identities"])
    headers = {"Authorization": f"Token {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=CHECKS)
