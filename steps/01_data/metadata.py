"""Metadata of many photos (photo_id, hash, lat, lng), read a chunk of rows at a time: CSV, tab-separated or Parquet.

Tens of millions of rows never sit in memory as Python objects: each chunk is a pandas DataFrame of CHUNK_ROWS rows,
photo ids and hashes as text, positions as float64 (NaN where a position cannot be read).
"""
import pandas as pd
import pyarrow.parquet as parquet

import mmcommons
from errors import BadInput

COLUMNS = list(mmcommons.COLUMNS)
CHUNK_ROWS = 1_000_000


def _checked(chunk, path):
    missing = [name for name in COLUMNS if name not in chunk.columns]
    if missing:
        raise BadInput(f"--metadata {path} has no column {', '.join(missing)}: it needs {','.join(COLUMNS)}.")
    chunk = chunk[COLUMNS].copy()
    for name in ("lat", "lng"):
        chunk[name] = chunk[name].map(mmcommons.number).astype("float64")  # pandas' parser may miss the last digit
    for name in ("photo_id", "hash"):
        chunk[name] = chunk[name].astype(str)
    return chunk


def _raw_chunks(path, rows):
    if path.suffix.lower() == ".parquet":
        for batch in parquet.ParquetFile(path).iter_batches(batch_size=rows):
            yield batch.to_pandas()
        return
    with open(path, encoding="utf-8") as file:
        separator = "\t" if "\t" in file.readline() else ","
    yield from pd.read_csv(path, sep=separator, dtype=str, chunksize=rows, keep_default_na=False)


def read_chunks(path, rows=None):
    """Yield DataFrames of photo_id, hash, lat, lng from `path`, `rows` (CHUNK_ROWS) rows at a time, in file order."""
    try:
        yield from (_checked(chunk, path) for chunk in _raw_chunks(path, rows or CHUNK_ROWS))
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as error:
        raise BadInput(f"cannot read --metadata {path} ({error}): give a CSV or Parquet file of {','.join(COLUMNS)}.")
