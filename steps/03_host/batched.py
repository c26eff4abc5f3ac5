"""Many photos at once, for quantize.py's comparison and `make evaluate`: each photo decoded and preprocessed as
serving does (photo.py, inference.preprocess) by a pool of threads (Pillow and numpy let go of Python's lock while
they work), while the network answers the photos before them in batches, which a CPU runs faster per photo than one
at a time.
"""
import concurrent.futures
import os
import sys
from pathlib import Path

import mxnet as mx
import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE / "code") not in sys.path:
    sys.path.insert(0, str(HERE / "code"))  # the container's modules: code/, as SageMaker lays out model.tar.gz

import inference  # noqa: E402
import photo  # noqa: E402
from refusal import Refused  # noqa: E402

BATCH = 8  # photos the network answers at once (`python -m workshop bench step03_batches` measures the best)


def pixels(body, locator):
    """Photo bytes -> the (3, S, S) array `locator` sees, prepared as predict_fn prepares a request; None for a photo
    serving would refuse (not a photo, truncated, over 6 MB)."""
    try:
        image = photo.decode(photo.open_photo(body), locator.resize)
    except Refused:
        return None
    return inference.preprocess(image, locator.resize, locator.image_size, locator.mean, locator.std)[0].asnumpy()


def ranked(locators, bodies, k=1, batch=BATCH, workers=None, progress=None):
    """The k best classes of each photo of `bodies` (bytes, or callables that return them) by each of `locators`
    (networks with the same input settings, e.g. fp32 and its int8 copy), best first: ([(photos, k) array per
    locator], the indices of the photos answered). progress(n) is called after each batch of n photos."""
    found, kept = [[] for _ in locators], []

    def prepare(body):
        return pixels(body() if callable(body) else body, locators[0])

    chunks = [range(start, min(start + batch, len(bodies))) for start in range(0, len(bodies), batch)]
    with concurrent.futures.ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
        ahead = [pool.map(prepare, [bodies[i] for i in chunk]) for chunk in chunks[:2]]
        for number, chunk in enumerate(chunks):
            if number + 2 < len(chunks):  # the next batches decode while this one runs
                ahead.append(pool.map(prepare, [bodies[i] for i in chunks[number + 2]]))
            prepared = [(index, array) for index, array in zip(chunk, ahead[number]) if array is not None]
            ahead[number] = None
            if prepared:
                for answers, best in zip(found, answer(locators, [array for _, array in prepared], k, batch)):
                    answers.append(best)
                kept += [index for index, _ in prepared]
            if progress:
                progress(len(chunk))
    return [np.concatenate(answers) if answers else np.zeros((0, k), dtype=np.int64) for answers in found], kept


def ranked_pixels(locators, arrays, k=1, batch=BATCH):
    """ranked() for photos already prepared: [(photos, k) array of the k best classes per locator]."""
    found = [answer(locators, arrays[start:start + batch], k, batch) for start in range(0, len(arrays), batch)]
    return [np.concatenate(answers) for answers in zip(*found)] if found else [np.zeros((0, k), np.int64)] * len(locators)


def answer(locators, arrays, k, batch):
    """The k best classes of up to `batch` prepared photos by each locator: one network call each, on a batch that
    always has `batch` rows (a network hybridized for one shape keeps its plan)."""
    stack = np.zeros((batch,) + arrays[0].shape, dtype=np.float32)
    for row, array in enumerate(arrays):
        stack[row] = array
    inputs = mx.nd.array(stack)
    return [top(locator(inputs).asnumpy()[: len(arrays)], k) for locator in locators]


def top(probabilities, k):
    """The indices of the k largest values of each row, largest first."""
    if k == 1:
        return probabilities.argmax(axis=1)[:, np.newaxis]
    best = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(probabilities, best, axis=1), axis=1)
    return np.take_along_axis(best, order, axis=1)
