"""The grading checks, one module per family. Importing this package registers them all."""

from . import base, build, dockerfile, image, runtime, structure  # noqa: F401

__all__ = ["base"]
