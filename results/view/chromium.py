"""Headless Chromium (Debian package `chromium`) for the viewer's browser test and `make bench-view`: the rendered DOM
and screenshots of a page opened from disk."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


class NoChromium(RuntimeError):
    """No headless browser is installed."""


def find_chromium() -> str:
    for name in CANDIDATES:
        if path := shutil.which(name):
            return path
    raise NoChromium("no chromium binary on PATH; install it with scripts/install_system.sh (Debian package chromium)")


@dataclass(frozen=True)
class Rendered:
    dom: str
    seconds: float  # wall clock of the whole browser process: start, load, scripts, dump


def _run(args: list[str], timeout: float) -> tuple[str, float]:
    with tempfile.TemporaryDirectory(prefix="vla-view-chromium-") as profile:
        # --no-sandbox: Chromium refuses its sandbox as root and containers often lack the namespaces it needs; the
        # pages opened here are the viewer's own files.
        cmd = [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
               "--disable-extensions", f"--user-data-dir={profile}", *args]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"chromium exited {out.returncode}: {out.stderr[-2000:]}")
    return out.stdout, seconds


def page_url(index: Path, query: str = "", tab: str = "") -> str:
    return Path(index).resolve().as_uri() + (f"?{query}" if query else "") + (f"#{tab}" if tab else "")


def dump_dom(url: str, timeout: float = 120) -> Rendered:
    dom, seconds = _run(["--dump-dom", url], timeout)
    return Rendered(dom, seconds)


def screenshot(url: str, path: Path, size: tuple[int, int] = (1400, 900), timeout: float = 120) -> Path:
    _run([f"--screenshot={Path(path).resolve()}", f"--window-size={size[0]},{size[1]}", url], timeout)
    if not Path(path).is_file():
        raise RuntimeError(f"chromium wrote no screenshot at {path}")
    return Path(path)
