"""Run a function over many items in worker processes, results in input order, with a progress bar."""
import multiprocessing

from tqdm import tqdm


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
    with multiprocessing.Pool(workers) as pool:
        yield from tqdm(pool.imap(function, items, chunksize=chunk), **bar)
