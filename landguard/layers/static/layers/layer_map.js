// A layer's map (MapLibre GL 6): the layer's scoped vector tiles over the base map (colours: web/map.js).
import { addDataLayer, baseStyle } from '../web/map.js';

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
    addDataLayer(map, 'data', layer);
    map.on('click', 'data-fill', (event) => {
      const p = event.features[0].properties;
      const root = document.createElement('div');
      root.className = 'map-popup';
      const rows = [[config.i18n.featureNo, p.feature_no], [config.i18n.landClass, p.code], [config.i18n.area, `${(p.area_m2 / 10000).toFixed(4)} ${config.i18n.hectare}`]];
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
