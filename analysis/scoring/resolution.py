"""Resolution of predictions against the dataset: each rule's verdict with the claim ids that decide it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.ids import unique_ids
from ..data import changes as CH
from ..data.dataset import Dataset
from .registry import OPS, PLACE_COUNTS, Rule


@dataclass(frozen=True)
class Resolution:
    outcome: str  # yes, no, unresolvable
    observed: float | None
    evidence: tuple[str, ...]
    reason: str
    quantity: str | None = None  # estimated or named, for readings that count places
    p_yes: float | None = None  # probability the event happened (1/0 when the record settles it outright)
    named: float | None = None  # named places in the window, for readings that count places


N_ESTIMATE = 4000  # Monte Carlo paths of the estimate of places in the world behind a resolution


class _Record:
    """What the full dataset says, computed once for all rules."""

    def __init__(self, dataset: Dataset):
        from ..models import displacement

        self.dataset = dataset
        self.changes = CH.changes_of_hands(dataset.control_events).changes
        ce = dataset.control_events
        self.control_start = pd.Timestamp(ce["date_start"].min()) if len(ce) else None
        self.end = pd.Timestamp(dataset.case.analysis_end)
        self.first_info = dataset.coverage[0]
        s = displacement.measurements(dataset).dated_stocks
        # Whole people: the measurement model's arithmetic leaves float dust (700,000.0000000002).
        self.stocks = s.assign(value=s["value"].round()).sort_values("date")
        self.baseline = pd.Timestamp(dataset.case.displacement_baseline_date)
        self._completeness: dict[str, dict | None] = {}

    def completeness(self, side: str) -> dict | None:
        """The completeness model of ``side`` on the full record (None when fewer than two aggregate claims identify it)."""
        from ..core.errors import ParameterError
        from ..models.territory import completeness_model

        if side not in self._completeness:
            try:
                self._completeness[side] = completeness_model(self.dataset, side)
            except ParameterError:
                self._completeness[side] = None
        return self._completeness[side]

    def estimate(self, named: dict[str, int], w1: pd.Timestamp) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
        """Places each side took in the world over a window with ``named`` named changes: draws per side, and the claim ids.

        Each path draws the share named from the side's completeness model and adds the places
        taken but not named, NegBin(n, share) (:func:`analysis.models.territory.unnamed`); a side
        the model cannot identify counts its named places as all.
        """
        from ..models.base import rng_for
        from ..models.territory import share_draws, unnamed

        rng = rng_for(0, "resolution", w1)
        out, ids = {}, []
        for side in CH.SIDES:
            n = np.full(N_ESTIMATE, float(named[side]))
            m = self.completeness(side)
            if m is None:
                out[side] = n
                continue
            out[side] = n + unnamed(n, share_draws(m, N_ESTIMATE, rng), rng)
            ids += list(m["claim_ids"])
        return out, unique_ids(ids)

    def covered(self, w0: pd.Timestamp, w1: pd.Timestamp) -> str:
        """Why control events cannot settle a window ('' when they can)."""
        if self.control_start is None:
            return "the documents hold no control events"
        if w1 > self.end:
            return f"the window ends after the record ({self.end.date()})"
        if w0 < self.control_start:
            return f"the documents record control events only from {self.control_start.date()}"
        return ""


def _ids(frame: pd.DataFrame, column: str = "claim_ids") -> tuple[str, ...]:
    return unique_ids(map(str, frame[column]))


def resolve(rule: Rule, w0: pd.Timestamp, w1: pd.Timestamp, rec: _Record) -> Resolution:
    """Resolve one rule over one window from the full record, with the claim ids that decide it."""
    op = OPS[rule.op]
    prefix, _, arg = rule.variable.partition(":")
    ch = rec.changes
    if rule.variable == "displaced":
        s = rec.stocks
        before, after = s[s["date"] <= w1], s[s["date"] >= w1]
        hit = before[op(before["value"], rule.value)] if rule.op in (">", ">=") else after[op(after["value"], rule.value)]
        if len(hit):
            r = hit.iloc[0] if rule.op in (">", ">=") else hit.iloc[-1]
            return Resolution("yes", float(r["value"]), tuple(r["claim_ids"].split()), f"{r['value']:,.0f} reported for {r['date'].date()}")
        # Cumulative counts only grow: a later report at or below the value (or an earlier one above it) settles "no".
        miss = after[~op(after["value"], rule.value)] if rule.op in (">", ">=") else before[~op(before["value"], rule.value)]
        if len(miss):
            r = miss.iloc[-1] if rule.op in (">", ">=") else miss.iloc[0]
            return Resolution("no", float(r["value"]), tuple(r["claim_ids"].split()), f"{r['value']:,.0f} reported for {r['date'].date()}")
        last = before.iloc[-1] if len(before) else None
        nxt = after.iloc[0] if len(after) else None
        ids = tuple(i for r in (last, nxt) if r is not None for i in r["claim_ids"].split())
        return Resolution("unresolvable", None, ids, "no regional report settles it: "
                          f"last before {w1.date()}: {'none' if last is None else f'{last.value:,.0f} ({last.date.date()})'}; "
                          f"first after: {'none' if nxt is None else f'{nxt.value:,.0f} ({nxt.date.date()})'}")
    if prefix == "milestone":
        ms = rec.dataset.milestones
        if w1 < rec.first_info or w0 > rec.end:
            return Resolution("unresolvable", None, (), f"the window lies outside the documents' coverage ({rec.first_info.date()} to {rec.end.date()})")
        inw = ms[(ms["date_start"] >= w0) & (ms["date_start"] <= w1)]
        hit = inw[inw["milestone_type"] == arg]
        outcome = "yes" if op(len(hit), rule.value) else "no"
        ev = _ids(hit, "milestone_id") if len(hit) else _ids(inw, "milestone_id")
        why = f"{len(hit)} {arg} milestone(s) in the window" + ("" if len(hit) else f"; milestones then: {', '.join(inw['label']) or 'none'}")
        return Resolution(outcome, float(len(hit)), ev, why)
    if prefix == "road_held":
        gap = rec.covered(w0, w1)
        if gap and w1 < (rec.control_start or w1):
            return Resolution("unresolvable", None, (), gap)

        holders = CH.road_holders(rec.dataset, ch, arg, w1)
        held = list(holders["side"] == "government")
        ev = [i for ids in holders["claim_ids"] for i in ids.split()]
        value = float(all(held))
        outcome = "yes" if op(value, rule.value) else "no"
        return Resolution(outcome, value, unique_ids(ev), f"{sum(held)} of {len(held)} {arg} places held by the government on {w1.date()}")
    # Counts of changes or control events in the window.
    gap = rec.covered(w0, w1)
    if prefix == "attacked":
        ce = rec.dataset.control_events
        sel = ce[(ce["place_id"] == arg) & (ce["date_end"] >= w0) & (ce["date_start"] <= w1)]
        ev = _ids(sel, "claim_id")
    else:
        inw = ch[(ch["date_end"] >= w0) & (ch["date_end"] <= w1)]
        base = rule.variable.removesuffix("_named")
        if prefix == "captured":
            sel = inw[(inw["place_id"] == arg) & (inw["to_side"] == "government")]
        elif base == "government_captures":
            sel = inw[inw["to_side"] == "government"]
        elif base == "opposition_captures":
            sel = inw[inw["to_side"] == "opposition"]
        else:  # net_places
            sel = inw
        ev = _ids(sel)
        if base in PLACE_COUNTS:
            return _place_count(rule, base, sel, ev, gap, w1, rec)
    value = float(len(sel))
    outcome = "yes" if op(value, rule.value) else "no"
    # A partly covered window settles only what more evidence could not undo.
    if gap and not (outcome == "yes" and rule.op in (">", ">=")):
        return Resolution("unresolvable", value if len(sel) else None, ev, gap)
    return Resolution(outcome, value, ev, f"{value:g} in the window")


def _place_count(rule: Rule, base: str, sel: pd.DataFrame, ev: tuple[str, ...], gap: str, w1: pd.Timestamp, rec: _Record) -> Resolution:
    """A reading that counts places: on the estimate of places in the world, or on the named ones when the rule asks (``*_named``).

    The estimate resolves ``yes`` when its probability of the event is above one half, and says
    how likely: "yes with probability 0.97: about 350 places, 90% 230-560; 91 named".
    """
    from ..models.displacement.honest import round_sig

    op = OPS[rule.op]
    named = {side: int((sel["to_side"] == side).sum()) for side in CH.SIDES}
    named_value = float(named["government"] - named["opposition"]) if base == "net_places" else float(named[base.split("_")[0]])
    lower_bound = rule.op in (">", ">=") and base != "net_places"  # more evidence can only add places
    if rule.variable.endswith("_named"):
        outcome = "yes" if op(named_value, rule.value) else "no"
        if gap and not (outcome == "yes" and lower_bound):
            return Resolution("unresolvable", named_value if len(sel) else None, ev, gap, "named", None, named_value)
        return Resolution(outcome, named_value, ev, f"{named_value:g} named in the window", "named", float(outcome == "yes"), named_value)
    draws, comp_ids = rec.estimate(named, w1)
    x = draws["government"] - draws["opposition"] if base == "net_places" else draws[base.split("_")[0]]
    p = float(np.mean(op(x, rule.value)))
    lo, mid, hi = np.quantile(x, [0.05, 0.5, 0.95])
    outcome = "yes" if p > 0.5 else "no"
    ev = unique_ids(ev, comp_ids)
    if gap and not (outcome == "yes" and lower_bound):
        return Resolution("unresolvable", None, ev, gap, "estimated", None, named_value)
    what = "a net gain of about" if base == "net_places" else "about"
    reason = (f"{outcome} with probability {_probability(max(p, 1 - p))}: {what} {round_sig(mid, 2):g} places, "
              f"90% {round_sig(lo, 2):g} to {round_sig(hi, 2):g}; {named_value:g} named")
    return Resolution(outcome, float(mid), ev, reason, "estimated", p, named_value)


def resolutions(registry: pd.DataFrame, rules: dict[str, Rule], dataset: Dataset, only: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per prediction and reading (rule), resolved with evidence; unresolvable ones kept with the reason."""
    from ..data.tables import RESOLUTIONS

    rec = _Record(dataset)
    rows = []
    for p in registry.itertuples():
        names = [r for r in p.rules.split() if not only or r in only]
        if not names:
            if only:
                continue
            rows.append({"prediction_id": p.prediction_id, "rule": "", "question": p.claim, "reading": "", "window_start": p.window_start,
                         "window_end": p.window_end, "window_note": p.window_note, "resolution": "unresolvable", "observed": np.nan,
                         "evidence": "", "reason": p.unresolvable_reason})
            continue
        for name in names:
            rule = rules[name]
            r = resolve(rule, p.window_start, p.window_end, rec)
            settled = r.p_yes if r.p_yes is not None else (float(r.outcome == "yes") if r.outcome != "unresolvable" else np.nan)
            rows.append({"prediction_id": p.prediction_id, "rule": name, "question": rule.question, "reading": rule.describe(),
                         "window_start": p.window_start, "window_end": p.window_end, "window_note": p.window_note, "resolution": r.outcome,
                         "observed": np.nan if r.observed is None else r.observed, "quantity": r.quantity, "p_yes": settled,
                         "named_count": np.nan if r.named is None else r.named, "evidence": " ".join(r.evidence), "reason": r.reason})
    return RESOLUTIONS.validate(RESOLUTIONS.conform(pd.DataFrame(rows, columns=RESOLUTIONS.columns)))


def verdicts(res: pd.DataFrame) -> pd.DataFrame:
    """Per prediction: yes or no when its resolvable readings agree, partly when they do not."""
    out = []
    for pid, g in res.groupby("prediction_id", sort=False):
        known = g[g["resolution"] != "unresolvable"]["resolution"]
        if known.empty:
            v = "unresolvable"
        elif (known == "yes").all():
            v = "yes"
        elif (known == "no").all():
            v = "no"
        else:
            v = "partly"
        out.append({"prediction_id": pid, "verdict": v, "readings": len(g), "resolved": len(known), "yes": int((known == "yes").sum())})
    return pd.DataFrame(out)


def record(dataset: Dataset) -> _Record:
    """The full record the resolutions read: changes of hands, regional displacement reports, milestones."""
    return _Record(dataset)


def evidence_table(res: pd.DataFrame, max_ids: int = 2) -> pd.DataFrame:
    """Resolutions for a report: short prediction ids and at most ``max_ids`` evidence ids (the CSV has them all)."""
    ev = res[["prediction_id", "rule", "window_start", "window_end", "resolution", "reason", "evidence"]].copy()
    ev["prediction_id"] = ev["prediction_id"].str.split(":").str[-1]
    ids = ev["evidence"].fillna("").str.split()
    ev["evidence"] = [" ".join(i[:max_ids]) + (f" (+{len(i) - max_ids} more)" if len(i) > max_ids else "") for i in ids]
    return ev


def _probability(p: float) -> str:
    """A Monte Carlo probability to two decimals, never printed as certain: 'above 0.99', 'below 0.01'."""
    return "above 0.99" if p > 0.995 else "below 0.01" if p < 0.005 else f"{p:.2f}"


def place_count_readings(res: pd.DataFrame, rules: dict[str, Rule]) -> pd.DataFrame:
    """Both readings of every rule that counts places, side by side: on the estimate in the world and on the named places.

    One row per prediction and place-count rule: the window, the estimate's verdict with its
    probability and median, and the named count with the verdict the same comparison gives on it.
    """
    rows = []
    for r in res[res["quantity"] == "estimated"].itertuples():
        rule = rules[r.rule]
        named_yes = bool(OPS[rule.op](r.named_count, rule.value)) if pd.notna(r.named_count) else None
        rows.append({"prediction": r.prediction_id.split(":")[-1], "rule": r.rule, "reading": rule.describe(),
                     "window": f"{r.window_start.date()} to {r.window_end.date()}",
                     "in the world": r.resolution if pd.isna(r.p_yes) else f"{r.resolution} (P(yes) {_probability(r.p_yes)})",
                     "estimate": r.reason.split(": ", 1)[-1].split(";")[0] if pd.notna(r.p_yes) else "",
                     "named": "" if pd.isna(r.named_count) else f"{r.named_count:g}",
                     "on the named places": "" if named_yes is None else ("yes" if named_yes else "no")})
    return pd.DataFrame(rows, columns=["prediction", "rule", "reading", "window", "in the world", "estimate", "named", "on the named places"])


def window_table(res: pd.DataFrame) -> pd.DataFrame:
    """Each reading's window and why it is that window (from the registry), one row per prediction and rule."""
    t = res[["prediction_id", "rule", "window_start", "window_end", "window_note"]].copy()
    t["prediction_id"] = t["prediction_id"].str.split(":").str[-1]
    return t.rename(columns={"window_note": "why this window"})
