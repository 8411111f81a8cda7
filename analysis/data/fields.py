"""Every field of the published tables, declared once; tables list field names.

A column with the same name means the same thing, with the same type, bounds and
description, in every table it appears in (the PUDL ``metadata/fields.py`` pattern).
The few names whose meaning depends on the table (``kind`` of a document, of an
observation, of a prediction; ``variable``, ``value``, ``observed``, ``crps``,
``reason``) are declared once per table in :data:`BY_TABLE`; a name may not be in both.
"""

from __future__ import annotations

from . import vocab
from .schema import Field

QUANTILE_PERCENTS = (5, 10, 25, 50, 75, 90, 95)
SUMMARY_VARIABLES = (("displaced", "Cumulative displaced since the baseline"), ("displaced_now", "Displaced and not returned"),
                     ("net_places", "Net places the government gained"))

_FIELDS = (
    Field("doc_id", "string", "Catalog id of the source document."),
    Field("file_name", "string", "File name under seeds/documents."),
    Field("original_name", "string", "File name as delivered.", required=False),
    Field("title", "string", "Document title."),
    Field("publisher", "string", "Publisher or organisation."),
    Field("published_date", "date", "Publication date, where known.", required=False),
    Field("published_date_basis", "string", "How the publication date is known."),
    Field("coverage_start", "date", "First day of the period the document covers."),
    Field("coverage_end", "date", "Last day of the period the document covers."),
    Field("info_date_rule", "string", "publication: claims are public on published_date; cited_report: each claim carries the date of the report it cites.", enum=vocab.INFO_DATE_RULES),
    Field("sha256", "string", "SHA-256 of the file."),
    Field("licence", "string", "Licence or terms of the text.", required=False),
    Field("place_id", "string", "Gazetteer key."),
    Field("name", "string", "Preferred name."),
    Field("aliases", "string", "Other spellings found in the documents, separated by ' | '.", required=False),
    Field("feature", "string", "settlement, military_base, hill, district, road_section, facility or area."),
    Field("admin1_pcode", "string", "OCHA admin-1 P-code (governorate).", required=False),
    Field("admin2_pcode", "string", "OCHA admin-2 P-code (district).", required=False),
    Field("admin3_pcode", "string", "OCHA admin-3 P-code (sub-district).", required=False),
    Field("latitude", "number", "Latitude (WGS84); empty when the reference data cannot place it.", unit="degrees", required=False, minimum=-90, maximum=90),
    Field("longitude", "number", "Longitude (WGS84); empty when the reference data cannot place it.", unit="degrees", required=False, minimum=-180, maximum=180),
    Field("subdistrict_population", "integer", "Population of the OCHA sub-district the place gives its name to (OpenSyria, 2004 census); empty when unplaced.", unit="people", required=False, minimum=0),
    Field("on_road", "string", "Highway the place lies on, where a document says so (M4, M5).", required=False),
    Field("claim_id", "string", "Stable claim id: <doc_id>:<annotation id>."),
    Field("quote", "string", "Verbatim text of the document at [char_start, char_end)."),
    Field("char_start", "integer", "Offset of the quote's first character in the document (0-based, Unicode code points).", minimum=0),
    Field("char_end", "integer", "Offset one past the quote's last character.", minimum=1),
    Field("unit", "string", "Unit of value, fixed by variable."),
    Field("value_low", "number", "Lower end of a stated range.", required=False),
    Field("value_high", "number", "Upper end of a stated range.", required=False),
    Field("qualifier", "string", "Qualifier as written (over, nearly, about, as many as, exact, range...).", enum=("exact", "over", "more than", "at least", "nearly", "almost", "about", "around", "some", "approximately", "estimated", "as many as", "up to", "less than", "range")),
    Field("qualifier_class", "string", "How models read the qualifier: point, lower, below_close, symmetric, upper, range.", enum=("below_close", "lower", "point", "range", "symmetric", "upper")),
    Field("date_start", "date", "First day the claim refers to."),
    Field("date_end", "date", "Last day the claim refers to (equal to date_start for a single day)."),
    Field("date_precision", "string", "Width of [date_start, date_end]: day, few_days (2-6), week (7-13), month (14-31), longer.", enum=vocab.DATE_PRECISIONS),
    Field("time_precision", "integer", "ACLED-style code of date_precision: 1 day; 2 few_days or week; 3 month or longer (rule in analysis/data/interop/codes.py).", minimum=1, maximum=3),
    Field("date_prec", "integer", "UCDP GED-style code of date_precision: 1 day, 2 few_days, 3 week, 4 month, 5 longer.", minimum=1, maximum=5),
    Field("date_note", "string", "How a relative or vague date was resolved, as the annotator wrote it.", required=False),
    Field("info_date", "date", "Date the information became public; every as-of filter uses this (see README, 'info_date')."),
    Field("baseline_date", "date", "Where a stock counts from; empty when the document does not say.", required=False),
    Field("baseline_basis", "string", "stated: the quote gives the baseline; context: the surrounding text gives it (see date_note).", required=False, enum=("stated", "context")),
    Field("area", "string", "Where the claim applies."),
    Field("group", "string", "Who or what is counted (civilians, government forces, Turkish soldiers, tanks...).", required=False),
    Field("source", "string", "Who is cited (UN OCHA, SOHR, Turkish Ministry of Defence, SANA...)."),
    Field("side", "string", "The side the figure is about, where relevant.", required=False, enum=vocab.SIDES),
    Field("event_id", "string", "<claim_id>.<n>: the n-th place of the claim."),
    Field("place_name", "string", "Place as written in the quote."),
    Field("to_side", "string", "Who holds the place afterwards.", enum=vocab.CONTROL_SIDES),
    Field("claimed_by", "string", "Who the text attributes the report to; empty when unattributed.", required=False),
    Field("milestone_id", "string", "Stable id: <doc_id>:<annotation id>."),
    Field("milestone_type", "string", "Kind of milestone.", enum=vocab.MILESTONE_TYPES),
    Field("label", "string", "Short label for figures and scenario phases."),
    Field("model", "string", "Model name."),
    Field("note", "string", "What a fit recorded: a fit that did not converge (the forecast uses its last iterate), or an estimator's warning with how often it occurred."),
    Field("as_of", "date", "Information cut-off (the forecast origin): only claims with info_date on or before it were used."),
    Field("horizon_days", "integer", "Horizon bucket the lead time counts toward (the smallest of 7, 14, 28, 56 at or above it).", unit="days"),
    Field("lead_days", "integer", "Days from the origin to the report's date.", unit="days", minimum=1),
    Field("target_id", "string", "claim_id of the report scored against."),
    Field("pit", "number", "Probability integral transform: the predictive probability below the report.", minimum=0, maximum=1),
    Field("covered_50", "boolean", "The central 50% interval contains the report."),
    Field("covered_80", "boolean", "The central 80% interval contains the report."),
    Field("covered_90", "boolean", "The central 90% interval contains the report."),
    Field("ape", "number", "Absolute percentage error of the median, as a fraction.", minimum=0),
    Field("cases", "integer", "(origin, report) pairs scored.", minimum=0),
    Field("coverage_50", "number", "Share of reports inside the 50% interval.", minimum=0, maximum=1),
    Field("coverage_80", "number", "Share of reports inside the 80% interval.", minimum=0, maximum=1),
    Field("coverage_90", "number", "Share of reports inside the 90% interval.", minimum=0, maximum=1),
    Field("median_ape", "number", "Median absolute percentage error of the median forecast.", minimum=0),
    Field("skill_vs_persistence", "number", "1 - CRPS / CRPS of persistence on shared cases.", required=False),
    Field("skill_vs_drift", "number", "1 - CRPS / CRPS of drift on shared cases.", required=False),
    Field("scenario", "string", "Scenario name (from its spec)."),
    Field("spec_hash", "string", "First 12 hex digits of the SHA-256 of the scenario's resolved spec."),
    Field("threshold", "string", "Threshold label, from the spec."),
    Field("by", "date", "Day the quantity is read."),
    Field("comparison", "string", "Strictly above (>) or at least (>=).", enum=(">", ">=")),
    Field("probability", "number", "Share of paths past the threshold.", minimum=0, maximum=1),
    Field("mc_se", "number", "Monte Carlo standard error of the probability.", minimum=0),
    Field("end", "date", "Last day simulated."),
    Field("n_paths", "integer", "Monte Carlo paths.", minimum=1),
    Field("point", "integer", "Grid point number, in the grid's product order.", minimum=0),
    Field("prediction_id", "string", "Prediction id: <doc_id>:pNNN."),
    Field("issued_date", "date", "Day the statement was made public (the model's information cut-off for it)."),
    Field("probability_phrase", "string", "The exact estimative words, as in the quote."),
    Field("claim", "string", "A precise restatement of the event the words put a probability on."),
    Field("window_start", "date", "First day of the window the statement speaks about."),
    Field("window_end", "date", "Last day of the window (deadline)."),
    Field("window_note", "string", "Why the window is what it is: the statement's own horizon or deadline from its issue date, or the annotator's reason for another window."),
    Field("rules", "string", "Resolution rules (readings), space-separated; empty when unresolvable.", required=False),
    Field("unresolvable_reason", "string", "Why no rule can read the statement, where none does.", required=False),
    Field("rule", "string", "Resolution rule: one reading of the prediction (empty when the prediction has none).", required=False),
    Field("question", "string", "The rule's question, or the prediction's claim."),
    Field("reading", "string", "The rule as variable, comparison and value.", required=False),
    Field("resolution", "string", "Outcome.", enum=("yes", "no", "unresolvable")),
    Field("evidence", "string", "Claim or milestone ids that decide the outcome, space-separated.", required=False),
    Field("quantity", "string", "What a reading that counts places counts: estimated (places in the world, from the named ones and the completeness model) or named (the documents' lower bound); empty for other readings.", required=False, enum=("estimated", "named")),
    Field("p_yes", "number", "Probability that the reading's event happened: under the estimate of places in the world for an estimated count, 1 or 0 where the record settles it outright; empty when unresolvable.", required=False, minimum=0, maximum=1),
    Field("named_count", "number", "For a reading that counts places: the named places in the window (the documents' lower bound).", required=False),
    Field("scale", "string", "Verbal probability scale.", enum=("kent", "icd203", "phia")),
    Field("term", "string", "Scale term (or mapped phrase) the words were read as."),
    Field("term_source", "string", "Whether the scale itself or the phrase map gave the range.", enum=("scale", "phrase map")),
    Field("p_low", "number", "Lower end of the probability range.", minimum=0, maximum=1),
    Field("p_high", "number", "Upper end of the probability range.", minimum=0, maximum=1),
    Field("brier_low", "number", "Best Brier score over the range.", required=False, minimum=0, maximum=1),
    Field("brier_high", "number", "Worst Brier score over the range.", required=False, minimum=0, maximum=1),
    Field("brier_mid", "number", "Brier score at the range's midpoint.", required=False, minimum=0, maximum=1),
    Field("log_low", "number", "Best log score over the range (natural log, lower is better).", required=False, minimum=0),
    Field("log_high", "number", "Worst log score over the range.", required=False, minimum=0),
    Field("log_mid", "number", "Log score at the midpoint.", required=False, minimum=0),
    Field("recal_p_low", "number", "Recalibrated lower end (linear in log odds).", minimum=0, maximum=1),
    Field("recal_p_high", "number", "Recalibrated upper end.", minimum=0, maximum=1),
    Field("recal_brier_low", "number", "Best Brier score of the recalibrated range.", required=False, minimum=0, maximum=1),
    Field("recal_brier_high", "number", "Worst Brier score of the recalibrated range.", required=False, minimum=0, maximum=1),
    Field("model_p", "number", "The model's probability of the event with the claims public on the issue date.", required=False, minimum=0, maximum=1),
    Field("model_brier", "number", "Brier score of the model's probability.", required=False, minimum=0, maximum=1),
    Field("model_note", "string", "Which model answered and from how many claims, or why none could."),
    Field("actor", "string", "Unit, group or person named as acting or announcing.", required=False),
    # ACLED's export layout (events_acled; ACLED codebook names and codes)
    Field("event_id_cnty", "string", "ACLED-style event id: the control event's event_id or the observation's claim_id."),
    Field("event_date", "date", "ACLED event_date: the last day the claim refers to (date_end); time_precision says how wide the interval is."),
    Field("year", "integer", "Year of event_date."),
    Field("sub_event_type", "string", "ACLED sub-event type: Government regains territory, Non-state actor overtakes territory or Armed clash for control events; empty for fatality counts.", required=False),
    Field("actor1", "string", "ACLED actor1: the actor the control event names; empty for fatality counts (the group counted is in observations.group).", required=False),
    Field("actor2", "string", "ACLED actor2: not coded by the package (empty).", required=False),
    Field("admin1", "string", "Governorate name (OpenSyria English name of admin1_pcode).", required=False),
    Field("admin2", "string", "District name (OpenSyria English name of admin2_pcode).", required=False),
    Field("admin3", "string", "Sub-district name (OpenSyria English name of admin3_pcode).", required=False),
    Field("location", "string", "ACLED location: the place as written (control events) or the area (observations)."),
    Field("notes", "string", "ACLED notes: the claim's verbatim quote."),
    Field("fatalities", "integer", "ACLED fatalities: the killed figure of an observation as stated (a range's midpoint, rounded; the qualifier is in observations); 0 for a control event (none reported with it).", unit="people", minimum=0),
    Field("iso", "integer", "ISO 3166-1 numeric country code (ACLED iso).", required=False),
    Field("timestamp", "integer", "ACLED timestamp: info_date as Unix time (00:00 UTC of the day the information became public).", minimum=0),
    Field("target", "string", "The quantity forecast and its unit (statsforecast's unique_id), e.g. places_taken_by_government_estimated."),
    Field("date", "date", "Day the row is about: the day forecast, simulated, or the day a scored report refers to."),
    *(Field(f"q{q:02d}", "number", f"{q}% quantile of the predictive distribution.") for q in QUANTILE_PERCENTS),
    *(
        Field(f"{v}_{q}", "number", f"{label} on the last day, {q} quantile.")
        for v, label in SUMMARY_VARIABLES
        for q in ("q10", "q50", "q90")
    ),
)

BY_TABLE: dict[tuple[str, str], Field] = {
    ("control_events", "event_type"): Field("event_type", "string", "captured, recaptured, entered, encircled, besieged, withdrew, repelled, attacked, contested, secured.", enum=vocab.EVENT_TYPES),
    ("events_acled", "event_type"): Field("event_type", "string", "ACLED event type: Battles for control events; empty for fatality counts (the package does not code the kind of violence).", required=False),
    ("places", "geo_precision"): Field("geo_precision", "string", "subdistrict_seat: the place gives its name to an OCHA sub-district and is drawn at that sub-district's centroid; unplaced: no coordinate.", enum=vocab.GEO_PRECISIONS),
    ("control_events", "geo_precision"): Field("geo_precision", "string", "subdistrict_seat: the place gives its name to an OCHA sub-district and is drawn at that sub-district's centroid; unplaced: no coordinate.", enum=vocab.GEO_PRECISIONS),
    ("events_acled", "geo_precision"): Field("geo_precision", "integer", "ACLED geo_precision code of the place's geo_precision (rule in analysis/data/interop/codes.py); empty when unplaced.", required=False, minimum=1, maximum=3),
    ("documents", "kind"): Field("kind", "string", "analyst_forecast, news, encyclopedia or event_dataset (an ACLED-style export imported with idlib import acled).", enum=vocab.DOCUMENT_KINDS),
    ("observations", "kind"): Field("kind", "string", "stock: cumulative total since baseline_date as of date_end; flow: amount during [date_start, date_end]; level: a state as of date_end.", enum=vocab.OBSERVATION_KINDS),
    ("predictions", "kind"): Field("kind", "string", "What sort of statement.", enum=("forecast", "expectation", "warning", "risk", "threat", "deadline")),
    ("observations", "variable"): Field("variable", "string", "What is measured (see analysis/data/vocab.py).", enum=vocab.VARIABLE_NAMES),
    ("scenario_quantiles", "variable"): Field("variable", "string", "Simulated quantity.", enum=("displaced", "displaced_now", "net_places", "government_captures", "road_share_held",
                                                                                                      "net_places_named", "government_captures_named")),
    ("scenario_thresholds", "variable"): Field("variable", "string", "Simulated quantity compared."),
    ("observations", "value"): Field("value", "number", "The figure as stated (the midpoint for a range)."),
    ("scenario_thresholds", "value"): Field("value", "number", "Threshold value."),
    ("backtest_scores", "observed"): Field("observed", "number", "The reported value."),
    ("resolutions", "observed"): Field("observed", "number", "Value of the rule's variable, where computed.", required=False),
    ("backtest_scores", "crps"): Field("crps", "number", "Continuous ranked probability score of the ensemble (scoringrules), in the quantity's unit; lower is better.", minimum=0),
    ("backtest_summary", "crps"): Field("crps", "number", "Mean CRPS.", minimum=0),
    ("backtest_skipped", "reason"): Field("reason", "string", "Why the data then public could not identify the model."),
    ("resolutions", "reason"): Field("reason", "string", "What decided it, or why it cannot be decided."),
}


def _index(fields: tuple[Field, ...]) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in fields:
        if f.name in out:
            raise ValueError(f"field {f.name!r} is declared twice")
        out[f.name] = f
    both = {name for _, name in BY_TABLE} & set(out)
    if both:
        raise ValueError(f"fields {sorted(both)} are declared both once and per table")
    return out


FIELDS: dict[str, Field] = _index(_FIELDS)


def field(name: str, table: str) -> Field:
    """The declaration of column ``name`` in ``table``."""
    if (table, name) in BY_TABLE:
        return BY_TABLE[(table, name)]
    try:
        return FIELDS[name]
    except KeyError:
        raise KeyError(f"table {table}: no field {name!r} is declared in analysis.data.fields") from None


def fields(table: str, names: tuple[str, ...]) -> tuple[Field, ...]:
    """The declarations of ``names`` in ``table``, in order."""
    return tuple(field(n, table) for n in names)
