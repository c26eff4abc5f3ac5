"""Every command the READMEs give (README.md, each step's README.md and REFERENCE.md, docs/host.md) runs as written.

The harness reads each ```bash block, one command a line (a trailing backslash, a quote still open or a here-document
continues it), and finds the rule
that runs it: for real where that works offline (your photos, the client against a local endpoint, the bot's dry
run with moto's server and `chalice local`), else as far as this machine can go without AWS or X: `make -n` for a
make target (the recipe exists and takes the line's variables; the targets' real runs are the other suites'), and
`--help` for a script that needs AWS or X (each option the line passes exists). A command no rule knows fails the
test: a README cannot give a command that nothing runs.
"""
import ast
import functools
import importlib.util
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from workshop.paths import ROOT

STEPS = ("01_data", "02_train", "03_host", "04_bot")
READMES = (["README.md"] + [f"solutions/{folder}/README.md" for folder in STEPS]
           + [f"solutions/{folder}/REFERENCE.md" for folder in STEPS] + ["docs/host.md"])
HEREDOC = re.compile(r"<<-?\s*'?(\w+)'?\s*$")  # `python - <<'EOF'`: the lines up to EOF belong to the command
MAKE = ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "-o", "build/lambda-wheels/.fetched"]
EXPORTED = {"AWS_DEFAULT_REGION", "TREE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def quote_open(text):
    """Whether `text` ends inside a quoted string (a `python -c "..."` over several lines)."""
    try:
        shlex.split(text)
    except ValueError:
        return True
    return False


def commands(relative):
    """The commands of a README's ```bash blocks, comments cut, continued lines joined (a here-document's lines and
    a quoted string's kept as they are, newlines and all)."""
    found, inside, pending, heredoc = [], False, "", None
    for line in (ROOT / relative).read_text(encoding="utf-8").splitlines():
        if heredoc or (pending and quote_open(pending)):
            pending += "\n" + line
            if (heredoc and line.strip() == heredoc) or (not heredoc and not quote_open(pending)):
                found.append(pending)
                pending, heredoc = "", None
            continue
        if line.startswith("```"):
            inside = line.strip() == "```bash"
            continue
        if not inside:
            continue
        line = re.sub(r"\s+#(?![^']*'\s*$).*$", "", line).rstrip() if "#" in line else line.rstrip()
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        line, pending = (pending + line).strip(), ""
        if not line or line.startswith("#"):
            continue
        if HEREDOC.search(line):
            pending, heredoc = line, HEREDOC.search(line)[1]
        elif quote_open(line):
            pending = line
        else:
            found.append(line)
    return found


ALL = [(readme, command) for readme in READMES for command in commands(readme)]


def dry_make(command):
    """make -n: the target exists and its recipe takes the variables the line gives."""
    goals = shlex.split(command)[1:]
    result = subprocess.run(MAKE + ["-n", *goals], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"`{command}` fails as written:\n{result.stderr}"


@functools.cache
def asked_for_help(folder, *program):
    """`program --help` run in `folder` (once: several READMEs' lines call one script, and some scripts take
    seconds to import the SDK)."""
    return subprocess.run([*program, "--help"], cwd=ROOT / folder, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, AWS_DEFAULT_REGION="us-west-2"))


def helps(folder, command):
    """Each option `command` passes to its script is one the script takes (its --help lists it)."""
    words = [word for word in shlex.split(command) if "=" not in word or word.startswith("-")]
    program = words[:2] if words[0] in ("python", "chalice") else words[:1]
    program = ([sys.executable, program[1]] if program[0] == "python"
               else [str(Path(sys.executable).with_name("chalice")), program[1]])
    result = asked_for_help(folder, *program)
    assert result.returncode == 0, f"`{command}`: {' '.join(program[-1:])} --help failed:\n{result.stderr}"
    for option in (word.split("=")[0] for word in words[2:] if word.startswith("--")):
        assert option in result.stdout, f"`{command}` passes {option}, which {program[-1]} does not take"


def exports(command):
    names = [word.split("=")[0] for word in shlex.split(command)[1:]]
    assert set(names) <= EXPORTED, f"`{command}` sets {set(names) - EXPORTED}, which nothing reads"


def activates(command):
    folder = command.split("&&")[0].split()[1]
    assert (ROOT / folder).is_dir() and (ROOT / folder / "../../.venv/bin/activate").resolve().is_file()


def each_part(command, folder="solutions/04_bot"):
    for part in command.split("&&")[1:]:
        part = part.strip()
        helps(folder, part)


def script_help(folder, command):
    """`python script.py [subcommand] --option ...` (or `.venv/bin/python ...`) run in `folder`: the script's own
    --help (its subcommand's) lists every option the line passes ([--option] marks one as optional). A script under
    steps/ is asked in solutions/, whose starter it is."""
    words = shlex.split(command)
    script = words[1].replace("steps/", "solutions/", 1)
    sub = words[2:3] if len(words) > 2 and re.fullmatch(r"[a-z][a-z-]*", words[2]) else []
    result = asked_for_help(folder, sys.executable, script, *sub)
    assert result.returncode == 0, f"`{command}`: {script} {' '.join(sub)} --help failed:\n{result.stderr}"
    for option in (word.strip("[]").split("=")[0] for word in words[2:] if word.strip("[]").startswith("--")):
        assert option in result.stdout, f"`{command}` passes {option}, which {script} {' '.join(sub)} does not take"


def compiles_with_its_modules(command):
    """A `python -c "..."` too slow to run here (a pass over a 1 GB mask, 2 min): its code compiles, and the modules
    it imports are installed."""
    code = shlex.split(command)[2]
    tree = compile(code, "<README>", "exec", flags=ast.PyCF_ONLY_AST)
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    missing = sorted(name for name in modules if importlib.util.find_spec(name) is None)
    assert not missing, f"`{command[:60]}...` imports {missing}, which are not installed"


# (pattern, what it does with the command, or the name of a test below that runs it for real)
RULES = [
    (r"make (demo|test|setup)", dry_make),
    (r"make (test-step|watch-step|hint-step|checkpoint-step|diff-step|reset-step) [1-4]", dry_make),
    (r"make (data|train|serve|serve-bot|deploy|cleanup|doctor)(\s+[A-Z_]+=\S+)*", dry_make),
    (r"make demo TREE=steps", dry_make),
    (r"make locationnet && make deploy( [A-Z_]+=\S+)+", lambda command: [dry_make(part.strip()) for part in command.split("&&")]),
    (r"export( [A-Z_]+=\S+)+", exports),
    (r"cd (steps|solutions)/04_bot && source \.\./\.\./\.venv/bin/activate", activates),
    (r"cd solutions/04_bot && chalice delete .*", each_part),
    (r"(X_[A-Z_]+=\S+ )*python (setup_aws|register_webhook)\.py .*", lambda command: helps("solutions/04_bot", command)),
    (r"chalice deploy --stage dev", lambda command: helps("solutions/04_bot", command)),
    (r"aws s3 rm --recursive s3://BUCKET/whereml/", lambda command: None),  # the AWS CLI's own command
    (r"aws s3 cp --no-sign-request s3://multimedia-commons/\S+ \.", lambda command: None),  # the AWS CLI's own too
    (r"python prepare\.py .*", lambda command: script_help("solutions/01_data", command)),
    (r"(\.venv/bin/)?python steps/0[1-4]_\w+/\w+\.py .*", lambda command: script_help(".", command)),
    (r"chalice delete --stage dev", lambda command: helps("solutions/04_bot", command)),
    (r"python -c \"import numpy as np; from PIL import Image; from global_land_mask import globe\n.*",
     compiles_with_its_modules),
    (r"python - <<'EOF'\nimport csv, hashlib, sqlite3\n.*", "test_the_yfcc_subset_is_cut_from_the_database"),
    (r"\.venv/bin/python steps/01_data/prepare\.py --source photos:~/Pictures .*", "test_your_own_photos"),
    (r"AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=\S+ \.venv/bin/python steps/03_host/predict\.py PHOTO\.jpg",
     "test_the_client_asks_the_local_endpoint"),
    (r"\.venv/bin/moto_server -p 5000|chalice local .*|python local_worker\.py --stage dev|curl .*|body=.*|"
     r"signature=.*|id=\$\(\(.*\)\) bot=\$\(python -c .*\)", "test_the_bots_dry_run_by_hand"),
]


def rule(command):
    found = [action for pattern, action in RULES if re.fullmatch(pattern, command, re.S)]
    return found[0] if found else None


@pytest.mark.parametrize("readme, command", ALL, ids=[f"{readme}: {command[:60]}" for readme, command in ALL])
def test_every_readme_command_runs(readme, command):
    action = rule(command)
    assert action is not None, (
        f"{readme} gives `{command}`, which no test runs: add a rule for it to tests/readmes/test_commands.py")
    if callable(action):
        action(command)
    else:
        assert action in globals(), f"the rule for `{command}` names {action}, which is no test here"


def the_command(pattern):
    (command,) = [command for _, command in ALL if re.fullmatch(pattern, command, re.S)]
    return command


def run_by(test):
    """The pattern of the rule whose commands `test` runs."""
    (pattern,) = [pattern for pattern, action in RULES if action == test]
    return pattern


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_your_own_photos(tmp_path):
    """prepare.py on a folder of geotagged photos named as ~/Pictures (HOME is a scratch folder here)."""
    command = the_command(run_by("test_your_own_photos"))
    subprocess.run([sys.executable, "solutions/01_data/sample.py", str(tmp_path / "Pictures"), "--count", "300"],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)  # geotagged JPEGs, as a camera writes
    line = command.replace("steps/01_data", "solutions/01_data").replace("build/mine", str(tmp_path / "mine"))
    result = subprocess.run(["bash", "-c", line], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, HOME=str(tmp_path)))
    assert result.returncode == 0, f"`{command}` failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    assert (tmp_path / "mine" / "cells.tsv").is_file()


@pytest.fixture
def served(artifact):
    port = free_port()
    process = subprocess.Popen([sys.executable, "solutions/03_host/serve.py", "--model-dir", str(artifact("model")),
                                "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/ping", process)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the process serving {url} ended"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in {seconds} s")


def test_the_client_asks_the_local_endpoint(served, artifact, tmp_path):
    command = the_command(run_by("test_the_client_asks_the_local_endpoint"))
    photo = next((Path(artifact("data")) / "val.rec").parent.glob("*.rec"))  # any real JPEG will do: cut one out
    from mxnet import recordio

    records = recordio.MXIndexedRecordIO(str(photo.with_suffix(".idx")), str(photo), "r")
    (tmp_path / "PHOTO.jpg").write_bytes(recordio.unpack(records.read_idx(records.keys[0]))[1])
    line = command.replace("127.0.0.1:8080", f"127.0.0.1:{served}").replace("steps/03_host", "solutions/03_host")
    line = line.replace("PHOTO.jpg", str(tmp_path / "PHOTO.jpg"))
    result = subprocess.run(["bash", "-c", line], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"`{command}` failed:\n{result.stdout}{result.stderr}"
    assert "%" in result.stdout, f"`{command}` printed no guesses:\n{result.stdout}"


def test_the_bots_dry_run_by_hand(tmp_path):
    """Step 04's block, terminal by terminal: moto's server, the exports, setup_aws.py, chalice local, the worker, and
    the CRC check and a signed X Activity delivery by curl (the endpoint is not needed until the worker runs)."""
    readme = (ROOT / "solutions/04_bot/README.md").read_text()
    block = [command for _, command in ALL if _ == "solutions/04_bot/README.md"]
    moto, chalice = free_port(), free_port()
    started = []

    def start(line, **where):
        process = subprocess.Popen(["bash", "-c", f"exec {line}"], start_new_session=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, **where)
        started.append(process)
        return process

    def ported(line):
        return line.replace("5000", str(moto)).replace("127.0.0.1:8000", f"127.0.0.1:{chalice}").replace(
            "--port 8000", f"--port {chalice}")

    bot = tmp_path / "04_bot"
    subprocess.run(["cp", "-r", str(ROOT / "solutions/04_bot"), str(bot)], check=True)
    config = json.loads((bot / ".chalice/config.json").read_text())
    config["stages"]["dev"]["environment_variables"]["BOT_USER_ID"] = "1234567"  # a host's: the mention must say it
    (bot / ".chalice/config.json").write_text(json.dumps(config))
    try:
        start(ported(the_command(r"\.venv/bin/moto_server -p 5000")), cwd=ROOT)
        activate = next(command for command in block if command.startswith("cd steps/04_bot"))
        export = next(command for command in block if command.startswith("export AWS_ENDPOINT_URL="))
        prelude = f"source {ROOT}/.venv/bin/activate && {ported(export)} && export DRY_RUN_DIR={tmp_path}"
        assert activate.endswith("source ../../.venv/bin/activate")
        time.sleep(0.5)
        setup = next(command for command in block if "setup_aws.py" in command)
        for _ in range(100):  # moto's server takes a moment to listen
            done = subprocess.run(["bash", "-c", f"{prelude} && {setup}"], cwd=bot, capture_output=True, text=True)
            if done.returncode == 0:
                break
            time.sleep(0.2)
        assert done.returncode == 0, f"`{setup}` failed:\n{done.stdout}{done.stderr}"
        local = next(command for command in block if command.startswith("chalice local"))
        start(f"bash -c {shlex.quote(prelude + ' && exec ' + ported(local))}", cwd=bot)
        crc = next(command for command in block if command.startswith("curl 'http"))
        for _ in range(150):
            answer = subprocess.run(["bash", "-c", ported(crc)], capture_output=True, text=True)
            if answer.stdout.startswith("{"):
                break
            time.sleep(0.2)
        assert json.loads(answer.stdout)["response_token"].startswith("sha256="), answer.stdout
        mention = [command for command in block if command.startswith(("id=", "body=", "signature=", "curl -H"))]
        posted = subprocess.run(["bash", "-c", " && ".join([prelude, *map(ported, mention)])], cwd=bot,
                                capture_output=True, text=True)
        assert json.loads(posted.stdout) == {"queued": 1}, f"the signed mention was not queued: {posted.stdout}"
        worker = next(command for command in block if command.startswith("python local_worker.py"))
        assert "<BOT_USER_ID>" not in readme, "the README's mention is of the stage's bot, read from its config"
        helps("solutions/04_bot", worker)
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def test_the_yfcc_subset_is_cut_from_the_database(tmp_path):
    """docs/host.md's script on a small yfcc100m_dataset.sql of the same table: only geotagged photos of city-level
    accuracy or better, each with the hash of its download url as the bucket names it."""
    import hashlib
    import sqlite3

    command = the_command(run_by("test_the_yfcc_subset_is_cut_from_the_database"))
    db = sqlite3.connect(tmp_path / "yfcc100m_dataset.sql")
    db.execute("CREATE TABLE yfcc100m_dataset (photoid, downloadurl, latitude, longitude, accuracy, marker)")
    rows = [(1, "http://farm1.staticflickr.com/1/1_a.jpg", "48.85", "2.35", 16, 0),
            (2, "http://farm1.staticflickr.com/1/2_b.jpg", "", "", 0, 0),  # no position
            (3, "http://farm1.staticflickr.com/1/3_c.mp4", "35.6", "139.6", 16, 1),  # a video
            (4, "http://farm1.staticflickr.com/1/4_d.jpg", "-33.8", "151.2", 6, 0)]  # region-level accuracy
    db.executemany("INSERT INTO yfcc100m_dataset VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    line = command.replace("python -", f"{sys.executable} -", 1)
    result = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"docs/host.md's subset script failed:\n{result.stderr}"
    written = (tmp_path / "yfcc-subset.csv").read_text().splitlines()
    digest = hashlib.md5(rows[0][1].encode()).digest()
    assert written == ["photo_id,hash,lat,lng", f"1,{''.join(f'{byte:x}' for byte in digest)},48.85,2.35"]
