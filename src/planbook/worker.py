"""One notebook execution in its own process: ``python -m planbook.worker CHAPTER YEAR DATA OUT EXTRA``.

Started by :func:`planbook.build.execute_all`. A failing cell is reported as JSON
on stdout with exit code 3, so the parent can name the notebook, year and cell.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .build import WORKER_CELL_ERROR, execute_notebook
from .errors import NotebookError


def main(argv: list[str]) -> int:
    chapter, year, data_dir, output, extra = argv
    try:
        execute_notebook(chapter, int(year), Path(data_dir), Path(output), json.loads(extra))
    except NotebookError as exc:
        print(json.dumps({"notebook": exc.notebook, "year": exc.year, "cell": exc.cell,
                          "ename": exc.ename, "evalue": exc.evalue}, ensure_ascii=False))
        return WORKER_CELL_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
