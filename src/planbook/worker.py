"""Notebook executions in their own process, sharing one kernel.

``python -m planbook.worker YEAR DATA_DIR EXTRA_JSON JOBS_JSON`` — started by
:func:`planbook.build.execute_all`. The notebooks of JOBS run one after another
in a single kernel (started once). A failing cell is reported as JSON on stdout
with exit code 3, so the parent can name the notebook, year and cell.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jupyter_client.manager import KernelManager

from .build import WORKER_CELL_ERROR, execute_notebook
from .errors import NotebookError


def main(argv: list[str]) -> int:
    year, data_dir, extra, jobs = int(argv[0]), Path(argv[1]), json.loads(argv[2]), json.loads(argv[3])
    km = KernelManager(kernel_name="python3")
    try:
        for job in jobs:
            execute_notebook(job["chapter"], year, data_dir, Path(job["output"]), extra, km=km)
    except NotebookError as exc:
        print(json.dumps({"notebook": exc.notebook, "year": exc.year, "cell": exc.cell,
                          "ename": exc.ename, "evalue": exc.evalue}, ensure_ascii=False))
        return WORKER_CELL_ERROR
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
