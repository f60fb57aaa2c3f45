"""The build's progress lines on stderr, timed from the start of the process."""

from __future__ import annotations

import sys
import time

_STARTED = time.monotonic()


def log(message: str) -> None:
    """A progress line on stderr, in the language of the messages (the phrasebook's patterns)."""
    from planbook.errors import language, translate

    if language() == "zh":
        message = translate(message) or message
    print(f"[planbook {time.monotonic() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)
