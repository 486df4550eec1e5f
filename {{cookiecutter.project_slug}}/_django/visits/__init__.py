"""The visits app: the home page, which counts its visits."""
