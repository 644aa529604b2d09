"""The overlay engine (一张图 合规审查), apart from the apps: shapely geometries and numpy arrays in, official
figures out. No database and no landguard Django app is imported here (only landguard.core.geodesy, numpy,
shapely, pyproj through geodesy, and Django's TextChoices and gettext), so layers → engine ← analysis is one-way:
`layers` checks an import with the engine's own rules, `analysis` feeds it the features near the boundaries.
Import each name from the module that defines it (overlay, layers, checks, kinds, results …).
"""
