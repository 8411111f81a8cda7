"""Place names a case knows: its gazetteer (names and aliases) and its reference sub-districts.

Nothing here is specific to one conflict: the names come from the seeds folder given.
Unknown names become gazetteer proposals with candidate sub-districts and P-codes from
the reference data and fuzzy matches to existing aliases (``rapidfuzz``); never a coordinate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.io import read_yaml
from ..data.parsing import normalise_name

_WORD = re.compile(r"[^\W\d_][\w'\u2019`\u02bf\u02be]*")
# words that can start a place name: capitalised (any script with case), or a short article before "-X"
_CANDIDATE = re.compile(r"(?<![^\W\d_])(?:[^\W\d_a-z][\w'\u2019`\u02bf\u02be]*|[a-z]{2,3}(?=-[^\W\d_a-z]))")


_APOSTROPHES = str.maketrans("", "", "'\u2019`\u02bf\u02be")


def _cheap(word: str) -> str:
    """A fast key for the first-word filter: case folded, apostrophes dropped."""
    return word.casefold().translate(_APOSTROPHES)


def _particle(text: str, w: re.Match) -> bool:
    """A lowercase article joined to a capitalised name ("al-Marwa", "el-Qasr", "ad-Dimna")."""
    e = w.end()
    return len(w.group(0)) <= 3 and text[e:e + 1] == "-" and text[e + 1:e + 2].isupper()


def _pattern(name: str) -> str:
    parts = []
    for ch in name:
        if ch in "'\u2019`\u02bf\u02be":
            parts.append("['\u2019`\u02bf\u02be]?")
        elif ch in "- ":
            parts.append(r"[-\s]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


@dataclass(frozen=True)
class Places:
    """Known names (normalised name -> place_id) and reference sub-districts (normalised name -> records)."""

    known: dict[str, str]
    reference: dict[str, list[dict]] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # every gazetteer name and alias as written, for fuzzy matching

    def __post_init__(self) -> None:
        names = sorted({*self.aliases, *(r["name"] for recs in self.reference.values() for r in recs)}, key=len, reverse=True)
        # one small anchored pattern per name, indexed by its first word: a sentence is read word by
        # word and only the names starting with that word are tried (a 2,000-name alternation tried
        # at every character was a fifth of the extractor's time)
        by_first: dict[str, list[re.Pattern]] = {}
        for n in names:
            rx = re.compile(_pattern(n) + r"(?![\w'-])", re.I)
            by_first.setdefault(_cheap(re.split(r"[-\s]+", n.strip("'\u2019`\u02bf\u02be"))[0]), []).append(rx)
        object.__setattr__(self, "_by_first", by_first)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name as written) of every known or reference place name in ``text``.

        >>> Places({"tel hamra": "tel-hamra", "al marwa": "al-marwa"}, aliases=("Tel Hamra", "al-Marwa")).find("shelling of Tel-Hamra, al-Marwa and tel hamra")
        [(12, 21, 'Tel-Hamra'), (23, 31, 'al-Marwa')]
        """
        by_first = self._by_first  # type: ignore[attr-defined]
        out: list[tuple[int, int, str]] = []
        taken = 0
        for w in _CANDIDATE.finditer(text):
            start = w.start()
            if start < taken or not (text[start].isupper() or _particle(text, w)):
                continue
            cands = by_first.get(_cheap(w.group(0)))
            if not cands:
                continue
            # a name may be written with a leading ayn mark; otherwise no letter, apostrophe or hyphen before it
            starts = [start - 1, start] if start and text[start - 1] in "'\u2019`\u02bf\u02be" else [start]
            for at in starts:
                if at and (text[at - 1].isalnum() or text[at - 1] in "_'-"):
                    continue
                m = next((m for rx in cands if (m := rx.match(text, at))), None)
                if m:
                    out.append((m.start(), m.end(), m.group(0)))
                    taken = m.end()
                    break
        return out

    def place_id(self, name: str) -> str | None:
        return self.known.get(normalise_name(name))

    def proposal(self, name: str) -> dict:
        """A draft gazetteer entry for a name the gazetteer lacks: candidates only, no coordinates."""
        from rapidfuzz import fuzz, process

        key = normalise_name(name)
        subs = [
            {"pcode": r["pcode"], "name": r["name"], "score": 100.0}
            for r in self.reference.get(key, [])
        ]
        ref_names = list(self.reference)
        for match, score, _ in process.extract(key, ref_names, scorer=fuzz.ratio, limit=3, score_cutoff=80):
            for r in self.reference[match]:
                if r["pcode"] not in {s["pcode"] for s in subs}:
                    subs.append({"pcode": r["pcode"], "name": r["name"], "score": round(score, 1)})
        similar = [
            {"alias": a, "place_id": self.known[normalise_name(a)], "score": round(s, 1)}
            for a, s, _ in process.extract(name, list(self.aliases), scorer=fuzz.WRatio, limit=3, score_cutoff=85)
        ]
        pid = re.sub(r"[^a-z0-9]+", "-", key).strip("-")
        return {"id": pid, "name": name, "feature": "settlement", "candidate_subdistricts": subs, "similar_aliases": similar}


def load_places(gazetteer: Path | None, geo_dir: Path | None = None, admin1: tuple[str, ...] = ()) -> Places:
    """The case's known names from ``gazetteer.yaml`` and, where given, its reference sub-districts."""
    known: dict[str, str] = {}
    aliases: list[str] = []
    if gazetteer is not None and Path(gazetteer).is_file():
        data = read_yaml(Path(gazetteer)) or {}
        for entry in data.get("places") or []:
            for n in [entry["name"], *(entry.get("aliases") or [])]:
                known.setdefault(normalise_name(str(n)), str(entry["id"]))
                aliases.append(str(n))
    reference: dict[str, list[dict]] = {}
    sub_file = Path(geo_dir) / "opensyria_subdistricts.json" if geo_dir else None
    if sub_file is not None and sub_file.is_file():
        for rec in json.loads(sub_file.read_text(encoding="utf-8")):
            pcode = rec.get("externalIds", {}).get("ochaPcode") or ""
            if admin1 and pcode[:4] not in admin1:
                continue
            names = {rec["name"]["en"]} | {a["value"] for a in rec.get("aliases", []) if a.get("language") == "en"}
            for n in names:
                reference.setdefault(normalise_name(n), []).append({"pcode": pcode, "name": rec["name"]["en"]})
    return Places(known, reference, tuple(dict.fromkeys(aliases)))
