"""The score wing: every score use case, from the rubric chosen to the bytes sent.

* :mod:`.choose` - which published rubric version a ``rubric=`` reference names;
* :mod:`.inputs` - the engine's input read from the store, per data revision and day, with its evidence;
* :mod:`.runs` - scoring runs: a rubric applied to an input, with what is rendered from it;
* :mod:`.views` - rankings, explained scores, histories, comparisons and summaries;
* :mod:`.previews` - what-if previews and the sensitivity of a ranking;
* :mod:`.present` - the one presenter: engine results into the response models of :mod:`app.models.score_results`;
* :mod:`.caches` - :class:`~.caches.ScoreCaches`, the one owner of every cache, kept on ``app.state``.

Every number comes from the engine (:mod:`scoring`); this package picks the rubric and the data, keeps runs
and their renderings while the data stays the same, and shapes results for the API.
"""
