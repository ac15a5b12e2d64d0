"""Speed-ups for Rasa 3.6 that change nothing it does, applied in every Rasa server that loads
this assistant's pipeline (``bot.rasa.nlu`` imports this module; so does the tracker store of the
production form).

Each custom action's answer is checked against Rasa's event schema by
``RemoteAction._validate_action_result`` with ``jsonschema.validate(result, schema)``, which
first checks the large schema itself against the JSON Schema meta-schema and builds a new
validator: 19 ms a call on this project's machines, three or four calls per citizen message,
about half of a Rasa server's CPU under load (BENCHMARKS.md, "Where a Rasa server's time
goes"). The same check with a validator built once takes 1 ms: same schema, same error (the
best match, as ``jsonschema.validate`` raises), same message.
"""

from __future__ import annotations

import functools
from typing import Any

PATCHED = "_hotline_cached_validator"


@functools.lru_cache(maxsize=1)
def _action_result_validator():
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate does every time
    return cls(schema)


def _validate_action_result(self, result: dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, PATCHED, False) or not hasattr(RemoteAction, "_validate_action_result"):
        return
    RemoteAction._validate_action_result = _validate_action_result
    setattr(RemoteAction, PATCHED, True)
