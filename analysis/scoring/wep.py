"""Words of estimative probability: published scales and a documented phrase mapping, as data.

The scales (Kent 1964, US ICD 203, UK PHIA yardstick) and the mapping of words
outside them ("will", "risks", "imminent" ...) live in ``analysis/data/wep.yaml``
with their citations. :func:`load_scales` reads them; a user's own YAML of
``phrases`` extends the built-in mapping, its ranges replacing the built-in ones for the phrases it
repeats (``idlib score --phrases FILE``; the format is in the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..core.errors import InputError, ParameterError
from ..core.io import load_yaml, read_text

BUILTIN = "wep.yaml"


@dataclass(frozen=True)
class Term:
    scale: str
    term: str  # the scale's own word for the range, or the mapped phrase
    low: float  # probability, 0..1
    high: float
    source: str  # "scale" or "phrase map"
    why: str = ""

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Scales:
    scales: dict  # name -> {"title", "citation", "verified", "terms": {term: (low, high, synonyms)}}
    phrases: dict  # phrase -> (low, high, why)
    phrase_source: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.scales)

    def lookup(self, phrase: str, scale: str) -> Term:
        """The probability range a phrase means on ``scale`` (its own terms first, then the phrase map)."""
        if scale not in self.scales:
            raise ParameterError(f"unknown scale {scale!r}; choose one of {', '.join(self.scales)}", parameter="wep_scale")
        key = _norm(phrase)
        for term, (low, high, synonyms) in self.scales[scale]["terms"].items():
            if key == _norm(term) or key in {_norm(s) for s in synonyms}:
                return Term(scale, term, low, high, "scale")
        if key in self.phrases:
            low, high, why = self.phrases[key]
            return Term(scale, key, low, high, "phrase map", why)
        raise ParameterError(
            f"no mapping for the phrase {phrase!r} on scale {scale!r} or in the phrase map ({self.phrase_source}); add it to a phrase file",
            parameter="probability_phrase",
        )

    def table(self):
        """Every scale's terms and the phrase map as one tidy table (for reports)."""
        import pandas as pd

        rows = [{"scale": name, "term": t, "low": lo, "high": hi, "synonyms": ", ".join(syn)}
                for name, s in self.scales.items() for t, (lo, hi, syn) in s["terms"].items()]
        rows += [{"scale": "phrase map", "term": p, "low": lo, "high": hi, "synonyms": why} for p, (lo, hi, why) in self.phrases.items()]
        return pd.DataFrame(rows)


def _norm(text: str) -> str:
    return " ".join(str(text).lower().replace("(", " ").replace(")", " ").split())


def _range(entry: dict, where: str) -> tuple[float, float]:
    given = [entry.get(k) for k in (("centre", "plus_minus") if "centre" in entry else ("low", "high"))]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
        raise InputError(f"expected numbers in percent, got {given}", file=where)
    if "centre" in entry:
        low, high = entry["centre"] - entry["plus_minus"], entry["centre"] + entry["plus_minus"]
    else:
        low, high = entry["low"], entry["high"]
    if not 0 <= low <= high <= 100:
        raise InputError(f"range {low}..{high} is not within 0..100", file=where)
    return low / 100, high / 100


def _read(path: Path | None) -> dict:
    if path is None:
        text = resources.files("analysis").joinpath("data", BUILTIN).read_text(encoding="utf-8")
        return load_yaml(text, file=BUILTIN)  # the one YAML reader (analysis.core.io), as for a user file
    if not Path(path).is_file():
        raise ParameterError("no such phrase file", parameter="phrase_map", file=path)
    data = load_yaml(read_text(Path(path)), file=path)  # not UTF-8, malformed YAML: InputError with the line
    if not isinstance(data, dict) or not isinstance(data.get("phrases"), dict):
        raise InputError("expected a mapping with a 'phrases' mapping of phrase -> {low, high, why}", file=path, field="phrases")
    return data


def load_scales(phrase_file: str | Path | None = None) -> Scales:
    """The built-in scales and phrase map, extended by the phrases in ``phrase_file`` (which win where both have one)."""
    data = _read(None)
    scales = {}
    for name, s in data["scales"].items():
        terms = {t: (*_range(e, f"{BUILTIN}: scales.{name}.{t}"), tuple(e.get("synonyms", []))) for t, e in s["terms"].items()}
        scales[name] = {"title": s["title"], "citation": " ".join(s["citation"].split()), "verified": " ".join(s["verified"].split()), "terms": terms}
    phrases = {}
    sources = [(BUILTIN, data["phrases"])]
    if phrase_file:  # extends the built-in map; a phrase in both takes the file's range
        sources.append((str(phrase_file), _read(Path(phrase_file))["phrases"]))
    for source, raw in sources:
        for p, e in raw.items():
            if not isinstance(e, dict) or not {"low", "high"} <= set(e):
                raise InputError("expected {low, high, why} in percent", file=source, field=f"phrases.{p}")
            phrases[_norm(p)] = (*_range(e, f"{source}: phrases.{p}"), str(e.get("why", "")))
    return Scales(scales, phrases, " + ".join(s for s, _ in sources))
