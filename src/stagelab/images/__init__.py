"""Base images without a registry: the catalogue, stand-ins made locally, and the workshop kit.

``prepare()`` makes every course image available (keep, pull, or build a stand-in);
``status()`` and ``missing_images()`` say what the engine holds; ``kit`` exports and
imports all course images as one archive for rooms without a network.
"""

from .catalogue import Availability, Entry, entries, from_references, is_known, lookup, normalise
from .prepare import Action, ImageStatus, Outcome, PrepareReport, Progress, Source, missing_images, prepare, status

__all__ = [
    "Action",
    "Availability",
    "Entry",
    "ImageStatus",
    "Outcome",
    "PrepareReport",
    "Progress",
    "Source",
    "entries",
    "from_references",
    "is_known",
    "lookup",
    "missing_images",
    "normalise",
    "prepare",
    "status",
]
