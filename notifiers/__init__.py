"""Delivery channels (SMTP, chat-bot webhooks, a folder) behind one small protocol."""
