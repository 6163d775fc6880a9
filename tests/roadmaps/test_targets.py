"""Target values (Zielwerte): validation of every bad input with nothing saved, measurements
after adoption, the share of the way reached and the progress chart with its table."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from roadmaps.field_services import FieldPlanError, measurement_record, target_value_save
from roadmaps.models import Measurement, TargetValue
from roadmaps.progress import share_of_way, target_progress
from tests.roadmaps import goal_in, plan_of, target_of

pytestmark = pytest.mark.django_db

VALID = {
    "indicator": "Online verfügbare Verwaltungsleistungen",
    "unit": "%",
    "baseline_value": "35",
    "baseline_year": "2025",
    "target_value": "90",
    "target_year": "2030",
    "data_source": "OZG-Dashboard",
    "responsible_body": "Kreisverwaltung, Stabsstelle Digitalisierung",
    "interval": "yearly",
}


@pytest.fixture
def goal(process):
    return goal_in(plan_of(process, "Verwaltung und E-Government"), "Digitale Verwaltung")


def _client(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def staff_client(client, personas):
    return _client(client, personas["district_staff"])


def test_staff_adds_edits_and_deletes_a_target_value(staff_client, goal):
    response = staff_client.post(reverse("roadmaps:target_new", args=[goal.pk]), VALID)
    assert response.status_code == 302
    target = TargetValue.objects.get()
    assert response["Location"].endswith(f"#target-{target.pk}")
    assert (target.baseline_value, target.target_value) == (Decimal("35"), Decimal("90"))
    assert (target.goal, target.unit, target.responsible_body[:15]) == (
        goal,
        "%",
        "Kreisverwaltung",
    )

    staff_client.post(
        reverse("roadmaps:target_edit", args=[target.pk]), {**VALID, "target_value": "95.5"}
    )
    target.refresh_from_db()
    assert target.target_value == Decimal("95.5")

    staff_client.post(reverse("roadmaps:target_delete", args=[target.pk]))
    assert not TargetValue.objects.exists()


def test_german_users_type_a_decimal_comma(client, personas, goal):
    _client(client, personas["consultant"], language="de")
    data = {**VALID, "baseline_value": "12,5", "target_value": "1.5"}
    assert client.post(reverse("roadmaps:target_new", args=[goal.pk]), data).status_code == 302
    target = TargetValue.objects.get()
    assert (target.baseline_value, target.target_value) == (Decimal("12.5"), Decimal("1.5"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"unit": ""}, "unit", "Please enter the unit, e.g. “%” or “services”."),
        ({"indicator": ""}, "indicator", "Please name the indicator."),
        ({"target_year": ""}, "target_year", "Please enter a year between 2000 and 2100."),
        ({"baseline_year": ""}, "baseline_year", "Please enter a year between 2000 and 2100."),
        (
            {"baseline_year": "2030", "target_year": "2025"},
            "target_year",
            "The target year must not be before the baseline year.",
        ),
        ({"baseline_year": "1999"}, "baseline_year", "Please enter a year between 2000 and 2100."),
        ({"target_year": "2101"}, "target_year", "Please enter a year between 2000 and 2100."),
        ({"target_year": "20x0"}, "target_year", "Please enter the year as a whole number"),
        ({"baseline_value": "viel"}, "baseline_value", "Please enter a number, e.g. 42 or 12.5."),
        ({"target_value": "90 %"}, "target_value", "Please enter a number, e.g. 42 or 12.5."),
        ({"target_value": ""}, "target_value", "Please enter a number."),
        ({"interval": "daily"}, "interval", "Select a valid choice."),
    ],
)
def test_bad_target_values_are_refused_with_a_clear_message(
    staff_client, goal, changes, field, message
):
    response = staff_client.post(
        reverse("roadmaps:target_new", args=[goal.pk]), {**VALID, **changes}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split("“")[0] in response.content.decode()
    assert not TargetValue.objects.exists()


def test_editing_with_a_bad_year_keeps_the_old_values(staff_client, goal):
    target = target_of(goal)
    response = staff_client.post(
        reverse("roadmaps:target_edit", args=[target.pk]),
        {**VALID, "baseline_year": "2031", "target_year": "2030"},
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.baseline_year, target.target_year, target.unit) == (2025, 2030, "Mio.")


def test_the_service_validates_too(goal):
    values = {
        "indicator": "x",
        "unit": "",
        "baseline_value": Decimal(1),
        "baseline_year": 2025,
        "target_value": Decimal(2),
        "target_year": 2030,
    }
    with translation.override("en"), pytest.raises(FieldPlanError) as error:
        target_value_save(goal=goal, values=values)
    assert error.value.field == "unit"
    with translation.override("en"), pytest.raises(FieldPlanError) as error:
        target_value_save(
            goal=goal, values={**values, "unit": "%", "baseline_year": 2031, "target_year": 2030}
        )
    assert str(error.value.message) == "The target year must not be before the baseline year."
    with pytest.raises(FieldPlanError):
        target_value_save(goal=goal, values={**values, "unit": "%", "target_year": 2200})
    assert not TargetValue.objects.exists()


# Measurements and progress ----------------------------------------------------------------


def test_share_of_the_way():
    assert share_of_way(baseline=Decimal(35), target=Decimal(90), value=Decimal("69.1")) == 62
    assert share_of_way(baseline=Decimal(35), target=Decimal(90), value=Decimal(35)) == 0
    assert share_of_way(baseline=Decimal(35), target=Decimal(90), value=Decimal(90)) == 100
    assert share_of_way(baseline=Decimal(35), target=Decimal(90), value=Decimal(101)) == 120
    # A falling target: fewer paper forms.
    assert share_of_way(baseline=Decimal(200), target=Decimal(50), value=Decimal(125)) == 50
    assert share_of_way(baseline=Decimal(200), target=Decimal(50), value=Decimal(230)) == -20
    assert share_of_way(baseline=Decimal(5), target=Decimal(5), value=Decimal(5)) is None


def test_chart_positions_follow_dates_and_values(goal):
    target = target_of(
        goal,
        baseline_value=Decimal(0),
        baseline_year=2025,
        target_value=Decimal(100),
        target_year=2028,
    )
    for day, value in [(date(2026, 12, 31), "25"), (date(2025, 12, 31), "10")]:
        Measurement.objects.create(target_value=target, measured_on=day, value=Decimal(value))
    progress = target_progress(target)
    baseline, target_point = progress.baseline, progress.target
    first, second = progress.measurements
    assert [first.value, second.value] == [Decimal(10), Decimal(25)]  # ordered by date
    assert [first.share, second.share, progress.share] == [10, 25, 25]
    # Time runs left to right from the baseline year to the end of the target year.
    assert baseline.x == progress.left and target_point.x == progress.right
    assert baseline.x < first.x < second.x < target_point.x
    # Values run bottom to top (SVG y grows downwards), proportionally.
    assert baseline.y == progress.bottom and target_point.y == progress.top
    span = progress.bottom - progress.top
    assert first.y == pytest.approx(progress.bottom - span * 0.10, abs=0.1)
    assert second.y == pytest.approx(progress.bottom - span * 0.25, abs=0.1)
    assert progress.measured_path == f"{baseline.x},{baseline.y} {first.x},{first.y} " + (
        f"{second.x},{second.y}"
    )


def test_chart_for_a_falling_target_and_values_beyond_it(goal):
    target = target_of(goal, baseline_value=Decimal(200), target_value=Decimal(50))
    Measurement.objects.create(target_value=target, measured_on=date(2027, 1, 1), value=40)
    progress = target_progress(target)
    assert progress.baseline.y == progress.top  # highest value at the top
    assert progress.measurements[0].y == progress.bottom  # 40 lies below the target of 50
    assert progress.target.y < progress.bottom
    assert progress.share == 107


def test_staff_records_a_measurement_and_sees_chart_and_table(staff_client, goal):
    target = target_of(
        goal,
        indicator="Online-Leistungen",
        unit="%",
        baseline_value=Decimal(35),
        target_value=Decimal(90),
    )
    url = reverse("roadmaps:measurement_new", args=[target.pk])
    response = staff_client.post(url, {"measured_on": "2027-06-30", "value": "69.1", "note": "Q2"})
    assert response.status_code == 302
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.note) == (Decimal("69.1"), "Q2")
    assert measurement.recorded_by.role == "district_staff"

    html = staff_client.get(goal.field_plan.get_absolute_url()).content.decode()
    assert "62 % of the way from the baseline to the target" in html
    assert 'role="img"' in html and f'aria-labelledby="progress-{target.pk}-title"' in html
    assert "Progress of “Online-Leistungen”: baseline 35 % (2025), target 90 % (2030)" in html
    assert "latest measurement 69.1 % on" in html
    table = html[html.index('<table class="table table-sm progress-table">') :]
    table = table[: table.index("</table>")]
    for text in ("Baseline", "35", "69.1", "62 %", "Target", "90", "100 %"):
        assert text in table
    assert "<script" not in html.split("<main", 1)[1] and "style=" not in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "viel"}, "Please enter a number, e.g. 42 or 12.5."),
        ({"value": ""}, "Please enter a number."),
        ({"measured_on": ""}, "Please enter the date of the measurement."),
        ({"measured_on": "31.02.2027"}, "Please enter a valid date."),
        ({"measured_on": "1999-12-31"}, "Please enter a date between the years 2000 and 2100."),
    ],
)
def test_bad_measurements_are_refused(staff_client, goal, changes, message):
    target = target_of(goal)
    data = {"measured_on": "2027-06-30", "value": "12", **changes}
    response = staff_client.post(reverse("roadmaps:measurement_new", args=[target.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Measurement.objects.exists()


def test_measurement_service_and_delete(staff_client, goal, personas):
    target = target_of(goal)
    with pytest.raises(FieldPlanError):
        measurement_record(
            target_value=target, measured_on=date(1990, 1, 1), value=Decimal(1), user=None
        )
    measurement = measurement_record(
        target_value=target, measured_on=date(2027, 1, 1), value=Decimal(15), user=None
    )
    assert target_progress(target).share == 50
    url = reverse("roadmaps:measurement_delete", args=[measurement.pk])
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url).status_code == 302
    assert not Measurement.objects.exists()


def test_readers_see_progress_without_edit_links(client, personas, goal):
    target = target_of(goal)
    Measurement.objects.create(target_value=target, measured_on=date(2027, 1, 1), value=15)
    _client(client, personas["councillor"])
    html = client.get(goal.field_plan.get_absolute_url()).content.decode()
    assert "50 % of the way" in html
    assert reverse("roadmaps:measurement_new", args=[target.pk]) not in html
    assert reverse("roadmaps:target_edit", args=[target.pk]) not in html
    assert reverse("roadmaps:goal_new", args=[goal.field_plan.pk]) not in html
