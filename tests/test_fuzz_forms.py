"""Arbitrary text (HTML, script, javascript: URLs, RTL and zero-width characters, very long
strings) in every text field of the portal's forms: never a server error, and where the text
is shown, it is shown as text."""

import importlib

import pytest
from django.urls import reverse
from hypothesis import given

from inventory.models import Project, SynergyCandidate
from strategy.models import ThemeField
from tests.factories import ProjectFactory
from tests.fuzzing import FUZZED, HYPOTHESIS, TEXT, check_shown_as_text, fuzzes

_check = check_shown_as_text


@pytest.fixture
def staff(client, personas, process):
    client.force_login(personas["district_staff"])
    return client


@fuzzes("strategy.forms.ThemeFieldForm", "strategy.forms.ActorGroupForm")
@given(text=TEXT)
@HYPOTHESIS
def test_theme_field_and_actor_group_forms(staff, text):
    response = staff.post(
        reverse("strategy:themefield_new"), {"name": text[:100], "description": text, "position": 1}
    )
    _check(staff, response, reverse("strategy:themefield_list"))
    response = staff.post(
        reverse("strategy:actorgroup_new"), {"name": text[:100], "description": text}
    )
    _check(staff, response, reverse("strategy:actorgroup_list"))


@fuzzes("strategy.forms.ProcessCreateForm", "strategy.forms.TransitionForm")
@given(text=TEXT)
@HYPOTHESIS
def test_process_forms(staff, process, text):
    response = staff.post(
        reverse("strategy:process_new"), {"title": text, "year": 2027, "description": text}
    )
    _check(staff, response, reverse("strategy:process_list"))
    response = staff.post(reverse("strategy:process_advance", args=[process.pk]), {"note": text})
    _check(staff, response, reverse("strategy:process_detail", args=[process.pk]))


@fuzzes("inventory.forms.ProjectForm")
@given(text=TEXT)
@HYPOTHESIS
def test_project_form(staff, reference, text):
    data = {
        "municipality": reference["Dülmen"].pk,
        "title": text,
        "description": text,
        "status": "idea",
        "lead_organisation": text,
        "contact_person": text,
        "target_groups": text,
        "links": text,
        "tags": text,
    }
    response = staff.post(reverse("inventory:project_new"), data)
    project = Project.objects.order_by("-pk").first()
    shown_at = project.get_absolute_url() if project else reverse("inventory:project_list")
    _check(staff, response, shown_at)
    _check(staff, response, reverse("inventory:project_list") + "?q=" + text[:50])


@fuzzes(
    "inventory.forms.ExistingStrategyForm",
    "accounts.forms.InvitationForm",
    "strategy.forms_trust.ContentPageForm",
)
@given(text=TEXT)
@HYPOTHESIS
def test_strategy_and_invitation_and_page_forms(staff, reference, text):
    response = staff.post(
        reverse("inventory:strategy_new"),
        {
            "municipality": reference["Olfen"].pk,
            "title": text,
            "kind": "other",
            "summary": text,
            "link": text,
        },
    )
    _check(staff, response, reverse("inventory:strategy_list"))
    response = staff.post(
        reverse("accounts:invitation_new"),
        {"email": "fuzz@example.org", "first_name": text, "last_name": text, "role": "councillor"},
    )
    _check(staff, response, reverse("accounts:user_list"))
    response = staff.post(
        reverse("strategy:content_page_edit", args=["datenschutz"]), {"title": text, "body": text}
    )
    _check(staff, response, reverse("strategy:content_page", args=["datenschutz"]))


@fuzzes("inventory.forms.SynergyDecisionForm")
@given(text=TEXT)
@HYPOTHESIS
def test_synergy_note_and_search(staff, reference, text):
    project = ProjectFactory(
        municipality=reference["Senden"], theme_fields=[ThemeField.objects.first()]
    )
    candidate, _ = SynergyCandidate.objects.get_or_create(key="fuzz", defaults={"score": 0.5})
    candidate.projects.add(project)
    response = staff.post(
        reverse("inventory:synergy_decide", args=[candidate.pk]),
        {"decision": "joint_project", "note": text},
    )
    _check(staff, response, reverse("inventory:synergy_list"))
    response = staff.get(reverse("accounts:user_list"), {"q": text})
    assert response.status_code < 500


def _text_forms() -> set[str]:
    """Every form of the portal with a free-text field ("module.Class")."""
    import importlib
    import inspect
    import pkgutil

    from django import forms
    from django.apps import apps
    from django.conf import settings

    found = set()
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        for module_info in pkgutil.iter_modules([config.path]):
            if "forms" not in module_info.name:
                continue
            module = importlib.import_module(f"{config.name}.{module_info.name}")
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__ or not issubclass(cls, forms.BaseForm):
                    continue
                try:
                    fields = cls.base_fields
                except AttributeError:
                    continue
                if any(isinstance(field, forms.CharField) for field in fields.values()):
                    found.add(f"{module.__name__}.{name}")
    return found


def test_every_text_form_is_fuzzed():
    """A new form with a text field fails here until a fuzz test throws hostile text at it."""
    import importlib
    from pathlib import Path

    for path in Path(__file__).parent.rglob("test_fuzz*.py"):
        module = ".".join(path.relative_to(Path(__file__).parent.parent).with_suffix("").parts)
        importlib.import_module(module)
    missing = sorted(_text_forms() - FUZZED)
    assert not missing, missing


def _portal_form_classes() -> dict[str, type]:
    """Every form class defined in a module of the portal's apps ("module.Class")."""
    import importlib
    import inspect
    from pathlib import Path

    from django import forms
    from django.apps import apps
    from django.conf import settings

    found = {}
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        for path in Path(config.path).rglob("*.py"):
            relative = path.relative_to(config.path).with_suffix("")
            if "migrations" in relative.parts or "forms." not in path.read_text("utf-8"):
                continue
            name = ".".join((config.name, *relative.parts)).removesuffix(".__init__")
            module = importlib.import_module(name)
            for cls_name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and issubclass(cls, forms.BaseForm):
                    found[f"{module.__name__}.{cls_name}"] = cls
    return found


def test_every_form_follows_the_text_rule():
    """Every form with a text field derives from strategy.text_input's bases, so control
    characters are refused in it (a form built on django.forms.Form directly fails here)."""
    from strategy.text_input import TextRules, is_checked_text

    unchecked = sorted(
        name
        for name, cls in _portal_form_classes().items()
        if any(is_checked_text(field) for field in getattr(cls, "base_fields", {}).values())
        and not issubclass(cls, TextRules)
    )
    assert not unchecked, unchecked


def test_every_text_form_refuses_control_characters():
    """A form with a text field fails here until a case of
    tests/test_fuzz_control_characters.py posts control characters into its fields."""
    from strategy.text_input import is_checked_text
    from tests.fuzzing import CONTROLLED

    importlib.import_module("tests.test_fuzz_control_characters")
    with_text = {
        name
        for name, cls in _portal_form_classes().items()
        if any(is_checked_text(field) for field in getattr(cls, "base_fields", {}).values())
    }
    missing = sorted(with_text - CONTROLLED)
    assert not missing, missing


def test_every_admin_page_follows_the_text_rule():
    """The admin's forms of the portal's models (and their inlines) follow the rule too."""
    from django.conf import settings
    from django.contrib import admin
    from django.test import RequestFactory

    from strategy.text_input import TextRules

    request = RequestFactory().get("/admin/")
    request.user = type("Superuser", (), {"is_superuser": True, "has_perm": lambda *a: True})()
    unchecked = []
    for model, model_admin in admin.site._registry.items():
        config = model._meta.app_config
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        forms = [model_admin.form, getattr(model_admin, "add_form", TextRules)]
        forms += [inline.form for inline in model_admin.get_inline_instances(request)]
        if list_editable := model_admin.list_editable:
            forms.append(model_admin.get_changelist_form(request, fields=list_editable))
        unchecked += [model._meta.label for form in forms if not issubclass(form, TextRules)]
    assert not unchecked, unchecked
