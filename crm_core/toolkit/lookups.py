"""Per-chunk lookups for schemas: ``lookup`` loads a kind of reference once for every row of an
import chunk (one query), or once per call outside an import (see the plugin guide, "Element
events: scope, access, batches")."""

from __future__ import annotations

from crm_core.services.lookups import lookup

__all__ = ["lookup"]
