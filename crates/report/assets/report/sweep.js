// cascade report of a sweep: per metric a heatmap over the first two grid axes and the
// median with the 5–95% band along every axis; the results table (click a header to sort);
// links to the runs kept with --keep-runs.
"use strict";
(function () {
  const D = DATA;
  const incomplete = D.done < D.run_count;
  document.getElementById("subtitle").textContent =
    D.done + " of " + D.run_count + " runs recorded" + (D.failed ? ", " + D.failed + " failed" : ", none failed") +
    "; " + D.axes.length + " axes: " + D.axes.map((a) => a.path + " (" + a.labels.length + " values)").join(", ") + ". Sweep hash " + D.hash.slice(0, 16) + "…";
  if (incomplete) {
    const s = section("Incomplete sweep", "");
    s.append(el("p", { class: "warn", text: "Only " + D.done + " of the " + D.run_count + " runs are recorded (a sweep still running, a shard, or one killed before the end): every figure below is over the recorded runs only." }));
  }

  const HEADLINE = 6;
  const heat = (parent, metric, h) => {
    const ax = D.axes[h.x], ay = D.axes[h.y];
    const vals = h.cells.map((c) => c[2]);
    chart(parent, {
      title: { text: metric + ": mean", subtext: "over the replicates" + (D.axes.length > 2 ? " and the other axes" : ""), left: 10, textStyle: { fontSize: 13 } },
      grid: { left: 110, right: 100, top: 84, bottom: 56 },
      tooltip: { confine: true, formatter: (p) => ax.path + " = " + ax.labels[p.value[0]] + "<br>" + ay.path + " = " + ay.labels[p.value[1]] + "<br>" + metric + ": mean " + exact(p.value[2]) + " over " + p.value[3] + " runs" },
      xAxis: { type: "category", name: ax.path, nameLocation: "middle", nameGap: 30, data: ax.labels },
      yAxis: { type: "category", name: ay.path, data: ay.labels },
      visualMap: { min: Math.min(...vals), max: Math.max(...vals), calculable: true, right: 6, top: "middle", formatter: (v) => Number(v).toPrecision(4), inRange: { color: ["#f7fbff", "#6baed6", "#08306b"] }, dimension: 2 },
      series: [{ type: "heatmap", data: h.cells, label: { show: h.cells.length <= 64, formatter: (p) => Number(p.value[2]).toPrecision(4) } }],
    });
  };
  const band = (parent, metric, b) => {
    const ax = D.axes[b.axis];
    const rows = b.rows;
    const x = rows.map((r) => ax.labels[r[0]]);
    const few = rows.some((r) => r[4] < 20);
    chart(parent, {
      title: { text: metric + " along " + ax.path, subtext: "median, and the 5% to 95% quantiles of the runs at each value" + (few ? " (under 20 runs a value: the band is close to the range)" : ""), left: 10, textStyle: { fontSize: 13 } },
      grid: { left: 80, right: 30, top: 84, bottom: 56 },
      tooltip: { trigger: "axis", confine: true, formatter: (ps) => { const r = rows[ps[0].dataIndex]; return ax.path + " = " + ax.labels[r[0]] + "<br>median " + exact(r[2]) + "<br>5%: " + exact(r[1]) + ", 95%: " + exact(r[3]) + "<br>over " + r[4] + " runs"; } },
      xAxis: { type: "category", name: ax.path, nameLocation: "middle", nameGap: 30, data: x, boundaryGap: false },
      yAxis: { type: "value", scale: true },
      series: [
        { name: "5%", type: "line", data: rows.map((r) => r[1]), stack: "band", lineStyle: { opacity: 0 }, symbol: "none", silent: true },
        { name: "5–95%", type: "line", data: rows.map((r) => r[3] - r[1]), stack: "band", lineStyle: { opacity: 0 }, symbol: "none", areaStyle: { color: "rgba(0,114,178,0.18)" }, silent: true },
        { name: "median", type: "line", data: rows.map((r) => r[2]), color: "#0072B2", symbolSize: 6 },
      ],
    });
  };
  const drawMetric = (parent, metric) => {
    const c = D.charts[metric];
    const grid = el("div", { class: "grid2" });
    parent.append(grid);
    if (c.heatmap) heat(grid, metric, c.heatmap);
    c.bands.forEach((b) => band(grid, metric, b));
  };

  if (!D.metrics.length) section("Metrics", "No metric varies across the recorded runs: nothing to chart.");
  D.metrics.slice(0, HEADLINE).forEach((m) => drawMetric(section(m, null), m));
  if (D.metrics.length > HEADLINE) {
    const s = section("Any metric", "Choose one of the " + D.metrics.length + " metrics that vary.");
    const pick = el("select", { id: "metric" });
    D.metrics.forEach((m) => pick.append(el("option", { value: m, text: m })));
    const holder = el("div");
    s.append(el("div", { class: "controls" }, pick), holder);
    const show = () => {
      holder.querySelectorAll(".chart").forEach((d) => {
        const i = CHARTS.findIndex((h) => h.div === d);
        LAZY.unobserve(d);
        if (CHARTS[i].chart) CHARTS[i].chart.dispose();
        CHARTS.splice(i, 1);
      });
      holder.replaceChildren();
      drawMetric(holder, pick.value);
    };
    pick.value = D.metrics[HEADLINE];
    pick.onchange = show;
    show();
  }

  {
    const s = section("Runs", "results: one row per recorded run (click a header to sort). Kept runs (--keep-runs) link to their folder, or to their report when `cascade report` has written one.");
    if (D.table_left_out) s.append(el("p", { class: "warn", text: "The table lists the first " + D.runs.length + " runs; " + D.table_left_out + " more are in results.csv (the charts above count every run)." }));
    const cols = [{ name: "point" }, { name: "replicate" }, { name: "seed" }]
      .concat(D.axes.map((a) => ({ name: a.path, text: true })))
      .concat([{ name: "status", text: true }, { name: "run", text: true }, { name: "error", text: true }])
      .concat(D.columns.map((c) => ({ name: c })));
    const rows = D.runs.map((r) => {
      const link = r.report || r.kept;
      const cell = link ? el("a", { href: link, text: r.report ? "report" : "folder" }) : "";
      return [r.point, r.replicate, r.seed].concat(r.values, [r.status, cell, r.error], r.metrics);
    });
    s.append(sortableTable(cols, rows, (row) => (row[3 + D.axes.length] === "failed" ? "failed" : "")));
  }
  ready();
})();
