// A layer's map (MapLibre GL 6): the layer's scoped vector tiles over the base map, 地类图斑 coloured by
// first-level land class (colours after the 三调 cartographic convention), control layers in one colour.
import { baseStyle } from '../web/map.js';

// First two characters of DLBM → fill colour.
export const LEVEL1_COLOURS = {
  '00': '#7fc8c2', '01': '#f5e79e', '02': '#e6a85c', '03': '#59a14f', '04': '#b5d98a', '05': '#e15759',
  '06': '#9c755f', '07': '#f28e8e', '08': '#d37295', '09': '#8c564b', '10': '#a0a0a0', '11': '#6baed6',
  '12': '#d9d2b6',
};
const KIND_COLOURS = {
  basic_farmland: '#e0a800', eco_redline: '#2e7d32', dev_boundary: '#c62828', approved: '#6a1b9a',
  supplied: '#1565c0', planned: '#ef6c00', mining: '#5d4037', project: '#d81b60', custom: '#455a64',
};

function fillColour(kind) {
  if (kind !== 'dltb') return KIND_COLOURS[kind] || '#455a64';
  const match = ['match', ['slice', ['get', 'code'], 0, 2]];
  for (const [code, colour] of Object.entries(LEVEL1_COLOURS)) match.push(code, colour);
  match.push('#cccccc');
  return match;
}

export function createLayerMap(maplibregl, container, config) {
  const bounds = config.bounds;
  const map = new maplibregl.Map({
    container, style: baseStyle(config.basemap), maxZoom: 19, dragRotate: false, pitchWithRotate: false,
    bounds: [[bounds[0], bounds[1]], [bounds[2], bounds[3]]], fitBoundsOptions: { padding: 24 },
    attributionControl: { compact: true },
    locale: { 'Popup.Close': config.i18n.close, 'NavigationControl.ZoomIn': config.i18n.zoomIn, 'NavigationControl.ZoomOut': config.i18n.zoomOut },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  const layer = config.layers[0];
  map.on('load', () => {
    map.addSource('data', { type: 'vector', tiles: [new URL(layer.tiles, window.location.href).href], minzoom: 0, maxzoom: 16 });
    const dltb = layer.layer_kind === 'dltb';
    map.addLayer({ id: 'data-fill', type: 'fill', source: 'data', 'source-layer': layer.source_layer,
                   paint: { 'fill-color': fillColour(layer.layer_kind), 'fill-opacity': dltb ? 0.75 : 0.35 } });
    map.addLayer({ id: 'data-line', type: 'line', source: 'data', 'source-layer': layer.source_layer,
                   paint: { 'line-color': dltb ? '#666666' : fillColour(layer.layer_kind), 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.2, 15, 1] } });
    map.on('click', 'data-fill', (event) => {
      const p = event.features[0].properties;
      const root = document.createElement('div');
      root.className = 'map-popup';
      const rows = [[config.i18n.fid, p.fid], [config.i18n.landClass, p.code], [config.i18n.area, `${(p.area_m2 / 10000).toFixed(4)} ${config.i18n.hectare}`]];
      const dl = document.createElement('dl');
      for (const [label, value] of rows) {
        if (!value) continue;
        const dt = document.createElement('dt'); dt.textContent = label;
        const dd = document.createElement('dd'); dd.textContent = value;
        dl.append(dt, dd);
      }
      root.append(dl);
      new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(root).addTo(map);
    });
    map.on('mouseenter', 'data-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'data-fill', () => { map.getCanvas().style.cursor = ''; });
    map.once('idle', () => { container.dataset.ready = 'true'; window.landguardMapReady = true; });
  });
  window.landguardMap = map;
  return map;
}
