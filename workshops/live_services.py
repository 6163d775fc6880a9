"""Writes of the live session: joining, activities, cards, clusters, dots, ratings, promotion.

Every service takes keyword arguments, runs in a transaction and raises ``LiveError`` with a
translatable message when the change is not allowed; nothing is changed then. After a commit
the session's revision tokens are replaced so that polling browsers fetch the new state."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from strategy.models import ThemeField

from .live_selectors import (
    ITEM_FIELDS,
    REVISION_TTL,
    guests_may_use,
    new_revision,
    revision_key,
    session_for_join_code,
)
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
from .results import dot_vote_results

logger = logging.getLogger(__name__)

DISPLAY_NAME_MAX = 60
TIMER_MAX_MINUTES = 240
RETRY_MESSAGE = _("Many people are voting at the same moment. Please try again.")


class LiveError(Exception):
    """A change to a live session that is not allowed; the message is shown to the user.

    ``code`` tells the kind of refusal; "retry" means a transient conflict (try again)."""

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


# --- Revision tokens ----------------------------------------------------------------------------


def _touch(session_id: int, *, content=True, votes=False, participant_id=None) -> None:
    """After the commit, replace the revision tokens of what changed (see live_selectors)."""
    parts = (["content"] if content else []) + (["votes"] if votes else [])
    if participant_id:
        parts.append(f"p{participant_id}")

    def replace():
        cache.set_many(
            {revision_key(session_id, part): new_revision() for part in parts}, REVISION_TTL
        )

    # robust: a cache outage must not turn a saved vote into an error page.
    transaction.on_commit(replace, robust=True)


def _is_lock_conflict(error: OperationalError) -> bool:
    # SQLite refuses a concurrent writer instead of queueing it; PostgreSQL may report a
    # deadlock or serialisation failure. Either way nothing was written: try again.
    text = str(error).lower()
    return "locked" in text or "deadlock" in text or "could not serialize" in text


def _retrying_conflicts(service):
    """Turn transient write conflicts of ``service`` into a LiveError asking to try again."""

    def wrapped(**kwargs):
        try:
            return service(**kwargs)
        except IntegrityError as error:
            # The unique slot/rating constraints caught a concurrent duplicate.
            raise LiveError(RETRY_MESSAGE, code="retry") from error
        except OperationalError as error:
            if _is_lock_conflict(error):
                raise LiveError(RETRY_MESSAGE, code="retry") from error
            raise

    wrapped.__doc__ = service.__doc__
    wrapped.__name__ = service.__name__.lstrip("_")
    return wrapped


def _clean_text(text: str, *, max_length: int, empty, too_long) -> str:
    text = (text or "").strip()
    if not text:
        raise LiveError(empty)
    if len(text) > max_length:
        raise LiveError(too_long % {"max": max_length})
    return text


# --- Joining ------------------------------------------------------------------------------------


def join_session_for_code(*, code: str) -> WorkshopSession:
    """The session a join code leads to, or LiveError saying why there is none."""
    workshop, session = session_for_join_code(code)
    if workshop is None:
        raise LiveError(
            _("This join code is not valid. Please check the code shown on the projector."),
            code="wrong_code",
        )
    if workshop.status == Workshop.Status.CANCELLED:
        raise LiveError(_("This workshop has been cancelled."), code="cancelled")
    if session is None:
        raise LiveError(
            _("This workshop session ended more than 12 hours ago; joining is no longer possible."),
            code="over",
        )
    return session


@transaction.atomic
def participant_join_user(*, session: WorkshopSession, user) -> Participant:
    """The account's participant in ``session``, created on the first visit."""
    name = (user.get_full_name() or user.get_username())[:DISPLAY_NAME_MAX]
    participant = Participant.objects.filter(session=session, user=user).first()
    if participant:
        return participant
    try:
        with transaction.atomic():
            participant = Participant.objects.create(session=session, user=user, display_name=name)
    except IntegrityError:
        # The same account opened the view twice at once.
        return Participant.objects.get(session=session, user=user)
    _touch(session.pk)
    return participant


@transaction.atomic
def participant_join_guest(
    *, session: WorkshopSession, display_name: str, guest_key: str | None = None
) -> Participant:
    """A guest joins ``session`` under ``display_name``; with the ``guest_key`` of an earlier
    join of this session the same participant comes back (keeping cards and dots)."""
    if not guests_may_use(session):
        raise LiveError(_("Joining this session is no longer possible."), code="over")
    name = _clean_text(
        display_name,
        max_length=DISPLAY_NAME_MAX,
        empty=_("Please enter the name the others should see."),
        too_long=_("The name may have at most %(max)d characters."),
    )
    participant = None
    if guest_key:
        participant = Participant.objects.filter(
            session=session, guest_key=guest_key, user__isnull=True
        ).first()
    if participant:
        if participant.display_name != name:
            participant.display_name = name
            participant.save(update_fields=["display_name"])
    else:
        participant = Participant.objects.create(session=session, display_name=name)
    _touch(session.pk)
    return participant


# --- Activities ---------------------------------------------------------------------------------


def _validate_activity_settings(*, kind, target, dots_per_participant, cap_per_item) -> None:
    if kind not in Activity.Kind.values or target not in Activity.Target.values:
        raise LiveError(_("Unknown kind of activity."))
    if kind == Activity.Kind.RATING and target == Activity.Target.THEME_FIELDS:
        raise LiveError(_("A benefit/effort rating is about cards or clusters."))
    if not (1 <= dots_per_participant <= 20 and 1 <= cap_per_item <= 20):
        raise LiveError(_("Dots per participant and per item must be between 1 and 20."))
    if cap_per_item > dots_per_participant:
        raise LiveError(_("The maximum per item cannot exceed the dots per participant."))


@transaction.atomic
def activity_create(
    *,
    session: WorkshopSession,
    kind: str,
    title: str,
    target: str = Activity.Target.CARDS,
    dots_per_participant: int = 5,
    cap_per_item: int = 3,
) -> Activity:
    """Prepare an activity (status "prepared"); dot budget and cap are set here, before it
    starts."""
    title = _clean_text(
        title,
        max_length=200,
        empty=_("Please give the activity a title."),
        too_long=_("The title may have at most %(max)d characters."),
    )
    _validate_activity_settings(
        kind=kind,
        target=target,
        dots_per_participant=dots_per_participant,
        cap_per_item=cap_per_item,
    )
    position = (Activity.objects.filter(session=session).aggregate(m=Max("position"))["m"] or 0) + 1
    activity = Activity.objects.create(
        session=session,
        kind=kind,
        title=title,
        target=target,
        dots_per_participant=dots_per_participant,
        cap_per_item=cap_per_item,
        position=position,
    )
    _touch(session.pk)
    return activity


def _locked_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _timer_end(minutes: int | None):
    if not minutes:
        return None
    if not 1 <= minutes <= TIMER_MAX_MINUTES:
        raise LiveError(
            _("The timer must be between 1 and %(max)d minutes.") % {"max": TIMER_MAX_MINUTES}
        )
    return timezone.now() + timedelta(minutes=minutes)


@transaction.atomic
def activity_start(*, activity: Activity, timer_minutes: int | None = None) -> Activity:
    """Start (or restart) ``activity``: every other running activity of the session is
    finished, and the session shows this one."""
    # Locking the session serialises two facilitators starting activities at the same time.
    session = WorkshopSession.objects.select_for_update().get(pk=activity.session_id)
    activity = _locked_activity(activity)
    if activity.status == Activity.Status.OPEN:
        raise LiveError(_("This activity is already running."))
    ends_at = _timer_end(timer_minutes)
    now = timezone.now()
    Activity.objects.filter(
        session=session, status__in=[Activity.Status.OPEN, Activity.Status.LOCKED]
    ).exclude(pk=activity.pk).update(
        status=Activity.Status.CLOSED, closed_at=now, timer_ends_at=None
    )
    activity.status = Activity.Status.OPEN
    activity.started_at = now
    activity.closed_at = None
    activity.timer_ends_at = ends_at
    activity.save(update_fields=["status", "started_at", "closed_at", "timer_ends_at"])
    session.live_activity = activity
    session.save(update_fields=["live_activity"])
    _touch(session.pk)
    return activity


@transaction.atomic
def activity_set_timer(*, activity: Activity, minutes: int | None) -> Activity:
    """Set the countdown of a running activity to ``minutes`` from now (None/0 removes it)."""
    activity = _locked_activity(activity)
    if activity.status != Activity.Status.OPEN:
        raise LiveError(_("A timer can only be set for a running activity."))
    activity.timer_ends_at = _timer_end(minutes)
    activity.save(update_fields=["timer_ends_at"])
    _touch(activity.session_id)
    return activity


@transaction.atomic
def activity_lock(*, activity: Activity) -> Activity:
    """Lock a running activity: it stays on screen, but nothing can be added or changed."""
    activity = _locked_activity(activity)
    if activity.status != Activity.Status.OPEN:
        raise LiveError(_("Only a running activity can be locked."))
    activity.status = Activity.Status.LOCKED
    activity.timer_ends_at = None
    activity.save(update_fields=["status", "timer_ends_at"])
    _touch(activity.session_id)
    return activity


@transaction.atomic
def activity_unlock(*, activity: Activity) -> Activity:
    """Let participants continue a locked activity."""
    activity = _locked_activity(activity)
    if activity.status != Activity.Status.LOCKED:
        raise LiveError(_("Only a locked activity can be unlocked."))
    activity.status = Activity.Status.OPEN
    activity.save(update_fields=["status"])
    _touch(activity.session_id)
    return activity


@transaction.atomic
def activity_close(*, activity: Activity) -> Activity:
    """Finish a running or locked activity; the session then shows no current activity."""
    activity = _locked_activity(activity)
    if activity.status not in (Activity.Status.OPEN, Activity.Status.LOCKED):
        raise LiveError(_("Only a running or locked activity can be finished."))
    activity.status = Activity.Status.CLOSED
    activity.closed_at = timezone.now()
    activity.timer_ends_at = None
    activity.save(update_fields=["status", "closed_at", "timer_ends_at"])
    WorkshopSession.objects.filter(pk=activity.session_id, live_activity=activity).update(
        live_activity=None
    )
    _touch(activity.session_id)
    return activity


@transaction.atomic
def activity_reveal(*, activity: Activity, revealed: bool = True) -> Activity:
    """Show (or hide again) the results of a dot vote or rating to participants and on the
    projector; until then participants see only their own dots."""
    activity = _locked_activity(activity)
    if activity.kind not in (Activity.Kind.DOT_VOTE, Activity.Kind.RATING):
        raise LiveError(_("Only dot votes and ratings have results to reveal."))
    activity.results_revealed = revealed
    activity.save(update_fields=["results_revealed"])
    _touch(activity.session_id)
    return activity


# --- Cards and clusters -------------------------------------------------------------------------

CARD_EMPTY = _("Please write something on the card.")
CARD_TOO_LONG = _("A card may have at most %(max)d characters.")


@transaction.atomic
def card_post(
    *,
    activity: Activity,
    participant: Participant,
    text: str,
    theme_field: ThemeField | None = None,
) -> Card:
    """A participant posts an idea card while the idea collection is running."""
    text = _clean_text(text, max_length=Card.MAX_LENGTH, empty=CARD_EMPTY, too_long=CARD_TOO_LONG)
    activity = Activity.objects.get(pk=activity.pk)  # the current status, not the caller's copy
    if activity.session_id != participant.session_id or activity.kind != Activity.Kind.IDEAS:
        raise LiveError(_("Cards can only be posted during an idea collection."))
    if activity.status == Activity.Status.LOCKED:
        raise LiveError(_("The idea collection is paused; cards cannot be posted right now."))
    if activity.status != Activity.Status.OPEN:
        raise LiveError(_("The idea collection is closed; no more cards can be posted."))
    card = Card.objects.create(
        session_id=activity.session_id,
        activity=activity,
        author=participant,
        text=text,
        theme_field=theme_field,
    )
    _touch(activity.session_id)
    return card


@transaction.atomic
def card_edit(*, card: Card, text: str) -> Card:
    """The facilitator corrects or shortens a card's text."""
    card.text = _clean_text(
        text, max_length=Card.MAX_LENGTH, empty=CARD_EMPTY, too_long=CARD_TOO_LONG
    )
    card.save(update_fields=["text"])
    _touch(card.session_id)
    return card


@transaction.atomic
def card_move(*, card: Card, cluster: Cluster | None) -> Card:
    """Put a card into ``cluster`` (None: take it out of its cluster)."""
    if cluster is not None and cluster.session_id != card.session_id:
        raise LiveError(_("This cluster belongs to another session."))
    if card.merged_into_id:
        raise LiveError(_("This card has been merged into another card."))
    card.cluster = cluster
    card.save(update_fields=["cluster"])
    _touch(card.session_id)
    return card


@transaction.atomic
def card_merge(*, card: Card, into: Card) -> Card:
    """Merge ``card`` into ``into``: it disappears from lists and votes; cards merged into
    it before follow along."""
    if card.session_id != into.session_id:
        raise LiveError(_("Only cards of the same session can be merged."))
    if card.pk == into.pk:
        raise LiveError(_("A card cannot be merged into itself."))
    if card.merged_into_id or into.merged_into_id:
        raise LiveError(_("This card has already been merged into another card."))
    vote_running = Activity.objects.filter(
        session_id=card.session_id,
        status__in=[Activity.Status.OPEN, Activity.Status.LOCKED],
        kind__in=[Activity.Kind.DOT_VOTE, Activity.Kind.RATING],
        target=Activity.Target.CARDS,
    ).exists()
    if vote_running:
        # Dots on the merged card would silently vanish from the count.
        raise LiveError(_("Cards cannot be merged while a vote or rating on cards is running."))
    Card.objects.filter(merged_into=card).update(merged_into=into)
    card.merged_into = into
    card.save(update_fields=["merged_into"])
    _touch(card.session_id)
    return card


def _cluster_name(name: str) -> str:
    return _clean_text(
        name,
        max_length=120,
        empty=_("Please give the cluster a name."),
        too_long=_("A cluster name may have at most %(max)d characters."),
    )


@transaction.atomic
def cluster_create(*, session: WorkshopSession, name: str) -> Cluster:
    """A new, empty cluster at the end of the board."""
    name = _cluster_name(name)
    position = (Cluster.objects.filter(session=session).aggregate(m=Max("position"))["m"] or 0) + 1
    cluster = Cluster.objects.create(session=session, name=name, position=position)
    _touch(session.pk)
    return cluster


@transaction.atomic
def cluster_rename(*, cluster: Cluster, name: str) -> Cluster:
    """Rename a cluster."""
    cluster.name = _cluster_name(name)
    cluster.save(update_fields=["name"])
    _touch(cluster.session_id)
    return cluster


# --- Dots and ratings ---------------------------------------------------------------------------

UNKNOWN_ITEM = _("This item cannot be voted on in this activity.")


def _item_exists(item: dict):
    """An ``Exists`` telling whether ``item`` ({"card_id": 12} …) is an item of the session of
    the activity it is annotated on (None when ``item`` names no single item)."""
    if not item or len(item) != 1:
        return None
    ((field, pk),) = item.items()
    session = OuterRef("session_id")
    if field == "card_id":
        found = Card.objects.filter(pk=pk, session_id=session, merged_into__isnull=True)
    elif field == "cluster_id":
        found = Cluster.objects.filter(pk=pk, session_id=session)
    elif field == "theme_field_id":
        found = ThemeField.objects.filter(pk=pk)
    else:
        return None
    return Exists(found)


def _current_activity(
    activity: Activity, participant: Participant, kind: str, item: dict
) -> tuple[Activity, dict]:
    """Re-read the activity inside the transaction, check it accepts votes now and that
    ``item`` is something it votes on; one query. (The caller's ``activity`` may be a bare
    reference to the id a form posted.) Returns the activity and the item's target."""
    exists = _item_exists(item)
    activities = Activity.objects.filter(pk=activity.pk)
    if exists is not None:
        activities = activities.annotate(item_exists=exists)
    activity = activities.first()
    if activity is None or activity.session_id != participant.session_id or activity.kind != kind:
        raise LiveError(_("This activity is not running in your session."))
    if activity.status == Activity.Status.LOCKED:
        raise LiveError(_("Voting is locked; your votes can no longer be changed."), code="locked")
    if activity.status != Activity.Status.OPEN:
        raise LiveError(_("This activity is not running."), code="closed")
    field = ITEM_FIELDS[activity.target]
    if exists is None or set(item) != {field} or not activity.item_exists:
        raise LiveError(UNKNOWN_ITEM, code="unknown_item")
    return activity, {field: item[field]}


def _lock_participant(participant: Participant) -> None:
    # The participant's row is the lock for their budget: concurrent requests of the same
    # participant queue up here, so counting and choosing a slot see every earlier dot.
    Participant.objects.select_for_update().filter(pk=participant.pk).values_list("pk").get()


@transaction.atomic
def _dot_place(*, activity: Activity, participant: Participant, item: dict) -> Dot:
    """Place one dot of ``participant`` on ``item``, within the budget and the per-item cap."""
    _lock_participant(participant)
    activity, target = _current_activity(activity, participant, Activity.Kind.DOT_VOTE, item)
    field, pk = next(iter(target.items()))
    dots = list(
        Dot.objects.filter(activity=activity, participant=participant).values_list("slot", field)
    )
    budget = activity.dots_per_participant
    if len(dots) >= budget:
        raise LiveError(
            _("You have used all your %(budget)d dots.") % {"budget": budget}, code="budget"
        )
    if sum(1 for _slot, on in dots if on == pk) >= activity.cap_per_item:
        raise LiveError(
            _("You can give at most %(cap)d dots to one item.") % {"cap": activity.cap_per_item},
            code="cap",
        )
    used = {slot for slot, _on in dots}
    slot = min(set(range(1, budget + 1)) - used)
    # The unique (activity, participant, slot) constraint is the last guard: a second dot in
    # the same slot is refused by the database, whatever happens above.
    dot = Dot.objects.create(activity=activity, participant=participant, slot=slot, **target)
    _touch(activity.session_id, content=False, votes=True, participant_id=participant.pk)
    return dot


dot_place = _retrying_conflicts(_dot_place)


@transaction.atomic
def _dot_remove(*, activity: Activity, participant: Participant, item: dict) -> None:
    """Take one of ``participant``'s dots off ``item`` again."""
    _lock_participant(participant)
    activity, target = _current_activity(activity, participant, Activity.Kind.DOT_VOTE, item)
    # The dot in the highest slot, deleted in one statement (no signals: a fast delete).
    last = (
        Dot.objects.filter(activity=activity, participant=participant, **target)
        .order_by("-slot")
        .values("pk")[:1]
    )
    deleted, _rows = Dot.objects.filter(pk__in=Subquery(last)).delete()
    if not deleted:
        raise LiveError(_("You have no dot on this item."), code="no_dot")
    _touch(activity.session_id, content=False, votes=True, participant_id=participant.pk)


dot_remove = _retrying_conflicts(_dot_remove)


@transaction.atomic
def _rating_save(
    *, activity: Activity, participant: Participant, item: dict, benefit, effort
) -> Rating:
    """Save (or change) a participant's benefit and effort rating (1–5) of an item."""
    try:
        benefit, effort = int(benefit), int(effort)
    except (TypeError, ValueError):
        benefit = effort = 0
    if not (1 <= benefit <= 5 and 1 <= effort <= 5):
        raise LiveError(_("Please rate benefit and effort from 1 to 5."), code="range")
    _lock_participant(participant)
    activity, target = _current_activity(activity, participant, Activity.Kind.RATING, item)
    rating, _created = Rating.objects.update_or_create(
        activity=activity,
        participant=participant,
        **target,
        defaults={"benefit": benefit, "effort": effort},
    )
    _touch(activity.session_id, content=False, votes=True, participant_id=participant.pk)
    return rating


rating_save = _retrying_conflicts(_rating_save)


# --- Promotion ----------------------------------------------------------------------------------


def _cluster_text(cluster: Cluster, cards) -> str:
    lines = [cluster.name] + [f"– {card.text}" for card in cards]
    return "\n".join(lines)[:5000]


@transaction.atomic
def results_promote(
    *,
    activity: Activity,
    kind: str,
    user,
    card_ids=(),
    cluster_ids=(),
) -> list[PromotedResult]:
    """Carry results of a finished activity into the strategy, keeping the link to it.

    ``field_priority``: a dot vote over theme fields → every field in ranked order.
    ``vision_statement``: selected cards. ``project_idea``: selected cards or clusters.
    Items promoted before with the same kind are skipped."""
    activity = Activity.objects.select_related("session").get(pk=activity.pk)
    if activity.status != Activity.Status.CLOSED:
        raise LiveError(_("Results can be taken over once the activity is finished."))
    Kind = PromotedResult.Kind
    existing = PromotedResult.objects.filter(activity=activity, kind=kind)
    if kind == Kind.FIELD_PRIORITY:
        if not (
            activity.kind == Activity.Kind.DOT_VOTE
            and activity.target == Activity.Target.THEME_FIELDS
        ):
            raise LiveError(_("Priorities of theme fields come from a dot vote on theme fields."))
        if existing.exists():
            raise LiveError(_("The priorities of this vote have already been taken over."))
        return [
            PromotedResult.objects.create(
                activity=activity,
                kind=kind,
                text=row.label,
                theme_field_id=row.theme_field_id,
                rank=row.rank,
                dots=row.dots,
                created_by=user,
            )
            for row in dot_vote_results(activity)
        ]
    if kind not in (Kind.VISION_STATEMENT, Kind.PROJECT_IDEA):
        raise LiveError(_("Unknown kind of result."))
    card_ids, cluster_ids = set(card_ids), set(cluster_ids)
    if kind == Kind.VISION_STATEMENT and cluster_ids:
        raise LiveError(_("Draft statements for the vision are taken from cards."))
    if not card_ids and not cluster_ids:
        raise LiveError(_("Please select at least one card or cluster."))
    session = activity.session
    cards = list(
        Card.objects.filter(session=session, pk__in=card_ids, merged_into__isnull=True).order_by(
            "pk"
        )
    )
    clusters = list(Cluster.objects.filter(session=session, pk__in=cluster_ids).order_by("pk"))
    if len(cards) != len(card_ids) or len(clusters) != len(cluster_ids):
        raise LiveError(_("Some of the selected items do not belong to this session."))
    ranks = {}
    if activity.kind == Activity.Kind.DOT_VOTE:
        ranks = {(row.card_id, row.cluster_id): row for row in dot_vote_results(activity)}
    done_cards = set(existing.filter(card__isnull=False).values_list("card_id", flat=True))
    done_clusters = set(existing.filter(cluster__isnull=False).values_list("cluster_id", flat=True))
    cluster_cards = {c.pk: [] for c in clusters}
    for card in Card.objects.filter(cluster__in=clusters, merged_into__isnull=True).order_by("pk"):
        cluster_cards[card.cluster_id].append(card)
    created = []
    for card in cards:
        if card.pk in done_cards:
            continue
        row = ranks.get((card.pk, None))
        created.append(
            PromotedResult(
                activity=activity,
                kind=kind,
                text=card.text,
                theme_field_id=card.theme_field_id,
                card=card,
                rank=row.rank if row else None,
                dots=row.dots if row else None,
                created_by=user,
            )
        )
    for cluster in clusters:
        if cluster.pk in done_clusters:
            continue
        row = ranks.get((None, cluster.pk))
        created.append(
            PromotedResult(
                activity=activity,
                kind=kind,
                text=_cluster_text(cluster, cluster_cards[cluster.pk]),
                cluster=cluster,
                rank=row.rank if row else None,
                dots=row.dots if row else None,
                created_by=user,
            )
        )
    if not created:
        raise LiveError(_("The selected items have already been taken over."))
    return PromotedResult.objects.bulk_create(created)
