"""ACLED reading and precision codes (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.data import vocab
from analysis.data.interop import codes
from analysis.data.interop.acled import AcledError, parse_acled, quote_at, read_acled

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
