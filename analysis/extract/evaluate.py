"""Drafts against expected claims: precision and recall per kind.

Matching, one to one and greedy in document order (issue 17):

* displacement figures: same kind and a value within 1%;
* other figures: same variable and a value within 1%;
* control events: the same place (gazetteer id, else normalised name) and overlapping dates;
* milestones and estimative statements: overlapping spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.io import read_yaml
from ..data.parsing import find_spans, normalise_name, parse_interval
from .core import Extraction
from .drafts import place_name
from .places import Places

KINDS = ("displacement figures", "other figures", "control events", "milestones", "estimative statements")
DISPLACEMENT = ("displaced_people", "displaced_children_per_day", "displaced_in_open_air", "displaced_shelter_share_pct", "population_displaced_earlier", "refugees_hosted")


@dataclass(frozen=True)
class Item:
    kind: str
    key: tuple  # what must agree: (figure kind or variable, value) or (place,) or ()
    span: tuple[int, int] | None
    dates: tuple[date, date] | None = None


@dataclass(frozen=True)
class Score:
    kind: str
    matched: int
    drafted: int
    expected: int

    @property
    def precision(self) -> float | None:
        return self.matched / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.expected if self.expected else None


def _figure(variable: str, kind: str, value, span) -> Item:
    values = tuple(float(v) for v in value) if isinstance(value, list) else (float(value),)
    if variable in DISPLACEMENT:
        return Item("displacement figures", (kind, values), span)
    return Item("other figures", (variable, values), span)


def _place_key(name: str, places: Places) -> str:
    return places.place_id(name) or normalise_name(name)


def drafted_items(ex: Extraction, places: Places) -> list[Item]:
    items = []
    for d in ex.drafts:
        span = (d.start, d.end)
        if d.table == "observations":
            items.append(_figure(d.fields["variable"], d.fields["kind"], d.fields["value"], span))
        elif d.table == "control_events":
            a, b = parse_interval(d.fields["date"])
            for p in d.fields["places"]:
                items.append(Item("control events", (_place_key(place_name(p), places),), span, (a, b)))
        elif d.table == "milestones":
            items.append(Item("milestones", (), span))
        elif d.table == "predictions":
            items.append(Item("estimative statements", (), span))
    return items


def _span(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int] | None:
    spans = find_spans(text, quote)
    if not spans:
        return None
    return spans[(occurrence or 1) - 1] if (occurrence or 1) <= len(spans) else spans[0]


def expected_items(text: str, claims: dict, predictions: list[dict], places: Places) -> list[Item]:
    """Expected items from a claims mapping (the seeds layout or the development set's) and predictions."""
    items = []
    for e in claims.get("observations") or []:
        items.append(_figure(e["variable"], e["kind"], e["value"], _span(text, e["quote"], e.get("occurrence"))))
    for e in claims.get("control_events") or []:
        a, b = parse_interval(str(e["date"]))
        names = e.get("places") or [e["place"]]
        for p in names:
            items.append(Item("control events", (_place_key(place_name(p), places),), _span(text, e["quote"], e.get("occurrence")), (a, b)))
    for e in claims.get("milestones") or []:
        items.append(Item("milestones", (), _span(text, e["quote"], e.get("occurrence"))))
    for e in predictions:
        items.append(Item("estimative statements", (), _span(text, e["quote"], e.get("occurrence"))))
    return items


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return any(abs(x - y) <= 0.01 * max(abs(y), 1e-9) for x in a for y in b)


def _matches(d: Item, g: Item) -> bool:
    if d.kind != g.kind:
        return False
    if d.kind == "displacement figures":
        return d.key[0] == g.key[0] and _close(d.key[1], g.key[1])
    if d.kind == "other figures":
        return d.key[0] == g.key[0] and _close(d.key[1], g.key[1])
    if d.kind == "control events":
        return d.key == g.key and d.dates[0] <= g.dates[1] and g.dates[0] <= d.dates[1]
    return d.span is not None and g.span is not None and d.span[0] < g.span[1] and g.span[0] < d.span[1]


def score(drafted: list[Item], expected: list[Item]) -> dict[str, Score]:
    """Precision and recall per kind, matching one to one."""
    out = {}
    for kind in KINDS:
        ds = [d for d in drafted if d.kind == kind]
        gs = [g for g in expected if g.kind == kind]
        used: set[int] = set()
        matched = 0
        for d in ds:
            k = next((i for i, g in enumerate(gs) if i not in used and _matches(d, g)), None)
            if k is not None:
                used.add(k)
                matched += 1
        out[kind] = Score(kind, matched, len(ds), len(gs))
    return out


def add(scores: list[dict[str, Score]]) -> dict[str, Score]:
    return {k: Score(k, sum(s[k].matched for s in scores), sum(s[k].drafted for s in scores), sum(s[k].expected for s in scores)) for k in KINDS}


def dev_gold(path: Path) -> tuple[dict, list[dict], date]:
    """A development-set gold file: (claims mapping, predictions, publication date)."""
    data = read_yaml(path)
    return data, list(data.get("predictions") or []), date.fromisoformat(str(data["published_date"]))


def seeds_gold(seeds: Path, doc_id: str) -> tuple[dict, list[dict]]:
    """The reviewed claims and registry entries of a shipped document."""
    claims_file = Path(seeds) / "claims" / f"{doc_id}.yaml"
    pred_file = Path(seeds) / "predictions" / f"{doc_id}.yaml"
    claims = read_yaml(claims_file) if claims_file.is_file() else {}
    preds = list((read_yaml(pred_file) or {}).get("predictions") or []) if pred_file.is_file() else []
    return claims, preds
