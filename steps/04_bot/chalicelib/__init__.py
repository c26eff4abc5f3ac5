"""The bot's logic, one module a concern; app.py only wires them to the webhook, the queue and the schedule."""
