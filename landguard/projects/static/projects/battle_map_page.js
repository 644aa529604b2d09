// Page bootstrap for projects/battle_map.html: a static module, not an inline script, so the
// Content-Security-Policy can forbid inline code (landguard/core/csp.py). Data comes from the json_script blocks.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { createBattleMap } from './maps.js';
const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
createBattleMap(maplibregl, document.getElementById('battle-map'), config);
