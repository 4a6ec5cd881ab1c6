// cascade report of one run: price, liquidations, spread and depth, the book, the cascade
// tree, the insurance fund, other series, the summary and the manifest. Every time chart
// shares one zoom: the cascade window by default, the whole run one click away.
"use strict";
(function () {
  const D = DATA;
  const S = D.series;
  const GROUP = "time";
  const whole = [0, D.duration_s];
  const win = D.window || whole;
  const thinned = D.bucket > 1
    ? "Decimated: outside the cascade window each bucket of " + D.bucket + " samples is drawn by its smallest and largest value (" + D.rows + " samples in the run); inside it every sample is drawn."
    : "Every sample is drawn (" + D.rows + " samples).";

  const timeName = D.duration_s >= 3600 ? "time (h:mm:ss)" : "time (m:ss)";
  const timeAxis = () => ({ type: "value", name: timeName, nameLocation: "middle", nameGap: 24, min: 0, max: D.duration_s, axisLabel: { formatter: clock } });
  const zoom = () => [
    { type: "inside", xAxisIndex: 0, startValue: win[0], endValue: win[1], filterMode: "weakFilter" },
    { type: "slider", xAxisIndex: 0, startValue: win[0], endValue: win[1], filterMode: "weakFilter", height: 18, bottom: 4, labelFormatter: (v) => clock(v) },
  ];
  const base = (extra) => Object.assign({
    grid: { left: 80, right: 40, top: 56, bottom: 72 },
    tooltip: { trigger: "axis", axisPointer: { type: "cross" }, confine: true },
    toolbox: { right: 10, feature: { dataZoom: { yAxisIndex: "none", title: { zoom: "zoom to a box", back: "undo zoom" } }, restore: { title: "reset" }, saveAsImage: { title: "PNG" } } },
    xAxis: timeAxis(),
    dataZoom: zoom(),
  }, extra);
  const line = (name, key, extra) => S[key] && S[key].length ? Object.assign({ name, type: "line", data: S[key], showSymbol: false, sampling: undefined, lineStyle: { width: 1.5 } }, extra) : null;
  // The point of series `key` nearest to time t (the lines' own samples, exact values).
  const nearest = (key, t) => {
    const a = S[key];
    if (!a || !a.length) return null;
    let lo = 0, hi = a.length - 1;
    while (hi - lo > 1) { const m = (lo + hi) >> 1; if (a[m][0] <= t) lo = m; else hi = m; }
    return Math.abs(a[hi][0] - t) < Math.abs(a[lo][0] - t) ? a[hi] : a[lo];
  };
  // The axis tooltip: each line's sample nearest the pointer, then the markers under it.
  const axisTip = (unit, lines) => (ps) => {
    if (!ps.length) return "";
    const t = ps[0].axisValue;
    const rows = (lines || []).map(([name, key, colour]) => {
      const p = nearest(key, t);
      return p ? '<span style="color:' + colour + '">\u25CF</span> ' + name + ": " + exact(p[1]) + (unit ? " " + unit : "") + " (t = " + exact(p[0]) + " s)" : null;
    }).filter(Boolean);
    const marks = ps.filter((p) => p.seriesType === "scatter").slice(0, 6).map((p) => p.marker + tipValue(p, unit));
    if (!lines) rows.push(...ps.map((p) => p.marker + p.seriesName + ": " + tipValue(p, unit)));
    return "<b>t = " + exact(+t.toFixed(6)) + " s (" + clock(t) + ")</b><br>" + rows.concat(marks).join("<br>");
  };
  const tipValue = (p, unit) => {
    if (p.seriesType === "scatter") {
      const r = p.data.row;
      return "liquidation " + r[5] + " (gen " + r[4] + ", " + r[6] + ", " + r[10] + "): " + exact(r[2]) + " lots, " + exact(r[1]) + " quote at mark " + exact(r[8]) + ", t " + exact(r[0]) + " s";
    }
    return exact(p.value[1]) + (unit ? " " + unit : "");
  };

  document.getElementById("subtitle").textContent =
    "Run of " + D.manifest.scenario_name + " with seed " + D.manifest.seed + ", " + clock(D.duration_s) + " simulated, sampled every " + D.sample_interval_s + " s. " + thinned;

  // The zoom buttons.
  const nav = section("View", D.window
    ? "The charts open on the cascade window (the shortest span holding 90% of the liquidated value, from the shock shortly before it, padded). Drag or scroll on a chart to pan and zoom; every time chart follows."
    : "No cascade window (no liquidation or shock): the whole run is shown. Drag or scroll on a chart to pan and zoom.");
  const bar = el("div", { class: "controls" });
  // The time range every time chart shows; a chart drawn later opens on it too.
  let range = win;
  const setRange = (r) => { range = r; CHARTS.forEach((h) => { if (h.time && h.chart) h.chart.dispatchAction({ type: "dataZoom", startValue: r[0], endValue: r[1] }); }); };
  const bWin = el("button", { id: "zoom-window", text: "Cascade window (" + clock(win[0]) + " to " + clock(win[1]) + ")" });
  const bAll = el("button", { id: "zoom-whole", text: "Whole run (0:00 to " + clock(D.duration_s) + ")" });
  bWin.onclick = () => { setRange(win); bWin.classList.add("active"); bAll.classList.remove("active"); };
  bAll.onclick = () => { setRange(whole); bAll.classList.add("active"); bWin.classList.remove("active"); };
  bWin.classList.add("active");
  bar.append(bWin, bAll);
  nav.append(bar);
  const timeChart = (parent, option, cls) => {
    const h = chart(parent, option, cls, (c) => {
      c.group = GROUP;
      if (range !== win) c.dispatchAction({ type: "dataZoom", startValue: range[0], endValue: range[1] });
      // A zoom on any chart is the range the next chart drawn opens on.
      c.on("datazoom", () => { const z = c.getOption().dataZoom[0]; range = [z.start / 100 * D.duration_s, z.end / 100 * D.duration_s]; });
    });
    h.time = true;
    return h;
  };

  // Liquidation markers: one scatter series per generation; symbol by what closed the lots.
  const L = D.liquidations;
  const maxValue = L.reduce((m, r) => Math.max(m, r[1]), 0) || 1;
  const SYMBOL = { book: "circle", adl: "diamond", fund: "triangle" };
  const gens = [...new Set(L.map((r) => r[4]))].sort((a, b) => a - b);
  const liqSeries = (yOf) => gens.map((g) => ({
    name: "gen " + g,
    type: "scatter",
    color: PALETTE[g % PALETTE.length],
    data: L.filter((r) => r[4] === g).map((r) => ({ value: [r[0], yOf(r)], row: r, symbol: SYMBOL[r[10]] })),
    symbolSize: (v, p) => 4 + 22 * Math.sqrt(p.data.row[1] / maxValue),
    itemStyle: { opacity: 0.75, borderColor: "#fff", borderWidth: 0.5 },
    z: 5,
  }));
  const shockLines = D.shocks.length ? {
    symbol: "none", silent: false, lineStyle: { type: "dashed", color: "#444" },
    label: { formatter: (p) => p.name, position: "insideEndTop" },
    data: D.shocks.map((s) => ({ name: s.name, xAxis: s.t, tooltip: { formatter: s.detail } })),
  } : undefined;

  // 1. Price.
  {
    const s = section("Price", "Mid, mark, index and fundamental (quote currency); liquidations at the step's mark, area proportional to the liquidated value, coloured by generation; ● closed in the book, ◆ auto-deleveraging, ▲ taken over by the fund. Dashed lines: shocks. " + thinned);
    const series = [
      line("mid", "mid", { color: PALETTE[0], markLine: shockLines }),
      line("mark", "mark", { color: PALETTE[1], lineStyle: { width: 1.5, type: [6, 3] } }),
      line("index", "index", { color: PALETTE[2] }),
      line("fundamental", "fundamental", { color: PALETTE[3], lineStyle: { width: 1, type: "dotted" } }),
    ].filter(Boolean).concat(liqSeries((r) => r[8]));
    timeChart(s, base({
      title: { text: "Price — " + D.title + (D.bucket > 1 ? " (decimated outside the cascade window: min and max of each " + D.bucket + " samples)" : ""), left: 10, textStyle: { fontSize: 13 } },
      legend: { top: 24, left: 10 },
      grid: { left: 80, right: 40, top: 72, bottom: 72 },
      tooltip: { trigger: "axis", axisPointer: { type: "cross" }, confine: true, formatter: axisTip("", [["mid", "mid", PALETTE[0]], ["mark", "mark", PALETTE[1]], ["index", "index", PALETTE[2]], ["fundamental", "fundamental", PALETTE[3]]].filter((l) => S[l[1]] && S[l[1]].length)) },
      yAxis: { type: "value", name: "price (quote)", scale: true },
      series,
    }), "tall");
  }

  // 2. Liquidated value per step, book and ADL apart.
  if (L.length) {
    const s = section("Liquidations", "Each engine step: the value it closed (lots × mark, quote currency), by generation; ● book, ◆ ADL, ▲ fund. " + L.length + " steps, " + D.tree.length + " liquidations.");
    timeChart(s, base({
      legend: { top: 4 },
      tooltip: { trigger: "item", confine: true, formatter: (p) => p.marker + tipValue(p, "") },
      yAxis: { type: "log", name: "value (quote)", min: (v) => Math.pow(10, Math.floor(Math.log10(v.min))) },
      series: liqSeries((r) => Math.max(r[1], 1e-9)),
    }));
  }

  // 3. Spread and depth.
  {
    const s = section("Spread and depth", "Spread of the best bid and ask in basis points of the mid; lots resting within ±1% of the mid, both sides. " + thinned);
    timeChart(s, base({ legend: { top: 4 }, tooltip: { trigger: "axis", confine: true, formatter: axisTip("bps", [["spread", "spread_bps", PALETTE[1]]]) }, yAxis: { type: "value", name: "spread (bps)", scale: true }, series: [line("spread (bps)", "spread_bps", { color: PALETTE[1] })].filter(Boolean) }), "small");
    timeChart(s, base({ legend: { top: 4 }, tooltip: { trigger: "axis", confine: true, formatter: axisTip("lots", [["depth ±1%", "depth_1pct", PALETTE[0]]]) }, yAxis: { type: "value", name: "depth ±1% (lots)", scale: true }, series: [line("depth ±1% (lots)", "depth_1pct", { color: PALETTE[0], areaStyle: { opacity: 0.15 } })].filter(Boolean) }), "small");
  }

  // 4. The book heatmap: mean resting lots per sample, bids blue, asks orange.
  if (D.heatmap) {
    const H = D.heatmap;
    const max = H.bids.concat(H.asks).reduce((m, c) => Math.max(m, c[2]), 1);
    const alpha = (v) => (0.08 + 0.92 * Math.log1p(v) / Math.log1p(max)).toFixed(3);
    // Each cell as [t from, price from, lots, t to, price to].
    const rect = (c) => [H.columns[c[0]][0], H.p0 + c[1] * H.dp, c[2], H.columns[c[0]][1], H.p0 + (c[1] + 1) * H.dp];
    const cellSeries = (name, cells, colour, rgb) => ({
      name, type: "custom", color: colour, clip: true,
      data: cells.map(rect),
      encode: { x: [0, 3], y: [1, 4] },
      renderItem: (params, api) => {
        const a = api.coord([api.value(0), api.value(1)]);
        const b = api.coord([api.value(3), api.value(4)]);
        return { type: "rect", shape: { x: Math.min(a[0], b[0]), y: Math.min(a[1], b[1]), width: Math.abs(b[0] - a[0]) + 0.5, height: Math.abs(b[1] - a[1]) + 0.5 }, style: { fill: "rgba(" + rgb + "," + alpha(api.value(2)) + ")" } };
      },
      tooltip: { formatter: (p) => { const v = p.value; return name + ": " + exact(v[2]) + " lots on average per sample<br>price " + v[1].toPrecision(8) + " to " + v[4].toPrecision(8) + "<br>time " + clock(v[0]) + " to " + clock(v[3]); } },
    });
    const s = section("Order book", "Mean lots resting per book sample in cells of " + H.dp.toPrecision(4) + " quote over the whole price range of the book (" + H.samples + " samples; " + (H.group > 1 ? "one column per sample in the cascade window, " + H.group + " samples a column outside it" : "one column per sample") + "); bids blue, asks orange, darker is more (log scale); the mid over it.");
    timeChart(s, base({
      legend: { top: 4 },
      tooltip: { trigger: "item", confine: true },
      yAxis: { type: "value", name: "price (quote)", min: H.p0, max: H.p0 + H.np * H.dp, scale: true },
      dataZoom: zoom().map((z) => Object.assign(z, { filterMode: "none" })).concat([{ type: "slider", yAxisIndex: 0, right: 6, width: 14, filterMode: "none", labelFormatter: (v) => v.toPrecision(6) }]),
      grid: { left: 80, right: 60, top: 56, bottom: 72 },
      series: [
        cellSeries("bids", H.bids, "#0072B2", "0,114,178"),
        cellSeries("asks", H.asks, "#D55E00", "213,94,0"),
        line("mid", "mid", { color: "#000", lineStyle: { width: 1 }, z: 10, tooltip: { show: false } }),
      ].filter(Boolean),
    }), "tall");
  }

  // 5. The cascade tree: each liquidation at (time, generation), joined to its parent.
  if (D.tree.length) {
    const T = D.tree;
    const lane = new Map();
    const perGen = new Map();
    for (const n of [...T].sort((a, b) => a[1] - b[1] || a[0] - b[0])) {
      const k = perGen.get(n[2]) || 0; perGen.set(n[2], k + 1);
      lane.set(n[0], n[2] - 0.3 + 0.12 * (k % 6));
    }
    const byId = new Map(T.map((n) => [n[0], n]));
    const edges = T.filter((n) => n[5] !== null && byId.has(n[5])).map((n) => {
      const p = byId.get(n[5]);
      return { coords: [[p[1], lane.get(p[0])], [n[1], lane.get(p[0])], [n[1], lane.get(n[0])]] };
    });
    const maxNode = T.reduce((m, n) => Math.max(m, n[3]), 0) || 1;
    const maxGen = T.reduce((m, n) => Math.max(m, n[2]), 0);
    const s = section("Cascade tree", "Each liquidation at its first step's time and its generation (0: set off by flow, the index or a shock), area proportional to its value, joined by an elbow to the liquidation whose fill set it off. " + T.length + " liquidations, " + edges.length + " links, " + (maxGen + 1) + " generations.");
    timeChart(s, base({
      legend: { top: 4 },
      tooltip: { trigger: "item", confine: true, formatter: (p) => {
        if (p.seriesType !== "scatter") return "";
        const n = p.data.node;
        return "liquidation " + n[0] + " (" + n[4] + ")<br>t = " + exact(n[1]) + " s (" + clock(n[1]) + ")<br>generation " + n[2] + "<br>value " + exact(n[3]) + " quote<br>" + (n[5] === null ? "root" : "set off by liquidation " + n[5]);
      } },
      yAxis: { type: "value", name: "generation", nameLocation: "start", min: -0.4, max: maxGen + 0.4, inverse: true,
        axisLabel: { customValues: [...Array(maxGen + 1).keys()], formatter: (v) => "gen " + Math.round(v) }, axisTick: { customValues: [...Array(maxGen + 1).keys()] }, splitLine: { show: false } },
      series: [
        { name: "set off by", type: "lines", coordinateSystem: "cartesian2d", polyline: true, data: edges, lineStyle: { color: "#8a8f98", width: 1, opacity: 0.7 }, silent: true, z: 1 },
        { name: "liquidations", type: "scatter", z: 5, data: T.map((n) => ({ value: [n[1], lane.get(n[0])], node: n, itemStyle: { color: PALETTE[n[2] % PALETTE.length] } })),
          symbolSize: (v, p) => 5 + 20 * Math.sqrt(p.data.node[3] / maxNode), itemStyle: { opacity: 0.85, borderColor: "#fff", borderWidth: 0.5 } },
      ],
    }), "tall");
  }

  // 6. The insurance fund.
  if (S.insurance_fund) {
    const s = section("Insurance fund", "The fund's balance, quote currency. " + thinned);
    timeChart(s, base({ legend: { top: 4 }, tooltip: { trigger: "axis", confine: true, formatter: axisTip("quote", [["fund", "insurance_fund", PALETTE[2]]]) }, yAxis: { type: "value", name: "fund (quote)", scale: true }, series: [line("insurance fund", "insurance_fund", { color: PALETTE[2], areaStyle: { opacity: 0.12 } })] }), "small");
  }

  // 7. Every other series column (read by name, so columns added later appear here).
  if (D.other_series.length) {
    const s = section("Other series", "The other numeric columns of series.csv, one chart each. " + thinned);
    const grid = el("div", { class: "grid2" });
    s.append(grid);
    D.other_series.forEach((name, i) => {
      timeChart(grid, base({ title: { text: name, left: 10, textStyle: { fontSize: 13 } }, grid: { left: 70, right: 30, top: 40, bottom: 56 }, toolbox: { show: false }, tooltip: { trigger: "axis", confine: true, formatter: axisTip("", [[name, name, PALETTE[i % PALETTE.length]]]) }, yAxis: { type: "value", scale: true }, series: [line(name, name, { color: PALETTE[i % PALETTE.length] })] }), "small");
    });
  }
  echarts.connect(GROUP);

  // 8. Summary and manifest.
  {
    const s = section("Summary", "summary.json, every key, as written.");
    s.append(sortableTable([{ name: "key", text: true }, { name: "value" }], D.summary.map(([k, v]) => [k, typeof v === "object" && v !== null ? JSON.stringify(v) : v])));
  }
  {
    const M = D.manifest;
    const s = section("Manifest", "manifest.json: what was run and the SHA-256 of every file. This page is not listed in it (it embeds it); cascade replay verifies the files below.");
    const fields = Object.entries(M).filter(([k]) => k !== "files" && k !== "scenario").map(([k, v]) => [k, Array.isArray(v) ? v.join(" ") : v === null ? "null" : String(v)]);
    s.append(sortableTable([{ name: "field", text: true }, { name: "value", text: true }], fields));
    s.append(el("h2", { text: "Files" }));
    s.append(sortableTable([{ name: "name", text: true }, { name: "bytes" }, { name: "sha256", text: true }], M.files.map((f) => [f.name, f.bytes, f.sha256])));
    const det = el("details", {}, el("summary", { text: "Scenario as run (RON)" }), el("pre", { text: M.scenario }));
    s.append(det);
  }
  ready();
})();
