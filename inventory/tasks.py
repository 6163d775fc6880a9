"""Background work of the inventory."""

from celery import shared_task


def similarities_recompute_queued() -> None:
    """Queue a recomputation unless one is already waiting."""
    from .models import SimilarityRun

    if SimilarityRun.objects.filter(status=SimilarityRun.Status.QUEUED).exists():
        return
    run = SimilarityRun.objects.create()
    recompute_similarities.apply_async(args=[run.pk], countdown=2)


@shared_task(name="inventory.recompute_similarities")
def recompute_similarities(run_id: int) -> None:
    """Recompute all project similarities and synergy candidates (filled in below)."""
