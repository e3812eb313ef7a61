"""Time and peak memory of ``hedge score`` on one very long line (50 MB by default).

Kept out of the unit suite because it takes minutes; the unit suite has the small regression test
(``tests/test_regressions.py``, a 100 kB sentence). Shapes of the line:

- ``prose``: ordinary sentences, all on one line (many records);
- ``no-stop``: words and candidate cue words without a full stop (one enormous sentence; this was
  quadratic before issue 7 and never finished);
- ``one-token``: a single 50 MB word;
- ``no-stop --lines``: the enormous sentence as one ``--lines`` record.

    python benchmarks/long_line.py [--mb 50] [--model DIR]

Each case runs ``python -m hedge score FILE --format jsonl`` in a fresh process with this checkout's
hedge and reports wall time, peak resident memory and output size. It fails (exit 1) if any run
exits non-zero or prints a traceback.

Issue 7, 50 MB, shipped model, 2 shared cores (another job running): prose 305 s / 1.4 GB (all records
of the one document are held for its summary); no-stop 145 s / 0.5 GB (before: 20 GB, and never
finishing before the quadratic loops were fixed); one-token 7 s / 0.5 GB; no-stop --lines 121 s /
5.5 GB (one 50 MB unit, as --lines promises: its tokens are held, its features no longer are).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNITS = {
    "prose": "Officials said the bridge may reopen next week. The bridge opened in 1990. ",
    "no-stop": "the data may suggest that it could rain and officials said ",
    "one-token": "x",
}


def make(path: Path, unit: str, size: int) -> None:
    block = unit * max(1, (1 << 20) // len(unit))
    with open(path, "w", encoding="utf-8") as fh:
        written = 0
        while written < size:
            fh.write(block)
            written += len(block)
        fh.write("\n")


def run(args: list[str]) -> tuple[int, float, int, int, str]:
    """(exit status, seconds, peak RSS in MB, stdout bytes, stderr) of ``python -m hedge ARGS``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "hedge", *args], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        size = out.tell()
        err.seek(0)
        return proc.returncode, seconds, usage.ru_maxrss // 1024, size, err.read().decode(errors="replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--model", help="Model directory (default: the shipped model).")
    opts = parser.parse_args()
    size = int(opts.mb * (1 << 20))
    model = ["--model", opts.model] if opts.model else []
    failed = False
    print(f"{'case':<18}{'seconds':>9}{'peak MB':>9}{'output MB':>11}  status")
    with tempfile.TemporaryDirectory() as tmp:
        for case, extra in [("prose", []), ("no-stop", []), ("one-token", []), ("no-stop", ["--lines"])]:
            path = Path(tmp) / f"{case}.txt"
            if not path.exists():
                make(path, UNITS[case], size)
            code, seconds, peak, out, err = run(["score", str(path), "--format", "jsonl", *model, *extra])
            bad = code != 0 or "Traceback" in err
            failed |= bad
            name = case + (" --lines" if extra else "")
            print(f"{name:<18}{seconds:>9.1f}{peak:>9d}{out / (1 << 20):>11.1f}  {code}"
                  + (f"  {err.strip().splitlines()[-1:]}" if bad else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
