"""The dataset in the field's formats: ``events_acled.csv`` (ACLED's layout) and HXL-tagged copies.

``events_acled``: one row per control event and per ``killed`` observation.
Control events are ACLED ``Battles``: a decisive change (``analysis.data.changes.DECISIVE``)
to the government is "Government regains territory", to the opposition "Non-state
actor overtakes territory"; any other control event (entered, encircled, contested...)
is "Armed clash". Fatality observations carry no event type (the package does not code
the kind of violence). ``event_date`` is the claim's last day, with ``time_precision``
and ``geo_precision`` coded by :mod:`analysis.data.interop.codes`; ``notes`` is the quote,
``timestamp`` the information date.

HXL copies: ``<table>.hxl.csv`` is the published table with a row of HXL hashtags after
the header (:data:`HXL_TAGS`, by field name; a column without a tag has an empty cell).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from ..fields import BY_TABLE, FIELDS
from ..schema import Table
from ..tables import EVENTS_ACLED
from . import codes

SYRIA_ISO = 760

# HXL hashtags (HXL 1.1 core tags, attributes lower case), one per field name.
HXL_TAGS: dict[str, str] = {
    "doc_id": "#meta+source+doc", "claim_id": "#meta+id", "event_id": "#event+id", "milestone_id": "#event+id",
    "quote": "#description+quote", "char_start": "#meta+char_start", "char_end": "#meta+char_end",
    "date_start": "#date+start", "date_end": "#date+end", "info_date": "#date+reported",
    "date_precision": "#date+precision", "time_precision": "#date+precision+acled", "date_prec": "#date+precision+ucdp",
    "place_id": "#loc+id", "name": "#loc+name", "place_name": "#loc+name", "location": "#loc+name",
    "admin1_pcode": "#adm1+code", "admin2_pcode": "#adm2+code", "admin3_pcode": "#adm3+code",
    "admin1": "#adm1+name", "admin2": "#adm2+name", "admin3": "#adm3+name",
    "latitude": "#geo+lat", "longitude": "#geo+lon", "geo_precision": "#geo+precision",
    "subdistrict_population": "#population+total+adm3",
    "variable": "#indicator+name", "unit": "#indicator+unit", "kind": "#indicator+type", "value": "#indicator+value+num",
    "value_low": "#indicator+value+low", "value_high": "#indicator+value+high", "qualifier": "#indicator+qualifier",
    "area": "#loc+area", "group": "#group+name", "source": "#meta+source", "claimed_by": "#meta+source+claimed",
    "side": "#group+side", "to_side": "#group+side+to", "actor": "#group+name+actor",
    "event_type": "#event+type", "milestone_type": "#event+type", "label": "#event+name",
    "event_id_cnty": "#event+code", "event_date": "#date+occurred", "year": "#date+year", "sub_event_type": "#event+type+sub",
    "actor1": "#group+name+first", "actor2": "#group+name+second", "notes": "#description",
    "fatalities": "#affected+killed", "iso": "#country+code+num", "timestamp": "#date+updated",
}
_KNOWN = set(FIELDS) | {name for _, name in BY_TABLE}
if set(HXL_TAGS) - _KNOWN:
    raise ImportError(f"HXL tags for undeclared fields {sorted(set(HXL_TAGS) - _KNOWN)}")


def admin_names(geo_dir: Path) -> dict[str, str]:
    """OCHA P-code -> English name, from the shipped OpenSyria governorate, district and sub-district files."""
    out: dict[str, str] = {}
    for level in ("governorates", "districts", "subdistricts"):
        for rec in json.loads((Path(geo_dir) / f"opensyria_{level}.json").read_text(encoding="utf-8")):
            code = rec.get("externalIds", {}).get("ochaPcode")
            if code:
                out[code] = rec["name"]["en"]
    return out


def _timestamp(day: pd.Series) -> pd.Series:
    return (pd.to_datetime(day) - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)


def acled_events(dataset, names: dict[str, str]) -> pd.DataFrame:
    """The control events and ``killed`` observations of ``dataset`` in ACLED's layout (see the module notes).

    Parameters
    ----------
    dataset : Dataset
        A built or loaded dataset.
    names : dict
        P-code -> admin name (:func:`admin_names`).

    Returns
    -------
    DataFrame
        Rows of :data:`~analysis.data.tables.EVENTS_ACLED`, sorted by event date and id.
    """
    from ..changes import DECISIVE

    docs = dataset.documents.set_index("doc_id")["publisher"]
    ce = dataset.control_events
    decisive = ce["event_type"].isin(DECISIVE)
    sub = pd.Series("Armed clash", index=ce.index, dtype=object)
    sub[decisive & (ce["to_side"] == "government")] = "Government regains territory"
    sub[decisive & (ce["to_side"] == "opposition")] = "Non-state actor overtakes territory"
    control = pd.DataFrame({
        "event_id_cnty": ce["event_id"], "event_date": ce["date_end"], "time_precision": ce["time_precision"],
        "event_type": "Battles", "sub_event_type": sub, "actor1": ce["actor"], "actor2": None,
        "admin1_pcode": ce["admin1_pcode"], "admin2_pcode": ce["admin2_pcode"], "admin3_pcode": ce["admin3_pcode"],
        "location": ce["place_name"], "latitude": ce["latitude"], "longitude": ce["longitude"],
        "geo_precision": ce["geo_precision"].map(codes.geo_precision_code),
        "source": ce["claimed_by"].fillna(ce["doc_id"].map(docs)), "notes": ce["quote"], "fatalities": 0,
        "info_date": ce["info_date"], "claim_id": ce["claim_id"], "doc_id": ce["doc_id"],
        "char_start": ce["char_start"], "char_end": ce["char_end"],
    })
    ob = dataset.observations[dataset.observations["variable"] == "killed"]
    killed = pd.DataFrame({
        "event_id_cnty": ob["claim_id"], "event_date": ob["date_end"], "time_precision": ob["time_precision"],
        "event_type": None, "sub_event_type": None, "actor1": None, "actor2": None,
        "admin1_pcode": None, "admin2_pcode": None, "admin3_pcode": None,
        "location": ob["area"], "latitude": None, "longitude": None, "geo_precision": None,
        "source": ob["source"], "notes": ob["quote"], "fatalities": ob["value"].round().astype("int64"),
        "info_date": ob["info_date"], "claim_id": ob["claim_id"], "doc_id": ob["doc_id"],
        "char_start": ob["char_start"], "char_end": ob["char_end"],
    })
    out = pd.concat([control.astype(object), killed.astype(object)], ignore_index=True)
    out["event_date"] = pd.to_datetime(out["event_date"])
    out["year"] = out["event_date"].dt.year
    for level in ("admin1", "admin2", "admin3"):
        out[level] = out[f"{level}_pcode"].map(lambda c: names.get(c) if isinstance(c, str) else None)  # noqa: B023
    out["iso"] = SYRIA_ISO
    out["timestamp"] = _timestamp(out.pop("info_date"))
    out = out.sort_values(["event_date", "event_id_cnty"], kind="stable").reset_index(drop=True)
    return EVENTS_ACLED.conform(out[list(EVENTS_ACLED.columns)])


def hxl_text(table: Table, csv_text: str) -> str:
    """The published CSV text of ``table`` with the HXL hashtag row inserted after its header."""
    header, _, body = csv_text.partition("\n")
    cols = next(csv.reader([header]))
    if cols != list(table.columns):
        raise ValueError(f"{table.name}: CSV header {cols} is not the table's columns")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([HXL_TAGS.get(c, "") for c in cols])
    return f"{header}\n{buf.getvalue()}{body}"


def hxl_resource(table: Table, path: str) -> dict:
    """Datapackage resource for an HXL copy: the table's schema as text (the hashtag row is row 2)."""
    return {
        "name": f"{table.name}_hxl",
        "path": path,
        "title": f"{table.title} (HXL-tagged)",
        "description": f"{table.description} The same rows as {table.name}.csv with a row of HXL hashtags after the header "
                       "(HXL 1.1, for HDX tools); every column read as text.",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": [{"name": f.name, "type": "string", "description": f.description,
                               **({"hxl": HXL_TAGS[f.name]} if f.name in HXL_TAGS else {})} for f in table.fields]},
    }


HXL_TABLES = ("places", "observations", "control_events", "milestones", "events_acled")


def write_hxl_copies(folder: Path, tables: tuple[Table, ...]) -> list[dict]:
    """Write ``<table>.hxl.csv`` beside each published ``<table>.csv`` of :data:`HXL_TABLES`; their resources."""
    from ...core.io import write_text

    resources = []
    for table in tables:
        if table.name not in HXL_TABLES:
            continue
        path = f"{table.name}.hxl.csv"
        write_text(Path(folder) / path, hxl_text(table, (Path(folder) / f"{table.name}.csv").read_text(encoding="utf-8")))
        resources.append(hxl_resource(table, path))
    return resources
