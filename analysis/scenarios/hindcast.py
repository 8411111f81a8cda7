"""Scenario hindcast: a scenario fitted on the whole record, against what the record later reported.

A scenario that follows the milestones as they happened, fitted with hindsight
(``fit_as_of`` after the events), should reproduce history: the later reports should fall
inside its central intervals, and the events the dataset records as happened should be
more likely than not. :func:`checks` lists every such comparison, with its evidence, from
the dataset alone (no figure is typed in here):

* **displacement**: every regional report of cumulative displacement since the baseline
  dated inside the scenario's horizon, against ``displaced``;
* **places**: the completeness-corrected series of places the government took in the world
  (:func:`analysis.models.territory.estimated_series`, its median), on the dates of those
  reports and of the scenario's phase starts, intervention and ceasefire, against
  ``government_captures``;
* **road**: each milestone reporting the scenario's road held in full (``highway_held``) or
  cut again (``highway_cut``), against ``road_share_held`` (held: 1 inside the interval;
  cut: its lower quartile below 1);
* **thresholds**: each threshold whose event the dataset records as happened
  (:func:`happened`), with the scenario's probability.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import changes as CH
from ..data.dataset import Dataset
from ..models import displacement as D
from ..models import territory as T
from .engine import ScenarioResult

LEVEL = 0.5  # the central interval the later reports must fall in
COLUMNS = ("check", "date", "variable", "observed", "low", "median", "high", "inside", "evidence")


def _band(result: ScenarioResult, variable: str, day: pd.Timestamp) -> tuple[float, float, float]:
    x = result.paths[variable][:, result.dates.get_loc(day)]
    lo, mid, hi = np.quantile(x, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
    return float(lo), float(mid), float(hi)


def _in_horizon(result: ScenarioResult, day) -> bool:
    return pd.Timestamp(day) in result.dates


def _road_milestones(dataset: Dataset, road: str) -> pd.DataFrame:
    m = dataset.milestones
    sel = m[m["milestone_type"].isin(["highway_held", "highway_cut"]) & m["label"].str.contains(road, regex=False)]
    return sel.sort_values(["date_end", "milestone_id"])


def checks(result: ScenarioResult, dataset: Dataset) -> pd.DataFrame:
    """Every later report the scenario should reproduce, with its 50% interval and whether it falls inside.

    ``dataset`` is the full record. Columns: ``check`` (displacement, places, road), ``date``,
    ``variable``, ``observed``, ``low``/``median``/``high`` (the scenario's 25%, 50%, 75%
    quantiles that day), ``inside`` and ``evidence`` (claim or milestone ids).
    """
    spec = result.spec
    rows = []
    stocks = D.measurements(dataset).dated_stocks
    stocks = stocks[stocks["date"].map(lambda d: _in_horizon(result, d))]
    for s in stocks.itertuples():
        lo, mid, hi = _band(result, "displaced", s.date)
        rows.append({"check": "displacement", "date": s.date, "variable": "displaced", "observed": float(s.value), "low": lo,
                     "median": mid, "high": hi, "inside": lo <= s.value <= hi, "evidence": s.claim_ids})

    days = {*stocks["date"], *(p.start for p in spec.phases[1:])}
    days |= {b.date for b in (spec.intervention, spec.ceasefire) if b is not None}
    days = sorted(d for d in days if _in_horizon(result, d))
    if days:
        est = T.estimated_series(dataset, max(days)).set_index("date")
        comp = T.completeness_model(dataset)
        for day in days:
            value = float(est.at[day, "q50"])
            lo, mid, hi = _band(result, "government_captures", day)
            rows.append({"check": "places", "date": day, "variable": "government_captures", "observed": value, "low": lo,
                         "median": mid, "high": hi, "inside": lo <= value <= hi,
                         "evidence": f"named so far: {est.at[day, 'named']:.0f}; share named from {len(comp['claim_ids'])} aggregate claims"})

    for m in _road_milestones(dataset, spec.road).itertuples():
        if not _in_horizon(result, m.date_end):
            continue
        lo, mid, hi = _band(result, "road_share_held", m.date_end)
        held = m.milestone_type == "highway_held"
        rows.append({"check": "road", "date": m.date_end, "variable": "road_share_held", "observed": 1.0 if held else float("nan"),
                     "low": lo, "median": mid, "high": hi, "inside": (lo <= 1.0 <= hi) if held else lo < 1.0,
                     "evidence": f"{m.milestone_id} ({m.label})"})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def happened(threshold, dataset: Dataset, road: str) -> tuple[bool, str]:
    """Whether the dataset (the full record) records the threshold's event as happened by its date, and why.

    * ``displaced`` / ``displaced_now`` (no returns are reported): a regional report of cumulative
      displacement dated by then past the value;
    * ``road_share_held`` at 1: a milestone reporting the road held in full by then, not cut again before;
    * ``government_captures`` (places in the world): the named places alone past the value, or the
      completeness-corrected series' 10% quantile past it (the estimate says so with 90%);
    * ``government_captures_named``, ``net_places_named``: the named changes of hands;
    * ``net_places`` (in the world): the named net gain past the value (the government's places are
      the less completely named side, so the named net gain understates the net gain in the world).

    Anything else, or a report short of the value, is not recorded as happened.
    """
    by, v, var = threshold.by, threshold.value, threshold.variable

    def past(x: float) -> bool:
        return x > v if threshold.strict else x >= v

    if var in ("displaced", "displaced_now"):
        s = D.measurements(dataset).dated_stocks
        hit = s[(s["date"] <= by) & s["value"].map(past)]
        return (True, hit.iloc[0]["claim_ids"]) if len(hit) else (False, "no regional report past the value by then")
    if var == "road_share_held":
        last = _road_milestones(dataset, road)
        last = last[last["date_end"] <= by]
        if len(last) and last.iloc[-1]["milestone_type"] == "highway_held" and past(1.0):
            return True, str(last.iloc[-1]["milestone_id"])
        return False, "no milestone reports the road held by then"
    start = pd.Timestamp(dataset.case.territory_baseline_date)
    s = CH.daily_series(CH.baseline_changes(dataset), start, by).iloc[-1:]
    named_gov = float(CH.daily_series(CH.baseline_changes(dataset), start, by)["government_captures"].sum())
    named_net = float(s["cumulative_net_government"].iloc[0])
    if var == "government_captures_named":
        return past(named_gov), f"{named_gov:.0f} named places taken"
    if var in ("net_places", "net_places_named"):
        return past(named_net), f"named net gain {named_net:.0f}"
    if var == "government_captures":
        if past(named_gov):
            return True, f"{named_gov:.0f} named places taken"
        q10 = float(T.estimated_series(dataset, by).iloc[-1]["q10"])
        return past(q10), f"completeness-corrected estimate, 10% quantile {q10:.0f} ({named_gov:.0f} named)"
    return False, f"no record for {var}"


def threshold_checks(result: ScenarioResult, dataset: Dataset) -> pd.DataFrame:
    """Each threshold of the scenario, whether the dataset records it as happened (and why) and its probability."""
    probs = result.thresholds().set_index("threshold")["probability"]
    rows = []
    for t in result.spec.thresholds:
        yes, why = happened(t, dataset, result.spec.road)
        rows.append({"threshold": t.label, "happened": yes, "probability": float(probs[t.label]), "evidence": why})
    return pd.DataFrame(rows, columns=["threshold", "happened", "probability", "evidence"])


def fitted_on_whole_record(result: ScenarioResult, dataset: Dataset) -> bool:
    """Whether the scenario's fit saw every claim of the record (its ``fit_as_of`` on or after the last information date)."""
    last = max(dataset.control_events["info_date"].max(), dataset.observations["info_date"].max())
    return result.spec.fit_as_of >= last


def report_tables(result: ScenarioResult, dataset: Dataset) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """A sentence, the checks and the threshold checks of the scenario that follows the record, rounded for a report.

    People are shown to 2 significant figures, places to whole places, shares to 2 decimals.
    A scenario not fitted on the whole record is refused: its misses would say nothing of the model.
    """
    from ..core.errors import ParameterError
    from ..models.displacement.honest import round_sig

    r = result
    if not fitted_on_whole_record(r, dataset):
        raise ParameterError(f"scenario {r.spec.name!r} is fitted to {r.spec.fit_as_of.date()}, before the end of the record; "
                             "a hindcast needs the whole record fitted", parameter="hindcast")
    c, t = checks(r, dataset), threshold_checks(r, dataset)
    happened_t = t[t["happened"]]
    sentence = (f"**{r.spec.name}** (fitted to {r.spec.fit_as_of.date()}, the whole record): {int(c['inside'].sum())} of {len(c)} later "
                f"reports inside its 50% intervals; {len(happened_t)} of {len(t)} thresholds are recorded as happened, "
                + (f"each with probability above 0.5 (the lowest {happened_t['probability'].min():.2f})."
                   if len(happened_t) and (happened_t["probability"] > 0.5).all()
                   else f"{int((happened_t['probability'] <= 0.5).sum())} of them with probability 0.5 or less."))
    shown = c.copy()
    for col in ("observed", "low", "median", "high"):
        shown[col] = [(round_sig(v, 2) if k == "displacement" else round(v) if k == "places" else round(v, 2)) if pd.notna(v) else v
                      for k, v in zip(shown["check"], shown[col], strict=True)]
    shown["inside"] = shown["inside"].map({True: "yes", False: "no"})
    shown = shown.rename(columns={"low": "q25", "median": "q50", "high": "q75"})
    shown_t = t.assign(happened=t["happened"].map({True: "yes", False: "not recorded"}), probability=t["probability"].round(2))
    return sentence, shown, shown_t


def section(hindcast: str, dataset: Dataset, n_paths: int | None = None) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Report 04's hindcast: :func:`report_tables` of the scenario file ``hindcast``, run as shipped.

    The report's overrides do not apply: they change the story, and the hindcast checks the model
    against the story that happened. With ``hindcast`` empty, a sentence saying so and two empty tables.
    """
    from .engine import run
    from .spec import load_spec

    if not hindcast:
        return "No hindcast was asked for (the report's `hindcast` parameter is empty).", pd.DataFrame(), pd.DataFrame()
    spec = load_spec(hindcast, {"n_paths": n_paths} if n_paths else {})
    return report_tables(run(dataset, spec), dataset)
