"""Ctrl+C at random moments of a parallel `tongji extract`, with every CPU busy.

    pip install -e ".[test,bench]"
    python benchmarks/interrupts.py --runs 40 --schools 500

A terminal's Ctrl+C goes to the whole process group: tongji and its worker processes. Each
run starts `tongji extract -j 2` on the realistic corpus (benchmarks/bench.py generates it
once into benchmarks/corpus/), waits a random moment (--seed makes them the same each
time), presses Ctrl+C, and counts a run as clean when it ends within 120 s with exit 130
and 已中断 (or, had it finished, its exit code and 完成) and nothing in English on the
console: no traceback. A busy
loop per CPU runs meanwhile (tests/load.py), as on an office PC doing something else.
It prints each run and the count; it asserts nothing. The tests pin the same behaviour
at fixed moments (tests/test_run_faults.py, tests/test_pool.py).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench import corpus  # noqa: E402
from load import busy_cpus  # noqa: E402

ENGLISH = re.compile(r"Error|Traceback|Exception|Warning")


def one_run(cmd: list[str], at: float) -> tuple[bool, str]:
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    time.sleep(at)
    try:
        os.killpg(proc.pid, signal.SIGINT)
    except ProcessLookupError:
        pass
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return False, "120 秒内没有结束：" + err[-300:]
    if proc.returncode == 130:
        said = "已中断" in err
    elif proc.returncode in (0, 1, -signal.SIGINT):
        # finished; -SIGINT (a shell shows 130): pressed while the interpreter was ending,
        # after every output was written and said, when Python has given the signal back
        # its default action
        said = "完成" in err
    else:
        said = False
    clean = said and not ENGLISH.search(out + err)
    return clean, f"退出码 {proc.returncode}" + ("" if clean else "：" + err[-600:])


def main() -> None:
    ap = argparse.ArgumentParser(
        description="在随机时刻按 Ctrl+C，统计干净退出的次数（CPU 全忙）。"
    )
    ap.add_argument("--runs", type=int, default=40, help="次数")
    ap.add_argument("--schools", type=int, default=500, help="接近真实的合成数据的学校数")
    ap.add_argument("--seed", type=int, default=1, help="随机时刻的种子")
    ap.add_argument("--latest", type=float, default=8.0, help="最晚在开始后多少秒按下")
    args = ap.parse_args()
    folder, mappings = corpus(args.schools, "realistic")
    rng = random.Random(args.seed)
    clean = 0
    with tempfile.TemporaryDirectory() as tmp, busy_cpus():
        for i in range(args.runs):
            out = Path(tmp) / "out"
            shutil.rmtree(out, ignore_errors=True)
            cmd = [sys.executable, "-m", "tongji", "extract", str(folder / "2020")]
            cmd += [arg for m in mappings for arg in ("-m", m)]
            cmd += ["-r", str(folder / "roster.xlsx"), "-y", "2020", "-o", str(out), "-j", "2"]
            at = rng.uniform(0.3, args.latest)
            ok, said = one_run(cmd, at)
            clean += ok
            print(f"{i + 1:>3}  {at:5.2f} 秒  {'干净' if ok else '不干净'}  {said}", flush=True)
    print(f"{clean} / {args.runs} 次干净退出")


if __name__ == "__main__":
    main()
