"""耕地保护 pages, one module per section; the URLconf imports each module. Thin views: reads through selectors with
the user's scope (one-object reads through `selectors.get_<thing>`, 404 outside it), writes through services; every
table is a Listing whose list page and xlsx twin come from `list_views`.

overview (cards, map, township table) · clues (triage, opening a case) · tasks (desk) · field (phones: tasks, photos,
巡田) · cameras · patches (卫片, occupation ratio) · cases · compliance (三个一, 巡田 frequency, deliveries) ·
public (举报 form) · settings (sources, channels, deadline rules) · common (shared helpers)."""
