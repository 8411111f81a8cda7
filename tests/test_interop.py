"""ACLED reading and precision codes (issue 18)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.data import vocab
from analysis.data.interop import codes
from analysis.data.interop.acled import REQUIRED as REQUIRED_ACLED
from analysis.data.interop.acled import AcledError, parse_acled, quote_at, read_acled
from analysis.data.interop.importer import field_spans, import_acled

FIXTURE = Path(__file__).parent / "fixtures" / "acled" / "synthetic_idlib.csv"
HEADER = ("event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,admin1,admin2,admin3,"
          "location,latitude,longitude,geo_precision,source,notes,fatalities")
ROW = 'X1,2020-01-05,1,Battles,Armed clash,A,B,Idleb,Ariha,Ariha,Ariha,35.8,36.6,2,S,"n, ""q""",4'


def test_fixture_reads_with_spans_and_hash():
    f = read_acled(FIXTURE)
    text = FIXTURE.read_text(encoding="utf-8")
    assert len(f.rows) == 30 and len(f.sha256) == 64
    for r in f.rows:
        assert quote_at(text, r.notes_span) == r.notes
    assert sum(r.is_territory for r in f.rows) == 16
    assert f.rows[0].row == 2 and f.rows[0].event_date.isoformat() == "2020-01-01"


def test_one_row_values():
    r = parse_acled(HEADER + "\n" + ROW + "\n").rows[0]
    assert (r.notes, r.fatalities, r.latitude, r.time_precision) == ('n, "q"', 4, 35.8, 1)


@pytest.mark.parametrize("old,new,where", [
    (",1,Battles", ",4,Battles", "row 2, field time_precision"),
    ("2020-01-05", "2020-13-05", "row 2, field event_date"),
    (",35.8,", ",95.8,", "row 2, field latitude"),
    (",4\n", ",-1\n", "row 2, field fatalities"),
])
def test_bad_field_is_named(old, new, where):
    with pytest.raises(AcledError, match=where):
        parse_acled((HEADER + "\n" + ROW + "\n").replace(old, new), name="x.csv")


def test_missing_column_and_repeated_id():
    with pytest.raises(AcledError, match="x.csv: missing ACLED column.*fatalities"):
        parse_acled(HEADER.rsplit(",", 1)[0] + "\n", name="x.csv")
    with pytest.raises(AcledError, match="row 3, field event_id_cnty: 'X1' repeats row 2"):
        parse_acled(HEADER + "\n" + ROW + "\n" + ROW + "\n", name="x.csv")


def test_codes_cover_every_word_and_are_monotone():
    words = list(vocab.DATE_PRECISIONS)  # ordered finest to coarsest
    tp = [codes.time_precision(w) for w in words]
    dp = [codes.date_prec(w) for w in words]
    assert tp == sorted(tp) and dp == sorted(dp) and dp == [1, 2, 3, 4, 5]
    assert codes.geo_precision_code("subdistrict_seat") == 2 and codes.geo_precision_code("unplaced") is None
    with pytest.raises(ValueError, match="date_precision: unknown value 'fortnight'"):
        codes.time_precision("fortnight")


def test_built_claim_tables_carry_codes_from_the_rule():
    from analysis.data.dataset import build

    tables = build().tables()
    with_words = [t for t in tables.values() if "date_precision" in t.columns]
    assert with_words
    for t in with_words:
        assert (t["time_precision"] == t["date_precision"].map(codes.ACLED_TIME_PRECISION)).all()
        assert (t["date_prec"] == t["date_precision"].map(codes.UCDP_DATE_PREC)).all()


# --- idlib import acled (item 1) ---------------------------------------------------------------



def _fixture_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(FIXTURE.read_text(encoding="utf-8"), newline="")))


def _own_seeds(tmp_path: Path) -> Path:
    """A seeds folder with the case and geography only: no document, no place."""
    src, dst = paths.seeds_dir(), tmp_path / "own"
    (dst / "documents").mkdir(parents=True)
    (dst / "claims").mkdir()
    shutil.copy(src / "case.yaml", dst / "case.yaml")
    (dst / "geo").symlink_to(src / "geo")
    (dst / "gazetteer.yaml").write_text("places: []\n", encoding="utf-8")
    (dst / "catalog.yaml").write_text("documents: []\n", encoding="utf-8")
    return dst


def test_field_spans_match_the_csv_reader_with_newlines_and_crlf():
    text = 'a,b,c\r\n1,"x\r\ny ""q""",\r\n\r\n2,z,3'
    recs = field_spans(text)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if r]
    assert [[text[s:e].replace('""', '"') for s, e in rec] for rec in recs] == rows


def test_import_fixture_into_a_copy_of_the_seeds(seeds_copy: Path):
    from analysis.data.dataset import build

    before = build(seeds_copy)
    done = import_acled(FIXTURE, seeds_copy)
    rows = _fixture_rows()
    doc = seeds_copy / "documents" / f"{done['doc_id']}.csv"
    assert doc.read_bytes() == FIXTURE.read_bytes()
    after = build(seeds_copy)
    entry = after.documents.set_index("doc_id").loc[done["doc_id"]]
    assert entry["sha256"] == hashlib.sha256(FIXTURE.read_bytes()).hexdigest() and entry["kind"] == "event_dataset"
    text = doc.read_text(encoding="utf-8")
    ce = after.control_events[after.control_events["doc_id"] == done["doc_id"]]
    ob = after.observations[after.observations["doc_id"] == done["doc_id"]]
    territory = [r for r in rows if r["sub_event_type"] in ("Government regains territory", "Non-state actor overtakes territory")]
    assert len(ce) == len(territory) == done["control_events"]
    assert len(ob) == sum(int(r["fatalities"]) > 0 for r in rows) == done["observations"]
    by_id = {r["event_id_cnty"]: r for r in rows}
    for _, e in ce.iterrows():
        r = by_id[e["claim_id"].split(":")[1]]
        assert text[e["char_start"]:e["char_end"]] == e["quote"]
        assert e["quote"].replace('""', '"') == r["notes"]  # the row's notes, at their span in the file
        assert e["to_side"] == ("government" if r["sub_event_type"].startswith("Government") else "opposition")
        assert e["info_date"].date() == dt.datetime.fromtimestamp(int(r["timestamp"]), dt.UTC).date()
        assert e["admin3_pcode"] and e["admin3_pcode"].startswith("SY07")  # linked to its OCHA sub-district
    for _, o in ob.iterrows():
        r = by_id[o["claim_id"].split(":")[1].removesuffix("-fatalities")]
        assert text[o["char_start"]:o["char_end"]] == o["quote"] and r["notes"].split(",")[0] in o["quote"]
        assert o["variable"] == "killed" and o["value"] == float(r["fatalities"])
    # nothing of the shipped seeds changed
    for name in ("observations", "control_events", "milestones"):
        old = getattr(before, name)
        assert len(getattr(after, name)[lambda d: d["doc_id"] != done["doc_id"]]) == len(old)
    with pytest.raises(InputError, match="already in the catalog"):
        import_acled(FIXTURE, seeds_copy)


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    p = tmp_path / "variant.csv"
    p.write_text(FIXTURE.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("old,new,where", [
    ("Hayat Tahrir al-Sham,Military Forces of Syria (2000-)", "Military Forces of Turkey,Military Forces of Syria (2000-)",
     "variant.csv, row 3, field actor1: 'Military Forces of Turkey' is a state force"),
    (",760,1580600001", ",760,1500000000", "variant.csv, row 3, field timestamp: 2017-07-14 is before the event date"),
    (",3,760,1580600000", ",x,760,1580600000", "variant.csv, row 2, field fatalities"),
])
def test_bad_rows_are_named_and_leave_the_seeds_unchanged(seeds_copy: Path, tmp_path: Path, old, new, where):
    snapshot = {p: p.read_bytes() for p in seeds_copy.rglob("*") if p.is_file() and "geo" not in p.parts}
    with pytest.raises(InputError, match=where):
        import_acled(_variant(tmp_path, old, new), seeds_copy)
    assert {p: p.read_bytes() for p in seeds_copy.rglob("*") if p.is_file() and "geo" not in p.parts} == snapshot


def test_cli_imports_builds_and_forecasts_territory_on_its_own_seeds(tmp_path: Path, monkeypatch, capsys):
    from analysis.cli import main

    seeds = _own_seeds(tmp_path)
    assert main(["import", "acled", str(FIXTURE), "--seeds", str(seeds)]) == 0
    assert "16 control events" in capsys.readouterr().out
    monkeypatch.setenv("IDLIB_SEEDS", str(seeds))
    monkeypatch.setenv("IDLIB_OUTPUT", str(tmp_path / "out"))
    assert main(["dataset"]) == 0
    capsys.readouterr()
    assert main(["forecast", "territory", "--as-of", "2020-02-01", "--horizon-days", "7", "--paths", "200",
                 "--quantity", "named", "--dataset", str(tmp_path / "out" / "dataset")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split(",")[:4] == ["target", "date", "model", "as_of"]
    assert len(lines) == 1 + 7 and all(ln.startswith("net_places_gained_by_government_named,") for ln in lines[1:])
    # The estimate in the world needs the documents' aggregate counts of places taken; ACLED rows give none.
    assert main(["forecast", "territory", "--as-of", "2020-02-01", "--horizon-days", "7", "--paths", "200",
                 "--dataset", str(tmp_path / "out" / "dataset")]) == 2
    err = capsys.readouterr().err
    assert "aggregate claims" in err and "Traceback" not in err


def test_cli_bad_export_date_is_a_parameter_error(tmp_path: Path, capsys):
    from analysis.cli import main

    assert main(["import", "acled", str(FIXTURE), "--seeds", str(_own_seeds(tmp_path)), "--exported", "2020-02-31"]) != 0
    assert "--exported" in capsys.readouterr().err


# --- events_acled.csv and HXL copies (item 2) -------------------------------------------------


def test_acled_layout_follows_the_rule(dataset):
    from analysis.data.changes import DECISIVE
    from analysis.data.interop.export import acled_events, admin_names

    ev = acled_events(dataset, admin_names(paths.geo_dir()))
    killed = dataset.observations[dataset.observations["variable"] == "killed"]
    assert len(ev) == len(dataset.control_events) + len(killed)
    ce = dataset.control_events.set_index("event_id")
    rows = ev.set_index("event_id_cnty")
    for eid, c in ce.iterrows():
        r = rows.loc[eid]
        want = ("Government regains territory" if c["to_side"] == "government" else
                "Non-state actor overtakes territory" if c["to_side"] == "opposition" else "Armed clash") if c["event_type"] in DECISIVE else "Armed clash"
        assert r["sub_event_type"] == want and r["event_type"] == "Battles" and r["fatalities"] == 0
        assert r["notes"] == c["quote"] and r["time_precision"] == codes.time_precision(c["date_precision"])
        assert r["event_date"] == c["date_end"] and r["timestamp"] == int(c["info_date"].timestamp())
        code = codes.geo_precision_code(c["geo_precision"])
        assert (pd.isna(r["geo_precision"]) if code is None else r["geo_precision"] == code)
    for _, o in killed.iterrows():
        assert rows.loc[o["claim_id"], "fatalities"] == round(o["value"])
    placed = ev[ev["admin3_pcode"].notna()]
    assert len(placed) and placed["admin1"].notna().all() and placed["admin3"].notna().all()


def test_published_package_has_acled_layout_and_hxl_copies_read_by_libhxl(tmp_path: Path, monkeypatch, capsys):
    from analysis.cli import main
    from analysis.data.interop.export import HXL_TABLES, HXL_TAGS

    monkeypatch.setenv("IDLIB_OUTPUT", str(tmp_path))

    out = tmp_path / "dataset"
    assert main(["dataset", "--force", "--out", str(out)]) == 0
    capsys.readouterr()
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    assert {"events_acled", *(f"{t}_hxl" for t in HXL_TABLES)} <= set(by_name)
    header = (out / "events_acled.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(REQUIRED_ACLED) <= set(header)
    for t in HXL_TABLES:
        plain = (out / f"{t}.csv").read_text(encoding="utf-8").splitlines()
        tagged = (out / f"{t}.hxl.csv").read_text(encoding="utf-8").splitlines()
        assert tagged[0] == plain[0] and tagged[2:] == plain[1:]  # the same table, hashtags in row 2
        assert tagged[1].split(",") == [HXL_TAGS.get(c, "") for c in plain[0].split(",")]
        assert by_name[f"{t}_hxl"]["hash"] == "sha256:" + hashlib.sha256((out / f"{t}.hxl.csv").read_bytes()).hexdigest()
    hxl = pytest.importorskip("hxl")  # libhxl, the HXL library HDX maintains (dev dependency)
    src = hxl.data(str(out / "events_acled.hxl.csv"), hxl.InputOptions(allow_local=True))
    plain = list(csv.DictReader(io.StringIO((out / "events_acled.csv").read_text(encoding="utf-8"), newline="")))
    rows = list(src)
    assert len(rows) == len(plain)
    assert [r.get("#event+code") for r in rows] == [p["event_id_cnty"] for p in plain]
    assert [r.get("#affected+killed") for r in rows] == [p["fatalities"] for p in plain]
    places = list(hxl.data(str(out / "places.hxl.csv"), hxl.InputOptions(allow_local=True)))
    assert sum(bool(r.get("#adm3+code")) for r in places) == sum(1 for line in (out / "places.csv").read_text(encoding="utf-8").splitlines()[1:] if ",SY" in line)


def test_import_keeps_spans_through_bom_crlf_and_a_newline_in_notes(tmp_path: Path):
    from analysis.core.io import read_text
    from analysis.data.dataset import build

    text = "\ufeff" + FIXTURE.read_text(encoding="utf-8").replace("\n", "\r\n").replace("Synthetic note 5:", "Synthetic\r\nnote 5:")
    src = tmp_path / "crlf.csv"
    src.write_bytes(text.encode("utf-8"))
    seeds = _own_seeds(tmp_path)
    import_acled(src, seeds)
    built = build(seeds)
    doc = read_text(seeds / "documents" / "acled_crlf.csv")
    assert hashlib.sha256((seeds / "documents" / "acled_crlf.csv").read_bytes()).hexdigest() == built.documents["sha256"].iloc[0]
    for table in (built.control_events, built.observations):
        assert len(table) and all(doc[r.char_start:r.char_end] == r.quote for r in table.itertuples())
    assert any("\r\nnote 5" in q for q in built.control_events["quote"])
