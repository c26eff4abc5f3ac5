"""The demo's output folder: one demo at a time writes it, and each starts from an empty one.

The lock is an `fcntl.flock` on demo.pid inside the folder (as workshop/checkpoint.py locks the checkpoints): the
system releases it when the demo's process ends, however it ends, and the file says which process holds it.
"""
import contextlib
import fcntl
import os
import shutil

from workshop.demo import DemoError
from workshop.paths import shown

LOCK_FILE = "demo.pid"
# Written first into every demo's folder, whatever the run (the toy world, MODEL=locationnet, TREE=steps), and kept:
# the next demo knows the folder as a demo's and empties it.
MARK = "made-by-the-demo.txt"
OLD_MARK = "prepare.log"  # what told a demo's folder before MARK: folders of earlier checkouts' demos


@contextlib.contextmanager
def claimed(out):
    """Make `out` this demo's own empty folder while the block runs; refuse while another demo works in it."""
    if (out.exists() or out.is_symlink()) and not made_by_a_demo(out):
        raise DemoError(f"{shown(out)} exists and was not made by the demo, which empties its folder first: pass "
                        "--out with a new folder.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = _locked(out / LOCK_FILE)
    except OSError as error:
        raise DemoError(f"Cannot write {shown(out)} ({error.strerror}): pass --out with a folder you can write "
                        "to.") from None
    try:
        earlier = lock.read().strip()
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        if earlier:
            print(f"{shown(out / LOCK_FILE)} names pid {earlier}, which is no longer running: an earlier demo was "
                  "stopped without cleaning up.")
        _empty(out)
        (out / MARK).write_text("`make demo` wrote this folder and empties it at its next run.\n")
        yield out
    finally:
        with contextlib.suppress(OSError):
            (out / LOCK_FILE).unlink()
        lock.close()


def _locked(path):
    """demo.pid opened and locked by this process, or a DemoError naming the demo that holds it."""
    while True:
        lock = open(path, "a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            pid = lock.read().strip() or "unknown"
            lock.close()
            raise DemoError(f"A demo is already running (pid {pid}, writing {shown(path.parent)}): wait for it to "
                            f"finish, or stop it (Ctrl-C in its terminal, or `kill {pid}`), then run `make demo` "
                            "again.") from None
        # The demo that held the lock may have removed the file meanwhile: then lock the file that is there now.
        if path.exists() and os.path.samestat(os.fstat(lock.fileno()), path.stat()):
            lock.seek(0)
            return lock
        lock.close()


def _empty(out):
    """Remove what an earlier demo left in `out`, all but the lock."""
    left = [path for path in out.iterdir() if path.name not in (LOCK_FILE, MARK)]
    if left:
        print(f"Removing the earlier demo's {shown(out)} to start clean.")
    for path in left:
        try:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError as error:
            raise DemoError(f"Cannot remove {shown(path)} ({error.strerror}): remove it yourself, then run "
                            "`make demo` again.") from None


def made_by_a_demo(folder):
    """An empty folder, or one holding the file that every demo writes first (or the lock of one that runs)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    return not any(folder.iterdir()) or any((folder / name).exists() for name in (LOCK_FILE, MARK, OLD_MARK))
