"""Template tags of the adoption phase: the status on the dashboard (the strategy app must
not import adoption, so its dashboard loads this library) and the map of the bodies."""

from dataclasses import dataclass

from django import template
from django.utils.translation import pgettext_lazy

from ..decision_selectors import AdoptionOverview, adoption_status
from ..models import Council

register = template.Library()

# A schematic tile map of the district: column and row of each municipality, roughly where it
# lies (north at the top); the Kreistag gets a tile of its own below the municipalities.
TILE_POSITIONS = {
    "Rosendahl": (0, 0),
    "Billerbeck": (1, 0),
    "Havixbeck": (2, 0),
    "Coesfeld": (0, 1),
    "Nottuln": (1, 1),
    "Senden": (2, 1),
    "Dülmen": (0, 2),
    "Lüdinghausen": (1, 2),
    "Ascheberg": (2, 2),
    "Olfen": (1, 3),
    "Nordkirchen": (2, 3),
}
KREISTAG_POSITION = (0, 3)
TILE_WIDTH, TILE_HEIGHT, GAP = 170, 88, 8

# Written on every tile so that colour and pattern are not the only cue.
RESULT_SHORT = {
    Council.Result.PENDING: pgettext_lazy("council decision, short", "open"),
    Council.Result.ADOPTED: pgettext_lazy("council decision, short", "adopted"),
    Council.Result.ADOPTED_WITH_CHANGES: pgettext_lazy(
        "council decision, short", "adopted w. changes"
    ),
    Council.Result.REJECTED: pgettext_lazy("council decision, short", "rejected"),
    Council.Result.POSTPONED: pgettext_lazy("council decision, short", "postponed"),
}


@dataclass
class Tile:
    council: Council
    x: int
    y: int
    label: str
    result_short: str

    @property
    def width(self) -> int:
        return TILE_WIDTH

    @property
    def height(self) -> int:
        return TILE_HEIGHT


@register.inclusion_tag("adoption/decisions/_dashboard_status.html")
def adoption_dashboard_status(process):
    """``{% adoption_dashboard_status process %}``: how far the adoption is (two queries)."""
    return {"status": adoption_status(process=process) if process else None}


@register.inclusion_tag("adoption/decisions/_map.html")
def adoption_map(overview: AdoptionOverview, chart_id: str = "adoption-map"):
    """``{% adoption_map overview %}``: the bodies as a tile map, coloured and patterned by
    result and labelled with it; the table beside it is the text alternative."""
    tiles = []
    for council in overview.councils:
        if council.municipality.is_district:
            column, row = KREISTAG_POSITION
            label = pgettext_lazy("tile map", "Kreistag")
        else:
            column, row = TILE_POSITIONS.get(council.municipality.name, (3, len(tiles) % 4))
            label = council.municipality.name
        tiles.append(
            Tile(
                council=council,
                x=GAP + column * (TILE_WIDTH + GAP),
                y=GAP + row * (TILE_HEIGHT + GAP),
                label=label,
                result_short=RESULT_SHORT[council.result],
            )
        )
    columns = 1 + max((t.x for t in tiles), default=0) // (TILE_WIDTH + GAP)
    rows = 1 + max((t.y for t in tiles), default=0) // (TILE_HEIGHT + GAP)
    return {
        "tiles": tiles,
        "chart_id": chart_id,
        "width": GAP + columns * (TILE_WIDTH + GAP),
        "height": GAP + rows * (TILE_HEIGHT + GAP),
        "overview": overview,
        "legend": [(value, RESULT_SHORT[value], label) for value, label in Council.Result.choices],
    }
