"""The three live views and their forms over HTTP: htmx answers, polling, what is shown."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from strategy.models import ThemeField
from tests.workshops.test_live_factories import (  # noqa: F401
    cards_create,
    fresh_cache,
    guest_join,
    live_fixture,
    started,
)
from workshops import live_services as services
from workshops.models import Activity, Card, Cluster, Dot, PromotedResult, Rating

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}
Kind = Activity.Kind


def url(name, session, *args):
    return reverse(f"workshops:{name}", args=[session.pk, *args])


@pytest.fixture
def staff(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["district_staff"])
    return client


def test_idea_collection_over_htmx(live, staff):
    session = live["session"]
    guest, anna = guest_join(session)
    # The facilitator prepares and starts an idea collection.
    response = staff.post(
        url("live_activity_add", session),
        {
            "kind": "ideas",
            "title": "Ideen",
            "target": "cards",
            "dots_per_participant": 5,
            "cap_per_item": 3,
        },
        **HX,
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "live-refresh"
    ideas = Activity.objects.get()
    response = staff.post(url("live_activity_start", session, ideas.pk), {"minutes": "10"}, **HX)
    assert "is running" in response.content.decode()
    panel = guest.get(url("live_participant_panel", session), HTTP_ACCEPT_LANGUAGE="en")
    html = panel.content.decode()
    assert "Ideen" in html and 'name="text"' in html and "data-live-timer" in html
    field = ThemeField.objects.first()
    response = guest.post(
        url("live_card_post", session),
        {"activity": ideas.pk, "text": "<b>Bürger-App</b>", "theme_field": field.pk},
        **HX,
    )
    assert response.status_code == 200
    card = Card.objects.get()
    assert (card.author, card.theme_field, card.text) == (anna, field, "<b>Bürger-App</b>")
    for page in (
        guest.get(url("live_participant_panel", session)),
        staff.get(url("live_facilitator_board", session)),
        staff.get(url("live_projector_panel", session)),
    ):
        html = page.content.decode()
        assert "&lt;b&gt;Bürger-App&lt;/b&gt;" in html and "<b>Bürger-App" not in html


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [("", 409, "write something"), ("x" * 281, 409, "at most 280 characters")],
)
def test_bad_cards_are_refused_with_a_message(live, text, status, message):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    guest, _ = guest_join(session)
    response = guest.post(
        url("live_card_post", session), {"activity": ideas.pk, "text": text}, **HX
    )
    assert response.status_code == status
    assert message in response.content.decode() and 'role="alert"' in response.content.decode()
    assert not Card.objects.exists()


def test_without_javascript_forms_redirect_with_a_message(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    guest, _ = guest_join(session)
    response = guest.post(
        url("live_card_post", session),
        {"activity": ideas.pk, "text": "Offenes WLAN"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("live_participate", session)
    assert "Your card has been posted." in response.content.decode()
    services.activity_close(activity=ideas)
    response = guest.post(
        url("live_card_post", session),
        {"activity": ideas.pk, "text": "Zu spät"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "no more cards can be posted" in response.content.decode()
    assert Card.objects.count() == 1


def test_dot_vote_hidden_until_revealed(live, staff):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b = cards_create(session, ideas, 2)
    vote = started(session, Kind.DOT_VOTE, dots_per_participant=2, cap_per_item=1)
    anna_client, anna = guest_join(session, "Anna")
    ben_client, ben = guest_join(session, "Ben")
    dot = url("live_dot", session)
    assert (
        anna_client.post(dot, {"activity": vote.pk, "place": f"card:{a.pk}"}, **HX).status_code
        == 200
    )
    response = anna_client.post(dot, {"activity": vote.pk, "place": f"card:{a.pk}"}, **HX)
    assert response.status_code == 409 and "at most 1 dots to one item" in response.content.decode()
    ben_client.post(dot, {"activity": vote.pk, "place": f"card:{a.pk}"}, **HX)
    ben_client.post(dot, {"activity": vote.pk, "place": f"card:{b.pk}"}, **HX)
    response = ben_client.post(dot, {"activity": vote.pk, "place": f"card:{b.pk}"}, **HX)
    assert "all your 2 dots" in response.content.decode()
    response = anna_client.post(dot, {"activity": vote.pk, "place": "card:999999"}, **HX)
    assert response.status_code == 409 and "cannot be voted on" in response.content.decode()
    response = anna_client.post(dot, {"activity": vote.pk, "place": "nonsense"}, **HX)
    assert response.status_code == 409
    assert Dot.objects.count() == 3

    # Before the reveal: Anna sees her own dot only; the facilitator sees everything.
    html = anna_client.get(
        url("live_participant_panel", session), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "You have 1 dot left." in html and "bar-chart" not in html
    assert re.search(rf'data-live-mine="card:{a.pk}">.*Your dots: </span>1<', html)
    assert "bar-chart" in staff.get(url("live_facilitator_status", session)).content.decode()
    assert "bar-chart" not in staff.get(url("live_projector_panel", session)).content.decode()
    staff.post(url("live_activity_reveal", session, vote.pk), {"revealed": "1"}, **HX)
    for page in (
        anna_client.get(url("live_participant_panel", session)),
        staff.get(url("live_projector_panel", session)),
    ):
        html = page.content.decode()
        assert "bar-chart" in html and "result-table" in html
    # Locked: nothing changes any more.
    staff.post(url("live_activity_lock", session, vote.pk), **HX)
    response = anna_client.post(dot, {"activity": vote.pk, "remove": f"card:{a.pk}"}, **HX)
    assert response.status_code == 409 and "Voting is locked" in response.content.decode()
    assert Dot.objects.count() == 3


def test_rating_over_http(live, staff):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    (a,) = cards_create(session, ideas, 1)
    rating = started(session, Kind.RATING)
    guest, anna = guest_join(session)
    post = url("live_rating", session)
    item = {"activity": rating.pk, "item": f"card:{a.pk}"}
    assert guest.post(post, item | {"benefit": 5, "effort": 2}, **HX).status_code == 200
    assert guest.post(post, item | {"benefit": 4, "effort": 2}, **HX).status_code == 200
    for bad in (
        {"benefit": 6, "effort": 2},
        {"benefit": "", "effort": 2},
        {"benefit": "a", "effort": 1},
    ):
        response = guest.post(post, item | bad, **HX)
        assert response.status_code == 409 and "from 1 to 5" in response.content.decode()
    assert list(Rating.objects.values_list("benefit", "effort")) == [(4, 2)]
    html = guest.get(url("live_participant_panel", session)).content.decode()
    assert re.search(r'<option value="4" selected>4</option>', html)
    staff.post(url("live_activity_reveal", session, rating.pk), {"revealed": "1"}, **HX)
    html = staff.get(
        url("live_projector_panel", session), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "scatter-chart" in html and "implement now" in html


# Revision tokens are replaced after the commit: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_polling_answers_204_until_something_changes(live, staff):
    session = live["session"]
    guest, _ = guest_join(session)
    endpoints = [
        (guest, url("live_participant_panel", session)),
        (staff, url("live_facilitator_status", session)),
        (staff, url("live_facilitator_board", session)),
        (staff, url("live_projector_panel", session)),
    ]

    def revisions():
        found = []
        for client, endpoint in endpoints:
            response = client.get(endpoint)
            assert response.status_code == 200
            found.append(re.search(r'\?rev=([\w-]+)"', response.content.decode()).group(1))
        return found

    before = revisions()
    for (client, endpoint), rev in zip(endpoints, before, strict=True):
        assert client.get(endpoint, {"rev": rev}).status_code == 204
    started(session, Kind.IDEAS)
    for (client, endpoint), rev in zip(endpoints, before, strict=True):
        response = client.get(endpoint, {"rev": rev})
        assert response.status_code == 200, endpoint


@pytest.mark.django_db(transaction=True)
def test_own_dots_refresh_the_participant_but_not_others(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    (a,) = cards_create(session, ideas, 1)
    vote = started(session, Kind.DOT_VOTE)
    anna_client, _ = guest_join(session, "Anna")
    ben_client, _ = guest_join(session, "Ben")
    panel = url("live_participant_panel", session)

    def rev(client):
        return re.search(r'\?rev=([\w-]+)"', client.get(panel).content.decode()).group(1)

    anna_rev, ben_rev = rev(anna_client), rev(ben_client)
    anna_client.post(url("live_dot", session), {"activity": vote.pk, "place": f"card:{a.pk}"}, **HX)
    assert anna_client.get(panel, {"rev": anna_rev}).status_code == 200
    # Ben does not see Anna's hidden dot, so his fragment stays as it is.
    assert ben_client.get(panel, {"rev": ben_rev}).status_code == 204


def test_facilitator_manages_clusters_and_cards(live, staff):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b = cards_create(session, ideas, 2)
    staff.post(url("live_cluster_add", session), {"name": "Mobilität"}, **HX)
    cluster = Cluster.objects.get()
    assert (
        staff.post(url("live_card_move", session, a.pk), {"cluster": cluster.pk}, **HX).status_code
        == 200
    )
    staff.post(url("live_card_edit", session, b.pk), {"text": "Bürgerbus am Abend"}, **HX)
    staff.post(url("live_cluster_rename", session, cluster.pk), {"name": "Verkehr"}, **HX)
    staff.post(url("live_card_merge", session), {"card": b.pk, "into": a.pk}, **HX)
    a.refresh_from_db()
    b.refresh_from_db()
    cluster.refresh_from_db()
    assert (a.cluster, b.text, b.merged_into, cluster.name) == (
        cluster,
        "Bürgerbus am Abend",
        a,
        "Verkehr",
    )
    response = staff.post(url("live_card_edit", session, a.pk), {"text": ""}, **HX)
    assert response.status_code == 409
    html = staff.get(url("live_facilitator_board", session)).content.decode()
    # The keyboard alternative to drag and drop: a labelled select and a button per card.
    assert f'<label for="move-{a.pk}">' in html and f'id="move-{a.pk}"' in html
    assert "Bürgerbus am Abend" not in html  # merged away
    # Objects of another session are not found through this session.
    foreign = Cluster.objects.create(session=live["other_session"], name="Fremd")
    assert (
        staff.post(url("live_cluster_rename", session, foreign.pk), {"name": "X"}).status_code
        == 404
    )
    assert (
        staff.post(url("live_card_move", session, a.pk), {"cluster": foreign.pk}, **HX).status_code
        == 422
    )
    a.refresh_from_db()
    assert a.cluster == cluster


def test_promotion_page(live, staff):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b = cards_create(session, ideas, 2)
    vote = started(session, Kind.DOT_VOTE)
    guest, anna = guest_join(session)
    services.dot_place(activity=vote, participant=anna, item={"card_id": b.pk})
    promote = url("live_activity_promote", session, vote.pk)
    assert "once the activity is finished" in staff.get(promote).content.decode()
    services.activity_close(activity=vote)
    page = staff.get(promote)
    assert page.status_code == 200 and f'value="{b.pk}"' in page.content.decode()
    response = staff.post(promote, {"kind": "project_idea", "cards": [b.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == url("live_facilitate", session)
    result = PromotedResult.objects.get()
    assert (result.card, result.rank, result.dots, result.activity) == (b, 1, 1, vote)
    assert "1 results have been taken over." in response.content.decode()
    assert b.text in response.content.decode()


def test_projector_shows_join_code_and_qr_code_without_controls(live, staff):
    session = live["session"]
    started(session, Kind.IDEAS)
    html = staff.get(url("live_projector", session)).content.decode()
    code = session.workshop.join_code
    assert f"{code[:4]}&#8239;{code[4:]}" in html
    assert (
        'class="live-qr"' in html
        and '<svg role="img" aria-label="QR code with the link to join:' in html
    )
    assert f"/workshops/teilnehmen/?code={code}" in html
    assert "<form" not in html.split('<main id="main"', 1)[1].split("</main>")[0]


def test_pages_keep_the_content_security_policy(live, staff):
    session = live["session"]
    started(session, Kind.IDEAS)
    guest, _ = guest_join(session)
    for client, name in [
        (staff, "live_facilitate"),
        (staff, "live_projector"),
        (guest, "live_participate"),
        (staff, "live_facilitator_status"),
        (staff, "live_facilitator_board"),
    ]:
        html = client.get(url(name, session)).content.decode()
        assert "<script>" not in html and "style=" not in html, name
    assert "style=" not in Client().get(reverse("workshops:live_join")).content.decode()


def test_live_links_for_the_workshop_page(live, personas, rf):
    from django.template.loader import render_to_string

    session = live["session"]
    request = rf.get("/")
    with override("en"):
        for role, facilitates in [("consultant", True), ("councillor", False)]:
            request.user = personas[role]
            html = render_to_string(
                "workshops/_live_links.html", {"session": session, "user": personas[role]}, request
            )
            assert session.workshop.join_code in html
            assert url("live_participate", session) in html
            assert (url("live_facilitate", session) in html) is facilitates
            assert (url("live_projector", session) in html) is facilitates


def test_card_text_is_edited_on_a_page_of_its_own(live, staff):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    (card,) = cards_create(session, ideas, 1)
    edit = url("live_card_edit", session, card.pk)
    page = staff.get(edit)
    assert page.status_code == 200 and f">{card.text}</textarea>" in page.content.decode()
    response = staff.post(edit, {"text": ""}, follow=True)
    assert response.status_code == 200 and "write something" in response.content.decode()
    card.refresh_from_db()
    assert card.text == "Idee 0"
    response = staff.post(edit, {"text": "Digitale Sprechstunde"})
    assert response.status_code == 302 and response["Location"] == url("live_facilitate", session)
    card.refresh_from_db()
    assert card.text == "Digitale Sprechstunde"


def test_timer_over_http(live, staff):
    session = live["session"]
    activity = services.activity_create(session=session, kind=Kind.IDEAS, title="Ideen")
    response = staff.post(
        url("live_activity_start", session, activity.pk), {"minutes": "999"}, **HX
    )
    assert response.status_code == 422
    activity.refresh_from_db()
    assert activity.status == Activity.Status.DRAFT
    staff.post(url("live_activity_start", session, activity.pk), {"minutes": "5"}, **HX)
    guest, _ = guest_join(session)
    html = guest.get(url("live_participant_panel", session)).content.decode()
    remaining = int(re.search(r'data-remaining="(\d+)"', html)[1])
    assert 290 <= remaining <= 300
    assert (
        'data-done-text="Time is up."'
        in staff.get(
            url("live_facilitator_status", session), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    )
    staff.post(url("live_activity_timer", session, activity.pk), {"minutes": "0"}, **HX)
    activity.refresh_from_db()
    assert activity.timer_ends_at is None


def test_live_posts_need_the_csrf_token(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    _client, _anna = guest_join(session)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = _client.cookies
    response = strict.post(url("live_card_post", session), {"activity": ideas.pk, "text": "Hallo"})
    assert response.status_code == 403
    assert not Card.objects.exists()


def test_theme_field_priorities_over_http(live, staff):
    session = live["session"]
    vote = started(session, Kind.DOT_VOTE, target=Activity.Target.THEME_FIELDS)
    guest, anna = guest_join(session)
    field = ThemeField.objects.order_by("pk")[2]
    guest.post(url("live_dot", session), {"activity": vote.pk, "place": f"theme_field:{field.pk}"})
    services.activity_close(activity=vote)
    promote = url("live_activity_promote", session, vote.pk)
    assert "bar-chart" in staff.get(promote).content.decode()
    staff.post(promote, {"kind": "field_priority"})
    first = PromotedResult.objects.order_by("rank", "pk").first()
    assert (first.theme_field, first.rank, first.dots, first.kind) == (
        field,
        1,
        1,
        "field_priority",
    )
    assert PromotedResult.objects.count() == ThemeField.objects.count()
    page = staff.get(url("live_facilitate", session)).content.decode()
    assert field.name in page
