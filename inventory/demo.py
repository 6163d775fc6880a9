"""Demo inventory: a realistic German inventory for the Kreis and its 11 municipalities,
built around the initiatives the council paper names, and a large synthetic one for
benchmarks (``seed_demo --scale large``)."""

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from strategy.models import FundingProgramme, Municipality, ThemeField

from .models import ExistingStrategy, Project

# (owner, title, description, theme fields, status, start, end, lead, budget, running,
#  funding programmes, partners, tags)
DEMO_PROJECTS = [
    (
        "Kreis Coesfeld",
        "Breitbandausbau im Außenbereich (nachfrageorientiert)",
        "Nachfrageorientierter Glasfaserausbau für die unterversorgten Außenbereiche aller "
        "Kommunen, gemeinsam mit den Städten und Gemeinden beworben.",
        ["Digitale Infrastruktur"],
        "running",
        "2019-03-01",
        "2027-12-31",
        "Kreis Coesfeld, Wirtschaftsförderung",
        48_000_000,
        0,
        ["Gigabitförderung 2.0"],
        ["Ascheberg", "Billerbeck", "Rosendahl", "Nottuln", "Havixbeck"],
        "Glasfaser, Breitband",
    ),
    (
        "Kreis Coesfeld",
        "Masterkonzeption Gigabitgesellschaft",
        "Konzept für die Gigabitgesellschaft mit Anwendungsfällen über die Infrastruktur hinaus; "
        "beteiligt waren sieben von elf Kommunen und der Kreis.",
        ["Digitale Infrastruktur", "Wirtschaft"],
        "completed",
        "2018-01-01",
        "2018-12-31",
        "Kreis Coesfeld, Kreisentwicklung",
        60_000,
        0,
        [],
        ["Coesfeld", "Dülmen", "Lüdinghausen", "Nottuln", "Senden", "Olfen", "Ascheberg"],
        "Gigabit, Konzept",
    ),
    (
        "Kreis Coesfeld",
        "Elektronische Akte (eAkte) in der Kreisverwaltung",
        "Einführung der elektronischen Akte in allen Fachbereichen der Kreisverwaltung.",
        ["Verwaltung und E-Government"],
        "running",
        "2018-06-01",
        "2026-12-31",
        "Kreis Coesfeld, IT und Organisation",
        1_200_000,
        180_000,
        [],
        [],
        "eAkte, DMS",
    ),
    (
        "Kreis Coesfeld",
        "Verwaltungsinterne Digitalisierungsstrategie",
        "Strategie für die Digitalisierung der internen Abläufe der Kreisverwaltung.",
        ["Verwaltung und E-Government"],
        "completed",
        "2017-09-01",
        "2018-10-31",
        "Kreis Coesfeld, IT und Organisation",
        25_000,
        0,
        [],
        [],
        "Strategie, Verwaltung",
    ),
    (
        "Kreis Coesfeld",
        "Orientierungsrahmen „Lernen im digitalen Wandel“",
        "Kreisweiter Orientierungsrahmen für die Medienbildung an allen Schulen, entwickelt mit "
        "dem Kompetenzteam und den Schulträgern.",
        ["Bildung"],
        "running",
        "2018-02-01",
        "2026-07-31",
        "Kreis Coesfeld, Schulamt",
        90_000,
        20_000,
        ["DigitalPakt Schule"],
        ["Coesfeld", "Dülmen", "Lüdinghausen", "Senden", "Nottuln"],
        "Medienbildung, Schule",
    ),
    (
        "Kreis Coesfeld",
        "Digitalisierung der Wirtschaft (münsterLAND.digital)",
        "Beteiligung an DWNRW / münsterLAND.digital: Beratung und Vernetzung kleiner und "
        "mittlerer Unternehmen zur Digitalisierung.",
        ["Wirtschaft"],
        "running",
        "2017-01-01",
        "2026-12-31",
        "wfc Wirtschaftsförderung Kreis Coesfeld",
        150_000,
        40_000,
        [],
        [],
        "Mittelstand, DWNRW",
    ),
    (
        "Kreis Coesfeld",
        "Telenotarzt im Rettungsdienst",
        "Notärztliche Unterstützung der Rettungswagen per Video und Vitaldatenübertragung.",
        ["Gesundheit", "Sicherheit"],
        "planned",
        "2026-01-01",
        "2027-06-30",
        "Kreis Coesfeld, Rettungsdienst",
        750_000,
        220_000,
        ["Krankenhauszukunftsgesetz (KHZG)"],
        [],
        "Rettungsdienst, Telemedizin",
    ),
    (
        "Coesfeld",
        "City-App Coesfeld",
        "App für Handel, Gastronomie und Veranstaltungen in der Innenstadt mit Gutscheinsystem.",
        ["Handel", "Innenstadt und Dorfmitte"],
        "running",
        "2019-05-01",
        None,
        "Stadtmarketing Coesfeld",
        85_000,
        18_000,
        ["Sofortprogramm Innenstadt"],
        [],
        "App, Einzelhandel",
    ),
    (
        "Coesfeld",
        "Öffentliches WLAN in der Innenstadt",
        "Freies WLAN am Marktplatz und in den Einkaufsstraßen.",
        ["Digitale Infrastruktur", "Innenstadt und Dorfmitte"],
        "completed",
        "2018-04-01",
        "2019-03-31",
        "Stadt Coesfeld, IT",
        45_000,
        6_000,
        ["WiFi4EU"],
        [],
        "WLAN, Hotspot",
    ),
    (
        "Coesfeld",
        "Parking-App für die Innenstadt",
        "Freie Parkplätze in Echtzeit anzeigen und per Handy bezahlen.",
        ["Mobilität", "Innenstadt und Dorfmitte"],
        "running",
        "2020-01-01",
        None,
        "Stadt Coesfeld, Ordnungsamt",
        60_000,
        12_000,
        [],
        [],
        "Parken, App",
    ),
    (
        "Dülmen",
        "Digitales Bürgerservice-Portal",
        "Online-Anträge nach dem Onlinezugangsgesetz mit Terminbuchung im Bürgerbüro.",
        ["Verwaltung und E-Government"],
        "running",
        "2021-01-01",
        "2026-12-31",
        "Stadt Dülmen, Bürgerbüro",
        120_000,
        25_000,
        [],
        [],
        "OZG, Bürgerservice",
    ),
    (
        "Dülmen",
        "Smarte Parkraumbewirtschaftung",
        "Sensoren melden freie Stellplätze; eine App für Parkplätze führt zum "
        "nächsten freien Platz.",
        ["Mobilität"],
        "planned",
        "2026-04-01",
        "2027-09-30",
        "Stadt Dülmen, Tiefbau",
        240_000,
        30_000,
        ["Modellprojekte Smart Cities (KfW 436)"],
        [],
        "Parken, Sensorik",
    ),
    (
        "Dülmen",
        "Öffentliches WLAN am Marktplatz",
        "Freie WLAN-Hotspots rund um den Marktplatz und am Bahnhof.",
        ["Digitale Infrastruktur", "Innenstadt und Dorfmitte"],
        "completed",
        "2019-01-01",
        "2019-10-31",
        "Stadt Dülmen, IT",
        38_000,
        5_000,
        ["WiFi4EU"],
        [],
        "WLAN",
    ),
    (
        "Dülmen",
        "Medienentwicklungsplan der Dülmener Schulen",
        "Ausstattung aller Schulen mit WLAN, Tablets und digitalen Tafeln.",
        ["Bildung"],
        "running",
        "2020-08-01",
        "2025-07-31",
        "Stadt Dülmen, Schulverwaltung",
        2_400_000,
        150_000,
        ["DigitalPakt Schule"],
        [],
        "Schule, Tablets",
    ),
    (
        "Lüdinghausen",
        "App für freie Parkplätze",
        "Anzeige freier Parkplätze in der Altstadt auf dem Smartphone.",
        ["Mobilität"],
        "idea",
        None,
        None,
        "Stadt Lüdinghausen, Stadtmarketing",
        None,
        None,
        [],
        [],
        "Parken",
    ),
    (
        "Lüdinghausen",
        "Digitale Schulbuchausleihe",
        "Ausleihe und Rückgabe von Schulbüchern über ein Online-Portal.",
        ["Bildung"],
        "running",
        "2022-08-01",
        None,
        "Stadt Lüdinghausen, Schulverwaltung",
        15_000,
        3_000,
        [],
        [],
        "Schule",
    ),
    (
        "Lüdinghausen",
        "Burgen-Tour digital",
        "Digitale Führung zu den Burgen rund um Lüdinghausen mit Audioguide.",
        ["Tourismus", "Kultur"],
        "completed",
        "2021-03-01",
        "2022-05-31",
        "Lüdinghausen Marketing",
        40_000,
        4_000,
        ["LEADER (ELER)"],
        ["Olfen", "Nordkirchen"],
        "Tourismus, Audioguide",
    ),
    (
        "Senden",
        "Freies WLAN am Marktplatz",
        "WLAN-Hotspots am Marktplatz und am Kanal.",
        ["Digitale Infrastruktur"],
        "running",
        "2023-03-01",
        "2026-12-31",
        "Gemeinde Senden, IT",
        30_000,
        4_000,
        ["WiFi4EU"],
        [],
        "WLAN",
    ),
    (
        "Senden",
        "Digitaler Dorfladen Bösensell",
        "Dorfladen mit Online-Bestellung und Abholstation rund um die Uhr.",
        ["Handel", "Innenstadt und Dorfmitte"],
        "planned",
        "2026-06-01",
        "2027-05-31",
        "Gemeinde Senden, Wirtschaftsförderung",
        95_000,
        8_000,
        ["Smarte.Land.Regionen"],
        [],
        "Nahversorgung",
    ),
    (
        "Olfen",
        "Freies WLAN in der Innenstadt",
        "WLAN für Gäste und Bürger in der Innenstadt und am Freizeitbad.",
        ["Digitale Infrastruktur", "Tourismus"],
        "completed",
        "2020-05-01",
        "2020-12-31",
        "Stadt Olfen",
        22_000,
        3_000,
        ["WiFi4EU"],
        [],
        "WLAN, Tourismus",
    ),
    (
        "Olfen",
        "Steverauen digital erleben",
        "Digitale Infostelen und App zu Naturerlebnis und Radwegen in den Steverauen.",
        ["Tourismus"],
        "running",
        "2022-04-01",
        "2026-10-31",
        "Stadt Olfen, Tourismus",
        55_000,
        6_000,
        ["LEADER (ELER)"],
        [],
        "Radtourismus, Natur",
    ),
    (
        "Havixbeck",
        "WLAN-Hotspots im Ortskern",
        "Kostenloses WLAN im Ortskern und am Sandsteinmuseum.",
        ["Digitale Infrastruktur", "Innenstadt und Dorfmitte"],
        "completed",
        "2019-06-01",
        "2019-12-31",
        "Gemeinde Havixbeck",
        18_000,
        2_500,
        ["WiFi4EU"],
        [],
        "WLAN",
    ),
    (
        "Havixbeck",
        "Digitales Rathaus Havixbeck",
        "Elektronische Akte und Online-Dienste für die Gemeindeverwaltung.",
        ["Verwaltung und E-Government"],
        "running",
        "2021-09-01",
        "2026-12-31",
        "Gemeinde Havixbeck, Hauptamt",
        160_000,
        30_000,
        [],
        [],
        "eAkte, OZG",
    ),
    (
        "Nottuln",
        "Ausbau Breitband für Gewerbegebiete",
        "Glasfaseranschlüsse für alle Gewerbegebiete der Gemeinde.",
        ["Digitale Infrastruktur", "Wirtschaft"],
        "running",
        "2021-01-01",
        "2026-06-30",
        "Gemeinde Nottuln, Wirtschaftsförderung",
        3_500_000,
        0,
        ["Gigabitförderung 2.0"],
        [],
        "Glasfaser, Gewerbe",
    ),
    (
        "Nottuln",
        "Bürgerbus mit digitaler Buchung",
        "Rufbus für die Ortsteile mit Buchung per App und Telefon.",
        ["Mobilität"],
        "planned",
        "2026-09-01",
        "2028-08-31",
        "Gemeinde Nottuln",
        70_000,
        35_000,
        ["Smarte.Land.Regionen"],
        ["Havixbeck"],
        "ÖPNV, Rufbus",
    ),
    (
        "Ascheberg",
        "Digitale Ortsmitte Ascheberg",
        "Digitale Informationsstelen und Veranstaltungskalender für die Ortsmitte.",
        ["Innenstadt und Dorfmitte", "Handel"],
        "idea",
        None,
        None,
        "Gemeinde Ascheberg",
        None,
        None,
        [],
        [],
        "Ortsmitte",
    ),
    (
        "Ascheberg",
        "Glasfaser für Schulen",
        "Gigabitanschluss für alle Schulen der Gemeinde.",
        ["Digitale Infrastruktur", "Bildung"],
        "completed",
        "2020-01-01",
        "2021-12-31",
        "Gemeinde Ascheberg, Schulverwaltung",
        420_000,
        0,
        ["Gigabitförderung 2.0"],
        [],
        "Glasfaser, Schule",
    ),
    (
        "Billerbeck",
        "Smarte Straßenbeleuchtung",
        "LED-Straßenlaternen mit Sensoren für bedarfsgerechte Beleuchtung.",
        ["Ver- und Entsorgung", "Sicherheit"],
        "planned",
        "2026-03-01",
        "2027-12-31",
        "Stadt Billerbeck, Bauamt",
        310_000,
        10_000,
        ["EFRE/JTF-Programm NRW 2021–2027"],
        [],
        "LoRaWAN, Energie",
    ),
    (
        "Billerbeck",
        "Tourismus-App Baumberge",
        "App mit Wander- und Radrouten in den Baumbergen.",
        ["Tourismus"],
        "running",
        "2022-05-01",
        None,
        "Billerbeck Tourismus",
        35_000,
        5_000,
        ["LEADER (ELER)"],
        ["Havixbeck", "Nottuln", "Rosendahl"],
        "Tourismus, Radrouten",
    ),
    (
        "Nordkirchen",
        "Schloss Nordkirchen virtuell",
        "Virtueller Rundgang durch das Schloss und den Park als Web-Anwendung.",
        ["Tourismus", "Kultur"],
        "idea",
        None,
        None,
        "Gemeinde Nordkirchen",
        None,
        None,
        [],
        [],
        "Kultur, 3D",
    ),
    (
        "Nordkirchen",
        "Digitale Wasserzähler",
        "Funkwasserzähler für alle Haushalte, fernablesbar über LoRaWAN.",
        ["Ver- und Entsorgung"],
        "planned",
        "2026-05-01",
        "2028-04-30",
        "Gemeindewerke Nordkirchen",
        650_000,
        25_000,
        [],
        [],
        "LoRaWAN, Wasser",
    ),
    (
        "Rosendahl",
        "Digitale Dorfplattform Rosendahl",
        "Dorfplattform für Nachbarschaftshilfe, Vereine und Termine in den drei Ortsteilen.",
        ["Innenstadt und Dorfmitte", "Wohnen"],
        "running",
        "2023-01-01",
        "2026-12-31",
        "Gemeinde Rosendahl",
        28_000,
        7_000,
        ["Heimat-Förderprogramm"],
        [],
        "Dorf, Ehrenamt",
    ),
    (
        "Rosendahl",
        "Pflege-Netzwerk mit Telemedizin",
        "Videosprechstunden für Pflegebedürftige in Zusammenarbeit mit Hausärzten.",
        ["Gesundheit"],
        "idea",
        None,
        None,
        "Gemeinde Rosendahl, Soziales",
        None,
        None,
        [],
        [],
        "Pflege, Telemedizin",
    ),
]

# (municipality, title, kind, adopted on, summary)
DEMO_STRATEGIES = [
    (
        "Kreis Coesfeld",
        "Digitalisierungsstrategie der Kreisverwaltung",
        "administration",
        "2018-10-15",
        "Ziele und Maßnahmen für die interne Digitalisierung der Kreisverwaltung.",
    ),
    (
        "Kreis Coesfeld",
        "Breitbandstrategie Kreis Coesfeld",
        "broadband",
        "2016-06-22",
        "Nachfrageorientierter Glasfaserausbau im gesamten Kreisgebiet.",
    ),
    (
        "Kreis Coesfeld",
        "Orientierungsrahmen „Lernen im digitalen Wandel“",
        "school_media",
        "2018-03-01",
        "Kreisweiter Rahmen für die Medienbildung an Schulen.",
    ),
    (
        "Coesfeld",
        "Medienentwicklungsplan Schulen Coesfeld",
        "school_media",
        "2019-11-20",
        "Ausstattung und Support der Coesfelder Schulen.",
    ),
    (
        "Dülmen",
        "Medienentwicklungsplan Dülmen 2020–2025",
        "school_media",
        "2020-06-30",
        "Ausstattungsplan für alle Dülmener Schulen.",
    ),
    (
        "Dülmen",
        "Digitalstrategie „Dülmen digital“",
        "smart_city",
        "2021-03-18",
        "Leitlinien für digitale Bürgerdienste und smarte Stadtentwicklung.",
    ),
    (
        "Lüdinghausen",
        "E-Government-Konzept Lüdinghausen",
        "administration",
        "2020-09-10",
        "Umsetzung des Onlinezugangsgesetzes in der Stadtverwaltung.",
    ),
    (
        "Senden",
        "Gemeindeentwicklungskonzept Senden 2030",
        "other",
        "2019-12-12",
        "Enthält ein Kapitel zur digitalen Daseinsvorsorge.",
    ),
    (
        "Nottuln",
        "Gewerbeflächen- und Breitbandkonzept",
        "broadband",
        "2020-02-27",
        "Glasfaser für alle Gewerbegebiete bis 2026.",
    ),
]


def _date(value):
    return date.fromisoformat(value) if value else None


@transaction.atomic
def demo_inventory_create() -> int:
    """Create the realistic demo inventory (idempotent by key). Returns the number of projects."""
    municipalities = {m.name: m for m in Municipality.objects.all()}
    fields = {f.name: f for f in ThemeField.objects.all()}
    programmes = {p.name: p for p in FundingProgramme.objects.all()}
    counters: dict[str, int] = {}
    for row in DEMO_PROJECTS:
        (owner, title, description, field_names, status, start, end, lead, invest, running,
         programme_names, partner_names, tags) = row  # fmt: skip
        municipality = municipalities[owner]
        counters[owner] = counters.get(owner, 0) + 1
        key = f"DEMO-{municipality.ags[-3:]}-{counters[owner]:02d}"
        project, _created = Project.objects.update_or_create(
            key=key,
            defaults={
                "municipality": municipality,
                "title": title,
                "description": description,
                "status": status,
                "start_date": _date(start),
                "end_date": _date(end),
                "lead_organisation": lead,
                "investment_cost": Decimal(invest) if invest is not None else None,
                "running_cost_per_year": Decimal(running) if running is not None else None,
                "tags": tags,
                "last_confirmed_on": date(2026, 10, 1),
            },
        )
        project.theme_fields.set([fields[name] for name in field_names])
        project.funding_programmes.set([programmes[name] for name in programme_names])
        project.partners.set([municipalities[name] for name in partner_names])
    for owner, title, kind, adopted, summary in DEMO_STRATEGIES:
        ExistingStrategy.objects.update_or_create(
            municipality=municipalities[owner],
            title=title,
            defaults={"kind": kind, "adopted_on": _date(adopted), "summary": summary},
        )
    return len(DEMO_PROJECTS)


_TOPICS = {
    "Digitale Infrastruktur": [
        "Glasfaserausbau",
        "Breitband",
        "WLAN-Hotspots",
        "5G-Mast",
        "LoRaWAN-Netz",
        "Gigabitanschluss",
    ],
    "Mobilität": [
        "Parkplatz-App",
        "Bürgerbus",
        "E-Carsharing",
        "Radverkehrszählung",
        "Mobilstation",
        "Echtzeit-Fahrgastinformation",
    ],
    "Verwaltung und E-Government": [
        "eAkte",
        "Online-Antrag",
        "Bürgerportal",
        "Terminbuchung",
        "digitale Signatur",
        "Ratsinformationssystem",
    ],
    "Bildung": [
        "Tablets für Schulen",
        "Lernplattform",
        "digitale Tafeln",
        "Medienkompetenz",
        "Schul-WLAN",
        "Schulbuchausleihe",
    ],
    "Gesundheit": [
        "Telemedizin",
        "Pflegeplattform",
        "digitale Sprechstunde",
        "Notfall-App",
        "Hausarztnetz",
    ],
    "Tourismus": [
        "Tourismus-App",
        "digitale Radrouten",
        "Audioguide",
        "Gästekarte",
        "virtueller Rundgang",
    ],
    "Handel": [
        "City-App",
        "Online-Marktplatz",
        "digitaler Gutschein",
        "Click & Collect",
        "Leerstandsbörse",
    ],
    "Sicherheit": ["Warn-App", "Hochwasser-Sensorik", "digitale Feuerwehr", "Notrufsäulen"],
    "Wohnen": ["Smart Home im Quartier", "Wohnungsbörse", "Nachbarschafts-App"],
    "Ver- und Entsorgung": [
        "Smarte Straßenbeleuchtung",
        "Funkwasserzähler",
        "Füllstandssensoren",
        "Energiemonitoring",
    ],
    "Wirtschaft": ["Coworking-Space", "Digitalberatung für Betriebe", "Gründerplattform"],
    "Innenstadt und Dorfmitte": ["digitale Infostele", "Dorfplattform", "Veranstaltungskalender"],
    "Kultur": ["digitale Bibliothek", "Museum digital", "Kulturkalender"],
}
_PLACES = [
    "im Ortskern",
    "für die Innenstadt",
    "in den Ortsteilen",
    "am Bahnhof",
    "für Schulen",
    "im Gewerbegebiet",
    "für Senioren",
    "für Vereine",
    "im Außenbereich",
    "am Rathaus",
]
_ACTIONS = ["Einführung", "Ausbau", "Pilotprojekt", "Erweiterung", "Konzept", "Umsetzung"]


@transaction.atomic
def large_inventory_create(*, per_municipality: int = 200, seed: int = 2026) -> int:
    """Add ``per_municipality`` synthetic projects to each of the 12 participants (benchmarks).

    Idempotent: keys are ``BENCH-<AGS>-<n>``; existing ones are left alone."""
    rng = random.Random(seed)
    municipalities = list(Municipality.objects.all())
    fields = {f.name: f for f in ThemeField.objects.all()}
    programmes = list(FundingProgramme.objects.all())
    existing = set(Project.objects.filter(key__startswith="BENCH-").values_list("key", flat=True))
    field_names = [name for name in _TOPICS if name in fields]
    new_projects, memberships = [], []
    for municipality in municipalities:
        for n in range(1, per_municipality + 1):
            key = f"BENCH-{municipality.ags}-{n:04d}"
            if key in existing:
                continue
            main_field = rng.choice(field_names)
            topic = rng.choice(_TOPICS[main_field])
            extra = rng.sample(field_names, k=rng.choice([0, 0, 1, 2]))
            start = date(rng.randint(2016, 2027), rng.randint(1, 12), 1)
            end = date(start.year + rng.randint(1, 4), start.month, 1)
            new_projects.append(
                Project(
                    key=key,
                    municipality=municipality,
                    title=f"{rng.choice(_ACTIONS)} {topic} {rng.choice(_PLACES)}",
                    description=(
                        f"{topic} {rng.choice(_PLACES)} in {municipality.name}: "
                        f"{rng.choice(_ACTIONS)} mit Bürgerbeteiligung, Projekt {n}."
                    ),
                    status=rng.choice(Project.Status.values),
                    start_date=start,
                    end_date=end,
                    lead_organisation=f"{municipality.kind} {municipality.name}",
                    investment_cost=Decimal(rng.randint(5, 2000) * 1000),
                    running_cost_per_year=Decimal(rng.randint(0, 100) * 500),
                    tags=topic,
                )
            )
            memberships.append(
                ({main_field, *extra}, rng.sample(programmes, k=rng.choice([0, 1, 1, 2])))
            )
    created = Project.objects.bulk_create(new_projects, batch_size=500)
    field_links, programme_links = [], []
    for project, (names, chosen) in zip(created, memberships, strict=True):
        field_links += [
            Project.theme_fields.through(project_id=project.pk, themefield_id=fields[name].pk)
            for name in names
        ]
        programme_links += [
            Project.funding_programmes.through(project_id=project.pk, fundingprogramme_id=p.pk)
            for p in chosen
        ]
    Project.theme_fields.through.objects.bulk_create(field_links, batch_size=2000)
    Project.funding_programmes.through.objects.bulk_create(programme_links, batch_size=2000)
    return len(created)
