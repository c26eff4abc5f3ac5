"""A sharded copy of the step-01 dataset, laid out as prepare.py --processing makes it: train-NNNNN.rec/.idx and
val-NNNNN.rec/.idx shards, and dataset.json listing every shard with its photo count."""
import json
import shutil

import mxnet as mx


def write_shards(data, folder, split, count, photos=None):
    """Deal the records of data/<split>.rec (the first `photos` of them, or all) round-robin into `count` shards in
    `folder`; {shard name: photos}."""
    reader = mx.recordio.MXIndexedRecordIO(str(data / f"{split}.idx"), str(data / f"{split}.rec"), "r")
    names = [f"{split}-{number:05d}" for number in range(count)]
    writers = [mx.recordio.MXIndexedRecordIO(str(folder / f"{n}.idx"), str(folder / f"{n}.rec"), "w") for n in names]
    counts = dict.fromkeys(names, 0)
    for position, key in enumerate(sorted(reader.keys)[:photos]):
        name = names[position % count]
        writers[position % count].write_idx(counts[name], reader.read_idx(key))
        counts[name] += 1
    for writer in writers + [reader]:
        writer.close()
    return counts


def make_sharded(data, folder, train_shards=4, val_shards=2, photos=None):
    """The sharded copy in `folder`: every photo of `data`, or the first `photos` of each split."""
    folder.mkdir(parents=True)
    shutil.copy(data / "cells.tsv", folder)
    about = json.loads((data / "dataset.json").read_text())
    about["shards"] = {"train": write_shards(data, folder, "train", train_shards, photos)}
    about["shards"]["val"] = write_shards(data, folder, "val", val_shards, photos)
    (folder / "dataset.json").write_text(json.dumps(about, indent=2))
    return folder


def labels_of(folder, names):
    """Sorted (lat, lng) of every record in the shards `names` of `folder`."""
    found = []
    for name in names:
        reader = mx.recordio.MXRecordIO(str(folder / f"{name}.rec"), "r")
        record = reader.read()
        while record:
            found.append(tuple(mx.recordio.unpack(record)[0].label[1:].round(4).tolist()))
            record = reader.read()
        reader.close()
    return sorted(found)
