// Battle-map maps (MapLibre GL 6): projects coloured by status over the scope's region outlines, a
// project's own boundary with its per-region parts, and drawing a boundary on the project forms. The base
// map is the shared one (web/map.js), drawing the shared web/draw.js (as on 叠加分析).
import { baseStyle, createRegionMap } from '../web/map.js';
import { PolygonDrawing } from '../web/draw.js';

// Each feature carries its health's colour (projects/selectors.py Health.COLOURS, the one palette for the map and
// the weekly report's figure).
function healthColour() {
  return ['coalesce', ['get', 'colour'], '#455a64'];
}

function newMap(maplibregl, container, config, bounds) {
  const drawn = (config.layers || []).filter((l) => l.visible).map((l) => l.key);  // outlines the page draws itself
  const map = new maplibregl.Map({
    container, style: baseStyle(config.basemap, { skip: drawn }), maxZoom: 18, dragRotate: false, pitchWithRotate: false,
    bounds: bounds ? [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] : undefined,
    center: bounds ? undefined : [116.4, 36.4], zoom: bounds ? undefined : 6,
    fitBoundsOptions: { padding: 24 }, attributionControl: { compact: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.touchZoomRotate.disableRotation();
  return map;
}

// Ready for tests and screenshots once every source has loaded and the map is idle.
function markReadyWhenLoaded(map, container, sources) {
  const check = () => {
    if (sources.every((id) => map.isSourceLoaded(id))) {
      container.dataset.ready = 'true';
      window.landguardMapReady = true;
    } else {
      map.once('idle', check);
    }
  };
  map.once('idle', check);
}

function popup(props, strings) {
  const root = document.createElement('div');
  root.className = 'map-popup';
  const title = document.createElement('h3');
  title.textContent = props.name;
  const dl = document.createElement('dl');
  // Statuses registered by other apps (shell.status); MapLibre hands nested properties over as JSON text.
  const extra = typeof props.statuses === 'string' ? JSON.parse(props.statuses) : (props.statuses || []);
  const rows = [[strings.level, props.level], [strings.status, props.health_label], [strings.steps, props.steps],
                ...extra.map((s) => [s.label, s.value])];
  for (const [label, value] of rows) {
    if (!value) continue;
    const dt = document.createElement('dt'); dt.textContent = label;
    const dd = document.createElement('dd'); dd.textContent = value;
    dl.append(dt, dd);
  }
  const link = document.createElement('a');
  link.href = props.url;
  link.textContent = strings.details;
  root.append(title, dl, link);
  return root;
}

export function createBattleMap(maplibregl, container, config) {
  const map = newMap(maplibregl, container, config, config.bounds);
  map.on('load', () => {
    const outlines = config.layers.filter((l) => l.visible);
    for (const layer of outlines) {
      map.addSource(layer.key, { type: 'geojson', data: layer.url });
      const township = layer.key === 'township';
      map.addLayer({ id: `${layer.key}-line`, type: 'line', source: layer.key,
                     paint: { 'line-color': township ? '#6b8f80' : '#8e3b2f', 'line-width': township ? 1 : 2.5 } });
      // Names, so a leader reading the map knows which township a red parcel lies in.
      map.addLayer({ id: `${layer.key}-label`, type: 'symbol', source: layer.key, minzoom: township ? 8 : 0, maxzoom: township ? 24 : 10,
                     layout: { 'text-field': ['get', 'name'], 'text-size': township ? 12 : 14, 'text-max-width': 8,
                               'text-font': ['Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'sans-serif'] },
                     paint: { 'text-color': township ? '#1f5c4a' : '#8e3b2f', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 } });
    }
    map.addSource('projects', { type: 'geojson', data: config.projects_url });
    const area = ['==', ['get', 'kind'], 'area'];
    map.addLayer({ id: 'projects-fill', type: 'fill', source: 'projects', filter: area,
                   paint: { 'fill-color': healthColour(), 'fill-opacity': 0.55 } });
    map.addLayer({ id: 'projects-line', type: 'line', source: 'projects', filter: area,
                   paint: { 'line-color': healthColour(), 'line-width': 2.5 } });
    // Small parcels stay visible at county zoom: a dot on each project.
    map.addLayer({ id: 'projects-dot', type: 'circle', source: 'projects', maxzoom: 13, filter: ['==', ['get', 'kind'], 'dot'],
                   paint: { 'circle-color': healthColour(), 'circle-radius': 6, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } });
    map.on('click', 'projects-fill', (event) => showPopup(event));
    map.on('click', 'projects-dot', (event) => showPopup(event));
    for (const id of ['projects-fill', 'projects-dot']) {
      map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
    }
    markReadyWhenLoaded(map, container, ['projects', ...outlines.map((l) => l.key)]);
  });
  function showPopup(event) {
    new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(popup(event.features[0].properties, config.strings)).addTo(map);
  }
  window.landguardMap = map;
  return map;
}

export function createProjectMap(maplibregl, container, config) {
  const map = newMap(maplibregl, container, config, null);
  map.on('load', async () => {
    const response = await fetch(config.geojson, { credentials: 'same-origin' });
    const data = await response.json();
    map.addSource('parts', { type: 'geojson', data });
    map.addLayer({ id: 'parts-fill', type: 'fill', source: 'parts', paint: { 'fill-color': '#d81b60', 'fill-opacity': 0.3 } });
    map.addLayer({ id: 'parts-line', type: 'line', source: 'parts', paint: { 'line-color': '#d81b60', 'line-width': 2 } });
    map.addLayer({ id: 'parts-label', type: 'symbol', source: 'parts',
                   layout: { 'text-field': ['get', 'name'], 'text-size': 12, 'text-font': ['Noto Sans CJK SC', 'sans-serif'] },
                   paint: { 'text-color': '#8c1040', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 } });
    const coords = data.features.flatMap((f) => f.geometry.coordinates.flat(2));
    if (coords.length) {
      const xs = coords.map((c) => c[0]), ys = coords.map((c) => c[1]);
      map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 30, duration: 0, maxZoom: 16 });
    }
    markReadyWhenLoaded(map, container, ['parts']);
  });
  window.landguardMap = map;
  return map;
}

// The project forms: region outlines to find the place, the current boundary (when replacing one) as a grey
// outline, and the drawing toolbar filling the form's hidden input.
export function setUpBoundaryDrawing(maplibregl, field, config) {
  const container = field.querySelector('.draw-map');
  const map = createRegionMap(maplibregl, container, config, {});
  map.on('load', async () => {
    if (config.current) {
      const data = await (await fetch(config.current, { credentials: 'same-origin' })).json();
      map.addSource('current', { type: 'geojson', data });
      map.addLayer({ id: 'current-line', type: 'line', source: 'current', paint: { 'line-color': '#455a64', 'line-width': 2, 'line-dasharray': [3, 2] } });
      const coords = data.features.flatMap((f) => f.geometry.coordinates.flat(2));
      if (coords.length) {
        const xs = coords.map((c) => c[0]), ys = coords.map((c) => c[1]);
        map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 60, duration: 0, maxZoom: 16 });
      }
    }
    const input = field.querySelector('input[type=hidden]');
    const drawing = new PolygonDrawing(map, { root: field, input, status: field.querySelector('[data-drawn-status]'), strings: config.draw });
    if (drawing.closed) {
      const xs = drawing.vertices.map((c) => c[0]), ys = drawing.vertices.map((c) => c[1]);
      map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 60, duration: 0, maxZoom: 17 });
    }
    container.dataset.drawReady = 'true';
  });
  return map;
}
