"""Give every command and the Python API the bad inputs a new user gives, and sort what happens.

    python bench/probe_bad_inputs.py                    # this tree
    python bench/probe_bad_inputs.py --tree ../old      # another checkout (before/after counts)
    python bench/probe_bad_inputs.py --json probe.json  # every case's outcome

Each case is a command line (or a few lines of Python against the public API) that must be
refused. What happened is sorted into:

``clear``      refused: a non-zero exit with a short message and no traceback (for the API: a
               ``ValueError``/``TypeError``/``OSError`` with its message);
``traceback``  a Python traceback (or, from the API, another exception: ``KeyError``, ...);
``silent``     accepted: exit 0, the bad input taken as if it were good;
``slow``       still running after ``--timeout`` seconds (work begun before the input was checked);
``executed``   code from a data file ran (a marker file appeared): never acceptable.

The fixtures (a small network, its weights, inputs, broken files) are written to a temporary
folder; the cases are grouped by the classes of issue 29's probe (allocation before
validation, output paths, importer input, degenerate types, the Python API) and those of the
first hardening pass (networks, arrays, options, data files). Numbers in a note come from
running this on both trees the same day.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from probe_cases import Case, cases, write_fixtures  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
API_HARNESS = """
import sys
try:
{body}
except (ValueError, TypeError, OSError) as err:
    print(f"refused: {{type(err).__name__}}: {{err}}", file=sys.stderr)
    sys.exit(2)
"""


def run_case(case: Case, tree: Path, timeout: int) -> dict:
    """Run one case in a subprocess against ``tree``; its outcome and the message's first line."""
    if case.python is not None:
        body = "\n".join("    " + line for line in case.python.strip().splitlines())
        argv = [sys.executable, "-c", API_HARNESS.format(body=body)]
    else:
        argv = [sys.executable, "-m", "accel.cli", *case.argv]
    env = {**os.environ, "PYTHONPATH": str(tree), "ACCEL_PROBE": "1"}
    try:
        done = subprocess.run(argv, cwd=case.cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"outcome": "slow", "message": f"still running after {timeout} s"}
    err = done.stderr.strip()
    lines = [line for line in err.splitlines() if line.strip()]
    if case.marker is not None and case.marker.exists():
        outcome = "executed"
    elif done.returncode == 0:
        outcome = "silent"
    elif "Traceback (most recent call last)" in err:
        outcome = "traceback"
    else:
        outcome = "clear"
    message = next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")
    return {"outcome": outcome, "message": message[:300], "rc": done.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to probe (default: this one)")
    parser.add_argument("--timeout", type=int, default=90, help="seconds a case may take (default 90)")
    parser.add_argument("--workers", type=int, default=2, help="cases run at once (default 2)")
    parser.add_argument("--only", help="run the cases whose class or name contains this text")
    parser.add_argument("--json", type=Path, help="write every case's outcome here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="accel-probe-") as folder:
        work = Path(folder)
        write_fixtures(work)
        chosen = [c for c in cases(work) if not args.only or args.only in c.group or args.only in c.name]
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(pool.map(lambda c: run_case(c, args.tree.resolve(), args.timeout), chosen))
    outcomes = ("clear", "traceback", "silent", "slow", "executed")
    groups = sorted({c.group for c in chosen})
    print(f"{'class':<28}" + "".join(f"{o:>10}" for o in outcomes))
    for group in groups:
        row = [r["outcome"] for c, r in zip(chosen, results) if c.group == group]
        print(f"{group:<28}" + "".join(f"{row.count(o):>10}" for o in outcomes))
    every = [r["outcome"] for r in results]
    print(f"{'all ' + str(len(every)) + ' cases':<28}" + "".join(f"{every.count(o):>10}" for o in outcomes))
    for case, result in zip(chosen, results):
        if result["outcome"] != "clear":
            print(f"  {result['outcome']:>9}  {case.group}: {case.name}: {result['message']}")
    if args.json:
        args.json.write_text(json.dumps([{"group": c.group, "name": c.name, **r} for c, r in zip(chosen, results)],
                                        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
