"""The rubric engine: pure, vectorised, explainable (numpy and pydantic only; no web, database or I/O).

Modules, in the order data flows through them:

* :mod:`scoring.rubric` - the rubric schema (pydantic), shared with the API and the seed files;
* :mod:`scoring.catalogue` - indicator specs (with their level) and how values are encoded as floats;
* :mod:`scoring.rollup` - ``PartyValues``, the values of party- and country-level indicators, rolled up;
* :mod:`scoring.validation` - every problem of a rubric with its path; ``RubricError``;
* :mod:`scoring.engine` - ``EngineInput``, ``score(rubric, data, perspective=None) -> ScoreSet``;
* :mod:`scoring.explain` - ``Explanation`` (typed fields, ``lines()``), a slice of a ``ScoreSet``;
* :mod:`scoring.whatif` - weight overrides and ``compare(baseline, alternative)``;
* :mod:`scoring.sensitivity` - Monte Carlo weight perturbation.

Internals: :mod:`scoring.plan` (the compiled tree), :mod:`scoring.treatment` (transforms, winsorisation),
:mod:`scoring.normalise`, :mod:`scoring.aggregate`, :mod:`scoring.wording`, :mod:`scoring.arrays`.
"""
