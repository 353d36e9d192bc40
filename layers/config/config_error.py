"""``ConfigError``: a file the user gave (network YAML, profile) that cannot be used."""


class ConfigError(ValueError):
    """The message names the file, and the layer and field where there is one, and why."""
