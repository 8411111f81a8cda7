"""One gazetteer of the places named, with aliases, linked to OCHA codes where the data allow.

A place is placed only when it gives its name to an OCHA sub-district in the
OpenSyria reference file: it then gets that sub-district's P-codes and is drawn
at its centroid (``geo_precision = subdistrict_seat``). Every other place keeps
empty coordinates and ``geo_precision = unplaced``. No coordinate is invented.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.errors import InputError
from ..core.io import LineDict, check_keys, read_yaml
from .parsing import normalise_name
from .tables import PLACES

_FEATURES = ("settlement", "military_base", "hill", "district", "road_section", "facility", "area")
_KEYS = {"id", "name", "aliases", "feature", "subdistrict", "on_road"}


@dataclass(frozen=True)
class Gazetteer:
    table: pd.DataFrame  # the PLACES table
    index: dict[str, str]  # normalised name or alias -> place_id
    by_id: pd.DataFrame  # the PLACES table indexed by place_id

    def resolve(self, name: str) -> str | None:
        """The place_id for a name as written, or None when the gazetteer does not know it."""
        return self.index.get(normalise_name(name))


def _subdistricts(geo_dir: Path, admin1: tuple[str, ...]) -> dict[str, list[dict]]:
    """Normalised sub-district name or alias -> candidate records, within the case's governorates."""
    records = json.loads((geo_dir / "opensyria_subdistricts.json").read_text(encoding="utf-8"))
    out: dict[str, list[dict]] = {}
    for rec in records:
        pcode = rec["externalIds"].get("ochaPcode") or ""
        if pcode[:4] not in admin1:
            continue
        names = {rec["name"]["en"]} | {a["value"] for a in rec["aliases"] if a["language"] == "en"}
        for n in names:
            out.setdefault(normalise_name(n), []).append(rec)
    return out


def load_gazetteer(path: Path, geo_dir: Path, admin1: tuple[str, ...]) -> Gazetteer:
    """Read ``gazetteer.yaml`` and link each place to the sub-district it names, if any."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("places"), list):
        raise InputError("expected a mapping with a 'places' list", file=path)
    subs = _subdistricts(geo_dir, admin1)
    by_pcode = {r["externalIds"]["ochaPcode"]: r for recs in subs.values() for r in recs}
    rows, index = [], {}
    for entry in data["places"]:
        line = entry.line if isinstance(entry, LineDict) else None
        check_keys(entry, _KEYS, file=path, line=line)
        for key in ("id", "name", "feature"):
            if not entry.get(key):
                raise InputError("missing", file=path, line=line, field=key)
        if entry["feature"] not in _FEATURES:
            raise InputError(f"feature must be one of {_FEATURES}", file=path, line=line, field="feature")
        pid = str(entry["id"])
        names = [str(entry["name"]), *[str(a) for a in entry.get("aliases") or []]]
        for n in names:
            key = normalise_name(n)
            if key in index and index[key] != pid:
                raise InputError(f"name {n!r} already belongs to place {index[key]!r}", file=path, line=line, field="aliases")
            index[key] = pid
        if pid in {r["place_id"] for r in rows}:
            raise InputError(f"duplicate place id {pid!r}", file=path, line=line, field="id")
        rec = None
        pinned = entry.get("subdistrict")
        if pinned not in (None, "none"):
            rec = by_pcode.get(str(pinned))
            if rec is None:
                raise InputError(f"unknown sub-district P-code {pinned!r}", file=path, line=line, field="subdistrict")
        elif pinned is None and entry["feature"] == "settlement":
            cands = {r["id"]: r for n in names for r in subs.get(normalise_name(n), [])}
            if len(cands) > 1:
                raise InputError(
                    f"name matches several sub-districts {sorted(cands)}; pin one with 'subdistrict: <P-code>' or 'subdistrict: none'",
                    file=path, line=line, field="subdistrict",
                )
            rec = next(iter(cands.values()), None)
        admin3 = rec["externalIds"]["ochaPcode"] if rec else None
        rows.append(
            {
                "place_id": pid,
                "name": str(entry["name"]),
                "aliases": " | ".join(names[1:]) or None,
                "feature": entry["feature"],
                "admin1_pcode": admin3[:4] if admin3 else None,
                "admin2_pcode": admin3[:6] if admin3 else None,
                "admin3_pcode": admin3,
                "latitude": rec["centroid"]["latitude"] if rec else None,
                "longitude": rec["centroid"]["longitude"] if rec else None,
                "geo_precision": "subdistrict_seat" if rec else "unplaced",
                "subdistrict_population": (rec.get("population") or {}).get("value") if rec else None,
                "on_road": entry.get("on_road"),
            }
        )
    table = PLACES.validate(PLACES.conform(pd.DataFrame(rows, columns=PLACES.columns)))
    return Gazetteer(table=table, index=index, by_id=table.set_index("place_id"))
