"""Whose code each stage runs: the tree's step folder, or the solution where the tree has TODOs open."""
import sys
from dataclasses import dataclass

from workshop import hints, manifest
from workshop.demo import DemoError
from workshop.paths import ROOT, shown

OPEN_TODOS = ("ask", "solution", "stop")
STAGE_NAMES = {1: "sample data", 2: "training", 3: "the endpoint", 4: "the bot"}  # stage number = step number


@dataclass
class StepCode:
    """The code one stage runs: a step folder, whose it is, and how to test it."""

    number: int
    folder: object  # a Path
    whose: str  # "your code (steps/01_data)" or "the solution (solutions/01_data), 2 TODOs open in yours"
    test_command: str


def whose_code(tree, open_todos, tree_name):
    """Each step's folder for the stages: `tree`'s, or the solution's where `tree`'s has TODOs open and the person
    running the demo chose so (--open-todos, or an answer at the keyboard). Prints the plan, one line a step."""
    code, unfinished = {}, []
    for step in manifest.steps(ROOT):
        folder = tree / step.folder
        if folder == step.solution:
            code[step.number] = solution_code(step)
            continue
        if not folder.is_dir():
            raise DemoError(f"{shown(folder)} is missing: `make reset-step {step.number}` restores the starter.")
        left = [todo.id for todo in hints.todos_left(step, folder)]
        if left:
            code[step.number] = solution_code(step, left)
            unfinished.append(f"   step {step.number} ({shown(folder)}): {todos(left)} open, {', '.join(left)}")
        else:
            test = f"make test-step {step.number}" + ("" if tree_name == "steps" else f" TREE={tree_name}")
            code[step.number] = StepCode(step.number, folder, f"your code ({shown(folder)})", test)
    if unfinished and not chose_the_solutions(unfinished, open_todos):
        raise DemoError(
            "some steps have TODOs open:\n" + "\n".join(unfinished) + "\nFinish them (`make test-step N` says what "
            f"is missing), or run `make demo TREE={tree_name} OPEN_TODOS=solution` (python -m workshop demo --tree "
            f"{tree_name} --open-todos solution) to use the solution for each step with TODOs open.")
    print("Whose code runs:")
    for number, step_code in code.items():
        print(f"   {number}. {STAGE_NAMES[number]:<13} — {step_code.whose}")
    return code


def solution_code(step, open_in_yours=()):
    whose = f"the solution ({shown(step.solution)})"
    if open_in_yours:
        whose += f", {todos(open_in_yours)} open in yours ({', '.join(open_in_yours)})"
    return StepCode(step.number, step.solution, whose, f"make test-step {step.number} TREE=solutions")


def chose_the_solutions(unfinished, open_todos):
    """Whether to run the solution for the steps with TODOs open: --open-todos, else the answer to a question
    where someone is at the keyboard."""
    if open_todos != "ask" or not sys.stdin.isatty():
        return open_todos == "solution"
    answer = input("Some steps have TODOs open:\n" + "\n".join(unfinished) + "\nUse the solution for those steps "
                   "(the output says so)? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def todos(ids):
    return f"{len(ids)} TODO{'s' if len(ids) > 1 else ''}"
