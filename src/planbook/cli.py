"""The one command line: ``planbook check | indicators | assess | demo | run | build | template | ingest | verify
| commentary``.

Bad input never shows a traceback: every problem is one line on stderr and
the exit code is 2.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import signal
import sys
import threading
from pathlib import Path

from planbook import __version__
from planbook.errors import PlanbookError

EXIT_INPUT = 2


def _clean(value):
    """JSON-friendly: NaN, infinities and None to null, numpy scalars to Python."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _dump_json(records) -> None:
    """Strict JSON (never NaN or Infinity, which JSON does not have)."""
    json.dump(records, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
    print()


def _csv_out(frame) -> None:
    from planbook.spreadsheet import csv_frame

    csv_frame(frame).to_csv(sys.stdout, index=False, lineterminator="\n")


def cmd_check(args) -> int:
    from planbook.inputs.dataset import load

    ds = load(args.data)
    cat = ds.catalogue
    n_table = len(cat.table)
    print(f"catalogue {cat.path}: {len(cat.indicators)} entries "
          f"({n_table} rows of the plan's table, {len(cat.text_targets)} text targets), "
          f"{len(cat.context)} context series: OK")
    counts = ds.observations.groupby("year")["kind"].value_counts().unstack(fill_value=0)
    for year, row in counts.iterrows():
        parts = ", ".join(f"{int(n)} {kind}" for kind, n in row.items() if n)
        print(f"observations {year}: {parts}: OK")
    conflicts = cat.conflicts()
    print(f"plan consistency: {len(conflicts)} conflict(s) between the table and the text")
    for c in conflicts:
        print(f"  - {c.describe_en(cat)}")
        print(f"    {c.describe_zh(cat)}")
    for note in cat.audit_notes:
        print(f"  - note on {', '.join(note.ids)}: {note.note_en}")
    return _check_commentary(ds, args.year, args.final)


def _check_commentary(ds, year: int | None, final: bool) -> int:
    """Warn about stale commentary (the exit code is unchanged); with ``final``, list what a final
    edition of ``year`` still lacks and return 2 when anything does."""
    from planbook.report.commentary import change_line, final_gaps, stale
    from planbook.report.report import Report

    if year is not None or final:
        year = ds.check_year(year)
    for y in sorted({c.year for c in ds.commentary if year is None or c.year == year}):
        if y not in ds.years:
            print(f"warning: commentary/{y}: no observations for {y} yet, so it is not checked", file=sys.stderr)
            continue
        report = Report(data=ds, year=y)
        found = [c for c in ds.commentary if c.year == y]
        for c in found if not final else []:  # (--final lists them with what else is missing)
            for change in stale(report, c):
                print(f"warning: {change_line(report, c, change)}", file=sys.stderr)
        print(f"commentary {y}: {', '.join(c.chapter for c in found)}")
    if not final:
        return 0
    gaps = final_gaps(Report(data=ds, year=year))
    for gap in gaps:
        print(f"missing: {gap}", file=sys.stderr)
    if gaps:
        print(f"edition {year} is not ready to be final: {len(gaps)} thing(s) missing", file=sys.stderr)
        return EXIT_INPUT
    print(f"edition {year}: ready to be final (commentary complete and current, every department reported)")
    return 0


def cmd_commentary(args) -> int:
    """Scaffold the commentary files of an edition (never overwriting); ``--refresh`` records the
    current state in the front matter of those that exist (their text is kept as it is)."""
    import os

    from planbook.inputs.commentary import with_front_matter
    from planbook.inputs.dataset import load
    from planbook.report.commentary import chapters, record_front_matter, scaffold
    from planbook.report.report import Report

    data = load(args.data)
    report = Report(data=data, year=data.check_year(args.year))
    folder = data.data_dir / "commentary" / str(report.year)
    for chapter in chapters(report):
        path = folder / f"{chapter}.md"
        existing = data.commentary_for(report.year, chapter)
        if existing is None and not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as f:  # "x": never replaces a file
                f.write(scaffold(report, chapter))
            print(f"wrote {path}")
        elif args.refresh and existing is not None:
            text = existing.file.data.decode("utf-8-sig")
            new = with_front_matter(text, record_front_matter(report, chapter))
            if new == text:
                print(f"{path}: already records the current state")
                continue
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(new, encoding="utf-8")
            os.replace(tmp, path)
            print(f"refreshed {path}: its front matter records the current state (the text is unchanged)")
        else:
            print(f"kept {path}: it exists and is never overwritten"
                  + ("" if args.refresh else " (--refresh records the current state in its front matter)"))
    return 0


def cmd_indicators(args) -> int:
    from planbook.plan.catalogue import indicator_records, load_catalogue
    from planbook.inputs.dataset import catalogue_path, default_data_dir

    cat = load_catalogue(catalogue_path(Path(args.data) if args.data else default_data_dir()))
    records = indicator_records(cat)
    if args.format == "json":
        _dump_json(records)
    else:
        import pandas as pd

        flat = [{**r, "baseline": json.dumps(r["baseline"], ensure_ascii=False) if r["baseline"] else "",
                 "targets": json.dumps(r["targets"], ensure_ascii=False),
                 "window": json.dumps(r["window"]) if r["window"] else ""} for r in records]
        _csv_out(pd.DataFrame(flat))
    return 0


ASSESS_FIELDS = ["id", "dimension", "year", "value", "value_year", "data_kind", "milestone", "target",
                 "comparison", "status", "pace", "light", "reason", "ratio", "completion", "time_elapsed",
                 "milestone_value", "met_year", "projected_value", "projected_year", "required_annual_change",
                 "base_year", "base_value", "base_from"]


def cmd_assess(args) -> int:
    from planbook.assess.progress import assess
    from planbook.inputs.dataset import load

    ds = load(args.data)
    year = ds.check_year(args.year)
    frame = assess(ds.catalogue_in_force(year), ds.observations, year)[ASSESS_FIELDS]
    records = [{k: _clean(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
    if args.format == "json":
        _dump_json(records)
    elif args.format == "csv":
        _csv_out(frame)
    else:
        from planbook.report.format import plain_table

        print(plain_table(frame))
    return 0


def cmd_demo(args) -> int:
    from planbook.inputs.demo import write_demo

    for path in write_demo(Path(args.data) if args.data else None):
        print(f"wrote {path}")
    return 0


def cmd_run(args) -> int:
    from planbook.build.pipeline import run_chapter

    out = run_chapter(args.chapter, year=args.year, data_dir=args.data, output=args.output)
    print(f"executed notebook: {out}")
    return 0


def cmd_build(args) -> int:
    from planbook.project import project_root
    from planbook.build.worker import Standby

    # A notebook worker starts now, before the build has loaded pandas or read the data.
    standby = Standby(project_root())
    try:
        from planbook.build.pipeline import build
    except BaseException:
        standby.dismiss()
        raise
    results = build(year=args.year, data_dir=args.data, pdf=args.pdf, all_years=args.all, out_dir=args.out,
                    force=args.force, standby=standby, draft=args.draft)
    for result in results:
        print(f"edition {result.year}: {result.site / 'index.html'}")
        if result.pdf:
            print(f"          {result.pdf}")
    print(f"site: {results[0].site.parent / 'index.html'} (all editions)")
    return 0


def cmd_template(args) -> int:
    from planbook.inputs.dataset import load
    from planbook.inputs.intake import write_template

    data = load(args.data)
    out = Path(args.output or f"填报表-{args.year}.xlsx")
    write_template(data, args.year, out, department=args.department)
    print(f"wrote {out}: one row per indicator; departments fill value and source")
    return 0


def cmd_ingest(args) -> int:
    from planbook.errors import InputError
    from planbook.inputs.intake import prepare, write

    intake = prepare(Path(args.file), args.year, Path(args.data) if args.data else None)
    if intake.problems and not args.dry_run:
        raise InputError(intake.problems)
    for c in intake.changes:
        last = f"   (上年 {c.last[0]}: {c.last[1]:g})" if c.last else ""
        print(f"  {c.kind:8} {c.indicator_id} {c.name}: {c.old or '—'} → {c.new or '—'}{last}")
    for c in intake.progress_changes:
        print(f"  {c.kind:8} {c.indicator_id} {c.name}: {c.old or '—'} → {c.new or '—'}")
    for jump in intake.jumps:  # not refused: a person confirms them
        print(f"warning: {jump.describe(args.year)}", file=sys.stderr)
    targets = [f"{len(changes)} change(s) to {target}" for target, changes in
               ((intake.target, intake.changes), (intake.progress_target, intake.progress_changes)) if changes]
    if args.dry_run:
        print(f"dry run: {' and '.join(targets) or 'no change'} would be written"
              + (" (with --force: values of that year would change)" if intake.replaces else ""))
        if intake.problems:
            raise InputError(intake.problems)
        return 0
    if write(intake, force=args.force):
        print(f"wrote {' and '.join(targets)}; run `planbook check`, then `planbook build --year {args.year}`")
    else:
        print(f"{intake.target}: already up to date, nothing written")
    return 0


COMMITMENT_FIELDS = ["id", "kind", "dimension", "chapter", "section", "quote", "deadline", "area", "department",
                     "department_source"]


def cmd_commitments(args) -> int:
    """The register of commitments; with --year, each one's status, light, evidence and source."""
    from planbook.assess.commitments import judge_all
    from planbook.inputs.dataset import load

    ds = load(args.data)
    reg = ds.register
    records = []
    judged = judge_all(reg, ds.progress, ds.check_year(args.year)).set_index("id") if args.year is not None else None
    for c in reg.commitments:
        dep, source = reg.department_of(c.id)
        rec = {"id": c.id, "kind": c.kind, "dimension": c.dimension, "chapter": c.chapter, "section": c.section,
               "quote": c.quote, "deadline": c.deadline,
               "area": ",".join(reg.area_by_id[a].name_zh for a in c.areas) or None,
               "department": dep.name_zh if dep else None, "department_source": source}
        if judged is not None:
            j = judged.loc[c.id]
            rec |= {"year": int(j["year"]), "status": j["status"], "light": j["light"],
                    "evidence": _clean(j["evidence"]), "source": _clean(j["source"]),
                    "report_year": _clean(j["report_year"]), "data_kind": _clean(j["data_kind"])}
        records.append({k: _clean(v) for k, v in rec.items()})
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        import pandas as pd

        frame = pd.DataFrame(records)
        if args.format == "csv":
            frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        else:
            from planbook.report.format import plain_table

            shown = [c for c in ("id", "kind", "deadline", "department", "status", "light") if c in frame]
            print(plain_table(frame[shown]))
    return 0


def cmd_init(args) -> int:
    from planbook.book.scaffold import init

    written = init(Path(args.folder))
    print(f"wrote {len(written)} files into {args.folder}: an evaluation book with an example plan (made up).")
    print(f"next: cd {args.folder} && planbook check && planbook build --pdf   (then replace the example: see README.md)")
    return 0


def cmd_release(args) -> int:
    from planbook.book.editions import record_release

    path, n = record_release(args.year, args.data)
    print(f"wrote {path}: the {n} values edition {args.year} is released with; "
          f"edition {args.year + 1} will list the values revised since")
    return 0


def cmd_verify(args) -> int:
    from planbook.inputs.dataset import project_root
    from planbook.book.verify import verify

    site = Path(args.site) if args.site else project_root() / "_build" / "html"
    result = verify(site, args.year, args.data)
    for line in result.changed_inputs:
        print(f"input {line}")
    if result.ok:
        print(f"verified: the {result.records} published assessment records of {args.year} match a fresh run")
        return 0
    for line in result.mismatches:
        print(f"mismatch: {line}", file=sys.stderr)
    print(f"{len(result.mismatches)} published number(s) of {args.year} differ from a fresh run", file=sys.stderr)
    return 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planbook", description="Annual evaluation books of a plan's implementation: catalogue, yearly data, assessment, site and PDF")
    p.add_argument("--version", action="version", version=f"planbook {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    data_help = "folder laid out like data/ (its own observations/; the project's catalogue unless it has one)"

    s = sub.add_parser("check", help="validate the catalogue and every observation file; list the plan's conflicts; "
                                     "warn about commentary written against data that have changed")
    s.add_argument("--data", help=data_help)
    s.add_argument("--year", type=int, help="check only this edition's commentary (default: every edition's)")
    s.add_argument("--final", action="store_true", help="list what a final edition of --year (default: the latest) "
                   "still lacks — commentary sections, current commentary, department reports — exit 2 if anything")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("indicators", help="print the catalogue, one record per indicator")
    s.add_argument("--format", choices=["json", "csv"], default="json")
    s.add_argument("--data", help=data_help)
    s.set_defaults(func=cmd_indicators)

    s = sub.add_parser("assess", help="assess every indicator and milestone as of a year")
    s.add_argument("--year", type=int, help="report year (default: latest year with data)")
    s.add_argument("--data", help=data_help)
    s.add_argument("--format", choices=["json", "csv", "table"], default="table")
    s.set_defaults(func=cmd_assess)

    s = sub.add_parser("demo", help="regenerate the labelled demo values and statuses from demo.yaml (official rows are kept)")
    s.add_argument("--data", help=data_help)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("run", help="execute one chapter notebook with papermill")
    s.add_argument("chapter", help="overview, smart, green, balanced or two_way")
    s.add_argument("--year", type=int)
    s.add_argument("--data", help=data_help)
    s.add_argument("--output", help="where to write the executed .ipynb")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("build", help="execute every chapter and build the website (and PDF)")
    group = s.add_mutually_exclusive_group()
    group.add_argument("--year", type=int, help="report year (default: latest year with data)")
    group.add_argument("--all", action="store_true", help="build an edition for every year with data")
    s.add_argument("--data", help=data_help)
    s.add_argument("--pdf", action="store_true", help="also build the PDF")
    s.add_argument("--out", help="output folder (default: _build); the site is OUT/html")
    s.add_argument("--force", action="store_true", help="rebuild editions even when their inputs are unchanged, executing every notebook again")
    s.add_argument("--draft", action="store_true", help="mark the editions built 征求意见稿 (banner on every page, watermark on every PDF page)")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("commentary", help="write the commentary files of an edition that do not exist yet "
                                          "(commentary/<year>/<chapter>.md: headings, the facts to discuss as comments)")
    s.add_argument("--year", type=int, help="the edition (default: latest year with data)")
    s.add_argument("--data", help=data_help)
    s.add_argument("--refresh", action="store_true", help="in files that exist, record the current state in the "
                   "front matter (after reviewing them); their text is kept")
    s.set_defaults(func=cmd_commentary)

    s = sub.add_parser("template", help="write the XLSX form departments fill for a year")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--data", help=data_help)
    s.add_argument("--output", help="where to write the form (default: 填报表-<year>.xlsx)")
    s.add_argument("--department", help="only what this department (id or name, see data/departments.yaml) reports")
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("ingest", help="validate a filled form and write observations/<year>.csv")
    s.add_argument("file", help="the filled form: .xlsx or .csv (UTF-8 or GBK)")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--data", help=data_help)
    s.add_argument("--force", action="store_true", help="replace existing values of that year")
    s.add_argument("--dry-run", action="store_true", help="only show what would change")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("commitments", help="the plan's goals, tasks and projects; with --year, how each stands")
    s.add_argument("--year", type=int, help="also judge each commitment as of this year")
    s.add_argument("--data", help=data_help)
    s.add_argument("--format", choices=["json", "csv", "table"], default="table")
    s.set_defaults(func=cmd_commitments)

    s = sub.add_parser("init", help="make a new evaluation book (another plan) in a new folder, with an example plan")
    s.add_argument("folder", help="a folder that does not exist yet (or is empty)")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("release", help="record the data an edition is released with (data/releases/<year>.csv)")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--data", help=data_help)
    s.set_defaults(func=cmd_release)

    s = sub.add_parser("verify", help="re-run a published edition's assessment and compare")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--data", help=data_help)
    s.add_argument("--site", help="the published site (default: _build/html)")
    s.set_defaults(func=cmd_verify)
    return p


def os_error_line(exc: OSError) -> str:
    """One line for a failed file operation: the path, what went wrong, what to do."""
    path = exc.filename or "(unknown path)"
    if exc.filename2:
        path = f"{path} → {exc.filename2}"
    what = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        todo = "the disk is full: free some space and run the command again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        todo = "this folder cannot be written: make it writable, or build elsewhere with --out"
    else:
        todo = "check the path and the disk, then run the command again"
    return f"{path}: {what}: {todo}"


class Interrupted(BaseException):
    """SIGINT or SIGTERM: unwinds like KeyboardInterrupt so every clean-up step runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _on_signal)
    try:
        return args.func(args)
    except PlanbookError as exc:
        for line in exc.lines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `planbook check | head`
        return 0
    except OSError as exc:  # the machine, not the input: a full disk, a folder that cannot be written …
        after = "; nothing was published, the site is as it was" if args.command == "build" else ""
        print(f"error: {os_error_line(exc)}{after}", file=sys.stderr)
        return EXIT_INPUT
    except (Interrupted, KeyboardInterrupt) as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        print(f"interrupted ({signal.Signals(signum).name}): nothing was published; "
              "the previous site and data are unchanged", file=sys.stderr)
        return 128 + signum
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
