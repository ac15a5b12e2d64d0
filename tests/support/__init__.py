"""What the tests stand on: the real servers (stack.py), PostgreSQL and Redis (services.py),
rasa_sdk trackers and images (helpers.py), a web-channel citizen (socket_client.py) and a TCP
proxy that can be cut (tcp_proxy.py). Not tests themselves; scripts/ use them too."""
