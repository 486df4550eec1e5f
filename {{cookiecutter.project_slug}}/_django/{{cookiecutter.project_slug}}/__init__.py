"""The project package: settings, URLs, WSGI, and what every app shares."""
