"""``python -m planbook.site.sphinx_run ARGS…``: ``jupyter-book build ARGS…`` that ends as soon as the
book is written.

A Sphinx process ends with a large heap, and Python's clean-up at exit takes about 0.4 s of it
on this project's machine — after every file has been written. ``planbook build`` waits for
its Sphinx processes, so this one flushes its output and leaves with :func:`os._exit`. The
build itself is Jupyter Book's own command, with its messages and its exit status.

Python's cyclic garbage collector is off while Sphinx starts and reads the pages: every
document tree is a cycle (each node points to its parent), so the heap grows by thousands of
nodes per page and the collector walked all of it again and again — a tenth of an edition's
build (an edition took 0.88–0.91 of the time without it, measured side by side). Once the
pages are read, what exists is frozen (never examined again) and collection resumes for the
writing, so the memory of a large book stays bounded; an edition of this project peaks at
about 280 MB instead of 230 MB.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback


def _collect_after_reading() -> None:
    """Switch the garbage collector back on once Sphinx has read the pages (see above)."""
    from sphinx.builders import Builder

    read = Builder.read

    def read_then_collect(self, *args, **kwargs):
        try:
            return read(self, *args, **kwargs)
        finally:
            gc.freeze()
            gc.enable()

    Builder.read = read_then_collect


def main(argv: list[str]) -> int:
    gc.disable()
    # A build that is not on the critical path (the website while the PDF is being made) is
    # started with PLANBOOK_NICE: it yields the cores to the work the PDF waits for.
    nice = os.environ.get("PLANBOOK_NICE", "0")
    if nice == "idle" and hasattr(os, "SCHED_IDLE"):  # Linux: run only when a core is free
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif nice != "0":
        os.nice(19 if nice == "idle" else int(nice))
    from jupyter_book.cli.main import main as jupyter_book

    _collect_after_reading()

    try:
        jupyter_book.main(["build", *argv], standalone_mode=False)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # Jupyter Book reports a failed build by raising: show it, fail
        traceback.print_exc()
        code = 1
    return code


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
