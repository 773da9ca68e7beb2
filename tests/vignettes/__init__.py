"""Clinical vignettes written from the clinical reference (sections 4 and 6.2) and the clinical
policy, not from the rule code: each states the tier range the reference asks for.

``python -m tests.vignettes`` prints red-flag sensitivity, non-urgent specificity and the share
of vignettes whose tier falls within the expected range; ``tests/unit/test_vignettes.py`` holds the
targets (100 % sensitivity, at least 95 % specificity).
"""
