"""The gateway: one aiohttp server that owns channels, sessions and the transcript.

Citizens' channels (channels/web: socket.io and REST; channels/wechat later) hand every message
to the ``Hub`` (hub.py), which writes it to the transcript first, then passes it to the Rasa
server over Rasa's REST channel (rasa.py). When Rasa or the action server is down or slow the
citizen is told the message is kept, and the hub delivers it when they are back. The HTTP API
for staff and units (api.py) and the pages are served here too; ``python -m bot.gateway`` runs it.
"""
