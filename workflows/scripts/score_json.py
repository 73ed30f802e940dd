"""Reads the app's Score for a step: innominatus hands every step the Score as JSON in the file named by
$SCORE_JSON, so scripts need no YAML parser. Values are as the validator read them: maps, lists, strings,
numbers, booleans and null, with the deprecated list forms of `files` and `volumes` as written."""
import json
import os
import sys


def load():
    path = os.environ.get("SCORE_JSON")
    if not path:
        sys.exit("SCORE_JSON is not set: run this script as an innominatus step (innominatus run or reconcile)")
    with open(path, encoding="utf-8") as handle:
        score = json.load(handle)
    return score if isinstance(score, dict) else {}


def mapping(value):
    """`value` when it is a map, else an empty one: a script reads optional fields without type checks."""
    return value if isinstance(value, dict) else {}
