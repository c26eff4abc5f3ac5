"""One resumable download, for `make locationnet` (the model's files) and the MediaEval test list.

    download.fetch(url, target, max_bytes, again="make locationnet", elsewhere="...")

Every rule a download keeps is here, once:
- One writer at a time: a run holds `<target>.lock` (fcntl.flock); a second run at once is told another is going.
- Staging: the bytes go to `<target>.part`, which a run creates itself (O_EXCL) or reopens only as the regular file an
  earlier run made (O_NOFOLLOW): a link or a folder there is refused, never followed. `<target>.part.json` says what
  the part is a part of (its ETag and size). `<target>` appears only once the part is whole and checked.
- A resume is proven: it is asked for only with a strong ETag (`If-Range`), and a 206 is taken only when its
  Content-Range starts where the part ends, for the same size and ETag. Anything else (a 200, a 416, a range that
  does not fit) starts again from zero in the same run, so a mirror that never resumes costs one download, not
  every later run.
- Identity only: `Accept-Encoding: identity`; a body that still comes encoded (gzip) is refused, never stored.
- Capped: no more than `max_bytes` is read, whether the server announces a size or not.
- A deadline: connect and read timeouts, a floor on speed (as curl's --speed-limit/--speed-time), a total time.
- Checked: the size announced, and the MD5 that a single-part S3 object's ETag is.
- One paragraph for every failure (Failed), which keeps what arrived when it can be resumed; a URL is shown without
  its user:password.
"""
import contextlib
import errno
import fcntl
import hashlib
import http.client
import json
import os
import re
import stat
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from tqdm import tqdm

CHUNK = 1 << 16
CONNECT_SECONDS, READ_SECONDS = 10, 30  # to connect; without a byte
SPEED_FLOOR_BYTES, SPEED_FLOOR_SECONDS = 64 * 1024, 60  # fewer bytes than this in that many seconds: too slow
TOTAL_SECONDS = 2 * 3600  # one download, from its first byte to its last
MD5_ETAG = re.compile(r'"([0-9a-f]{32})"')  # a single-part S3 upload's ETag; "-N" ones (multipart) are no MD5
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class Failed(Exception):
    """What went wrong and what to do about it, in one paragraph."""


class NotProven(Exception):
    """An answer to a resume that cannot be joined to the part: start again from zero."""


def join(folder_url, name):
    """`name` inside the folder that `folder_url` names, with or without its trailing slash."""
    return urljoin(folder_url if folder_url.endswith("/") else folder_url + "/", name)


def shown(url):
    """The URL without the user name and password it may carry."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")))


def fetch(url, target, max_bytes, again, elsewhere=""):
    """`url` into `target` (resumed from what an earlier run left); returns `target`, or raises Failed.

    `again` is the command that goes on from where this stopped; `elsewhere` what to do if the server cannot help."""
    target = Path(target)
    try:
        with locked(target.with_name(target.name + ".lock"), again):
            if regular_file(target):
                return target  # downloaded whole by an earlier run whose checks then did not run
            _fetch(url, Part(target), max_bytes, again, elsewhere)
        return target
    except Failed as failed:
        secret = urlsplit(url).password
        raise Failed(str(failed).replace(secret, "***") if secret else str(failed)) from None


def _fetch(url, part, max_bytes, again, elsewhere):
    deadline = time.monotonic() + TOTAL_SECONDS
    if not part.resumable():
        part.drop()
    try:
        complete = _get(url, part, max_bytes, deadline, again, elsewhere)
    except NotProven as why:
        print(f"{part.name}: {why}; downloading it again from the start.")
        part.drop()
        complete = _get(url, part, max_bytes, deadline, again, elsewhere)
    if not complete:
        raise Failed(f"{shown(url)} ended before the size it announced and cannot be resumed. Run `{again}` again.")
    part.verify(again, elsewhere)
    part.publish()


def _get(url, part, max_bytes, deadline, again, elsewhere):
    """One GET of `url` into `part` (the rest of it when the part can be resumed): whether the part is now whole."""
    have, known = part.size(), part.known
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers.update({"Range": f"bytes={have}-", "If-Range": known["etag"]})
    try:
        with requests.get(url, headers=headers, stream=True, timeout=(CONNECT_SECONDS, READ_SECONDS)) as answer:
            if answer.status_code == 416 and have:
                if have == known["size"]:
                    return True  # the part already holds every byte: its checksum says whether it is the file
                raise NotProven("the server would not resume it (HTTP 416)")
            _refuse_errors(answer, url, elsewhere)
            start, size = _what_comes(answer, have, known)
            if answer.headers.get("Content-Encoding", "identity").lower() != "identity":
                raise Failed(f"{shown(url)} came {answer.headers['Content-Encoding']}-encoded although the download "
                             f"asked for the file as it is (Accept-Encoding: identity): that server changes the file "
                             f"it serves. {elsewhere}".rstrip())
            if size is not None and size > max_bytes:
                raise Failed(f"{shown(url)} announces {size / 1e6:,.1f} MB, more than the {max_bytes / 1e6:,.1f} MB "
                             f"the file is at most: that is not the file. {elsewhere}".rstrip())
            if start == 0:
                part.restart({"etag": answer.headers.get("ETag", ""), "size": size})
            return _receive(answer, url, part, start, max_bytes, deadline, again, elsewhere)
    except (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, ConnectionError,
            TimeoutError) as error:  # the network's errors; the disk's are Failed already (Part.write)
        arrived = part.size()
        if arrived:
            of = f" of {part.known['size'] / 1e6:.1f}" if part.known.get("size") else ""
            raise Failed(f"the download of {part.name} stopped after {arrived / 1e6:.1f}{of} MB ({reason(error)}). "
                         f"What arrived is kept in {part.path.parent}: run `{again}` again and it goes on from "
                         "there.") from None
        raise Failed(f"could not reach {shown(url)} ({reason(error)}). Check your network connection (or proxy), "
                     f"then run `{again}` again. {elsewhere}".rstrip()) from None


def _what_comes(answer, have, known):
    """(where the body starts in the file, the file's whole size or None): a 206 only where the part ends."""
    length = answer.headers.get("Content-Length")
    length = int(length) if length and length.isdigit() else None
    if answer.status_code == 200:
        if have:
            raise NotProven("the server sent the whole file again (it changed there, or the server does not resume)")
        return 0, length
    found = CONTENT_RANGE.fullmatch(answer.headers.get("Content-Range", "").strip())
    first, last, size = (int(number) for number in found.groups()) if found else (-1, -1, -1)
    fits = found and first == have and last == size - 1 and (length is None or length == size - first)
    if have and answer.headers.get("ETag") != known["etag"]:
        raise NotProven(f"it changed on the server since its download began (its ETag was {known['etag']}, it is now "
                        f"{answer.headers.get('ETag', 'none')})")
    if have and not (fits and size == known["size"]):
        raise NotProven("the server's answer to a resume does not start where the part ends "
                        f"(Content-Range: {answer.headers.get('Content-Range', 'none')})")
    if not fits:
        raise Failed(f"{shown(answer.url)} answered a request for the whole file with part of it (HTTP 206, "
                     f"Content-Range: {answer.headers.get('Content-Range', 'none')}): that server cannot be "
                     "downloaded from.")
    return first, size


def _receive(answer, url, part, start, max_bytes, deadline, again, elsewhere):
    """The body into the part, capped and on time: whether the part is now as long as the file."""
    size = part.known["size"]
    with part.writer(start) as file, tqdm(desc=part.name, total=size, initial=start, unit="B", unit_scale=True,
                                          unit_divisor=1024, leave=False) as bar:
        floor_from, floor_bytes = time.monotonic(), 0
        while True:
            chunk = answer.raw.read1(CHUNK, decode_content=False)  # whatever has arrived: slow servers meet clocks
            if not chunk:
                break
            if file.tell() + len(chunk) > max_bytes:
                part.drop()
                raise Failed(f"{shown(url)} sent more than the {max_bytes / 1e6:,.1f} MB the file is at most: that "
                             f"is not the file, and the download was stopped and thrown away. {elsewhere}".rstrip())
            part.write(file, chunk, again)
            bar.update(len(chunk))
            now, floor_bytes = time.monotonic(), floor_bytes + len(chunk)
            if now > deadline or (now - floor_from > SPEED_FLOOR_SECONDS and floor_bytes < SPEED_FLOOR_BYTES):
                raise Failed(f"the download of {part.name} was too slow (under {SPEED_FLOOR_BYTES / 1e3:.0f} kB in "
                             f"{SPEED_FLOOR_SECONDS} s, or over {TOTAL_SECONDS / 60:.0f} min in all) and stopped after "
                             f"{file.tell() / 1e6:.1f} MB. What arrived is kept in {part.path.parent}: run `{again}` "
                             "again and it goes on from there (or try another network or mirror).")
            if now - floor_from > SPEED_FLOOR_SECONDS:
                floor_from, floor_bytes = now, 0
    arrived = part.size()
    if size is not None and arrived < size:
        raise requests.ConnectionError("the connection closed early")
    if size is None:
        part.known["size"] = arrived  # no size announced: the end of the body is the end of the file
        part.remember()
    return True


def _refuse_errors(answer, url, elsewhere):
    if answer.status_code == 403:
        raise Failed(f"the server refused {shown(url)} (HTTP 403 Forbidden): the file is no longer public there, or "
                     f"the mirror wants a sign-in. {elsewhere}".rstrip())
    if answer.status_code == 404:
        raise Failed(f"{shown(url)} is not there (HTTP 404 Not Found): the bucket has moved or renamed it, or the "
                     f"mirror's folder is not the one that holds it. {elsewhere}".rstrip())
    if answer.status_code not in (200, 206):
        raise Failed(f"{shown(url)} answered HTTP {answer.status_code} {answer.reason}. Try again later. "
                     f"{elsewhere}".rstrip())


def reason(error):
    """The last words of a requests or urllib3 error, which say what happened (refused, timed out, cut)."""
    if "IncompleteRead" in str(error):
        return "the connection closed early"
    return str(error).rstrip(")").split(": ")[-1].strip("'\"") or error.__class__.__name__


class Part:
    """`<target>.part` and `<target>.part.json` (`known`: {"etag", "size"} of the file it is a part of)."""

    def __init__(self, target):
        self.target = target
        self.name = target.name
        self.path = target.with_name(target.name + ".part")
        self.about = target.with_name(target.name + ".part.json")
        self.known = {}
        if regular_file(self.path) and regular_file(self.about):
            with contextlib.suppress(ValueError, OSError):
                self.known = json.loads(_read(self.about))
        if not isinstance(self.known, dict):
            self.known = {}

    def resumable(self):
        """A part to go on from: some bytes, and a strong ETag (a weak one, W/..., may name other bytes)."""
        etag = self.known.get("etag") if isinstance(self.known, dict) else None
        return bool(self.size() and isinstance(etag, str) and etag.startswith('"') and "size" in self.known)

    def size(self):
        return self.path.stat().st_size if regular_file(self.path) else 0

    def drop(self):
        for path in (self.path, self.about):
            regular_file(path)  # refuses a link or a folder there
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.known = {}

    def restart(self, known):
        self.drop()
        self.known = known
        self.remember()
        os.close(_create(self.path))

    def remember(self):
        with contextlib.suppress(FileNotFoundError):
            self.about.unlink()
        with os.fdopen(_create(self.about), "w") as file:
            json.dump(self.known, file)

    @contextlib.contextmanager
    def writer(self, start):
        """The part, open for appending at `start`: a regular file this download made, never a link."""
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
        except OSError as error:
            raise Failed(f"cannot write {self.path} ({error.strerror}).") from None
        with os.fdopen(descriptor, "ab", buffering=0) as file:  # unbuffered: a full disk fails in write(), not close()
            if os.fstat(file.fileno()).st_size != start:
                raise Failed(f"{self.path} changed while it was written (another run?): run the command again.")
            yield file

    def write(self, file, chunk, again):
        rest = memoryview(chunk)
        try:
            while rest:  # an unbuffered write may take only part of the chunk (what fits on the disk)
                rest = rest[file.write(rest):]
        except OSError as error:
            arrived = file.tell()
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise Failed(f"the disk is full: {arrived / 1e6:.1f} MB of {self.name} arrived and are kept in "
                             f"{self.path}. Free some space (`df -h {self.path.parent}` shows how much is left), "
                             f"then run `{again}` again and it goes on from there.") from None
            raise Failed(f"cannot write {self.path} ({error.strerror}): what arrived is kept; fix that, then run "
                         f"`{again}` again.") from None

    def verify(self, again, elsewhere):
        """The size the server announced, and the MD5 a single-part S3 ETag is; else the part goes."""
        size, problem = self.size(), None
        if self.known.get("size") is not None and size != self.known["size"]:
            problem = f"{size} bytes arrived, the server announced {self.known['size']}"
        elif MD5_ETAG.fullmatch(self.known.get("etag", "")):
            digest = md5_of(self.path)
            if digest != self.known["etag"].strip('"'):
                problem = f"its MD5 is {digest}, the server's ETag says {self.known['etag']}"
        if problem:
            self.drop()
            raise Failed(f"the download of {self.name} is corrupt ({problem}), so it was thrown away. Run `{again}` "
                         "again; if it happens again, the file on the server is damaged or was replaced while it "
                         f"downloaded. {elsewhere}".rstrip())

    def publish(self):
        os.replace(self.path, self.target)
        self.about.unlink()


def md5_of(path):
    digest = hashlib.md5()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def regular_file(path):
    """Whether a regular file is at `path` (not through a link); a link, a folder or a device there is refused."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISREG(found.st_mode):
        return True
    kind = "a link" if stat.S_ISLNK(found.st_mode) else "a folder" if stat.S_ISDIR(found.st_mode) else "not a file"
    raise Failed(f"{path} is {kind}, where the download keeps a file of its own: it was not made by the download and "
                 f"is never followed or written through. Remove it (`rm -r {path}`), then run the command again.")


def _create(path):
    """A new file at `path`, made by this run: never an earlier file, never through a link."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        regular_file(path)
        raise Failed(f"{path} appeared while the download was writing it: is another run going?") from None
    except OSError as error:
        raise Failed(f"cannot create {path} ({error.strerror}): make its folder writable, then run again.") from None


def _read(path):
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), encoding="utf-8") as file:
        return file.read(1 << 16)


def copy(source, target, max_bytes, again):
    """A file obtained elsewhere into `target`, through the same staging part: capped, never through a link."""
    part = Part(Path(target))
    part.drop()
    part.restart({"etag": "", "size": None})
    try:
        reading = open(source, "rb")
    except OSError as error:
        raise Failed(f"cannot read {source} ({error.strerror}).") from None
    with reading, part.writer(0) as file:
        for chunk in iter(lambda: reading.read(CHUNK), b""):
            if file.tell() + len(chunk) > max_bytes:
                part.drop()
                raise Failed(f"{source} is over {max_bytes / 1e6:,.1f} MB, more than the file is at most: that is "
                             "not the file.")
            part.write(file, chunk, again)
    part.publish()
    return target


@contextlib.contextmanager
def locked(path, again):
    """While the block runs, this process holds `path` (an fcntl.flock, which the system releases however the process
    ends); another process at once is told that a run is going. The file goes when the block ends."""
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            regular_file(path)  # a link or a folder there
            raise Failed(f"cannot create the lock {path} ({error.strerror}): make its folder writable.") from None
        lock = os.fdopen(descriptor, "r+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = lock.read(32).strip() or "unknown"
            lock.close()
            raise Failed(f"another `{again}` is running (pid {pid}, holding {path}): wait for it to finish, or stop "
                         f"it (Ctrl-C in its terminal, or `kill {pid}`), then run `{again}` again.") from None
        # The run that held the lock may have removed the file meanwhile: then lock the file that is there now.
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(os.fstat(descriptor), os.lstat(path)):
                break
        lock.close()
    with lock:
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
