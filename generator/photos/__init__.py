"""Photos: branch photos → content-addressed, metadata-free sRGB WebP renditions.

``pixels`` holds the pure work on one photo, ``cache`` stores it by content, ``publish`` decides
what needs doing, runs it on every core and places the files. Nothing here imports MkDocs or
any other step of the generator: the step stays usable (and testable) on its own.
"""

from .cache import rendition_file
from .publish import clean_stale, process_photos
from .results import PhotoFailure, PhotoResult, Rendition
from .settings import PhotoSettings

__all__ = [
    "PhotoFailure",
    "PhotoResult",
    "PhotoSettings",
    "Rendition",
    "clean_stale",
    "process_photos",
    "rendition_file",
]
