"""Run a function over many items in worker processes, results in input order, with a progress bar."""
import contextlib
import multiprocessing
import signal

from tqdm import tqdm

STOPS = {signal.SIGINT, signal.SIGTERM}


def ordered_map(function, items, workers, description):
    """Yield function(item) for every item, in order; workers=1 runs them in this process.

    `function` must be a module-level function (or a functools.partial of one) so the workers can find it.
    """
    items = list(items)
    if workers == 1 or len(items) < 2:
        yield from progress(map(function, items), len(items), description)
        return
    chunk = max(1, min(64, len(items) // (workers * 8)))
    with _start_pool(workers) as pool:
        yield from progress(pool.imap(function, items, chunksize=chunk), len(items), description)


def progress(results, total, description):
    """`results` behind a progress bar. A stop while tqdm sets the bar up waits until it has: a half-made bar
    prints a traceback as it is thrown away."""
    with _stops_held():
        return tqdm(results, total=total, desc=description, unit=" photos", leave=False)


def _start_pool(workers):
    """A pool of worker processes. Ctrl-C or SIGTERM while they are forked is held, then raised once they are:
    raised inside fork()'s own clean-up code, it would be lost and the run would go on."""
    with _stops_held() as held:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)  # the workers are born with them blocked, until initialised
        try:
            pool = multiprocessing.Pool(workers, initializer=_leave_signals_to_the_parent)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
        if held:
            pool.terminate()
    return pool


@contextlib.contextmanager
def _stops_held():
    """Ctrl-C or SIGTERM during the block is held (the list of those held), then raised once it ends."""
    held = []
    handlers = {signum: signal.signal(signum, lambda signum, frame: held.append(signum)) for signum in STOPS}
    try:
        yield held
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    if held:
        signal.raise_signal(held[0])


def _leave_signals_to_the_parent():
    """Ctrl-C reaches every process of the terminal: the parent handles it (and SIGTERM) and ends the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
