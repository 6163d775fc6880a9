"""The funding overview: sums per funding programme and per municipality, checked against
numbers worked out by hand."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from roadmaps.measure_selectors import funding_overview
from strategy.models import FundingProgramme
from tests.roadmaps import make_measure

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def measures(process, reference):
    programmes = list(FundingProgramme.objects.order_by("pk")[:2])
    # 120,000 € at 80 %: grant 96,000, own share 24,000; Dülmen, Nottuln and the Kreis.
    make_measure(
        process,
        "M-01",
        investment_cost=120000,
        running_cost_per_year=3000,
        funding_programme=programmes[0],
        grant_rate=80,
        municipalities=[reference["Dülmen"], reference["Nottuln"], reference["Kreis Coesfeld"]],
    )
    # 50,000 € at 50 %: grant 25,000, own share 25,000; Dülmen alone.
    make_measure(
        process,
        "M-02",
        investment_cost=50000,
        funding_programme=programmes[0],
        grant_rate=50,
        municipalities=[reference["Dülmen"]],
    )
    # 10,000 € without programme: own share 10,000; Kreis-wide (no municipality).
    make_measure(process, "M-03", investment_cost=10000, running_cost_per_year=1000)
    # A programme but no grant rate yet: no grant, own share 7,000; Nottuln.
    make_measure(
        process,
        "M-04",
        investment_cost=7000,
        funding_programme=programmes[1],
        municipalities=[reference["Nottuln"]],
    )
    # No cost yet, Kreis-wide: counted, adds nothing.
    make_measure(process, "M-05")
    # Dropped measures are not counted.
    make_measure(process, "M-06", investment_cost=999999, status="dropped")
    return programmes


def _sums(row):
    return (row.measure_count, row.investment, row.grant, row.own_share, row.running_cost)


def test_sums_per_funding_programme(process, measures):
    overview = funding_overview(process=process)
    rows = {row.label: _sums(row) for row in overview.by_programme}
    first, second = measures
    assert rows == {
        first.name: (2, D("170000"), D("121000"), D("49000"), D("3000")),
        second.name: (1, D("7000"), D("0"), D("7000"), D("0")),
        "Kein Förderprogramm": (2, D("10000"), D("0"), D("10000"), D("1000")),
    }
    assert _sums(overview.total) == (5, D("187000"), D("121000"), D("66000"), D("4000"))


def test_sums_per_municipality_split_equally(process, measures):
    overview = funding_overview(process=process)
    rows = {row.label: row for row in overview.by_municipality}
    assert len(rows) == 13  # 11 municipalities, the Kreis and "Kreis-wide"
    duelmen = rows["Dülmen"]
    # A third of M-01 (40,000 / 32,000 / 8,000 / 1,000) plus all of M-02.
    assert duelmen.measure_count == 2
    assert duelmen.investment == D("90000")
    assert duelmen.grant == D("57000")
    assert duelmen.own_share == D("33000")
    assert duelmen.running_cost == D("1000")
    nottuln = rows["Nottuln"]
    assert (nottuln.measure_count, nottuln.investment, nottuln.own_share) == (
        2,
        D("47000"),
        D("15000"),
    )
    assert (rows["Kreis Coesfeld"].investment, rows["Kreis Coesfeld"].grant) == (
        D("40000"),
        D("32000"),
    )
    district_wide = overview.by_municipality[-1]
    assert district_wide.municipality is None
    assert _sums(district_wide) == (2, D("10000"), D("0"), D("10000"), D("1000"))
    assert rows["Billerbeck"].measure_count == 0
    # The rows add up to the total.
    for name in ("investment", "grant", "own_share", "running_cost"):
        total = sum(getattr(row, name) for row in overview.by_municipality)
        assert total.quantize(D("0.01")) == getattr(overview.total, name)


def test_thirds_are_rounded_only_for_display(process, reference, client, personas):
    make_measure(
        process,
        "M-01",
        investment_cost=100,
        municipalities=[reference["Dülmen"], reference["Nottuln"], reference["Coesfeld"]],
    )
    overview = funding_overview(process=process)
    total = sum(row.investment for row in overview.by_municipality)
    assert total.quantize(D("0.01")) == D("100.00")
    client.force_login(personas["councillor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("roadmaps:funding_overview")).content.decode()
    assert "33.33 €" in html


def test_funding_page_shows_sums_and_states_the_rule(client, personas, process, measures):
    client.force_login(personas["working_group"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("roadmaps:funding_overview")).content.decode()
    assert "split equally among its participating municipalities" in html
    assert "Kreis-wide (no municipality named)" in html
    for amount in ("187,000.00 €", "121,000.00 €", "66,000.00 €", "90,000.00 €", "57,000.00 €"):
        assert amount in html, amount
    assert "999,999" not in html


def test_dropped_measures_count_for_no_municipality(process, reference, measures):
    """The participations are read as plain pairs; those of dropped measures stay out."""
    make_measure(
        process,
        "M-07",
        investment_cost=500000,
        status="dropped",
        municipalities=[reference["Dülmen"], reference["Billerbeck"]],
    )
    rows = {row.label: row for row in funding_overview(process=process).by_municipality}
    assert (rows["Dülmen"].measure_count, rows["Dülmen"].investment) == (2, D("90000"))
    assert rows["Billerbeck"].measure_count == 0
