"""Controlled vocabularies for the event dataset, declared once.

Annotations are checked against these; the table declarations use them as enums;
the models read :data:`QUALIFIERS` to shape their likelihoods.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """A measured quantity in ``observations``."""

    name: str
    unit: str
    description: str
    kinds: tuple[str, ...]


VARIABLES: tuple[Variable, ...] = (
    Variable("displaced_people", "people", "People displaced by the fighting (stock since a baseline, or flow over an interval).", ("stock", "flow")),
    Variable("displaced_children_per_day", "children/day", "Children displaced per day.", ("level",)),
    Variable("displaced_in_open_air", "people", "Displaced people living in the open air.", ("level",)),
    Variable("displaced_shelter_share_pct", "percent", "Share of newly displaced families by shelter type (group).", ("level",)),
    Variable("population", "people", "Population living in an area (before or during the offensive).", ("level",)),
    Variable("population_displaced_earlier", "people", "People in an area already displaced by earlier fighting.", ("level", "flow")),
    Variable("refugees_hosted", "people", "Refugees hosted by a neighbouring country.", ("level",)),
    Variable("places_captured", "places", "Towns, villages, areas or settlements taken by a side (side column) over an interval or since a baseline.", ("flow", "stock")),
    Variable("area_captured_km2", "km2", "Territory taken by a side, in square kilometres.", ("flow", "stock")),
    Variable("territory_share_pct", "percent", "Share of a governorate (area column) held by a side.", ("level",)),
    Variable("m5_held_km", "km", "Kilometres of the M5 highway held by a side.", ("level",)),
    Variable("killed", "people", "Deaths in the group named (civilians, government forces, opposition fighters, Turkish soldiers, Hezbollah...).", ("flow", "stock")),
    Variable("injured", "people", "People wounded in the group named.", ("flow", "stock")),
    Variable("casualties", "people", "Killed and wounded together, where a report does not separate them.", ("flow", "stock")),
    Variable("neutralised", "people", "Turkish official term: killed, wounded or captured.", ("flow", "stock")),
    Variable("airstrikes", "strikes", "Air strikes carried out.", ("flow", "stock")),
    Variable("barrel_bombs", "bombs", "Barrel bombs dropped.", ("flow", "stock")),
    Variable("military_sites_struck", "sites", "Military sites, positions or targets struck (as claimed).", ("flow", "stock")),
    Variable("civilian_sites_struck", "sites", "Hospitals, medical facilities, schools and similar civilian sites hit.", ("flow", "stock", "level")),
    Variable("materiel_destroyed", "items", "Tanks, vehicles, aircraft, drones and other materiel destroyed or downed (group names the kind).", ("flow", "stock")),
    Variable("observation_posts", "posts", "Turkish observation posts (operating, established, encircled or stranded: group says which).", ("level", "flow")),
    Variable("troops", "soldiers", "Troops, fighters or reinforcements deployed or present.", ("level", "flow")),
    Variable("vehicles_deployed", "vehicles", "Vehicles in a reinforcement convoy or attack.", ("level", "flow")),
    Variable("ceasefire_violations", "violations", "Ceasefire violations reported.", ("flow",)),
    Variable("distance_km", "km", "A distance stated in a report (front line to a place, corridor width...).", ("level",)),
)

VARIABLE_NAMES: tuple[str, ...] = tuple(v.name for v in VARIABLES)
VARIABLE_UNITS: dict[str, str] = {v.name: v.unit for v in VARIABLES}

OBSERVATION_KINDS = ("stock", "flow", "level")

# Qualifier as written -> how a model should read it.
#   point: the value as stated;  lower: value is a lower bound (censored from below);
#   below_close: close to, at or below the value;  symmetric: noise either side;
#   upper: at or below the value;  range: value_low..value_high.
QUALIFIERS: dict[str, str] = {
    "exact": "point",
    "over": "lower",
    "more than": "lower",
    "at least": "lower",
    "nearly": "below_close",
    "almost": "below_close",
    "about": "symmetric",
    "around": "symmetric",
    "some": "symmetric",
    "approximately": "symmetric",
    "estimated": "symmetric",
    "as many as": "upper",
    "up to": "upper",
    "less than": "upper",
    "range": "range",
}

SIDES = ("government", "opposition", "contested", "turkey", "russia", "united_nations", "other")
CONTROL_SIDES = ("government", "opposition", "contested")

EVENT_TYPES = (
    "captured",
    "recaptured",
    "entered",
    "encircled",
    "besieged",
    "withdrew",
    "repelled",
    "attacked",
    "contested",
    "secured",
)

MILESTONE_TYPES = (
    "offensive_phase",
    "offensive_paused",
    "ceasefire_agreed",
    "ceasefire_start",
    "ceasefire_broken",
    "intervention",
    "summit",
    "talks",
    "joint_patrol",
    "highway_held",
    "highway_cut",
    "deadline",
    "threat",
    "agreement",
    "sanctions",
    "reinforcement",
)

# ACLED/UCDP-style date precision, derived from the length of the date interval.
DATE_PRECISIONS = ("day", "few_days", "week", "month", "longer")

GEO_PRECISIONS = (
    "subdistrict_seat",  # the town gives its name to an OCHA sub-district; point = sub-district centroid
    "unplaced",  # no coordinate can be supported by the reference data
)

DOCUMENT_KINDS = ("analyst_forecast", "news", "encyclopedia", "event_dataset")  # event_dataset: an ACLED-style export (idlib import acled)
INFO_DATE_RULES = ("publication", "cited_report")


def precision_for_days(n_days: int) -> str:
    """Date precision for an interval of ``n_days`` (inclusive) days.

    >>> [precision_for_days(n) for n in (1, 3, 7, 30, 90)]
    ['day', 'few_days', 'week', 'month', 'longer']
    """
    if n_days <= 1:
        return "day"
    if n_days <= 6:
        return "few_days"
    if n_days <= 13:
        return "week"
    if n_days <= 31:
        return "month"
    return "longer"
