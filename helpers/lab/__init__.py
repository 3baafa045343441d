"""The lab: the code behind the committed study tables of notebooks 04 and 05, and nothing a learner is taught.

    python -m helpers.lab dogs --model efficientnet_lite0       # notebook 05: do dogs resist?
    python -m helpers.lab accuracy --model efficientnet_lite0   # notebook 04: accuracy against the budget

One module per job: `difficulty` (the growing-budget attack), `design` (seeds, grids, targets, matching),
`tables` (CSV tables with provenance, validated on read), `runner` (the attacks split over processes), and one
module per study (`dogs`, `accuracy`). Notebooks import the lab only to read tables and re-run sampled rows.
"""
