"""Extract drafts from one normalised text: the pure middle of ``idlib extract``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .dates import find_dates
from .events import control_events, milestones, predictions
from .places import Places
from .rules import Draft, figures, sentences


@dataclass(frozen=True)
class Extraction:
    """Every draft of one document, in document order, with the ids they will carry."""

    text: str
    published: date
    drafts: tuple[Draft, ...]

    def of(self, table: str) -> list[Draft]:
        return [d for d in self.drafts if d.table == table]


def extract_text(text: str, published: date, places: Places) -> Extraction:
    """Draft claims and estimative statements from ``text``, dated against ``published``.

    >>> from analysis.extract.places import Places
    >>> ex = extract_text("Since 1 March, more than 48,000 people have been displaced, OCHA said.\\n", date(2025, 3, 14), Places({}))
    >>> [(d.fields["variable"], d.fields["kind"], d.fields["value"], d.fields["baseline_date"]) for d in ex.of("observations")]
    [('displaced_people', 'stock', 48000, '2025-03-01')]
    """
    drafts: list[Draft] = []
    previous: date | None = None
    last_place: str | None = None
    last_side: str | None = None
    anchor: date | None = None
    for s in sentences(text):
        drafts += figures(s, published, previous, anchor)
        events = control_events(s, published, previous, places, last_place, last_side, anchor)
        drafts += events
        drafts += milestones(s, published, previous, anchor)
        drafts += predictions(s, published)
        explicit = [d for d in find_dates(s.text, published, previous, anchor) if d.rule not in ("end_of",) and d.last <= published]
        written = [d.last for d in explicit if d.explicit]
        if written and (anchor is None or max(written) > anchor):
            anchor = max(written)  # the narrative's latest absolute date: yearless dates resolve near it
        if explicit:
            previous = explicit[-1].last
        named = places.find(s.text)
        if events:
            sides = [e.fields["to_side"] for e in events if e.fields["event_type"] in ("captured", "recaptured", "entered", "secured", "encircled", "besieged")]
            last_side = sides[-1] if sides else last_side
            item = events[-1].fields["places"][-1]
            last_place = item["place"] if isinstance(item, dict) else item
        elif named:
            last_place = named[-1][2]
    drafts.sort(key=lambda d: (d.start, d.table, d.end))
    return Extraction(text, published, tuple(drafts))
