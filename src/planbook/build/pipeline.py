"""Execute the chapter notebooks with papermill and compile the book with Jupyter Book.

Order of work (each step must succeed before the next):

1. load and validate the catalogue and all data (bad input: exit 2, nothing written);
2. take the output folder's lock (:mod:`planbook.build.lock`: a second build waits), remove what
   killed builds left, and copy the inputs as read into the staging folder (the snapshot
   every notebook reads, whatever happens to the data folder meanwhile);
3. for each edition whose inputs changed since it was published, an :class:`EditionJob`:
   stage its sources, reuse the executed notebooks the cache holds, start Sphinx (website and
   PDF) and execute the other chapters in parallel while it reads, write the downloads and the
   edition record, make the PDF and the other outputs (Word copy, brief), assemble the edition's folder
   (a Sphinx warning fails it);
4. only then replace the published site ``_build/html`` (and PDF) in one move.

A failing cell stops the build with the notebook, the year and the error; the
last good site stays as it was.

The parts live beside this module: :mod:`~planbook.build.schedule` (workers and chapters),
:mod:`~planbook.build.sphinx_control` (the Sphinx processes), :mod:`~planbook.build.config`
(an edition's configuration), :mod:`~planbook.build.swap` (the atomic swap) and
:mod:`~planbook.build.progress` (the progress lines); this module holds the edition job and
:func:`build`, which works from one :class:`BuildPlan`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from planbook.book.edition import Edition
from planbook.inputs.dataset import DataSet, load
from planbook.project import book_config, chapters as chapters_of, project_root
from planbook.errors import BuildError
from planbook.build.worker import WORKER_CELL_ERROR, Standby, execute_notebook, read_notebook, spawn, task_line  # noqa: F401
# The build's parts, one module each; their names are also the pipeline's (tests and callers use them).
from planbook.build.progress import log  # noqa: F401
from planbook.build.schedule import (CHAPTER_CHARTS, CHAPTER_SECONDS, PRINT_IMAGE_SECONDS, SPHINX_SECONDS,  # noqa: F401
                                     WORKER_SECONDS, assign, chapter_seconds, execute_all, plan_workers, ready_order)
from planbook.build.config import draft_watermark, edition_config  # noqa: F401
from planbook.build.sphinx_control import (PLACEHOLDER, READY_FILE, SphinxRun, commentary_place,  # noqa: F401
                                           finish_jupyter_book, sphinx_problems, start_jupyter_book)
from planbook.build.swap import _publish  # noqa: F401


@dataclass(frozen=True)
class BuildResult:
    site: Path
    pdf: Path | None
    year: int
    seconds: float
    docx: Path | None = None
    outputs: dict[str, Path] = field(default_factory=dict)  # every output file, by key (planbook.book.outputs)


def run_chapter(chapter: str, year: int | None = None, data_dir: str | None = None, output: str | None = None) -> Path:
    """Execute a single chapter for a researcher (``planbook run CHAPTER --year Y``)."""
    data = load(data_dir)
    year = data.check_year(year)
    out = Path(output) if output else project_root() / "book" / "chapters" / f"{chapter}.ipynb"
    return execute_notebook(chapter, year, data.data_dir, out)


@dataclass(frozen=True)
class KeptOutputs:
    """The outputs of the PDF build an edition has published (:mod:`planbook.book.outputs`), kept
    when only its website is rebuilt."""

    files: dict[str, Path]  # {key: a copy, in the staging folder}
    inputs: list | None  # the input checksums they were made from (None: not known)


def keep_published(published: Path, stage: Path, edition, prior: dict | None) -> KeptOutputs | None:
    """Copies of the outputs a PDF build of ``edition`` has published (those its record names,
    or by the registry's names when it has no readable record), for a website-only build to keep."""
    from planbook.book.outputs import OUTPUTS, output_files, recorded_files

    names = recorded_files(prior) if prior else output_files(edition)
    folder, copies = published / str(edition.year), {}
    for output in OUTPUTS:
        name = names.get(output.key)
        if output.with_pdf and name and (folder / name).is_file():
            copy = stage / "published" / str(edition.year) / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / name, copy)
            copies[output.key] = copy
    if not copies:
        return None
    return KeptOutputs(copies, (prior.get("pdf_inputs") or prior.get("inputs")) if prior else None)


@dataclass
class EditionJob:
    """One edition being built inside ``stage`` (site, downloads, PDF and Word copy).

    ``edition`` (:class:`planbook.book.edition.Edition`) is what is built: data, year, draft, PDF
    layout (None: website only), names, and the report every writer shares. ``keys`` are the
    chapters' notebook keys (:func:`planbook.build.cache.notebook_key`); ``inputs`` is the
    snapshot of the data the notebooks read (:meth:`DataSet.snapshot`; the data folder itself
    when not given); with ``force`` no executed notebook is taken from the cache. A PDF build
    also makes every output of :data:`planbook.book.outputs.OUTPUTS` made with the PDF (Word
    copy, brief); a website-only build of an edition that has published them keeps them (``kept``).

    The steps, in the order :func:`build_edition` runs them: :meth:`stage_sources`,
    :meth:`reuse_cached`, :meth:`start_sphinx` (which writes the generated pages while Sphinx
    starts up), :meth:`run_notebooks`, :meth:`write_extras`, :meth:`typeset`, :meth:`assemble`.
    """

    root: Path
    edition: Edition
    stage: Path
    out: Path
    keys: dict[str, str]
    standby: Standby | None = None
    inputs: Path | None = None
    force: bool = False
    kept: KeptOutputs | None = None
    # Set by the steps.
    key: str = ""
    files: dict[str, str] = field(default_factory=dict)  # the edition's output files {key: name}
    todo: tuple[str, ...] = ()
    runs: list[SphinxRun] = field(default_factory=list)

    @property
    def data(self) -> DataSet:
        return self.edition.data

    @property
    def year(self) -> int:
        return self.edition.year

    @property
    def pdf(self) -> bool | str:
        """The PDF's layout, or False for a website-only build."""
        return self.edition.layout or False

    @property
    def draft(self) -> bool:
        return self.edition.draft

    @property
    def logs(self) -> Path:
        return self.out / "logs"

    @property
    def cache(self) -> Path:
        return self.out / "cache"

    @property
    def book(self) -> Path:
        return self.stage / "book"

    @property
    def configs(self) -> Path:
        return self.stage / "configs"

    @property
    def chapters(self) -> Path:
        return self.book / "chapters"

    @property
    def prints(self) -> Path:
        """The chapters with their print images, for the PDF."""
        return self.stage / "print"

    @cached_property
    def chapter_names(self) -> tuple[str, ...]:
        """The chapters, from ``_toc.yml`` (read once per edition)."""
        return chapters_of(self.root)

    # 1. The sources of the book as this edition reads them.
    def stage_sources(self) -> None:
        """Copy the book's pages and write the edition's configuration (the generated pages come
        in :meth:`start_sphinx`)."""
        from planbook.book.outputs import output_files
        from planbook.build import cache as nbcache

        from planbook.book.pages import fill_pages, substitutions

        shutil.copytree(self.root / "book", self.book, ignore=shutil.ignore_patterns("chapters", "generated", "_build"))
        fill_pages(self.book, substitutions(self.data, self.year))
        kept = self.kept
        self.key = nbcache.edition_key(self.root, self.keys, self.year, self.pdf or ("kept" if kept else False),
                                       self.data, self.draft)
        self.files = output_files(self.edition) if self.pdf else \
            {key: path.name for key, path in kept.files.items()} if kept else {}
        self.configs.mkdir()
        config = edition_config(self.root, self.edition, self.files)
        (self.configs / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
        from planbook.book.pages import omitted_pages, toc_without

        # The pages this plan has nothing for (no areas, no departments...) are not in its menu.
        toc = yaml.safe_load((self.root / "_toc.yml").read_text("utf-8"))
        (self.configs / "_toc.yml").write_text(yaml.safe_dump(toc_without(toc, omitted_pages(self.data)),
                                                              allow_unicode=True, sort_keys=False), encoding="utf-8")

    # 2. Executed notebooks whose inputs have not changed.
    def reuse_cached(self) -> None:
        """Take each chapter's executed notebook from the cache; the rest are to do (``todo``)."""
        from planbook.build import cache as nbcache

        self.chapters.mkdir()
        names = self.chapter_names
        self.todo = tuple(c for c in names if self.force or not nbcache.copy_cached(
            self.cache / "notebooks", self.keys[c], self.chapters / f"{c}.ipynb"))
        if len(self.todo) < len(names):
            log(f"reused {len(names) - len(self.todo)} executed notebook(s) of {self.year} from the cache")

    # 3. Sphinx starts, the generated pages are written, Sphinx reads those that need no notebook.
    def start_sphinx(self) -> None:
        """Start the website's Sphinx, write the generated pages while it starts up, then start
        the PDF's; each reads the executed chapters as they come."""
        from planbook.book.pages import write_generated_pages
        from planbook.book.pdf import prepare_latex

        order = ready_order(self.todo, os.cpu_count() or 1, self.pdf)
        log(f"building the {self.year} website (jupyter-book html"
            f"{', reading while the notebooks run' if self.todo else ''})")
        work = self.cache / "sphinx" / str(self.year)
        # With a PDF to make, the website is not what the edition waits for (XeLaTeX is): its
        # Sphinx runs at idle priority, using what the notebooks leave and the core XeLaTeX leaves free.
        self.runs.append(SphinxRun.start(work / "html", "html", self.book, self.configs, "_toc.yml", "_config.yml",
                                         self.chapters, order, math_cache=self.cache / "math",
                                         nice="idle" if self.pdf else 0, later=("generated",)))
        write_generated_pages(self.edition, self.book / "generated", self.files)
        self.runs[0].sources_ready(self.book, ("generated",))
        if not self.pdf:
            return
        log(f"building the {self.year} PDF (jupyter-book latex, print images, xelatex)")
        latex_book, latex_configs = self.stage / "book-latex", self.stage / "configs-latex"
        shutil.copytree(self.book, latex_book, ignore=shutil.ignore_patterns("chapters"))
        shutil.copytree(self.configs, latex_configs)
        prepare_latex(latex_book, latex_configs, self.edition)
        self.prints.mkdir()
        # Chapters from the cache first (their images are mostly cached too), then the executed.
        cached = [c for c in self.chapter_names if c not in self.todo]
        self.runs.append(SphinxRun.start(work / "latex", "latex", latex_book, latex_configs, "_toc_latex.yml",
                                         "_config_latex.yml", self.prints, cached + order))

    # 4. The notebooks (and the PDF's print images) while Sphinx reads.
    def run_notebooks(self, pool) -> None:
        """Execute the chapters to do (the workers draw their print images too) and cache them; the
        PDF's copies of the cached chapters are made on ``pool`` meanwhile."""
        from planbook.build import cache as nbcache
        from planbook.site.vega import add_print_images

        if self.pdf:
            cached = [c for c in self.chapter_names if c not in self.todo]
            prints = pool.submit(lambda: [add_print_images(self.chapters / f"{c}.ipynb", self.cache / "png",
                                                           output=self.prints / f"{c}.ipynb") for c in cached])
        if self.todo:
            execute_all(self.year, self.inputs or self.data.data_dir, self.chapters, chapters=self.todo,
                        print_dir=self.prints if self.pdf else None, png_cache=self.cache / "png",
                        standby=self.standby)
            for c in self.todo:
                nbcache.store(self.cache / "notebooks", self.keys[c], self.chapters / f"{c}.ipynb")
        if self.pdf:
            prints.result()

    # 5. What Sphinx does not write.
    def write_extras(self) -> Path:
        """The downloads and the edition record, from the data as it was read (not read again: the
        folder may have changed since), written while Sphinx writes the pages."""
        from planbook.book.downloads import download_names, write_downloads
        from planbook.book.editions import EDITION_FILE, edition_record

        extras = self.stage / "extras"
        write_downloads(self.edition.report, extras / "downloads")
        record = edition_record(self.edition, self.files, download_names(self.year))
        record["build_key"] = self.key
        if self.draft:
            record["draft"] = True
        if self.pdf:
            record["pdf_inputs"] = record["inputs"]
        elif self.kept:
            record["pdf_inputs"] = self.kept.inputs
            record["pdf_outdated"] = self.kept.inputs != record["inputs"]
        (extras / EDITION_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return extras

    # 6. The outputs of the PDF build (PDF, Word copy, brief), once the PDF's Sphinx is done.
    def typeset(self) -> dict[str, Path]:
        """Make every output of the PDF build (:data:`planbook.book.outputs.OUTPUTS`): the first
        (the PDF: XeLaTeX on the LaTeX Sphinx wrote) here, the others (the Word copy from the same
        tree, the brief) one after another beside it. Return them by key."""
        from concurrent.futures import ThreadPoolExecutor

        from planbook.book.outputs import OUTPUTS, Made

        latex = self.runs[1].finish(self.logs)
        log(f"typesetting the {self.year} PDF (xelatex) and making its other outputs")
        made = Made(self.edition, latex, self.stage / "outputs", self.logs)
        made.folder.mkdir(parents=True, exist_ok=True)
        first, *others = [o for o in OUTPUTS if o.with_pdf]
        with ThreadPoolExecutor(max_workers=1) as side:  # XeLaTeX is another process
            pending = {o.key: side.submit(o.make, made) for o in others}
            paths = {first.key: first.make(made)}
            paths |= {key: future.result() for key, future in pending.items()}
        log(f"typeset the {self.year} PDF; made {', '.join(paths)}")
        return paths

    # 7. One folder: the website, the extras, the outputs of the PDF build.
    def assemble(self, built: Path, extras: Path, made: dict[str, Path] | None) -> Path:
        # Sphinx writes its output anew in every build, so it can be moved rather than copied.
        html = self.stage / "html"
        shutil.move(built, html)
        (html / ".buildinfo").unlink(missing_ok=True)
        for item in extras.iterdir():
            os.replace(item, html / item.name)
        if made is not None:
            for key, path in made.items():
                shutil.copyfile(path, html / self.files[key])
        elif self.kept is not None:
            log(f"kept the published {self.year} PDF (website only was rebuilt; build with --pdf to renew it)")
            for key, path in self.kept.files.items():
                shutil.copyfile(path, html / self.files[key])
        return html

    def stop(self) -> None:
        for run in self.runs:
            run.stop()


def build_edition(job: EditionJob) -> Path:
    """Build one edition; return its HTML folder (inside ``job.stage``).

    Everything that can overlap does: the website's Sphinx (and the PDF's) start at once and
    read the pages that need no notebook while the notebooks execute; the workers draw the
    print images for the PDF; the downloads are written while Sphinx writes the pages; XeLaTeX
    runs when the LaTeX is ready, the Word copy beside it.
    """
    from concurrent.futures import ThreadPoolExecutor

    job.stage_sources()
    job.reuse_cached()
    try:
        job.start_sphinx()
        with ThreadPoolExecutor(max_workers=2) as pool:
            job.run_notebooks(pool)
            typesetting = pool.submit(job.typeset) if job.pdf else None
            extras = job.write_extras()
            built = job.runs[0].finish(job.logs)
            log(f"the {job.year} website is written")
            made = typesetting.result() if typesetting else None
    finally:
        job.stop()
    return job.assemble(built, extras, made)


def published_record(site: Path, year: int) -> dict | None:
    """The published ``edition.json`` of ``year``; None when there is none or it is unreadable
    (the edition is then simply built again)."""
    from planbook.book.editions import EDITION_FILE, read_record
    from planbook.errors import InputError

    path = site / str(year) / EDITION_FILE
    if not path.is_file():
        return None
    try:
        return read_record(path)
    except InputError:
        log(f"{path} is unreadable: the {year} edition is built again")
        return None


def published_key(site: Path, year: int) -> str | None:
    record = published_record(site, year)
    return record.get("build_key") if record else None


def write_root(site: Path, title: str, cat) -> None:
    """The root page listing the editions, and the script behind every page's version switcher."""
    from planbook.book.editions import SWITCHER_FILE, read_editions, root_index, switcher_js

    records = read_editions(site)
    (site / "index.html").write_text(root_index(records, title, cat), encoding="utf-8")
    (site / SWITCHER_FILE).write_text(switcher_js(records), encoding="utf-8")


def build(year: int | None = None, data_dir: str | Path | None = None, pdf: bool = False,
          out_dir: str | Path | None = None, all_years: bool = False, force: bool = False,
          standby: Standby | None = None, draft: bool = False, layout: str | None = None) -> list[BuildResult]:
    """Build editions and publish them only when every one of them succeeded.

    The site is ``<out_dir>/html`` (default ``_build/html``): a root page listing the
    editions and one folder per edition, ``<year>/``.  Without ``all_years`` only the
    edition of ``year`` (default: the latest year with data) is (re)built; the other
    published editions stay as they are.  An edition whose inputs are unchanged since it
    was published is kept without rebuilding (see :mod:`planbook.build.cache`) unless ``force``.  With the
    default output the executed notebooks of the last edition built are also copied to
    ``book/chapters``. Workers in ``standby`` (see :class:`planbook.build.worker.Standby`) are
    used for the first edition's notebooks, and dismissed when not needed. With ``draft`` the
    editions built are marked 征求意见稿 (a banner on every page, a watermark on every PDF page).
    ``layout`` is the PDF's (``book`` or ``gongwen``; default: ``planbook.pdf_layout`` of the
    book's configuration); with ``pdf`` the Word copy is made too.
    """
    try:
        if pdf:
            from planbook.book.pdf import pdf_layout

            pdf = pdf_layout(book_config(project_root()), layout)
        return _build(year, data_dir, pdf, out_dir, all_years, force, standby, draft)
    finally:
        if standby is not None:
            standby.dismiss()


def _build(year: int | None, data_dir: str | Path | None, pdf: bool | str, out_dir: str | Path | None,
           all_years: bool, force: bool, standby: Standby | None, draft: bool = False) -> list[BuildResult]:
    from planbook.book.editions import edition_years
    from planbook.build.lock import BuildLock, claim_output, clean_stale

    started = time.monotonic()
    root = project_root()
    # Sphinx and the workers run in other folders: every path is made absolute first.
    data = load(Path(data_dir).resolve() if data_dir else None)
    years = edition_years(data) if all_years else [data.check_year(year)]
    for y in years:
        if y not in data.years:
            raise BuildError(f"no observations for {y}: years with data are {', '.join(map(str, data.years))}")
    log(f"data OK: {len(data.catalogue.indicators)} indicators, years {data.years[0]}–{data.years[-1]}; "
        f"edition(s) {', '.join(map(str, years))}")
    out = Path(out_dir).resolve() if out_dir else root / "_build"
    out.mkdir(parents=True, exist_ok=True)
    published = out / "html"
    claim_output(out)  # never replaces what planbook did not make (refused before anything is written)
    with BuildLock(out, log):  # one build at a time in this folder (a second one waits)
        removed = clean_stale(out)
        if removed:
            log(f"removed {len(removed)} file(s) or folder(s) left by a build that was killed")
        _check_published_records(published, years)
        stage = Path(tempfile.mkdtemp(prefix=".stage-", dir=out))
        try:
            return _build_locked(BuildPlan(root, data, tuple(years), pdf, out, published, stage, out_dir is None,
                                           force, standby, started, draft))
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def _check_published_records(published: Path, rebuilt: list[int]) -> None:
    """Each published edition not rebuilt now is carried over and listed on the root page:
    its record must be readable (found before any work is done)."""
    from planbook.book.editions import EDITION_FILE, read_record

    for folder in sorted(published.glob("[0-9][0-9][0-9][0-9]")) if published.is_dir() else []:
        if int(folder.name) not in rebuilt and folder.is_dir():
            read_record(folder / EDITION_FILE)


@dataclass(frozen=True)
class BuildPlan:
    """What one build does, decided before the work starts (under the output folder's lock)."""

    root: Path  # the project
    data: DataSet  # read and validated once
    years: tuple[int, ...]  # the editions to build
    pdf: bool | str  # the PDF's layout, or False for the websites only
    out: Path  # the output folder (``_build``)
    published: Path  # the published site in it (``_build/html``)
    stage: Path  # the staging folder, removed after the build
    default_out: bool  # the project's own ``_build``: the executed chapters are copied back to ``book/``
    force: bool  # rebuild editions whose inputs are unchanged
    standby: Standby | None  # a notebook worker already started
    started: float  # time.monotonic() at the start, for the closing line
    draft: bool = False  # editions marked 征求意见稿


def _build_locked(plan: BuildPlan) -> list[BuildResult]:
    from planbook.book.outputs import output_files
    from planbook.build import cache as nbcache

    root, data, years, pdf, out, published, stage = (plan.root, plan.data, plan.years, plan.pdf, plan.out,
                                                     plan.published, plan.stage)
    force, standby, draft = plan.force, plan.standby, plan.draft
    config = book_config(root)

    results = []

    def done(edition: Edition, t0: float) -> None:
        y = edition.year
        files = {k: published / str(y) / name for k, name in output_files(edition).items()} if pdf else {}
        results.append(BuildResult(site=published / str(y), pdf=files.get("pdf"), year=y,
                                   seconds=time.monotonic() - t0, docx=files.get("docx"), outputs=files))

    # The inputs as read and validated, for the notebooks: the data folder may change meanwhile.
    inputs = data.snapshot(stage / "inputs")
    site = stage / "site"
    site.mkdir()
    rebuilt, last_book = 0, None
    for y in years:
        t0 = time.monotonic()
        edition = Edition.of(data, y, config, draft=draft, layout=pdf or None)
        # What the previous edition was released with is an input (data/releases/<y-1>.csv, in
        # the snapshot), never the site as it happens to be: pages do not depend on build history.
        keys = {c: nbcache.notebook_key(root, data, c, y) for c in chapters_of(root)}
        prior = published_record(published, y)
        kept = None if pdf else keep_published(published, stage, edition, prior)
        if not force and prior and prior.get("build_key"):
            mode = pdf or ("kept" if kept else False)
            same = {nbcache.edition_key(root, keys, y, mode, data, draft)}
            if not pdf:  # what a PDF build of the same inputs published is as good, whatever its layout
                from planbook.book.pdf import LAYOUTS

                same.update(nbcache.edition_key(root, keys, y, lay, data, draft) for lay in LAYOUTS)
            if prior["build_key"] in same:
                log(f"edition {y} unchanged since it was published: kept")
                done(edition, t0)
                continue
        edition_stage = stage / f"edition-{y}"
        edition_stage.mkdir()
        html = build_edition(EditionJob(root, edition, edition_stage, out, keys, standby=standby, inputs=inputs,
                                        force=force, kept=kept))
        os.replace(html, site / str(y))
        rebuilt += 1
        last_book = edition_stage / "book"  # with the executed notebooks and generated pages
        done(edition, t0)
        log(f"edition {y} built in {results[-1].seconds:.1f} s")
    if rebuilt:
        # Editions not rebuilt now are carried over as published.
        for folder in sorted(published.glob("[0-9][0-9][0-9][0-9]")) if published.is_dir() else []:
            if folder.is_dir() and not (site / folder.name).exists():
                shutil.copytree(folder, site / folder.name)
        write_root(site, config["title"], data.catalogue)
        _publish(site, published)
    if plan.default_out and last_book is not None:
        for name in ("chapters", "generated"):
            dest = root / "book" / name
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(last_book / name, dest)
    log(f"done in {time.monotonic() - plan.started:.1f} s")
    return results
