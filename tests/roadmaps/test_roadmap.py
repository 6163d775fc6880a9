"""The roadmap: a Gantt timeline as accessible inline SVG plus a table with the same data,
overall and per theme field, with filters, dependency arrows and warnings, in a fixed number of
queries."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.demo import measures_large_create
from roadmaps.gantt import LABEL_WIDTH, YEAR_WIDTH, gantt_layout
from roadmaps.measure_selectors import roadmap_build
from roadmaps.models import FieldPlan, Measure
from strategy.models import FundingProgramme, ThemeField
from tests.roadmaps import add_milestone, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, personas):
    client.force_login(personas["rep_duelmen"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def plan(process, reference):
    """A → B on time, A → C starting too early; D without dates in another field."""
    fields = list(ThemeField.objects.order_by("position")[:2])
    a = make_measure(
        process,
        "M-01",
        title="Breitband",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
        priority="high",
        fields=[fields[0]],
        municipalities=[reference["Dülmen"]],
    )
    b = make_measure(
        process,
        "M-02",
        title="Bürgerportal",
        start_date=date(2028, 1, 1),
        end_date=date(2028, 12, 31),
        priority="medium",
        fields=[fields[0]],
        depends_on=[a],
        funding_programme=FundingProgramme.objects.first(),
    )
    c = make_measure(
        process,
        "M-03",
        title="Smarte Parkplätze",
        start_date=date(2027, 7, 1),
        end_date=date(2029, 6, 30),
        priority="low",
        fields=[fields[0]],
        depends_on=[a],
        municipalities=[reference["Nottuln"]],
    )
    d = make_measure(process, "M-04", title="Ohne Termine", fields=[fields[1]])
    add_milestone(b, "Go-live", date(2028, 10, 1))
    return {"a": a, "b": b, "c": c, "d": d, "fields": fields}


def _svg(html):
    return re.search(r"<svg viewBox.*?</svg>", html, re.S)[0]


def test_roadmap_draws_every_measure_as_an_accessible_svg(reader, plan):
    html = reader.get(reverse("roadmaps:roadmap")).content.decode()
    svg = _svg(html)
    assert 'role="img"' in svg
    assert re.search(r'aria-labelledby="roadmap-title roadmap-desc"', svg)
    assert '<title id="roadmap-title">Roadmap of all measures</title>' in svg
    assert "4 measures on a timeline from 2027 to 2029" in svg
    for number in ("M-01", "M-02", "M-03", "M-04"):
        assert f'data-measure="{number}"' in svg
    assert "no dates yet" in svg  # M-04 has a row but no bar
    # Colour is not the only cue: patterns for medium and low, and the priority as text.
    assert 'fill="url(#roadmap-pattern-medium)"' in svg
    assert 'fill="url(#roadmap-pattern-low)"' in svg
    assert '<text class="gantt-priority"' in svg and ">high</text>" in svg
    # Milestones are diamonds.
    assert svg.count('class="gantt-milestone') == 1
    # The table alternative has the same measures.
    table = html[html.index("The roadmap as a table") :]
    for number in ("M-01 Breitband", "M-02 Bürgerportal", "M-03 Smarte", "M-04 Ohne"):
        assert number in table
    assert "Go-live" in table
    # No inline styles (strict CSP).
    assert "style=" not in html


def test_dates_map_to_x_positions(process, plan):
    layout = gantt_layout(roadmap_build(measures=Measure.objects.filter(process=process)))
    years = {tick.label: tick.x for tick in layout.years}
    assert list(years)[:3] == ["2027", "2028", "2029"]
    assert years["2027"] == LABEL_WIDTH
    assert years["2028"] == LABEL_WIDTH + YEAR_WIDTH
    assert years["2029"] == LABEL_WIDTH + 2 * YEAR_WIDTH
    rows = {row.measure.number: row for row in layout.rows}
    # A measure starting on 1 January 2027 starts at the 2027 tick, one ending on
    # 31 December 2027 ends at the 2028 tick.
    assert rows["M-01"].x_start == years["2027"]
    assert rows["M-01"].x_end == years["2028"]
    assert rows["M-02"].x_start == years["2028"]
    # 1 July 2027 lies half way through 2027 (181 of 365 days).
    assert rows["M-03"].x_start == pytest.approx(LABEL_WIDTH + YEAR_WIDTH * 181 / 365, abs=0.02)
    milestone = rows["M-02"].milestones[0]["points"].split()[0]
    assert float(milestone.split(",")[0]) == layout.x_for(date(2028, 10, 1))
    # Rows follow the start date; measures without dates come last.
    assert [row.measure.number for row in layout.rows] == ["M-01", "M-03", "M-02", "M-04"]
    assert rows["M-04"].has_bar is False


def test_svg_positions_match_the_axis(reader, plan):
    svg = _svg(reader.get(reverse("roadmaps:roadmap")).content.decode())
    tick = re.search(r'data-year="2027" x1="([\d.]+)"', svg)[1]
    bar = re.search(r'data-measure="M-01".*?<rect class="gantt-bar" x="([\d.]+)"', svg, re.S)[1]
    assert float(bar) == float(tick)
    assert "," not in tick  # numbers are not localised inside the SVG


def test_dependency_arrows_and_warnings(reader, plan):
    html = reader.get(reverse("roadmaps:roadmap")).content.decode()
    svg = _svg(html)
    assert re.search(r'class="gantt-dependency" d="[^"]+" data-from="M-01" data-to="M-02"', svg)
    assert re.search(
        r'class="gantt-dependency gantt-dependency-warning" d="[^"]+" data-from="M-01" '
        r'data-to="M-03"',
        svg,
    )
    assert "1 measure starts too early" in html
    assert "M-03 starts on 07/01/2027, before M-01, which it depends on, ends on 12/31/2027." in (
        html
    )
    assert 'data-measure="M-03"' in svg and "⚠ M-03" in svg
    assert "⚠ M-02" not in svg


def test_an_arrow_runs_from_the_prerequisite_end_to_the_dependent_start(process, plan):
    layout = gantt_layout(roadmap_build(measures=Measure.objects.filter(process=process)))
    rows = {row.measure.number: row for row in layout.rows}
    arrow = next(a for a in layout.arrows if a.measure.number == "M-02")
    start, end = arrow.path.split()[:2], arrow.path.split()[-1]
    assert start == [f"M{rows['M-01'].x_end}", f"{rows['M-01'].center_y}"]
    assert end == f"H{rows['M-02'].x_start}"
    assert not arrow.warning


def test_roadmap_per_theme_field(reader, plan):
    field = plan["fields"][1]
    response = reader.get(reverse("roadmaps:roadmap") + f"?field={field.pk}")
    html = response.content.decode()
    assert f"Roadmap: {field.name}" in html
    assert f"Roadmap of the theme field {field.name}" in html
    assert [m.number for m in response.context["roadmap"].measures] == ["M-04"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=high", ["M-01"]),
        ("municipality=Nottuln", ["M-03", "M-02", "M-04"]),  # and the Kreis-wide ones
        ("programme=first", ["M-02"]),
        ("priority=nonsense", ["M-01", "M-03", "M-02", "M-04"]),
    ],
)
def test_roadmap_filters(reader, plan, reference, query, expected):
    query = query.replace("Nottuln", str(reference["Nottuln"].pk)).replace(
        "programme=first", f"programme={FundingProgramme.objects.first().pk}"
    )
    response = reader.get(reverse("roadmaps:roadmap") + "?" + query)
    assert [m.number for m in response.context["roadmap"].measures] == expected


def test_filtered_out_prerequisites_still_warn_but_draw_no_arrow(reader, plan, reference):
    response = reader.get(reverse("roadmaps:roadmap") + f"?municipality={reference['Nottuln'].pk}")
    html = response.content.decode()
    assert "data-from=" not in _svg(html)
    assert "M-03 starts on" in html


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def test_query_counts_stay_fixed_between_10_and_300_measures(client, personas, process, reference):
    client.force_login(personas["district_staff"])
    field = ThemeField.objects.order_by("position").first()
    urls = [
        reverse("roadmaps:roadmap"),
        reverse("roadmaps:roadmap") + f"?field={field.pk}",
        reverse("roadmaps:roadmap") + f"?municipality={reference['Dülmen'].pk}&priority=high",
        reverse("roadmaps:measure_list"),
        reverse("roadmaps:funding_overview"),
    ]
    assert measures_large_create(process, count=10, goals=10) == 10
    plan = FieldPlan.objects.filter(process=process).order_by("rank", "pk").first()
    urls.append(plan.get_absolute_url())  # the field page of the benchmark
    small = {url: _count(client, url) for url in urls}
    assert measures_large_create(process, count=290, goals=90) == 290
    assert Measure.objects.filter(process=process).count() == 300
    large = {url: _count(client, url) for url in urls}
    assert small == large
    assert max(large.values()) <= 20, large
    # All 300 measures are drawn.
    svg = _svg(client.get(reverse("roadmaps:roadmap")).content.decode())
    assert svg.count("data-measure=") == 300


def test_demo_data_is_deterministic_and_acyclic(process, reference):
    from roadmaps.measure_services import dependency_cycle

    measures_large_create(process, count=300, goals=100)
    assert Measure.objects.filter(process=process).count() == 300
    through = Measure.depends_on.through.objects
    assert through.exists()
    assert Measure.milestones.rel.related_model.objects.exists()
    assert ThemeField.objects.filter(measures__isnull=False).distinct().count() == 13
    first = list(Measure.objects.order_by("number").values_list("number", "start_date")[:5])
    for measure in Measure.objects.filter(dependents__isnull=False).distinct()[:50]:
        deps = list(measure.depends_on.values_list("pk", flat=True))
        assert dependency_cycle(process=process, measure_pk=measure.pk, depends_on=deps) == []
    Measure.objects.all().delete()
    measures_large_create(process, count=300, goals=100)
    again = list(Measure.objects.order_by("number").values_list("number", "start_date")[:5])
    assert first == again


def test_user_text_is_escaped_in_the_svg_the_table_and_the_warnings(reader, process):
    """The markup of the timeline and its table is written in Python: titles and numbers
    typed by users must come out as text, never as markup."""
    evil = '<script>alert("x")</script> & <b>Co</b>'
    first = make_measure(
        process,
        'M-1"<i>',
        title=evil,
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
    )
    second = make_measure(
        process,
        "M-2",
        title="Zweite",
        start_date=date(2027, 6, 1),
        end_date=date(2027, 12, 31),
        depends_on=[first],
    )
    add_milestone(second, "<img src=x onerror=alert(1)>", date(2027, 9, 1), done=True)
    html = reader.get(reverse("roadmaps:roadmap")).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>Co</b>" not in html and "<i>" not in html
    svg = _svg(html)
    escaped_title = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;"
    assert 'data-measure="M-1&quot;&lt;i&gt;"' in svg
    assert 'data-from="M-1&quot;&lt;i&gt;" data-to="M-2"' in svg
    assert f"<title>M-1&quot;&lt;i&gt; {escaped_title}: 01/01/2027–12/31/2027," in svg
    assert "<title>&lt;img src=x onerror=alert(1)&gt;: 09/01/2027</title>" in svg
    # The label is cut to 42 characters, but still escaped.
    assert '<text class="gantt-label" x="8" y="' in svg and "M-1&quot;&lt;i&gt; &lt;script" in svg
    table = html[html.index("The roadmap as a table") :]
    assert f'{second.get_absolute_url()}">M-2 Zweite</a>' in table
    assert f'{first.get_absolute_url()}">M-1&quot;&lt;i&gt; {escaped_title}</a>' in table
    assert "09/01/2027: &lt;img src=x onerror=alert(1)&gt; (done)" in table
    assert "M-1&quot;&lt;i&gt; <strong>(⚠ starts before it ends)</strong>" in table
    assert "<li>M-2 starts on 06/01/2027, before M-1&quot;&lt;i&gt;, which it depends on" in html


def test_dates_and_labels_follow_the_language_of_each_request(reader, plan):
    """Dates are memoised per language: English and German requests in turn each get their
    own format and translations."""
    url = reverse("roadmaps:roadmap")
    for _ in range(2):
        reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = reader.get(url).content.decode()
        reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
        german = reader.get(url).content.decode()
        assert "M-03 starts on 07/01/2027" in english
        assert "M-03 beginnt am 01.07.2027" in german
        assert "<title>Go-live: 10/01/2028</title>" in english
        assert "<title>Go-live: 01.10.2028</title>" in german
        assert "no dates yet" in english and "noch ohne Termine" in german
        assert "<td>07/01/2027</td>" in english and "<td>01.07.2027</td>" in german


def test_table_shows_every_measure_with_link_period_milestones_and_prerequisites(reader, plan):
    html = reader.get(reverse("roadmaps:roadmap")).content.decode()
    table = html[html.index("The roadmap as a table") :]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S)
    assert len(rows) == 4
    by_number = {re.search(r">(M-\d+) ", row)[1]: row for row in rows}
    b, c, d = by_number["M-02"], by_number["M-03"], by_number["M-04"]
    assert f'<a href="{plan["b"].get_absolute_url()}">M-02 Bürgerportal</a>' in b
    assert "<td>01/01/2028</td><td>12/31/2028</td><td>Medium (within 2 years)</td>" in b
    assert "<td>10/01/2028: Go-live</td><td>M-01</td>" in b
    assert "<td>–</td><td>M-01 <strong>(⚠ starts before it ends)</strong></td>" in c
    assert "<td>–</td><td>–</td>" in d  # no dates, no milestones, no prerequisites
