"""Rules on the characters of user text, shared by forms, the API, the import and file names
(NF-02).

Control characters (NUL, the other C0 controls but TAB, LF and CR, DEL and the C1 controls)
are invisible, break CSV and PDF output and terminals, and are a classic way to hide content;
no field of the CRM needs them. One predicate says which text holds one, so every path that
accepts text refuses the same characters.
"""

from __future__ import annotations

import re

#: C0 controls except TAB (09), LF (0A) and CR (0D); DEL (7F); C1 controls (80–9F); and lone
#: UTF-16 surrogates (D800–DFFF), which no encoding can store.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def find_control_character(text: str) -> str | None:
    """The first forbidden control character in ``text``, or ``None`` when there is none."""
    match = CONTROL_CHARACTERS.search(text)
    return match.group() if match else None


def code_point(char: str) -> str:
    """``U+0007``: how a message names an invisible character."""
    return f"U+{ord(char):04X}"
