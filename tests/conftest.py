"""Test setup shared by every suite."""

# Import our package before the Home Assistant harness puts its own
# testing_config/custom_components first on the path ("Integration not found").
import custom_components.smart_lighting_ai  # noqa: F401
