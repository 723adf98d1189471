"""The server-rendered pages of the web console, in Chinese with an English switch."""
