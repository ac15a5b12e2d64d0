"""Rasa custom actions. Importing the package masks personal data in the action server's logs."""

from bot import logmask

logmask.install()
