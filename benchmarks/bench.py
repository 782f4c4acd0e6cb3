"""Benchmark: tongji against the read limit and a pandas/openpyxl baseline.

    pip install -e ".[test,bench]"
    python benchmarks/bench.py                      # N = 23, 500, 7200 schools
    python benchmarks/bench.py --schools 23 500 --repeat 3

For each N it generates (once, into benchmarks/corpus/) two synthetic provinces: the
realistic one (benchmarks/realistic.py: client exports of ~3,900 cells in 15 sheets, .xls
among them, school-made workbooks, separate surveys) and the small one of
samples/generate.py --schools N (one ~850-cell workbook per school and year). Then, on the
same files (the current year's workbooks), it times as whole commands, the median of
--repeat runs, with the peak memory of the whole process tree:

  limit     python-calamine reading every cell of every sheet, and nothing else
  baseline  what a capable user would write: pandas.read_excel (openpyxl; xlrd for .xls)
            over the same sheets, picking the same figures by their fixed cells
  extract   `tongji extract` with 1 and with 2 processes
  run       `tongji run` end to end (both years: extract + aggregate + summary workbook)

It also checks that the figures came out right (each figure of truth.csv found in its cell
with its value). It prints a table and writes benchmarks/results.json. It asserts nothing:
the targets are read from the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable

LIMIT = r"""
import sys, python_calamine as pc
files = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if l]
cells = 0
for f in files:
    wb = pc.CalamineWorkbook.from_path(f)
    for i in range(len(wb.sheets_metadata)):
        s = wb.get_sheet_by_index(i)
        rows = s.to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
        s.merged_cell_ranges
print(cells)
"""

BASELINE = r"""
import csv, sys, pandas as pd
files = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if l]
root = sys.argv[2]
wanted = {}
with open(root + "/truth.csv", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        wanted.setdefault(row["file"], []).append((row["sheet"], row["cell"]))
def rc(cell):
    col = "".join(ch for ch in cell if ch.isalpha()); row = int(cell[len(col):])
    n = 0
    for ch in col: n = n * 26 + ord(ch) - 64
    return row - 1, n - 1
picked = 0
for path in files:
    rel = path[len(root) + 1:]
    engine = "xlrd" if path.endswith(".xls") else "openpyxl"
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine=engine, dtype=object)
    for sheet, cell in wanted.get(rel, []):
        r, c = rc(cell)
        df = sheets[sheet]
        if r < df.shape[0] and c < df.shape[1]:
            df.iat[r, c]; picked += 1
print(picked)
"""


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children", encoding="ascii") as f:
                    stack += [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> tuple[float, int, str]:
    """Wall time, peak memory of the process tree, and stdout of one command (which must
    end with one of the exit codes `ok`: tongji's 1 says the data has findings)."""
    peak = [0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, peak[0], out


def corpus(n: int, kind: str) -> tuple[Path, list[str]]:
    """The corpus of `kind` for N schools (generated once) and the mapping folders to read it
    with: the pack, and for the realistic corpus its own folder (unused_sheets.toml)."""
    folder = HERE / "corpus" / (str(n) if kind == "synthetic" else f"realistic-{n}")
    if not (folder / "truth.csv").is_file():
        print(f"生成 {n} 所学校的{KINDS[kind]} …", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        script = ROOT / "samples" / "generate.py" if kind == "synthetic" else HERE / "realistic.py"
        subprocess.run([PY, str(script), "--schools", str(n), "--out", str(folder)], check=True)
    mappings = [str(ROOT / "mappings")]
    if kind == "realistic":
        sys.path.insert(0, str(HERE))
        import realistic

        mappings.append(str(realistic.write_city_config(folder)))
    return folder, mappings


KINDS = {"synthetic": "小型合成数据（每校一个约 850 格的工作簿）", "realistic": "接近真实的合成数据（统计客户端导出约 3,900 格、15 张表，含 .xls、学校自制表、单独的就业调查）"}


CORRECT = r"""
import csv, sys, polars as pl
truth = pl.read_csv(sys.argv[1], infer_schema_length=0).filter(pl.col("year") == "2020")
got = pl.read_parquet(sys.argv[2], columns=["file", "sheet", "cell", "value", "text"])
got = got.with_columns(pl.col("file").str.replace(r"^.*?/2020/", "2020/"))
both = truth.join(got, on=["file", "sheet", "cell"], how="left")
def same(row):
    want, value, text = row["value"], row["value_right"], row["text"]
    if value is None:
        return text is not None and text == want
    try:
        return abs(float(want) - value) < 1e-6 * max(1.0, abs(value))
    except ValueError:
        return False
print(sum(same(r) for r in both.iter_rows(named=True)), truth.height)
"""


def measure(name: str, cmd: list[str], repeat: int, n_files: int, cwd: Path | None = None) -> dict:
    ok = (0, 1) if "tongji" in cmd else (0,)
    runs = [timed(cmd, cwd, ok) for _ in range(repeat)]
    wall = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    row = {
        "step": name,
        "files": n_files,
        "repeat": repeat,
        "seconds": round(wall, 3),
        "ms_per_file": round(1000 * wall / n_files, 3),
        "files_per_s": round(n_files / wall, 1),
        "peak_mib": round(peak / 2**20, 1),
        "runs_s": [round(r[0], 3) for r in runs],
    }
    print(f"  {name:<16} {row['seconds']:>9.2f} s {row['ms_per_file']:>9.2f} ms/文件 {row['files_per_s']:>9.1f} 文件/s  峰值 {row['peak_mib']:>7.1f} MiB", flush=True)
    return row


def bench(n: int, kind: str, repeat: int, baseline_files: int) -> dict:
    folder, mapping_folders = corpus(n, kind)
    files = sorted(str(p) for p in (folder / "2020").rglob("*") if p.suffix in (".xlsx", ".xls"))
    print(f"N = {n}，{KINDS[kind]}：{len(files)} 个工作簿（2020 年）", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"tongji-bench-{n}-"))
    try:
        listing = tmp / "files.txt"
        listing.write_text("\n".join(files), encoding="utf-8")
        step = max(1, len(files) // baseline_files)
        sample = files[::step][:baseline_files]
        sample_listing = tmp / "sample.txt"
        sample_listing.write_text("\n".join(sample), encoding="utf-8")
        roster = str(folder / "roster.xlsx")
        m_args = [a for m in mapping_folders for a in ("-m", m)]
        rows = {
            "limit": measure("limit", [PY, "-c", LIMIT, str(listing)], repeat, len(files)),
            "baseline": measure("baseline", [PY, "-c", BASELINE, str(sample_listing), str(folder)], repeat, len(sample)),
        }
        for jobs in (1, 2):
            out = tmp / f"extract{jobs}"
            cmd = [PY, "-m", "tongji", "extract", str(folder / "2020"), *m_args, "-r", roster, "-y", "2020", "-o", str(out), "-j", str(jobs)]
            rows[f"extract_{jobs}job"] = measure(f"extract {jobs} job", cmd, repeat, len(files))
        right, total = map(int, timed([PY, "-c", CORRECT, str(folder / "truth.csv"), str(tmp / "extract2" / "lineage.parquet")])[2].split())
        print(f"  取对的数字：{right} / {total}", flush=True)
        job = tmp / "job.toml"
        job.write_text(
            f'name = "bench {n}"\nyear = 2020\nroster = "{Path(roster).as_posix()}"\nmappings = {json.dumps([Path(m).as_posix() for m in mapping_folders], ensure_ascii=False)}\n'
            f'report = "{(ROOT / "reports" / "annual_report.toml").as_posix()}"\noutput = "out"\njobs = 2\n'
            f'[inputs]\n2019 = ["{(folder / "2019").as_posix()}"]\n2020 = ["{(folder / "2020").as_posix()}"]\n',
            encoding="utf-8",
        )
        n_run = len(files) + sum(1 for p in (folder / "2019").rglob("*") if p.suffix in (".xlsx", ".xls"))
        run_rows = []
        for _ in range(repeat):
            shutil.rmtree(tmp / "out", ignore_errors=True)  # a first run: nothing cached
            run_rows.append(measure("run (2 years)", [PY, "-m", "tongji", "run", str(job)], 1, n_run))
        rows["run"] = dict(run_rows[0], seconds=statistics.median(r["seconds"] for r in run_rows), peak_mib=max(r["peak_mib"] for r in run_rows), runs_s=[r["seconds"] for r in run_rows], repeat=repeat)
        rows["run"]["ms_per_file"] = round(1000 * rows["run"]["seconds"] / n_run, 3)
        rows["rerun_unchanged"] = measure("run again", [PY, "-m", "tongji", "run", str(job)], repeat, n_run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lim, base, e1, e2 = rows["limit"], rows["baseline"], rows["extract_1job"], rows["extract_2job"]
    ratios = {
        "tongji_1job_over_limit": round(e1["ms_per_file"] / lim["ms_per_file"], 2),
        "speedup_2jobs": round(e1["seconds"] / e2["seconds"], 2),
        "baseline_over_tongji_1job": round(base["ms_per_file"] / e1["ms_per_file"], 2),
        "baseline_over_tongji_2jobs": round(base["ms_per_file"] / e2["ms_per_file"], 2),
    }
    print(f"  tongji(1)/极限 = {ratios['tongji_1job_over_limit']}；2 进程加速 = {ratios['speedup_2jobs']}；基线/tongji(1) = {ratios['baseline_over_tongji_1job']}", flush=True)
    return {"schools": n, "corpus": kind, "files": len(files), "baseline_sample": len(sample), "figures_right": [right, total], "steps": rows, "ratios": ratios}


def main() -> None:
    ap = argparse.ArgumentParser(description="tongji 性能测试")
    ap.add_argument("--schools", type=int, nargs="+", default=[23, 500, 7200])
    ap.add_argument("--corpus", nargs="+", choices=list(KINDS), default=["realistic", "synthetic"], help="哪种合成数据（默认两种都测）")
    ap.add_argument("--repeat", type=int, default=3, help="每项重复次数，取中位数")
    ap.add_argument("--baseline-files", type=int, default=500, help="基线最多读取的文件数（pandas 太慢，大规模时抽样）")
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "corpora": [bench(n, kind, args.repeat, args.baseline_files) for kind in args.corpus for n in args.schools],
    }
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 {args.out}")


if __name__ == "__main__":
    main()
