"""The platform operator's site on the public host names."""
