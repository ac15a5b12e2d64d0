"""Reading a citizen's words: pure text understanding, no I/O of its own choosing (the city profile,
the word lists in bot/lexicon and the bundled models are all it reads). Emergencies (emergency/),
legal routes (scope), questions, field extraction (extract), the request type (request_types), the
one reading the gateway, the console and /api/triage share (triage), and the sentence tools the
knowledge base, 智能派单 and 集中反映 share (sentences: its passage cache goes where the caller says)."""
