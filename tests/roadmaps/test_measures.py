"""Measures (Maßnahmensteckbriefe): create and edit with all fields, validation, dependency
cycles, the profile page, the list filters and the permissions of every measure URL."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from inventory.models import SynergyCandidate
from roadmaps.measure_selectors import measure_number_suggest
from roadmaps.measure_services import MeasureError, dependency_cycle, measure_save
from roadmaps.models import Measure, Milestone
from strategy.models import FundingProgramme, Municipality, ThemeField
from tests.factories import ProjectFactory
from tests.roadmaps import add_milestone, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, personas):
    client.force_login(personas["district_staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form_data(reference, **overrides):
    field = ThemeField.objects.order_by("position").first()
    data = {
        "number": "M-01",
        "title": "Digitales Bürgerportal",
        "theme_fields": [field.pk],
        "description": "Ein **gemeinsames** Portal für alle Kommunen.",
        "target_group": "Bürgerinnen und Bürger",
        "expected_benefit": "Weniger Wege ins Rathaus",
        "lead_organisation": "Kreis Coesfeld",
        "partners": "KDN",
        "municipalities": [reference["Dülmen"].pk, reference["Nottuln"].pk],
        "investment_cost": "100000",
        "running_cost_per_year": "5000",
        "funding_programme": FundingProgramme.objects.first().pk,
        "grant_rate": "80",
        "start_date": "2027-01-01",
        "end_date": "2028-06-30",
        "status": "proposed",
        "priority": "high",
        "origin": "new",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-title": "Ausschreibung veröffentlicht",
        "milestones-0-due_on": "2027-06-30",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_create_a_measure_with_all_fields_and_a_milestone(staff_client, process, reference):
    new_url = reverse("roadmaps:measure_new")
    response = staff_client.get(new_url)
    assert response.status_code == 200
    assert 'value="M-01"' in response.content.decode()

    response = staff_client.post(new_url, form_data(reference))
    measure = Measure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == measure.get_absolute_url()
    assert measure.process == process
    assert measure.number == "M-01"
    assert set(measure.municipalities.values_list("name", flat=True)) == {"Dülmen", "Nottuln"}
    assert measure.possible_grant == Decimal("80000.00")
    assert measure.own_share == Decimal("20000.00")
    assert list(measure.milestones.values_list("title", "due_on")) == [
        ("Ausschreibung veröffentlicht", date(2027, 6, 30))
    ]
    # The next measure is offered the next number.
    assert measure_number_suggest(process=process) == "M-02"
    assert 'value="M-02"' in staff_client.get(new_url).content.decode()


def test_all_municipalities_ticks_the_eleven_and_the_kreis(staff_client, process, reference):
    staff_client.post(
        reverse("roadmaps:measure_new"),
        form_data(reference, municipalities=None, all_municipalities="on"),
    )
    assert Measure.objects.get().municipalities.count() == 12 == Municipality.objects.count()


def test_edit_keeps_updates_and_deletes_milestones(staff_client, process, reference):
    measure = make_measure(
        process, "M-07", start_date=date(2027, 1, 1), end_date=date(2027, 12, 31)
    )
    keep = add_milestone(measure, "Start", date(2027, 2, 1))
    drop = add_milestone(measure, "Alt", date(2027, 3, 1))
    data = form_data(
        reference,
        number="M-07",
        end_date="2027-12-31",
        **{
            "milestones-TOTAL_FORMS": "3",
            "milestones-INITIAL_FORMS": "2",
            "milestones-0-id": str(keep.pk),
            "milestones-0-title": "Start (erledigt)",
            "milestones-0-due_on": "2027-02-01",
            "milestones-0-done": "on",
            "milestones-1-id": str(drop.pk),
            "milestones-1-title": "Alt",
            "milestones-1-due_on": "2027-03-01",
            "milestones-1-DELETE": "on",
            "milestones-2-title": "Abschluss",
            "milestones-2-due_on": "2027-12-01",
        },
    )
    response = staff_client.post(reverse("roadmaps:measure_edit", args=[measure.pk]), data)
    assert response.status_code == 302
    assert list(measure.milestones.values_list("pk", "title", "done")) == [
        (keep.pk, "Start (erledigt)", True),
        (Milestone.objects.get(title="Abschluss").pk, "Abschluss", False),
    ]


BAD_INPUTS = [
    ({"end_date": "2026-12-31"}, "The end must not be before the start."),
    ({"investment_cost": "-1"}, "Costs cannot be negative."),
    ({"running_cost_per_year": "-0.01"}, "Costs cannot be negative."),
    ({"grant_rate": "100.01"}, "The grant rate must be between 0 and 100 %."),
    ({"grant_rate": "-5"}, "The grant rate must be between 0 and 100 %."),
    ({"milestones-0-due_on": "2026-12-31"}, "The milestone must lie within the period"),
    ({"milestones-0-due_on": "2028-07-01"}, "The milestone must lie within the period"),
    ({"theme_fields": None}, "Please choose at least one theme field."),
    ({"origin": "inventory"}, "Please choose the inventory project this measure comes from."),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_clear_message(
    staff_client, process, reference, overrides, message
):
    response = staff_client.post(reverse("roadmaps:measure_new"), form_data(reference, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="alert alert-danger error-summary"' in response.content.decode()
    assert not Measure.objects.exists()
    assert not Milestone.objects.exists()


def test_the_number_is_unique_per_process(staff_client, process, reference):
    make_measure(process, "M-01")
    response = staff_client.post(reverse("roadmaps:measure_new"), form_data(reference))
    assert "Another measure of this strategy already has the number M-01." in (
        response.content.decode()
    )
    assert Measure.objects.count() == 1


def test_a_measure_cannot_depend_on_itself(staff_client, process, reference):
    measure = make_measure(process, "M-01")
    data = form_data(reference, depends_on=[measure.pk])
    response = staff_client.post(reverse("roadmaps:measure_edit", args=[measure.pk]), data)
    assert "A measure cannot depend on itself." in response.content.decode()
    measure.refresh_from_db()
    assert measure.title == "Maßnahme M-01"
    assert not measure.depends_on.exists()
    with translation.override("en"), pytest.raises(MeasureError, match="itself"):
        measure_save(measure=measure, theme_fields=measure.theme_fields.all(), depends_on=[measure])


def test_a_dependency_cycle_is_refused_naming_its_measures(staff_client, process, reference):
    a = make_measure(process, "M-01")
    b = make_measure(process, "M-02", depends_on=[a])
    c = make_measure(process, "M-03", depends_on=[b])
    make_measure(process, "M-04", depends_on=[c])  # an unrelated branch of the graph
    # A → C would close the cycle A → C → B → A.
    data = form_data(reference, number="M-01", title="Geändert", depends_on=[c.pk])
    response = staff_client.post(reverse("roadmaps:measure_edit", args=[a.pk]), data)
    assert response.status_code == 200
    assert "These dependencies would form a cycle: M-01 → M-03 → M-02 → M-01." in (
        response.content.decode()
    )
    a.refresh_from_db()
    assert a.title == "Maßnahme M-01"
    assert not a.depends_on.exists()
    assert not a.milestones.exists()


def test_cycle_search_walks_the_whole_graph(process, reference):
    measures = [make_measure(process, f"M-{i:02d}") for i in range(1, 7)]
    pk = [m.pk for m in measures]
    # 1 → 2 → 3 → 4 → 5, and 6 on its own.
    for earlier, later in zip(measures, measures[1:5], strict=False):
        later.depends_on.add(earlier)
    assert dependency_cycle(process=process, measure_pk=pk[0], depends_on=[pk[4]]) == [
        pk[0],
        pk[4],
        pk[3],
        pk[2],
        pk[1],
        pk[0],
    ]
    assert dependency_cycle(process=process, measure_pk=pk[0], depends_on=[pk[5]]) == []
    assert dependency_cycle(process=process, measure_pk=None, depends_on=pk) == []
    # Diamonds are fine: 6 depends on 2 and 3, which both lead back to 1.
    assert dependency_cycle(process=process, measure_pk=pk[5], depends_on=[pk[1], pk[2]]) == []


def test_service_refuses_a_cycle_and_writes_nothing(process, reference):
    a = make_measure(process, "M-01")
    b = make_measure(process, "M-02", depends_on=[a])
    b.title = "Neu"
    a.title = "Neu"
    with translation.override("en"), pytest.raises(MeasureError, match="M-01 → M-02 → M-01"):
        measure_save(measure=a, theme_fields=ThemeField.objects.all()[:1], depends_on=[b])
    a.refresh_from_db()
    assert a.title == "Maßnahme M-01" and not a.depends_on.exists()


@pytest.mark.parametrize(
    ("values", "milestone", "text"),
    [
        ({"start_date": date(2028, 1, 1), "end_date": date(2027, 1, 1)}, None, "end must not"),
        ({"investment_cost": Decimal("-1")}, None, "negative"),
        ({"grant_rate": Decimal("101")}, None, "between 0 and 100"),
        (
            {"start_date": date(2027, 1, 1), "end_date": date(2027, 6, 30)},
            date(2027, 7, 1),
            "within the period",
        ),
    ],
)
def test_service_checks_the_rules_itself(process, reference, values, milestone, text):
    measure = Measure(process=process, number="M-01", title="X", **values)
    milestones = [{"pk": None, "title": "MS", "due_on": milestone}] if milestone else []
    with translation.override("en"), pytest.raises(MeasureError, match=text):
        measure_save(
            measure=measure, theme_fields=ThemeField.objects.all()[:1], milestones=milestones
        )
    assert not Measure.objects.exists()


def test_delete_a_measure(staff_client, process, reference):
    a = make_measure(process, "M-01")
    b = make_measure(process, "M-02", depends_on=[a])
    url = reverse("roadmaps:measure_delete", args=[a.pk])
    assert "M-02" in staff_client.get(url).content.decode()
    response = staff_client.post(url)
    assert response.status_code == 302
    assert list(Measure.objects.all()) == [b]
    assert not b.depends_on.exists()


def test_origin_links_to_its_object(staff_client, process, reference):
    project = ProjectFactory(municipality=reference["Dülmen"], title="Parken-App")
    synergy = SynergyCandidate.objects.create(key="x", score=0.8, decision="joint_project")
    synergy.projects.add(project)
    open_synergy = SynergyCandidate.objects.create(key="y", score=0.5)

    form = staff_client.get(reverse("roadmaps:measure_new")).context["form"]
    assert list(form.fields["origin_synergy"].queryset) == [synergy]
    assert open_synergy not in form.fields["origin_synergy"].queryset

    data = form_data(reference, origin="inventory", origin_project=project.pk)
    staff_client.post(reverse("roadmaps:measure_new"), data)
    measure = Measure.objects.get()
    assert measure.origin_project == project and measure.origin_synergy is None
    html = staff_client.get(measure.get_absolute_url()).content.decode()
    assert f'href="{project.get_absolute_url()}"' in html and "Parken-App" in html


def test_profile_page_reads_like_a_measure_profile(staff_client, process, reference):
    other = make_measure(process, "M-01", title="Breitband", end_date=date(2027, 12, 31))
    measure = make_measure(
        process,
        "M-02",
        title="Digitales Bürgerportal",
        description="Ein **gemeinsames** Portal.",
        target_group="Bürgerinnen und Bürger",
        expected_benefit="Weniger Wege",
        lead_organisation="Kreis Coesfeld",
        partners="KDN",
        municipalities=[reference["Dülmen"]],
        investment_cost=100000,
        running_cost_per_year=5000,
        funding_programme=FundingProgramme.objects.first(),
        grant_rate=80,
        start_date=date(2028, 1, 1),
        end_date=date(2028, 12, 31),
        priority="high",
        status="agreed",
        depends_on=[other],
    )
    add_milestone(measure, "Go-live", date(2028, 10, 1))
    html = staff_client.get(measure.get_absolute_url()).content.decode()
    for text in [
        "Measure profile",
        "M-02",
        "Digitales Bürgerportal",
        "<strong>gemeinsames</strong>",
        "Bürgerinnen und Bürger",
        "Weniger Wege",
        "Kreis Coesfeld",
        "KDN",
        "Dülmen",
        "100,000.00 €",
        "80,000.00 €",  # possible grant
        "20,000.00 €",  # own share
        FundingProgramme.objects.first().name,
        "Go-live",
        "M-01 Breitband",
        "High (start now)",
        "Agreed",
    ]:
        assert text in html, text
    assert "Costs and funding" in html and "Period and milestones" in html


def _measures_for_filters(process, reference):
    fields = list(ThemeField.objects.order_by("position")[:2])
    programme = FundingProgramme.objects.first()
    return {
        "duelmen": make_measure(
            process, "M-01", fields=[fields[0]], municipalities=[reference["Dülmen"]]
        ),
        "nottuln": make_measure(
            process,
            "M-02",
            fields=[fields[1]],
            municipalities=[reference["Nottuln"]],
            priority="low",
            status="running",
            funding_programme=programme,
        ),
        "district": make_measure(process, "M-03", fields=fields, priority="high"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"M-01", "M-02", "M-03"}),
        ("municipality=Dülmen", {"M-01", "M-03"}),  # own ones and the Kreis-wide
        ("municipality=Nottuln", {"M-02", "M-03"}),
        ("priority=low", {"M-02"}),
        ("status=running", {"M-02"}),
        ("programme=first", {"M-02"}),
        ("field=second", {"M-02", "M-03"}),
        ("field=first&priority=high", {"M-03"}),
    ],
)
def test_list_filters_in_the_url(staff_client, process, reference, query, expected):
    _measures_for_filters(process, reference)
    fields = list(ThemeField.objects.order_by("position")[:2])
    query = (
        query.replace("Dülmen", str(reference["Dülmen"].pk))
        .replace("Nottuln", str(reference["Nottuln"].pk))
        .replace("programme=first", f"programme={FundingProgramme.objects.first().pk}")
        .replace("field=first", f"field={fields[0].pk}")
        .replace("field=second", f"field={fields[1].pk}")
    )
    response = staff_client.get(reverse("roadmaps:measure_list") + "?" + query)
    shown = {m.number for m in response.context["page"].object_list}
    assert shown == expected


# Permissions: every measure URL × every role ---------------------------------------------------

L = "login"
ROLES = [
    "anonymous",
    "district_staff",
    "consultant",
    "rep_duelmen",
    "working_group",
    "councillor",
    "admin",
]


def row(*values):
    return dict(zip(ROLES, values, strict=True))


READ = row(L, 200, 200, 200, 200, 200, 200)
RUN = row(L, 200, 200, 403, 403, 403, 200)
POST_RUN = row(L, 302, 302, 403, 403, 403, 302)
PERMISSIONS = {
    "roadmaps:measure_list": (False, "get", READ),
    "roadmaps:measure_detail": (True, "get", READ),
    "roadmaps:measure_new": (False, "get", RUN),
    "roadmaps:measure_edit": (True, "get", RUN),
    "roadmaps:measure_delete": (True, "get", RUN),
    "roadmaps:roadmap": (False, "get", READ),
    "roadmaps:funding_overview": (False, "get", READ),
}
# Writes, with the data that would change something when allowed.
POSTS = {
    "roadmaps:measure_new": (False, POST_RUN),
    "roadmaps:measure_edit": (True, POST_RUN),
    "roadmaps:measure_delete": (True, POST_RUN),
}
CASES = [(name, role) for name in PERMISSIONS for role in ROLES]
POST_CASES = [(name, role) for name in POSTS for role in ROLES]


@pytest.fixture
def target(process, reference):
    return make_measure(process, "M-01", title="Unverändert")


def _login(client, personas, role):
    if role != "anonymous":
        client.force_login(personas[role])


def _check(response, expected):
    if expected == L:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_url_role_matrix(client, personas, target, name, role):
    with_pk, _method, expected = PERMISSIONS[name]
    _login(client, personas, role)
    url = reverse(name, args=[target.pk] if with_pk else None)
    _check(client.get(url), expected[role])


@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"{n}-{r}" for n, r in POST_CASES])
def test_refused_posts_change_nothing(client, personas, reference, target, name, role):
    with_pk, expected = POSTS[name]
    _login(client, personas, role)
    url = reverse(name, args=[target.pk] if with_pk else None)
    data = form_data(reference, number="M-01" if with_pk else "M-02", title="Geändert")
    response = client.post(url, data)
    _check(response, expected[role])
    if expected[role] != 302:
        assert list(Measure.objects.values_list("number", "title")) == [("M-01", "Unverändert")]
        assert not Milestone.objects.exists()


def test_list_needs_a_fixed_number_of_queries(client, personas, process, reference):
    from roadmaps.demo import measures_large_create

    client.force_login(personas["councillor"])
    url = reverse("roadmaps:measure_list") + f"?municipality={reference['Dülmen'].pk}"
    measures_large_create(process, count=10, goals=5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    measures_large_create(process, count=290, goals=5)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large) <= 20


@pytest.mark.parametrize(
    "taken",
    [
        ["M-01", "M-" + "9" * 18],  # the next number would not fit the 20 characters
        ["M-01", "M-٣٣"],  # Arabic-Indic digits: no number of this scheme
        ["M-01", "M-²"],
        ["M-01", "M-１２"],  # fullwidth digits
    ],
)
def test_number_suggestion_counts_ascii_numbers_only(process, taken):
    """Numbers typed with other digits, or too long for a new number, are left out of the
    suggestion, which always fits the field and is free."""
    for number in taken:
        Measure.objects.create(process=process, number=number, title=number)
    suggested = measure_number_suggest(process=process)
    assert suggested == "M-02"
    assert len(suggested) <= Measure._meta.get_field("number").max_length
