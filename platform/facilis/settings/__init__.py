"""Settings in layers: base (defaults from the environment), dev, test, production."""
