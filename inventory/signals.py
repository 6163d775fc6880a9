"""Keep stored similarities fresh: any change to projects schedules one recomputation."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Project


@receiver(post_save, sender=Project)
@receiver(post_delete, sender=Project)
def _project_changed(sender, **kwargs):
    if kwargs.get("raw"):
        return
    from .services import similarity_schedule

    similarity_schedule()


@receiver(m2m_changed, sender=Project.theme_fields.through)
def _project_fields_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        from .services import similarity_schedule

        similarity_schedule()
