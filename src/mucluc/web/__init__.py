"""The web adapter: the public catalogue (HTML) and the JSON API, built by `create_app`."""
