"""The final consolidation and frozen strategy versions: the assembled draft chapter by chapter,
freezing as numbered snapshots, and that a frozen version never changes."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.consolidation import strategy_assemble
from roadmaps.models import (
    FieldPlan,
    Goal,
    Measure,
    Milestone,
    StrategyVersion,
    TargetValue,
    TextSection,
)
from roadmaps.section_services import SectionError, section_update, strategy_version_freeze
from strategy.audit import AuditAction
from strategy.models import AuditEvent, FundingProgramme, StrategyProcess, ThemeField
from tests.roadmaps.test_sections import make_section

pytestmark = pytest.mark.django_db
Kind = TextSection.Kind


@pytest.fixture
def staff_user(personas):
    return personas["district_staff"]


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def strategy(process, staff_user):
    """Texts, two theme fields with goals and target values, and measures with funding."""
    vision = make_section(process, staff_user, body="Der Kreis Coesfeld ist **vernetzt**.")
    make_section(process, staff_user, kind=Kind.VALUES, title="Werte", body="Offenheit")
    make_section(process, staff_user, kind=Kind.PRINCIPLE, title="Digital zuerst", body="L1")
    make_section(process, staff_user, kind=Kind.CHAPTER, title="Einleitung", body="Warum?")
    mobility, education = ThemeField.objects.order_by("position")[:2]
    plan = FieldPlan.objects.create(
        process=process,
        theme_field=mobility,
        tier="I",
        rank=1,
        rationale="Viele Pendler",
        vision="Mobil ohne Auto",
    )
    FieldPlan.objects.create(process=process, theme_field=education, tier="II", rank=2)
    strategic = Goal.objects.create(field_plan=plan, kind="strategic", title="ÖPNV stärken")
    operative = Goal.objects.create(
        field_plan=plan, kind="operative", parent=strategic, title="On-Demand-Verkehr"
    )
    TargetValue.objects.create(
        goal=operative,
        indicator="Fahrgäste pro Jahr",
        unit="Fahrten",
        baseline_value=Decimal("1000"),
        baseline_year=2025,
        target_value=Decimal("5000.5"),
        target_year=2030,
    )
    programme, other_programme = FundingProgramme.objects.order_by("name")[:2]
    m1 = Measure.objects.create(
        process=process,
        number="M-01",
        title="Rufbus-App",
        investment_cost=Decimal("100000"),
        grant_rate=Decimal("80"),
        funding_programme=programme,
        start_date=date(2027, 3, 1),
        end_date=date(2028, 12, 31),
        priority="high",
    )
    m1.theme_fields.set([mobility])
    m1.goals.set([operative])
    Milestone.objects.create(measure=m1, title="Ausschreibung", due_on=date(2027, 6, 1))
    m2 = Measure.objects.create(
        process=process,
        number="M-02",
        title="Mobilstationen",
        investment_cost=Decimal("50000.25"),
        grant_rate=Decimal("50"),
        funding_programme=programme,
        start_date=date(2027, 1, 1),
    )
    m2.theme_fields.set([mobility])
    m2.depends_on.set([m1])
    m3 = Measure.objects.create(
        process=process, number="M-03", title="Lernplattform", investment_cost=Decimal("10")
    )
    m3.theme_fields.set([education])
    dropped = Measure.objects.create(
        process=process,
        number="M-04",
        title="Verworfen",
        status="dropped",
        funding_programme=other_programme,
    )
    dropped.theme_fields.set([education])
    return {"vision": vision, "programme": programme, "mobility": mobility}


def _chapter(content, key):
    return [c for c in content["chapters"] if c["key"] == key]


def test_assembled_strategy_has_every_chapter_as_plain_data(process, strategy):
    content = strategy_assemble(process)
    assert json.loads(json.dumps(content)) == content
    keys = [c["key"] for c in content["chapters"]]
    assert keys == ["introduction", "vision", "principles", "field", "field", "roadmap", "funding"]

    intro = _chapter(content, "introduction")[0]
    assert [p["key"] for p in intro["phases"]] == ["initialisation", "elaboration", "adoption"]
    assert intro["phases"][1]["steps"] and intro["sections"][0]["title"] == "Einleitung"
    vision = _chapter(content, "vision")[0]
    assert [s["title"] for s in vision["sections"]] == ["Leitbild", "Werte"]
    assert vision["sections"][0]["body"] == "Der Kreis Coesfeld ist **vernetzt**."
    assert _chapter(content, "principles")[0]["sections"][0]["title"] == "Digital zuerst"

    mobility = _chapter(content, "field")[0]
    assert (mobility["theme_field"], mobility["tier"], mobility["rank"]) == (
        strategy["mobility"].name,
        "I",
        1,
    )
    assert mobility["rationale"] == "Viele Pendler" and mobility["vision"] == "Mobil ohne Auto"
    goal = mobility["goals"][0]
    assert goal["title"] == "ÖPNV stärken"
    target = goal["operative_goals"][0]["target_values"][0]
    assert target["target_value"] == "5000.50" and target["baseline_year"] == 2025
    assert [m["number"] for m in mobility["measures"]] == ["M-01", "M-02"]
    assert mobility["measures"][0]["milestones"][0]["due_on"] == "2027-06-01"
    assert mobility["measures"][1]["depends_on"] == ["M-01"]
    education = _chapter(content, "field")[1]
    assert [m["number"] for m in education["measures"]] == ["M-03"]  # dropped left out

    roadmap = _chapter(content, "roadmap")[0]
    assert [m["number"] for m in roadmap["measures"]] == ["M-02", "M-01", "M-03"]
    assert roadmap["measures"][1]["start_date"] == "2027-03-01"
    assert roadmap["measures"][1]["priority"] == "high"

    funding = _chapter(content, "funding")[0]
    first = funding["programmes"][0]
    assert first["programme"] == strategy["programme"].name
    assert first["investment_total"] == "150000.25"
    assert first["grant_total"] == "105000.12"  # 80 000 + 25 000.125 rounded
    assert funding["programmes"][-1]["programme"] is None
    assert funding["investment_total"] == "150010.25"


def test_assembling_runs_a_fixed_number_of_queries(process, strategy):
    with CaptureQueriesContext(connection) as small:
        strategy_assemble(process)
    for i in range(10):
        measure = Measure.objects.create(process=process, number=f"X-{i}", title=f"X{i}")
        measure.theme_fields.set([strategy["mobility"]])
    with CaptureQueriesContext(connection) as large:
        strategy_assemble(process)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_draft_page_shows_the_live_assembly(staff, process, strategy):
    html = staff.get(reverse("roadmaps:strategy_draft")).content.decode()
    assert "<strong>vernetzt</strong>" in html and "Rufbus-App" in html
    assert "Freeze this draft" in html
    assert "150010.25" in html


def test_freezing_creates_numbered_versions_and_an_audit_event(staff, process, strategy):
    response = staff.post(reverse("roadmaps:version_freeze"), {"note": "Für die BMK"})
    first = StrategyVersion.objects.get()
    assert response.status_code == 302 and response["Location"] == first.get_absolute_url()
    assert (first.number, first.label, first.note) == (1, "Entwurf v1", "Für die BMK")
    assert first.content["chapters"][1]["sections"][0]["title"] == "Leitbild"
    event = AuditEvent.objects.get(action=AuditAction.RENDER)
    assert event.summary == "Strategy version frozen" and event.target_id == str(first.pk)
    staff.post(reverse("roadmaps:version_freeze"), {})
    assert list(StrategyVersion.objects.values_list("label", flat=True)) == [
        "Entwurf v2",
        "Entwurf v1",
    ]
    html = staff.get(reverse("roadmaps:version_list")).content.decode()
    assert "Entwurf v1" in html and "Entwurf v2" in html and "Für die BMK" in html


def test_a_frozen_version_never_changes(process, strategy, staff_user):
    version = strategy_version_freeze(process=process, note="Erster Stand", user=staff_user)
    stored = StrategyVersion.objects.filter(pk=version.pk).values("label", "note", "content")[0]
    version.note = "geändert"
    version.content = {"chapters": []}
    with pytest.raises(ValidationError):
        version.save()
    assert (
        StrategyVersion.objects.filter(pk=version.pk).values("label", "note", "content")[0]
        == stored
    )


def test_editing_after_freezing_does_not_change_the_frozen_version(
    staff, process, strategy, staff_user
):
    version = strategy_version_freeze(process=process, user=staff_user)
    vision = strategy["vision"]
    section_update(
        section=vision, loaded_version=1, title="Leitbild", body="Ganz neuer Text", user=staff_user
    )
    version.refresh_from_db()
    frozen_vision = version.content["chapters"][1]["sections"][0]
    assert frozen_vision["body"] == "Der Kreis Coesfeld ist **vernetzt**."
    html = staff.get(version.get_absolute_url()).content.decode()
    assert "<strong>vernetzt</strong>" in html and "Ganz neuer Text" not in html
    assert "Ganz neuer Text" in staff.get(reverse("roadmaps:strategy_draft")).content.decode()


def test_frozen_snapshot_is_rendered_sanitised(staff, process, staff_user):
    make_section(process, staff_user, body="<script>alert(1)</script>[x](javascript:alert(2))")
    version = strategy_version_freeze(process=process, user=staff_user)
    html = staff.get(version.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html


def test_consultants_cannot_freeze(client, personas, process):
    client.force_login(personas["consultant"])
    assert client.post(reverse("roadmaps:version_freeze"), {}).status_code == 403
    assert not StrategyVersion.objects.exists()


def test_an_archived_edition_cannot_be_frozen(process, staff_user):
    StrategyProcess.objects.filter(pk=process.pk).update(status=StrategyProcess.Status.ARCHIVED)
    with pytest.raises(SectionError):
        strategy_version_freeze(process=process, user=staff_user)
    assert not StrategyVersion.objects.exists()


def test_there_is_no_way_to_edit_a_frozen_version_over_http(staff, process, staff_user):
    version = strategy_version_freeze(process=process, user=staff_user)
    response = staff.post(version.get_absolute_url(), {"note": "anders"})
    assert response.status_code in (200, 405)
    version.refresh_from_db()
    assert version.note == ""
