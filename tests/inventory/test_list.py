"""The project list: filters, search, sorting, pagination, all linkable; the matrix."""

from django.urls import reverse

from strategy.models import FundingProgramme, ThemeField
from tests.factories import ProjectFactory

LIST = reverse("inventory:project_list")


def _titles(response):
    return [p.title for p in response.context["page"].object_list]


def test_filters_search_and_sort_are_in_the_url(client, personas, reference):
    mobility = ThemeField.objects.get(name="Mobilität")
    wifi = ProjectFactory(
        municipality=reference["Senden"], title="Freies WLAN am Markt", status="running"
    )
    parking = ProjectFactory(
        municipality=reference["Dülmen"],
        title="Parkplatz-App",
        status="planned",
        theme_fields=[mobility],
    )
    broadband = ProjectFactory(
        municipality=reference["Nottuln"], title="Breitbandausbau Gewerbe", status="running"
    )
    broadband.partners.add(reference["Dülmen"])
    programme = FundingProgramme.objects.first()
    wifi.funding_programmes.add(programme)
    client.force_login(personas["councillor"])

    assert set(_titles(client.get(LIST))) == {wifi.title, parking.title, broadband.title}
    dülmen = client.get(LIST, {"municipality": reference["Dülmen"].pk})
    assert set(_titles(dülmen)) == {parking.title, broadband.title}
    assert _titles(client.get(LIST, {"theme_field": mobility.pk})) == [parking.title]
    assert _titles(client.get(LIST, {"status": "planned"})) == [parking.title]
    assert _titles(client.get(LIST, {"funding_programme": programme.pk})) == [wifi.title]
    assert _titles(client.get(LIST, {"q": "Breitband"})) == [broadband.title]
    assert _titles(client.get(LIST, {"sort": "title"})) == sorted(
        [wifi.title, parking.title, broadband.title]
    )
    response = client.get(LIST, {"status": "running", "sort": "title"})
    assert "status=running" in response.context["query"]


def test_invalid_filter_values_show_an_error_not_a_crash(client, personas, reference):
    client.force_login(personas["councillor"])
    response = client.get(LIST, {"municipality": "999999", "status": "kaputt"})
    assert response.status_code == 200


def test_pagination(client, personas, reference):
    for n in range(30):
        ProjectFactory(municipality=reference["Olfen"], title=f"Projekt {n:02d}")
    client.force_login(personas["councillor"])
    first = client.get(LIST, {"sort": "title"})
    assert len(_titles(first)) == 25
    second = client.get(LIST, {"sort": "title", "page": 2})
    assert _titles(second) == [f"Projekt {n:02d}" for n in range(25, 30)]
    assert "sort=title&amp;page=2" in first.content.decode()


def test_matrix_counts_and_links_to_the_filtered_list(client, personas, reference):
    mobility = ThemeField.objects.get(name="Mobilität")
    for _ in range(3):
        ProjectFactory(municipality=reference["Dülmen"], theme_fields=[mobility])
    client.force_login(personas["working_group"])
    response = client.get(reverse("inventory:matrix"))
    html = response.content.decode()
    link = f"{LIST}?municipality={reference['Dülmen'].pk}&amp;theme_field={mobility.pk}"
    assert f'<a href="{link}">3' in html
    row = next(r for r in response.context["rows"] if r.municipality == reference["Dülmen"])
    assert row.total == 3
    assert html.count("heat heat-0") == 12 * 13 - 1
