# WhereML: every command of the workshop. The work is done by `python -m workshop` and the step scripts;
# each target that needs Python sets up .venv first (once, and again when requirements change).

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WHEELS := build/lambda-wheels/.fetched
WORKSHOP := $(PY) -m workshop

# What you type after the target (PHOTO=..., FROM=..., MODEL=...) reaches the command as you typed it: make never
# expands it (a `$(...)` in a file name stays text), and each recipe passes it as one shell word, $(call quoted,...),
# in single quotes (backquotes, quotes, spaces stay text), as --option=VALUE or after `--` (a name that starts with
# a dash is no option).
USER_VALUES := TREE TARGET SOURCE METADATA UPLOAD PROCESSING ROLE DATA MODEL PORT MODEL_DATA SERVERLESS MEMORY \
	MAX_CONCURRENCY NO_INT8 LOCATIONNET TESTSETS TESTSET INT8_PHOTOS FROM PHOTOS PHOTO BUCKET STAGE OPEN_TODOS EVALUATION \
	BOT_PORT
GIVEN := $(foreach name,$(USER_VALUES),$(if $(filter command line environment,$(origin $(name))),$(name)))
$(foreach name,$(GIVEN),$(eval override $(name) := $$(value $(name))))
quoted = '$(subst ','\'',$(1))'

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

# TARGET is TREE's old name for test-step and watch-step: still read for this release, with a warning.
ifneq ($(filter TARGET,$(GIVEN)),)
  $(warning TARGET is the old name of TREE and goes in the next release: say TREE=$(TARGET).)
  TREE ?= $(TARGET)
endif
# Whose code `make data`, `train` and `serve` run: steps (yours, the default) or solutions (the host's); `make demo`
# runs the solutions unless TREE=steps is given.
TREE ?= steps
DEMO_TREE := $(if $(filter TREE,$(GIVEN)),$(TREE),solutions)
# `make demo MODEL=build/locationnet`: the demo serves that model (on a real photo) instead of training the toy world's.
DEMO_MODEL := $(if $(filter MODEL,$(GIVEN)),$(MODEL))
SOURCE ?= sample
# MODEL is a model folder for every command (serve, ask, deploy, demo, evaluate); each has its own default.
MODEL ?= build/model
# The model `make serve` serves without MODEL=...: yours (make train), else the checkpoint's (make checkpoint-step 3).
SERVE_MODEL := $(if $(filter MODEL,$(GIVEN)),$(MODEL),$(or $(wildcard build/model),$(wildcard build/checkpoint/model),build/model))
PORT ?= 8080

.PHONY: setup test check-workshop $(STEP_TARGETS) status generate check-generated data train serve serve-bot deploy cleanup \
	doctor bench demo slides clean clean-downloads test-journeys check-platforms check-devcontainer locationnet ask \
	evaluate wheels

setup: $(STAMP) $(WHEELS)

NO_PYTHON := $(PYTHON3) was not found: install Python 3.11 (e.g. `uv python install 3.11`) and run \
	`make setup PYTHON3=/path/to/python3.11`.
NO_WHEELS := Fetching the Lambda wheels of the bot failed (above): check the network, then run `make wheels` again. \
	Only packaging the bot (chalice package, make bench) needs them: every other command works without.

# Before pip runs: this machine (MXNet's wheels) and this Python (numpy's) must be ones the pins install on.
# workshop/install.py then runs pip and, if it fails, says whether a wheel or the network was missing.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@python=$(PY); [ -x $$python ] || python=$$(command -v $(PYTHON3)) || { echo '$(NO_PYTHON)' >&2; exit 1; }; \
	$$python workshop/platform_support.py && $$python workshop/python_version.py
	@[ -x $(PY) ] || $(PYTHON3) -m venv $(VENV)
	@echo "Installing the pinned packages into $(VENV) (a few minutes the first time) ..."
	@$(PY) workshop/install.py
	@touch $@

# The bot's Lambda wheels, so that `chalice package` (step 4's packaging tests, make bench) builds offline. Only what
# packages the bot waits for them; without them those tests are skipped, saying to run `make wheels` (CI runs it).
wheels: $(WHEELS)
$(WHEELS): solutions/04_bot/requirements.txt | $(STAMP)
	@echo "Fetching the bot's Lambda wheels into build/lambda-wheels (for an offline chalice package) ..."
	@$(PY) solutions/04_bot/fetch_wheels.py >/dev/null || { echo '$(NO_WHEELS)' >&2; exit 1; }
	@touch $@

# Everyone (attendees after `git pull`, the host, maintainers): every test suite against the solutions. Your work in
# steps/ is yours: it is never what makes `make test` fail (`make check-generated` is the maintainers' check of it).
test: $(STAMP)
	@$(WORKSHOP) test

# CI and maintainers: the README's walks, each in a fresh clone of this checkout's tracked files (tests/journeys/).
test-journeys: $(STAMP)
	@$(PY) -m pytest tests/journeys -q -p no:cacheprovider

# Maintainers: each TODO's stub and each wrong variant (variants.toml) is caught by a test of its TODO first.
check-workshop: $(STAMP)
	@$(WORKSHOP) check-workshop

test-step: $(STAMP)
	@$(WORKSHOP) test-step --tree=$(call quoted,$(TREE)) $(N)

watch-step: $(STAMP)
	@$(WORKSHOP) watch-step --tree=$(call quoted,$(TREE)) $(N)

# hint-step: LEVEL=k shows that level of the hints; diff-step: TODO=02.3 (or all) instead of the first open TODO.
hint-step diff-step reset-step checkpoint-step: $(STAMP)
	@$(WORKSHOP) $@ $(N) $(if $(filter hint-step,$@),$(if $(LEVEL),--level $(LEVEL)))$(if $(filter diff-step,$@),$(if $(TODO),--todo $(TODO)))

bench: $(WHEELS)
status generate check-generated bench: $(STAMP)
	@$(WORKSHOP) $@

TRAIN_NEEDS_DATA := Training on SageMaker needs the dataset too: make train ROLE=arn:... DATA=s3://bucket/prefix
DEPLOY_NEEDS := Deploying needs the model and a role: make deploy MODEL_DATA=s3://.../model.tar.gz ROLE=arn:..., or \
	make deploy MODEL=build/locationnet UPLOAD=s3://bucket/prefix ROLE=arn:... (a model folder, packed and uploaded)
NO_TREE = TREE=$(TREE) is no folder: use steps (your code), solutions, or a folder laid out like them.
CHECK_TREE = @test -d $(call quoted,$(TREE)) || { echo $(call quoted,$(NO_TREE)) >&2; exit 2; }

data: $(STAMP)
	$(CHECK_TREE)
	$(PY) $(call quoted,$(TREE)/01_data/prepare.py) --source=$(call quoted,$(SOURCE)) --out build/data $(if $(METADATA),--metadata=$(call quoted,$(METADATA))) $(if $(UPLOAD),--upload=$(call quoted,$(UPLOAD))) $(if $(PROCESSING),--processing=$(call quoted,$(PROCESSING)) $(if $(ROLE),--role=$(call quoted,$(ROLE)),--local))

train: $(STAMP)
	$(CHECK_TREE)
ifdef ROLE
	@test -n $(call quoted,$(DATA)) || { echo '$(TRAIN_NEEDS_DATA)' >&2; exit 2; }
	$(PY) $(call quoted,$(TREE)/02_train/launch.py) --data=$(call quoted,$(DATA)) --role=$(call quoted,$(ROLE))
else
	$(PY) $(call quoted,$(TREE)/02_train/launch.py) --local --data=$(call quoted,$(or $(DATA),build/data)) --model-dir build/model
endif

# Names step 3's open TODOs in TREE up front, else runs $(TREE)/03_host/serve.py (workshop/serve.py).
serve: $(STAMP)
	$(CHECK_TREE)
	$(WORKSHOP) serve --tree=$(call quoted,$(TREE)) --model-dir=$(call quoted,$(SERVE_MODEL)) --port=$(call quoted,$(PORT))

# The bot's web page on this machine (chalice local on 127.0.0.1:BOT_PORT), answered by `make serve`'s endpoint on
# PORT; moto's server holds the page's daily count. No AWS, no X.
BOT_PORT ?= 8000
serve-bot: $(STAMP)
	$(CHECK_TREE)
	cd $(call quoted,$(TREE)/04_bot) && "$(CURDIR)/$(PY)" serve_page.py --port=$(call quoted,$(BOT_PORT)) --endpoint=http://127.0.0.1:$(call quoted,$(PORT))

SERVERLESS_ARGS = $(if $(SERVERLESS),--serverless $(if $(MEMORY),--memory=$(call quoted,$(MEMORY))) \
	$(if $(MAX_CONCURRENCY),--max-concurrency=$(call quoted,$(MAX_CONCURRENCY))))
deploy: $(STAMP)
	@test -n $(call quoted,$(ROLE)) -a -n $(call quoted,$(MODEL_DATA)$(UPLOAD)) || { echo '$(DEPLOY_NEEDS)' >&2; exit 2; }
ifdef MODEL_DATA
	$(PY) solutions/03_host/deploy.py deploy --model-data=$(call quoted,$(MODEL_DATA)) --role=$(call quoted,$(ROLE)) $(SERVERLESS_ARGS)
else
	$(PY) solutions/03_host/deploy.py deploy --model-dir=$(call quoted,$(MODEL)) --upload=$(call quoted,$(UPLOAD)) --role=$(call quoted,$(ROLE)) $(if $(DATA),--data=$(call quoted,$(DATA))) $(if $(NO_INT8),--no-int8) $(SERVERLESS_ARGS)
endif

# The talk's own LocationNet in build/locationnet: downloaded (LOCATIONNET_URL names a mirror; FROM=DIR takes files
# obtained elsewhere), checked, its cells named (python -m workshop locationnet); then its int8 copy, calibrated and
# checked on real photos: the first
# photos of the MediaEval 2016 test set (fetched by hash, kept in build/testsets), or a folder of yours (PHOTOS=DIR).
# Safe to repeat.
LOCATIONNET ?= build/locationnet
TESTSETS ?= build/testsets
TESTSET ?= mediaeval2016
INT8_PHOTOS ?= 100
locationnet: $(STAMP)
	$(WORKSHOP) locationnet --out=$(call quoted,$(LOCATIONNET)) $(if $(FROM),--from=$(call quoted,$(FROM)))
	$(if $(PHOTOS),,$(WORKSHOP) testset --photos=$(call quoted,$(INT8_PHOTOS)) --out=$(call quoted,$(TESTSETS)/$(TESTSET)))
	$(PY) solutions/03_host/quantize.py --model-dir=$(call quoted,$(LOCATIONNET)) --photos=$(call quoted,$(or $(PHOTOS),$(TESTSETS)/$(TESTSET)/photos)) --compare=$(call quoted,$(INT8_PHOTOS))

# `make ask PHOTO=x.jpg`: the bot's reply to your photo, with TREE's code (yours by default); LocationNet unless MODEL=.
ASK_NEEDS := Ask about which photo? make ask PHOTO=photos/cape-canaveral-falcon9-dscovr.jpg [MODEL=build/model]
ASK_MODEL := $(if $(filter MODEL,$(GIVEN)),$(MODEL),build/locationnet)
ask: $(STAMP)
	$(CHECK_TREE)
	@test -n $(call quoted,$(PHOTO)) || { echo '$(ASK_NEEDS)' >&2; exit 2; }
	$(WORKSHOP) ask --model=$(call quoted,$(ASK_MODEL)) --tree=$(call quoted,$(TREE)) -- $(call quoted,$(PHOTO))

# SageMaker's endpoints, configs and models, s3://BUCKET/whereml/, then the bot stage's queues, table, secrets and
# what its `chalice deploy` made (also after a half-failed one). Both run, whatever the first leaves; either failing
# fails the target.
cleanup: $(STAMP)
	@$(PY) solutions/03_host/deploy.py cleanup $(if $(BUCKET),--bucket=$(call quoted,$(BUCKET))); sagemaker=$$?; \
	$(PY) solutions/04_bot/setup_aws.py --delete --stage=$(call quoted,$(or $(STAGE),dev)) && exit $$sagemaker

# The host's preflight: AWS account, bucket, role, quotas, X app, budget. Reads, never changes; exit 0 when ready.
DOCTOR_ARGS = $(if $(BUCKET),--bucket=$(call quoted,$(BUCKET))) $(if $(ROLE),--role=$(call quoted,$(ROLE))) \
	$(if $(STAGE),--stage=$(call quoted,$(STAGE))) $(if $(PROCESSING),--processing=$(call quoted,$(PROCESSING)))
doctor: $(STAMP)
	@$(WORKSHOP) doctor $(DOCTOR_ARGS)

demo: $(STAMP)
	$(WORKSHOP) demo --tree=$(call quoted,$(DEMO_TREE)) $(if $(OPEN_TODOS),--open-todos=$(call quoted,$(OPEN_TODOS)))$(if $(DEMO_MODEL), --model=$(call quoted,$(DEMO_MODEL)))$(if $(PHOTO), --photo=$(call quoted,$(PHOTO)))

# How often a model places photos within 1/25/200/750/2500 km, beside the published figures: LocationNet on the
# test set's first N photos, a step-02 model on its val photos; without MODEL, every model there is.
EVALUATION ?= build/evaluate
evaluate: $(STAMP)
	$(WORKSHOP) evaluate --testset=$(call quoted,$(TESTSET)) --testsets=$(call quoted,$(TESTSETS)) --out=$(call quoted,$(EVALUATION)) $(if $(filter MODEL,$(GIVEN)),--model=$(call quoted,$(MODEL))) $(if $(N),--photos=$(call quoted,$(N))) $(if $(DATA),--data=$(call quoted,$(DATA)))

slides: $(STAMP)
	$(WORKSHOP) slides

# Has every pin a wheel for each platform README "Before the stream" claims? Asks the package index.
check-platforms: $(STAMP)
	@$(WORKSHOP) check-platforms

# Builds .devcontainer/ with podman from a local Debian root and runs step 1's tests and the demo in the build.
check-devcontainer:
	@bash .devcontainer/check-build.sh

# Removes what the commands made and says what; keeps the downloads (LocationNet, the test set's photos, the Lambda
# wheels), .venv and backups/ (your saved work). `make clean-downloads` removes the downloads too.
ANY_PYTHON = $(if $(wildcard $(PY)),$(PY),$(PYTHON3))
clean:
	@$(ANY_PYTHON) workshop/clean.py

clean-downloads:
	@$(ANY_PYTHON) workshop/clean.py --downloads
