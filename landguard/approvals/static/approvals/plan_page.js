// Page bootstrap for approvals/plan_detail.html (a static module: the CSP forbids inline code). The 片区 boundary on
// the project map, as the dossier page shows a dossier's boundary. Data comes from the json_script blocks.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { createProjectMap } from '../projects/maps.js';
const config = JSON.parse(document.getElementById('map-config').textContent);
config.basemap = JSON.parse(document.getElementById('basemap-config').textContent);
createProjectMap(maplibregl, document.getElementById('plan-map'), config);
