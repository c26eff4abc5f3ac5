"""dataset.json: how a dataset folder was made (its counts and flags), what step 02 reads its image size from."""
import json

LABEL = ["class", "lat", "lng"]


def describe(args, cells, train, val, excluded, skipped, **more):
    """dataset.json's content: `skipped` is {reason: photos}, `more` adds keys (a sharded dataset's shards)."""
    return {
        "image_size": args.image_size,
        "photos": train + val,
        "cells": cells,
        "source": args.source,
        "seed": args.seed,
        "train": train,
        "val": val,
        "excluded": excluded,
        "skipped": dict(sorted(skipped.items())),
        "limit": args.limit,
        "t_max": args.t_max,
        "t_min": args.t_min,
        "min_level": args.min_level,
        "max_level": args.max_level,
        "val_fraction": args.val_fraction,
        "label": LABEL,
        **more,
    }


def write(folder, about):
    (folder / "dataset.json").write_text(json.dumps(about, indent=2) + "\n")
