// Page bootstrap for approvals/detail.html: a static module, not an inline script, so the
// Content-Security-Policy can forbid inline code (landguard/core/csp.py). Data comes from the json_script blocks.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { createProjectMap } from '../projects/maps.js';
const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
createProjectMap(maplibregl, document.getElementById('dossier-map'), config);
