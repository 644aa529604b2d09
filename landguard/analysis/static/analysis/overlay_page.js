// Page bootstrap for analysis/overlay.html: a static module, not an inline script, so the
// Content-Security-Policy can forbid inline code (landguard/core/csp.py). Data comes from the json_script blocks.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { createRegionMap } from '../web/map.js';
import { setUpOverlay } from './overlay.js';
const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
const map = createRegionMap(maplibregl, document.getElementById('map'), config, {});
setUpOverlay(maplibregl, map, JSON.parse(document.getElementById('overlay-i18n').textContent));
