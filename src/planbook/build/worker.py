"""Executing chapter notebooks with papermill, and the worker process that does it.

``python -m planbook.build.worker ROOT`` — started by :func:`spawn` (see :class:`Standby`
and :func:`planbook.build.schedule.execute_all`). The worker starts its kernel first thing and
sends it the chapters' imports, loads papermill meanwhile, then reads its task from
stdin: ``{"year", "data_dir", "extra", "jobs"}``. The notebooks of the jobs run one
after another in that one kernel. A job
``{"chapter", "output", "print", "png_cache"}`` with ``print`` set also gets a copy
with the charts' print images, for the PDF, drawn by the same kernel. A failing cell is reported as JSON on
stdout with exit code 3, so the parent can name the notebook, year and cell.

This module imports neither pandas nor the rest of planbook: a worker pays only
for what executing needs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from planbook.errors import BuildError, NotebookError

WORKER_CELL_ERROR = 3
# What every chapter's first cell imports; a worker's kernel is given it while papermill loads.
KERNEL_WARM_UP = "import planbook.book.notebook"


def read_notebook(path: Path):
    """A MyST-markdown notebook as a NotebookNode (papermill cannot read .md itself)."""
    import jupytext

    return jupytext.read(path, fmt="md:myst")


def _mark_hidden(nb) -> None:
    """Hide the parameters and injected-parameters cells on the page; drop run-dependent metadata."""
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)


# A cell with this tag outputs MyST for the page (the researchers' commentary, see
# planbook.book.notebook): after execution it is replaced by that text as Markdown cells.
MARKDOWN_TAG = "commentary"


def _promote_markdown(nb) -> None:
    """Replace each cell tagged :data:`MARKDOWN_TAG` by its ``text/markdown`` outputs as Markdown
    cells (none when it output nothing): on the page their headings are sections and their
    ``{glue:text}`` roles resolve like any of the notebook's own text."""
    import nbformat

    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or MARKDOWN_TAG not in cell.metadata.get("tags", []):
            cells.append(cell)
            continue
        outputs = [o for o in cell.get("outputs", []) if "text/markdown" in o.get("data", {})]
        for k, output in enumerate(outputs):
            text = output["data"]["text/markdown"]
            source = "".join(text) if isinstance(text, list) else text
            md = nbformat.v4.new_markdown_cell(source, id=f"{cell.get('id') or 'cell'}-md{k}")
            origin = (output.get("metadata") or {}).get("planbook")
            if origin:  # where the text comes from (a commentary file and line), for Sphinx's messages
                md.metadata["planbook"] = dict(origin)
            cells.append(md)
    nb.cells = cells


def execute_notebook(chapter: str, year: int, data_dir: Path, output: Path, extra: dict | None = None,
                     km=None, root: Path | None = None) -> Path:
    """Run one chapter notebook with papermill; raise NotebookError naming the failing cell.

    ``extra``: further parameters, passed only to notebooks whose parameters cell names them.
    ``km``: a kernel manager to run in (its kernel is started if needed and left running), so
    that several notebooks share one kernel's start-up and imports. ``root``: the project
    folder (found from the working directory when not given).
    """
    import nbformat
    import papermill as pm

    if root is None:
        from planbook.project import project_root

        root = project_root()
    from planbook.project import chapter_source

    source = chapter_source(root, chapter)
    nb = read_notebook(source)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".partial-{output.name}")
    parameters = {"year": int(year), "data_dir": str(Path(data_dir).resolve())}
    declared = next((c.source for c in nb.cells if "parameters" in c.metadata.get("tags", [])), "")
    parameters.update({k: v for k, v in (extra or {}).items() if re.search(rf"^{k}\s*=", declared, re.M)})
    before = os.environ.get("PLANBOOK_BUILD")
    os.environ["PLANBOOK_BUILD"] = "1"  # the kernel papermill starts shows the site's charts (book.notebook)
    try:
        # No output path for papermill: it would write the whole notebook again at the start and
        # end of every cell (its progress for long runs), which costs more than executing ours.
        # The executed notebook is written once below, complete or not at all.
        result = pm.execute_notebook(
            nb, None, parameters=parameters, request_save_on_cell_execute=False,
            kernel_name="python3", cwd=str(root / "notebooks"), progress_bar=False, log_output=False,
            **({"km": km} if km is not None else {}),
        )
    except pm.PapermillExecutionError as exc:
        raise NotebookError(f"notebooks/{source.name}", int(year), exc.cell_index, exc.ename, exc.evalue) from None
    finally:
        if km is None:  # a kernel of its own, started with the variable: the caller's environment as it was
            if before is None:
                os.environ.pop("PLANBOOK_BUILD", None)
            else:
                os.environ["PLANBOOK_BUILD"] = before
    _mark_hidden(result)
    _promote_markdown(result)
    nbformat.write(result, str(tmp))
    os.replace(tmp, output)  # appears complete or not at all: Sphinx may be waiting for it
    return output


def _send_print_copy(client, notebook: Path, png_cache: Path, output: Path) -> str:
    """Have the kernel (which has drawn charts already, so its renderer is warm) write the PDF's
    copy of ``notebook`` with print images; return the request's id. Not recorded anywhere."""
    code = (f"from pathlib import Path as _P\nfrom planbook.site.vega import add_print_images as _a\n"
            f"_a(_P({str(notebook)!r}), _P({str(png_cache)!r}), output=_P({str(output)!r}))")
    return client.execute(code, silent=True, store_history=False)


def _await_replies(client, ids: list[str]) -> None:
    waiting = set(ids)
    while waiting:
        reply = client.get_shell_msg(timeout=600)
        if reply["parent_header"].get("msg_id") not in waiting:
            continue
        waiting.discard(reply["parent_header"]["msg_id"])
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise BuildError(f"print images could not be drawn: {content.get('ename')}: {content.get('evalue')}")


def _warm_kernel(km) -> object:
    """Send the chapters' imports to the kernel (not recorded in any notebook); return the client.

    The client has a session of its own: two clients sharing the manager's session share its
    identity, and the kernel then sends every reply to the one that connected last (papermill's).
    """
    from jupyter_client.session import Session

    client = km.client(session=Session(key=km.session.key, signature_scheme=km.session.signature_scheme))
    client.start_channels()
    client.wait_for_ready(timeout=60)
    client.execute(KERNEL_WARM_UP, silent=True, store_history=False)
    return client


def spawn(root: Path) -> subprocess.Popen:
    """Start a worker for the project at ``root``: it starts and warms its kernel at once, then
    waits on stdin for its task (one line of JSON; an empty line or end of input dismisses it)."""
    from planbook.build.lock import inherited_fds

    # A worker keeps the build's lock open (see planbook.build.lock): if the build is killed, the
    # next one waits until the worker has gone too.
    return subprocess.Popen([sys.executable, "-m", "planbook.build.worker", str(root)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, pass_fds=inherited_fds())


class Standby:
    """Workers started before the build knows what they will execute.

    ``planbook build`` starts one before it has even loaded pandas or the data: its kernel
    boots meanwhile, and the first notebooks start that much sooner. A worker that is not
    given a task (every notebook cached, bad input, an error) is dismissed and exits.
    """

    def __init__(self, root: Path, count: int = 1):
        self.procs = [spawn(root) for _ in range(count)]

    def take(self) -> subprocess.Popen | None:
        return self.procs.pop(0) if self.procs else None

    def dismiss(self) -> None:
        for proc in self.procs:
            try:
                proc.stdin.close()  # end of input: the worker shuts its kernel down and exits
            except OSError:
                pass
        self.procs = []


def task_line(year: int, data_dir: Path, extra: dict, jobs: list[dict]) -> str:
    return json.dumps({"year": int(year), "data_dir": str(data_dir), "extra": extra, "jobs": jobs},
                      ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    os.environ["PLANBOOK_BUILD"] = "1"  # a build's kernel: the site's charts (planbook.book.notebook)
    km.start_kernel(cwd=str(root / "notebooks"))
    client = None
    try:
        client = _warm_kernel(km)
        import papermill  # noqa: F401  (loads while the kernel imports)

        line = sys.stdin.readline()
        if not line.strip():
            return 0  # dismissed
        task = json.loads(line)
        year, data_dir, extra = int(task["year"]), Path(task["data_dir"]), task["extra"]
        prints = []
        for job in task["jobs"]:
            output = execute_notebook(job["chapter"], year, data_dir, Path(job["output"]), extra, km=km, root=root)
            if job.get("print"):  # the PDF's copy, once the website's is out
                prints.append(_send_print_copy(client, output, Path(job["png_cache"]), Path(job["print"])))
        _await_replies(client, prints)
    except NotebookError as exc:
        print(json.dumps({"notebook": exc.notebook, "year": exc.year, "cell": exc.cell,
                          "ename": exc.ename, "evalue": exc.evalue}, ensure_ascii=False))
        return WORKER_CELL_ERROR
    finally:
        if client is not None:
            client.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
