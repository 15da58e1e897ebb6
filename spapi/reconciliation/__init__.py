"""Amazon's account-health figures set beside our own, metric by metric, over Amazon's own windows.

``figures`` reads Amazon's report (pure), ``compare`` sets one of its figures beside ours (pure), ``explain``
finds the orders that can account for a difference, ``services`` computes and keeps the comparisons of a report,
``alerts`` tells the people who watch a metric once per difference, ``selectors`` and ``views`` show them.
"""
