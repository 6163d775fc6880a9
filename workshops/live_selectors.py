"""Reads of the live session: what the facilitator, the participants and the projector see.

Every polling fragment is built from a fixed number of queries, whatever the number of cards,
clusters, dots or participants (asserted in ``tests/workshops/test_live_queries.py``).

Polling is cheap when nothing changed: each live session has revision tokens in the shared
cache ("content" for activities, cards and clusters; "votes" for dots and ratings; one per
participant for their own dots and ratings). The services replace a token after every commit;
a polling request that sends the token it was rendered with gets ``204 No Content`` while the
tokens are unchanged. Tokens expire after ``REVISION_TTL`` seconds, so a change made outside
the services (admin, shell) shows up within that time as well."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from strategy.http import id_or_none
from strategy.models import ThemeField

from .models import (
    Activity,
    Card,
    Cluster,
    Dot,
    Participant,
    PromotedResult,
    Rating,
    Workshop,
    WorkshopSession,
)
from .results import dot_vote_results, rating_results, vote_items

REVISION_TTL = 30
# Guests may join (and keep using their link) until this long after the session's end.
JOIN_GRACE = timedelta(hours=12)
# Polled views show the first items of long lists; the take-over page lists all results.
PROJECTOR_CARDS = 60
PROJECTOR_RESULTS = 15
PARTICIPANT_RESULTS = 15
PARTICIPANT_CARDS = 60
# A participant's vote or rating shows this many items per page (phones, hundreds of cards).
VOTE_PAGE_SIZE = 50
FACILITATOR_RESULTS = 30

ITEM_FIELDS = {
    Activity.Target.CARDS: "card_id",
    Activity.Target.CLUSTERS: "cluster_id",
    Activity.Target.THEME_FIELDS: "theme_field_id",
}
ITEM_PREFIXES = {"card_id": "card", "cluster_id": "cluster", "theme_field_id": "theme_field"}


# --- Revision tokens ----------------------------------------------------------------------------


def revision_key(session_id: int, part: str) -> str:
    """Cache key of a revision token: ``part`` is "content", "votes" or "p<participant id>"."""
    return f"live:{session_id}:{part}"


def new_revision() -> str:
    return secrets.token_hex(4)


def revision_tokens(session_id: int, parts: list[str]) -> dict[str, str]:
    """The current tokens of ``parts``; a missing (expired) token is created."""
    keys = {part: revision_key(session_id, part) for part in parts}
    found = cache.get_many(list(keys.values()))
    tokens = {}
    for part, key in keys.items():
        if key not in found:
            # add() keeps a token another process created in the meantime.
            cache.add(key, new_revision(), REVISION_TTL)
            found[key] = cache.get(key) or new_revision()
        tokens[part] = found[key]
    return tokens


def revision(session_id: int, parts: list[str]) -> str:
    """One string standing for the state of ``parts``; it changes whenever one of them does."""
    tokens = revision_tokens(session_id, parts)
    return "-".join(tokens[part] for part in parts)


# --- Sessions and joining -------------------------------------------------------------------


def normalise_join_code(code: str) -> str:
    """Codes are typed from a projector: ignore case, spaces and hyphens."""
    return "".join(code.split()).replace("-", "").upper()


def live_session(pk: int) -> WorkshopSession:
    """A session with its workshop and current activity (one query)."""
    return WorkshopSession.objects.select_related("workshop", "live_activity").get(pk=pk)


def account_participant(session: WorkshopSession, user) -> Participant | None:
    """The participant an account already is in ``session`` (one query, no transaction)."""
    return Participant.objects.filter(session=session, user=user).first()


def session_is_over(session: WorkshopSession, now: datetime | None = None) -> bool:
    """The session ended more than ``JOIN_GRACE`` ago."""
    return session.ends_at + JOIN_GRACE < (now or timezone.now())


def session_for_join_code(code: str) -> tuple[Workshop | None, WorkshopSession | None]:
    """The workshop with ``code`` and its session guests join now: the earliest session that
    has not been over for more than 12 hours (None when every session is over)."""
    code = normalise_join_code(code)
    workshop = Workshop.objects.filter(join_code=code).first() if code else None
    if workshop is None:
        return None, None
    now = timezone.now()
    sessions = [
        s
        for s in workshop.sessions.order_by("starts_at", "position")
        if not session_is_over(s, now)
    ]
    return workshop, (sessions[0] if sessions else None)


def guests_may_use(session: WorkshopSession) -> bool:
    """Guests may join and act until the session is over or the workshop is cancelled."""
    return session.workshop.status != Workshop.Status.CANCELLED and not session_is_over(session)


# --- Timer ----------------------------------------------------------------------------------


@dataclass
class Timer:
    """The countdown of an activity; the browser counts on from ``remaining`` seconds."""

    ends_at: datetime
    remaining: int

    @property
    def display(self) -> str:
        minutes, seconds = divmod(self.remaining, 60)
        return f"{minutes}:{seconds:02d}"


def activity_timer(activity: Activity | None) -> Timer | None:
    if activity is None or not activity.timer_ends_at or activity.status != Activity.Status.OPEN:
        return None
    remaining = max(0, int((activity.timer_ends_at - timezone.now()).total_seconds()))
    return Timer(ends_at=activity.timer_ends_at, remaining=remaining)


# --- Items of votes and ratings --------------------------------------------------------------


def item_key(target: dict) -> str:
    """``{"card_id": 12}`` → ``"card:12"``: the value of the vote buttons."""
    ((field, pk),) = target.items()
    return f"{ITEM_PREFIXES[field]}:{pk}"


def parse_item_key(value: str) -> dict | None:
    """``"card:12"`` → ``{"card_id": 12}``; None when it is no item key."""
    prefix, _, pk = (value or "").partition(":")
    fields = {v: k for k, v in ITEM_PREFIXES.items()}
    number = id_or_none(pk)
    if prefix not in fields or number is None:
        return None
    return {fields[prefix]: number}


@dataclass
class VoteItem:
    """An item as a participant sees it in a dot vote or rating."""

    key: str
    label: str
    mine: int = 0
    benefit: int | None = None
    effort: int | None = None


def _own_dots(activity: Activity, participant: Participant) -> dict[str, int]:
    rows = (
        Dot.objects.filter(activity=activity, participant=participant)
        .values("card_id", "cluster_id", "theme_field_id")
        .annotate(n=Count("pk"))
    )
    field = ITEM_FIELDS[activity.target]
    return {item_key({field: row[field]}): row["n"] for row in rows}


def _count(model, **filters):
    """A correlated subquery counting ``model`` rows; the first filter is the correlation."""
    return _count_distinct(model, "pk", **filters)


def _count_distinct(model, field, **filters):
    group_by = next(iter(filters))
    return Coalesce(
        Subquery(
            model.objects.filter(**filters)
            .order_by()
            .values(group_by)
            .annotate(n=Count(field, distinct=True))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


# --- Facilitator ----------------------------------------------------------------------------


def session_counts(session: WorkshopSession) -> dict:
    """Participants, visible cards and clusters of the session (one query)."""
    return (
        WorkshopSession.objects.filter(pk=session.pk)
        .annotate(
            n_participants=_count(Participant, session=OuterRef("pk")),
            n_cards=_count(Card, session=OuterRef("pk"), merged_into__isnull=True),
            n_clusters=_count(Cluster, session=OuterRef("pk")),
        )
        .values("n_participants", "n_cards", "n_clusters")
        .get()
    )


def session_activities(session: WorkshopSession) -> list[Activity]:
    """The session's activities with their live counts (one query)."""
    return list(
        Activity.objects.filter(session=session).annotate(
            n_cards=_count(Card, activity=OuterRef("pk")),
            n_dots=_count(Dot, activity=OuterRef("pk")),
            n_voters=_count_distinct(Dot, "participant", activity=OuterRef("pk")),
            n_ratings=_count(Rating, activity=OuterRef("pk")),
            n_raters=_count_distinct(Rating, "participant", activity=OuterRef("pk")),
        )
    )


def activity_results(activity: Activity | None, *, limit: int | None = None) -> dict | None:
    """Results of a dot vote (``VoteRow``s) or rating (``RatingRow``s), the first ``limit``
    rows of them (ranks count all); two queries."""
    if activity is None:
        return None
    if activity.kind == Activity.Kind.DOT_VOTE:
        kind, rows = "dots", dot_vote_results(activity)
    elif activity.kind == Activity.Kind.RATING:
        kind, rows = "rating", rating_results(activity)
    else:
        return None
    return {
        "kind": kind,
        "rows": rows[:limit],
        "total": len(rows),
        "cut": len(rows) > len(rows[:limit]),
    }


def facilitator_status(session: WorkshopSession) -> dict:
    """The facilitator's live panel: activities with counts and the current results."""
    activities = session_activities(session)
    current = next((a for a in activities if a.pk == session.live_activity_id), None)
    return {
        "counts": session_counts(session),
        "activities": activities,
        "current": current,
        "timer": activity_timer(current),
        "results": activity_results(current, limit=FACILITATOR_RESULTS),
    }


@dataclass
class CardRow:
    """A card as the lists and the board show it (read with values_list: boards may hold
    hundreds of cards)."""

    pk: int
    text: str
    cluster_id: int | None
    theme_field_name: str | None
    author_name: str | None


CARD_ROW_FIELDS = ("pk", "text", "cluster_id", "theme_field__name", "author__display_name")


def card_rows(cards) -> list[CardRow]:
    return [CardRow(*values) for values in cards.values_list(*CARD_ROW_FIELDS)]


@dataclass
class BoardCluster:
    cluster: Cluster
    cards: list


def board(session: WorkshopSession) -> dict:
    """Clusters with their cards and the cards without a cluster (two queries)."""
    clusters = list(Cluster.objects.filter(session=session))
    cards = card_rows(Card.objects.filter(session=session, merged_into__isnull=True))
    by_cluster = {c.pk: BoardCluster(cluster=c, cards=[]) for c in clusters}
    loose = []
    for card in cards:
        (by_cluster[card.cluster_id].cards if card.cluster_id in by_cluster else loose).append(card)
    return {"clusters": list(by_cluster.values()), "loose": loose, "cards": cards}


def promoted_results(session: WorkshopSession) -> list[PromotedResult]:
    return list(
        PromotedResult.objects.filter(activity__session=session)
        .select_related("activity", "theme_field")
        .order_by("activity__position", "activity_id", "kind", "rank", "pk")
    )


def promotion_candidates(activity: Activity) -> dict:
    """What can be taken over from a finished activity, in a sensible order."""
    session = activity.session
    if activity.kind == Activity.Kind.DOT_VOTE:
        rows = dot_vote_results(activity)
        return {
            "vote_rows": rows,
            "field_priority": activity.target == Activity.Target.THEME_FIELDS,
        }
    cards = Card.objects.filter(session=session, merged_into__isnull=True).select_related("cluster")
    if activity.kind == Activity.Kind.IDEAS:
        cards = cards.filter(activity=activity)
    clusters = []
    if activity.kind in (Activity.Kind.CLUSTERING, Activity.Kind.RATING):
        clusters = list(
            Cluster.objects.filter(session=session).annotate(
                n_cards=Count("cards", filter=Q(cards__merged_into__isnull=True))
            )
        )
    return {"cards": list(cards), "clusters": clusters, "field_priority": False}


# --- Participant ----------------------------------------------------------------------------


def participant_shared(session: WorkshopSession, *, page: int = 1) -> dict:
    """What every participant sees of the current activity: the same for all of them, so the
    polled fragment renders it once (at most four queries). Votes and ratings show ``page``
    of their items (``VOTE_PAGE_SIZE`` each). Own dots and ratings are ``participant_own``."""
    activity = session.live_activity
    panel = {"activity": activity, "timer": activity_timer(activity)}
    if activity is None:
        return panel
    if activity.kind == Activity.Kind.IDEAS:
        cards = Card.objects.filter(activity=activity, merged_into__isnull=True)
        panel["n_cards"] = cards.count()
        panel["cards"] = card_rows(cards.order_by("-created_at", "-pk")[:PARTICIPANT_CARDS])
        if activity.status == Activity.Status.OPEN:
            panel["theme_fields"] = list(ThemeField.objects.all())
    elif activity.kind == Activity.Kind.CLUSTERING:
        panel["board"] = board(session)
    elif activity.kind in (Activity.Kind.DOT_VOTE, Activity.Kind.RATING):
        items = [
            VoteItem(key=item_key(target), label=label) for label, target in vote_items(activity)
        ]
        panel["page"] = Paginator(items, VOTE_PAGE_SIZE).get_page(page)
        panel["items"] = list(panel["page"].object_list)
        if activity.results_revealed:
            panel["results"] = activity_results(activity, limit=PARTICIPANT_RESULTS)
    return panel


def participant_own(activity: Activity | None, participant: Participant) -> dict:
    """A participant's own dots (``{"card:12": 2}``) or ratings (``{"card:12": (benefit,
    effort)}``) in ``activity`` (at most one query)."""
    if activity is None:
        return {}
    if activity.kind == Activity.Kind.DOT_VOTE:
        return {"dots": _own_dots(activity, participant)}
    if activity.kind == Activity.Kind.RATING:
        rows = Rating.objects.filter(activity=activity, participant=participant).values_list(
            "card_id", "cluster_id", "benefit", "effort"
        )
        ratings = {}
        for card_id, cluster_id, benefit, effort in rows:
            target = {"card_id": card_id} if card_id else {"cluster_id": cluster_id}
            ratings[item_key(target)] = (benefit, effort)
        return {"ratings": ratings}
    return {}


# --- Projector ------------------------------------------------------------------------------


def projector_panel(session: WorkshopSession) -> dict:
    """What the projector shows of the current activity (at most three queries)."""
    activity = session.live_activity
    panel = {"activity": activity, "timer": activity_timer(activity)}
    if activity is None:
        return panel
    if activity.kind == Activity.Kind.IDEAS:
        cards = Card.objects.filter(activity=activity, merged_into__isnull=True)
        panel["n_cards"] = cards.count()
        panel["cards"] = card_rows(cards.order_by("-created_at", "-pk")[:PROJECTOR_CARDS])
    elif activity.kind == Activity.Kind.CLUSTERING:
        panel["board"] = board(session)
    elif activity.kind in (Activity.Kind.DOT_VOTE, Activity.Kind.RATING):
        counts = (
            Activity.objects.filter(pk=activity.pk)
            .annotate(
                n_dots=_count(Dot, activity=OuterRef("pk")),
                n_voters=_count_distinct(Dot, "participant", activity=OuterRef("pk")),
                n_raters=_count_distinct(Rating, "participant", activity=OuterRef("pk")),
            )
            .values("n_dots", "n_voters", "n_raters")
            .get()
        )
        panel["counts"] = counts
        if activity.results_revealed:
            panel["results"] = activity_results(activity, limit=PROJECTOR_RESULTS)
    return panel
