"""The Kreis Coesfeld reference data shipped with the portal (``strategy/data``).

It is a copy of the district's reference file, so the portal does not depend on anything
outside the project at run time.
"""

import json
from functools import cache
from pathlib import Path

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "kreis_coesfeld.json"

# Short labels for the process picture, one per step of the council paper, in order.
STEP_SHORT_TITLES = {
    "initialisation": ["Auftaktworkshop(s)"],
    "elaboration": [
        "Bestandsaufnahme",
        "Werte und Leitbild",
        "Themenworkshops",
        "Abschlussworkshop",
    ],
    "adoption": [
        "Bürgermeisterkonferenz",
        "Empfehlung",
        "Beschlussfassung",
    ],
}


@cache
def reference_data() -> dict:
    """The parsed reference file."""
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def process_definition() -> list[dict]:
    """The phases with their steps: ``[{key, name, steps: [{title, short_title}]}]``."""
    phases = []
    for phase in reference_data()["process"]["phases"]:
        shorts = STEP_SHORT_TITLES[phase["key"]]
        phases.append(
            {
                "key": phase["key"],
                "name": phase["name"],
                "steps": [
                    {"title": title, "short_title": short}
                    for title, short in zip(phase["steps"], shorts, strict=True)
                ],
            }
        )
    return phases
