"""Rules of the live activities, checked on the services: what is refused changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from strategy.models import ThemeField
from tests.workshops.test_live_factories import (  # noqa: F401
    cards_create,
    fresh_cache,
    live_fixture,
    participants_create,
    session_create,
    started,
    workshop_create,
)
from workshops import live_services as services
from workshops.live_services import LiveError
from workshops.models import Activity, Card, Cluster, Dot, PromotedResult, Rating, Workshop
from workshops.results import dot_vote_results, rating_results, vote_items

pytestmark = pytest.mark.django_db

Kind, Status, Target = Activity.Kind, Activity.Status, Activity.Target


def refused(call, **kwargs) -> str:
    """Call a service that must refuse; return its English message."""
    with override("en"):
        with pytest.raises(LiveError) as info:
            call(**kwargs)
        return str(info.value.message)


# --- Activities ---------------------------------------------------------------------------


def test_settings_are_checked_before_an_activity_is_prepared(live):
    session = live["session"]
    create = services.activity_create
    assert "cards or clusters" in refused(
        create, session=session, kind=Kind.RATING, title="Bewertung", target=Target.THEME_FIELDS
    )
    assert "cannot exceed" in refused(
        create,
        session=session,
        kind=Kind.DOT_VOTE,
        title="Punkte",
        dots_per_participant=2,
        cap_per_item=3,
    )
    assert "between 1 and 20" in refused(
        create, session=session, kind=Kind.DOT_VOTE, title="Punkte", dots_per_participant=21
    )
    assert "title" in refused(create, session=session, kind=Kind.IDEAS, title="   ")
    assert not Activity.objects.exists()
    vote = create(
        session=session,
        kind=Kind.DOT_VOTE,
        title=" Punkte ",
        dots_per_participant=4,
        cap_per_item=2,
    )
    assert (vote.title, vote.status, vote.position) == ("Punkte", Status.DRAFT, 1)
    assert create(session=session, kind=Kind.IDEAS, title="Ideen").position == 2


@pytest.mark.clock
def test_starting_an_activity_finishes_the_running_one(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    vote = services.activity_create(session=session, kind=Kind.DOT_VOTE, title="Punkte")
    services.activity_start(activity=vote, timer_minutes=5)
    ideas.refresh_from_db()
    vote.refresh_from_db()
    session.refresh_from_db()
    assert ideas.status == Status.CLOSED and ideas.closed_at
    assert vote.status == Status.OPEN and session.live_activity == vote
    assert timedelta(minutes=4) < vote.timer_ends_at - timezone.now() <= timedelta(minutes=5)
    assert "already running" in refused(services.activity_start, activity=vote)
    assert "between 1 and 240" in refused(services.activity_set_timer, activity=vote, minutes=241)
    services.activity_set_timer(activity=vote, minutes=None)
    vote.refresh_from_db()
    assert vote.timer_ends_at is None


def test_lock_unlock_close_and_reveal(live):
    session = live["session"]
    vote = started(session, Kind.DOT_VOTE)
    assert "Only a locked" in refused(services.activity_unlock, activity=vote)
    services.activity_lock(activity=vote)
    assert "Only a running" in refused(services.activity_lock, activity=vote)
    services.activity_unlock(activity=vote)
    services.activity_reveal(activity=vote)
    services.activity_close(activity=vote)
    vote.refresh_from_db()
    session.refresh_from_db()
    assert vote.status == Status.CLOSED and vote.results_revealed
    assert session.live_activity is None
    assert "running or locked" in refused(services.activity_close, activity=vote)
    ideas = started(session, Kind.IDEAS)
    assert "Only dot votes and ratings" in refused(services.activity_reveal, activity=ideas)


# --- Cards and clusters -------------------------------------------------------------------


def test_cards_only_while_the_idea_collection_runs(live):
    session = live["session"]
    (anna,) = participants_create(session, 1)
    ideas = started(session, Kind.IDEAS)
    card = services.card_post(activity=ideas, participant=anna, text="  Bürger-App  ")
    assert card.text == "Bürger-App" and card.author == anna and card.session == session
    assert "write something" in refused(
        services.card_post, activity=ideas, participant=anna, text="   "
    )
    assert "at most 280" in refused(
        services.card_post, activity=ideas, participant=anna, text="x" * 281
    )
    services.card_post(activity=ideas, participant=anna, text="x" * 280)
    services.activity_lock(activity=ideas)
    assert "paused" in refused(services.card_post, activity=ideas, participant=anna, text="Neu")
    services.activity_close(activity=ideas)
    assert "closed" in refused(services.card_post, activity=ideas, participant=anna, text="Neu")
    vote = started(session, Kind.DOT_VOTE)
    assert "idea collection" in refused(
        services.card_post, activity=vote, participant=anna, text="Neu"
    )
    assert Card.objects.count() == 2


def test_a_participant_of_another_session_cannot_post(live):
    ideas = started(live["session"], Kind.IDEAS)
    (stranger,) = participants_create(live["other_session"], 1)
    refused(services.card_post, activity=ideas, participant=stranger, text="Fremd")
    assert not Card.objects.exists()


def test_clusters_move_edit_and_merge(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b, c = cards_create(session, ideas, 3)
    mobility = services.cluster_create(session=session, name=" Mobilität ")
    assert mobility.name == "Mobilität"
    assert "name" in refused(services.cluster_create, session=session, name=" ")
    services.cluster_rename(cluster=mobility, name="Mobilität und Verkehr")
    services.card_move(card=a, cluster=mobility)
    services.card_edit(card=a, text="Bürgerbus")
    a.refresh_from_db()
    assert (a.cluster, a.text) == (mobility, "Bürgerbus")
    foreign = Cluster.objects.create(session=live["other_session"], name="Fremd")
    assert "another session" in refused(services.card_move, card=b, cluster=foreign)

    services.card_merge(card=c, into=b)
    services.card_merge(card=b, into=a)  # c follows b into a
    assert set(Card.objects.filter(merged_into=a)) == {b, c}
    assert "itself" in refused(services.card_merge, card=a, into=a)
    assert "already been merged" in refused(services.card_merge, card=b, into=a)
    vote = services.activity_create(session=session, kind=Kind.DOT_VOTE, title="Punkte")
    assert [target for _label, target in vote_items(vote)] == [{"card_id": a.pk}]


def test_no_merging_while_cards_are_voted_on(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b = cards_create(session, ideas, 2)
    started(session, Kind.DOT_VOTE)
    assert "while a vote" in refused(services.card_merge, card=a, into=b)
    assert not Card.objects.filter(merged_into__isnull=False).exists()


# --- Dot votes ----------------------------------------------------------------------------


@pytest.fixture
def vote_on_cards(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    cards = cards_create(session, ideas, 3)
    vote = started(session, Kind.DOT_VOTE, dots_per_participant=3, cap_per_item=2)
    anna, ben = participants_create(session, 2)
    return vote, cards, anna, ben


def test_dots_respect_budget_and_cap(vote_on_cards):
    vote, (a, b, c), anna, ben = vote_on_cards

    def place(card):
        return services.dot_place(activity=vote, participant=anna, item={"card_id": card.pk})

    place(a)
    place(a)
    assert "at most 2 dots to one item" in refused(
        services.dot_place, activity=vote, participant=anna, item={"card_id": a.pk}
    )
    place(b)
    assert "all your 3 dots" in refused(
        services.dot_place, activity=vote, participant=anna, item={"card_id": c.pk}
    )
    assert sorted(Dot.objects.values_list("slot", flat=True)) == [1, 2, 3]
    # A removed dot frees its slot, which the next dot takes.
    services.dot_remove(activity=vote, participant=anna, item={"card_id": a.pk})
    assert sorted(Dot.objects.values_list("slot", flat=True)) == [1, 3]
    assert place(c).slot == 2
    assert "no dot on this item" in refused(
        services.dot_remove, activity=vote, participant=ben, item={"card_id": a.pk}
    )
    assert Dot.objects.filter(participant=anna).count() == 3


def test_unknown_items_are_refused(vote_on_cards, live):
    vote, (a, b, _c), anna, _ben = vote_on_cards
    foreign_ideas = started(live["other_session"], Kind.IDEAS)
    (foreign,) = cards_create(live["other_session"], foreign_ideas, 1)
    services.activity_close(activity=foreign_ideas)
    # Merging is refused during a vote; a card merged before it is not votable either.
    Card.objects.filter(pk=b.pk).update(merged_into=a)
    cluster = Cluster.objects.create(session=vote.session, name="Cluster")
    for item in (
        {"card_id": foreign.pk},
        {"card_id": b.pk},
        {"card_id": 999_999},
        {"cluster_id": cluster.pk},
        {},
    ):
        message = refused(services.dot_place, activity=vote, participant=anna, item=item)
        assert "cannot be voted on" in message, item
    assert not Dot.objects.exists()


def test_locked_and_closed_votes_change_nothing(vote_on_cards):
    vote, (a, _b, _c), anna, _ben = vote_on_cards
    services.dot_place(activity=vote, participant=anna, item={"card_id": a.pk})
    services.activity_lock(activity=vote)
    for call in (services.dot_place, services.dot_remove):
        assert "Voting is locked" in refused(
            call, activity=vote, participant=anna, item={"card_id": a.pk}
        )
    services.activity_close(activity=vote)
    assert "not running" in refused(
        services.dot_place, activity=vote, participant=anna, item={"card_id": a.pk}
    )
    assert Dot.objects.count() == 1


def test_a_duplicate_slot_is_refused_by_the_database(vote_on_cards):
    vote, (a, _b, _c), anna, _ben = vote_on_cards
    services.dot_place(activity=vote, participant=anna, item={"card_id": a.pk})
    Dot.objects.filter(participant=anna).update(slot=2)  # a gap: slot 1 is free again
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Dot.objects.create(activity=vote, participant=anna, slot=2, card=a)
    assert services.dot_place(activity=vote, participant=anna, item={"card_id": a.pk}).slot == 1


def test_votes_on_theme_fields_and_results(live):
    session = live["session"]
    vote = started(session, Kind.DOT_VOTE, target=Target.THEME_FIELDS, dots_per_participant=3)
    anna, ben = participants_create(session, 2)
    health, mobility = ThemeField.objects.order_by("position", "name")[:2]
    for participant, field in [(anna, mobility), (ben, mobility), (ben, health)]:
        services.dot_place(
            activity=vote, participant=participant, item={"theme_field_id": field.pk}
        )
    rows = dot_vote_results(vote)
    assert (rows[0].theme_field_id, rows[0].dots, rows[0].rank) == (mobility.pk, 2, 1)
    assert (rows[1].theme_field_id, rows[1].dots, rows[1].rank) == (health.pk, 1, 2)
    assert "cannot be voted on" in refused(
        services.dot_place, activity=vote, participant=anna, item={"card_id": 1}
    )


# --- Ratings ------------------------------------------------------------------------------


def test_ratings_from_1_to_5_can_be_changed_while_open(live):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b = cards_create(session, ideas, 2)
    rating = started(session, Kind.RATING)
    anna, ben = participants_create(session, 2)
    save = services.rating_save
    save(activity=rating, participant=anna, item={"card_id": a.pk}, benefit=5, effort=1)
    save(activity=rating, participant=anna, item={"card_id": a.pk}, benefit=4, effort=2)
    save(activity=rating, participant=ben, item={"card_id": a.pk}, benefit=2, effort=2)
    for benefit, effort in [(0, 3), (6, 3), (3, None), ("x", 3)]:
        assert "from 1 to 5" in refused(
            save,
            activity=rating,
            participant=ben,
            item={"card_id": b.pk},
            benefit=benefit,
            effort=effort,
        )
    assert Rating.objects.count() == 2
    (row,) = rating_results(rating)
    assert (row.card_id, row.benefit, row.effort, row.count, row.quadrant) == (
        a.pk,
        3.0,
        2.0,
        2,
        "now",
    )
    services.activity_lock(activity=rating)
    assert "locked" in refused(
        save, activity=rating, participant=anna, item={"card_id": a.pk}, benefit=1, effort=5
    )
    assert Rating.objects.get(participant=anna).benefit == 4


# --- Promotion ----------------------------------------------------------------------------


def test_theme_field_priorities_are_taken_over_in_ranked_order(live, personas):
    session = live["session"]
    vote = started(session, Kind.DOT_VOTE, target=Target.THEME_FIELDS)
    (anna,) = participants_create(session, 1)
    fields = list(ThemeField.objects.all())
    services.dot_place(activity=vote, participant=anna, item={"theme_field_id": fields[3].pk})
    user = personas["district_staff"]
    assert "once the activity is finished" in refused(
        services.results_promote, activity=vote, kind="field_priority", user=user
    )
    services.activity_close(activity=vote)
    services.results_promote(activity=vote, kind="field_priority", user=user)
    promoted = list(PromotedResult.objects.order_by("rank", "pk"))
    assert len(promoted) == len(fields)
    assert (promoted[0].theme_field, promoted[0].rank, promoted[0].dots) == (fields[3], 1, 1)
    assert all(p.kind == "field_priority" and p.activity == vote for p in promoted)
    assert "already been taken over" in refused(
        services.results_promote, activity=vote, kind="field_priority", user=user
    )


def test_cards_and_clusters_become_vision_statements_and_project_ideas(live, personas):
    session = live["session"]
    ideas = started(session, Kind.IDEAS)
    a, b, c = cards_create(session, ideas, 3)
    cluster = services.cluster_create(session=session, name="Mobilität")
    services.card_move(card=b, cluster=cluster)
    services.card_move(card=c, cluster=cluster)
    services.activity_close(activity=ideas)
    user = personas["consultant"]
    promote = services.results_promote
    promote(activity=ideas, kind="vision_statement", user=user, card_ids=[a.pk])
    promote(activity=ideas, kind="project_idea", user=user, cluster_ids=[cluster.pk])
    assert "cards" in refused(
        promote, activity=ideas, kind="vision_statement", user=user, cluster_ids=[cluster.pk]
    )
    assert "select at least one" in refused(promote, activity=ideas, kind="project_idea", user=user)
    assert "already been taken over" in refused(
        promote, activity=ideas, kind="vision_statement", user=user, card_ids=[a.pk]
    )
    vision = PromotedResult.objects.get(kind="vision_statement")
    idea = PromotedResult.objects.get(kind="project_idea")
    assert (vision.text, vision.card, vision.activity) == (a.text, a, ideas)
    assert idea.cluster == cluster and idea.text == f"Mobilität\n– {b.text}\n– {c.text}"
    foreign = Card.objects.create(
        session=live["other_session"],
        activity=started(live["other_session"], Kind.IDEAS),
        text="Fremd",
    )
    assert "do not belong" in refused(
        promote, activity=ideas, kind="project_idea", user=user, card_ids=[foreign.pk]
    )
    assert PromotedResult.objects.count() == 2


# --- Joining ------------------------------------------------------------------------------


def test_join_codes_ignore_case_and_spaces(live):
    code = live["workshop"].join_code
    typed = f" {code[:4].lower()} {code[4:]} "
    assert services.join_session_for_code(code=typed) == live["session"]
    assert "not valid" in refused(services.join_session_for_code, code="AAAA0000")


@pytest.mark.clock
def test_no_joining_cancelled_workshops_or_old_sessions(process):
    cancelled = workshop_create(process, status=Workshop.Status.CANCELLED)
    session_create(cancelled)
    assert "cancelled" in refused(services.join_session_for_code, code=cancelled.join_code)
    old = workshop_create(process, title="Vorbei")
    # Ended 13 hours ago (started 16 hours ago, 3 hours long).
    session_create(old, starts_in_minutes=-16 * 60, duration=180)
    assert "more than 12 hours ago" in refused(services.join_session_for_code, code=old.join_code)
    # Ended 11 hours ago: still open for guests.
    recent = workshop_create(process, title="Gestern Abend")
    session = session_create(recent, starts_in_minutes=-14 * 60, duration=180)
    assert services.join_session_for_code(code=recent.join_code) == session


def test_guest_names_are_checked(live):
    session = live["session"]
    join = services.participant_join_guest
    assert "enter the name" in refused(join, session=session, display_name="  ")
    assert "at most 60" in refused(join, session=session, display_name="x" * 61)
    guest = join(session=session, display_name="  Anna  ")
    again = join(session=session, display_name="Anna B.", guest_key=guest.guest_key)
    assert again.pk == guest.pk and again.display_name == "Anna B."
