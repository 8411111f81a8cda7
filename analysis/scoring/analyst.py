"""Scores of analysts' and the models' probabilities: Brier and log ranges, recalibration, calibration tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..core.errors import ParameterError
from ..data.dataset import Dataset
from .registry import OPS, PLAIN_VARIABLES, Rule

MODEL_HORIZON_DAYS = 180  # the models are not asked about windows ending later than this after the issue date
DEFAULT_GAMMA = 1.5


def brier_range(low: float, high: float, outcome: int) -> tuple[float, float, float]:
    """Brier score (p - o)^2 over p in [low, high]: (best, worst, at the midpoint)."""
    ends = sorted(((low - outcome) ** 2, (high - outcome) ** 2))
    return ends[0], ends[1], ((low + high) / 2 - outcome) ** 2


def log_range(low: float, high: float, outcome: int, eps: float = 1e-6) -> tuple[float, float, float]:
    """Log score -ln(p if o else 1 - p) over p in [low, high], clipped at eps: (best, worst, midpoint)."""
    def s(p: float) -> float:
        p = min(max(p, eps), 1 - eps)
        return -math.log(p if outcome else 1 - p)

    ends = sorted((s(low), s(high)))
    return ends[0], ends[1], s((low + high) / 2)


def recalibrate(p: float, gamma: float) -> float:
    """Linear-in-log-odds recalibration p' = expit(gamma * logit(p)); gamma > 1 undoes underconfidence."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return 1 / (1 + math.exp(-gamma * math.log(p / (1 - p))))


def model_probability(dataset: Dataset, rule: Rule, issued: pd.Timestamp, w0: pd.Timestamp, w1: pd.Timestamp,
                      n_paths: int = 4000, seed: int = 0) -> tuple[float | None, str]:
    """P(rule holds) from the models fitted with the claims public on ``issued``; None and the reason otherwise."""
    from ..models import displacement, territory

    horizon = (w1 - issued).days
    if rule.variable not in PLAIN_VARIABLES:
        return None, f"no model forecasts {rule.variable.split(':')[0]}"
    if horizon < 1 or horizon > MODEL_HORIZON_DAYS:
        return None, f"the window ends {horizon} days after the issue date (models answer 1..{MODEL_HORIZON_DAYS})"
    op = OPS[rule.op]
    try:
        if rule.variable == "displaced":
            fc = displacement.forecast(dataset, issued, horizon, displacement.DEFAULT_MODEL, n_paths=n_paths, seed=seed)
            x = fc.samples[:, -1]
            return float(np.mean(op(x, rule.value))), f"displacement {displacement.DEFAULT_MODEL} as of {issued.date()}, {len(fc.claim_ids)} claims"
        f = territory.fit(dataset, issued, territory.DEFAULT_MODEL, seed)
        counts = territory.simulate_counts(f, horizon, n_paths, seed)
        lo = max((w0 - issued).days - 1, 0)
        gov = counts["government"][:, lo:].sum(axis=1)
        opp = counts["opposition"][:, lo:].sum(axis=1)
        base = rule.variable.removesuffix("_named")
        note = f"territory {territory.DEFAULT_MODEL} as of {issued.date()}, {len(f.claim_ids)} claims"
        if not rule.variable.endswith("_named"):
            # The estimate in the world: the named places simulated, plus those taken but not named
            # (the completeness model public on the issue date; a side it cannot identify counts its named places as all).
            rng = np.random.default_rng([seed, 15])
            view = dataset.as_of(issued)
            counted = []
            for side in ("government", "opposition"):
                try:
                    m = territory.completeness_model(view, side)
                except ParameterError:
                    continue
                k = gov if side == "government" else opp
                k += territory.unnamed(k, territory.share_draws(m, n_paths, rng), rng)
                counted.append(side)
            note += (f", in the world ({' and '.join(counted)} places named at the completeness model's share)" if counted
                     else ", named places only (too few aggregate claims by then to estimate the share named)")
        x = {"government_captures": gov, "opposition_captures": opp, "net_places": gov - opp}[base]
        return float(np.mean(op(x, rule.value))), note
    except ParameterError as exc:
        return None, f"model not available: {exc}"


def score(registry: pd.DataFrame, res: pd.DataFrame, dataset: Dataset, scale: str, scales, rules: dict[str, Rule],
          gamma: float = DEFAULT_GAMMA, n_paths: int = 4000, cache: dict | None = None) -> pd.DataFrame:
    """Per prediction and reading: the analyst's range on ``scale``, its scores, and the model's probability and score.

    ``cache`` (a dict) keeps the model probabilities between calls, so scoring on
    several scales runs each model once.
    """
    from ..data.tables import PREDICTION_SCORES

    reg = registry.set_index("prediction_id")
    rows = []
    cache = {} if cache is None else cache
    for r in res.itertuples():
        p = reg.loc[r.prediction_id]
        term = scales.lookup(p["probability_phrase"], scale)
        row = {"prediction_id": r.prediction_id, "doc_id": p["doc_id"], "issued_date": p["issued_date"], "quote": p["quote"],
               "probability_phrase": p["probability_phrase"], "claim": p["claim"], "scale": scale, "term": term.term,
               "term_source": term.source, "p_low": term.low, "p_high": term.high, "rule": r.rule, "reading": r.reading,
               "resolution": r.resolution, "evidence": r.evidence}
        lo_r, hi_r = recalibrate(term.low, gamma), recalibrate(term.high, gamma)
        row |= {"recal_p_low": lo_r, "recal_p_high": hi_r}
        if r.resolution in ("yes", "no"):
            o = int(r.resolution == "yes")
            row |= dict(zip(("brier_low", "brier_high", "brier_mid"), brier_range(term.low, term.high, o), strict=True))
            row |= dict(zip(("log_low", "log_high", "log_mid"), log_range(term.low, term.high, o), strict=True))
            row |= dict(zip(("recal_brier_low", "recal_brier_high"), brier_range(lo_r, hi_r, o)[:2], strict=True))
        if r.rule:
            key = (r.rule, p["issued_date"], r.window_start, r.window_end)
            if key not in cache:
                cache[key] = model_probability(dataset, rules[r.rule], p["issued_date"], r.window_start, r.window_end, n_paths)
            mp, note = cache[key]
        else:
            mp, note = None, "no reading to forecast"
        row |= {"model_p": np.nan if mp is None else mp, "model_note": note}
        if mp is not None and r.resolution in ("yes", "no"):
            row["model_brier"] = (mp - int(r.resolution == "yes")) ** 2
        rows.append(row)
    return PREDICTION_SCORES.validate(PREDICTION_SCORES.conform(pd.DataFrame(rows, columns=PREDICTION_SCORES.columns)))


def calibration(scores: pd.DataFrame, min_count: int = 5) -> pd.DataFrame:
    """Per probability term: resolved readings, the range's midpoint and how often the event happened.

    ``enough`` is False below ``min_count`` readings: too few to judge calibration.
    """
    s = scores[scores["resolution"].isin(["yes", "no"])]
    out = (s.assign(hit=(s["resolution"] == "yes").astype(float), mid=(s["p_low"] + s["p_high"]) / 2)
           .groupby(["scale", "term"], sort=False)
           .agg(readings=("hit", "size"), p_low=("p_low", "first"), p_high=("p_high", "first"), observed=("hit", "mean"),
                model_p=("model_p", "mean"))
           .reset_index())
    out["enough"] = out["readings"] >= min_count
    return out


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean Brier ranges of the analyst (as written and recalibrated) and the model, on the readings both scored."""
    s = scores[scores["resolution"].isin(["yes", "no"])]
    both = s[s["model_p"].notna()]
    rows = []
    for label, frame in (("all resolved readings", s), ("readings the model also scored", both)):
        if frame.empty:
            continue
        rows.append({"set": label, "readings": len(frame), "analyst_brier_low": frame["brier_low"].mean(),
                     "analyst_brier_high": frame["brier_high"].mean(), "analyst_brier_mid": frame["brier_mid"].mean(),
                     "recalibrated_low": frame["recal_brier_low"].mean(), "recalibrated_high": frame["recal_brier_high"].mean(),
                     "model_brier": frame["model_brier"].mean() if frame["model_brier"].notna().any() else np.nan})
    return pd.DataFrame(rows)


def plain_verdict(registry: pd.DataFrame, verdict: pd.DataFrame, scores: pd.DataFrame, scale_title: str) -> str:
    """A short plain-language verdict on one document's predictions, with its own caveats."""
    v = verdict.set_index("prediction_id")["verdict"]
    n = len(registry)
    counts = {k: int((v == k).sum()) for k in ("yes", "no", "partly", "unresolvable")}
    resolved = n - counts["unresolvable"]
    s = scores[scores["resolution"].isin(["yes", "no"])]
    both = s[s["model_p"].notna()]
    parts = [
        f"Of {n} forward-looking statements, {resolved} could be read against the dataset: "
        f"{counts['yes']} came true on every reading, {counts['no']} on none, and {counts['partly']} on some readings but not others. "
        f"{counts['unresolvable']} cannot be resolved from these documents (the reasons are in the table)."
    ]
    if len(s):
        parts.append(
            f"Read on the {scale_title}, the words score a mean Brier of {s['brier_low'].mean():.2f} to {s['brier_high'].mean():.2f} "
            f"(midpoint {s['brier_mid'].mean():.2f}) over {len(s)} resolved readings; 0 is perfect and 0.25 is a coin toss."
        )
    if len(both):
        parts.append(
            f"On the {len(both)} readings a model could also forecast with what was public that day, the analyst's words score "
            f"{both['brier_low'].mean():.2f} to {both['brier_high'].mean():.2f} and the model {both['model_brier'].mean():.2f}."
        )
    else:
        parts.append("No reading could be given a model probability: the models forecast only displacement and places taken, from claims public on the issue date.")
    parts.append(
        "Caveats: turning words into numbers depends on the scale and, for words outside it, on this project's phrase map; "
        "each reading is one explicit interpretation of a vague claim, and the verdict can change with the reading; "
        "places are counted in the world, estimated from the named ones (which undercount what changed hands), and a verdict "
        "on them is as likely as its stated probability; and with this few claims the "
        "scores describe these statements, not the analyst's skill."
    )
    return " ".join(parts)
