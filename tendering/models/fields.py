"""Column sizes shared by the tendering models (money R57, scores, weights)."""

MONEY = {"max_digits": 14, "decimal_places": 2}
SCORE = {"max_digits": 7, "decimal_places": 2}
WEIGHT = {"max_digits": 5, "decimal_places": 4}
