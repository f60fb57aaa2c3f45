"""The one command line: ``planbook check | indicators | assess | demo | run | build``.

Bad input never shows a traceback: every problem is one line on stderr and
the exit code is 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from . import __version__
from .errors import PlanbookError

EXIT_INPUT = 2


def _clean(value):
    """JSON-friendly: NaN/None to null, numpy scalars to Python."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def cmd_check(args) -> int:
    from .dataset import load

    ds = load(args.data)
    cat = ds.catalogue
    n_table = len(cat.table)
    print(f"catalogue {cat.path}: {len(cat.indicators)} entries "
          f"({n_table} rows of table 专栏1, {len(cat.text_targets)} text targets), "
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
    return 0


def cmd_indicators(args) -> int:
    from .catalogue import indicator_records, load_catalogue
    from .dataset import catalogue_path, default_data_dir

    cat = load_catalogue(catalogue_path(Path(args.data) if args.data else default_data_dir()))
    records = indicator_records(cat)
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        import pandas as pd

        flat = [{**r, "baseline": json.dumps(r["baseline"], ensure_ascii=False) if r["baseline"] else "",
                 "targets": json.dumps(r["targets"], ensure_ascii=False),
                 "window": json.dumps(r["window"]) if r["window"] else ""} for r in records]
        pd.DataFrame(flat).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


ASSESS_FIELDS = ["id", "dimension", "year", "value", "data_kind", "milestone", "target", "comparison",
                 "status", "ratio", "completion", "time_elapsed", "projected_value", "projected_year",
                 "required_annual_change"]


def cmd_assess(args) -> int:
    from .assess import assess
    from .dataset import load

    ds = load(args.data)
    year = args.year or ds.latest_year()
    frame = assess(ds.catalogue, ds.observations, year)[ASSESS_FIELDS]
    records = [{k: _clean(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        from .tables import plain_table

        print(plain_table(frame))
    return 0


def cmd_demo(args) -> int:
    from .demo import write_demo

    for path in write_demo(Path(args.data) if args.data else None, seed=args.seed):
        print(f"wrote {path}")
    return 0


def cmd_run(args) -> int:
    from .build import run_chapter

    out = run_chapter(args.chapter, year=args.year, data_dir=args.data, output=args.output)
    print(f"executed notebook: {out}")
    return 0


def cmd_build(args) -> int:
    from .build import build

    result = build(year=args.year, data_dir=args.data, pdf=args.pdf)
    print(f"site: {result.site / 'index.html'}")
    if result.pdf:
        print(f"pdf:  {result.pdf}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planbook", description="Annual evaluation book of the Licheng New Urbanization Plan 2021-2035")
    p.add_argument("--version", action="version", version=f"planbook {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    data_help = "folder laid out like data/ (its own observations/; the project's catalogue unless it has one)"

    s = sub.add_parser("check", help="validate the catalogue and every observation file; list the plan's conflicts")
    s.add_argument("--data", help=data_help)
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

    s = sub.add_parser("demo", help="regenerate the labelled demo observations for 2021-2025")
    s.add_argument("--data", help=data_help)
    s.add_argument("--seed", type=int, default=20231)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("run", help="execute one chapter notebook with papermill")
    s.add_argument("chapter", help="overview, smart, green, balanced or two_way")
    s.add_argument("--year", type=int)
    s.add_argument("--data", help=data_help)
    s.add_argument("--output", help="where to write the executed .ipynb")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("build", help="execute every chapter and build the website (and PDF)")
    s.add_argument("--year", type=int, help="report year (default: latest year with data)")
    s.add_argument("--data", help=data_help)
    s.add_argument("--pdf", action="store_true", help="also build the PDF")
    s.set_defaults(func=cmd_build)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except PlanbookError as exc:
        for line in exc.lines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `planbook check | head`
        return 0
    except KeyboardInterrupt:
        print("interrupted: nothing was published", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
