"""The published tables, each declared once as a list of field names (fields are in :mod:`analysis.data.fields`).

Stage names follow the data flow: ``documents`` and ``places`` are ``reference``
tables; ``observations``, ``control_events`` and ``milestones`` are the tidy
``claims`` tables built from the reviewed annotations in ``seeds/claims/``;
``model``, ``scenario`` and ``predictions`` tables are written by later stages.
"""

from __future__ import annotations

from .fields import QUANTILE_PERCENTS, SUMMARY_VARIABLES, fields
from .schema import Table


def _table(name: str, title: str, description: str, primary_key: tuple[str, ...], columns: tuple[str, ...],
           stage: str = "core") -> Table:
    """A table listing its columns by name; each column's declaration is in :mod:`analysis.data.fields`."""
    return Table(name=name, title=title, description=description, fields=fields(name, columns),
                 primary_key=primary_key, stage=stage)


# Provenance and timing fields shared by every claim table: same name, same meaning.
_PROVENANCE = (
    "doc_id", "quote", "char_start", "char_end",
)
_WHEN = (
    "date_start", "date_end", "date_precision", "time_precision", "date_prec", "date_note", "info_date",
)

DOCUMENTS = _table(
    name="documents",
    title="Source documents",
    description="Catalog of the source documents in seeds/documents, with checksums.",
    stage="reference",
    primary_key=("doc_id",),
    columns=(
        "doc_id", "file_name", "original_name", "title", "publisher", "kind", "published_date",
        "published_date_basis", "coverage_start", "coverage_end", "info_date_rule", "sha256",
        "licence",
    ),
)

PLACES = _table(
    name="places",
    title="Gazetteer",
    description="Places named in the documents, with aliases across transliterations and OCHA codes where the reference data support them.",
    stage="reference",
    primary_key=("place_id",),
    columns=(
        "place_id", "name", "aliases", "feature", "admin1_pcode", "admin2_pcode", "admin3_pcode",
        "latitude", "longitude", "geo_precision", "subdistrict_population", "on_road",
    ),
)

OBSERVATIONS = _table(
    name="observations",
    title="Quantitative claims",
    description="Every quantitative claim in the documents: displacement, places and territory taken, deaths, strikes, posts, troops, shelter shares. Conflicting reports are separate rows.",
    stage="claims",
    primary_key=("claim_id",),
    columns=(
        "claim_id",
        *_PROVENANCE,
        "variable", "unit", "kind", "value", "value_low", "value_high", "qualifier",
        "qualifier_class",
        *_WHEN,
        "baseline_date", "baseline_basis", "area", "group", "source", "side",
    ),
)

CONTROL_EVENTS = _table(
    name="control_events",
    title="Control events",
    description="One row per place whose control changed or was contested. A sentence naming several places gives several rows with the same quote.",
    stage="claims",
    primary_key=("event_id",),
    columns=(
        "event_id", "claim_id",
        *_PROVENANCE,
        *_WHEN,
        "place_name", "place_id", "event_type", "to_side", "actor", "claimed_by", "admin1_pcode",
        "admin2_pcode", "admin3_pcode", "latitude", "longitude", "geo_precision",
    ),
)

MILESTONES = _table(
    name="milestones",
    title="Milestones",
    description="Ceasefires, offensive phases, interventions, summits, patrols, deadlines and highway milestones.",
    stage="claims",
    primary_key=("milestone_id",),
    columns=(
        "milestone_id",
        *_PROVENANCE,
        *_WHEN,
        "milestone_type", "label", "actor", "claimed_by",
    ),
)

EVENTS_ACLED = _table(
    name="events_acled",
    title="Events in ACLED's layout",
    description=("Control events and fatality observations in ACLED's export columns and codes (time_precision, geo_precision 1-3), "
                 "so scripts written for ACLED exports run on them; claim_id, doc_id and the character span keep the provenance."),
    stage="interop",
    primary_key=("event_id_cnty",),
    columns=(
        "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
        "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source", "notes",
        "fatalities", "iso", "timestamp", "claim_id", "doc_id", "char_start", "char_end", "admin1_pcode",
        "admin2_pcode", "admin3_pcode",
    ),
)

# The one list of the dataset's tables: Dataset's fields, its as-of filter, the claim parsers,
# build, publish and load all follow it.
DATASET_TABLES: tuple[Table, ...] = (DOCUMENTS, PLACES, OBSERVATIONS, CONTROL_EVENTS, MILESTONES)
CLAIM_TABLES: tuple[Table, ...] = tuple(t for t in DATASET_TABLES if t.stage == "claims")

# ---------------------------------------------------------------- model outputs

_QUANTILE_FIELDS = tuple(f"q{q:02d}" for q in QUANTILE_PERCENTS)

FORECAST_QUANTILES = _table(
    name="forecast_quantiles",
    title="Forecast quantiles",
    description="Daily quantiles of a forecast made with the information public by as_of (what `idlib forecast` prints).",
    stage="model",
    primary_key=("target", "date", "model", "as_of"),
    columns=(
        "target", "date", "model", "as_of",
        *_QUANTILE_FIELDS,
    ),
)

BACKTEST_SCORES = _table(
    name="backtest_scores",
    title="Backtest scores",
    description="Every model at every origin scored against each later report of the target quantity.",
    stage="model",
    primary_key=("as_of", "model", "target_id"),
    columns=(
        "as_of", "model", "horizon_days", "lead_days", "date", "target_id", "observed",
        *_QUANTILE_FIELDS,
        "crps", "pit", "covered_50", "covered_80", "covered_90", "ape",
    ),
)

BACKTEST_SUMMARY = _table(
    name="backtest_summary",
    title="Backtest summary",
    description="Per model and horizon: cases, mean CRPS, interval coverage, median APE and CRPS skill on the cases both models scored.",
    stage="model",
    primary_key=("model", "horizon_days"),
    columns=(
        "model", "horizon_days", "cases", "crps", "coverage_50", "coverage_80", "coverage_90",
        "median_ape", "skill_vs_persistence", "skill_vs_drift",
    ),
)

BACKTEST_SKIPPED = _table(
    name="backtest_skipped",
    title="Backtest gaps",
    description="Origins at which a model could not be fitted from the information then public, with the reason.",
    stage="model",
    primary_key=("as_of", "model"),
    columns=(
        "as_of", "model", "reason",
    ),
)

BACKTEST_NOTES = _table(
    name="backtest_notes",
    title="Backtest fit notes",
    description="What a fit at an origin recorded: an optimiser that stopped before converging, or an estimator's warning and how often.",
    stage="model",
    primary_key=("as_of", "model", "note"),
    columns=(
        "as_of", "model", "note",
    ),
)

# ------------------------------------------------------------------ scenarios

_SCENARIO_KEY = (
    "scenario", "spec_hash",
)

SCENARIO_QUANTILES = _table(
    name="scenario_quantiles",
    title="Scenario paths",
    description="Daily quantiles of each simulated variable of a scenario (what `idlib scenario run --quantiles` writes).",
    stage="scenario",
    primary_key=("scenario", "variable", "date"),
    columns=(
        *_SCENARIO_KEY,
        "variable", "date",
        *_QUANTILE_FIELDS,
    ),
)

SCENARIO_THRESHOLDS = _table(
    name="scenario_thresholds",
    title="Scenario threshold probabilities",
    description="Share of a scenario's paths past each threshold on its date, with the Monte Carlo standard error.",
    stage="scenario",
    primary_key=("scenario", "threshold"),
    columns=(
        *_SCENARIO_KEY,
        "threshold", "variable", "by", "comparison", "value", "probability", "mc_se",
    ),
)

SCENARIO_SUMMARY = _table(
    name="scenario_summary",
    title="Scenario comparison",
    description="Per scenario: medians and 80% intervals at the horizon's last day.",
    stage="scenario",
    primary_key=("scenario",),
    columns=(
        *_SCENARIO_KEY,
        "as_of", "end", "n_paths",
        *(f"{v}_{q}" for v, _ in SUMMARY_VARIABLES for q in ("q10", "q50", "q90")),
    ),
)

SWEEP_PROBABILITIES = _table(
    name="sweep_probabilities",
    title="Sweep threshold probabilities",
    description="Threshold probabilities at every point of a parameter grid (what `idlib scenario sweep` prints); "
    "the grid's keys are written after `point`, one column each, named as in the sweep file.",
    stage="scenario",
    primary_key=("point", "threshold"),
    columns=(
        "point",
        *_SCENARIO_KEY,
        "threshold", "by", "probability", "mc_se",
    ),
)

# ---------------------------------------------------------------- predictions

PREDICTIONS = _table(
    name="predictions",
    title="Forecast registry",
    description="Every forward-looking statement in the documents, with its verbatim quote, estimative words and window.",
    stage="predictions",
    primary_key=("prediction_id",),
    columns=(
        "prediction_id", "doc_id", "issued_date", "kind", "quote", "char_start", "char_end",
        "probability_phrase", "claim", "window_start", "window_end", "window_note", "rules",
        "unresolvable_reason",
    ),
)

RESOLUTIONS = _table(
    name="resolutions",
    title="Resolutions",
    description="Each reading of each prediction resolved from the dataset, with the claim ids that decide it.",
    stage="predictions",
    primary_key=("prediction_id", "rule"),
    columns=(
        "prediction_id", "rule", "question", "reading", "window_start", "window_end", "window_note", "resolution",
        "observed", "quantity", "p_yes", "named_count", "evidence", "reason",
    ),
)

PREDICTION_SCORES = _table(
    name="prediction_scores",
    title="Prediction scores",
    description="Analyst probability ranges on a published scale, Brier and log scores as ranges, and the model's probability on the issue date.",
    stage="predictions",
    primary_key=("prediction_id", "rule", "scale"),
    columns=(
        "prediction_id", "doc_id", "issued_date", "quote", "probability_phrase", "claim", "scale",
        "term", "term_source", "p_low", "p_high", "rule", "reading", "resolution", "evidence",
        "brier_low", "brier_high", "brier_mid", "log_low", "log_high", "log_mid", "recal_p_low",
        "recal_p_high", "recal_brier_low", "recal_brier_high", "model_p", "model_brier",
        "model_note",
    ),
)
