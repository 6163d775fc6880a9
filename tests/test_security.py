"""Security baseline: deploy checks, CSP, CSRF, escaping."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import Client
from django.urls import reverse

from strategy.models import ThemeField


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": "a-production-secret-that-is-long-and-random-4f1c9e8b7a6d5c4b3a2f1e0d",
        "ALLOWED_HOSTS": "strategie.kreis-coesfeld.example",
        "DJANGO_SETTINGS_MODULE": "coesfeld_strategy.settings",
    }
    return env | extra


def test_check_deploy_reports_nothing_in_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=_production_env(SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_csp_forbids_inline_code(client, db):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
    assert response["X-Frame-Options"] == "DENY"


def test_state_changing_requests_need_a_csrf_token(personas, process):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["district_staff"])
    response = client.post(reverse("strategy:process_advance", args=[process.pk]))
    assert response.status_code == 403
    from strategy.models import StepTransition

    assert not StepTransition.objects.exists()


def test_user_text_is_shown_as_text(client, personas, reference):
    client.force_login(personas["district_staff"])
    field = ThemeField.objects.first()
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post(
        reverse("strategy:themefield_edit", args=[field.pk]),
        {"name": field.name, "description": evil, "position": 1},
    )
    assert response.status_code == 302
    html = client.get(reverse("strategy:themefield_list")).content.decode()
    assert evil not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
