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
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.workflows.world import photo
from workflows import services

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


@pytest.fixture
def keep_connection():
    """Like Django's test client: the test's transaction outlives each request (a real WSGI
    handler would close the connection when a request finishes)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world, settings, keep_connection):
    """Cases in every state, and a token per role."""
    settings.GRIDCASE_RATE_LIMITS = {}  # the fuzzer is not an abuser; limits are tested apart
    settings.ALLOWED_HOSTS = ["*"]
    grid1 = world.people["grid1"]
    reported = world.report(by="resident", source="resident")
    handling = services.case_accept(case=world.report(), actor=grid1)
    dispatched = world.dispatched("police", "city")
    claimed = world.dispatched("police")
    services.case_claim(
        case=claimed, department=world.departments["police"], actor=world.people["cop1"]
    )
    resolved = services.case_resolve(
        case=services.case_accept(case=world.report(), actor=grid1), actor=grid1, result="ok"
    )
    closed = services.case_verify(
        case=services.case_resolve(
            case=services.case_accept(
                case=world.report(by="resident", source="resident"), actor=grid1
            ),
            actor=grid1,
            result="ok",
            photos=[photo()],
        ),
        actor=grid1,
    )
    cases = [reported, handling, dispatched, claimed, resolved, closed]
    tokens = {name: Token.objects.create(user=world.people[name]).key for name in ROLES}
    return {
        "numbers": itertools.cycle([c.number for c in cases]),
        "identities": itertools.cycle([None, *tokens.values()]),
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("GRIDCASE_FUZZ_EXAMPLES", "100")),  # fewer while debugging
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_follow_the_schema(case, fuzz_world):
    aimed = zlib.crc32(repr((case.body, case.query)).encode()) % 2 == 0
    if aimed and "number" in (case.path_parameters or {}):
        case.path_parameters["number"] = next(fuzz_world["numbers"])
    token = next(fuzz_world["identities"])
    headers = {"Authorization": f"Token {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=CHECKS)
