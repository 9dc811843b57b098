"""The command line: ``python -m jaxscope <command>`` (or ``jaxscope <command>``).

Commands (one small function each; add a new one with ``_add_<name>`` and list it in ``main``):

* ``workspace [--source notebooks] [--dest workspace] [--reset NOTEBOOK]``: make or update the
  learner workspace (solutions replaced by stubs; your edits are never overwritten).
* ``build [NOTEBOOK ...]``: re-execute source notebooks in a fresh kernel and store outputs.
* ``progress [--workspace workspace] [PYTEST_ARGS...]``: run the curriculum check on the
  workspace and print passed / total per table and what to do next.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _cmd_workspace(args: argparse.Namespace) -> int:
    from ._workspace import generate

    try:
        report = generate(args.source, args.dest, reset=args.reset)
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
    p.set_defaults(func=_cmd_workspace)


def _cmd_progress(args: argparse.Namespace) -> int:
    from ._progress import render, run_check

    try:
        code, model = run_check(args.workspace, args.pytest_args)
    except ValueError as err:
        print(f"jaxscope progress: {err}", file=sys.stderr)
        return 2
    print()
    print(render(model))
    return code


def _add_progress(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="run the curriculum check and show progress per table")
    p.add_argument("--workspace", default="workspace", help="default: workspace")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    p.set_defaults(func=_cmd_progress)


def _cmd_build(args: argparse.Namespace) -> int:
    from ._build import main as build_main

    return build_main(args.notebooks)


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="re-execute source notebooks and store their outputs")
    p.add_argument("notebooks", nargs="*", help="names like 01 or 01-core-concepts (default: all)")
    p.set_defaults(func=_cmd_build)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jaxscope", description="jaxscope: the JAX cheat-sheet course tools"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_workspace, _add_progress, _add_build):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
