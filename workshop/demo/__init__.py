"""`make demo`: WhereML from photos to a reply on X, offline, on this machine, in about a minute.

    python -m workshop demo [--tree solutions|steps|DIR] [--open-todos ask|solution|stop] [--quick] [--port 0] [--out build/demo]
    python -m workshop demo --model build/locationnet [--photo photos/cape-canaveral-falcon9-dscovr.jpg]

1. sample data      01_data/prepare.py renders the toy world                  -> build/demo/data
2. training         02_train/launch.py --local trains the network               -> build/demo/model
3. the endpoint     03_host/serve.py on a free 127.0.0.1 port
4. the bot          04_bot/app.py gets a signed mention of a held-out photo: webhook -> SQS -> worker ->
                    endpoint -> the reply, in dry-run mode
5. the result       the reply as it would be posted, where the photo was really taken, and
                    build/demo/{reply.png, cells.png, curves.png, summary.json}

--tree says whose code runs: solutions/ (the default, the host's) or steps/ (yours: `make demo TREE=steps`). A step
of yours with TODOs still open runs the solution instead if you say so (--open-todos solution), or when asked; the
output says whose code ran, step by step.

Nothing leaves this machine, even where AWS or X credentials are set: AWS (SQS, DynamoDB, SSM) is emulated
in-process by moto with fake credentials, X's media host is stood in for by `responses`, and the endpoint is the
local one. Ctrl-C stops every process the demo started.

--model build/locationnet (`make demo MODEL=build/locationnet [PHOTO=...]`) skips stages 1-2: the endpoint serves the talk's
LocationNet (`make locationnet`), and the bot is mentioned with a real photo (real_photo.py).

The files: __main__.py (the command), plan.py (whose code runs), stages.py (the five stages), stand_ins.py (fake
credentials, moto and `responses`, the mention), processes.py (the processes it starts), out_folder.py (the
output folder and its lock), real_photo.py (LocationNet on a real photo).
"""


class DemoError(Exception):
    """Something went wrong that the person running the demo can act on: the message says what to do."""
