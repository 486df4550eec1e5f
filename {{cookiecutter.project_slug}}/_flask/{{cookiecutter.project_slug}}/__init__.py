"""The web service: `app.create_app` builds it, `wsgi.application` serves it."""
