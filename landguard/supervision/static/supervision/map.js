// Cameras (coverage discs and tower points) and recent clues on top of the region map (static/web/map.js).
const CLUE_COLOURS = ['match', ['get', 'status'], 'new', '#c0392b', 'valid', '#d68910', 'false_alarm', '#95a5a6', '#7f8c8d'];

export function addSupervisionLayers(maplibregl, map, url) {
  map.on('load', () => {
    map.addSource('supervision', { type: 'geojson', data: url });
    map.addLayer({ id: 'coverage-fill', type: 'fill', source: 'supervision', filter: ['==', ['get', 'layer'], 'coverage'],
                   paint: { 'fill-color': '#3c6fb0', 'fill-opacity': 0.06 } });
    map.addLayer({ id: 'coverage-line', type: 'line', source: 'supervision', filter: ['==', ['get', 'layer'], 'coverage'],
                   paint: { 'line-color': '#3c6fb0', 'line-width': 0.8, 'line-opacity': 0.6 } });
    map.addLayer({ id: 'cameras', type: 'circle', source: 'supervision', filter: ['==', ['get', 'layer'], 'camera'],
                   paint: { 'circle-radius': 3.5, 'circle-color': '#1f4e8c', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
    map.addLayer({ id: 'clues', type: 'circle', source: 'supervision', filter: ['==', ['get', 'layer'], 'clue'],
                   paint: { 'circle-radius': ['case', ['get', 'serious'], 7, 5], 'circle-color': CLUE_COLOURS,
                            'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
    map.on('click', (event) => {
      const [feature] = map.queryRenderedFeatures(event.point, { layers: ['clues', 'cameras'] });
      if (!feature) return;
      const root = document.createElement('div');
      root.className = 'map-popup';
      const title = document.createElement('h3');
      title.textContent = feature.properties.name;
      const info = document.createElement('p');
      info.textContent = feature.properties.layer === 'clue' ? `${feature.properties.kind} · ${feature.properties.status_label}` : `${feature.properties.code} · ${feature.properties.radius} m`;
      const link = document.createElement('a');
      link.href = feature.properties.url;
      link.textContent = '→';
      root.append(title, info, link);
      new maplibregl.Popup({ maxWidth: '280px' }).setLngLat(event.lngLat).setDOMContent(root).addTo(map);
    });
    for (const id of ['clues', 'cameras']) {
      map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
    }
  });
}
