"""One message -> its structured reading: request type, emergency, legal route, fields.

This is the logic behind `POST /api/triage` (agents' smart form filling for phone calls) and
what the actions rely on. It is deterministic and fast; the statistical NLU adds to it in the
Rasa pipeline (bot/rasa/nlu.py).
"""

from __future__ import annotations

from typing import Any

from bot.language import emergency, extract, request_types, scope
from bot.profile import Profile, load_profile


def triage(text: str, profile: Profile | None = None) -> dict[str, Any]:
    p = profile or load_profile()
    t = extract.normalize(text)
    reading = emergency.assess(t)
    found_emergency = reading.emergency
    out_of_scope = None if reading.confident else scope.detect(t, p)
    fields = extract.extract_fields(t, p)
    kind = request_types.classify(t)
    return {
        "type": kind.type if kind else None,
        "type_confidence": round(kind.confidence, 3) if kind else None,
        "type_source": ("declared" if kind.named else "model") if kind else None,
        "emergency": (
            {"kind": found_emergency.kind, "numbers": list(found_emergency.numbers), "matched": found_emergency.matched,
             "level": reading.level}
            if found_emergency
            else None
        ),
        "out_of_scope": (
            {"route": out_of_scope.route, "name": scope.ROUTE_NAMES.get(out_of_scope.route, out_of_scope.route)}
            if out_of_scope
            else None
        ),
        "fields": {
            "content": fields.content,
            "address": fields.address,
            "district": fields.district,
            "name": fields.name,
            "phone": fields.phone,
            "confidential": fields.confidential,
            "wants_reply": fields.wants_reply,
        },
        # Topic and handling unit come from the dispatch catalogue (work-order issue).
        "topic": None,
        "unit": None,
        "confidence": None,
        "profile": p.key,
    }
