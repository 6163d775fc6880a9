"""Results of live activities, shared by the live views, the projector and the minutes."""

from dataclasses import dataclass

from django.db.models import Avg, Count

from strategy.models import ThemeField

from .models import Activity, Card, Cluster, Dot, Rating


@dataclass
class VoteRow:
    """One voted item with its dots and rank (1 = most dots; ties share a rank)."""

    label: str
    dots: int
    rank: int
    card_id: int | None = None
    cluster_id: int | None = None
    theme_field_id: int | None = None


@dataclass
class RatingRow:
    """One rated item with the mean benefit and effort (1–5) and the number of ratings."""

    label: str
    benefit: float
    effort: float
    count: int
    card_id: int | None = None
    cluster_id: int | None = None

    @property
    def quadrant(self) -> str:
        """'now' (high benefit, low effort), 'plan', 'later', or 'drop' (low benefit,
        high effort)."""
        high_benefit, high_effort = self.benefit >= 3, self.effort >= 3
        if high_benefit:
            return "plan" if high_effort else "now"
        return "drop" if high_effort else "later"


def vote_items(activity: Activity) -> list[tuple[str, dict]]:
    """What can be voted on in ``activity``: (label, target kwargs) pairs, in display order."""
    # values_list: a live vote may have hundreds of cards, and only two columns are needed.
    if activity.target == Activity.Target.THEME_FIELDS:
        fields = ThemeField.objects.values_list("pk", "name")
        return [(name, {"theme_field_id": pk}) for pk, name in fields]
    if activity.target == Activity.Target.CLUSTERS:
        clusters = Cluster.objects.filter(session_id=activity.session_id).values_list("pk", "name")
        return [(name, {"cluster_id": pk}) for pk, name in clusters]
    cards = Card.objects.filter(
        session_id=activity.session_id, merged_into__isnull=True
    ).values_list("pk", "text")
    return [(text, {"card_id": pk}) for pk, text in cards]


def dot_vote_results(activity: Activity) -> list[VoteRow]:
    """All items of a dot vote with their dots, most dots first (two queries)."""
    counts = {
        (row["card_id"], row["cluster_id"], row["theme_field_id"]): row["n"]
        for row in Dot.objects.filter(activity=activity)
        .values("card_id", "cluster_id", "theme_field_id")
        .annotate(n=Count("pk"))
    }
    rows = []
    for label, target in vote_items(activity):
        key = (target.get("card_id"), target.get("cluster_id"), target.get("theme_field_id"))
        rows.append(VoteRow(label=label, dots=counts.get(key, 0), rank=0, **target))
    rows.sort(key=lambda row: (-row.dots, row.label))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.dots != previous:
            rank, previous = position, row.dots
        row.rank = rank
    return rows


def rating_results(activity: Activity) -> list[RatingRow]:
    """Mean benefit and effort of every rated card or cluster (two queries)."""
    means = {
        (row["card_id"], row["cluster_id"]): row
        for row in Rating.objects.filter(activity=activity)
        .values("card_id", "cluster_id")
        .annotate(benefit=Avg("benefit"), effort=Avg("effort"), n=Count("pk"))
    }
    rows = []
    for label, target in vote_items(activity):
        key = (target.get("card_id"), target.get("cluster_id"))
        if key in means:
            row = means[key]
            rows.append(
                RatingRow(
                    label=label,
                    benefit=round(row["benefit"], 2),
                    effort=round(row["effort"], 2),
                    count=row["n"],
                    **target,
                )
            )
    rows.sort(key=lambda row: (-row.benefit, row.effort, row.label))
    return rows
