"""S2 cell ids for millions of photos: leaf ids from a compiled S2 library, kept as one sorted array of integers.

partition.py's split works on any `leaves` that can group photos by cell. For the toy world they are a list of
s2sphere cells (one Python object a photo); at scale they are a SortedLeaves: 8 bytes a photo, and the photos of a
cell are one stretch of the array (S2 ids of a cell's descendants are contiguous), so grouping a cell's photos one
level finer costs a binary search per child instead of a look at every photo. bench/step01_partition.py measured
s2rst, s2geometry, s2cell and s2sphere for the leaf ids; s2rst was the fastest by far (see README.md).
"""
import numpy as np
import s2rst
import s2sphere


def leaf_ids(lats, lngs):
    """The level-30 S2 cell id of every (lat, lng), as uint64 (the same numbers s2sphere's CellId.id() gives)."""
    cell, latlng = s2rst.CellId.from_lat_lng, s2rst.LatLng.from_degrees
    return np.fromiter((cell(latlng(lat, lng)).id for lat, lng in zip(lats, lngs)), np.uint64, len(lats))


class SortedLeaves:
    """Leaf cell ids in ascending order; photo "indices" are positions in that order, a cell's photos a range."""

    def __init__(self, ids):
        self.ids = np.asarray(ids, dtype=np.uint64)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, position):
        return s2sphere.CellId(int(self.ids[position]))

    def group(self, members, level):
        """{cell of `level`: range of positions} for the positions `members` (a range): one search a cell."""
        cells, start = {}, members.start
        while start < members.stop:
            cell = s2sphere.CellId(int(self.ids[start])).parent(level)
            stop = int(np.searchsorted(self.ids, np.uint64(cell.range_max().id()), side="right"))
            cells[cell] = range(start, min(stop, members.stop))
            start = cells[cell].stop
        return cells
