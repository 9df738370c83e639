"""The grading checks, one module per family (``dockerfile``, ``build``, ``image``, ``runtime``, ``structure``).

A family's checks are registered when its module is imported: :func:`base.registry` imports
them all, :func:`base.definition` only the family of the check asked for (``stagelab lint``
needs the static ``dockerfile`` family alone).
"""

from . import base  # noqa: F401

__all__ = ["base"]
