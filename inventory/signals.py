"""Keep stored similarities fresh: any change to projects schedules one recomputation."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from strategy.loading import is_bulk_loading

from .models import Project


@receiver(post_save, sender=Project)
@receiver(post_delete, sender=Project)
def _project_changed(sender, **kwargs):
    if kwargs.get("raw") or is_bulk_loading():
        return
    from .services import similarity_schedule

    similarity_schedule()


@receiver(m2m_changed, sender=Project.theme_fields.through)
def _project_fields_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and not is_bulk_loading():
        from .services import similarity_schedule

        similarity_schedule()
