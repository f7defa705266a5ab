"""Resumable, verified downloads of benchmark asset archives (standard library only; for `vla-harness assets fetch`).

A download goes to `<name>.part` and resumes from its size with an HTTP Range request (after an interruption, in this
process up to `ATTEMPTS` times, or on the next run of the command); the finished file is checked against the sha256,
git blob id or size the harness knows before it is renamed to its final name, and refused (and deleted) when it does
not match. A file with no known checksum is refused: never "verified: nothing". The checksum is pinned in the code, or
read from the official host, never from a mirror (a mirror would vouch for its own file). Hugging Face publishes the
sha256 of an LFS file in the `X-Linked-Etag` header of its resolve URL (what huggingface_hub's `get_hf_file_metadata`
reads); `published_checksum` asks for it with a HEAD request that does not follow the redirect.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from vla_harness.harness.errors import UserError

ATTEMPTS = 3
TIMEOUT_S = 60.0
CHUNK = 1 << 20
_SHA256 = re.compile(r'^"?([0-9a-f]{64})"?$')


class DownloadError(UserError):
    pass


@dataclass(frozen=True)
class Remote:
    """One file to download and what it must match (any of the three that is known)."""

    url: str
    name: str  # file name in the downloads folder
    sha256: str | None = None
    git_blob: str | None = None  # the file's git blob id (sha1 of "blob <size>\0" + content) at a cited commit
    size: int | None = None
    cite: str = ""  # where the URL and checksum were read
    files: tuple[tuple[str, str], ...] = ()  # (path, git blob) of an archive's files, checked once it is unpacked

    @property
    def pinned(self) -> bool:
        """Whether the harness knows what this file must be, without asking any server."""
        return bool(self.sha256 or self.git_blob or self.files)

    def via(self, mirror: str | None) -> "Remote":
        """The same file from a mirror that serves https://HOST/PATH as MIRROR/HOST/PATH."""
        if not mirror:
            return self
        parts = urllib.parse.urlsplit(mirror)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise DownloadError(f"--mirror must be an http(s) URL such as http://127.0.0.1:8080, got {mirror!r}")
        return replace(self, url=f"{mirror.rstrip('/')}/{self.url.split('://', 1)[1]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def known_checksum(remote: Remote, mirror: str | None) -> Remote:
    """`remote` with what it must match: pinned in the code, else what its official host publishes (asked there, never
    at the mirror). A DownloadError when neither can say: a file nobody vouches for is not fetched."""
    if remote.pinned:
        return remote
    try:
        official = published_checksum(remote)
    except DownloadError as exc:
        official, why = remote, str(exc)
    else:
        why = f"{remote.url.split('/')[2]} publishes none"
    if not official.sha256:
        via = " from the mirror" if mirror else ""
        raise DownloadError(f"{remote.name}{via}: no checksum is known to check it against ({why}); refusing to use an "
                            "unverified file (a mirror's own checksum is not trusted)")
    return official


def published_checksum(remote: Remote) -> Remote:
    """`remote` with the sha256 and size its server publishes (Hugging Face X-Linked-Etag/-Size), where it does."""
    if remote.sha256:
        return remote
    request = urllib.request.Request(remote.url, method="HEAD", headers={"Accept-Encoding": "identity"})
    try:
        response = urllib.request.build_opener(_NoRedirect).open(request, timeout=TIMEOUT_S)
        headers = response.headers
    except urllib.error.HTTPError as exc:  # the redirect itself arrives here, with the headers we want
        headers = exc.headers
    except (urllib.error.URLError, OSError) as exc:
        raise DownloadError(f"cannot reach {remote.url}: {exc}") from exc
    match = _SHA256.match((headers.get("X-Linked-Etag") or "").strip())
    size = headers.get("X-Linked-Size")
    return replace(remote, sha256=match.group(1) if match else None,
                   size=int(size) if size and size.isdigit() else remote.size)


def download(remote: Remote, folder: Path, progress: bool = True) -> tuple[Path, str]:
    """(the verified file `folder/remote.name`, how it was verified), downloaded or resumed if it is not there yet."""
    folder.mkdir(parents=True, exist_ok=True)
    final, part = folder / remote.name, folder / f"{remote.name}.part"
    if final.is_file():
        return final, verify(remote, final)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _fetch_into(remote, part, progress)
            break
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, urllib.error.HTTPError) and exc.code != 503:
                raise DownloadError(f"{remote.url}: HTTP {exc.code} {exc.reason}") from exc
            if attempt == ATTEMPTS:
                raise DownloadError(f"{remote.url}: interrupted after {part.stat().st_size if part.exists() else 0}"
                                    f" bytes ({exc}); run the command again to resume") from exc
            print(f"\n{remote.name}: interrupted ({exc}); resuming", file=sys.stderr)
    how = verify(remote, part)
    part.replace(final)
    return final, how


def _fetch_into(remote: Remote, part: Path, progress: bool) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Accept-Encoding": "identity", **({"Range": f"bytes={have}-"} if have else {})}
    try:
        response = urllib.request.urlopen(urllib.request.Request(remote.url, headers=headers), timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to send: the part is whole (verify decides)
            return
        raise
    with response:
        if have and response.status != 206:  # the server ignored the range: start again
            have = 0
        total = _total(response, have) or remote.size
        with part.open("ab" if have else "wb") as out:
            _copy(response, out, have, total, remote.name if progress else None)
    if total and part.stat().st_size < total:
        raise ConnectionError(f"connection closed at {part.stat().st_size} of {total} bytes")


def _total(response, have: int) -> int | None:
    content_range = response.headers.get("Content-Range") or ""
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    return have + int(length) if length and length.isdigit() else None


def _copy(response, out: BinaryIO, done: int, total: int | None, label: str | None) -> None:
    bar = Progress(label, total, done) if label else None
    while True:
        block = response.read(CHUNK)
        if not block:
            break
        out.write(block)
        done += len(block)
        if bar:
            bar.show(done)
    if bar:
        bar.show(done, final=True)


class Progress:
    """One line on stderr, redrawn at most twice a second: bytes, percent, speed."""

    def __init__(self, label: str, total: int | None, start: int) -> None:
        self.label, self.total, self.start, self.t0, self.last = label, total, start, time.monotonic(), 0.0

    def show(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.5:
            return
        self.last = now
        speed = (done - self.start) / max(now - self.t0, 1e-6)
        frac = done / self.total if self.total else None
        bar = f"[{'#' * int(30 * frac):<30}] {100 * frac:5.1f}% " if frac is not None else ""
        size = f"{done / 1e6:,.1f}" + (f"/{self.total / 1e6:,.1f}" if self.total else "")
        end = "\n" if final else ""
        sys.stderr.write(f"\r{self.label}: {bar}{size} MB {speed / 1e6:.1f} MB/s{end}")
        sys.stderr.flush()


def file_digests(path: Path) -> tuple[str, str]:
    """(sha256, git blob id) of a file, read once."""
    sha, blob = hashlib.sha256(), hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            sha.update(block)
            blob.update(block)
    return sha.hexdigest(), blob.hexdigest()


def verify(remote: Remote, path: Path) -> str:
    """How the file was verified ("sha256", "git blob", or "its files' git blobs" checked after unpacking); a mismatch
    deletes it, and so does a file with nothing known to check it against."""
    size = path.stat().st_size
    problem = None
    if remote.size is not None and size != remote.size:
        problem = f"{size} bytes, expected {remote.size}"
    elif remote.sha256 or remote.git_blob:
        sha, blob = file_digests(path)
        if remote.sha256 and sha != remote.sha256:
            problem = f"sha256 {sha[:16]}..., expected {remote.sha256[:16]}..."
        elif remote.git_blob and blob != remote.git_blob:
            problem = f"git blob {blob[:12]}..., expected {remote.git_blob[:12]}..."
    if problem:
        path.unlink()
        raise DownloadError(f"{remote.name} from {remote.url} is corrupt ({problem}); it was deleted: run the "
                            "command again to download it afresh")
    if not remote.pinned:
        path.unlink()
        raise DownloadError(f"{remote.name} from {remote.url}: no checksum is known to check it against; it was "
                            "deleted (the harness uses no unverified file)")
    return "sha256" if remote.sha256 else "git blob" if remote.git_blob else "its files' git blobs"
