"""Other spellings of a TODO's answer pass its tests: each is put alone into a copy of the solution, as `make
check-workshop` puts a wrong variant, and the TODO's test file runs on it."""
import pytest

from workshop import check_workshop, generate, manifest
from workshop.paths import ROOT

# Each alternative: its TODO, the test file of that TODO, and either its code or the changes ((old, new), ...) that
# turn the solution's code into it (so the two differ only where they differ).
ALTERNATIVES = [
    pytest.param("02.5", "tests/step02/test_launch.py", [(
        'distribution={"parameter_server": {"enabled": True}} if args.instance_count > 1 else None',
        'distribution={"parameter_server": {"enabled": args.instance_count > 1}}',
    )], id="the parameter server written out as disabled on one host"),
    pytest.param("04.5", "tests/step04/test_reply.py", [
        ("lines = []\n", 'best_first = sorted(predictions, key=lambda guess: guess["probability"], reverse=True)\n'
                         "lines = []\n"),
        ("enumerate(predictions[:TOP]", "enumerate(best_first[:TOP]"),
    ], id="the guesses re-sorted best first before the top ones are taken"),
    pytest.param("04.4", "tests/step04/test_reply.py", '''
import re

if not (isinstance(country_code, str) and re.fullmatch(r"[A-Za-z]{2}", country_code)):
    return ""
return "".join(chr(ord(letter) + 127397) for letter in country_code.upper())
''', id="a regular expression matched in full"),
    pytest.param("01.1", "tests/step01/test_geotag.py", '''
sign = -1 if ref.strip().lower() in ("s", "w") else 1
return sign * sum(float(part) / 60 ** power for power, part in enumerate(value))
''', id="a sum over the parts, each a power of 60 smaller"),
    pytest.param("01.2", "tests/step01/test_partition.py", '''
if len(members) <= t_max or cell.level() >= max_level:
    cells[cell] = members
    continue
for child, inside in group_by_cell(members, leaves, cell.level() + 1).items():
    pending[child] = inside
''', id="the children added to the queue one by one"),
    pytest.param("01.3", "tests/step01/test_partition.py", '''
kept = [(cell, members) for cell, members in cells.items() if len(members) >= t_min]
return sorted(kept, key=lambda pair: pair[0].to_token())
''', id="sorted by token: tokens are the ids in hex, trailing zeros cut, so they sort alike"),
    pytest.param("02.3", "tests/step02/test_geo.py", '''
classes = np.array(predicted).astype(int)
distances = haversine_km(np.take(cell_lat, classes), np.take(cell_lng, classes), true_lat, true_lng)
return {km: np.count_nonzero(distances <= km) / len(distances) for km in THRESHOLDS_KM}
''', id="np.take and a count over the length"),
    pytest.param("04.3", "tests/step04/test_webhook.py", '''
photos = {item.get("media_key"): item.get("url") for item in map(_object, _list(media))
          if item.get("type") == "photo" and isinstance(item.get("media_key"), str)}
for key in _list(_object(post.get("attachments")).get("media_keys")):
    if isinstance(key, str) and key in photos:
        return photos[key]
return None
''', id="the photos looked up by key in a dict"),
    pytest.param("03.2", "tests/step03/test_preprocess.py", [(
        """pixels = np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.float32)
# Channels first, as one array in that order: each step below then runs along whole rows of one channel, in place.
pixels = pixels.transpose(2, 0, 1).copy()
pixels /= 255.0
pixels -= np.array(mean, dtype=np.float32).reshape(3, 1, 1)
pixels /= np.array(std, dtype=np.float32).reshape(3, 1, 1)
return mx.nd.array(pixels[np.newaxis])""",
        """pixels = np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.float32) / 255.0
pixels = (pixels - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
return mx.nd.array(pixels.transpose(2, 0, 1)[np.newaxis])""",
    )], id="normalised as height x width x channels, then transposed"),
    pytest.param("03.3", "tests/step03/test_inference.py", '''
best = np.argsort(-probabilities)[: data.k]
top = [(model.cells[index], float(probabilities[index])) for index in best]
''', id="every cell sorted, the first k kept"),
    pytest.param("04.4", "tests/step04/test_reply.py", '''
import string

code = country_code if isinstance(country_code, str) else ""
if len(code) != 2 or not all(letter in string.ascii_letters for letter in code):
    return ""
return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code.upper())
''', id="each letter checked against string.ascii_letters, the offset from U+1F1E6"),
]


def solution_code(step, todo_id):
    """The code of TODO `todo_id`'s region in the step's solution, dedented."""
    for path in sorted(step.solution.rglob("*.py")):
        found = generate.blocks(path.read_text(encoding="utf-8"), step, path.name, manifest.todos(ROOT))
        for region in generate.regions(found, path.name):
            if region.id == todo_id:
                return region.code
    raise AssertionError(f"no region of TODO {todo_id} in {step.solution}")


def changed(code, changes):
    for old, new in changes:
        assert old in code, f"the solution no longer holds {old!r}: update this alternative"
        code = code.replace(old, new, 1)
    return code


@pytest.mark.parametrize("todo_id, tests, code", ALTERNATIVES)
def test_a_correct_alternative_passes_its_todos_tests(todo_id, tests, code):
    step = manifest.step(int(todo_id[:2]), ROOT)
    if not isinstance(code, str):
        code = changed(solution_code(step, todo_id), code)
    made = generate.variant_files(step, todo_id, code)
    assert made != generate.starter_files(step, set()), "the alternative must differ from the solution"
    exit_code, output = check_workshop.run_copy(step, made, "-q", "-x", "--todos-up-to", todo_id, paths=[tests])
    assert exit_code == 0, f"a correct way to write TODO {todo_id} fails its tests:\n{output[-3000:]}"
