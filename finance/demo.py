"""Demo data for finance (filled in below)."""


def demo_step():
    return None
