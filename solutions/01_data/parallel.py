"""Run a function over many items in worker processes, results in input order, with a progress bar."""
import multiprocessing
import signal

from tqdm import tqdm

STOPS = {signal.SIGINT, signal.SIGTERM}


def ordered_map(function, items, workers, description):
    """Yield function(item) for every item, in order; workers=1 runs them in this process.

    `function` must be a module-level function (or a functools.partial of one) so the workers can find it.
    """
    items = list(items)
    bar = dict(total=len(items), desc=description, unit=" photos", leave=False)
    if workers == 1 or len(items) < 2:
        yield from tqdm(map(function, items), **bar)
        return
    chunk = max(1, min(64, len(items) // (workers * 8)))
    with _start_pool(workers) as pool:
        yield from tqdm(pool.imap(function, items, chunksize=chunk), **bar)


def _start_pool(workers):
    """A pool of worker processes. Ctrl-C or SIGTERM while they are forked is held, then raised once they are:
    raised inside fork()'s own clean-up code, it would be lost and the run would go on."""
    held = []
    handlers = {signum: signal.signal(signum, lambda signum, frame: held.append(signum)) for signum in STOPS}
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)  # the workers are born with them blocked, until their initializer
    try:
        pool = multiprocessing.Pool(workers, initializer=_leave_signals_to_the_parent)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    if held:
        pool.terminate()
        signal.raise_signal(held[0])
    return pool


def _leave_signals_to_the_parent():
    """Ctrl-C reaches every process of the terminal: the parent handles it (and SIGTERM) and ends the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
