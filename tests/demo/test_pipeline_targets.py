"""`make data`, `train`, `serve` and `demo` run the tree that TREE names: your steps/ by default (the solutions for
`make demo`, the host's), and a TREE that is no folder is one sentence. `make locationnet` and `make evaluate` pass
on what they are given."""
import os
import subprocess

import pytest

from workshop.paths import ROOT

# -o: the venv and the Lambda wheels are there (this test runs in that venv); never install from a test.
MAKE = ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "-o", "build/lambda-wheels/.fetched"]


def commands(*goals, env=None):
    """The commands make would run for `goals` (make -n), one a line."""
    result = subprocess.run(MAKE + ["-n", *goals], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    return "".join(line.rstrip() + "\n" for line in result.stdout.splitlines())


@pytest.mark.parametrize("goals, runs", [
    (["data"], "'steps/01_data/prepare.py' --source='sample' --out build/data"),
    (["train"], "'steps/02_train/launch.py' --local --data='build/data' --model-dir build/model"),
    (["train", "DATA=build/checkpoint/data"], "'steps/02_train/launch.py' --local --data='build/checkpoint/data'"),
    (["serve", "MODEL=build/model"], "-m workshop serve --tree='steps' --model-dir='build/model' --port='8080'"),
    (["data", "TREE=solutions"], "'solutions/01_data/prepare.py'"),
    (["serve", "TREE=solutions"], "-m workshop serve --tree='solutions' "),
    (["demo"], "-m workshop demo --tree='solutions'\n"),
    (["demo", "TREE=steps"], "-m workshop demo --tree='steps'\n"),
    (["demo", "TREE=steps", "OPEN_TODOS=solution"], "-m workshop demo --tree='steps' --open-todos='solution'"),
    (["ask", "PHOTO=p.jpg"], "-m workshop ask --model='build/locationnet' --tree='steps' -- 'p.jpg'\n"),
    (["ask", "PHOTO=p.jpg", "MODEL=build/model", "TREE=solutions"],
     "-m workshop ask --model='build/model' --tree='solutions' -- 'p.jpg'"),
    (["locationnet"], "-m workshop locationnet --out='build/locationnet'\n"),
    (["locationnet", "FROM=/media/usb"], "-m workshop locationnet --out='build/locationnet' --from='/media/usb'"),
    (["evaluate"], "-m workshop evaluate --testset='mediaeval2016' --testsets='build/testsets' --out='build/evaluate'\n"),
    (["evaluate", "MODEL=build/locationnet", "N=100"], "--out='build/evaluate' --model='build/locationnet' --photos='100'\n"),
    (["locationnet"], "-m workshop testset --photos='100' --out='build/testsets/mediaeval2016'\n"),
    (["locationnet"], "03_host/quantize.py --model-dir='build/locationnet' --photos='build/testsets/mediaeval2016/photos'"),
    (["locationnet", "PHOTOS=my-photos"], "03_host/quantize.py --model-dir='build/locationnet' --photos='my-photos'"),
    (["deploy", "MODEL_DATA=s3://b/m.tar.gz", "ROLE=arn:aws:iam::123456789012:role/r"],
     "deploy.py deploy --model-data='s3://b/m.tar.gz' --role='arn:aws:iam::123456789012:role/r'\n"),
    (["deploy", "MODEL_DATA=s3://b/m.tar.gz", "ROLE=arn:aws:iam::123456789012:role/r", "SERVERLESS=1"],
     "--role='arn:aws:iam::123456789012:role/r' --serverless\n"),
    (["deploy", "MODEL_DATA=s3://b/m.tar.gz", "ROLE=arn:aws:iam::123456789012:role/r", "SERVERLESS=1",
      "MEMORY=2048", "MAX_CONCURRENCY=4"], "--serverless --memory='2048' --max-concurrency='4'\n"),
    (["doctor"], "-m workshop doctor\n"),
    (["doctor", "BUCKET=b", "ROLE=arn:aws:iam::123456789012:role/r", "STAGE=prod", "PROCESSING=16"],
     "-m workshop doctor --bucket='b' --role='arn:aws:iam::123456789012:role/r' --stage='prod' --processing='16'\n"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_each_pipeline_target_runs_the_tree_asked_for(goals, runs):
    assert runs in commands(*goals), f"make {' '.join(goals)} must run {runs!r}"


def test_the_host_exporting_tree_solutions_runs_the_solutions_everywhere():
    env = dict(os.environ, TREE="solutions")
    assert "'solutions/02_train/launch.py'" in commands("train", env=env)
    assert "-m workshop demo --tree='solutions'" in commands("demo", env=env)


def test_ask_without_a_photo_is_one_sentence():
    result = subprocess.run(MAKE + ["ask"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("Ask about which photo? make ask PHOTO=")


@pytest.mark.parametrize("target", ["data", "train", "serve", "ask"])
def test_a_tree_that_is_no_folder_is_one_sentence(target):
    result = subprocess.run(MAKE + [target, "TREE=solution"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == ("TREE=solution is no folder: use steps (your code), solutions, or a "
                                             "folder laid out like them.")


@pytest.mark.parametrize("made, served", [(["build/model", "build/checkpoint/model"], "build/model"),
                                          (["build/checkpoint/model"], "build/checkpoint/model"),
                                          ([], "build/model")],
                         ids=["yours and the checkpoint's", "only the checkpoint's", "none"])
def test_make_serve_serves_your_model_else_the_checkpoints(tmp_path, made, served):
    # After `make checkpoint-step 3` alone, `make serve` must find that model: its advice would loop otherwise.
    for folder in made:
        (tmp_path / folder).mkdir(parents=True)
    result = subprocess.run(["make", "-s", "-n", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), "-o",
                             ".venv/.installed", "serve"], capture_output=True, text=True, timeout=60)
    assert f"--model-dir='{served}' --port='8080'" in result.stdout, result.stdout + result.stderr
