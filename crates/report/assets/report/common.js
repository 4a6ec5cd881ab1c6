// cascade report: what the run and sweep pages share. DATA is the JSON the binary embedded.
"use strict";
const DATA = JSON.parse(document.getElementById("report-data").textContent);
// Okabe-Ito, a colour-blind-safe palette.
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];
const CHARTS = [];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// A titled section appended to the page; returns it.
function section(title, note) {
  const s = el("section", {}, el("h2", { text: title }));
  if (note) s.append(el("p", { class: "note", text: note }));
  document.getElementById("report").append(s);
  return s;
}

// A chart in a new div of `cls` inside `parent`, drawn when it comes near the viewport (so a
// long page becomes interactive after drawing what is on screen). Returns a handle whose
// `chart` is the ECharts instance once drawn; `onDraw(chart)` runs right after drawing.
function chart(parent, option, cls, onDraw) {
  const div = el("div", { class: "chart " + (cls || "") });
  parent.append(div);
  const handle = { div, chart: null, option, onDraw };
  CHARTS.push(handle);
  LAZY.observe(div);
  return handle;
}
function draw(handle) {
  if (handle.chart) return;
  LAZY.unobserve(handle.div);
  const c = echarts.init(handle.div, null, { renderer: "canvas" });
  c.setOption(Object.assign({ animation: false, color: PALETTE }, handle.option));
  handle.chart = c;
  if (handle.onDraw) handle.onDraw(c);
}
const LAZY = new IntersectionObserver((entries) => {
  for (const e of entries) if (e.isIntersecting) draw(CHARTS.find((h) => h.div === e.target));
}, { rootMargin: "400px 0px" });
// Every chart drawn at once (for printing, or a test that inspects them all).
function drawAll() { CHARTS.forEach(draw); }
window.cascadeDrawAll = drawAll;
window.addEventListener("beforeprint", drawAll);
window.addEventListener("resize", () => CHARTS.forEach((h) => h.chart && h.chart.resize()));

// Exact number as stored (no rounding); null as an empty cell.
function exact(v) { return v === null || v === undefined ? "" : String(v); }

// Seconds as h:mm:ss / m:ss, with tenths when the value has them.
function clock(s) {
  const neg = s < 0; s = Math.abs(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const ss = (Number.isInteger(sec) ? String(sec) : sec.toFixed(1)).padStart(sec < 10 ? (Number.isInteger(sec) ? 2 : 4) : 0, "0");
  return (neg ? "-" : "") + (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + ss;
}

// A table whose columns sort on a click (numbers as numbers, empty cells last).
function sortableTable(columns, rows, rowClass) {
  const table = el("table");
  const head = el("tr");
  const body = el("tbody");
  let order = rows.map((_, i) => i), sorted = -1, asc = true;
  const draw = () => {
    body.replaceChildren(...order.map((i) => {
      const tr = el("tr", { class: rowClass ? rowClass(rows[i]) : "" });
      columns.forEach((c, j) => {
        const v = rows[i][j];
        const td = el("td", { class: c.text ? "text" : "" });
        if (v instanceof Node) td.append(v); else td.textContent = exact(v);
        tr.append(td);
      });
      return tr;
    }));
  };
  columns.forEach((c, j) => {
    const th = el("th", { class: c.text ? "text" : "", text: c.name, title: "sort by " + c.name });
    th.addEventListener("click", () => {
      asc = sorted === j ? !asc : true; sorted = j;
      const key = (i) => { const v = rows[i][j]; return v instanceof Node ? v.textContent : v; };
      order.sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === null || x === "" || x === undefined) return 1;
        if (y === null || y === "" || y === undefined) return -1;
        const r = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
        return asc ? r : -r;
      });
      head.querySelectorAll("th").forEach((h) => h.classList.remove("sorted-asc", "sorted-desc"));
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      draw();
    });
    head.append(th);
  });
  table.append(el("thead", {}, head), body);
  draw();
  return el("div", { class: "table-wrap" }, table);
}

// Tells a test (and a person) that every chart has been drawn: ECharts paints in the frame
// after setOption, so two frames later every canvas holds its picture.
function ready() {
  // What is on screen (and just below) now is drawn before the page says it is ready.
  const bottom = window.innerHeight + 400;
  CHARTS.filter((h) => h.div.getBoundingClientRect().top < bottom).forEach(draw);
  requestAnimationFrame(() => requestAnimationFrame(() => {
    performance.mark("cascade-ready");
    document.body.dataset.ready = "true";
  }));
}
