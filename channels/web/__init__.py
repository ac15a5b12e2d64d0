"""The web channel: Rasa's socket.io protocol (rasa-webchat and our own widget), Rasa's REST
format, and the hotline's page (static/)."""
