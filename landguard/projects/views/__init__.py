"""Battle-map pages (挂图作战), one module per section; the URLconf imports each module. Thin views: reads through
selectors with the user's scope (one-object reads through `selectors.get_<thing>`, 404 outside it), writes through
services; every table is a Listing whose list page and xlsx twin come from `list_views`.

battle_map (map, GeoJSON) · projects (list, ledger export/import, create, detail with Gantt, boundary) · steps ·
problems · targets (responsibility lists) · service_requests (and the commissioners' figures) · visits (上门服务) ·
groups (with the 1+1+N check) · procedures (templates) · reporting (weekly report, daily digest, monthly ranking and
red flags) · dispatches (stored reports) · holidays · common (shared helpers)."""
