# WhereML: every command of the workshop. The work is done by `python -m workshop` and the step scripts;
# each target that needs Python sets up .venv first (once, and again when requirements change).

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WHEELS := build/lambda-wheels/.fetched
WORKSHOP := $(PY) -m workshop

# The SageMaker SDK reads this file: it turns the SDK's usage reports to AWS off.
export SAGEMAKER_USER_CONFIG_OVERRIDE := $(CURDIR)/sagemaker-config.yaml

# `make test-step 1`: the step number comes as a second goal; it is taken as the argument and does nothing itself.
STEP_TARGETS := test-step watch-step hint-step diff-step reset-step checkpoint-step
ifneq ($(filter $(STEP_TARGETS),$(firstword $(MAKECMDGOALS))),)
  N := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))
  ifneq ($(N),)
    $(eval $(N):;@:)
  endif
endif

TARGET ?= steps
# Whose code `make data`, `train` and `serve` run: steps (yours, the default) or solutions (the host's); `make demo`
# runs the solutions unless TREE=steps is given.
TREE ?= steps
DEMO_TREE := $(if $(filter command line environment,$(origin TREE)),$(TREE),solutions)
# `make demo MODEL=locationnet`: the demo serves that model (on a real photo) instead of training the toy world's.
DEMO_MODEL := $(if $(filter command line environment,$(origin MODEL)),$(MODEL))
SOURCE ?= sample
MODEL ?= build/model
# The model `make serve` serves without MODEL=...: yours (make train), else the checkpoint's (make checkpoint-step 3).
SERVE_MODEL := $(if $(filter command line environment,$(origin MODEL)),$(MODEL),$(or $(wildcard build/model),$(wildcard build/checkpoint/model),build/model))
PORT ?= 8080

.PHONY: setup test check-workshop $(STEP_TARGETS) status generate check-generated data train serve deploy cleanup \
	doctor bench demo slides clean check-platforms check-devcontainer locationnet ask evaluate

setup: $(STAMP) $(WHEELS)

NO_PYTHON := $(PYTHON3) was not found: install Python 3.11 (e.g. `uv python install 3.11`) and run \
	`make setup PYTHON3=/path/to/python3.11`.
NO_WHEELS := Fetching the Lambda wheels of the bot failed (above): check the network, then run `make setup` again.

# Before pip runs: this machine (MXNet's wheels) and this Python (numpy's) must be ones the pins install on.
# workshop/install.py then runs pip and, if it fails, says whether a wheel or the network was missing.
$(STAMP): requirements.txt constraints.txt
	@python=$(PY); [ -x $$python ] || python=$$(command -v $(PYTHON3)) || { echo '$(NO_PYTHON)' >&2; exit 1; }; \
	$$python workshop/platform_support.py && $$python workshop/python_version.py
	@[ -x $(PY) ] || $(PYTHON3) -m venv $(VENV)
	@echo "Installing the pinned packages into $(VENV) (a few minutes the first time) ..."
	@$(PY) workshop/install.py
	@touch $@

# The bot's Lambda wheels, so that `chalice package` (a step-4 test, make bench) builds offline.
$(WHEELS): solutions/04_bot/requirements.txt | $(STAMP)
	@echo "Fetching the bot's Lambda wheels into build/lambda-wheels (for an offline chalice package) ..."
	@$(PY) solutions/04_bot/fetch_wheels.py >/dev/null || { echo '$(NO_WHEELS)' >&2; exit 1; }
	@touch $@

# Everyone: every test suite against the solutions, and steps/ is generated.
test: $(STAMP) $(WHEELS)
	@$(WORKSHOP) test

# Maintainers: each TODO's stub and each wrong variant (variants.toml) is caught by a test of its TODO first.
check-workshop: $(STAMP) $(WHEELS)
	@$(WORKSHOP) check-workshop

test-step: $(STAMP) $(WHEELS)
	@$(WORKSHOP) test-step --tree $(TARGET) $(N)

watch-step: $(STAMP) $(WHEELS)
	@$(WORKSHOP) watch-step --tree $(TARGET) $(N)

# hint-step: LEVEL=k shows that level of the hints; diff-step: TODO=02.3 (or all) instead of the first open TODO.
hint-step diff-step reset-step checkpoint-step: $(STAMP)
	@$(WORKSHOP) $@ $(N) $(if $(filter hint-step,$@),$(if $(LEVEL),--level $(LEVEL)))$(if $(filter diff-step,$@),$(if $(TODO),--todo $(TODO)))

bench status: $(WHEELS)
status generate check-generated bench: $(STAMP)
	@$(WORKSHOP) $@

TRAIN_NEEDS_DATA := Training on SageMaker needs the dataset too: make train ROLE=arn:... DATA=s3://bucket/prefix
DEPLOY_NEEDS := Deploying needs the model and a role: make deploy MODEL_DATA=s3://.../model.tar.gz ROLE=arn:..., or \
	make deploy MODEL=build/locationnet UPLOAD=s3://bucket/prefix ROLE=arn:... (a model folder, packed and uploaded)
NO_TREE := TREE=$(TREE) is no folder: use steps (your code), solutions, or a folder laid out like them.
CHECK_TREE := @test -d "$(TREE)" || { echo '$(NO_TREE)' >&2; exit 2; }

data: $(STAMP)
	$(CHECK_TREE)
	$(PY) $(TREE)/01_data/prepare.py --source $(SOURCE) --out build/data $(if $(METADATA),--metadata $(METADATA)) $(if $(UPLOAD),--upload $(UPLOAD)) $(if $(PROCESSING),--processing $(PROCESSING) $(if $(ROLE),--role $(ROLE),--local))

train: $(STAMP)
	$(CHECK_TREE)
ifdef ROLE
	@test -n "$(DATA)" || { echo '$(TRAIN_NEEDS_DATA)' >&2; exit 2; }
	$(PY) $(TREE)/02_train/launch.py --data $(DATA) --role $(ROLE)
else
	$(PY) $(TREE)/02_train/launch.py --local --data $(or $(DATA),build/data) --model-dir build/model
endif

serve: $(STAMP)
	$(CHECK_TREE)
	$(PY) $(TREE)/03_host/serve.py --model-dir $(SERVE_MODEL) --port $(PORT)

SERVERLESS_ARGS = $(if $(SERVERLESS),--serverless $(if $(MEMORY),--memory $(MEMORY)) \
	$(if $(MAX_CONCURRENCY),--max-concurrency $(MAX_CONCURRENCY)))
deploy: $(STAMP)
	@test -n "$(ROLE)" -a -n "$(MODEL_DATA)$(UPLOAD)" || { echo '$(DEPLOY_NEEDS)' >&2; exit 2; }
ifdef MODEL_DATA
	$(PY) solutions/03_host/deploy.py deploy --model-data $(MODEL_DATA) --role $(ROLE) $(SERVERLESS_ARGS)
else
	$(PY) solutions/03_host/deploy.py deploy --model-dir $(MODEL) --upload $(UPLOAD) --role $(ROLE) $(if $(DATA),--data $(DATA)) $(SERVERLESS_ARGS)
endif

# The talk's own LocationNet in build/locationnet: downloaded (LOCATIONNET_URL names a mirror; FROM=DIR takes files
# obtained elsewhere), checked, its cells named; then its int8 copy, calibrated and checked on real photos: the first
# photos of the MediaEval 2016 test set (fetched by hash, kept in build/testsets), or a folder of yours (PHOTOS=DIR).
# Safe to repeat.
LOCATIONNET ?= build/locationnet
TESTSETS ?= build/testsets
TESTSET ?= mediaeval2016
INT8_PHOTOS ?= 100
locationnet: $(STAMP)
	$(PY) solutions/03_host/download_locationnet.py --out $(LOCATIONNET) $(if $(FROM),--from $(FROM))
	$(if $(PHOTOS),,$(PY) solutions/01_data/testset.py --photos $(INT8_PHOTOS) --out $(TESTSETS)/$(TESTSET))
	$(PY) solutions/03_host/quantize.py --model-dir $(LOCATIONNET) --photos $(or $(PHOTOS),$(TESTSETS)/$(TESTSET)/photos) --compare $(INT8_PHOTOS)

# `make ask PHOTO=x.jpg`: the bot's reply to your photo, with TREE's code (yours by default); LocationNet unless MODEL=.
ASK_NEEDS := Ask about which photo? make ask PHOTO=photos/cape-canaveral-falcon9-dscovr.jpg [MODEL=build/model]
ASK_MODEL := $(if $(filter command line environment,$(origin MODEL)),$(MODEL),build/locationnet)
ask: $(STAMP)
	$(CHECK_TREE)
	@test -n "$(PHOTO)" || { echo '$(ASK_NEEDS)' >&2; exit 2; }
	$(WORKSHOP) ask "$(PHOTO)" --model $(ASK_MODEL) --tree $(TREE)

cleanup: $(STAMP)
	$(PY) solutions/03_host/deploy.py cleanup

# The host's preflight: AWS account, bucket, role, quotas, X app, budget. Reads, never changes; exit 0 when ready.
DOCTOR_ARGS = $(if $(BUCKET),--bucket $(BUCKET)) $(if $(ROLE),--role $(ROLE)) $(if $(STAGE),--stage $(STAGE)) \
	$(if $(PROCESSING),--processing $(PROCESSING))
doctor: $(STAMP)
	@$(PY) -m workshop.doctor $(DOCTOR_ARGS)

demo: $(STAMP)
	$(WORKSHOP) demo --tree $(DEMO_TREE) $(if $(OPEN_TODOS),--open-todos $(OPEN_TODOS))$(if $(DEMO_MODEL), --model $(DEMO_MODEL))$(if $(PHOTO), --photo "$(PHOTO)")

# How often a model places photos within 1/25/200/750/2500 km, beside the published figures: LocationNet on the
# test set's first N photos, a step-02 model on its val photos; without MODEL, every model there is.
EVALUATION ?= build/evaluate
evaluate: $(STAMP)
	$(WORKSHOP) evaluate --testset $(TESTSET) --testsets $(TESTSETS) --out $(EVALUATION) $(if $(filter command line environment,$(origin MODEL)),--model $(MODEL)) $(if $(N),--photos $(N)) $(if $(DATA),--data $(DATA))

slides: $(STAMP)
	$(PY) slides/build.py

# Has every pin a wheel for each platform README "Before the stream" claims? Asks the package index.
check-platforms: $(STAMP)
	@$(WORKSHOP) check-platforms

# Builds .devcontainer/ with podman from a local Debian root and runs step 1's tests and the demo in the build.
check-devcontainer:
	@bash .devcontainer/check-build.sh

# Removes what the commands made; keeps .venv and backups/ (your saved work).
clean:
	rm -rf build .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
