"""Analyst predictions: registry, WEP scales, resolution with evidence, scores, the model column, bad input."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import scoring as P
from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import InputError, ParameterError
from analysis.data.catalog import load_catalog
from analysis.scoring.wep import load_scales

ASSYNT = "assynt_2020-01-08"
HAARETZ = "haaretz_reuters_2018-08-29"


@pytest.fixture(scope="module")
def registry(dataset):
    return P.load_registry(dataset)


@pytest.fixture(scope="module")
def resolved(dataset, registry):
    reg, rules = registry
    return P.resolutions(reg, rules, dataset).set_index(["prediction_id", "rule"])


@pytest.fixture(scope="module")
def assynt_scores(dataset, registry):
    reg, rules = registry
    mine = P.select(reg, ASSYNT)
    return P.score(mine, P.resolutions(mine, rules, dataset), dataset, "icd203", load_scales(), rules).set_index(["prediction_id", "rule"])


def test_every_quote_is_verbatim_at_its_span_and_holds_its_phrase(registry):
    reg, _ = registry
    docs = load_catalog(paths.catalog_file(), paths.documents_dir()).documents
    assert set(reg["doc_id"]) == set(docs)  # every document's forward-looking lines are registered
    for r in reg.itertuples():
        assert docs[r.doc_id].text[r.char_start:r.char_end] == r.quote
        assert r.probability_phrase.lower() in r.quote.lower()


@pytest.mark.parametrize(
    ("scale", "term", "low", "high"),
    [
        ("kent", "almost certain", 0.87, 0.99), ("kent", "probable", 0.63, 0.87), ("kent", "chances about even", 0.40, 0.60),
        ("kent", "probably not", 0.20, 0.40), ("kent", "almost certainly not", 0.02, 0.12),
        ("icd203", "almost no chance", 0.01, 0.05), ("icd203", "very unlikely", 0.05, 0.20), ("icd203", "unlikely", 0.20, 0.45),
        ("icd203", "roughly even chance", 0.45, 0.55), ("icd203", "likely", 0.55, 0.80), ("icd203", "very likely", 0.80, 0.95),
        ("icd203", "almost certain", 0.95, 0.99),
        ("phia", "remote chance", 0.0, 0.05), ("phia", "highly unlikely", 0.10, 0.20), ("phia", "unlikely", 0.25, 0.35),
        ("phia", "realistic possibility", 0.40, 0.50), ("phia", "likely", 0.55, 0.75), ("phia", "highly likely", 0.80, 0.90),
        ("phia", "almost certain", 0.95, 1.0),
    ],
)
def test_scales_carry_the_published_ranges(scale, term, low, high):
    t = load_scales().lookup(term, scale)
    assert (t.term, t.source) == (term, "scale")
    assert t.low == pytest.approx(low) and t.high == pytest.approx(high)


def test_synonyms_and_the_phrase_map_and_their_errors(tmp_path):
    s = load_scales()
    assert s.lookup("unlikely", "kent").term == "probably not"  # Kent's own synonym
    assert s.lookup("Unlikely", "icd203").high == pytest.approx(0.45)
    assert s.lookup("will", "phia").source == "phrase map"
    with pytest.raises(ParameterError, match="unknown scale") as err:
        s.lookup("likely", "nato")
    assert err.value.parameter == "wep_scale"
    with pytest.raises(ParameterError, match="no mapping for the phrase 'perhaps'") as err:
        s.lookup("perhaps", "icd203")
    assert err.value.parameter == "probability_phrase"
    mine = tmp_path / "phrases.yaml"
    mine.write_text(yaml.safe_dump({"phrases": {"will": {"low": 60, "high": 70, "why": "mine"}}}))
    t = load_scales(mine).lookup("will", "icd203")
    assert (t.low, t.high, t.why) == (pytest.approx(0.6), pytest.approx(0.7), "mine")
    extended = load_scales(mine)  # the user's map extends the built-in one
    assert extended.lookup("risks", "icd203") == s.lookup("risks", "icd203")
    assert set(extended.phrases) == set(s.phrases) and extended.phrase_source == f"wep.yaml + {mine}"
    mine.write_text(yaml.safe_dump({"phrases": {"perhaps": {"low": 20, "high": 60, "why": "new"}}}))
    assert load_scales(mine).lookup("perhaps", "icd203").why == "new"
    mine.write_text(yaml.safe_dump({"phrases": {"perhaps": {"low": "some", "high": 60}}}))
    with pytest.raises(InputError, match="phrases.perhaps: expected numbers in percent"):
        load_scales(mine)


def test_brier_and_log_ranges():
    assert P.brier_range(0.2, 0.45, 1) == pytest.approx((0.3025, 0.64, (1 - 0.325) ** 2))
    assert P.brier_range(0.2, 0.45, 0) == pytest.approx((0.04, 0.2025, 0.325**2))
    lo, hi, mid = P.log_range(0.2, 0.45, 1)
    assert lo == pytest.approx(-np.log(0.45)) and hi == pytest.approx(-np.log(0.2)) and lo < mid < hi
    assert P.recalibrate(0.5, 2.0) == pytest.approx(0.5) and P.recalibrate(0.8, 2.0) > 0.8 and P.recalibrate(0.2, 2.0) < 0.2


def test_the_assynt_readings_resolve_with_their_evidence(resolved):
    r = resolved.loc[(f"{ASSYNT}:p002", "saraqib_falls")]
    assert r["resolution"] == "yes" and "encyclopedia_offensive_2019-2020:c032" in r["evidence"].split()
    r = resolved.loc[(f"{ASSYNT}:p002", "displaced_500k")]
    assert r["resolution"] == "yes" and r["evidence"] == "encyclopedia_offensive_2019-2020:o162"
    # "At least 100 places within 60 days" resolves on the estimate of places in the world, with its probability;
    # the named count (under 100) stays beside it as the lower bound.
    r = resolved.loc[(f"{ASSYNT}:p002", "captures_100")]
    assert r["quantity"] == "estimated" and r["named_count"] < 100 <= r["observed"]
    assert r["resolution"] == "yes" and r["p_yes"] > 0.9 and f"{r['named_count']:g} named" in r["reason"]
    assert "with probability" in r["reason"] and len(r["evidence"].split()) >= 20
    assert any(i.startswith("encyclopedia_offensive_2019-2020:o") for i in r["evidence"].split())  # the aggregate claims behind the estimate
    verdicts = P.verdicts(resolved.reset_index()).set_index("prediction_id")["verdict"]
    assert verdicts[f"{ASSYNT}:p002"] == "yes"  # broad by all three readings once places are counted in the world
    assert verdicts[f"{ASSYNT}:p005"] == "unresolvable"  # Dair al-Zour: kept, with the reason


def test_a_rule_can_ask_for_the_named_count(dataset):
    """``government_captures_named`` resolves on the named places alone, as before the estimate (91 named: no)."""
    from analysis.scoring.resolution import record, resolve

    rules = {name: P.Rule(name, "q", variable, ">=", 100) for name, variable in
             (("named", "government_captures_named"), ("estimated", "government_captures"))}
    w0, w1 = pd.Timestamp("2020-01-09"), pd.Timestamp("2020-03-08")
    rec = record(dataset)
    named, est = resolve(rules["named"], w0, w1, rec), resolve(rules["estimated"], w0, w1, rec)
    assert named.quantity == "named" and named.outcome == "no" and named.observed == named.named < 100
    assert est.quantity == "estimated" and est.named == named.named and est.observed > named.observed
    # The estimate's probability is that of its draws: a threshold at the named count is certain, one far above is not.
    at_named = resolve(P.Rule("x", "q", "government_captures", ">=", named.named), w0, w1, rec)
    far = resolve(P.Rule("x", "q", "government_captures", ">=", 10 * named.named), w0, w1, rec)
    assert at_named.p_yes == 1.0 and far.p_yes < 0.05 and far.outcome == "no"


def test_the_2018_article_is_read_honestly(resolved):
    r = resolved.loc[(f"{HAARETZ}:p001", "offensive_starts")]
    assert r["resolution"] == "no" and "Sochi" in r["reason"]  # averted by the September 2018 agreement
    r = resolved.loc[(f"{HAARETZ}:p001", "jisr_falls")]
    assert r["resolution"] == "unresolvable" and "only from" in r["reason"]  # no control events in 2018
    assert resolved.loc[(f"{HAARETZ}:p002", "idlib_city_spared"), "resolution"] == "yes"
    assert resolved.loc[(f"{HAARETZ}:p004", "displaced_700k"), "resolution"] == "yes"
    verdicts = P.verdicts(resolved.reset_index()).set_index("prediction_id")["verdict"]
    assert verdicts[f"{HAARETZ}:p003"] == "partly"  # Ma'arrat fell, Jisr al-Shughur did not


def test_the_model_column_is_filled_for_what_the_models_forecast(assynt_scores):
    for rule in ("displaced_500k", "captures_100"):
        row = assynt_scores.loc[(f"{ASSYNT}:p002", rule)]
        assert 0 <= row["model_p"] <= 1 and "as of 2020-01-08" in row["model_note"]
        assert row["model_brier"] == pytest.approx((row["model_p"] - (row["resolution"] == "yes")) ** 2)
    row = assynt_scores.loc[(f"{ASSYNT}:p002", "saraqib_falls")]
    assert np.isnan(row["model_p"]) and "no model" in row["model_note"]


def test_the_model_column_uses_no_hindsight(dataset, registry):
    reg, rules = registry
    issued = pd.Timestamp("2020-01-08")
    base = P.model_probability(dataset, rules["displaced_500k"], issued, issued + pd.Timedelta(days=1), issued + pd.Timedelta(days=60))
    obs = dataset.observations
    later = obs["info_date"] > issued
    changed = dataclasses.replace(dataset, observations=obs.assign(value=np.where(later, obs["value"] * 5, obs["value"])))
    again = P.model_probability(changed, rules["displaced_500k"], issued, issued + pd.Timedelta(days=1), issued + pd.Timedelta(days=60))
    assert base == again


def _write_rule(seeds, name, body):
    path = seeds / "predictions" / "rules.yaml"
    data = yaml.safe_load(path.read_text())
    data["rules"][name] = body
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_rule_on_a_missing_variable_names_it(seeds_copy, dataset):
    _write_rule(seeds_copy, "bad", {"question": "q", "variable": "refugees_in_turkey", ">": 1})
    with pytest.raises(InputError, match="unknown variable 'refugees_in_turkey'") as err:
        P.load_rules(dataset, seeds_copy)
    assert "rules.yaml" in str(err.value) and "bad.variable" in str(err.value)
    _write_rule(seeds_copy, "bad", {"question": "q", "variable": "captured:atlantis", ">": 1})
    with pytest.raises(InputError, match="unknown place 'atlantis'"):
        P.load_rules(dataset, seeds_copy)


def test_a_misquoted_prediction_names_the_file_and_field(seeds_copy, dataset):
    path = seeds_copy / "predictions" / f"{ASSYNT}.yaml"
    path.write_text(path.read_text().replace("such a move is unlikely", "such a move is improbable"))
    with pytest.raises(InputError, match="quote not found") as err:
        P.load_registry(dataset, seeds_copy)
    assert f"{ASSYNT}.yaml" in str(err.value) and "quote" in str(err.value)


def test_unknown_document_and_rule_name_the_parameter(registry):
    reg, rules = registry
    with pytest.raises(ParameterError) as err:
        P.select(reg, "nyt_2020-02-01")
    assert err.value.parameter == "doc_id"
    with pytest.raises(ParameterError) as err:
        P.check_rules(["broad_offensive"], rules)
    assert err.value.parameter == "resolution_rules"


def test_cli_score_prints_the_promised_columns(capsys, published_dataset):
    assert main(["score", "--doc", ASSYNT, "--scale", "kent", "--rule", "displaced_500k", "--dataset", str(published_dataset)]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    need = ["prediction_id", "doc_id", "quote", "probability_phrase", "p_low", "p_high", "resolution", "brier_low", "brier_high"]
    assert set(need) <= set(out.columns) and set(out["scale"]) == {"kent"}
    assert list(out["rule"]) == ["displaced_500k"] and out["model_p"].notna().all()
    assert main(["score", "--scale", "nato", "--dataset", str(published_dataset)]) == 2
    assert "wep_scale" in capsys.readouterr().err


def test_the_dataset_publishes_the_registry_and_the_score_stage_the_scores(published_dataset, tmp_path, capsys):
    """`idlib dataset` fits no model: resolutions and scores are `idlib score --publish`'s, in their own folder."""
    names = {r["name"] for r in json.loads((published_dataset / "datapackage.json").read_text())["resources"]}
    assert "predictions" in names and not {"resolutions", "prediction_scores"} & names
    assert not (published_dataset / "prediction_scores.csv").exists()
    out = tmp_path / "scores"
    assert main(["score", "--publish", "--dataset", str(published_dataset), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["prediction_scores.csv", "resolutions.csv"]
    scores = pd.read_csv(out / "prediction_scores.csv")
    assert set(scores["scale"]) == {"kent", "icd203", "phia"}
    registry = pd.read_csv(published_dataset / "predictions.csv")
    assert set(scores["prediction_id"]) <= set(registry["prediction_id"])
    assert main(["score", "--publish", "--doc", ASSYNT, "--dataset", str(published_dataset), "--out", str(out)]) == 2
    assert "parameter 'doc'" in capsys.readouterr().err


def test_every_reading_states_its_window_and_why(resolved, dataset):
    """Issue 15 item 7: the 2018 article's 'imminent' is judged on its own 2018 horizon; its UN warning on the offensive that came."""
    assert (resolved["window_note"].str.len() > 0).all()
    imminent = resolved.loc[(f"{HAARETZ}:p001", "offensive_starts")]
    assert imminent["window_end"].year == 2018 and "own horizon" in imminent["window_note"] and "2018-08-29" in imminent["window_note"]
    warning = resolved.loc[(f"{HAARETZ}:p004", "displaced_700k")]
    assert warning["window_start"].year == 2019 and "2019-20 offensive" in warning["window_note"]
    table = P.window_table(resolved.reset_index())
    assert list(table.columns) == ["prediction_id", "rule", "window_start", "window_end", "why this window"] and len(table) == len(resolved)


def test_a_window_other_than_the_statements_own_needs_its_reason(seeds_copy, dataset):
    path = seeds_copy / "predictions" / "haaretz_reuters_2018-08-29.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["predictions"][1].pop("window_note")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="window_note") as err:
        P.load_registry(dataset, seeds_copy)
    assert "p002" in str(err.value)


def test_both_readings_of_every_place_count_rule_side_by_side(resolved, dataset):
    _, rules = P.load_registry(dataset)
    both = P.place_count_readings(resolved.reset_index(), rules)
    counted = resolved[resolved["quantity"] == "estimated"]
    assert len(both) == len(counted) > 0
    row = both[(both["prediction"] == "p002") & (both["rule"] == "captures_100")].iloc[0]
    assert row["in the world"].startswith("yes") and row["on the named places"] == "no" and int(row["named"]) < 100
