"""DALI backends: the simulated bus and python-dali hardware drivers."""
