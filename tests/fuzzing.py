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
