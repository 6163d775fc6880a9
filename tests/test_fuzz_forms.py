"""Arbitrary text (HTML, script, javascript: URLs, RTL and zero-width characters, very long
strings) in every text field of the portal's forms: never a server error, and where the text
is shown, it is shown as text."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import Project, SynergyCandidate
from strategy.models import ThemeField
from tests.factories import ProjectFactory

MARKERS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
]
NASTY = st.sampled_from(
    ["", "\u202e", "\u200b", "\u0000", "\r\n", "ä" * 300, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "'; DROP TABLE x;--"]
)
TEXT = st.builds(
    lambda a, marker, b, c: f"{a}{marker}{b}{c}",
    st.text(max_size=40),
    st.sampled_from(MARKERS),
    NASTY,
    st.text(max_size=2500),
)
HYPOTHESIS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(client, response, shown_at, text):
    assert response.status_code < 500
    html = client.get(shown_at).content.decode()
    for marker in MARKERS:
        if marker.startswith("javascript:"):
            assert f'href="{marker}' not in html
        else:
            assert marker not in html


@pytest.fixture
def staff(client, personas, process):
    client.force_login(personas["district_staff"])
    return client


@given(text=TEXT)
@HYPOTHESIS
def test_theme_field_and_actor_group_forms(staff, text):
    response = staff.post(
        reverse("strategy:themefield_new"), {"name": text[:100], "description": text, "position": 1}
    )
    _check(staff, response, reverse("strategy:themefield_list"), text)
    response = staff.post(
        reverse("strategy:actorgroup_new"), {"name": text[:100], "description": text}
    )
    _check(staff, response, reverse("strategy:actorgroup_list"), text)


@given(text=TEXT)
@HYPOTHESIS
def test_process_forms(staff, process, text):
    response = staff.post(
        reverse("strategy:process_new"), {"title": text, "year": 2027, "description": text}
    )
    _check(staff, response, reverse("strategy:process_list"), text)
    response = staff.post(reverse("strategy:process_advance", args=[process.pk]), {"note": text})
    _check(staff, response, reverse("strategy:process_detail", args=[process.pk]), text)


@given(text=TEXT)
@HYPOTHESIS
def test_project_form(staff, reference, text):
    data = {
        "municipality": reference["Dülmen"].pk,
        "title": text,
        "description": text,
        "status": "idea",
        "lead_organisation": text,
        "contact_person": text,
        "target_groups": text,
        "links": text,
        "tags": text,
    }
    response = staff.post(reverse("inventory:project_new"), data)
    project = Project.objects.order_by("-pk").first()
    shown_at = project.get_absolute_url() if project else reverse("inventory:project_list")
    _check(staff, response, shown_at, text)
    _check(staff, response, reverse("inventory:project_list") + "?q=" + text[:50], text)


@given(text=TEXT)
@HYPOTHESIS
def test_strategy_and_invitation_and_page_forms(staff, reference, text):
    response = staff.post(
        reverse("inventory:strategy_new"),
        {
            "municipality": reference["Olfen"].pk,
            "title": text,
            "kind": "other",
            "summary": text,
            "link": text,
        },
    )
    _check(staff, response, reverse("inventory:strategy_list"), text)
    response = staff.post(
        reverse("accounts:invitation_new"),
        {"email": "fuzz@example.org", "first_name": text, "last_name": text, "role": "councillor"},
    )
    _check(staff, response, reverse("accounts:user_list"), text)
    response = staff.post(
        reverse("strategy:content_page_edit", args=["datenschutz"]), {"title": text, "body": text}
    )
    _check(staff, response, reverse("strategy:content_page", args=["datenschutz"]), text)


@given(text=TEXT)
@HYPOTHESIS
def test_synergy_note_and_search(staff, reference, text):
    project = ProjectFactory(
        municipality=reference["Senden"], theme_fields=[ThemeField.objects.first()]
    )
    candidate, _ = SynergyCandidate.objects.get_or_create(key="fuzz", defaults={"score": 0.5})
    candidate.projects.add(project)
    response = staff.post(
        reverse("inventory:synergy_decide", args=[candidate.pk]),
        {"decision": "joint_project", "note": text},
    )
    _check(staff, response, reverse("inventory:synergy_list"), text)
    response = staff.get(reverse("accounts:user_list"), {"q": text})
    assert response.status_code < 500
