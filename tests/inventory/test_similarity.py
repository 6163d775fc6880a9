"""The synergy finder: similar projects of other municipalities, synergy candidates, and the
worker task that computes them."""

import random
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from inventory.models import Project, ProjectSimilarity, SimilarityRun, SynergyCandidate
from inventory.similarity import (
    MIN_SCORE,
    TOP_K,
    similar_projects,
    similarities_compute,
    similarity_reason,
    text_similarity_matrix,
    text_tokens,
)
from inventory.tasks import recompute_similarities
from strategy.models import Municipality, ThemeField

_keys = count(1)


def _project(municipality, title, description="", fields=(), tags="", **extra):
    project = Project.objects.create(
        key=f"T-{next(_keys):05d}",
        municipality=municipality,
        title=title,
        description=description,
        tags=tags,
        **extra,
    )
    project.theme_fields.set(ThemeField.objects.filter(name__in=fields))
    return project


@pytest.fixture
def projects(reference):
    """Hand-made projects where the right matches are known."""
    m = reference
    infra, mobility = "Digitale Infrastruktur", "Mobilität"
    centre = "Innenstadt und Dorfmitte"
    return {
        "breitband_due": _project(
            m["Dülmen"],
            "Breitbandausbau in den Außenbereichen",
            "Glasfaseranschlüsse für Höfe und Häuser im Außenbereich, gefördert über die "
            "Gigabitförderung des Bundes.",
            [infra],
            tags="Glasfaser, Gigabit",
        ),
        "breitband_not": _project(
            m["Nottuln"],
            "Ausbau Breitband für Gewerbegebiete",
            "Glasfaser bis ins Gebäude für die Betriebe in den Gewerbegebieten; "
            "Markterkundung und Förderantrag laufen.",
            [infra, "Wirtschaft"],
        ),
        "parken_coe": _project(
            m["Coesfeld"],
            "Parking-App für die Innenstadt",
            "Eine App zeigt freie Stellplätze in den Parkhäusern und ermöglicht das Bezahlen "
            "der Parkgebühren mit dem Smartphone.",
            [mobility, centre],
        ),
        "parken_lue": _project(
            m["Lüdinghausen"],
            "App für freie Parkplätze",
            "Sensoren melden belegte Parkplätze; die App führt Besucherinnen und Besucher zum "
            "nächsten freien Stellplatz.",
            [mobility],
            tags="Parken, Sensoren",
        ),
        "wlan_sen": _project(
            m["Senden"],
            "Öffentliches WLAN am Marktplatz",
            "Kostenloses WLAN für Bürgerinnen, Bürger und Gäste rund um den Marktplatz, mit "
            "Hotspots an Rathaus und Bücherei.",
            [infra, centre],
        ),
        "wlan_olf": _project(
            m["Olfen"],
            "Freies WLAN in der Innenstadt",
            "Freifunk-Hotspots in der Innenstadt: kostenloser Internetzugang für Gäste, "
            "Kundschaft und Händler.",
            [infra, centre, "Handel"],
        ),
        "wlan_hav": _project(
            m["Havixbeck"],
            "WLAN-Hotspots im Ortskern",
            "Öffentliche Hotspots im Ortskern und am Bahnhof bieten kostenloses WLAN für Gäste "
            "und Einwohner.",
            [infra, "Tourismus"],
        ),
        "portal_asc": _project(
            m["Ascheberg"],
            "Bürgerservice-Portal",
            "Anträge auf Meldebescheinigung und Anwohnerparkausweis online stellen.",
            ["Verwaltung und E-Government"],
        ),
        "portal_nor": _project(
            m["Nordkirchen"],
            "Portal Bürgerservice",
            "Ein Portal, über das Bürgerinnen und Bürger Anträge online stellen und bezahlen.",
            ["Verwaltung und E-Government"],
        ),
        # Distractors: they do other things (the e-file shares its theme field with the portals).
        "schulbuch": _project(
            m["Billerbeck"],
            "Digitale Schulbuchausleihe",
            "Schülerinnen und Schüler leihen Schulbücher über eine Plattform der Schule aus.",
            ["Bildung"],
        ),
        "eakte": _project(
            m["Rosendahl"],
            "eAkte im Bauamt",
            "Bauanträge werden elektronisch geführt; Sachbearbeitung ohne Papier.",
            ["Verwaltung und E-Government"],
        ),
        "telemedizin": _project(
            m["Kreis Coesfeld"],
            "Telemedizin im Rettungsdienst",
            "Notärztinnen werden per Video zum Einsatz zugeschaltet.",
            ["Gesundheit"],
        ),
    }


def _matches(project) -> list[Project]:
    return [s.other for s in similar_projects(project)]


def test_text_similarity_matches_compounds_and_their_parts():
    texts = [
        "Breitbandausbau",
        "Ausbau Breitband",
        "Parkplatz-App",
        "App für Parkplätze",
        "Bürgerservice-Portal",
        "Portal Bürgerservice",
    ]
    matrix = text_similarity_matrix(texts).toarray()
    for first in (0, 2, 4):
        second = first + 1
        others = [c for c in range(len(texts)) if c not in (first, second)]
        assert matrix[first, second] > 0.3
        assert matrix[first, second] > max(matrix[first, c] for c in others) + 0.2
    # Umlauts and ß fold, stopwords go.
    assert text_tokens("Straße für die Bürger") == text_tokens("Strasse Buerger")


def test_text_similarity_matrix_keeps_the_best_of_each_row_on_request():
    texts = ["WLAN am Marktplatz", "Freies WLAN", "WLAN-Hotspots", "Schulbuchausleihe"]
    matrix = text_similarity_matrix(texts, top_k=1)
    assert matrix.shape == (4, 4)
    assert all(matrix[row].nnz <= 1 for row in range(4))
    assert matrix.diagonal().sum() == 0  # a text is not its own best match
    assert matrix[0].argmax() in (1, 2) and matrix[3].nnz == 0


def test_each_project_finds_its_counterpart_first(projects):
    similarities_compute()
    p = projects
    for first, second in [
        ("breitband_due", "breitband_not"),
        ("parken_coe", "parken_lue"),
        ("portal_asc", "portal_nor"),
    ]:
        assert _matches(p[first])[0] == p[second]
        assert _matches(p[second])[0] == p[first]
    # The three WLAN projects find each other before anything else.
    wlan = {p["wlan_sen"], p["wlan_olf"], p["wlan_hav"]}
    for key in ("wlan_sen", "wlan_olf", "wlan_hav"):
        assert set(_matches(p[key])[:2]) == wlan - {p[key]}


def test_unrelated_projects_are_not_matched(projects):
    similarities_compute()
    for key in ("schulbuch", "eakte", "telemedizin"):
        project = projects[key]
        assert not ProjectSimilarity.objects.filter(project=project).exists(), key
        assert not ProjectSimilarity.objects.filter(other=project).exists(), key


def test_only_projects_of_other_municipalities_are_paired(projects, reference):
    same_town = _project(
        reference["Dülmen"],
        "Breitbandausbau im Außenbereich, zweiter Abschnitt",
        "Weitere Glasfaseranschlüsse für Höfe im Außenbereich.",
        ["Digitale Infrastruktur"],
        tags="Glasfaser",
    )
    # A partnership with Nottuln does not make Nottuln's project a same-town project.
    same_town.partners.add(reference["Nottuln"])
    similarities_compute()
    pairs = ProjectSimilarity.objects.select_related("project", "other")
    assert pairs.exists()
    assert all(s.project.municipality_id != s.other.municipality_id for s in pairs)
    assert projects["breitband_due"] not in _matches(same_town)
    assert projects["breitband_not"] in _matches(same_town)


def test_retired_projects_are_left_out(projects):
    retired = _project(
        projects["wlan_olf"].municipality,
        "Öffentliches WLAN am Marktplatz (alt)",
        "Kostenloses WLAN am Marktplatz.",
        ["Digitale Infrastruktur"],
        retired_at=timezone.now(),
    )
    stats = similarities_compute()
    assert stats["projects"] == len(projects)
    assert not ProjectSimilarity.objects.filter(project=retired).exists()
    assert not ProjectSimilarity.objects.filter(other=retired).exists()


def test_similarities_are_stored_in_both_directions_with_the_same_score(projects):
    stats = similarities_compute()
    rows = {(s.project_id, s.other_id): s.score for s in ProjectSimilarity.objects.all()}
    assert stats["pairs"] > 0
    due, nott = projects["breitband_due"].pk, projects["breitband_not"].pk
    assert rows[(due, nott)] == rows[(nott, due)]
    assert all(score >= MIN_SCORE for score in rows.values())


def test_shared_theme_fields_raise_the_score(reference):
    def score_with(fields_a, fields_b):
        Project.objects.all().delete()
        a = _project(reference["Senden"], "Digitale Bürgerbeteiligung", "", fields_a)
        b = _project(reference["Olfen"], "Beteiligungsplattform für Bürger", "", fields_b)
        _project(reference["Havixbeck"], "Abfall-App", "Termine der Müllabfuhr.", ["Wohnen"])
        similarities_compute()
        return ProjectSimilarity.objects.get(project=a, other=b)

    apart = score_with(["Bildung"], ["Kultur"])
    together = score_with(["Bildung"], ["Bildung"])
    assert together.text_score == pytest.approx(apart.text_score, abs=0.01)
    assert together.score > apart.score + 0.2
    assert together.shared_fields == "Bildung" and apart.shared_fields == ""


def test_reason_names_the_shared_fields_and_the_text(projects):
    similarities_compute()

    def stored(project, other):
        return ProjectSimilarity.objects.select_related("project", "other").get(
            project=projects[project], other=projects[other]
        )

    parken = stored("parken_coe", "parken_lue")
    wlan = stored("wlan_olf", "wlan_sen")
    portal = stored("portal_asc", "portal_nor")
    # Stored as data, so that the reason reads in the language of whoever looks at it.
    assert parken.shared_fields == "Mobilität"
    assert wlan.shared_fields == "Digitale Infrastruktur, Innenstadt und Dorfmitte"
    with override("en"):
        assert similarity_reason(parken) == (
            "same theme field Mobilität, similar title, similar description"
        )
        assert similarity_reason(wlan).startswith(
            "same theme fields Digitale Infrastruktur, Innenstadt und Dorfmitte"
        )
        assert similarity_reason(portal) == (
            "same theme field Verwaltung und E-Government, similar title, similar description"
        )
        # Titles sharing one word of three ("WLAN") are not yet similar titles.
        wlan.shared_fields = ""
        assert similarity_reason(wlan) == "similar description"


def test_similar_projects_is_one_query(projects, django_assert_num_queries):
    similarities_compute()
    project = Project.objects.get(pk=projects["wlan_sen"].pk)
    with django_assert_num_queries(1):
        items = list(similar_projects(project))
        lines = [(s.other.title, s.other.municipality.name, similarity_reason(s)) for s in items]
    assert len(lines) == 2
    assert [s.score for s in items] == sorted((s.score for s in items), reverse=True)


def test_compute_reads_in_a_fixed_number_of_queries(projects, reference):
    def reads():
        with CaptureQueriesContext(connection) as queries:
            similarities_compute()
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]

    few = reads()
    fields = {field.name: field for field in ThemeField.objects.all()}
    _synthetic_projects(list(reference.values()), fields, 300)
    many = reads()
    # Projects, their theme fields, the projects still there when writing, the existing
    # candidates, and what deleting stale candidates needs: none of it grows with the data.
    assert len(few) <= 6 and len(many) <= 6, many


def test_synergy_candidates_group_the_matching_projects(projects):
    stats = similarities_compute()
    p = projects
    groups = {
        frozenset(c.projects.values_list("pk", flat=True)): c
        for c in SynergyCandidate.objects.all()
    }
    assert stats["candidates"] == len(groups)
    wlan = frozenset(p[k].pk for k in ("wlan_sen", "wlan_olf", "wlan_hav"))
    assert wlan in groups
    assert frozenset({p["parken_coe"].pk, p["parken_lue"].pk}) in groups
    assert frozenset({p["breitband_due"].pk, p["breitband_not"].pk}) in groups
    candidate = groups[wlan]
    assert candidate.key == "-".join(str(pk) for pk in sorted(wlan))
    assert candidate.reason.startswith("Digitale Infrastruktur")
    assert candidate.decision == SynergyCandidate.Decision.OPEN
    for key in ("schulbuch", "eakte", "telemedizin"):
        assert not p[key].synergies.exists()


def test_large_components_are_split_into_groups_of_at_most_eight(reference):
    # All twelve participants charge electric cars: one component, but no candidate of twelve.
    places = "Rathaus Bahnhof Marktplatz Schwimmbad Friedhof Sportplatz Freibad Bücherei "
    places += "Kirchplatz Gewerbegebiet Schulzentrum Kreishaus"
    for town, place in zip(reference.values(), places.split(), strict=True):
        _project(
            town,
            f"Ladesäulen für Elektroautos am {place}",
            f"Schnellladesäulen für Elektroautos auf dem Parkplatz am {place}.",
            ["Mobilität"],
        )
    similarities_compute()
    groups = [set(c.projects.all()) for c in SynergyCandidate.objects.all()]
    assert len(groups) >= 2 and max(len(group) for group in groups) == 8
    assert len(set().union(*groups)) >= 10


def test_without_projects_nothing_is_stored(reference):
    SynergyCandidate.objects.create(key="1-2", score=0.5)
    assert similarities_compute() == {
        "projects": 0,
        "pairs": 0,
        "candidates": 0,
        "seconds": pytest.approx(0, abs=1),
    }
    assert not SynergyCandidate.objects.exists()


def test_candidates_keep_their_decision_across_recomputations(projects, personas):
    similarities_compute()
    p = projects
    parken = p["parken_coe"].synergies.get()
    parken.decision = SynergyCandidate.Decision.JOINT_PROJECT
    parken.note = "Gemeinsame Ausschreibung prüfen."
    parken.decided_by = personas["district_staff"]
    parken.save()
    breitband = p["breitband_due"].synergies.get()

    similarities_compute()
    parken.refresh_from_db()
    assert parken.decision == SynergyCandidate.Decision.JOINT_PROJECT
    assert parken.note == "Gemeinsame Ausschreibung prüfen."
    assert parken.decided_by == personas["district_staff"]

    # Both parking pairs vanish: the decided candidate stays, the undecided one goes.
    p["parken_lue"].retired_at = timezone.now()
    p["parken_lue"].save()
    p["breitband_not"].retired_at = timezone.now()
    p["breitband_not"].save()
    similarities_compute()
    assert SynergyCandidate.objects.filter(pk=parken.pk).exists()
    assert not SynergyCandidate.objects.filter(pk=breitband.pk).exists()


def test_task_runs_a_queued_run_once(projects):
    run = SimilarityRun.objects.create()
    recompute_similarities(run.pk)
    run.refresh_from_db()
    assert run.status == SimilarityRun.Status.DONE
    assert run.projects == len(projects) and run.pairs > 0
    assert run.started_at and run.finished_at and run.seconds is not None

    ProjectSimilarity.objects.all().delete()
    recompute_similarities(run.pk)  # delivered twice: nothing happens
    assert not ProjectSimilarity.objects.exists()


def test_task_records_a_failure(projects, monkeypatch):
    def broken():
        raise RuntimeError("kaputt")

    monkeypatch.setattr("inventory.similarity.similarities_compute", broken)
    run = SimilarityRun.objects.create()
    recompute_similarities(run.pk)
    run.refresh_from_db()
    assert run.status == SimilarityRun.Status.FAILED
    assert "kaputt" in run.error and run.finished_at


@pytest.mark.clock
def test_task_fails_runs_stuck_in_running(projects):
    stuck = SimilarityRun.objects.create(
        status=SimilarityRun.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=16)
    )
    busy = SimilarityRun.objects.create(
        status=SimilarityRun.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=2)
    )
    run = SimilarityRun.objects.create()
    recompute_similarities(run.pk)
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == SimilarityRun.Status.FAILED and stuck.error and stuck.finished_at
    assert busy.status == SimilarityRun.Status.RUNNING


def test_saving_projects_has_the_worker_recompute(reference, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        senden = _project(reference["Senden"], "Öffentliches WLAN", "", ["Digitale Infrastruktur"])
        olfen = _project(reference["Olfen"], "Freies WLAN", "", ["Digitale Infrastruktur"])
    # (Eager tasks finish at once, so each of the commit callbacks made a run of its own.)
    assert SimilarityRun.objects.exclude(status=SimilarityRun.Status.DONE).count() == 0
    assert SimilarityRun.objects.first().projects == 2
    assert similar_projects(senden)[0].other == olfen


# --- Scale ---------------------------------------------------------------------------------------

TOPICS = {
    "Digitale Infrastruktur": "Breitbandausbau Glasfaseranschluss Gigabitnetz Funkmast "
    "5G-Versorgung Leerrohre WLAN-Hotspots Freifunk Internetzugang Netzabdeckung Mobilfunk "
    "Backbone Verteilerkasten Tiefbau Hausanschluss Funkloch Richtfunk LoRaWAN Rechenzentrum",
    "Mobilität": "Parkleitsystem Parkplatz-App Parksensoren Handyparken Ladesäulen "
    "E-Bike-Verleih Carsharing Bürgerbus Mobilstation Fahrplanauskunft Radverkehr Pendler "
    "Rufbus On-Demand-Verkehr Fahrradparkhaus Verkehrszählung Schulweg Ampelsteuerung",
    "Bildung": "Tablets Medienentwicklungsplan Lernplattform Tafeln Schulnetz Lehrkräfte "
    "Medienkompetenz Schulträger Ganztag Fortbildung Schulverwaltung Lernmanagement "
    "Präsentationstechnik Endgeräte Programmierkurs Volkshochschule Bildungsberatung",
    "Verwaltung und E-Government": "E-Akte Online-Anträge Bürgerservice-Portal Terminvergabe "
    "Dokumentenmanagement Ratsinformationssystem Onlinezugangsgesetz Servicekonto Bezahlung "
    "Standesamt Meldewesen Rechnungseingang Workflow Formularserver Chatbot Scanstraße",
    "Gesundheit": "Telemedizin Pflegeplattform Notfall-App Hausarztversorgung Rettungsdienst "
    "Pflegeberatung Videosprechstunde Gesundheitskiosk Ersthelfer Defibrillator Impfzentrum "
    "Pflegedienst Sturzsensor Medikationsplan Gemeindeschwester",
    "Handel": "Online-Marktplatz Einkaufsplattform Stadtgutschein Leerstandsmanagement "
    "Lieferdienst Händlergemeinschaft Kundenkarte Schaufenster Wochenmarkt Hofladen "
    "Regionalprodukte Ladenlokal Onlineshop Kassensystem Verkaufsoffener",
    "Tourismus": "Radwege-App Stadtführung Tourismusportal Burgenroute Gästekarte "
    "Wanderwege Ausflugsziele Übernachtung Audioguide Wasserschloss Baumberge Pättkesfahrt "
    "Reisemobil Campingplatz Besucherlenkung Buchungssystem",
    "Sicherheit": "Hochwassersensoren Warn-App Sirenen Feuerwehralarmierung Katastrophenschutz "
    "Pegelstände Starkregen Lagebild Notstrom Krisenstab Ordnungsamt Einsatzplanung "
    "Brandschutz Bevölkerungsschutz Leitstelle",
    "Ver- und Entsorgung": "Smart-Meter Abfall-App Straßenbeleuchtung Wasserzähler "
    "Fernauslesung Kläranlage Wertstoffhof Energiemonitoring Photovoltaik Nahwärme "
    "Füllstandssensoren Altkleider Trinkwasser Abwasserkanal Wärmeplanung",
    "Wohnen": "Baulückenkataster Wohnungsbörse Quartiersplattform Nachbarschaftshilfe "
    "Seniorenwohnen Bauleitplanung Mietspiegel Bauantrag Grundstücksbörse Wohnraumberatung "
    "Quartiersmanagement Mehrgenerationenhaus Smart-Home Bauherren",
    "Wirtschaft": "Gründerzentrum Coworking Fachkräfteportal Gewerbeflächenportal "
    "Wirtschaftsförderung Unternehmensnetzwerk Ausbildungsbörse Landwirtschaft Handwerk "
    "Start-ups Innovationslabor Digitalberatung Betriebsbesuche Azubi-Messe",
    "Innenstadt und Dorfmitte": "Innenstadt Ortskern Marktplatz Dorfmitte Frequenzmessung "
    "Veranstaltungskalender Stadtmarketing Belebung Stadtfest Fußgängerzone Dorfladen "
    "Begegnungsort Sitzbänke Leerstand Stadtplan",
    "Kultur": "Bibliothek Onlineausleihe Museum Heimatverein Archiv Digitalisierung "
    "Veranstaltungen Musikschule Theater Konzertreihe Sammlung Stadtgeschichte Ausstellung "
    "Kulturrucksack Kunstverein",
}
PLACES = [
    "in der Innenstadt",
    "im Ortskern",
    "in den Ortsteilen",
    "im Außenbereich",
    "am Bahnhof",
    "im Gewerbegebiet",
    "an den Schulen",
    "im Rathaus",
    "für Seniorinnen und Senioren",
    "für Jugendliche",
]
GENERAL = (
    "Gemeinsam mit den Stadtwerken wird zunächst eine Pilotphase umgesetzt. Gefördert durch "
    "das Land Nordrhein-Westfalen, begleitet von einem Arbeitskreis aus Verwaltung, Politik "
    "und Ehrenamt. Datenschutz und Barrierefreiheit werden von Anfang an berücksichtigt, "
    "die Ergebnisse werden ausgewertet und veröffentlicht. Ausschreibung Vergabe Betrieb "
    "Wartung Schulung Evaluation Bürgerbeteiligung Kommunikation Fördermittel Haushalt "
    "Kreistag Ratsbeschluss Dienstleister Kooperation Zuständigkeit Umsetzungsplan Workshop "
    "Bedarfsanalyse Machbarkeitsstudie Zeitplan Meilensteine Personal Stellenanteil "
    "Schnittstelle Software Lizenzkosten Hardware Cloud Sicherheitskonzept Nutzerzahlen "
    "Rückmeldungen Befragung Öffentlichkeitsarbeit Pressemitteilung Ansprechpartnerin "
    "Nachbarkommunen Erfahrungsaustausch Landesprogramm Bundesmittel Eigenanteil Folgekosten"
)
SYLLABLES = (
    "ber dorf feld haus heim kamp mark rode stein tal wald weg bach burg hof land brink "
    "horst loh venn beck kotten esch wiek holt hagen busch mühle bruch sand berg"
)


def _synthetic_projects(municipalities, fields, number, seed=7):
    """Projects with topic words, places, administrative prose and local names, so that the
    vocabulary and the overlap between projects resemble a real inventory: a few projects
    resemble each other, most share only the words of administrative prose."""
    rng = random.Random(seed)
    field_names = list(TOPICS)
    general, syllables = GENERAL.split(), SYLLABLES.split()
    projects, links = [], []
    for index in range(number):
        main = rng.choice(field_names)
        words = TOPICS[main].split()
        chosen = [main] + rng.sample(field_names, rng.choice([0, 0, 1, 2]))
        names = ["".join(rng.sample(syllables, 2)).capitalize() for _ in range(4)]
        title = f"{' '.join(rng.sample(words, 2))} {rng.choice(PLACES)}"
        description = " ".join(
            rng.sample(words, rng.randint(2, 6))
            + rng.sample(general, rng.randint(15, 60))
            + rng.sample(TOPICS[rng.choice(field_names)].split(), 2)
            + [f"Ortsteil {name}" for name in names]
            + [rng.choice(PLACES)]
        )
        projects.append(
            Project(
                key=f"S-{index:05d}",
                municipality=municipalities[index % len(municipalities)],
                title=title,
                description=description,
                tags=", ".join(rng.sample(words, 2)),
            )
        )
        links.append({fields[name] for name in set(chosen)})
    created = Project.objects.bulk_create(projects, batch_size=1000)
    through = Project.theme_fields.through
    through.objects.bulk_create(
        [
            through(project_id=project.pk, themefield_id=field.pk)
            for project, chosen in zip(created, links, strict=True)
            for field in chosen
        ],
        batch_size=1000,
    )


def test_scale_2400_projects(reference):
    municipalities = list(Municipality.objects.all())
    assert len(municipalities) == 12
    fields = {field.name: field for field in ThemeField.objects.all()}
    _synthetic_projects(municipalities, fields, 2400)

    stats = similarities_compute()
    print(f"\n2,400 projects: {stats}")

    assert stats["projects"] == 2400
    assert stats["pairs"] > 0
    per_project = ProjectSimilarity.objects.values("project").annotate(n=Count("pk"))
    assert max(row["n"] for row in per_project) <= TOP_K
    assert (
        ProjectSimilarity.objects.filter(project__municipality=F("other__municipality")).count()
        == 0
    )
    group_sizes = SynergyCandidate.objects.annotate(n=Count("projects")).values_list("n", flat=True)
    assert max(group_sizes, default=2) <= 8
