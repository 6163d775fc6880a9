"""Theme field plans: overview, priorities set directly and taken from a dot vote, field
vision, goal hierarchy, permissions (URL × role) and query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from roadmaps.field_selectors import field_plan_detail, tiers_split, vote_priority_proposal
from roadmaps.field_services import (
    FieldPlanError,
    PriorityInput,
    field_plans_ensure,
    field_priorities_from_vote,
    field_priorities_set,
    goal_save,
)
from roadmaps.models import FieldPlan, Goal, Measurement, TargetValue
from strategy.models import ThemeField
from strategy.services import process_create
from tests.roadmaps import dot_vote, goal_in, plan_of, target_of
from workshops.models import PromotedResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, personas):
    client.force_login(personas["district_staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _priority_post(plans, **overrides):
    data = {}
    for index, plan in enumerate(plans, start=1):
        data[f"tier_{plan.pk}"] = "I" if index <= 4 else "II" if index <= 8 else "III"
        data[f"rank_{plan.pk}"] = str(index)
        data[f"rationale_{plan.pk}"] = f"Begründung {index}"
    data.update(overrides)
    return data


def _plans(process):
    field_plans_ensure(process=process)
    return list(FieldPlan.objects.filter(process=process).order_by("theme_field__position"))


# Overview ---------------------------------------------------------------------------------


def test_overview_creates_a_plan_for_every_theme_field_once(staff_client, process):
    response = staff_client.get(reverse("roadmaps:field_list"))
    assert response.status_code == 200
    assert FieldPlan.objects.filter(process=process).count() == ThemeField.objects.count() == 13
    staff_client.get(reverse("roadmaps:field_list"))
    assert FieldPlan.objects.filter(process=process).count() == 13
    for theme_field in ThemeField.objects.all():
        assert theme_field.name in response.content.decode()


def test_overview_shows_tier_rank_rationale_and_counts(staff_client, process):
    plan = plan_of(process, "Bildung")
    plan.tier, plan.rank, plan.rationale = "I", 1, "Schulen brauchen WLAN"
    plan.save()
    strategic = goal_in(plan, "Digitale Schulen")
    operative = goal_in(plan, "WLAN in allen Schulen", kind="operative", parent=strategic)
    target_of(strategic)
    target_of(operative)
    target_of(operative, indicator="Schulen mit WLAN")
    response = staff_client.get(reverse("roadmaps:field_list"))
    rows = {p.theme_field.name: p for p in response.context["plans"]}
    assert response.context["plans"][0] == plan  # ranked fields first
    assert (rows["Bildung"].goal_count, rows["Bildung"].target_count) == (2, 3)
    assert (rows["Kultur"].goal_count, rows["Kultur"].target_count) == (0, 0)
    html = response.content.decode()
    assert "Schulen brauchen WLAN" in html and "Priority I" in html


def test_overview_without_a_process(staff_client, reference):
    response = staff_client.get(reverse("roadmaps:field_list"))
    assert response.status_code == 200
    assert "There is no strategy process yet." in response.content.decode()
    assert not FieldPlan.objects.exists()


# Priorities set directly ------------------------------------------------------------------


def test_staff_sets_priorities_of_all_fields_in_one_form(staff_client, process):
    plans = _plans(process)
    response = staff_client.post(reverse("roadmaps:field_priorities"), _priority_post(plans))
    assert response.status_code == 302
    saved = {p.pk: p for p in FieldPlan.objects.filter(process=process)}
    assert [saved[p.pk].rank for p in plans] == list(range(1, 14))
    assert [saved[p.pk].tier for p in plans] == ["I"] * 4 + ["II"] * 4 + ["III"] * 5
    assert saved[plans[0].pk].rationale == "Begründung 1"


def test_blank_tiers_and_ranks_are_allowed(staff_client, process):
    plans = _plans(process)
    data = _priority_post(plans, **{f"tier_{plans[0].pk}": "", f"rank_{plans[0].pk}": ""})
    assert staff_client.post(reverse("roadmaps:field_priorities"), data).status_code == 302
    plans[0].refresh_from_db()
    assert (plans[0].tier, plans[0].rank) == ("", None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rank", "1", "Rank 1 is given to more than one theme field."),
        ("tier", "IV", "Please choose priority I, II or III."),
        ("rank", "0", "Please enter a rank from 1 to 13."),
        ("rank", "14", "Please enter a rank from 1 to 13."),
        ("rank", "zwei", "Please enter the rank as a whole number."),
    ],
)
def test_invalid_priorities_save_nothing(staff_client, process, field, value, message):
    plans = _plans(process)
    before = list(FieldPlan.objects.values_list("pk", "tier", "rank", "rationale"))
    data = _priority_post(plans, **{f"{field}_{plans[1].pk}": value})
    response = staff_client.post(reverse("roadmaps:field_priorities"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(FieldPlan.objects.values_list("pk", "tier", "rank", "rationale")) == before


def test_service_refuses_duplicate_ranks_and_other_processes(process):
    plans = _plans(process)
    with pytest.raises(FieldPlanError):
        field_priorities_set(
            process=process,
            priorities={
                plans[0].pk: PriorityInput(tier="I", rank=1),
                plans[1].pk: PriorityInput(tier="I", rank=1),
            },
        )
    other = process_create(title="Fortschreibung", year=2031)
    with pytest.raises(FieldPlanError):
        field_priorities_set(
            process=other, priorities={plans[0].pk: PriorityInput(tier="I", rank=1)}
        )
    assert not FieldPlan.objects.filter(rank__isnull=False).exists()


def test_changing_a_voted_priority_by_hand_drops_the_vote_as_source(process):
    activity = dot_vote(process, {"Bildung": 5, "Mobilität": 3})
    field_priorities_from_vote(process=process, activity=activity)
    plans = {p.theme_field.name: p for p in FieldPlan.objects.filter(process=process)}
    bildung, mobil = plans["Bildung"], plans["Mobilität"]
    assert (bildung.rank, mobil.rank, mobil.tier) == (1, 2, "I")
    field_priorities_set(
        process=process,
        priorities={
            bildung.pk: PriorityInput(tier="I", rank=1, rationale="bleibt"),
            mobil.pk: PriorityInput(tier="II", rank=2),
        },
    )
    bildung.refresh_from_db()
    mobil.refresh_from_db()
    assert bildung.priority_source == activity
    assert mobil.priority_source is None


# Priorities from a dot vote ---------------------------------------------------------------


def test_tier_split_top_third_middle_rest():
    assert tiers_split(13) == ["I"] * 5 + ["II"] * 4 + ["III"] * 4
    assert tiers_split(3) == ["I", "II", "III"]
    assert tiers_split(0) == []


def test_preview_then_confirm_takes_ranks_and_tiers_from_the_vote(staff_client, process):
    activity = dot_vote(process, {"Bildung": 9, "Mobilität": 7, "Gesundheit": 7, "Kultur": 1})
    url = reverse("roadmaps:field_priorities_vote")
    response = staff_client.get(url)
    assert activity.title in response.content.decode()

    response = staff_client.get(url, {"activity": activity.pk})
    assert response.status_code == 200
    proposal = response.context["proposal"]
    assert [row.theme_field.name for row in proposal[:4]] == [
        "Bildung",
        "Gesundheit",  # 7 dots like Mobilität: ties alphabetical
        "Mobilität",
        "Kultur",
    ]
    assert [row.dots for row in proposal[:4]] == [9, 7, 7, 1]
    assert not FieldPlan.objects.filter(rank__isnull=False).exists()  # only a preview

    response = staff_client.post(url, {"activity": activity.pk})
    assert response.status_code == 302
    plans = {p.theme_field.name: p for p in FieldPlan.objects.filter(process=process)}
    assert sorted(p.rank for p in plans.values()) == list(range(1, 14))
    assert (plans["Bildung"].rank, plans["Bildung"].tier) == (1, "I")
    assert (plans["Kultur"].rank, plans["Kultur"].tier) == (4, "I")
    assert [p.tier for p in sorted(plans.values(), key=lambda p: p.rank)] == tiers_split(13)
    assert all(p.priority_source_id == activity.pk for p in plans.values())
    assert plans["Bildung"].rationale == "Dots in the dot vote “Welche Felder zuerst?”: 9."


def test_promoted_field_priorities_win_over_the_raw_dots(process):
    activity = dot_vote(process, {"Bildung": 9, "Mobilität": 7})
    fields = {f.name: f for f in ThemeField.objects.all()}
    for rank, name in enumerate(["Mobilität", "Kultur", "Bildung"], start=1):
        PromotedResult.objects.create(
            activity=activity,
            kind=PromotedResult.Kind.FIELD_PRIORITY,
            text=name,
            theme_field=fields[name],
            rank=rank,
            dots=10 - rank,
        )
    proposal = vote_priority_proposal(activity=activity)
    assert [row.theme_field.name for row in proposal[:3]] == ["Mobilität", "Kultur", "Bildung"]
    assert [row.tier for row in proposal[:3]] == ["I", "II", "III"]
    assert len(proposal) == 13 and not any(row.voted for row in proposal[3:])
    field_priorities_from_vote(process=process, activity=activity)
    unvoted = FieldPlan.objects.get(process=process, theme_field__name="Gesundheit")
    assert unvoted.tier == "III" and unvoted.priority_source is None and unvoted.rank > 3


def test_vote_without_results_shows_a_message_and_saves_nothing(staff_client, process):
    activity = dot_vote(process, {})
    url = reverse("roadmaps:field_priorities_vote")
    message = "has no results: nobody placed a dot on a theme field"
    response = staff_client.get(url, {"activity": activity.pk})
    assert message in response.content.decode()
    response = staff_client.post(url, {"activity": activity.pk})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FieldPlan.objects.filter(rank__isnull=False).exists()
    with translation.override("en"), pytest.raises(FieldPlanError) as error:
        field_priorities_from_vote(process=process, activity=activity)
    assert str(error.value.message).startswith("The dot vote “Welche Felder zuerst?” has no")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("running", "This dot vote is not finished yet."),
        ("other_process", "This dot vote belongs to another strategy process."),
        ("cards", "Only a dot vote over the theme fields can set the priorities."),
    ],
)
def test_only_finished_votes_over_fields_of_this_process(staff_client, process, case, message):
    if case == "other_process":
        # An older edition: the current process stays the 2027 one.
        activity = dot_vote(process_create(title="Andere", year=2020), {"Bildung": 3})
    else:
        activity = dot_vote(
            process, {"Bildung": 3}, status="open" if case == "running" else "closed"
        )
        if case == "cards":
            activity.target = "cards"
            activity.save()
    response = staff_client.post(
        reverse("roadmaps:field_priorities_vote"), {"activity": activity.pk}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FieldPlan.objects.filter(rank__isnull=False).exists()


# Field page and vision --------------------------------------------------------------------


def test_field_page_groups_operative_goals_under_their_strategic_goal(staff_client, process):
    plan = plan_of(process)
    first = goal_in(plan, "Erster strategischer")
    second = goal_in(plan, "Zweiter strategischer")
    below_second = goal_in(plan, "Operativ unter zwei", kind="operative", parent=second)
    loose = goal_in(plan, "Ohne Oberziel", kind="operative")
    target_of(below_second)
    detail = field_plan_detail(pk=plan.pk)
    assert [v.goal for v in detail.strategic] == [first, second]
    assert [v.goal for v in detail.strategic[1].operative] == [below_second]
    assert detail.strategic[1].operative[0].targets[0].target_value.indicator
    assert [v.goal for v in detail.unassigned] == [loose]
    html = staff_client.get(plan.get_absolute_url()).content.decode()
    assert html.index("Zweiter strategischer") < html.index("Operativ unter zwei")
    assert "Operative goals without a strategic goal" in html


def test_field_vision_is_markdown_and_sanitised(staff_client, process):
    plan = plan_of(process)
    vision = (
        "## Unser Bild\n\n**Mobil** im ganzen Kreis <script>alert(1)</script> "
        "[x](javascript:alert(1))"
    )
    response = staff_client.post(
        reverse("roadmaps:field_vision", args=[plan.pk]), {"vision": vision}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.vision.startswith("## Unser Bild")
    html = staff_client.get(plan.get_absolute_url()).content.decode()
    assert "<strong>Mobil</strong>" in html
    assert "<script>alert" not in html and "javascript:" not in html


# Goals ------------------------------------------------------------------------------------


def test_staff_adds_edits_and_deletes_goals(staff_client, process):
    plan = plan_of(process)
    response = staff_client.post(
        reverse("roadmaps:goal_new", args=[plan.pk]),
        {"kind": "strategic", "title": "Vernetzte Mobilität", "description": "", "position": ""},
    )
    assert response.status_code == 302
    strategic = Goal.objects.get(title="Vernetzte Mobilität")
    response = staff_client.post(
        reverse("roadmaps:goal_new", args=[plan.pk]),
        {"kind": "operative", "parent": strategic.pk, "title": "Mobilstationen", "position": "2"},
    )
    operative = Goal.objects.get(title="Mobilstationen")
    assert response["Location"].endswith(f"#goal-{operative.pk}")
    assert (operative.parent, operative.field_plan, operative.position) == (strategic, plan, 2)
    staff_client.post(
        reverse("roadmaps:goal_edit", args=[operative.pk]),
        {"kind": "operative", "parent": strategic.pk, "title": "Zehn Mobilstationen"},
    )
    operative.refresh_from_db()
    assert operative.title == "Zehn Mobilstationen"
    target_of(operative)
    assert staff_client.get(reverse("roadmaps:goal_delete", args=[strategic.pk])).status_code == 200
    staff_client.post(reverse("roadmaps:goal_delete", args=[strategic.pk]))
    assert not Goal.objects.exists() and not TargetValue.objects.exists()


@pytest.fixture
def hierarchy(process):
    plan = plan_of(process)
    other_plan = plan_of(process, "Bildung")
    return {
        "plan": plan,
        "strategic": goal_in(plan, "Strategisch hier"),
        "operative": goal_in(plan, "Operativ hier", kind="operative"),
        "foreign": goal_in(other_plan, "Strategisch in Bildung"),
    }


@pytest.mark.parametrize(
    ("kind", "parent", "message"),
    [
        ("operative", "foreign", "The strategic goal must belong to the same theme field."),
        ("operative", "operative", "An operative goal can only be placed under a strategic goal."),
        ("operative", None, "Please choose the strategic goal this operative goal belongs to."),
        ("strategic", "strategic", "A strategic goal cannot be placed under another goal."),
        ("operative", "missing", "Please choose one of the strategic goals listed."),
        ("tactical", None, "Select a valid choice."),
    ],
)
def test_goal_hierarchy_is_validated(staff_client, hierarchy, kind, parent, message):
    before = list(Goal.objects.values_list("pk", "kind", "parent", "title"))
    parent_pk = {"missing": 999999}.get(parent) or (hierarchy[parent].pk if parent else "")
    response = staff_client.post(
        reverse("roadmaps:goal_new", args=[hierarchy["plan"].pk]),
        {"kind": kind, "parent": parent_pk, "title": "Neues Ziel"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Goal.objects.values_list("pk", "kind", "parent", "title")) == before


def test_strategic_goal_with_operative_goals_cannot_become_operative(staff_client, hierarchy):
    strategic = hierarchy["strategic"]
    goal_in(hierarchy["plan"], "Darunter", kind="operative", parent=strategic)
    other = goal_in(hierarchy["plan"], "Anderes strategisches")
    response = staff_client.post(
        reverse("roadmaps:goal_edit", args=[strategic.pk]),
        {"kind": "operative", "parent": other.pk, "title": strategic.title},
    )
    assert "still has operative goals" in response.content.decode()
    strategic.refresh_from_db()
    assert strategic.kind == "strategic"


def test_goal_service_checks_the_hierarchy_too(hierarchy):
    with translation.override("en"), pytest.raises(FieldPlanError) as error:
        goal_save(
            field_plan=hierarchy["plan"],
            kind="operative",
            parent=hierarchy["foreign"],
            title="Quer",
        )
    assert error.value.field == "parent"
    expected = "Das strategische Ziel muss zum selben Handlungsfeld gehören."
    assert str(error.value.message) == expected
    with pytest.raises(FieldPlanError):
        goal_save(
            field_plan=hierarchy["plan"],
            goal=hierarchy["strategic"],
            kind="operative",
            parent=hierarchy["strategic"],
            title="Unter sich selbst",
        )
    assert Goal.objects.count() == 3


# Permissions: URL × role ------------------------------------------------------------------

ROLES = [
    "anonymous",
    "district_staff",
    "consultant",
    "rep_duelmen",
    "working_group",
    "councillor",
    "admin",
]
L = "login"


def _row(*values):
    return dict(zip(ROLES, values, strict=True))


READ = _row(L, 200, 200, 200, 200, 200, 200)
RUN = _row(L, 200, 200, 403, 403, 403, 200)
POST_RUN = _row(L, 302, 302, 403, 403, 403, 302)

GET_TABLE = {
    "roadmaps:field_list": (None, READ),
    "roadmaps:field_priorities": (None, RUN),
    "roadmaps:field_priorities_vote": (None, RUN),
    "roadmaps:field_detail": ("plan", READ),
    "roadmaps:field_vision": ("plan", RUN),
    "roadmaps:goal_new": ("plan", RUN),
    "roadmaps:goal_edit": ("goal", RUN),
    "roadmaps:goal_delete": ("goal", RUN),
    "roadmaps:target_new": ("goal", RUN),
    "roadmaps:target_edit": ("target", RUN),
    "roadmaps:target_delete": ("target", RUN),
    "roadmaps:measurement_new": ("target", RUN),
    "roadmaps:measurement_delete": ("measurement", RUN),
}
TARGET_POST = {
    "indicator": "Mobilstationen",
    "unit": "Anzahl",
    "baseline_value": "0",
    "baseline_year": "2025",
    "target_value": "12",
    "target_year": "2030",
    "interval": "yearly",
}
POST_TABLE = {
    "roadmaps:field_priorities": (None, "priorities"),
    "roadmaps:field_priorities_vote": (None, "vote"),
    "roadmaps:field_vision": ("plan", {"vision": "Neues Leitbild"}),
    "roadmaps:goal_new": ("plan", {"kind": "strategic", "title": "Neues Ziel"}),
    "roadmaps:goal_edit": ("goal", {"kind": "strategic", "title": "Umbenannt"}),
    "roadmaps:goal_delete": ("goal", {}),
    "roadmaps:target_new": ("goal", TARGET_POST),
    "roadmaps:target_edit": ("target", TARGET_POST),
    "roadmaps:target_delete": ("target", {}),
    "roadmaps:measurement_new": ("target", {"measured_on": "2027-06-30", "value": "5"}),
    "roadmaps:measurement_delete": ("measurement", {}),
}


@pytest.fixture
def objects(process):
    plan = plan_of(process)
    goal = goal_in(plan)
    target = target_of(goal)
    measurement = Measurement.objects.create(
        target_value=target, measured_on=date(2026, 12, 31), value=Decimal("12")
    )
    activity = dot_vote(process, {"Bildung": 4, "Mobilität": 2})
    return {
        "plan": plan,
        "goal": goal,
        "target": target,
        "measurement": measurement,
        "activity": activity,
    }


def _snapshot():
    return (
        list(FieldPlan.objects.order_by("pk").values_list("tier", "rank", "rationale", "vision")),
        list(Goal.objects.order_by("pk").values_list("pk", "kind", "title", "parent")),
        list(TargetValue.objects.order_by("pk").values_list("pk", "indicator", "target_value")),
        list(Measurement.objects.order_by("pk").values_list("pk", "value")),
    )


def _login(client, personas, role):
    if role != "anonymous":
        client.force_login(personas[role])


def _assert_status(response, expected):
    if expected == L:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, response.status_code
        if expected == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))


GET_CASES = [(name, role) for name in GET_TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "role"), GET_CASES, ids=[f"{n}-{r}" for n, r in GET_CASES])
def test_get_permissions(client, personas, objects, name, role):
    key, expectations = GET_TABLE[name]
    _login(client, personas, role)
    response = client.get(reverse(name, kwargs={"pk": objects[key].pk} if key else None))
    _assert_status(response, expectations[role])


POST_CASES = [(name, role) for name in POST_TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"{n}-{r}" for n, r in POST_CASES])
def test_post_permissions_and_refused_posts_change_nothing(client, personas, objects, name, role):
    key, data = POST_TABLE[name]
    if data == "priorities":
        data = _priority_post(_plans(objects["plan"].process))
    elif data == "vote":
        data = {"activity": objects["activity"].pk}
    _login(client, personas, role)
    before = _snapshot()
    response = client.post(reverse(name, kwargs={"pk": objects[key].pk} if key else None), data)
    expected = POST_RUN[role]
    _assert_status(response, expected)
    if expected == 302:
        assert _snapshot() != before  # the allowed write went through
    else:
        assert _snapshot() == before


def test_unknown_objects_are_404(staff_client):
    for name in ("field_detail", "goal_edit", "target_edit", "measurement_delete"):
        assert staff_client.get(reverse(f"roadmaps:{name}", args=[999999])).status_code == 404


# Query counts -----------------------------------------------------------------------------


def _grow(process, goals_per_field, targets_per_goal, measurements_per_target):
    field_plans_ensure(process=process)
    for plan in FieldPlan.objects.filter(process=process):
        parent = None
        for g in range(goals_per_field):
            kind = "strategic" if g % 2 == 0 else "operative"
            goal = Goal.objects.create(
                field_plan=plan,
                kind=kind,
                parent=parent if kind == "operative" else None,
                title=f"Ziel {g}",
            )
            parent = goal if kind == "strategic" else parent
            for t in range(targets_per_goal):
                target = target_of(goal, indicator=f"Indikator {t}")
                Measurement.objects.bulk_create(
                    Measurement(
                        target_value=target,
                        measured_on=date(2026 + m, 6, 30),
                        value=Decimal(11 + m),
                    )
                    for m in range(measurements_per_target)
                )


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_the_data(staff_client, process):
    _grow(process, 2, 1, 1)
    plan = plan_of(process, "Gesundheit")
    dot_vote(process, {"Bildung": 2})
    urls = [
        reverse("roadmaps:field_list"),
        reverse("roadmaps:field_priorities"),
        reverse("roadmaps:field_priorities_vote"),
        plan.get_absolute_url(),
    ]
    small = {url: _count(staff_client, url) for url in urls}
    Goal.objects.all().delete()
    _grow(process, 8, 3, 4)  # 13 fields × 8 goals × 3 target values × 4 measurements
    dot_vote(process, {"Kultur": 3}, title="Zweite Abfrage")
    large = {url: _count(staff_client, url) for url in urls}
    assert small == large
    assert max(large.values()) <= 15, large
    detail = staff_client.get(plan.get_absolute_url()).context["detail"]
    assert detail.goal_count == 8
