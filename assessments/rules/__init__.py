"""Triage rules, one module per domain (``bleeding``, ``pain``, ...), each registering its rules in
:data:`assessments.rules.base.RULES` with the :func:`~assessments.rules.base.rule` decorator.

This package imports none of its rule modules: :mod:`assessments.triage` imports them explicitly
(see :data:`assessments.triage.RULE_MODULES`), so modules that only need the building blocks
(:mod:`.base`) or the references (:mod:`.sources`) never pull the whole rulebook in, and the
package has no import cycle.
"""
