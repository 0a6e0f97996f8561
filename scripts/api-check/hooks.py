"""Schemathesis hooks of `make api-check` (scripts/api-check.sh).

One protocol rule cannot be written in JSON Schema: within a push, `device_seq` must be
strictly increasing (the server answers 422 `invalid_input` otherwise, as the document
says). A generated *valid* push gets sequences that follow that rule; every other
field is left exactly as generated, and invalid (negative) bodies are never touched.
"""

import schemathesis
from schemathesis.core.parameters import ParameterLocation

PUSH = ("POST", "/v1/accounts/{account}/commands")


def _body_is_positive(case):
    meta = case.meta
    if meta is None:
        return False
    body = meta.components.get(ParameterLocation.BODY)
    mode = body.mode if body is not None else meta.generation.mode
    return mode.is_positive


@schemathesis.hook
def before_call(context, case, kwargs):
    if (case.method.upper(), case.operation.path) != PUSH or not _body_is_positive(case):
        return
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("commands"), list):
        return
    commands = [c for c in body["commands"] if isinstance(c, dict)]
    seqs = [c.get("device_seq") for c in commands]
    if all(isinstance(s, int) for s in seqs) and all(a < b for a, b in zip(seqs, seqs[1:])):
        return
    for i, command in enumerate(commands):
        command["device_seq"] = i
