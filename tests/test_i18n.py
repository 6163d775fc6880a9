"""German first, English selectable; the catalogues are complete."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

LOGIN = reverse("accounts:login")


def test_german_is_the_default(client, db):
    html = client.get(LOGIN).content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Strategieportal Kreis Coesfeld" in html


def test_switching_to_english_and_back(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    html = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in html and "Log in" in html and "Anmelden" not in html
    client.post(reverse("set_language"), {"language": "de", "next": LOGIN})
    assert "Anmelden" in client.get(LOGIN).content.decode()


def test_translation_catalogues_are_complete_and_compiled():
    for language in ("de", "en"):
        po = Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES", "django.po")
        text = po.read_text(encoding="utf-8")
        entries = [e for e in text.split("\n\n")[1:] if "msgid" in e]
        # Translated: some non-empty text after the first msgstr (msgstr, msgstr[n], continued).
        translated = [e for e in entries if re.search(r'"[^"\n]', e.split("\nmsgstr", 1)[1])]
        with po.with_suffix(".mo").open("rb") as mo:
            catalog = gettext.GNUTranslations(mo)._catalog
        # The compiled catalogue holds exactly the translated entries of the .po file.
        # Plural entries are stored once per form, as (msgid, n).
        msgids = {key[0] if isinstance(key, tuple) else key for key in catalog if key}
        assert len(msgids) == len(translated), language
        if language == "de":
            assert "#, fuzzy" not in text.split("\n\n", 1)[1]
            untranslated = [e for e in entries if e not in translated]
            assert not untranslated, untranslated[:5]
