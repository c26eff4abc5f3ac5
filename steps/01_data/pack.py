"""MXNet indexed RecordIO: every record a header whose label is [class, lat, lng] and the photo as a JPEG."""
import errno
import functools
import os

import numpy as np
from PIL import Image

import parallel
import thumbnail


def pack_record(index, label, jpeg):
    """One record: an IRHeader with id `index` and the float32 label [class, lat, lng], then the JPEG bytes."""
    from mxnet import recordio  # here, not at the top: importing MXNet takes seconds, and only packing needs it

    raise NotImplementedError("TODO 01.4: pack one record: an IRHeader whose label is float32 [class, lat, lng], then the JPEG")


def shrink_or_none(path, size):
    """thumbnail.shrink, or None for a photo deleted or damaged since it was checked."""
    try:
        return thumbnail.shrink(path, size)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def write_records(prefix, items, size, workers):
    """Write prefix.rec and prefix.idx from (path, [class, lat, lng]) items, shrunk in worker processes.

    Returns the positions in `items` of the photos left out: deleted or damaged since they were checked
    (photos.GONE). The records are numbered 0, 1, 2, ... all the same."""
    from mxnet import recordio
    from mxnet.base import MXNetError

    shrink = functools.partial(shrink_or_none, size=size)
    jpegs = parallel.ordered_map(shrink, [path for path, _ in items], workers, f"Packing {prefix.name}")
    writer = recordio.MXIndexedRecordIO(f"{prefix}.idx", f"{prefix}.rec", "w")
    left_out, index = [], 0
    try:
        for position, jpeg in enumerate(jpegs):  # one a photo of `items`, to the end: that ends the workers
            if jpeg is None:
                left_out.append(position)
                continue
            writer.write_idx(index, pack_record(index, items[position][1], jpeg))
            index += 1
        written = writer.tell()
    except MXNetError as error:  # MXNet's own file writer says only "FileStream.Write incomplete"
        if "Write incomplete" not in str(error):
            raise
        raise _disk_full(prefix) from None
    finally:
        writer.close()
    if os.path.getsize(f"{prefix}.rec") != written:  # MXNet's close() loses a failed last write without a word
        raise _disk_full(prefix)
    return left_out


def _disk_full(prefix):
    return OSError(errno.ENOSPC, f"{prefix.name}.rec could not be written whole (is the disk full?)")
