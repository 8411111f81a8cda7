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
  scale (:mod:`analysis.scoring.wep`); Brier and log scores are reported as ranges over
  it, with the midpoint, and for a recalibrated variant. The model's probability
  for the same event, made with the claims public on the issue date, is scored
  the same way.

Variables a rule may use (``window`` = the prediction's window):

======================  ======================================================
``government_captures``  places the government took in the window, in the world (estimated)
``opposition_captures``  places the opposition took in the window, in the world (estimated)
``net_places``           government minus opposition places in the window, in the world (estimated)
``*_named``              the same counted on the named changes of hands only (the lower bound)
``captured:PLACE``       changes of hands of PLACE to the government in the window
``attacked:PLACE``       control events of any type at PLACE in the window
``road_held:ROAD``       1 if the government held every named place on ROAD at the window's end
``displaced``            cumulative displaced since the case baseline at the window's end
``milestone:TYPE``       milestones of TYPE starting in the window
======================  ======================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import paths
from ..core.errors import InputError, ParameterError
from ..core.io import LineDict, check_keys, read_yaml
from ..data.catalog import Document, load_catalog
from ..data.dataset import Dataset
from ..data.parsing import find_spans, parse_date
from ..data.vocab import MILESTONE_TYPES

KINDS = ("forecast", "expectation", "warning", "risk", "threat", "deadline")
OPS = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal, "==": np.equal}
# Place counts resolve on the estimate of places in the world; ``*_named`` asks for the named count.
PLACE_COUNTS = ("government_captures", "opposition_captures", "net_places")
PLAIN_VARIABLES = (*PLACE_COUNTS, *(f"{v}_named" for v in PLACE_COUNTS), "displaced")
PREFIXED = ("captured", "attacked", "road_held", "milestone")


def predictions_dir(seeds: Path | None = None) -> Path:
    return Path(seeds or paths.seeds_dir()) / "predictions"


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
        check_keys(r, {"question", "variable", *OPS}, file=path, line=line, prefix=f"{name}.")
        if len(ops) != 1 or not isinstance(r[ops[0]], int | float):
            raise InputError(f"give exactly one comparison of {list(OPS)} with a number", file=path, line=line, field=name)
        for key in ("question", "variable"):
            if not isinstance(r.get(key), str):
                raise InputError("missing or not text", file=path, line=line, field=f"{name}.{key}")
        _check_variable(r["variable"], dataset, path, f"{name}.variable")
        rules[name] = Rule(name, r["question"], r["variable"], ops[0], float(r[ops[0]]))
    return rules


_PRED_KEYS = {"id", "kind", "quote", "occurrence", "probability_phrase", "claim", "issued_date", "horizon_days", "deadline",
              "window", "window_note", "resolutions", "unresolvable"}


def _prediction(doc: Document, e: dict, rules: dict[str, Rule], path: Path) -> dict:
    line = e.line if isinstance(e, LineDict) else None
    pid = f"{doc.doc_id}:{e.get('id')}"

    def err(msg: str, field: str) -> InputError:
        return InputError(f"{pid}: {msg}", file=path, line=line, field=field)

    check_keys(e, _PRED_KEYS, error=err)
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
    # Every window says why it is what it is: the annotator's note, or the statement's own deadline or horizon.
    if "window" in e:
        w = e["window"]
        if not isinstance(w, list) or len(w) != 2:
            raise err("expected [first day, last day]", "window")
        w0, w1 = (pd.Timestamp(parse_date(str(x))) for x in w)
        if not str(e.get("window_note", "")).strip():
            raise err("a window other than the statement's own horizon or deadline needs a window_note saying why", "window_note")
        basis = ""
    elif "deadline" in e:
        w0, w1 = issued + pd.Timedelta(days=1), pd.Timestamp(parse_date(str(e["deadline"])))
        basis = f"Judged on the statement's own deadline: from the day after it was issued ({issued.date()}) to {w1.date()}."
    elif "horizon_days" in e:
        if not isinstance(e["horizon_days"], int) or e["horizon_days"] < 1:
            raise err("must be a whole number of days, at least 1", "horizon_days")
        w0, w1 = issued + pd.Timedelta(days=1), issued + pd.Timedelta(days=e["horizon_days"])
        basis = (f"Judged on the statement's own horizon, {e['horizon_days']} days from its issue date ({issued.date()}), "
                 f"so {w0.date()} to {w1.date()}.")
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
        "claim": " ".join(e["claim"].split()), "window_start": w0, "window_end": w1,
        "window_note": " ".join(x for x in (basis, " ".join(str(e.get("window_note", "")).split())) if x),
        "rules": " ".join(res), "unresolvable_reason": e.get("unresolvable", ""),
    }


def load_registry(dataset: Dataset, seeds: Path | None = None) -> tuple[pd.DataFrame, dict[str, Rule]]:
    """The forecast registry (one row per prediction) and the rules, from the seeds folder."""
    from ..data.tables import PREDICTIONS

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
