"""Command line for the matching engine, without Django.

    python -m accueil.matching solve INSTANCE.json [--method auto|assignment|flow|sparse|greedy]
                                                   [--top-k N]
    python -m accueil.matching bench [--sizes 5000x2000,...] [--capacities 1,1-3] [--repeat N]
                                     [--quick] [--method ...] [--top-k N]

``solve`` prints the proposals as JSON (docs/matching.md describes both formats); a file it
cannot read or that does not validate exits with status 2 and a message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import benchmark, engine, instance_io

METHODS = ("auto", "assignment", "flow", "certified", "sparse", "greedy")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m accueil.matching", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    solve = commands.add_parser("solve", help="propose matches for an instance file")
    solve.add_argument("instance", help="instance file (JSON, see docs/matching.md)")
    solve.add_argument("--method", choices=METHODS, default="auto")
    solve.add_argument("--top-k", type=int, default=20, help="groups kept per household (sparse)")

    bench = commands.add_parser("bench", help="time the engine on synthetic instances")
    bench.add_argument(
        "--sizes", help=f"HOUSEHOLDSxGROUPS list (default {benchmark.DEFAULT_SIZES})"
    )
    bench.add_argument(
        "--capacities",
        default=benchmark.DEFAULT_CAPACITIES,
        help="group capacity per case: 1 or a range such as 1-3",
    )
    bench.add_argument("--repeat", type=int, default=1, help="runs per case; the median is kept")
    bench.add_argument("--quick", action="store_true", help=f"tiny sizes ({benchmark.QUICK_SIZES})")
    bench.add_argument("--method", choices=METHODS, default="auto")
    bench.add_argument("--top-k", type=int, default=20, help="groups kept per household (sparse)")
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def solve(args) -> int:
    try:
        with open(args.instance, encoding="utf-8") as handle:
            data = json.load(handle)
        inst = instance_io.load_instance(data)
    except OSError as error:
        return _fail(f"cannot read {args.instance}: {error.strerror or error}")
    except json.JSONDecodeError as error:
        return _fail(f"{args.instance} is not valid JSON: {error}")
    except ValueError as error:
        return _fail(f"{args.instance}: {error}")
    if args.top_k < 1:
        return _fail("--top-k must be at least 1")
    result = engine.solve(inst, method=args.method, top_k=args.top_k)
    print(json.dumps(instance_io.assignment_json(inst, result), indent=2, ensure_ascii=False))
    return 0


def bench(args) -> int:
    if args.top_k < 1 or args.repeat < 1:
        return _fail("--top-k and --repeat must be at least 1")
    try:
        benchmark.parse_sizes(args.sizes or benchmark.DEFAULT_SIZES)
        benchmark.parse_capacities(args.capacities)
    except ValueError as error:
        return _fail(str(error))
    benchmark.run(
        sizes=args.sizes,
        capacities=args.capacities,
        repeat=args.repeat,
        quick=args.quick,
        method=args.method,
        top_k=args.top_k,
    )
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    return solve(args) if args.command == "solve" else bench(args)


if __name__ == "__main__":
    sys.exit(main())
