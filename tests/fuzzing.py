"""What every fuzz test of the portal's forms shares: the hostile text, the check, and the
register of forms that are fuzzed (``test_fuzz_forms.test_every_text_form_is_fuzzed`` fails for
a form with a free-text field that no fuzz test names)."""

from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MARKERS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
]
NASTY = st.sampled_from(
    ["", "\u202e", "\u200b", "\u0000", "\r\n", "ä" * 300, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "'; DROP TABLE x;--"]
)
TEXT = st.builds(
    lambda a, marker, b, c: f"{a}{marker}{b}{c}",
    st.text(max_size=40),
    st.sampled_from(MARKERS),
    NASTY,
    st.text(max_size=2500),
)
HYPOTHESIS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# "module.FormClass" of every form some fuzz test posts hostile text into.
FUZZED: set[str] = set()


def fuzzes(*forms: str):
    """Mark a test as the fuzz test of ``forms`` ("app.module.FormClass")."""
    FUZZED.update(forms)

    def mark(test):
        return test

    return mark


def check_shown_as_text(client, response, shown_at: str | None) -> None:
    """No server error, and where the text is shown, no marker survives as markup."""
    assert response.status_code < 500
    if shown_at is None:
        return
    page = client.get(shown_at)
    assert page.status_code < 500
    html = page.content.decode()
    for marker in MARKERS:
        if marker.startswith("javascript:"):
            assert f'href="{marker}' not in html
        else:
            assert marker not in html


def login_url() -> str:
    return reverse("accounts:login")


def accepted(*, lines=(), texts=()) -> bool:
    """Whether the portal's text rule (``strategy.text_input``) lets the values through:
    ``lines`` as posted into single-line fields, ``texts`` into multi-line ones (NUL is
    refused in both, by Django's own check and, before any form, by the middleware)."""
    from strategy.text_input import text_error

    return not any(text_error(v.strip(), multiline=False) for v in lines) and not any(
        text_error(v.strip(), multiline=True) for v in texts
    )


# --- Control characters in text fields -------------------------------------------------------

# Posted into every text field; a single-line field refuses all three, a multi-line field
# the last two (``tests/test_fuzz_control_characters.py``).
CONTROL_VALUES = {"crlf": "\r\n", "nul": "\x00", "escape": "\x1b"}
# "module.FormClass" of every form whose text fields a control-character test covers.
CONTROLLED: set[str] = set()


def refuses_controls(*forms: str):
    """Mark a case as the control-character test of ``forms`` ("app.module.FormClass")."""
    CONTROLLED.update(forms)

    def mark(case):
        case.forms = forms
        return case

    return mark


def text_fields(form: str) -> dict[str, bool]:
    """The text fields the rule applies to of the form class ``form``, with whether each is
    multi-line."""
    import importlib

    from strategy.text_input import is_checked_text, is_multiline

    module, name = form.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    return {
        field_name: is_multiline(field)
        for field_name, field in cls.base_fields.items()
        if is_checked_text(field)
    }


def db_snapshot() -> dict:
    """Every row of every model of the portal's apps: what a refused post leaves as it was."""
    from django.apps import apps
    from django.conf import settings

    snapshot = {}
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        for model in config.get_models():
            snapshot[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return snapshot
