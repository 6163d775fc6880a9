"""Arbitrary text (HTML, script, javascript: URLs, RTL and zero-width characters, very long
strings) in every text field of the roadmaps forms, posted through the real pages: never a
server error, and wherever the text is shown afterwards it is shown as text (Markdown is
sanitised, so no marker survives as markup)."""

from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given

from roadmaps.models import Goal, Measure, SectionVersion, StrategyVersion, TargetValue, TextSection
from roadmaps.section_services import section_create
from strategy.models import FundingProgramme, StrategyProcess, ThemeField
from strategy.services import process_advance
from tests.fuzzing import HYPOTHESIS, MARKERS, TEXT, accepted, check_shown_as_text, fuzzes
from tests.roadmaps import goal_in, make_measure, plan_of, target_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, personas, process):
    client.force_login(personas["district_staff"])
    return client


@contextmanager
def rolled_back():
    """Each example starts from the same data: what it saved is rolled back afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def fit(text: str, size: int) -> str:
    """At most ``size`` characters of ``text``, with its marker if the marker fits."""
    for marker in MARKERS:
        at = text.find(marker)
        if at >= 0 and len(marker) <= size:
            start = 0 if at + len(marker) <= size else at
            return text[start : start + size]
    return text[:size]


def saves(*, lines=(), texts=()) -> bool:
    """Whether the forms must accept the values: ``lines`` posted into single-line fields,
    ``texts`` into multi-line ones (control characters are refused, strategy.text_input)."""
    return accepted(lines=lines, texts=texts)


def shown_as_text(client, response, *urls) -> None:
    """The response itself (a form shown again, a conflict page) and every page at ``urls``
    show the text as text."""
    check_shown_as_text(client, response, None)
    if response.status_code in (200, 409):
        html = response.content.decode()
        for marker in MARKERS:
            if marker.startswith("javascript:"):
                assert f'href="{marker}' not in html
            else:
                assert marker not in html
    for url in urls:
        check_shown_as_text(client, response, url)


# --- Texts of the strategy and the frozen versions ---------------------------------------------


@fuzzes("roadmaps.section_forms.SectionCreateForm", "roadmaps.section_forms.SectionCommentForm")
@given(text=TEXT)
@HYPOTHESIS
def test_new_section_and_comment(staff, process, text):
    with rolled_back():
        response = staff.post(
            reverse("roadmaps:section_new"),
            {"kind": TextSection.Kind.CHAPTER, "title": fit(text, 200), "body": text},
        )
        section = TextSection.objects.filter(process=process).order_by("-pk").first()
        if saves(lines=[fit(text, 200)], texts=[text]):
            assert response.status_code == 302 and section is not None
        shown_as_text(
            staff,
            response,
            reverse("roadmaps:section_overview"),
            reverse("roadmaps:strategy_draft"),
            *([section.get_absolute_url()] if section else []),
        )
        if section is None:
            return
        url = reverse("roadmaps:section_comment", args=[section.pk])
        response = staff.post(url, {"text": fit(text, 5000)})
        if saves(texts=[fit(text, 5000)]):
            assert response.status_code == 302
        shown_as_text(staff, response, section.get_absolute_url())
        # Too long: the form is shown again with the text in it.
        shown_as_text(staff, staff.post(url, {"text": text * 3}))


@fuzzes("roadmaps.section_forms.SectionEditForm")
@given(text=TEXT)
@HYPOTHESIS
def test_section_edit_history_diff_and_conflict(staff, process, personas, text):
    with rolled_back():
        section = section_create(
            process=process,
            kind=TextSection.Kind.VISION,
            title="Leitbild",
            body="Der Kreis ist digital.",
            user=personas["district_staff"],
        )
        url = reverse("roadmaps:section_edit", args=[section.pk])
        data = {"title": fit(text, 200), "body": text, "version": 1}
        response = staff.post(url, data)
        if saves(lines=[data["title"]], texts=[text]):
            assert response.status_code == 302
            assert SectionVersion.objects.filter(section=section).count() == 2
        history = reverse("roadmaps:section_history", args=[section.pk])
        compare = reverse("roadmaps:section_compare", args=[section.pk]) + "?a=1&b=2"
        shown_as_text(staff, response, section.get_absolute_url(), history, compare)
        # A second save from the same (now stale) version: the conflict page shows the diff of
        # the hostile text against itself changed.
        response = staff.post(url, data | {"body": text[::-1]})
        # (400: a NUL makes any post a bad request, strategy.http.)
        assert response.status_code in (200, 409, 400)
        shown_as_text(staff, response)
        response = staff.post(url, data | {"title": text * 2})  # too long a title
        shown_as_text(staff, response)


@fuzzes("roadmaps.section_forms.StrategyFreezeForm")
@given(text=TEXT)
@HYPOTHESIS
def test_freeze_note_and_frozen_version(staff, process, personas, text):
    # The section is made by the service directly: without NUL characters, which its form
    # refuses and PostgreSQL cannot store.
    stored = text.replace("\x00", "")
    with rolled_back():
        section_create(
            process=process,
            kind=TextSection.Kind.VISION,
            title=fit(stored, 200),
            body=stored,
            user=personas["district_staff"],
        )
        response = staff.post(reverse("roadmaps:version_freeze"), {"note": fit(text, 2000)})
        version = StrategyVersion.objects.filter(process=process).order_by("-pk").first()
        if saves(texts=[fit(text, 2000)]):
            assert response.status_code == 302 and version is not None
        shown_as_text(
            staff,
            response,
            reverse("roadmaps:version_list"),
            *([version.get_absolute_url()] if version else []),
        )
        shown_as_text(staff, staff.post(reverse("roadmaps:version_freeze"), {"note": text * 2}))


# --- Theme field plans: vision, goals, target values, measurements -----------------------------


@fuzzes(
    "roadmaps.field_forms.VisionForm",
    "roadmaps.field_forms.GoalForm",
    "roadmaps.field_forms.TargetValueForm",
    "roadmaps.field_forms.MeasurementForm",
)
@given(text=TEXT)
@HYPOTHESIS
def test_field_vision_goal_target_and_measurement(staff, process, text):
    with rolled_back():
        plan = plan_of(process)
        detail = reverse("roadmaps:field_detail", args=[plan.pk])
        response = staff.post(
            reverse("roadmaps:field_vision", args=[plan.pk]), {"vision": fit(text, 20000)}
        )
        if saves(texts=[fit(text, 20000)]):
            assert response.status_code == 302
        shown_as_text(staff, response, detail)

        response = staff.post(
            reverse("roadmaps:goal_new", args=[plan.pk]),
            {
                "kind": "strategic",
                "parent": "",
                "title": fit(text, 300),
                "description": fit(text, 5000),
                "position": "",
            },
        )
        goal = Goal.objects.filter(field_plan=plan).order_by("-pk").first()
        if saves(lines=[fit(text, 300)], texts=[fit(text, 5000)]):
            assert response.status_code == 302 and goal is not None
        # Goal titles are also the labels of the measure form's goal choices.
        shown_as_text(staff, response, detail, reverse("roadmaps:measure_new"))
        goal = goal or goal_in(plan)
        response = staff.post(
            reverse("roadmaps:goal_new", args=[plan.pk]),
            {"kind": "operative", "parent": goal.pk, "title": text, "description": text},
        )
        shown_as_text(staff, response, detail)

        response = staff.post(
            reverse("roadmaps:target_new", args=[goal.pk]),
            {
                "indicator": fit(text, 300),
                "unit": fit(text, 50),
                "baseline_value": "10",
                "baseline_year": "2025",
                "target_value": "20,5",
                "target_year": "2030",
                "data_source": fit(text, 300),
                "responsible_body": fit(text, 300),
                "interval": TargetValue.Interval.YEARLY,
            },
        )
        target = TargetValue.objects.filter(goal=goal).order_by("-pk").first()
        if saves(lines=[fit(text, 300), fit(text, 50)]):
            assert response.status_code == 302 and target is not None
        shown_as_text(staff, response, detail, reverse("roadmaps:measure_new"))
        target = target or target_of(goal)
        response = staff.post(
            reverse("roadmaps:target_edit", args=[target.pk]),
            {"indicator": text, "unit": text, "baseline_value": text, "target_value": text},
        )
        shown_as_text(staff, response)

        url = reverse("roadmaps:measurement_new", args=[target.pk])
        response = staff.post(
            url, {"measured_on": "2027-06-30", "value": "5", "note": fit(text, 300)}
        )
        if saves(lines=[fit(text, 300)]):
            assert response.status_code == 302
        shown_as_text(staff, response, detail)
        response = staff.post(url, {"measured_on": text, "value": text, "note": text})
        shown_as_text(staff, response)


# --- Measures and their milestones --------------------------------------------------------------


@fuzzes("roadmaps.measure_forms.MeasureForm", "roadmaps.measure_forms.MilestoneForm")
@given(text=TEXT)
@HYPOTHESIS
def test_measure_with_milestones(staff, process, reference, text):
    field = ThemeField.objects.order_by("position").first()
    with rolled_back():
        make_measure(process, "M-01", title="Glasfaser", start_date=None)
        data = {
            "number": fit(text, 20),
            "title": fit(text, 200),
            "theme_fields": [field.pk],
            "description": fit(text, 20000),
            "target_group": fit(text, 300),
            "expected_benefit": fit(text, 5000),
            "lead_organisation": fit(text, 200),
            "partners": fit(text, 500),
            "municipalities": [reference["Dülmen"].pk],
            "investment_cost": "100000",
            "running_cost_per_year": "5000",
            "funding_programme": FundingProgramme.objects.first().pk,
            "grant_rate": "80",
            "start_date": "2027-01-01",
            "end_date": "2028-06-30",
            "depends_on": [Measure.objects.get(number="M-01").pk],
            "status": "proposed",
            "priority": "high",
            "origin": "new",
            "milestones-TOTAL_FORMS": "2",
            "milestones-INITIAL_FORMS": "0",
            "milestones-MIN_NUM_FORMS": "0",
            "milestones-MAX_NUM_FORMS": "1000",
            "milestones-0-title": fit(text, 200),
            "milestones-0-due_on": "2027-06-30",
            "milestones-1-title": fit(text[::-1], 200),
            "milestones-1-due_on": "2028-01-31",
            "milestones-1-done": "on",
        }
        response = staff.post(reverse("roadmaps:measure_new"), data)
        measure = Measure.objects.filter(process=process).order_by("-pk").first()
        lines = [data[name] for name in MEASURE_LINES] + [fit(text[::-1], 200)]
        if saves(lines=lines, texts=[data["description"], data["expected_benefit"]]):
            assert response.status_code == 302 and measure.number != "M-01"
            assert measure.milestones.count() == 2
        shown_as_text(
            staff,
            response,
            measure.get_absolute_url(),
            reverse("roadmaps:measure_list"),
            reverse("roadmaps:measure_list") + "?status=proposed&priority=high",
            reverse("roadmaps:roadmap"),
            reverse("roadmaps:funding_overview"),
            # The dependency's page names the measures that depend on it.
            Measure.objects.get(number="M-01").get_absolute_url(),
            reverse("roadmaps:measure_delete", args=[Measure.objects.get(number="M-01").pk]),
            reverse("roadmaps:measure_edit", args=[measure.pk]),
        )
        # Every text too long, and the milestones with hostile dates: the form comes back.
        too_long = dict.fromkeys(MEASURE_TEXT, text * 9)
        response = staff.post(
            reverse("roadmaps:measure_new"),
            data | too_long | {"milestones-0-title": text * 2, "milestones-0-due_on": text},
        )
        # (400: a NUL makes any post a bad request, strategy.http.)
        assert response.status_code == (400 if "\x00" in text else 200)
        shown_as_text(staff, response)


MEASURE_LINES = ("number", "title", "target_group", "lead_organisation", "partners")
MEASURE_TEXT = (
    "number",
    "title",
    "description",
    "target_group",
    "expected_benefit",
    "lead_organisation",
    "partners",
)


# --- Update (Fortschreibung) --------------------------------------------------------------------


@pytest.fixture
def adopted(process, personas):
    while process.status != StrategyProcess.Status.COMPLETED:
        process_advance(process=process, by=personas["district_staff"])
        process.refresh_from_db()
    return process


@fuzzes("roadmaps.edition_forms.EditionStartForm")
@given(text=TEXT)
@HYPOTHESIS
def test_edition_start(staff, adopted, text):
    with rolled_back():
        url = reverse("roadmaps:edition_start", args=[adopted.pk])
        shown_as_text(staff, staff.post(url, {"title": text * 2, "year": text}))
        response = staff.post(
            url,
            {"title": fit(text, 200), "year": adopted.year + 1, "start_phase": "elaboration"},
        )
        edition = StrategyProcess.objects.filter(previous_edition=adopted).first()
        if saves(lines=[fit(text, 200)]):
            assert response.status_code == 302 and edition is not None
        shown_as_text(
            staff,
            response,
            reverse("strategy:process_list"),
            reverse("roadmaps:edition_compare"),
            *([edition.get_absolute_url()] if edition else []),
        )
