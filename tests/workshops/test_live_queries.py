"""Every polling endpoint runs a fixed number of SQL queries (at most 10), whether the session
has 3 cards and 2 participants or 500 cards and 60 participants."""

import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategy.models import ThemeField
from tests.factories import UserFactory
from tests.workshops.test_live_factories import (
    cards_create,
    fresh_cache,  # noqa: F401
    guest_join,
    participants_create,
    session_create,
    workshop_create,
)
from workshops.models import Activity, Cluster, Dot, Participant, Rating

pytestmark = pytest.mark.django_db
MAX_QUERIES = 10
Kind, Target = Activity.Kind, Activity.Target

SCENARIOS = [
    ("none", None),
    ("ideas", None),
    ("clustering", None),
    ("dot_vote", Target.CARDS),
    ("dot_vote", Target.CLUSTERS),
    ("dot_vote", Target.THEME_FIELDS),
    ("rating", Target.CARDS),
    ("rating", Target.CLUSTERS),
]


def build(process, *, cards, participants, clusters, title):
    """A session with cards, clusters, dots and ratings in every kind of activity."""
    workshop = workshop_create(process, title=title)
    session = session_create(workshop)
    people = participants_create(session, participants)
    activities = {}
    for position, (kind, target) in enumerate(SCENARIOS[1:], start=1):
        activities[(kind, target)] = Activity.objects.create(
            session=session,
            kind=kind,
            target=target or Target.CARDS,
            title=f"{kind} {target}",
            position=position,
            status=Activity.Status.CLOSED,
            results_revealed=True,
        )
    ideas = activities[("ideas", None)]
    groups = [Cluster(session=session, name=f"Cluster {i}", position=i) for i in range(clusters)]
    Cluster.objects.bulk_create(groups)
    all_cards = cards_create(session, ideas, cards, author=people[0])
    for index, card in enumerate(all_cards):
        card.cluster = groups[index % clusters]
        card.theme_field = ThemeField.objects.order_by("pk")[index % 3]
    type(all_cards[0]).objects.bulk_update(all_cards, ["cluster", "theme_field"])
    all_cards[-1].merged_into = all_cards[0]
    all_cards[-1].save()
    fields = list(ThemeField.objects.all()[:5])
    targets = {
        Target.CARDS: [{"card": c} for c in all_cards[:-1]],
        Target.CLUSTERS: [{"cluster": g} for g in groups],
        Target.THEME_FIELDS: [{"theme_field": f} for f in fields],
    }
    dots, ratings = [], []
    for (kind, target), activity in activities.items():
        items = itertools.cycle(targets[target] if target else [])
        for participant in people:
            if kind == Kind.DOT_VOTE:
                for slot in range(1, 6):
                    dots.append(
                        Dot(activity=activity, participant=participant, slot=slot, **next(items))
                    )
            elif kind == Kind.RATING:
                for _ in range(3):
                    ratings.append(
                        Rating(
                            activity=activity,
                            participant=participant,
                            benefit=4,
                            effort=2,
                            **next(items),
                        )
                    )
    Dot.objects.bulk_create(dots)
    Rating.objects.bulk_create(ratings, ignore_conflicts=True)
    return session, activities


def make_live(session, activities, kind, target):
    Activity.objects.filter(session=session).update(status=Activity.Status.CLOSED)
    activity = activities.get((kind, target))
    if activity:
        Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.OPEN)
    session.live_activity = activity
    session.save(update_fields=["live_activity"])


def count(client, url):
    """Queries of rendering the fragment (nothing cached) and of serving it again to a
    client without its revision (the shared part comes from the cache)."""
    found = []
    cache.clear()
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found.append(len(queries.captured_queries))
    return tuple(found)


def measure(session, clients):
    urls = {
        "participant (guest)": ("guest", "live_participant_panel"),
        "participant (account)": ("account", "live_participant_panel"),
        "facilitator status": ("staff", "live_facilitator_status"),
        "facilitator board": ("staff", "live_facilitator_board"),
        "facilitator status (named facilitator)": ("facilitator", "live_facilitator_status"),
        "projector": ("staff", "live_projector_panel"),
    }
    return {
        label: count(clients[who], reverse(f"workshops:{name}", args=[session.pk]))
        for label, (who, name) in urls.items()
    }


def test_polling_endpoints_run_a_fixed_number_of_queries(process, personas):
    small, small_activities = build(process, cards=3, participants=2, clusters=2, title="Klein")
    large, large_activities = build(process, cards=500, participants=60, clusters=20, title="Groß")
    assert Participant.objects.filter(session=large).count() == 60
    assert large.cards.count() == 500

    facilitator = UserFactory()
    staff = Client()
    staff.force_login(personas["district_staff"])
    found = {}
    for session, activities in [(small, small_activities), (large, large_activities)]:
        session.workshop.facilitators.add(facilitator)
        clients = {"guest": guest_join(session, name="Gast Messung")[0], "staff": staff}
        clients["account"] = Client()
        clients["account"].force_login(personas["councillor"])
        clients["facilitator"] = Client()
        clients["facilitator"].force_login(facilitator)
        # The account becomes a participant on its first visit; measure the visits after.
        clients["account"].get(reverse("workshops:live_participate", args=[session.pk]))
        for kind, target in SCENARIOS:
            make_live(session, activities, kind, target)
            found[(session.workshop.title, kind, target)] = measure(session, clients)

    for kind, target in SCENARIOS:
        few, many = found[("Klein", kind, target)], found[("Groß", kind, target)]
        assert few == many, (kind, target, few, many)
        assert max(max(pair) for pair in many.values()) <= MAX_QUERIES, (kind, target, many)
        # Served from the shared cache, a fragment needs no more queries than rendered.
        assert all(cached <= rendered for rendered, cached in many.values()), many
