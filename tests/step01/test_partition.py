"""01.2 and 01.3: PlaNet's adaptive partition, checked for its properties on hand-made point sets."""
import random

import pytest
import s2sphere

T_MAX, T_MIN, MIN_LEVEL, MAX_LEVEL = 30, 4, 2, 14


def around(lat, lng, count, spread, seed):
    rng = random.Random(seed)
    return [(lat + rng.gauss(0, spread), lng + rng.gauss(0, spread)) for _ in range(count)]


# Dense Paris, a smaller Tokyo, a lone photo in Lima, a few in the Pacific across the 180° meridian,
# and 40 photos on one spot (a cell that cannot be split below max level).
POINTS = (
    around(48.85, 2.35, 150, 0.5, 1)
    + around(35.68, 139.65, 45, 2.0, 2)
    + [(-12.05, -77.04)]
    + around(-17.0, 179.9, 6, 0.3, 3)
    + [(40.0, -100.0)] * 40
)


@pytest.fixture(scope="module")
def partition(load):
    return load("01_data", "partition")


@pytest.fixture(scope="module")
def result(partition):
    return partition.partition(POINTS, T_MAX, T_MIN, MIN_LEVEL, MAX_LEVEL)


def test_no_kept_cell_holds_more_than_t_max_unless_at_max_level(result):
    kept, _ = result
    crowded = [(cell.to_token(), len(members)) for cell, members in kept if len(members) > T_MAX]
    assert all(s2sphere.CellId.from_token(token).level() == MAX_LEVEL for token, _ in crowded), (
        f"cells above t_max={T_MAX} that could still be split: {crowded}. "
        "Split every cell with more than t_max photos into its four children (split_crowded_cells)."
    )
    assert crowded, "the 40 photos on one spot should stay together in one cell at max level"


def test_cells_are_split_only_when_crowded(result):
    kept, _ = result
    for cell, _ in kept:
        if cell.level() > MIN_LEVEL:
            parent = cell.parent(cell.level() - 1)
            inside = sum(parent.contains(leaf) for leaf in map(leaf_of, POINTS))
            assert inside > T_MAX, f"{cell.to_token()} was split from a parent with only {inside} <= t_max photos"


def test_no_kept_cell_holds_fewer_than_t_min(result):
    kept, _ = result
    sparse = [(cell.to_token(), len(members)) for cell, members in kept if len(members) < T_MIN]
    assert not sparse, f"cells below t_min={T_MIN} were kept: {sparse}. Drop them (drop_sparse_cells)."
    assert kept, "every cell was dropped: keep the cells with at least t_min photos"


def test_every_kept_photo_is_in_exactly_one_cell_that_contains_it(result):
    kept, dropped = result
    seen = [index for _, members in kept for index in members]
    assert len(seen) == len(set(seen)), "a photo is in two cells"
    assert sorted(seen + dropped) == list(range(len(POINTS))), "every photo is either in one kept cell or dropped"
    for cell, members in kept:
        for index in members:
            assert cell.contains(leaf_of(POINTS[index])), f"photo {index} is not inside cell {cell.to_token()}"


def test_the_lone_photo_is_dropped(result):
    _, dropped = result
    assert POINTS.index((-12.05, -77.04)) in dropped


def test_classes_follow_the_s2_curve(result):
    kept, _ = result
    ids = [cell.id() for cell, _ in kept]
    assert ids == sorted(ids), "return the kept cells sorted by cell id, so class numbers do not depend on luck"


def test_splitting_is_deterministic(partition, result):
    order = list(range(len(POINTS)))
    random.Random(7).shuffle(order)
    shuffled = partition.partition([POINTS[i] for i in order], T_MAX, T_MIN, MIN_LEVEL, MAX_LEVEL)
    again = partition.partition(POINTS, T_MAX, T_MIN, MIN_LEVEL, MAX_LEVEL)

    def cells(outcome, names):
        return [(cell.to_token(), sorted(names[i] for i in members)) for cell, members in outcome[0]]

    assert cells(again, range(len(POINTS))) == cells(result, range(len(POINTS)))
    assert cells(shuffled, order) == cells(result, range(len(POINTS))), "the order of the photos changed the cells"


def test_max_level_is_respected(partition):
    kept, _ = partition.partition([(10.0, 10.0)] * 50, 5, 1, 3, 9)
    assert [(cell.level(), len(members)) for cell, members in kept] == [(9, 50)]


def leaf_of(point):
    return s2sphere.CellId.from_lat_lng(s2sphere.LatLng.from_degrees(*point))
