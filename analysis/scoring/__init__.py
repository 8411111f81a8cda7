"""Scoring analysts' predictions: the registry, resolution against the dataset, scores.

Modules: :mod:`.registry` (predictions and rules from the seeds), :mod:`.resolution` (verdicts with
evidence), :mod:`.analyst` (Brier and log score ranges, calibration), :mod:`.wep` (verbal
probability scales), :mod:`.stage` (what the dataset publishes, and the scoring stage
``idlib score --publish``). The public names of all but :mod:`.wep` are re-exported here.
"""

from .analyst import (
    DEFAULT_GAMMA,
    MODEL_HORIZON_DAYS,
    brier_range,
    calibration,
    log_range,
    model_probability,
    plain_verdict,
    recalibrate,
    score,
    summary,
)
from .registry import (
    KINDS,
    OPS,
    PLAIN_VARIABLES,
    PREFIXED,
    Rule,
    check_rules,
    load_registry,
    load_rules,
    predictions_dir,
    select,
)
from .resolution import (
    Resolution,
    evidence_table,
    place_count_readings,
    record,
    resolutions,
    resolve,
    verdicts,
    window_table,
)
from .stage import publish_scores, published_tables, registry_tables, score_tables
