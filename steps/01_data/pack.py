"""MXNet indexed RecordIO: every record a header whose label is [class, lat, lng] and the photo as a JPEG."""
import functools

import numpy as np

import parallel
import thumbnail


def pack_record(index, label, jpeg):
    """One record: an IRHeader with id `index` and the float32 label [class, lat, lng], then the JPEG bytes."""
    from mxnet import recordio  # here, not at the top: importing MXNet takes seconds, and only packing needs it

    raise NotImplementedError("TODO 01.4: pack one record: an IRHeader whose label is float32 [class, lat, lng], then the JPEG")


def write_records(prefix, items, size, workers):
    """Write prefix.rec and prefix.idx from (path, [class, lat, lng]) items, shrunk in worker processes."""
    from mxnet import recordio

    shrink = functools.partial(thumbnail.shrink, size=size)
    jpegs = parallel.ordered_map(shrink, [path for path, _ in items], workers, f"Packing {prefix.name}")
    writer = recordio.MXIndexedRecordIO(f"{prefix}.idx", f"{prefix}.rec", "w")
    try:
        for index, ((_, label), jpeg) in enumerate(zip(items, jpegs, strict=True)):  # strict: ends the workers here
            writer.write_idx(index, pack_record(index, label, jpeg))
    finally:
        writer.close()
