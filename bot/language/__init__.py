"""Reading a citizen's words: pure text understanding, no I/O (the city profile and the word lists
in bot/lexicon are all it reads). Emergencies (emergency/), legal routes (scope), questions,
field extraction (extract), the request type (request_types) and the one reading the gateway,
the console and /api/triage share (triage)."""
