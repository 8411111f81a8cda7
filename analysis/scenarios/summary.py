"""Report tables of scenarios: spec overview, phase rates, what was reported, provenance, quantiles."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import expit

from ..data import changes as CH
from ..data.dataset import Dataset
from ..data.phases import territory_phases
from ..models import displacement as D
from ..models import territory as T
from ..models.base import Z90
from .engine import ScenarioResult
from .spec import (
    FITTED,
    REPORTED,
    ScenarioSpec,
)


def spec_table(spec: ScenarioSpec) -> pd.DataFrame:
    """The spec as a two-column table of dotted keys and values (for reports)."""
    rows = []

    def walk(prefix: str, v):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else k, x)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for i, x in enumerate(v):
                walk(f"{prefix}.{i}", x)
        else:
            rows.append({"key": prefix, "value": "none" if v is None else str(v)})

    walk("", spec.to_dict())
    return pd.DataFrame(rows)


def phase_rates(dataset: Dataset, fit_as_of) -> pd.DataFrame:
    """Fitted daily capture rate per phase and side (phase GLM), the basis for scenario intensities."""
    fit = T.fit(dataset, fit_as_of, "phase_glm")
    _, labels = territory_phases(dataset, fit.start, 1)
    rows = []
    for side in CH.SIDES:
        p = fit.params[side]
        for j, k in enumerate(p["phases_seen"]):
            sd = float(np.sqrt(max(p["cov"][j, j], 0.0)))
            m = float(p["mean"][j])
            rows.append({"phase": labels[k], "side": side, "rate": np.exp(m), "low90": np.exp(m - Z90 * sd), "high90": np.exp(m + Z90 * sd)})
    return pd.DataFrame(rows)


def reported(dataset: Dataset) -> dict[str, pd.DataFrame]:
    """What the full record later gave for the simulated variables (date, value), to draw against scenarios."""
    out = {"displaced": D.measurements(dataset).dated_stocks[["date", "value"]]}
    net = CH.net_series(dataset)
    out["net_places_named"] = pd.DataFrame({"date": net["date"], "value": net["cumulative_net_government"]})
    est = T.estimated_series(dataset)
    out["government_captures"] = pd.DataFrame({"date": est["date"], "value": est["q50"]})
    out["government_captures_named"] = pd.DataFrame({"date": est["date"], "value": est["named"]})
    return out


def provenance(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Per scenario, the claim ids behind each fitted or reported number it used."""
    rows = []
    for r in results:
        c, s = r.calibration, r.spec
        rows += [
            {"scenario": s.name, "quantity": f"capture rates ({s.rate_reference}, phase GLM to {c.fit_as_of.date()})",
             "value": f"gov {np.exp(c.log_rate['government'][0]):.2f}/day, opp {np.exp(c.log_rate['opposition'][0]):.3f}/day",
             "claims": f"{len(c.rate_claim_ids)} control-event claims public by {c.fit_as_of.date()}"},
            {"scenario": s.name, "quantity": f"starting displaced ({s.displacement_start}, {c.as_of.date()})",
             "value": f"median {np.median(c.start_displaced):,.0f}", "claims": " ".join(c.start_claim_ids)},
            {"scenario": s.name, "quantity": "population at risk",
             "value": f"{c.population:,.0f}" if s.population_at_risk == REPORTED else f"{float(s.population_at_risk):,.0f} (set)",
             "claims": " ".join(c.population_claim_ids) if s.population_at_risk == REPORTED else "scenario file"},
            {"scenario": s.name, "quantity": f"share of places named (completeness, to {c.fit_as_of.date()})",
             "value": "; ".join(f"{side} {'all' if not np.isfinite(b) else f'{expit(b):.2f} (90% {expit(b - Z90 * se):.2f}-{expit(b + Z90 * se):.2f})'}"
                                for side, (b, se) in c.completeness.items()),
             "claims": " ".join(c.completeness_claim_ids)},
            {"scenario": s.name, "quantity": "displaced per place taken (in the world)",
             "value": f"{c.per_place[0]:,.0f} (sd {c.per_place[1]:,.0f})" if s.displacement_per_place == FITTED else f"{float(s.displacement_per_place):,.0f} (set)",
             "claims": " ".join(c.per_place_claim_ids) if s.displacement_per_place == FITTED else "scenario file"},
            {"scenario": s.name, "quantity": f"road share ({s.road})",
             "value": (f"{c.road_share_counts[0]} of {c.road_share_counts[1]} named captures while road places were left" if s.road_share == FITTED else f"{float(s.road_share):.2f} (set)")
             + f"; {c.road_held} of {c.road_places} road places held at start",
             "claims": "control events (as above)" if s.road_share == FITTED else "scenario file"},
        ]
    df = pd.DataFrame(rows)
    # Scenarios sharing a calibration share these rows: list each once, with the scenarios using it.
    return df.groupby(["quantity", "value", "claims"], sort=False)["scenario"].agg("; ".join).reset_index()[["scenario", "quantity", "value", "claims"]]


def spec_overview(specs: Sequence[ScenarioSpec]) -> pd.DataFrame:
    """One row per scenario: name, short hash, file, dates, paths and what it assumes (for reports)."""
    return pd.DataFrame([{"scenario": s.name, "spec hash": s.short_hash, "file": s.source, "start": s.as_of.date(),
                          "end": s.end.date(), "paths": s.n_paths, "what it assumes": s.description} for s in specs])


def all_quantiles(results: Sequence[ScenarioResult]) -> pd.DataFrame:
    """Every scenario's daily quantiles in one table."""
    return pd.concat([r.quantiles() for r in results], ignore_index=True)


def compare_table(results: Sequence[ScenarioResult], sig: int = 3) -> pd.DataFrame:
    """:func:`~analysis.scenarios.engine.compare` for a report: people to ``sig`` significant figures, places whole.

    A quantile of people at the scenario's population at risk is the cap every path is
    clipped to, not a model quantile, so it reads "at the population ceiling" instead
    of a number.
    """
    from ..models.displacement.honest import at_ceiling, people
    from .engine import _resolved, compare

    table = compare(results).astype(object)
    for i, r in enumerate(results):
        ceiling = _resolved(r.spec, r.calibration)[0]
        for col in table.columns:
            if col.startswith("displaced"):
                v = float(table.at[i, col])
                table.at[i, col] = "at the population ceiling" if at_ceiling(v, ceiling) else people(v, sig)
            elif col.startswith("net_places_q"):
                table.at[i, col] = int(round(float(table.at[i, col])))
    return table
