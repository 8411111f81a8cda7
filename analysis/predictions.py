"""Analyst predictions against outcomes: the forecast registry, resolution with evidence, scores.

* **Registry.** ``seeds/predictions/<doc_id>.yaml`` lists every forward-looking
  statement of a document (forecasts, expectations, warnings, risks, threats,
  deadlines): the verbatim quote (its span is found in the document), the exact
  estimative words, a precise restatement, the window it speaks about and the
  resolution rules that read it.
* **Resolution.** ``seeds/predictions/rules.yaml`` defines each rule as a
  variable computed from the dataset, a comparison and a value. A rule resolves
  ``yes`` or ``no`` with the claim ids that decide it, or ``unresolvable`` with the
  reason (for example, a window the documents do not cover); nothing is guessed.
  Several rules on one prediction are several readings of it; the prediction's
  verdict is ``yes``/``no`` when they agree and ``partly`` when they do not.
* **Scores.** The estimative words become a probability range on a published
  scale (:mod:`analysis.wep`); Brier and log scores are reported as ranges over
  it, with the midpoint, and for a recalibrated variant. The model's probability
  for the same event, made with the claims public on the issue date, is scored
  the same way.

Variables a rule may use (``window`` = the prediction's window):

======================  ======================================================
``government_captures``  changes of hands to the government in the window
``opposition_captures``  changes of hands to the opposition in the window
``net_places``           government minus opposition changes in the window
``captured:PLACE``       changes of hands of PLACE to the government in the window
``attacked:PLACE``       control events of any type at PLACE in the window
``road_held:ROAD``       1 if the government held every named place on ROAD at the window's end
``displaced``            cumulative displaced since the case baseline at the window's end
``milestone:TYPE``       milestones of TYPE starting in the window
======================  ======================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .catalog import Document, load_catalog
from .dataset import Dataset
from .errors import InputError, ParameterError
from .io import LineDict, read_yaml
from .parsing import find_spans, parse_date
from .vocab import MILESTONE_TYPES

KINDS = ("forecast", "expectation", "warning", "risk", "threat", "deadline")
OPS = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal, "==": np.equal}
PLAIN_VARIABLES = ("government_captures", "opposition_captures", "net_places", "displaced")
PREFIXED = ("captured", "attacked", "road_held", "milestone")
MODEL_HORIZON_DAYS = 180  # the models are not asked about windows ending later than this after the issue date
DEFAULT_GAMMA = 1.5


def predictions_dir(seeds: Path | None = None) -> Path:
    return Path(seeds or paths.seeds_dir()) / "predictions"


# ------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    name: str
    question: str
    variable: str
    op: str
    value: float

    def describe(self) -> str:
        return f"{self.variable} {self.op} {self.value:g}"


def _check_variable(variable: str, dataset: Dataset, file, field: str) -> None:
    if variable in PLAIN_VARIABLES:
        return
    prefix, _, arg = variable.partition(":")
    if prefix not in PREFIXED or not arg:
        raise InputError(
            f"unknown variable {variable!r}; use one of {list(PLAIN_VARIABLES)} or {[p + ':…' for p in PREFIXED]}", file=file, field=field)
    if prefix in ("captured", "attacked") and arg not in set(dataset.places["place_id"]):
        raise InputError(f"unknown place {arg!r} in variable {variable!r} (not in the gazetteer)", file=file, field=field)
    if prefix == "milestone" and arg not in MILESTONE_TYPES:
        raise InputError(f"unknown milestone type {arg!r}; known: {list(MILESTONE_TYPES)}", file=file, field=field)
    if prefix == "road_held" and not dataset.places["on_road"].fillna("").str.contains(arg, regex=False).any():
        raise InputError(f"no named place lies on road {arg!r}", file=file, field=field)


def load_rules(dataset: Dataset, seeds: Path | None = None) -> dict[str, Rule]:
    path = predictions_dir(seeds) / "rules.yaml"
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise InputError("expected a mapping with a 'rules' mapping", file=path)
    rules = {}
    for name, r in data["rules"].items():
        line = r.line if isinstance(r, LineDict) else None
        if not isinstance(r, dict):
            raise InputError("expected a mapping", file=path, line=line, field=name)
        ops = [k for k in OPS if k in r]
        unknown = set(r) - {"question", "variable", *OPS}
        if unknown:
            raise InputError(f"unknown keys {sorted(unknown)}", file=path, line=line, field=f"{name}.{sorted(unknown)[0]}")
        if len(ops) != 1 or not isinstance(r[ops[0]], int | float):
            raise InputError(f"give exactly one comparison of {list(OPS)} with a number", file=path, line=line, field=name)
        for key in ("question", "variable"):
            if not isinstance(r.get(key), str):
                raise InputError("missing or not text", file=path, line=line, field=f"{name}.{key}")
        _check_variable(r["variable"], dataset, path, f"{name}.variable")
        rules[name] = Rule(name, r["question"], r["variable"], ops[0], float(r[ops[0]]))
    return rules


# ---------------------------------------------------------------- registry


_PRED_KEYS = {"id", "kind", "quote", "occurrence", "probability_phrase", "claim", "issued_date", "horizon_days", "deadline",
              "window", "window_note", "resolutions", "unresolvable"}


def _prediction(doc: Document, e: dict, rules: dict[str, Rule], path: Path) -> dict:
    line = e.line if isinstance(e, LineDict) else None
    pid = f"{doc.doc_id}:{e.get('id')}"

    def err(msg: str, field: str) -> InputError:
        return InputError(f"{pid}: {msg}", file=path, line=line, field=field)

    unknown = set(e) - _PRED_KEYS
    if unknown:
        raise err(f"unknown keys {sorted(unknown)}", sorted(unknown)[0])
    for key in ("id", "kind", "quote", "probability_phrase", "claim"):
        if not isinstance(e.get(key), str) or not e[key].strip():
            raise err("missing or empty", key)
    if e["kind"] not in KINDS:
        raise err(f"kind must be one of {KINDS}", "kind")
    spans = find_spans(doc.text, e["quote"])
    if not spans:
        raise err(f"quote not found in document {doc.file_name}: {e['quote'][:80]!r}", "quote")
    occ = e.get("occurrence", 1 if len(spans) == 1 else None)
    if occ is None or not 1 <= occ <= len(spans):
        raise err(f"quote occurs {len(spans)} times; add 'occurrence: N'", "quote")
    start, end = spans[occ - 1]
    if e["probability_phrase"].lower() not in doc.text[start:end].lower():
        raise err(f"probability_phrase {e['probability_phrase']!r} is not in the quote", "probability_phrase")
    if "issued_date" in e:
        issued = parse_date(str(e["issued_date"]))
    elif doc.info_date_rule == "publication" and doc.published_date:
        issued = doc.published_date
    else:
        raise err("issued_date is needed: the document is not dated by publication", "issued_date")
    issued = pd.Timestamp(issued)
    if "window" in e:
        w = e["window"]
        if not isinstance(w, list) or len(w) != 2:
            raise err("expected [first day, last day]", "window")
        w0, w1 = (pd.Timestamp(parse_date(str(x))) for x in w)
    elif "deadline" in e:
        w0, w1 = issued + pd.Timedelta(days=1), pd.Timestamp(parse_date(str(e["deadline"])))
    elif "horizon_days" in e:
        if not isinstance(e["horizon_days"], int) or e["horizon_days"] < 1:
            raise err("must be a whole number of days, at least 1", "horizon_days")
        w0, w1 = issued + pd.Timedelta(days=1), issued + pd.Timedelta(days=e["horizon_days"])
    else:
        raise err("give horizon_days, deadline or window", "horizon_days")
    if w1 < w0:
        raise err("the window ends before it starts", "window")
    res = e.get("resolutions", [])
    if not isinstance(res, list):
        raise err("expected a list of rule names", "resolutions")
    for r in res:
        if r not in rules:
            raise err(f"unknown resolution rule {r!r}; rules are in predictions/rules.yaml", "resolutions")
    if not res and not e.get("unresolvable"):
        raise err("give resolution rules, or 'unresolvable' with the reason", "resolutions")
    return {
        "prediction_id": pid, "doc_id": doc.doc_id, "issued_date": issued, "kind": e["kind"],
        "quote": doc.text[start:end], "char_start": start, "char_end": end, "probability_phrase": e["probability_phrase"],
        "claim": " ".join(e["claim"].split()), "window_start": w0, "window_end": w1, "window_note": e.get("window_note", ""),
        "rules": " ".join(res), "unresolvable_reason": e.get("unresolvable", ""),
    }


def load_registry(dataset: Dataset, seeds: Path | None = None) -> tuple[pd.DataFrame, dict[str, Rule]]:
    """The forecast registry (one row per prediction) and the rules, from the seeds folder."""
    from .tables import PREDICTIONS

    seeds = Path(seeds or paths.seeds_dir())
    rules = load_rules(dataset, seeds)
    docs = load_catalog(paths.catalog_file(seeds), paths.documents_dir(seeds)).documents
    rows = []
    for path in sorted(predictions_dir(seeds).glob("*.yaml")):
        if path.name == "rules.yaml":
            continue
        data = read_yaml(path)
        if not isinstance(data, dict) or data.get("doc_id") not in docs:
            raise InputError(f"expected doc_id of a catalogued document (known: {sorted(docs)})", file=path, field="doc_id")
        for e in data.get("predictions") or []:
            rows.append(_prediction(docs[data["doc_id"]], e, rules, path))
    df = pd.DataFrame(rows, columns=PREDICTIONS.columns)
    dupes = df[df["prediction_id"].duplicated()]
    if len(dupes):
        raise InputError(f"duplicate prediction id {dupes.iloc[0]['prediction_id']}", file=predictions_dir(seeds))
    return PREDICTIONS.validate(PREDICTIONS.conform(df)), rules


# -------------------------------------------------------------- resolution


@dataclass(frozen=True)
class Resolution:
    outcome: str  # yes, no, unresolvable
    observed: float | None
    evidence: tuple[str, ...]
    reason: str


class _Record:
    """What the full dataset says, computed once for all rules."""

    def __init__(self, dataset: Dataset):
        from . import displacement, territory

        self.dataset = dataset
        self.changes = territory.changes_of_hands(dataset.control_events).changes
        ce = dataset.control_events
        self.control_start = pd.Timestamp(ce["date_start"].min()) if len(ce) else None
        self.end = pd.Timestamp(dataset.case.analysis_end)
        self.first_info = dataset.coverage[0]
        s = displacement.measurements(dataset).dated_stocks
        # Whole people: the measurement model's arithmetic leaves float dust (700,000.0000000002).
        self.stocks = s.assign(value=s["value"].round()).sort_values("date")
        self.baseline = pd.Timestamp(dataset.case.displacement_baseline_date)

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
    return tuple(dict.fromkeys(i for v in frame[column] for i in str(v).split()))


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
        from . import territory

        holders = territory.road_holders(rec.dataset, ch, arg, w1)
        held = list(holders["side"] == "government")
        ev = [i for ids in holders["claim_ids"] for i in ids.split()]
        value = float(all(held))
        outcome = "yes" if op(value, rule.value) else "no"
        return Resolution(outcome, value, tuple(dict.fromkeys(ev)), f"{sum(held)} of {len(held)} {arg} places held by the government on {w1.date()}")
    # Counts of changes or control events in the window.
    gap = rec.covered(w0, w1)
    if prefix == "attacked":
        ce = rec.dataset.control_events
        sel = ce[(ce["place_id"] == arg) & (ce["date_end"] >= w0) & (ce["date_start"] <= w1)]
        ev = _ids(sel, "claim_id")
    else:
        inw = ch[(ch["date_end"] >= w0) & (ch["date_end"] <= w1)]
        if prefix == "captured":
            sel = inw[(inw["place_id"] == arg) & (inw["to_side"] == "government")]
        elif rule.variable == "government_captures":
            sel = inw[inw["to_side"] == "government"]
        elif rule.variable == "opposition_captures":
            sel = inw[inw["to_side"] == "opposition"]
        else:  # net_places
            sel = inw
        ev = _ids(sel)
    value = float(len(sel)) if rule.variable != "net_places" else float((sel["to_side"] == "government").sum() - (sel["to_side"] == "opposition").sum())
    outcome = "yes" if op(value, rule.value) else "no"
    # A partly covered window settles only what more evidence could not undo.
    if gap and not (outcome == "yes" and rule.op in (">", ">=") and rule.variable != "net_places"):
        return Resolution("unresolvable", value if len(sel) else None, ev, gap)
    return Resolution(outcome, value, ev, f"{value:g} in the window")


def resolutions(registry: pd.DataFrame, rules: dict[str, Rule], dataset: Dataset, only: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per prediction and reading (rule), resolved with evidence; unresolvable ones kept with the reason."""
    from .tables import RESOLUTIONS

    rec = _Record(dataset)
    rows = []
    for p in registry.itertuples():
        names = [r for r in p.rules.split() if not only or r in only]
        if not names:
            if only:
                continue
            rows.append({"prediction_id": p.prediction_id, "rule": "", "question": p.claim, "reading": "", "window_start": p.window_start,
                         "window_end": p.window_end, "resolution": "unresolvable", "observed": np.nan, "evidence": "", "reason": p.unresolvable_reason})
            continue
        for name in names:
            rule = rules[name]
            r = resolve(rule, p.window_start, p.window_end, rec)
            rows.append({"prediction_id": p.prediction_id, "rule": name, "question": rule.question, "reading": rule.describe(),
                         "window_start": p.window_start, "window_end": p.window_end, "resolution": r.outcome,
                         "observed": np.nan if r.observed is None else r.observed, "evidence": " ".join(r.evidence), "reason": r.reason})
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


# ------------------------------------------------------------------ scores


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
    from . import displacement, territory

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
        x = {"government_captures": gov, "opposition_captures": opp, "net_places": gov - opp}[rule.variable]
        return float(np.mean(op(x, rule.value))), f"territory {territory.DEFAULT_MODEL} as of {issued.date()}, {len(f.claim_ids)} claims"
    except ParameterError as exc:
        return None, f"model not available: {exc}"


def score(registry: pd.DataFrame, res: pd.DataFrame, dataset: Dataset, scale: str, scales, rules: dict[str, Rule],
          gamma: float = DEFAULT_GAMMA, n_paths: int = 4000, cache: dict | None = None) -> pd.DataFrame:
    """Per prediction and reading: the analyst's range on ``scale``, its scores, and the model's probability and score.

    ``cache`` (a dict) keeps the model probabilities between calls, so scoring on
    several scales runs each model once.
    """
    from .tables import PREDICTION_SCORES

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


def published_tables(dataset: Dataset, seeds: Path | None = None, scales=None) -> tuple:
    """(table, frame) pairs published with the dataset: registry, resolutions, and scores on every scale."""
    from .tables import PREDICTION_SCORES, PREDICTIONS, RESOLUTIONS
    from .wep import load_scales

    if not predictions_dir(seeds).is_dir():
        return ()
    scales = scales or load_scales()
    registry, rules = load_registry(dataset, seeds)
    res = resolutions(registry, rules, dataset)
    cache: dict = {}
    scores = pd.concat([score(registry, res, dataset, s, scales, rules, cache=cache) for s in scales.names], ignore_index=True)
    return ((PREDICTIONS, registry), (RESOLUTIONS, res), (PREDICTION_SCORES, scores))


def select(registry: pd.DataFrame, doc_id: str | None = None) -> pd.DataFrame:
    """The registry rows of one document; an unknown id raises naming the parameter."""
    if doc_id is None:
        return registry
    if doc_id not in set(registry["doc_id"]):
        raise ParameterError(f"unknown document {doc_id!r}; documents with predictions: {sorted(set(registry['doc_id']))}", parameter="doc_id")
    return registry[registry["doc_id"] == doc_id]


def check_rules(names, rules: dict[str, Rule]) -> tuple[str, ...]:
    """Rule names chosen by a user; an unknown one raises naming the parameter."""
    names = tuple(names or ())
    for n in names:
        if n not in rules:
            raise ParameterError(f"unknown resolution rule {n!r}; rules: {sorted(rules)}", parameter="resolution_rules")
    return names


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
        "places are the named places in the documents, which undercount what changed hands; and with this few claims the "
        "scores describe these statements, not the analyst's skill."
    )
    return " ".join(parts)


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
