"""The one command line: ``planbook check | indicators | assess | commitments | demo | run | build | template |
ingest | release | verify | publish | commentary | init | chapters``.

Bad input never shows a traceback: every problem is one line on stderr and
the exit code is 2. What staff act on (``check``, ``template``, ``ingest``, ``build``, ``publish`` and
every error) is said in Chinese, from the phrasebook; ``--lang en`` (or ``PLANBOOK_LANG=en``, or an
English locale) gives the English the code is written in (see :mod:`planbook.errors`).
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
from planbook.errors import (LANGUAGES, PlanbookError, error_lines, forget_language, language, problem_text, say,
                             set_language, translate)

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
    from planbook.words import W

    _check_chapters(ds)
    for problem in cat.warnings():
        print(warning_line(problem_text(problem)), file=sys.stderr)

    print(say("check_catalogue", f"catalogue {cat.path}: {len(cat.indicators)} entries "
              f"({n_table} rows of the plan's table, {len(cat.text_targets)} text targets), "
              f"{len(cat.context)} context series: OK", path=cat.path, n=len(cat.indicators), rows=n_table,
              texts=len(cat.text_targets), context=len(cat.context)))
    counts = ds.observations.groupby("year")["kind"].value_counts().unstack(fill_value=0)
    for year, row in counts.iterrows():
        parts = ", ".join(f"{int(n)} {kind}" for kind, n in row.items() if n)
        zh_parts = W("list_sep").join(W("messages.cli.check_part", kind=W(f"data_kind.{kind}"), n=int(n))
                                      for kind, n in row.items() if n)
        print(say("check_year", f"observations {year}: {parts}: OK", year=year, parts=zh_parts))
    from planbook.inputs.basis import basis_warnings

    for problem in basis_warnings(cat, ds.observations):  # read, but worth a person's look
        print(warning_line(problem_text(problem)), file=sys.stderr)
    conflicts = cat.conflicts()
    print(say("check_conflicts", f"plan consistency: {len(conflicts)} conflict(s) between the table and the text",
              n=len(conflicts)))
    for c in conflicts:
        if language() != "zh":
            print(f"  - {c.describe_en(cat)}")
        print(f"    {c.describe_zh(cat)}")
    for note in cat.audit_notes:
        print(say("check_note", f"  - note on {', '.join(note.ids)}: {note.note_en}", ids=W("enum_sep").join(note.ids),
                  note=getattr(note, "note_zh", None) or note.note_en))
    return _check_commentary(ds, args.year, args.final)


def _check_chapters(ds) -> None:
    """The book's chapters (_toc.yml, notebooks/) against the catalogue's dimensions, when the data
    are the project's own (another folder given with --data has no book of its own)."""
    from planbook.book.scaffold import chapter_problems
    from planbook.errors import InputError
    from planbook.project import project_root

    try:
        root = project_root()
    except InputError:
        return
    if ds.data_dir.resolve() != (root / "data").resolve() or not (root / "_toc.yml").is_file():
        return
    problems = chapter_problems(root, ds.catalogue.dimensions)
    if problems:
        raise InputError(problems)


def _check_commentary(ds, year: int | None, final: bool) -> int:
    """Warn about stale commentary (the exit code is unchanged); with ``final``, list what a final
    edition of ``year`` still lacks and return 2 when anything does."""
    from planbook.report.commentary import change_line, final_gaps, stale
    from planbook.report.report import Report
    from planbook.words import W

    if year is not None or final:
        year = ds.check_year(year)
    from planbook.book.notebook import glue_keys, unknown_glue
    from planbook.errors import InputError

    # A glue key its chapter does not have: refused here, with file and line, not in a build's cell.
    reports = {y: Report(data=ds, year=y) for y in {c.year for c in ds.commentary} if y in ds.years
               and (year is None or y == year)}
    unknown = [p for c in ds.commentary if c.year in reports
               for p in unknown_glue(c, glue_keys(reports[c.year], c.chapter))]
    if unknown:
        raise InputError(unknown)
    for y in sorted({c.year for c in ds.commentary if year is None or c.year == year}):
        if y not in ds.years:
            print(warning_line(say("check_commentary_no_data", f"commentary/{y}: no observations for {y} yet, so it "
                                   "is not checked", year=y)), file=sys.stderr)
            continue
        report = reports[y]
        found = [c for c in ds.commentary if c.year == y]
        for c in found if not final else []:  # (--final lists them with what else is missing)
            for change in stale(report, c):
                print(warning_line(change_line(report, c, change)), file=sys.stderr)
        print(say("check_commentary", f"commentary {y}: {', '.join(c.chapter for c in found)}", year=y,
                  chapters=W("enum_sep").join(c.chapter for c in found)))
    if not final:
        return 0
    gaps = final_gaps(reports.get(year) or Report(data=ds, year=year))
    for gap in gaps:
        print(say("final_missing", f"missing: {gap}", gap=gap), file=sys.stderr)
    if gaps:
        print(say("final_not_ready", f"edition {year} is not ready to be final: {len(gaps)} thing(s) missing",
                  year=year, n=len(gaps)), file=sys.stderr)
        return EXIT_INPUT
    print(say("final_ready", f"edition {year}: ready to be final (commentary complete and current, every "
              "department reported)", year=year))
    return 0


def cmd_commentary(args) -> int:
    """Scaffold the commentary files of an edition (never overwriting); ``--refresh`` records the
    current state in the front matter of those that exist (their text is kept as it is)."""
    from planbook.inputs.dataset import load

    with _data_lock(args, "commentary"):
        return _commentary(args, load(args.data))


def _commentary(args, data) -> int:
    import os

    from planbook.inputs.commentary import with_front_matter
    from planbook.report.commentary import chapters, record_front_matter, scaffold
    from planbook.report.report import Report

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

    with _data_lock(args, "demo"):
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
    from planbook.words import W

    results = build(year=args.year, data_dir=args.data, pdf=args.pdf, all_years=args.all, out_dir=args.out,
                    force=args.force, standby=standby, draft=args.draft, layout=args.layout)
    for result in results:
        print(say("build_edition", f"edition {result.year}: {result.site / 'index.html'}", year=result.year,
                  path=result.site / "index.html"))
        for kind, made in result.outputs.items():  # planbook.book.outputs, in its order
            print(say("build_file", f"          {made}", path=made, kind=W(f"messages.cli.build_file_{kind}")))
    print(say("build_site", f"site: {results[0].site.parent / 'index.html'} (all editions)",
              path=results[0].site.parent / "index.html"))
    return 0


def cmd_template(args) -> int:
    from planbook.inputs.dataset import check_year, load
    from planbook.inputs.intake import check_overwrite, default_form_name, find_department, write_template

    data = load(args.data)
    check_year(args.year, data.catalogue)
    dep = find_department(data, args.department) if args.department else None
    out = Path(args.output or default_form_name(args.year, dep))
    check_overwrite(out, args.force)  # a form on disk may be somebody's work
    write_template(data, args.year, out, department=args.department)
    if dep is not None:
        print(say("template_wrote_department", f"wrote {out}: the {args.year} form of {dep.name_zh}, only what it "
                  "reports; it fills value and source (and each commitment's status)", path=out, year=args.year,
                  department=dep.name_zh))
    else:
        print(say("template_wrote", f"wrote {out}: one row per indicator; departments fill value and source",
                  path=out))
    return 0


def cmd_ingest(args) -> int:
    from planbook.inputs.intake import prepare

    if args.dry_run:  # reads only
        return _ingest(args, prepare(Path(args.file), args.year, Path(args.data) if args.data else None))
    # Read, merge and write under the data folder's lock: a second ingest (another department's
    # form for the same year) waits and then merges into what this one wrote.
    with _data_lock(args, "ingest"):
        return _ingest(args, prepare(Path(args.file), args.year, Path(args.data) if args.data else None))


def _data_lock(args, what: str):
    from planbook.files import DataLock
    from planbook.inputs.dataset import default_data_dir

    return DataLock(Path(args.data) if args.data else default_data_dir(),
                    lambda line: print(warning_line(line), file=sys.stderr), what)


def _ingest(args, intake) -> int:
    from planbook.errors import InputError
    from planbook.inputs.intake import write

    if intake.problems and not args.dry_run:
        raise InputError(intake.problems)
    from planbook.words import W

    for c in intake.changes:
        last = f"   (上年 {c.last[0]}: {c.last[1]:g})" if c.last else ""
        zh_last = W("messages.cli.ingest_last", year=c.last[0], value=f"{c.last[1]:g}") if c.last else ""
        print(say("ingest_change", f"  {c.kind:8} {c.indicator_id} {c.name}: {c.old or '—'} → {c.new or '—'}{last}",
                  kind=W(f"messages.change_kind.{c.kind}"), id=c.indicator_id, name=c.name, old=c.old or "—",
                  new=c.new or "—", last=zh_last))
    def words(state: str | None) -> str:  # a status as staff chose it (按计划推进, not on_schedule)
        if not state:
            return "—"
        status, _, rest = state.partition(" | ")
        return " | ".join([W(f"commitment_status.{status}"), rest] if rest else [W(f"commitment_status.{status}")])

    for c in intake.progress_changes:
        print(say("ingest_change", f"  {c.kind:8} {c.indicator_id} {c.name}: {c.old or '—'} → {c.new or '—'}",
                  kind=W(f"messages.change_kind.{c.kind}"), id=c.indicator_id, name=c.name, old=words(c.old),
                  new=words(c.new), last=""))
    for jump in intake.jumps:  # not refused: a person confirms them
        print(warning_line(jump.describe(args.year)), file=sys.stderr)
    n = len(intake.changes) + len(intake.progress_changes)
    where = " and ".join(str(t) for t, c in ((intake.target, intake.changes),
                                              (intake.progress_target, intake.progress_changes)) if c) or str(intake.target)
    if args.dry_run:
        force = " (with --force: values of that year would change)" if intake.replaces else ""
        print(say("ingest_dry_run", f"dry run: {n} change(s) would be written to {where}" + force, n=n, path=where)
              + (W("messages.cli.ingest_dry_run_force") if force and language() == "zh" else ""))
        if intake.problems:
            raise InputError(intake.problems)
        return 0
    if write(intake, force=args.force):
        print(say("ingest_wrote", f"wrote {where} ({n} change(s)); run `planbook status --year {args.year}` "
                  f"and `planbook check`, then `planbook build --year {args.year} --pdf --draft`", path=where, n=n,
                  year=args.year))
    else:
        print(say("ingest_up_to_date", f"{intake.target}: already up to date, nothing written", path=intake.target))
    return 0


def cmd_status(args) -> int:
    """Who has not reported for a year: per department, each item by name with its last reported year."""
    from planbook.assess.reporting import missing_reports
    from planbook.inputs.dataset import load
    from planbook.words import W

    ds = load(args.data)
    year = ds.check_year(args.year)
    found = missing_reports(ds, year, args.department)
    if args.format == "json":
        _dump_json([m.record() | {"kind_zh": W(f"reporting.kind.{m.kind}")} for m in found])
        return 0
    import pandas as pd

    frame = pd.DataFrame([m.row() for m in found])
    if args.format == "csv":
        _csv_out(frame)
        return 0
    if not found:
        print(say("status_none", f"{year}: every department has reported every value and commitment", year=year))
        return 0
    from planbook.report.format import plain_table

    print(plain_table(frame))
    print(say("status_summary", f"{year}: {len(found)} item(s) not reported, from "
              f"{len({m.department for m in found})} department(s)", year=year, n=len(found),
              departments=len({m.department for m in found})))
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
        if frame.empty and args.format == "table":  # a plan without a register has none
            print(say("commitments_none", "no commitments: the plan has no register.yaml (optional)"))
        elif args.format == "csv":
            frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        else:
            from planbook.report.format import plain_table

            shown = [c for c in ("id", "kind", "deadline", "department", "status", "light") if c in frame]
            print(plain_table(frame[shown]))
    return 0


def cmd_init(args) -> int:
    from planbook.book.scaffold import init

    written = init(Path(args.folder), Path(args.source) if args.source else None)
    if args.source:
        print(say("init_wrote_from", f"wrote {len(written)} files into {args.folder}: an evaluation book of the plan "
                                     f"in {args.source}.", n=len(written), folder=args.folder, source=args.source))
    else:
        print(say("init_wrote", f"wrote {len(written)} files into {args.folder}: an evaluation book with an example "
                                f"plan (made up).", n=len(written), folder=args.folder))
    print(say("init_next", f"next: cd {args.folder} && planbook check && planbook build --pdf   (see README.md)",
              folder=args.folder))
    return 0


def cmd_chapters(args) -> int:
    """Make the chapter notebooks and _toc.yml's chapters again from the catalogue's dimensions."""
    from planbook.book.scaffold import write_chapters
    from planbook.project import project_root

    root = project_root()
    written, stale = write_chapters(root)
    for path in written:
        print(say("chapters_wrote", f"wrote {path}", path=path))
    if not written:
        print(say("chapters_up_to_date", "the chapter notebooks and _toc.yml follow the catalogue's dimensions"))
    for path in stale:
        print(say("chapters_stale", f"{path}: no dimension of that name in the catalogue any more (delete it if "
                                    f"it is not wanted)", path=path))
    return 0


def cmd_release(args) -> int:
    from planbook.book.editions import record_release

    with _data_lock(args, "release"):
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
        print(say("verify_input", f"input {line}", line=translate(line) or line))
    if result.ok:
        print(say("verify_ok", f"verified: the {result.records} published assessment records of {args.year} match a "
                  "fresh run", n=result.records, year=args.year))
        return 0
    for line in result.mismatches:
        print(say("verify_mismatch", f"mismatch: {line}", line=translate(line) or line), file=sys.stderr)
    print(say("verify_differ", f"{len(result.mismatches)} published number(s) of {args.year} differ from a fresh run: "
              f"if the change is meant, build the edition again (planbook build --year {args.year})",
              n=len(result.mismatches), year=args.year), file=sys.stderr)
    return EXIT_INPUT


def cmd_publish(args) -> int:
    from planbook.build.publish import publish
    from planbook.project import project_root

    if not args.to and not args.zip:
        from planbook.errors import BuildError

        raise BuildError("nothing to do: give --to DIR (a folder) and/or --zip FILE (an archive)")
    site = Path(args.site) if args.site else project_root() / "_build" / "html"
    from planbook.book.editions import handover_warnings, read_editions

    warnings = handover_warnings(read_editions(site), args.data) if (site / "index.html").is_file() else []
    if warnings and args.final_only:
        from planbook.errors import BuildError

        said = [(translate(w) or w) if language() == "zh" else w for w in warnings]
        raise BuildError("\n".join([say("publish_not_final", "--final-only: nothing was published, the site holds "
                                         "editions that are not final:"), *said]))
    for line in warnings:  # handed over all the same: a person decides
        print(warning_line(line), file=sys.stderr)
    done = publish(site, Path(args.to) if args.to else None, Path(args.zip) if args.zip else None)
    if done.folder:
        print(say("publish_to", f"copied the site to {done.folder}: {len(done.editions)} edition(s), {done.files} "
                  "files, no links; open index.html in it", path=done.folder, editions=len(done.editions),
                  files=done.files))
    if done.archive:
        from planbook.build.publish import archive_top

        print(say("publish_zip", f"wrote {done.archive}: {len(done.editions)} edition(s), {done.files} files; "
                  f"unzip it and open {archive_top(done.archive)}/index.html", path=done.archive,
                  editions=len(done.editions), files=done.files, root=archive_top(done.archive)))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors (and with :func:`_localise`, its usage and --help) in the language
    of the messages."""

    def error(self, message):
        if language() == "zh":
            from planbook.words import W

            self.exit(EXIT_INPUT, f"{self.prog}：{W('messages.error')}{translate(message) or message}"
                                  f"{W('messages.help.see_help', prog=self.prog)}\n")
        super().error(message)

    def format_usage(self):
        return _usage_zh(super().format_usage())

    def format_help(self):
        return _usage_zh(super().format_help())


def _usage_zh(text: str) -> str:
    if language() != "zh" or not text.startswith("usage: "):
        return text
    from planbook.words import W

    return W("messages.help.usage") + text[len("usage: "):]


def _localise(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The parser's help in Chinese (``messages.help`` of the phrasebook) when messages are."""
    if language() != "zh":
        return p
    from planbook.words import active

    book = active()

    def word(*keys: str) -> str | None:
        return next((book(f"messages.help.{k}") for k in keys if book.has(f"messages.help.{k}")), None)

    def each(parser: argparse.ArgumentParser, command: str) -> None:
        parser._positionals.title, parser._optionals.title = word("positionals"), word("options")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                action.title = word("commands_title")
                for choice in action._choices_actions:
                    choice.help = word(f"commands.{choice.dest}") or choice.help
                for name, sub in action.choices.items():
                    sub.description = word(f"commands.{name}") or sub.description
                    each(sub, name)
            else:
                dest = "lang" if action.dest == "lang_main" else action.dest
                action.help = word(f"{command}.{dest}", f"any.{dest}") or action.help

    p.description = word("description")
    each(p, "planbook")
    return p


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="planbook", description="Annual evaluation books of a plan's implementation: catalogue, yearly data, assessment, site and PDF")
    p.add_argument("--version", action="version", version=f"planbook {__version__}")
    lang_help = ("language of the messages: zh (Chinese, for the staff who act on them) or en (English); "
                 "default: PLANBOOK_LANG, else the locale (English only when it is an English one)")
    p.add_argument("--lang", dest="lang_main", choices=["zh", "en"], help=lang_help)
    sub = p.add_subparsers(dest="command", required=True)
    _add_parser = sub.add_parser

    def add_parser(*a, **kw):
        s = _add_parser(*a, **kw)
        s.add_argument("--lang", choices=["zh", "en"], help=lang_help)
        return s

    sub.add_parser = add_parser
    sub._parser_class = _Parser
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
    s.add_argument("--pdf", action="store_true", help="also build the PDF and the Word copy (.docx)")
    s.add_argument("--layout", choices=["book", "gongwen"],
                   help="the PDF's layout: book (for reading) or gongwen (GB/T 9704 公文 page, for submission); "
                        "default: planbook.pdf_layout in _config.yml")
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
    s.add_argument("--output", help="where to write the form (default: 填报表-<year>.xlsx, with --department "
                                    "填报表-<year>-<department>.xlsx)")
    s.add_argument("--department", help="only what this department (id or name, see data/departments.yaml) reports")
    s.add_argument("--force", action="store_true", help="replace an existing blank form (a form holding values "
                                                        "is never replaced)")
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

    s = sub.add_parser("status", help="who has not reported for a year: per department, each indicator and "
                                      "commitment by name, with the year it was last reported")
    s.add_argument("--year", type=int, help="the year (default: latest year with data)")
    s.add_argument("--department", help="only this department (id or name, see data/departments.yaml)")
    s.add_argument("--data", help=data_help)
    s.add_argument("--format", choices=["table", "csv", "json"], default="table")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("init", help="make a new evaluation book (another plan) in a new folder, with an example plan")
    s.add_argument("folder", help="a folder that does not exist yet (or is empty)")
    s.add_argument("--from", dest="source", help="a folder with the plan's catalogue.yaml, plan/ and observations/ "
                                                 "(register, departments, amendments... optional): its own book")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("chapters", help="make notebooks/<dimension>.md and _toc.yml's chapters again from the "
                                        "catalogue's dimensions (never overwriting an edited notebook)")
    s.set_defaults(func=cmd_chapters)

    s = sub.add_parser("release", help="record the data an edition is released with (data/releases/<year>.csv)")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--data", help=data_help)
    s.set_defaults(func=cmd_release)

    s = sub.add_parser("publish", help="hand the published site over: a self-contained copy (--to DIR) or one "
                                        "zip archive (--zip FILE) with every edition, PDF, Word copy and download")
    s.add_argument("--to", metavar="DIR", help="a new or empty folder (or one planbook published to before)")
    s.add_argument("--zip", metavar="FILE", help="write one .zip archive; unzipped, its pages open from disk")
    s.add_argument("--site", help="the published site (default: _build/html)")
    s.add_argument("--data", help="the data the editions were built from, to see whether they changed since "
                                  "(default: the project's data/)")
    s.add_argument("--final-only", action="store_true", help="refuse (exit 2, nothing published) when an edition "
                   "is a draft or its inputs changed since it was built")
    s.set_defaults(func=cmd_publish)

    s = sub.add_parser("verify", help="re-run a published edition's assessment and compare")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--data", help=data_help)
    s.add_argument("--site", help="the published site (default: _build/html)")
    s.set_defaults(func=cmd_verify)
    return _localise(p)


def warning_line(text: str) -> str:
    """``warning: …`` (``警告：…`` in Chinese)."""
    if language() == "zh":
        from planbook.words import W

        return W("messages.warning") + (translate(text) or text)
    return f"warning: {text}"


def error_line(text: str) -> str:
    """``error: …`` (``错误：…`` in Chinese); ``text`` is already in the language of the messages."""
    if language() == "zh":
        from planbook.words import W

        return W("messages.error") + text
    return f"error: {text}"


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
    line = f"{path}: {what}: {todo}"
    return (translate(line) or line) if language() == "zh" else line


class Interrupted(BaseException):
    """SIGINT or SIGTERM: unwinds like KeyboardInterrupt so every clean-up step runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    raise Interrupted(signum)


# Commands that write into the data folder or a file staff gave (build and publish say what they
# left as it was in their own messages).
WRITERS = ("template", "ingest", "release", "commentary", "demo", "init")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    said = [argv[n + 1] for n, a in enumerate(argv[:-1]) if a == "--lang"]  # before parsing: usage and --help
    said += [a.split("=", 1)[1] for a in argv if a.startswith("--lang=")]
    set_language(said[-1] if said and said[-1] in LANGUAGES else None)
    try:
        args = parser().parse_args(argv)
    finally:
        forget_language()
    set_language(getattr(args, "lang", None) or getattr(args, "lang_main", None))
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _on_signal)
    try:
        return args.func(args)
    except PlanbookError as exc:
        lines = error_lines(exc)
        if args.command in WRITERS and len(lines) == 1:  # a refused command says so: on its one line …
            lines[0] += say("nothing_written_after", "; nothing was written (the data and existing files are as "
                            "they were)")
        for line in lines:
            print(error_line(line), file=sys.stderr)
        if args.command in WRITERS and len(lines) > 1:  # … or after the list
            print(say("nothing_written", "nothing was written (the data and existing files are as they were)"),
                  file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `planbook check | head`
        return 0
    except OSError as exc:  # the machine, not the input: a full disk, a folder that cannot be written …
        after = say("nothing_published", "; nothing was published, the site is as it was") \
            if args.command in ("build", "publish") else ""
        print(error_line(f"{os_error_line(exc)}{after}"), file=sys.stderr)
        return EXIT_INPUT
    except (Interrupted, KeyboardInterrupt) as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        line = (f"interrupted ({signal.Signals(signum).name}): nothing was published; "
                "the previous site and data are unchanged")
        print((translate(line) or line) if language() == "zh" else line, file=sys.stderr)
        return 128 + signum
    finally:
        forget_language()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
