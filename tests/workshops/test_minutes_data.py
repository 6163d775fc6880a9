"""Builders shared by the minutes tests: a realistic thematic workshop session, created directly
with the ORM (no tests of its own live here)."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from accounts.models import Role
from strategy.models import ActorGroup, Municipality, Step, ThemeField
from tests.factories import UserFactory
from workshops.models import (
    Activity,
    AgendaItem,
    Attendance,
    Card,
    Cluster,
    Dot,
    Participant,
    PromotedResult,
    Rating,
    SessionPhoto,
    Workshop,
    WorkshopInvitation,
    WorkshopSession,
)

BERLIN = ZoneInfo("Europe/Berlin")

AGENDA = [
    ("Begrüßung und Ziele des Workshops", 15),
    ("Impuls: Mobilität im ländlichen Raum", 30),
    ("Ideensammlung in Kleingruppen", 45),
    ("Clustern und Punktabfrage", 40),
    ("Bewertung Nutzen und Aufwand", 40),
    ("Vereinbarungen und nächste Schritte", 20),
]
ATTENDEES = [
    ("Anna Albers", "Dülmen"),
    ("Bernd Brüggemann", "Coesfeld"),
    ("Claudia Clausing", "Nottuln"),
    ("Dirk Döbbeler", "Lüdinghausen"),
    ("Elke Everding", "Senden"),
    ("Frank Fölling", "Olfen"),
    ("Gisela Große-Kleimann", "Havixbeck"),
    ("Heinz Hüsing", "Billerbeck"),
    ("Ingrid Isfort", "Ascheberg"),
    ("Jürgen Janning", "Nordkirchen"),
    ("Katrin Kösters", "Rosendahl"),
    ("Ludger Lammers", "Kreis Coesfeld"),
]
ABSENT = [("Maria Möllers", "Dülmen"), ("Norbert Niehues", None)]
CLUSTERS = {
    "Mobilitätsstationen": [
        "Mobilstationen an allen Bahnhöfen mit Fahrradboxen",
        "Carsharing-Angebote in den Ortsteilen ausbauen",
        "Ladeinfrastruktur für E-Bikes an Mobilstationen",
        "Echtzeitanzeige der Busabfahrten an Haltestellen",
    ],
    "On-Demand-Verkehr": [
        "Rufbus per App buchbar machen, auch abends und am Wochenende",
        "Bürgerbus-Fahrpläne digital und barrierefrei veröffentlichen",
        "Gemeinsame Buchungsplattform für alle elf Kommunen",
    ],
    "Daten und Plattformen": [
        "Offene Mobilitätsdaten des Kreises als Open Data bereitstellen",
        "Verkehrszählung mit Sensorik an Kreisstraßen",
        "Parkraumauslastung in den Innenstädten digital erfassen",
    ],
    "Radverkehr": [
        "Radwegenetz-Mängelmelder für Bürgerinnen und Bürger",
        "Digitale Radverkehrszählstellen an Pendlerrouten",
    ],
}
UNCLUSTERED = ["Dienstfahrzeuge der Kommunen gemeinsam nutzen"]
MERGED = "Rufbus über eine App bestellen"  # merged into the first On-Demand card


def jpeg_bytes(size=(1200, 900), color=(200, 40, 40), exif=True, orientation=None) -> bytes:
    """A JPEG photo, with EXIF data including a GPS position unless ``exif`` is false."""
    image = Image.new("RGB", size, color)
    # A dark block in the top-left corner shows where "up" was.
    image.paste((0, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Kamerahersteller"  # Make
        data[0x0110] = "Telefon 12"  # Model
        if orientation:
            data[0x0112] = orientation
        gps = data.get_ifd(0x8825)
        gps[1], gps[2] = "N", (51.0, 56.0, 40.0)  # Coesfeld
        gps[3], gps[4] = "E", (7.0, 10.0, 5.0)
        kwargs["exif"] = data.tobytes()
    image.save(buffer, format="JPEG", quality=90, **kwargs)
    return buffer.getvalue()


def minutes_session_create(process, *, facilitator=None, photos=2) -> WorkshopSession:
    """A held thematic workshop session with agenda, attendance, cards in clusters, two
    finished dot votes, a finished rating, an unfinished dot vote, promoted results, texts
    and photos."""
    step = Step.objects.filter(phase__process=process).order_by("phase__position", "position")[3]
    workshop = Workshop.objects.create(
        process=process,
        step=step,
        kind=Workshop.Kind.THEMATIC,
        title="Themenworkshop Mobilität und Verkehr",
        location="Kreishaus Coesfeld, Sitzungssaal 1, Friedrich-Ebert-Straße 7",
        online_link="https://konferenz.example.org/mobilitaet",
        status=Workshop.Status.HELD,
    )
    facilitator = facilitator or UserFactory(
        role=Role.CONSULTANT, first_name="Petra", last_name="Pohlmann"
    )
    workshop.facilitators.add(facilitator)
    session = WorkshopSession.objects.create(
        workshop=workshop,
        starts_at=datetime(2026, 3, 3, 9, 30, tzinfo=BERLIN),
        duration_minutes=sum(minutes for _, minutes in AGENDA),
        summary=(
            "Die Teilnehmenden haben Ideen für eine vernetzte Mobilität im Kreis gesammelt. "
            "Besonders hohe Zustimmung fanden Mobilstationen und ein kreisweiter Rufbus.\n\n"
            "Die Ergebnisse fließen in die Maßnahmensteckbriefe der Digitalisierungsstrategie "
            "ein; die Kreisentwicklung bereitet einen Entwurf vor."
        ),
        decisions=(
            "Die Arbeitsgruppe Mobilität erarbeitet bis Mai einen Projektsteckbrief "
            "„Kreisweiter Rufbus“.\nDer Kreis prüft Förderprogramme für Mobilstationen."
        ),
        tasks_until_next="Kommunen melden vorhandene Mobilitätsdaten bis 31. März.",
    )
    for position, (title, minutes) in enumerate(AGENDA, start=1):
        AgendaItem.objects.create(
            session=session,
            position=position,
            title=title,
            duration_minutes=minutes,
            notes="Moderation: Beratung" if position == 1 else "",
        )

    municipalities = {m.name: m for m in Municipality.objects.all()}
    actor_group = ActorGroup.objects.filter(name="Mobilität").first()
    for index, (name, place) in enumerate(ATTENDEES + ABSENT):
        invitation = WorkshopInvitation.objects.create(
            workshop=workshop,
            email=f"person{index}@example.org",
            name=name,
            municipality=municipalities.get(place) if place else None,
            actor_group=None if place else actor_group,
            response=WorkshopInvitation.Response.YES,
        )
        Attendance.objects.create(
            session=session, invitation=invitation, attended=(name, place) in ATTENDEES
        )

    participants = [
        Participant.objects.create(session=session, display_name=name.split()[0])
        for name, _ in ATTENDEES
    ]
    ideas = Activity.objects.create(
        session=session,
        kind=Activity.Kind.IDEAS,
        title="Ideensammlung",
        position=1,
        status=Activity.Status.CLOSED,
    )
    mobility = ThemeField.objects.get(name="Mobilität")
    clusters, cards = {}, []
    for position, (name, texts) in enumerate(CLUSTERS.items(), start=1):
        clusters[name] = Cluster.objects.create(session=session, name=name, position=position)
        for text in texts:
            cards.append(
                Card.objects.create(
                    session=session,
                    activity=ideas,
                    author=participants[len(cards) % len(participants)],
                    text=text,
                    cluster=clusters[name],
                    theme_field=mobility if len(cards) % 3 == 0 else None,
                )
            )
    for text in UNCLUSTERED:
        cards.append(Card.objects.create(session=session, activity=ideas, text=text))
    Card.objects.create(
        session=session,
        activity=ideas,
        text=MERGED,
        cluster=clusters["On-Demand-Verkehr"],
        merged_into=cards[4],
    )

    card_vote = Activity.objects.create(
        session=session,
        kind=Activity.Kind.DOT_VOTE,
        title="Punktabfrage: Welche Ideen zuerst?",
        position=2,
        status=Activity.Status.CLOSED,
        target=Activity.Target.CARDS,
        results_revealed=True,
    )
    # Participant i gives dots to cards i % 5, 0 and 4: a clear ranking.
    for index, participant in enumerate(participants):
        for slot, card in enumerate([cards[index % 5], cards[0], cards[4]], start=1):
            Dot.objects.create(activity=card_vote, participant=participant, slot=slot, card=card)
    cluster_vote = Activity.objects.create(
        session=session,
        kind=Activity.Kind.DOT_VOTE,
        title="Punktabfrage: Themencluster",
        position=3,
        status=Activity.Status.CLOSED,
        target=Activity.Target.CLUSTERS,
    )
    ordered_clusters = list(clusters.values())
    for index, participant in enumerate(participants):
        Dot.objects.create(
            activity=cluster_vote,
            participant=participant,
            slot=1,
            cluster=ordered_clusters[0 if index < 7 else 1 + index % 3],
        )
    rating = Activity.objects.create(
        session=session,
        kind=Activity.Kind.RATING,
        title="Nutzen und Aufwand der Cluster",
        position=4,
        status=Activity.Status.CLOSED,
        target=Activity.Target.CLUSTERS,
    )
    scores = [(5, 2), (4, 4), (2, 2), (2, 4)]
    for participant in participants[:8]:
        for cluster, (benefit, effort) in zip(ordered_clusters, scores, strict=True):
            Rating.objects.create(
                activity=rating,
                participant=participant,
                cluster=cluster,
                benefit=benefit,
                effort=effort,
            )
    Activity.objects.create(
        session=session,
        kind=Activity.Kind.DOT_VOTE,
        title="Noch offene Abfrage",
        position=5,
        status=Activity.Status.OPEN,
    )
    PromotedResult.objects.create(
        activity=card_vote,
        kind=PromotedResult.Kind.PROJECT_IDEA,
        text="Kreisweiter Rufbus mit App-Buchung",
        theme_field=mobility,
        rank=1,
        dots=12,
        card=cards[4],
    )
    PromotedResult.objects.create(
        activity=cluster_vote,
        kind=PromotedResult.Kind.FIELD_PRIORITY,
        text="Mobilität hat für die Kommunen hohe Priorität",
        theme_field=mobility,
        rank=1,
    )
    for number in range(photos):
        photo = SessionPhoto(session=session, caption=f"Flipchart Gruppe {number + 1}")
        photo.image.save(
            "photo.jpg",
            ContentFile(jpeg_bytes(color=(240, 240, 230), exif=False)),
            save=False,
        )
        photo.save()
    return session


@pytest.fixture
def media(settings, tmp_path):
    """Uploads and rendered PDFs of a test go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def facilitator(reference):
    """A consultant named as the workshop's facilitator."""
    return UserFactory(role=Role.CONSULTANT, first_name="Petra", last_name="Pohlmann")


@pytest.fixture
def minutes_session(process, media, facilitator):
    return minutes_session_create(process, facilitator=facilitator)


@pytest.fixture
def empty_session(process, media, facilitator):
    """A session of the same kind of workshop with nothing recorded yet."""
    step = Step.objects.filter(phase__process=process).first()
    workshop = Workshop.objects.create(
        process=process, step=step, kind=Workshop.Kind.KICKOFF, title="Auftaktworkshop"
    )
    workshop.facilitators.add(facilitator)
    return WorkshopSession.objects.create(
        workshop=workshop,
        starts_at=datetime(2026, 2, 10, 14, 0, tzinfo=BERLIN),
        duration_minutes=120,
    )
