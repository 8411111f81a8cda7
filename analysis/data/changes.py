"""Changes of hands: the rule that turns ``control_events`` into places changing hands, and their daily series.

From ``control_events`` to changes of hands
-------------------------------------------
Reports are read place by place, in date order, with one rule (tested):

* ``captured``, ``recaptured``, ``secured`` and ``withdrew`` are decisive: the
  place passes to ``to_side``. A decisive report for the side that already holds
  the place is a re-report and is merged into the change it confirms.
* ``entered``, ``encircled``, ``besieged`` and ``contested`` leave the holder as it
  was; a place entered and then held counts once, when it is taken. Such reports
  in the three days before a change widen that change's date interval backwards
  (the change happened somewhere between the first sign and the decisive report).
* ``attacked`` and ``repelled`` confirm the holder named in ``to_side``.
* Decisive reports for different sides whose date intervals overlap, attributed
  to different named claimants, conflict (Hazarin on 2 March 2020: government
  say SOHR and Al-Masdar, opposition say Turkish sources). Neither is counted;
  both are kept in ``Changes.conflicts`` with their sources. Reports from one
  text in sequence ("captured ... but later retreated") are a sequence, not a
  conflict.
* A place's holder before its first report is the side opposite the first
  decisive report's (or the side a first ``attacked``/``repelled`` report names).

Each change keeps its date interval; daily series spread it evenly over the
interval, and the models draw its day uniformly within it (multiple imputation),
so date uncertainty is carried, not collapsed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dataset import Dataset

DECISIVE = ("captured", "recaptured", "secured", "withdrew")
CONFIRMING = ("attacked", "repelled")
SIDES = ("government", "opposition")


LEAD_IN_DAYS = 3  # contested reports this close before a change widen its interval


@dataclass(frozen=True)
class Changes:
    """Changes of hands (one row per change) and the conflicting reports left out."""

    changes: pd.DataFrame
    conflicts: pd.DataFrame


def changes_of_hands(control_events: pd.DataFrame) -> Changes:
    """Apply the module's rule to every place: the changes of hands and the conflicts.

    Works on plain records, place by place (a pandas filter per place and report
    cost seconds on a few hundred rows, and every territory computation starts here).
    """
    rows, conflicts = [], []
    ev = control_events.sort_values(["place_id", "date_start", "date_end", "event_id"])
    records = [dict(zip(ev.columns, t, strict=True)) for t in ev.itertuples(index=False, name=None)]
    lead_in = pd.Timedelta(days=LEAD_IN_DAYS)
    for place, group in itertools.groupby(records, key=lambda r: r["place_id"]):
        g = list(group)
        decisive = [r for r in g if r["event_type"] in DECISIVE and r["to_side"] in SIDES]
        # Conflicts: decisive reports for different sides with overlapping intervals.
        bad = set()
        for a in decisive:
            for b in decisive:
                if (
                    a["event_id"] < b["event_id"] and a["to_side"] != b["to_side"]
                    and a["date_start"] <= b["date_end"] and b["date_start"] <= a["date_end"]
                    and pd.notna(a["claimed_by"]) and pd.notna(b["claimed_by"]) and a["claimed_by"] != b["claimed_by"]
                ):
                    bad |= {a["event_id"], b["event_id"]}
                    conflicts.append({"place_id": place, "date": a["date_start"], "event_ids": f"{a['event_id']} {b['event_id']}",
                                      "sides": f"{a['to_side']} ({_who(a)}) / {b['to_side']} ({_who(b)})"})
        first = next((r for r in g if r["to_side"] in SIDES and (
            (r["event_type"] in DECISIVE and r["event_id"] not in bad) or r["event_type"] in CONFIRMING)), None)
        if first is None:
            continue
        holder = first["to_side"] if first["event_type"] in CONFIRMING else _other(first["to_side"])
        contested = [r for r in g if r["to_side"] == "contested"]
        current = None
        for r in g:
            if r["event_id"] in bad:
                continue
            if r["event_type"] in DECISIVE and r["to_side"] in SIDES:
                if r["to_side"] == holder:
                    if current is not None and current["to_side"] == holder:
                        current["claim_ids"].append(r["claim_id"])
                    continue
                lead = [c for c in contested if r["date_start"] - lead_in <= c["date_start"] <= r["date_start"]]
                current = {
                    "place_id": place, "place_name": r["place_name"], "from_side": holder, "to_side": r["to_side"],
                    "date_start": min([r["date_start"], *(c["date_start"] for c in lead)]), "date_end": r["date_end"],
                    "info_date": r["info_date"], "claim_ids": [*(c["claim_id"] for c in lead), r["claim_id"]],
                    "admin2_pcode": r["admin2_pcode"], "latitude": r["latitude"], "longitude": r["longitude"],
                }
                rows.append(current)
                holder = r["to_side"]
            elif r["event_type"] in CONFIRMING and r["to_side"] in SIDES and r["to_side"] != holder and current is None:
                holder = r["to_side"]
    out = pd.DataFrame(rows)
    if not out.empty:
        out["claim_ids"] = out["claim_ids"].map(lambda ids: " ".join(dict.fromkeys(ids)))
        out["n_reports"] = out["claim_ids"].str.split().map(len)
        out = out.sort_values(["date_start", "place_id"], ignore_index=True)
    return Changes(out, pd.DataFrame(conflicts, columns=["place_id", "date", "event_ids", "sides"]))


def _who(r: dict) -> str:
    return r["doc_id"] if pd.isna(r["claimed_by"]) else r["claimed_by"]


def _other(side: str) -> str:
    return "opposition" if side == "government" else "government"


def daily_series(changes: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Expected places changing hands per day by side (each change spread over its interval), and net gains."""
    days = pd.date_range(start, end, freq="D")
    out = pd.DataFrame({"date": days})
    for side in SIDES:
        v = np.zeros(len(days))
        for r in changes[changes["to_side"] == side].itertuples():
            span = pd.date_range(max(r.date_start, start), min(r.date_end, end), freq="D")
            if len(span) == 0:
                continue
            width = (r.date_end - r.date_start).days + 1
            v[(span - start).days] += 1.0 / width
        out[f"{side}_captures"] = v
    out["net_government"] = out["government_captures"] - out["opposition_captures"]
    out["cumulative_net_government"] = out["net_government"].cumsum()
    return out


def baseline_changes(dataset: Dataset) -> pd.DataFrame:
    """Changes of hands in ``dataset`` that end on or after the case's territory baseline."""
    ch = changes_of_hands(dataset.control_events).changes
    return ch[ch["date_end"] >= pd.Timestamp(dataset.case.territory_baseline_date)] if len(ch) else ch


def net_series(dataset: Dataset, end: pd.Timestamp | None = None, start: pd.Timestamp | None = None) -> pd.DataFrame:
    """:func:`daily_series` of the changes since the baseline, from ``start`` (default: the baseline) to ``end``
    (default: the last control event's information date)."""
    start = pd.Timestamp(start if start is not None else dataset.case.territory_baseline_date)
    end = pd.Timestamp(end if end is not None else dataset.control_events["info_date"].max())
    return daily_series(baseline_changes(dataset), start, end)


def district_series(dataset: Dataset, districts: list[dict]) -> pd.DataFrame:
    """Changes of hands by OCHA admin-2 district where the place can be placed, and the unplaced rest.

    One row per district with any change: places taken by each side, net gain and the
    first and last change; a final row counts the changes that no P-code places.
    """
    ch = changes_of_hands(dataset.control_events).changes
    names = {d["pcode"]: d["name"] for d in districts}
    rows = []
    for code, g in ch.groupby(ch["admin2_pcode"].fillna("unplaced"), sort=True):
        gov, opp = int((g["to_side"] == "government").sum()), int((g["to_side"] == "opposition").sum())
        rows.append({"admin2_pcode": code, "district": names.get(code, "not placeable (no OCHA P-code)" if code == "unplaced" else code),
                     "to_government": gov, "to_opposition": opp, "net_government": gov - opp,
                     "first": g["date_end"].min(), "last": g["date_end"].max(), "places": ", ".join(sorted(set(g["place_name"])))[:120]})
    out = pd.DataFrame(rows)
    return pd.concat([out[out["admin2_pcode"] != "unplaced"], out[out["admin2_pcode"] == "unplaced"]], ignore_index=True)


def road_holders(dataset: Dataset, changes: pd.DataFrame, road: str, day: pd.Timestamp) -> pd.DataFrame:
    """Each named place on ``road`` (military posts aside) and the side holding it on ``day``.

    The side is that of the place's last change of hands ending on or before ``day``
    (``claim_ids`` are that change's), or the case's ``territory_initial_holder``
    when no change is known.
    """
    places = dataset.places
    on_road = places[places["on_road"].fillna("").str.split(r",\s*").apply(lambda r: road in r) & (places["feature"] != "military_base")]
    last = (changes[changes["date_end"] <= day].sort_values(["date_end", "place_id"])
            .drop_duplicates("place_id", keep="last").set_index("place_id"))
    rows = []
    for pid in on_road["place_id"]:
        known = pid in last.index
        rows.append({"place_id": pid, "side": last.at[pid, "to_side"] if known else dataset.case.territory_initial_holder,
                     "claim_ids": last.at[pid, "claim_ids"] if known else ""})
    return pd.DataFrame(rows, columns=["place_id", "side", "claim_ids"])
