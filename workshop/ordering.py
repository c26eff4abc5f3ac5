"""Run a step's quick test files first, so `make test-step N` (which stops at the first failure) answers fast.

The `todo` plugin (workshop/todo_marks.py) then sorts the tests by TODO; within a TODO this order stays.
"""


def files_in_order(items, folder, order):
    """Reorder the collected tests of `folder` (a Path) by file name as listed in `order`; others keep their place."""
    slots = [index for index, item in enumerate(items) if item.path.parent == folder]
    rank = {name: place for place, name in enumerate(order)}
    ours = sorted((items[index] for index in slots), key=lambda item: rank.get(item.path.name, len(order)))
    for index, item in zip(slots, ours):
        items[index] = item


def one_worker_for(files, config, log):
    """pytest-xdist's scheduler for `make test-step`'s parallel run of a step whose test `files` (names) share a
    slow session fixture: they go to one worker, which sets it up once; each other file is a unit of its own, as
    with --dist loadscope."""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerForShared(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return "shared" if path.rsplit("/", 1)[-1] in files else path

    return OneWorkerForShared(config, log)
