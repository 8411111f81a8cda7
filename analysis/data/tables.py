"""The published tables of the event dataset, each declared once.

Stage names follow the data flow: ``documents`` and ``places`` are reference
tables; ``observations``, ``control_events`` and ``milestones`` are the tidy
claim tables built from the reviewed annotations in ``seeds/claims/``.
"""

from __future__ import annotations

from . import vocab
from .schema import Field, Table

# Provenance and timing fields shared by every claim table: same name, same meaning.
_PROVENANCE = (
    Field("doc_id", "string", "Catalog id of the source document."),
    Field("quote", "string", "Verbatim text of the document at [char_start, char_end)."),
    Field("char_start", "integer", "Offset of the quote's first character in the document (0-based, Unicode code points).", minimum=0),
    Field("char_end", "integer", "Offset one past the quote's last character.", minimum=1),
)
_WHEN = (
    Field("date_start", "date", "First day the claim refers to."),
    Field("date_end", "date", "Last day the claim refers to (equal to date_start for a single day)."),
    Field("date_precision", "string", "Width of [date_start, date_end]: day, few_days (2-6), week (7-13), month (14-31), longer.", enum=vocab.DATE_PRECISIONS),
    Field("time_precision", "integer", "ACLED-style code of date_precision: 1 day; 2 few_days or week; 3 month or longer (rule in analysis/data/interop/codes.py).", minimum=1, maximum=3),
    Field("date_prec", "integer", "UCDP GED-style code of date_precision: 1 day, 2 few_days, 3 week, 4 month, 5 longer.", minimum=1, maximum=5),
    Field("date_note", "string", "How a relative or vague date was resolved, as the annotator wrote it.", required=False),
    Field("info_date", "date", "Date the information became public; every as-of filter uses this (see README, 'info_date')."),
)

DOCUMENTS = Table(
    name="documents",
    title="Source documents",
    description="Catalog of the source documents in seeds/documents, with checksums.",
    stage="reference",
    primary_key=("doc_id",),
    fields=(
        Field("doc_id", "string", "Readable document id."),
        Field("file_name", "string", "File name under seeds/documents."),
        Field("original_name", "string", "File name as delivered.", required=False),
        Field("title", "string", "Document title."),
        Field("publisher", "string", "Publisher or organisation."),
        Field("kind", "string", "analyst_forecast, news or encyclopedia.", enum=vocab.DOCUMENT_KINDS),
        Field("published_date", "date", "Publication date, where known.", required=False),
        Field("published_date_basis", "string", "How the publication date is known."),
        Field("coverage_start", "date", "First day of the period the document covers."),
        Field("coverage_end", "date", "Last day of the period the document covers."),
        Field("info_date_rule", "string", "publication: claims are public on published_date; cited_report: each claim carries the date of the report it cites.", enum=vocab.INFO_DATE_RULES),
        Field("sha256", "string", "SHA-256 of the file."),
        Field("licence", "string", "Licence or terms of the text.", required=False),
    ),
)

PLACES = Table(
    name="places",
    title="Gazetteer",
    description="Places named in the documents, with aliases across transliterations and OCHA codes where the reference data support them.",
    stage="reference",
    primary_key=("place_id",),
    fields=(
        Field("place_id", "string", "Gazetteer key."),
        Field("name", "string", "Preferred name."),
        Field("aliases", "string", "Other spellings found in the documents, separated by ' | '.", required=False),
        Field("feature", "string", "settlement, military_base, hill, district, road_section, facility or area."),
        Field("admin1_pcode", "string", "OCHA admin-1 P-code (governorate).", required=False),
        Field("admin2_pcode", "string", "OCHA admin-2 P-code (district).", required=False),
        Field("admin3_pcode", "string", "OCHA admin-3 P-code (sub-district).", required=False),
        Field("latitude", "number", "Latitude (WGS84); empty when the reference data cannot place it.", unit="degrees", required=False, minimum=-90, maximum=90),
        Field("longitude", "number", "Longitude (WGS84); empty when the reference data cannot place it.", unit="degrees", required=False, minimum=-180, maximum=180),
        Field("geo_precision", "string", "subdistrict_seat: the place gives its name to an OCHA sub-district and is drawn at that sub-district's centroid; unplaced: no coordinate.", enum=vocab.GEO_PRECISIONS),
        Field("on_road", "string", "Highway the place lies on, where a document says so (M4, M5).", required=False),
    ),
)

OBSERVATIONS = Table(
    name="observations",
    title="Quantitative claims",
    description="Every quantitative claim in the documents: displacement, places and territory taken, deaths, strikes, posts, troops, shelter shares. Conflicting reports are separate rows.",
    primary_key=("claim_id",),
    fields=(
        Field("claim_id", "string", "Stable claim id: <doc_id>:<annotation id>."),
        *_PROVENANCE,
        Field("variable", "string", "What is measured (see analysis/data/vocab.py).", enum=vocab.VARIABLE_NAMES),
        Field("unit", "string", "Unit of value, fixed by variable."),
        Field("kind", "string", "stock: cumulative total since baseline_date as of date_end; flow: amount during [date_start, date_end]; level: a state as of date_end.", enum=vocab.OBSERVATION_KINDS),
        Field("value", "number", "The figure as stated (the midpoint for a range)."),
        Field("value_low", "number", "Lower end of a stated range.", required=False),
        Field("value_high", "number", "Upper end of a stated range.", required=False),
        Field("qualifier", "string", "Qualifier as written (over, nearly, about, as many as, exact, range...).", enum=tuple(vocab.QUALIFIERS)),
        Field("qualifier_class", "string", "How models read the qualifier: point, lower, below_close, symmetric, upper, range.", enum=tuple(sorted(set(vocab.QUALIFIERS.values())))),
        *_WHEN,
        Field("baseline_date", "date", "Where a stock counts from; empty when the document does not say.", required=False),
        Field("baseline_basis", "string", "stated: the quote gives the baseline; context: the surrounding text gives it (see date_note).", required=False, enum=("stated", "context")),
        Field("area", "string", "Where the claim applies."),
        Field("group", "string", "Who or what is counted (civilians, government forces, Turkish soldiers, tanks...).", required=False),
        Field("source", "string", "Who is cited (UN OCHA, SOHR, Turkish Ministry of Defence, SANA...)."),
        Field("side", "string", "The side the figure is about, where relevant.", required=False, enum=vocab.SIDES),
    ),
)

CONTROL_EVENTS = Table(
    name="control_events",
    title="Control events",
    description="One row per place whose control changed or was contested. A sentence naming several places gives several rows with the same quote.",
    primary_key=("event_id",),
    fields=(
        Field("event_id", "string", "<claim_id>.<n>: the n-th place of the claim."),
        Field("claim_id", "string", "The annotation the row comes from."),
        *_PROVENANCE,
        *_WHEN,
        Field("place_name", "string", "Place as written in the quote."),
        Field("place_id", "string", "Gazetteer key."),
        Field("event_type", "string", "captured, recaptured, entered, encircled, besieged, withdrew, repelled, attacked, contested, secured.", enum=vocab.EVENT_TYPES),
        Field("to_side", "string", "Who holds the place afterwards.", enum=vocab.CONTROL_SIDES),
        Field("actor", "string", "Unit or group named.", required=False),
        Field("claimed_by", "string", "Who the text attributes the report to; empty when unattributed.", required=False),
        Field("admin1_pcode", "string", "OCHA admin-1 P-code.", required=False),
        Field("admin2_pcode", "string", "OCHA admin-2 P-code.", required=False),
        Field("admin3_pcode", "string", "OCHA admin-3 P-code.", required=False),
        Field("latitude", "number", "Latitude from the gazetteer.", unit="degrees", required=False),
        Field("longitude", "number", "Longitude from the gazetteer.", unit="degrees", required=False),
        Field("geo_precision", "string", "From the gazetteer.", enum=vocab.GEO_PRECISIONS),
    ),
)

MILESTONES = Table(
    name="milestones",
    title="Milestones",
    description="Ceasefires, offensive phases, interventions, summits, patrols, deadlines and highway milestones.",
    primary_key=("milestone_id",),
    fields=(
        Field("milestone_id", "string", "Stable id: <doc_id>:<annotation id>."),
        *_PROVENANCE,
        *_WHEN,
        Field("milestone_type", "string", "Kind of milestone.", enum=vocab.MILESTONE_TYPES),
        Field("label", "string", "Short label for figures and scenario phases."),
        Field("actor", "string", "Who acts or announces.", required=False),
        Field("claimed_by", "string", "Who the text attributes the report to.", required=False),
    ),
)

DATASET_TABLES: tuple[Table, ...] = (DOCUMENTS, PLACES, OBSERVATIONS, CONTROL_EVENTS, MILESTONES)

# ---------------------------------------------------------------- model outputs

_QUANTILE_FIELDS = tuple(
    Field(f"q{q:02d}", "number", f"{q}% quantile of the predictive distribution.")
    for q in (5, 10, 25, 50, 75, 90, 95)
)

FORECAST_QUANTILES = Table(
    name="forecast_quantiles",
    title="Forecast quantiles",
    description="Daily quantiles of a forecast made with the information public by as_of (what `idlib forecast` prints).",
    stage="model",
    primary_key=("date", "model", "as_of"),
    fields=(
        Field("date", "date", "Day forecast."),
        Field("model", "string", "Model name."),
        Field("as_of", "date", "Information cut-off: only claims with info_date on or before it were used."),
        *_QUANTILE_FIELDS,
    ),
)

BACKTEST_SCORES = Table(
    name="backtest_scores",
    title="Backtest scores",
    description="Every model at every origin scored against each later report of the target quantity.",
    stage="model",
    primary_key=("as_of", "model", "target_id"),
    fields=(
        Field("as_of", "date", "Forecast origin: a date on which a new observation became public."),
        Field("model", "string", "Model name."),
        Field("horizon_days", "integer", "Horizon bucket the lead time counts toward (the smallest of 7, 14, 28, 56 at or above it).", unit="days"),
        Field("lead_days", "integer", "Days from the origin to the report's date.", unit="days", minimum=1),
        Field("date", "date", "Date the report refers to."),
        Field("target_id", "string", "claim_id of the report scored against."),
        Field("observed", "number", "The reported value."),
        *_QUANTILE_FIELDS,
        Field("crps", "number", "Continuous ranked probability score of the ensemble (scoringrules), in the quantity's unit; lower is better.", minimum=0),
        Field("pit", "number", "Probability integral transform: the predictive probability below the report.", minimum=0, maximum=1),
        Field("covered_50", "boolean", "The central 50% interval contains the report."),
        Field("covered_80", "boolean", "The central 80% interval contains the report."),
        Field("covered_90", "boolean", "The central 90% interval contains the report."),
        Field("ape", "number", "Absolute percentage error of the median, as a fraction.", minimum=0),
    ),
)

BACKTEST_SUMMARY = Table(
    name="backtest_summary",
    title="Backtest summary",
    description="Per model and horizon: cases, mean CRPS, interval coverage, median APE and CRPS skill on the cases both models scored.",
    stage="model",
    primary_key=("model", "horizon_days"),
    fields=(
        Field("model", "string", "Model name."),
        Field("horizon_days", "integer", "Horizon bucket.", unit="days"),
        Field("cases", "integer", "(origin, report) pairs scored.", minimum=0),
        Field("crps", "number", "Mean CRPS.", minimum=0),
        Field("coverage_50", "number", "Share of reports inside the 50% interval.", minimum=0, maximum=1),
        Field("coverage_80", "number", "Share of reports inside the 80% interval.", minimum=0, maximum=1),
        Field("coverage_90", "number", "Share of reports inside the 90% interval.", minimum=0, maximum=1),
        Field("median_ape", "number", "Median absolute percentage error of the median forecast.", minimum=0),
        Field("skill_vs_persistence", "number", "1 - CRPS / CRPS of persistence on shared cases.", required=False),
        Field("skill_vs_drift", "number", "1 - CRPS / CRPS of drift on shared cases.", required=False),
    ),
)

BACKTEST_SKIPPED = Table(
    name="backtest_skipped",
    title="Backtest gaps",
    description="Origins at which a model could not be fitted from the information then public, with the reason.",
    stage="model",
    primary_key=("as_of", "model"),
    fields=(
        Field("as_of", "date", "Forecast origin."),
        Field("model", "string", "Model name."),
        Field("reason", "string", "Why the data then public could not identify the model."),
    ),
)

# ------------------------------------------------------------------ scenarios

_SCENARIO_KEY = (
    Field("scenario", "string", "Scenario name (from its spec)."),
    Field("spec_hash", "string", "First 12 hex digits of the SHA-256 of the scenario's resolved spec."),
)

SCENARIO_QUANTILES = Table(
    name="scenario_quantiles",
    title="Scenario paths",
    description="Daily quantiles of each simulated variable of a scenario (what `idlib scenario run --quantiles` writes).",
    stage="scenario",
    primary_key=("scenario", "variable", "date"),
    fields=(
        *_SCENARIO_KEY,
        Field("variable", "string", "Simulated quantity.", enum=("displaced", "displaced_now", "net_places", "government_captures", "road_share_held")),
        Field("date", "date", "Day simulated."),
        *_QUANTILE_FIELDS,
    ),
)

SCENARIO_THRESHOLDS = Table(
    name="scenario_thresholds",
    title="Scenario threshold probabilities",
    description="Share of a scenario's paths past each threshold on its date, with the Monte Carlo standard error.",
    stage="scenario",
    primary_key=("scenario", "threshold"),
    fields=(
        *_SCENARIO_KEY,
        Field("threshold", "string", "Threshold label, from the spec."),
        Field("variable", "string", "Simulated quantity compared."),
        Field("by", "date", "Day the quantity is read."),
        Field("comparison", "string", "Strictly above (>) or at least (>=).", enum=(">", ">=")),
        Field("value", "number", "Threshold value."),
        Field("probability", "number", "Share of paths past the threshold.", minimum=0, maximum=1),
        Field("mc_se", "number", "Monte Carlo standard error of the probability.", minimum=0),
    ),
)

SCENARIO_SUMMARY = Table(
    name="scenario_summary",
    title="Scenario comparison",
    description="Per scenario: medians and 80% intervals at the horizon's last day.",
    stage="scenario",
    primary_key=("scenario",),
    fields=(
        *_SCENARIO_KEY,
        Field("as_of", "date", "Start and information cut-off of the starting state."),
        Field("end", "date", "Last day simulated."),
        Field("n_paths", "integer", "Monte Carlo paths.", minimum=1),
        *(
            Field(f"{v}_{q}", "number", f"{label} on the last day, {q} quantile.")
            for v, label in (("displaced", "Cumulative displaced since the baseline"), ("displaced_now", "Displaced and not returned"),
                             ("net_places", "Net places the government gained"))
            for q in ("q10", "q50", "q90")
        ),
    ),
)

SWEEP_PROBABILITIES = Table(
    name="sweep_probabilities",
    title="Sweep threshold probabilities",
    description="Threshold probabilities at every point of a parameter grid (what `idlib scenario sweep` prints).",
    stage="scenario",
    primary_key=("point", "threshold"),
    fields=(
        Field("point", "integer", "Grid point number, in the grid's product order.", minimum=0),
        Field("settings", "string", "The point's overrides, as key=value pairs."),
        *_SCENARIO_KEY,
        Field("threshold", "string", "Threshold label."),
        Field("by", "date", "Day the quantity is read."),
        Field("probability", "number", "Share of paths past the threshold.", minimum=0, maximum=1),
        Field("mc_se", "number", "Monte Carlo standard error.", minimum=0),
    ),
)

# ---------------------------------------------------------------- predictions

PREDICTIONS = Table(
    name="predictions",
    title="Forecast registry",
    description="Every forward-looking statement in the documents, with its verbatim quote, estimative words and window.",
    stage="predictions",
    primary_key=("prediction_id",),
    fields=(
        Field("prediction_id", "string", "doc_id:pNNN."),
        Field("doc_id", "string", "Document the statement is in."),
        Field("issued_date", "date", "Day the statement was made public (the model's information cut-off for it)."),
        Field("kind", "string", "What sort of statement.", enum=("forecast", "expectation", "warning", "risk", "threat", "deadline")),
        Field("quote", "string", "Verbatim text of the statement."),
        Field("char_start", "integer", "Start of the quote in the document text.", minimum=0),
        Field("char_end", "integer", "End of the quote in the document text.", minimum=0),
        Field("probability_phrase", "string", "The exact estimative words, as in the quote."),
        Field("claim", "string", "A precise restatement of the event the words put a probability on."),
        Field("window_start", "date", "First day of the window the statement speaks about."),
        Field("window_end", "date", "Last day of the window (deadline)."),
        Field("window_note", "string", "Why the window is what it is, where it is not issue date + horizon.", required=False),
        Field("rules", "string", "Resolution rules (readings), space-separated; empty when unresolvable.", required=False),
        Field("unresolvable_reason", "string", "Why no rule can read the statement, where none does.", required=False),
    ),
)

RESOLUTIONS = Table(
    name="resolutions",
    title="Resolutions",
    description="Each reading of each prediction resolved from the dataset, with the claim ids that decide it.",
    stage="predictions",
    primary_key=("prediction_id", "rule"),
    fields=(
        Field("prediction_id", "string", "Prediction resolved."),
        Field("rule", "string", "Resolution rule (empty when the prediction has none).", required=False),
        Field("question", "string", "The rule's question, or the prediction's claim."),
        Field("reading", "string", "The rule as variable, comparison and value.", required=False),
        Field("window_start", "date", "First day of the window."),
        Field("window_end", "date", "Last day of the window."),
        Field("resolution", "string", "Outcome.", enum=("yes", "no", "unresolvable")),
        Field("observed", "number", "Value of the rule's variable, where computed.", required=False),
        Field("evidence", "string", "Claim or milestone ids that decide the outcome, space-separated.", required=False),
        Field("reason", "string", "What decided it, or why it cannot be decided."),
    ),
)

PREDICTION_SCORES = Table(
    name="prediction_scores",
    title="Prediction scores",
    description="Analyst probability ranges on a published scale, Brier and log scores as ranges, and the model's probability on the issue date.",
    stage="predictions",
    primary_key=("prediction_id", "rule", "scale"),
    fields=(
        Field("prediction_id", "string", "Prediction scored."),
        Field("doc_id", "string", "Document."),
        Field("issued_date", "date", "Issue date."),
        Field("quote", "string", "Verbatim statement."),
        Field("probability_phrase", "string", "Estimative words."),
        Field("claim", "string", "Restated event."),
        Field("scale", "string", "Verbal probability scale.", enum=("kent", "icd203", "phia")),
        Field("term", "string", "Scale term (or mapped phrase) the words were read as."),
        Field("term_source", "string", "Whether the scale itself or the phrase map gave the range.", enum=("scale", "phrase map")),
        Field("p_low", "number", "Lower end of the probability range.", minimum=0, maximum=1),
        Field("p_high", "number", "Upper end of the probability range.", minimum=0, maximum=1),
        Field("rule", "string", "Reading (resolution rule).", required=False),
        Field("reading", "string", "The rule as variable, comparison and value.", required=False),
        Field("resolution", "string", "Outcome.", enum=("yes", "no", "unresolvable")),
        Field("evidence", "string", "Deciding ids.", required=False),
        Field("brier_low", "number", "Best Brier score over the range.", minimum=0, maximum=1, required=False),
        Field("brier_high", "number", "Worst Brier score over the range.", minimum=0, maximum=1, required=False),
        Field("brier_mid", "number", "Brier score at the range's midpoint.", minimum=0, maximum=1, required=False),
        Field("log_low", "number", "Best log score over the range (natural log, lower is better).", minimum=0, required=False),
        Field("log_high", "number", "Worst log score over the range.", minimum=0, required=False),
        Field("log_mid", "number", "Log score at the midpoint.", minimum=0, required=False),
        Field("recal_p_low", "number", "Recalibrated lower end (linear in log odds).", minimum=0, maximum=1),
        Field("recal_p_high", "number", "Recalibrated upper end.", minimum=0, maximum=1),
        Field("recal_brier_low", "number", "Best Brier score of the recalibrated range.", minimum=0, maximum=1, required=False),
        Field("recal_brier_high", "number", "Worst Brier score of the recalibrated range.", minimum=0, maximum=1, required=False),
        Field("model_p", "number", "The model's probability of the event with the claims public on the issue date.", minimum=0, maximum=1, required=False),
        Field("model_brier", "number", "Brier score of the model's probability.", minimum=0, maximum=1, required=False),
        Field("model_note", "string", "Which model answered and from how many claims, or why none could."),
    ),
)
