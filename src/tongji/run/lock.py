"""One run at a time per output folder."""

from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from loguru import logger

from ..errors import LockError

LOCK_FILE = ".tongji.lock"
STALE_LOCK_SECONDS = 12 * 3600


def now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


class OutputLock:
    """One run at a time per output folder: a lock file created exclusively."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_FILE
        self.held = False

    def __enter__(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                info = self._holder()
                if self._stale(info):
                    logger.warning("发现上次运行遗留的锁（{}），已清除", info)
                    self.path.unlink(missing_ok=True)
                    continue
                raise LockError(
                    f"输出目录 {self.path.parent} 正被另一个 tongji 运行使用（{info.get('host', '?')} 上的进程 {info.get('pid', '?')}，"
                    f"开始于 {info.get('started', '?')}）。请等它结束后再运行；若确定没有在运行，删除 {self.path} 即可。"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": now()}, f, ensure_ascii=False)
            self.held = True
            return self
        raise LockError(f"无法取得输出目录的锁：{self.path}")

    def _holder(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _stale(self, info: dict[str, Any]) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except OSError:
            return True
        if age > STALE_LOCK_SECONDS:
            return True
        if info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int) and os.name != "nt":
            try:
                os.kill(info["pid"], 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
        return False

    def __exit__(self, *exc) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False
