"""The landing zone: its contract (contract.py, read from the sources YAML), how files and
timestamps are written to it (files.py, timestamps.py) and how a whole landing is replaced in
one step (swap.py). Shared by the generator, the importer, the build and the flow."""

from .swap import MARKER, LandingError, check_replaceable, recover, replace_landing, require_landing

__all__ = ["MARKER", "LandingError", "check_replaceable", "recover", "replace_landing", "require_landing"]
