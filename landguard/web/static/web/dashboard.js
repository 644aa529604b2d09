// Dashboard charts (ECharts 6). Data comes from the page (json_script), already limited to the user's scope.
// Each chart element names its rows (data-chart) and how to draw them (data-chart-kind): the tiles that apps
// register with shell.dashboard pick one of these kinds, so a new tile needs no script of its own.
(function () {
  function ready(fn) { document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', fn) : fn(); }

  ready(function () {
    const data = JSON.parse(document.getElementById('chart-data').textContent);
    const t = data.i18n;
    const font = getComputedStyle(document.body).fontFamily;  // CJK-capable stack from app.css
    const palette = ['#2e7d63', '#c77d1a', '#3c6fb0', '#8a5cb8', '#d05a5a', '#4aa3a0', '#8c9a3a', '#6b7780'];
    const base = { color: palette, textStyle: { fontFamily: font }, animation: false,
                   tooltip: { trigger: 'item', textStyle: { fontFamily: font } } };
    const axisLabel = { fontFamily: font, hideOverlap: true };

    const options = {
      hbar: (rows) => ({
        ...base, tooltip: { ...base.tooltip, trigger: 'axis' },
        grid: { left: 8, right: 40, top: 10, bottom: 8, containLabel: true },
        xAxis: { type: 'value', minInterval: 1, axisLabel },
        yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { ...axisLabel, width: 150, overflow: 'truncate' } },
        series: [{ type: 'bar', name: t.count, data: rows.map((r) => r.value), barMaxWidth: 18, label: { show: true, position: 'right' } }],
      }),
      pie: (rows) => ({
        ...base,
        legend: { bottom: 0, type: 'scroll', textStyle: { fontFamily: font } },
        series: [{ type: 'pie', name: t.count, radius: ['38%', '68%'], center: ['50%', '45%'], data: rows,
                   label: { formatter: '{b}\n{c}', fontFamily: font }, avoidLabelOverlap: true }],
      }),
      bar: (rows) => ({
        ...base, tooltip: { ...base.tooltip, trigger: 'axis' },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel },
        yAxis: { type: 'value', minInterval: 1, axisLabel },
        series: [{ type: 'bar', name: t.count, data: rows.map((r) => r.value), barMaxWidth: 42, label: { show: true, position: 'top' } }],
      }),
      line: (rows) => ({
        ...base, tooltip: { ...base.tooltip, trigger: 'axis' },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: rows.map((r) => r.day.slice(5)), axisLabel },
        yAxis: { type: 'value', minInterval: 1, axisLabel },
        series: [{ type: 'line', name: t.entries, data: rows.map((r) => r.value), smooth: false, symbolSize: 5, areaStyle: { opacity: .12 } }],
      }),
      percent: (rows) => ({
        ...base,
        tooltip: { ...base.tooltip, trigger: 'axis',
                   formatter: (items) => { const r = rows[items[0].dataIndex]; return `${r.name}<br>${t.coverage}: ${r.value}% (${r.covered}/${r.total} ${t.villages})`; } },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { ...axisLabel, rotate: rows.length > 6 ? 40 : 0, interval: 0 } },
        yAxis: { type: 'value', max: 100, axisLabel: { ...axisLabel, formatter: '{value}%' } },
        series: [{ type: 'bar', name: t.coverage, data: rows.map((r) => r.value), barMaxWidth: 36, itemStyle: { color: '#2e7d63' } }],
      }),
    };

    const charts = [];
    document.querySelectorAll('[data-chart]').forEach((el) => {
      const rows = data[el.dataset.chart] || [];
      const chart = echarts.init(el, null, { locale: t.locale, renderer: 'canvas' });
      const option = options[el.dataset.chartKind](rows);
      if (!rows.length) option.title = { text: t.empty, left: 'center', top: 'middle', textStyle: { color: '#8a969c', fontFamily: font, fontSize: 14 } };
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
    window.landguardCharts = charts;
    document.documentElement.dataset.chartsReady = String(charts.length);
  });
})();
