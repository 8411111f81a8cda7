"""Offline extraction: a new document in, reviewable drafts out (issue 17).

``read_document`` (text/HTML/PDF -> normalised text), ``extract_text`` (text -> drafts),
``write_drafts`` (drafts -> ``drafts/<doc_id>/``), ``extract_paths`` (many files, in
parallel), ``accept`` (reviewed drafts -> ``seeds/``) and ``evaluate`` (drafts against
expected claims: precision and recall per kind).
"""

from .core import Extraction, extract_text
from .places import Places, load_places
from .readers import read_document

__all__ = ["Extraction", "Places", "extract_text", "load_places", "read_document"]
