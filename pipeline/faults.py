"""Named points where a test can stop this process, to kill it there: crash tests without timing.

The core calls `checkpoint(name)` at a few points of a run:

    "sitemap"  a sitemap (or a robots.txt naming sitemaps) has been fetched: backfill discovery
    "fetch"    a page of a batch has been fetched
    "nlp"      an article of a batch has been annotated
    "write"    inside a batch's write transaction: its articles are inserted (none, when none was fetched
               or another writer stored them all), their mentions, topics and quotes not yet, nothing
               committed

With `NEWSMON_PAUSE_AT=<name>[:<nth>]` in the environment (nth counts from 1, default 1), the nth time the
process reaches that point it writes a line to the file named by `NEWSMON_PAUSE_FILE` and stops itself
(SIGSTOP: every thread freezes where it is), so the test that waits for that file can SIGKILL it exactly
there. Without the variable, which is read once at import, a checkpoint is one comparison.
"""

from __future__ import annotations

import os
import signal
import threading

PAUSE_AT = "NEWSMON_PAUSE_AT"
PAUSE_FILE = "NEWSMON_PAUSE_FILE"
NAMES = ("sitemap", "fetch", "nlp", "write")


def _target(spec: str | None) -> tuple[str, int] | None:
    if not spec:
        return None
    name, _, nth = spec.partition(":")
    if name not in NAMES or (nth and not (nth.isdigit() and int(nth) > 0)):
        raise ValueError(f"{PAUSE_AT} must be one of {', '.join(NAMES)}, optionally :N (N >= 1), not {spec!r}")
    return name, int(nth or 1)


_TARGET = _target(os.environ.get(PAUSE_AT))
_reached = 0
_lock = threading.Lock()


def checkpoint(name: str) -> None:
    """Pause here for good when the environment asks for this point (see the module's docstring)."""
    if _TARGET is None or name != _TARGET[0]:
        return
    global _reached
    with _lock:
        _reached += 1
        if _reached != _TARGET[1]:
            return
        _pause(name, _reached)


def _pause(name: str, nth: int) -> None:
    marker = os.environ.get(PAUSE_FILE)
    if marker:  # written whole, then renamed: whoever sees the file sees all of it
        with open(f"{marker}.part", "w", encoding="utf-8") as fh:
            fh.write(f"{name}:{nth} pid {os.getpid()} thread {threading.current_thread().name}\n")
        os.replace(f"{marker}.part", marker)
    while True:  # SIGSTOP freezes the whole process; should someone continue it, this thread stays here
        os.kill(os.getpid(), signal.SIGSTOP)
        threading.Event().wait()
