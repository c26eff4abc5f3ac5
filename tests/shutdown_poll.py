"""How often the tests' servers look for a shutdown: socketserver's serve_forever polls every 0.5 s by default, and
shutdown() waits for that poll, so each server stopped cost up to half a second."""
POLL = {"poll_interval": 0.05}  # serve_forever's keyword arguments
