"""PlaNet's adaptive partition of the globe into S2 cells: finer where photos are dense.

Start from the cells of `min_level` that hold photos, split every cell with more than t_max photos into its four
children (down to `max_level`), then drop the cells with fewer than t_min photos. Every kept cell is a class.
"""
import s2sphere


def leaf_cells(points):
    """The level-30 S2 cell (a few square centimetres) of every (lat, lng) point."""
    return [s2sphere.CellId.from_lat_lng(s2sphere.LatLng.from_degrees(lat, lng)) for lat, lng in points]


def group_by_cell(members, leaves, level):
    """{cell of `level`: [photo index, ...]} for the photos `members` (indices into `leaves`).

    Millions of photos come as cellids.SortedLeaves: a range of them is grouped by binary search.
    """
    if isinstance(members, range) and hasattr(leaves, "group"):
        return leaves.group(members, level)
    cells = {}
    for index in members:
        cells.setdefault(leaves[index].parent(level), []).append(index)
    return cells


def split_crowded_cells(leaves, t_max, min_level, max_level):
    """{cell: [photo index, ...]} where no cell holds more than t_max photos unless it is at max_level."""
    pending = group_by_cell(range(len(leaves)), leaves, min_level)
    cells = {}
    while pending:
        cell, members = pending.popitem()
        raise NotImplementedError("TODO 01.2: split every crowded cell into its four children until each holds at most t_max photos or sits at max_level")
    return cells


def drop_sparse_cells(cells, t_min):
    """The (cell, members) pairs with at least t_min photos, in S2 order (sorted by cell id): class 0, 1, ..."""
    raise NotImplementedError("TODO 01.3: drop the cells with fewer than t_min photos; the rest, sorted by cell id, are the classes")


def partition(points, t_max, t_min, min_level, max_level):
    """The kept cells as (cell, sorted photo indices), class by class, and the indices of the dropped photos."""
    leaves = leaf_cells(points)
    kept = drop_sparse_cells(split_crowded_cells(leaves, t_max, min_level, max_level), t_min)
    kept = [(cell, sorted(members)) for cell, members in kept]
    in_kept = {index for _, members in kept for index in members}
    return kept, [index for index in range(len(points)) if index not in in_kept]
