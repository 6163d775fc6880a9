"""Permission table of the live-session URLs: URL × role → expected outcome.

Roles are the portal's personas plus the guest who joined this session, a guest of another
session and a councillor named as the workshop's facilitator. "login" means the request is
sent to the login page. A refused request changes nothing."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.workshops.test_live_factories import (  # noqa: F401
    cards_create,
    fresh_cache,
    guest_join,
    live_fixture,
    started,
)
from workshops import live_urls
from workshops.models import Activity, Card, Cluster, Dot, Participant, PromotedResult, Rating

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "guest_this",
    "guest_other",
    "district_staff",
    "consultant",
    "rep_duelmen",
    "rep_nottuln",
    "working_group",
    "councillor",
    "admin",
    "facilitator",
]
L = "login"


def row(anon, guest, guest_other, staff, consultant, rep, rep_other, wg, councillor, admin, fac):
    values = [
        anon,
        guest,
        guest_other,
        staff,
        consultant,
        rep,
        rep_other,
        wg,
        councillor,
        admin,
        fac,
    ]
    return dict(zip(ROLES, values, strict=True))


PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
TAKE_PART = row(L, 200, L, 200, 200, 200, 200, 200, 200, 200, 200)
POST_TAKE_PART = row(L, 302, L, 302, 302, 302, 302, 302, 302, 302, 302)
RUN = row(L, L, L, 200, 200, 403, 403, 403, 403, 200, 200)
POST_RUN = row(L, L, L, 302, 302, 403, 403, 403, 403, 302, 302)

# name -> (extra URL arguments, method, expectations); the session is always the first one.
TABLE = {
    "workshops:live_join": (None, "get", PUBLIC),
    "workshops:live_participate": ((), "get", TAKE_PART),
    "workshops:live_participant_panel": ((), "get", TAKE_PART),
    "workshops:live_card_post": ((), "post", POST_TAKE_PART),
    "workshops:live_dot": ((), "post", POST_TAKE_PART),
    "workshops:live_rating": ((), "post", POST_TAKE_PART),
    "workshops:live_projector": ((), "get", RUN),
    "workshops:live_projector_panel": ((), "get", RUN),
    "workshops:live_facilitate": ((), "get", RUN),
    "workshops:live_facilitator_status": ((), "get", RUN),
    "workshops:live_facilitator_board": ((), "get", RUN),
    "workshops:live_activity_add": ((), "post", POST_RUN),
    "workshops:live_activity_start": (("activity",), "post", POST_RUN),
    "workshops:live_activity_timer": (("activity",), "post", POST_RUN),
    "workshops:live_activity_lock": (("activity",), "post", POST_RUN),
    "workshops:live_activity_unlock": (("activity",), "post", POST_RUN),
    "workshops:live_activity_close": (("activity",), "post", POST_RUN),
    "workshops:live_activity_reveal": (("activity",), "post", POST_RUN),
    "workshops:live_activity_promote": (("activity",), "get", RUN),
    "workshops:live_cluster_add": ((), "post", POST_RUN),
    "workshops:live_cluster_rename": (("cluster",), "post", POST_RUN),
    "workshops:live_card_move": (("card",), "post", POST_RUN),
    "workshops:live_card_edit": (("card",), "get", RUN),
    "workshops:live_card_merge": ((), "post", POST_RUN),
}


def test_every_live_url_is_in_the_table():
    names = {f"workshops:{pattern.name}" for pattern in live_urls.urlpatterns}
    assert names == set(TABLE)


def snapshot():
    return (
        list(Activity.objects.values_list("pk", "status", "results_revealed", "timer_ends_at")),
        list(Card.objects.values_list("pk", "text", "cluster_id", "merged_into_id")),
        list(Cluster.objects.values_list("pk", "name")),
        Dot.objects.count(),
        Rating.objects.count(),
        PromotedResult.objects.count(),
        Participant.objects.count(),
    )


@pytest.fixture
def objects(live):
    session = live["session"]
    ideas = started(session, Activity.Kind.IDEAS)
    card = cards_create(session, ideas, 1)[0]
    cluster = Cluster.objects.create(session=session, name="Mobilität")
    return {"session": session, "activity": ideas, "card": card, "cluster": cluster}


def client_for(role, personas, live):
    if role == "guest_this":
        return guest_join(live["session"])[0]
    if role == "guest_other":
        return guest_join(live["other_session"])[0]
    client = Client()
    if role == "facilitator":
        user = UserFactory()  # a councillor by default
        live["workshop"].facilitators.add(user)
        client.force_login(user)
    elif role != "anonymous":
        client.force_login(personas[role])
    return client


def check(client, *, url, method, expected):
    before = snapshot()
    response = getattr(client, method)(url)
    if expected == L:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    if expected in (403, L):
        assert snapshot() == before, "a refused request changed data"


@pytest.mark.parametrize("name", TABLE)
def test_live_url_role_matrix(personas, live, objects, name):
    extra, method, expectations = TABLE[name]
    args = None if extra is None else [objects["session"].pk, *(objects[e].pk for e in extra)]
    url = reverse(name, args=args)
    failures = []
    for role in ROLES:
        # Every role starts from the same data: its changes are rolled back afterwards.
        with transaction.atomic():
            try:
                check(
                    client_for(role, personas, live),
                    url=url,
                    method=method,
                    expected=expectations[role],
                )
            except AssertionError as error:
                failures.append(f"{role}: {error}")
            transaction.set_rollback(True)
    assert not failures, failures


def test_unknown_sessions_are_404_for_those_allowed(personas):
    client = Client()
    client.force_login(personas["district_staff"])
    assert client.get(reverse("workshops:live_facilitate", args=[999999])).status_code == 404
    assert client.get(reverse("workshops:live_participate", args=[999999])).status_code == 404
