"""Production settings pass `check --deploy`; missing secrets are refused loudly."""

from tests import processes

SECRET = "k3y-" + "x9Qm2Zr7Lp4Vt8Wn1Bc6Hd5Jf0Gs3Ky" * 2


def manage(*args: str, **env: str):
    return processes.manage(*args, DJANGO_SETTINGS_MODULE="gridcase.settings.prod", **env)


def test_prod_settings_pass_check_deploy_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="gridcase.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_prod_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ALLOWED_HOSTS="gridcase.example.org")
    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable." in result.stderr


def test_prod_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_a_malformed_boolean_is_refused():
    result = manage(
        "check", DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="x", DJANGO_DEBUG="maybe"
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_every_settings_module_sends_the_content_security_policy():
    code = (
        "from django.conf import settings; from django.test import Client; "
        "r = Client(HTTP_HOST='gridcase.example.org').get('/areas/at/?lat=x', secure=True); "
        "print(r.status_code, r['Content-Security-Policy'])"
    )
    for module in ("dev", "test", "prod"):
        result = processes.manage(
            "shell",
            "-c",
            code,
            DJANGO_SETTINGS_MODULE=f"gridcase.settings.{module}",
            DJANGO_SECRET_KEY=SECRET,
            DJANGO_ALLOWED_HOSTS="gridcase.example.org,testserver",
        )
        assert result.returncode == 0, (module, result.stderr)
        status, policy = result.stdout.strip().splitlines()[-1].split(" ", 1)
        assert status == "400", (module, result.stdout)  # any answer carries it
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, module
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy, module
