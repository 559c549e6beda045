"""Parameter checks shared by the plant's modules: a clear error naming the allowed range."""


def number(name: str, value: object, lo: float, hi: float, unit: str = "") -> float:
    """`value` as a float, or a ValueError naming the parameter and its allowed range."""
    unit = " " + unit if unit else ""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValueError(f"{name} must be a number in {lo:g}..{hi:g}{unit}; got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in {lo:g}..{hi:g}{unit}; got {value:g}")
    return float(value)
