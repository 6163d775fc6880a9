"""Factories for the models of the portal."""

import factory

from accounts.models import Role, User

PASSWORD = "Sicheres-Passwort-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    role = Role.COUNCILLOR
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    """A digital project; pass ``municipality`` (a Municipality from the reference data)."""

    class Meta:
        model = "inventory.Project"
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"TEST-{n:05d}")
    title = factory.Sequence(lambda n: f"Projekt {n}")
    description = "Ein digitales Vorhaben."
    status = "running"

    @factory.post_generation
    def theme_fields(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.theme_fields.set(extracted)
