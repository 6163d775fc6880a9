"""Tiny helpers that read typed settings from the environment."""

import os


def env(name: str, default: str = "") -> str:
    """Return the variable ``name`` or ``default`` when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean: 1/true/yes/on are true, 0/false/no/off are false."""
    value = env(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean, not {value!r}")


def env_int(name: str, default: int) -> int:
    """Read an integer setting."""
    value = env(name, "")
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]
