"""Build tongji as one program file (`dist/tongji.exe` on Windows, `dist/tongji` elsewhere)
with PyInstaller, for machines without Python, and try it on the bundled samples.

    pip install . pyinstaller
    python tools/build_exe.py

The program holds Python, tongji, its libraries and the bundled mappings and report
definition (`tongji init` copies them). It is built for the system it is built on: build
the Windows program on Windows. After building, it is run as a user would run it: its
version, a mistyped command (the message must be Chinese), `tongji run` on a copy of the
samples (the summary workbook must appear) and `tongji init`; any failure ends with exit 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = """\
import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()  # Windows starts reading processes from the program itself
    from tongji.cli import main

    main(prog_name="tongji")
"""


def build(work: Path) -> Path:
    entry = work / "tongji_main.py"
    entry.write_text(ENTRY, encoding="utf-8")
    args = [sys.executable, "-m", "PyInstaller", "--onefile", "--name", "tongji", "--noconfirm"]
    args += ["--collect-data", "tongji", "--collect-submodules", "tongji"]
    args += ["--collect-all", "adbc_driver_sqlite", "--collect-all", "adbc_driver_manager"]  # a native driver
    args += ["--distpath", str(ROOT / "dist"), "--workpath", str(work / "build"), "--specpath", str(work)]
    subprocess.run([*args, str(entry)], check=True)
    return ROOT / "dist" / ("tongji.exe" if os.name == "nt" else "tongji")


def check(program: Path, work: Path) -> list[str]:
    """What went wrong when the program was run as a user runs it (nothing: [])."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(program), *args], capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd, timeout=600)

    failures = []
    res = run("--version")
    if res.returncode != 0 or "tongji" not in res.stdout:
        failures.append(f"--version: {res.returncode} {res.stdout}{res.stderr}")
    res = run("runn")
    if res.returncode != 2 or "没有命令" not in res.stderr:
        failures.append(f"runn: {res.returncode} {res.stderr}")
    samples = work / "样例"
    shutil.copytree(ROOT / "samples", samples / "samples")
    for name in ("mappings", "reports"):
        shutil.copytree(ROOT / name, samples / name)
    res = run("run", str(samples / "samples" / "tongji.toml"), "-q")
    summary = samples / "out" / "赤峰市2020年质量年报数据.xlsx"
    if res.returncode != 0 or not summary.is_file():
        failures.append(f"run: {res.returncode} {res.stdout}{res.stderr}")
    res = run("init", str(work / "新任务"), "--region", "示例市", "-y", "2025")
    if res.returncode != 0 or not (work / "新任务" / "映射" / "datasets.toml").is_file():
        failures.append(f"init: {res.returncode} {res.stdout}{res.stderr}")
    return failures


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tongji-exe-") as tmp:
        work = Path(tmp)
        program = build(work)
        failures = check(program, work)
    size = program.stat().st_size / 2**20
    if failures:
        print("程序已生成，但试运行失败：", *failures, sep="\n", file=sys.stderr)
        return 1
    print(f"已生成 {program}（{size:.0f} MB），试运行通过：--version、中文错误信息、run（样例）、init。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
