"""Channel adapters: each turns one channel's traffic into the hub's message model and back."""
