"""`vla-harness view`: a self-contained static site (index.html + local assets) to look at stored runs.

Every number on the page is computed here in Python by the same results/ code as `report` and `compare`; the page's
JavaScript only arranges, filters and sorts what this package wrote into data.js.
"""
