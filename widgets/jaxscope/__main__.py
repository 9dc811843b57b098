"""The command line: ``python -m jaxscope <command>`` (or ``jaxscope <command>``).

Commands (one small function each; add a new one with ``_add_<name>`` and list it in ``main``):

* ``workspace [--source notebooks] [--dest workspace] [--reset NOTEBOOK] [--no-trust]``: make or
  update the learner workspace (solutions replaced by stubs; your edits are never overwritten;
  the generated notebooks are marked trusted unless ``--no-trust``).
* ``lab [--workspace workspace] [--port N]``: open JupyterLab on 00-start-here (localhost,
  token authentication on).
* ``build [NOTEBOOK ...]``: re-execute source notebooks in a fresh kernel and store outputs.
* ``progress [--workspace workspace] [-v] [--strict] [NOTEBOOK...]``: check the workspace's
  changed notebooks, print passed / total per table and what to do next, write the record.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _cmd_workspace(args: argparse.Namespace) -> int:
    from ._workspace import generate

    try:
        report = generate(args.source, args.dest, reset=args.reset, trust=args.trust)
    except ValueError as err:
        print(f"jaxscope workspace: {err}", file=sys.stderr)
        return 2
    print(report.text())
    return 1 if report.errors else 0


def _add_workspace(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workspace", help="make or update the learner workspace")
    p.add_argument("--source", default="notebooks", help="course notebooks (default: notebooks)")
    p.add_argument("--dest", default="workspace", help="the workspace folder (default: workspace)")
    p.add_argument(
        "--reset",
        metavar="NOTEBOOK",
        help="back up your copy of NOTEBOOK to .backups/ and start it afresh",
    )
    p.add_argument(
        "--no-trust",
        dest="trust",
        action="store_false",
        help="do not mark the generated notebooks trusted (their stored views then show "
        "unstyled until run)",
    )
    p.set_defaults(func=_cmd_workspace)


def _cmd_progress(args: argparse.Namespace) -> int:
    from ._progress import main as progress_main

    return progress_main(args)


def _add_progress(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "progress",
        help="check your workspace's exercises and show where you stand",
        description="Run the workspace notebooks that changed since their last check (two at a "
        "time), print a line per table, the total and the next exercise with its hint, and "
        "write the record jaxscope-progress.json in the workspace.",
    )
    p.add_argument("--workspace", default="workspace", help="default: workspace")
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="check only these (01, ...)")
    p.add_argument("-v", "--verbose", action="store_true", help="show each failure and error")
    p.add_argument("-j", "--jobs", type=int, default=None, help="notebooks run at once")
    p.add_argument("--all", action="store_true", help="run every notebook, changed or not")
    p.add_argument(
        "--strict", action="store_true", help="exit 1 while an exercise is not passed (scripts)"
    )
    p.set_defaults(func=_cmd_progress)


def _cmd_build(args: argparse.Namespace) -> int:
    from ._build import main as build_main

    return build_main(args.notebooks, text=args.text)


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build", help="execute the notebooks' text sources (NN-slug.md) into NN-slug.ipynb"
    )
    p.add_argument("notebooks", nargs="*", help="names like 01 or 01-core-concepts (default: all)")
    p.add_argument(
        "--text",
        action="store_true",
        help="instead, rewrite each NN-slug.md from NN-slug.ipynb (after editing it in Jupyter)",
    )
    p.set_defaults(func=_cmd_build)


def _cmd_cheatsheet(args: argparse.Namespace) -> int:
    from . import cheatsheet

    name = f"jaxscope cheatsheet {args.action}"
    if args.action == "search":
        try:
            words = sys.stdin.read() if args.words == ["-"] else " ".join(args.words)
            view = cheatsheet.explorer(words, args.table)
            if not view.data["query"].strip():
                raise ValueError("give a few words to search for, e.g. split a key")
        except (TypeError, ValueError) as err:
            print(f"{name}: {err}", file=sys.stderr)
            return 2
        print(view.text())
        return 0 if view.data["results"] else 1
    if args.action == "show":
        n, last = args.n.strip(), cheatsheet.N_TABLES
        if not n.isdigit() or not 1 <= int(n) <= last:
            print(f"{name}: no table {args.n!r}; give a number from 1 to {last}", file=sys.stderr)
            return 2
        print(cheatsheet.table(int(n)).text())
        return 0
    try:
        path = cheatsheet.export_html(args.file, force=args.force)
    except (FileExistsError, ValueError, OSError) as err:
        print(f"{name}: {err}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def _add_cheatsheet(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cheatsheet", help="search, show or export the JAX cheat sheet")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = actions.add_parser("search", help="print the concepts that best match some words")
    s.add_argument(
        "words",
        nargs="+",
        help="what you are looking for, e.g. split a key; - reads it from stdin (a traceback)",
    )
    s.add_argument("--table", type=int, default=None, help="only this table (1-20)")
    s.set_defaults(func=_cmd_cheatsheet)
    w = actions.add_parser("show", help="print one table as text")
    w.add_argument("n", help="the table number, 1-20")
    w.set_defaults(func=_cmd_cheatsheet)
    e = actions.add_parser("export", help="write the whole cheat sheet as one printable HTML page")
    e.add_argument("file", help="the HTML file to write, e.g. cheatsheet.html")
    e.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    e.set_defaults(func=_cmd_cheatsheet)


def _cmd_lab(args: argparse.Namespace) -> int:
    from ._lab import main as lab_main

    return lab_main(args.workspace, args.port)


def _add_lab(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lab", help="open JupyterLab on the workspace (localhost, token auth)")
    p.add_argument("--workspace", default="workspace", help="default: workspace")
    p.add_argument("--port", type=int, default=None, help="default: Jupyter's (8888 or next)")
    p.set_defaults(func=_cmd_lab)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jaxscope", description="jaxscope: the JAX cheat-sheet course tools"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_workspace, _add_progress, _add_build, _add_cheatsheet, _add_lab):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def run() -> int:
    """:func:`main`, quiet when the reader of its output goes away (``... | head``)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(run())
