"""The shell's helpers and extension points, below every domain app.

`shell` imports only `landguard.core`, `audit`, `formats`, `jobs` and libraries. Domain apps import its helpers
(list pages, forms, map configuration, API base classes) and plug into its registries at start-up from
`<app>/extensions.py` (imported in their AppConfig.ready): weekly-report sections (`reports`), dashboard tiles
(`dashboard`), search providers (`search`), project status providers (`status`) and the region directory
(`regions`). The pages that show these (`web`, `projects`) iterate the registries instead of importing every app.
"""
