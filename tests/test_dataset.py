"""The sourced event dataset: provenance, schema, aliases, hand-checked rows, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.data.dataset import build, load, publish
from analysis.data.gazetteer import load_gazetteer
from analysis.data.interop.export import HXL_TABLES
from analysis.data.parsing import numbers_in, parse_interval
from analysis.data.tables import CONTROL_EVENTS, DATASET_TABLES, MILESTONES, OBSERVATIONS

CLAIM_TABLES = {"observations": OBSERVATIONS, "control_events": CONTROL_EVENTS, "milestones": MILESTONES}


def _row(df: pd.DataFrame, claim_id: str) -> pd.Series:
    key = "claim_id" if "claim_id" in df else "milestone_id"
    rows = df[df[key] == claim_id]
    assert len(rows) >= 1, claim_id
    return rows.iloc[0]


# -- provenance and schema -----------------------------------------------------
@pytest.mark.parametrize("table", list(CLAIM_TABLES))
def test_every_row_quotes_its_document_verbatim(dataset, table):
    texts = {
        r.doc_id: (paths.documents_dir() / r.file_name).read_text(encoding="utf-8")
        for r in dataset.documents.itertuples()
    }
    df = getattr(dataset, table)
    assert len(df) > 0
    for r in df.itertuples():
        assert texts[r.doc_id][r.char_start : r.char_end] == r.quote
        assert r.info_date >= r.date_start
        assert r.date_end >= r.date_start


def test_every_document_is_annotated_with_claims(dataset):
    for doc_id in dataset.documents["doc_id"]:
        n = sum((getattr(dataset, t)["doc_id"] == doc_id).sum() for t in CLAIM_TABLES)
        assert n > 0, doc_id


def test_dataset_is_complete_not_a_toy(dataset):
    enc = "encyclopedia_offensive_2019-2020"
    assert (dataset.control_events["doc_id"] == enc).sum() >= 150
    assert (dataset.observations["doc_id"] == enc).sum() >= 150
    assert dataset.control_events["date_start"].min() <= pd.Timestamp("2019-11-24")  # prelude
    assert dataset.milestones["date_end"].max() >= pd.Timestamp("2020-06-01")  # aftermath


@pytest.mark.parametrize("table", DATASET_TABLES, ids=lambda t: t.name)
def test_tables_validate_against_their_declaration(dataset, table):
    df = getattr(dataset, table.name)
    table.validate(df)
    assert list(df.columns) == table.columns
    assert not df.duplicated(list(table.primary_key)).any()


def test_observation_values_are_written_in_their_quotes(dataset):
    for r in dataset.observations.itertuples():
        figs = [r.value_low, r.value_high] if pd.notna(r.value_low) else [r.value]
        for f in figs:
            assert f in numbers_in(r.quote), r.claim_id


def test_publish_writes_csv_and_datapackage_that_round_trip(dataset, tmp_path):
    out = publish(dataset, tmp_path / "dataset")
    package = json.loads((out / "datapackage.json").read_text())
    names = [r["name"] for r in package["resources"]]
    hxl = [f"{t.name}_hxl" for t in DATASET_TABLES if t.name in HXL_TABLES]  # the HXL-tagged copies follow the tables
    assert names == [t.name for t in DATASET_TABLES] + hxl
    for res, table in zip(package["resources"][: len(DATASET_TABLES)], DATASET_TABLES, strict=True):
        assert [f["name"] for f in res["schema"]["fields"]] == table.columns
        assert all(f["description"] for f in res["schema"]["fields"])
        header = (out / res["path"]).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == table.columns
    again = load(out)
    pd.testing.assert_frame_equal(again.observations, dataset.observations)
    pd.testing.assert_frame_equal(again.control_events, dataset.control_events)


def test_rebuild_is_byte_identical(dataset, tmp_path):
    a = publish(dataset, tmp_path / "a")
    b = publish(build(paths.seeds_dir()), tmp_path / "b")
    for f in sorted(a.iterdir()):
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


def test_failed_publish_leaves_previous_output(dataset, tmp_path, monkeypatch):
    out = publish(dataset, tmp_path / "dataset")
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    broken = dataset.observations.copy()
    broken.loc[0, "variable"] = "not_a_variable"
    bad = type(dataset)(**{**dataset.__dict__, "observations": broken})
    with pytest.raises(InputError, match="variable"):
        publish(bad, out)
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before


# -- gazetteer -------------------------------------------------------------------
@pytest.mark.parametrize(
    "names",
    [
        ["Ma'arrat al-Nu'man", "Maarat al-Numan", "Ma’arat al-Numan", "Ma'arat al-Numan", "Ma’arat Al-Nu’man"],
        ["Saraqib", "Saraqeb"],
        ["Kafr Nabl", "Kafranbel"],
        ["Maarrat Mukhas", "Ma'arat Muqas"],
    ],
)
def test_aliases_resolve_to_one_place(names):
    gaz = load_gazetteer(paths.gazetteer_file(), paths.geo_dir(), ("SY07", "SY02", "SY05", "SY06"))
    ids = {gaz.resolve(n) for n in names}
    assert len(ids) == 1 and None not in ids


def test_places_are_placed_only_from_reference_data(dataset):
    placed = dataset.places[dataset.places["geo_precision"] == "subdistrict_seat"]
    unplaced = dataset.places[dataset.places["geo_precision"] == "unplaced"]
    assert unplaced[["latitude", "longitude", "admin3_pcode", "subdistrict_population"]].isna().all().all()
    subs = {r["externalIds"]["ochaPcode"]: r for r in json.loads((paths.geo_dir() / "opensyria_subdistricts.json").read_text())}
    for r in placed.itertuples():
        assert (r.latitude, r.longitude) == (subs[r.admin3_pcode]["centroid"]["latitude"], subs[r.admin3_pcode]["centroid"]["longitude"])
        assert r.subdistrict_population == subs[r.admin3_pcode]["population"]["value"]
    saraqib = dataset.places.set_index("place_id").loc["saraqib"]
    assert saraqib["admin3_pcode"] == "SY070003" and saraqib["admin2_pcode"] == "SY0700"
    assert saraqib["subdistrict_population"] == 86075  # OpenSyria's Saraqab sub-district, 2004


# -- hand-checked rows -------------------------------------------------------------
def test_un_689000_is_a_stock_since_december_known_on_10_february(dataset):
    r = _row(dataset.observations, "encyclopedia_offensive_2019-2020:o163")
    assert (r.variable, r.kind, r.value) == ("displaced_people", "stock", 689000)
    assert r.baseline_date == pd.Timestamp("2019-12-01")
    assert r.date_end == r.info_date == pd.Timestamp("2020-02-10")


def test_142000_in_five_days_is_a_flow(dataset):
    r = _row(dataset.observations, "encyclopedia_offensive_2019-2020:o164")
    assert (r.kind, r.value) == ("flow", 142000)
    assert (r.date_start, r.date_end) == (pd.Timestamp("2020-02-10"), pd.Timestamp("2020-02-14"))
    assert r.date_precision == "few_days"


def test_qualifiers_and_ranges(dataset):
    r = _row(dataset.observations, "encyclopedia_offensive_2019-2020:o107")  # "55 to 70 Turkish soldiers"
    assert (r.value_low, r.value_high, r.value, r.qualifier_class) == (55, 70, 62.5, "range")
    r = _row(dataset.observations, "encyclopedia_offensive_2019-2020:o166")  # "over 800,000 since December"
    assert (r.qualifier, r.qualifier_class, r.baseline_basis) == ("over", "lower", "stated")
    r = _row(dataset.observations, "encyclopedia_offensive_2019-2020:o168")  # "By late February"
    assert (r.date_start, r.date_end, r.date_precision) == (pd.Timestamp("2020-02-21"), pd.Timestamp("2020-02-29"), "week")


def test_one_row_per_place_with_shared_quote(dataset):
    ce = dataset.control_events
    rows = ce[ce["claim_id"] == "encyclopedia_offensive_2019-2020:c028"]
    assert list(rows["place_name"])[:2] == ["Ballisa", "Tell Elaghar"]
    assert rows["quote"].nunique() == 1 and len(rows) == 7
    assert list(rows["event_id"]) == [f"encyclopedia_offensive_2019-2020:c028.{k}" for k in range(1, 8)]


def test_conflicting_reports_are_kept_side_by_side(dataset):
    ce = dataset.control_events
    hazarin = ce[(ce["place_id"] == "hazarin") & (ce["date_start"] == pd.Timestamp("2020-03-02"))]
    assert set(hazarin["to_side"]) == {"government", "opposition"}
    assert set(hazarin["claimed_by"]) == {"SOHR and Al-Masdar", "Turkish sources"}
    mukhas = ce[ce["place_id"] == "maarat-muqas"]
    assert {pd.Timestamp("2020-03-07"), pd.Timestamp("2020-03-08")} <= set(mukhas["date_start"])
    obs = dataset.observations
    turkish_feb3 = obs[(obs["date_end"] == pd.Timestamp("2020-02-03")) & (obs["group"] == "Syrian soldiers")]
    assert {"SOHR", "Turkish president", "Turkish Defence Minister Hulusi Akar"} <= set(turkish_feb3["source"])


def test_relative_dates_are_resolved(dataset):
    r = _row(dataset.control_events, "encyclopedia_offensive_2019-2020:c002")  # "The next day"
    assert r.date_start == pd.Timestamp("2019-11-25")
    m = _row(dataset.milestones, "web_maarat_2020-01-28:m001")  # "launched on Friday"
    assert m.date_start == pd.Timestamp("2020-01-24")


def test_info_date_rule(dataset):
    obs = dataset.observations
    news = obs[obs["doc_id"] == "epochtimes_2020-01-29"]
    assert (news["info_date"] == pd.Timestamp("2020-01-29")).all()
    r = _row(dataset.control_events, "encyclopedia_offensive_2019-2020:c071")  # 7 March, reported 12 March
    assert (r.date_start, r.info_date) == (pd.Timestamp("2020-03-07"), pd.Timestamp("2020-03-12"))


def test_as_of_uses_only_published_claims(dataset):
    early = dataset.as_of("2020-01-08")
    assert (early.observations["info_date"] <= pd.Timestamp("2020-01-08")).all()
    assert "assynt_2020-01-08:o003" in set(early.observations["claim_id"])
    assert "encyclopedia_offensive_2019-2020:o163" not in set(early.observations["claim_id"])


def test_parse_interval_vague_and_bad():
    assert parse_interval("early March 2020")[1].day == 10
    with pytest.raises(ValueError, match="unparseable"):
        parse_interval("sometime in spring")
    with pytest.raises(ValueError, match="ends before"):
        parse_interval("2020-02-10/2020-02-01")


# -- bad input: each names the file, line and field; nothing is written ----------------
CLAIMS = "claims/encyclopedia_offensive_2019-2020.yaml"


def _edit(seeds: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    p = seeds / rel
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.mark.parametrize(
    ("rel", "old", "new", "match"),
    [
        (CLAIMS, "By 10 February 2020, the number of displaced civilians had reached 689,000.", "By 10 February 2020, the number of displaced civilians had reached 689,001.", r"field quote: .*o163: quote not found"),
        (CLAIMS, "variable: displaced_people, kind: stock, value: 689000", "variable: displaced_people, kind: stock, value: 698000", r"field value: .*o163: value 698000 is not written"),
        (CLAIMS, '{id: o163, date: "2020-02-10"', '{id: o163, date: "10th of Feb"', r"field date: .*o163: unparseable date"),
        (CLAIMS, '{id: o164, date: "2020-02-10/2020-02-14"', '{id: o164, date: "2020-02-14/2020-02-10"', r"field date: .*o164: interval.*ends before it starts"),
        (CLAIMS, "variable: displaced_people, kind: stock, value: 689000", "variable: displaced_persons, kind: stock, value: 689000", r"field variable: .*o163: unknown value 'displaced_persons'"),
        (CLAIMS, "places: [Jarjnaz]", "places: [Jarjnazz]", r"c010: place 'Jarjnazz' is not written"),
        (CLAIMS, "capturing Jarjnaz\",\n     places: [Jarjnaz]", "capturing Jarjnaz\",\n     places: [{place: Atlantis, written: Jarjnaz}]", r"field places: .*c010: unknown place 'Atlantis'"),
        (CLAIMS, "{id: c011,", "{id: c010,", r"field id: .*c010: duplicate claim id"),
        (CLAIMS, "- {id: o001,", "- {id: [o001,", r"line \d+: malformed YAML"),
        (CLAIMS, "{id: o163, date", "{id: o163, colour: red, date", r"o163: unknown keys \['colour'\]"),
        (CLAIMS, 'info_date: "2020-03-03", variable: killed, kind: flow, value: 75', 'info_date: "2020-03-01", variable: killed, kind: flow, value: 75', r"field info_date: .*o133: info_date 2020-03-01 is before the claim's date_end"),
        ("catalog.yaml", "  - doc_id: epochtimes_2020-01-29", "  - doc_id: epochtimes_2020-01-29\n    bogus: 1", r"catalog.yaml, line \d+, field bogus"),
    ],
    ids=["quote", "digits", "date", "interval", "variable", "place-not-in-quote", "unknown-place", "duplicate", "yaml", "unknown-key", "info-date-before-event", "catalog-key"],
)
def test_bad_annotation_is_a_clear_error(seeds_copy, tmp_path, dataset, rel, old, new, match):
    out = publish(dataset, tmp_path / "published")
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    _edit(seeds_copy, rel, old, new)
    with pytest.raises(InputError, match=match) as info:
        publish(build(seeds_copy), out)
    assert Path(rel).name in str(info.value)
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before


def test_changed_document_fails_its_checksum(seeds_copy):
    doc = seeds_copy / "documents" / "assynt_2020-01-08.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "x", encoding="utf-8")
    with pytest.raises(InputError, match=r"field sha256: checksum of assynt_2020-01-08.txt changed"):
        build(seeds_copy)


def test_document_without_catalog_entry_fails(seeds_copy):
    (seeds_copy / "documents" / "stray.txt").write_text("a new document\n", encoding="utf-8")
    with pytest.raises(InputError, match="stray.txt has no catalog entry"):
        build(seeds_copy)


def test_every_shipped_document_has_a_catalog_entry(dataset):
    files = sorted(p.name for p in paths.documents_dir().glob("*.txt"))
    assert sorted(dataset.documents["file_name"]) == files


def test_the_dataset_is_rebuilt_only_when_seeds_code_or_files_changed(dataset, tmp_path, monkeypatch, capsys):
    import shutil

    import analysis.data.dataset
    from analysis.cli import main
    from analysis.core.inputs import dataset_is_current, record_dataset

    seeds = shutil.copytree(paths.seeds_dir(), tmp_path / "seeds")
    out = publish(dataset, tmp_path / "dataset")
    assert not dataset_is_current(seeds, out)  # never stamped
    record_dataset(seeds, out)
    assert dataset_is_current(seeds, out)

    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt although nothing changed")

    monkeypatch.setattr(analysis.data.dataset, "build", no_build)
    assert main(["dataset", "--seeds", str(seeds), "--out", str(out)]) == 0
    assert "unchanged" in capsys.readouterr().out

    claims = sorted((seeds / "claims").glob("*.yaml"))[0]
    claims.write_text(claims.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert not dataset_is_current(seeds, out)  # a seed changed
    record_dataset(seeds, out)
    csv = out / "observations.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",", ";", 1), encoding="utf-8")
    assert not dataset_is_current(seeds, out)  # a published file was edited by hand
    capsys.readouterr()
    assert main(["dataset", "--seeds", str(seeds), "--out", str(out)]) == 1  # the build ran (and was made to fail)
    assert "rebuilt although nothing changed" in capsys.readouterr().err


def test_rejected_readings_are_checked_and_yield_no_rows(seeds_copy, dataset):
    """A claim file's ``rejected:`` list (quote + reason) is checked against the text and ignored by the tables."""
    rel = "claims/assynt_2020-01-08.yaml"
    text = (seeds_copy / rel).read_text(encoding="utf-8")
    assert "\nrejected:\n" in text
    (seeds_copy / rel).write_text(text.split("\n# Read and not recorded")[0] + "\n", encoding="utf-8")
    without = build(seeds_copy)
    for table in ("observations", "control_events", "milestones"):
        pd.testing.assert_frame_equal(getattr(without, table), getattr(dataset, table))
    (seeds_copy / rel).write_text(text.replace("but no plan of action was announced", "but no plan was announced"), encoding="utf-8")
    with pytest.raises(InputError, match=r"field quote: .*rejected\[\d+\]: quote not found"):
        build(seeds_copy)
    (seeds_copy / rel).write_text(text.replace("    reason: The absence of an event.\n", ""), encoding="utf-8")
    with pytest.raises(InputError, match=r"field reason: .*rejected\[\d+\]: missing"):
        build(seeds_copy)


def test_every_column_is_declared_once_across_tables():
    """A column name means one thing everywhere, except the few declared per table in fields.BY_TABLE."""
    from analysis.data import fields, tables
    from analysis.data.schema import Table

    seen: dict[str, set] = {}
    for table in (v for v in vars(tables).values() if isinstance(v, Table)):
        for f in table.fields:
            if (table.name, f.name) not in fields.BY_TABLE:
                assert f is fields.FIELDS[f.name], (table.name, f.name)
            seen.setdefault(f.name, set()).add(f)
    shared = {name for name, decl in seen.items() if len(decl) > 1}
    assert shared == {name for _, name in fields.BY_TABLE}
    assert {t.name for t in tables.DATASET_TABLES} == {"documents", "places", "observations", "control_events", "milestones"}
