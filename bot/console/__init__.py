"""The agents' console: accounts and sessions, the console's HTTP API and live updates, and the
page itself (static/). Served by the gateway under /console."""
