// Opens cascade's report.html in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) and fails on a console error, an uncaught exception, a chart canvas that is
// blank or has no data, or any request leaving the file. Also measures the time to interactive
// of a 24-hour run's report (must be under 3 s) and, with SCREENSHOTS=DIR, saves screenshots.
//
// Environment: CASCADE (the binary; default target/debug/cascade), CHROMIUM (default
// /usr/bin/chromium), SCREENSHOTS (a folder, optional).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CASCADE = resolve(ROOT, process.env.CASCADE || "target/debug/cascade");
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const TTI_LIMIT_MS = 3000;

let browser, scratch;

function cascade(...args) {
  return execFileSync(CASCADE, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "cascade-browser-"));
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: FLAGS });
});

after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

// Opens a report; returns what the page did. Every request that is not the file itself (or a
// data: URL inside it) is recorded and aborted.
async function open(file) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const problems = [];
  const outside = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  page.on("pageerror", (e) => problems.push("exception: " + e.message));
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url || u.startsWith("data:")) return route.continue();
    outside.push(u);
    return route.abort();
  });
  page.on("request", (r) => { const u = r.url(); if (u !== url && !u.startsWith("data:") && !outside.includes(u)) outside.push(u); });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  const tti = await page.evaluate(() => performance.getEntriesByName("cascade-ready")[0]?.startTime ?? performance.now());
  return { context, page, problems, outside, tti };
}

// Every chart: a canvas with more than one colour on it and at least one series with data.
// Charts are drawn as they come near the viewport, so the page is scrolled through first.
async function chartHealth(page) {
  const n = await page.locator("div.chart").count();
  for (let i = 0; i < n; i++) {
    await page.locator("div.chart").nth(i).scrollIntoViewIfNeeded();
    await page.waitForFunction((k) => document.querySelectorAll("div.chart")[k].querySelector("canvas"), i, { timeout: 10000 });
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(() => [...document.querySelectorAll("div.chart")].map((div, i) => {
    const chart = echarts.getInstanceByDom(div);
    const series = chart ? chart.getOption().series : [];
    const points = series.reduce((n, s) => n + (Array.isArray(s.data) ? s.data.length : 0), 0);
    const canvas = div.querySelector("canvas");
    let colours = 0, inked = 0;
    if (canvas && canvas.width && canvas.height) {
      // Read through a copy, so the chart's own canvas is never read back.
      const copy = document.createElement("canvas");
      copy.width = canvas.width; copy.height = canvas.height;
      const ctx = copy.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(canvas, 0, 0);
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const seen = new Set();
      for (let k = 0; k < px.length; k += 4 * 7) {
        const c = (px[k] << 16) | (px[k + 1] << 8) | px[k + 2] | (px[k + 3] === 0 ? 1 << 24 : 0);
        seen.add(c);
        if (px[k + 3] !== 0 && !(px[k] > 245 && px[k + 1] > 245 && px[k + 2] > 245)) inked++;
      }
      colours = seen.size;
    }
    const title = div.closest("section")?.querySelector("h2")?.textContent ?? "";
    return { i, title, points, colours, inked, w: canvas?.width ?? 0 };
  }));
}

function assertHealthy(name, r, health) {
  assert.deepEqual(r.problems, [], name + ": console errors or exceptions");
  assert.deepEqual(r.outside, [], name + ": requests leaving the file");
  assert.ok(health.length > 0, name + ": no chart");
  for (const h of health) {
    assert.ok(h.w > 0, `${name}: chart ${h.i} (${h.title}) has no canvas`);
    assert.ok(h.points > 0, `${name}: chart ${h.i} (${h.title}) has no data`);
    assert.ok(h.colours > 3 && h.inked > 200, `${name}: chart ${h.i} (${h.title}) is blank (${h.colours} colours, ${h.inked} inked samples)`);
  }
}

async function screenshot(page, name) {
  if (!process.env.SCREENSHOTS) return;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(process.env.SCREENSHOTS, name), fullPage: true, clip: { x: 0, y: 0, width: 1400, height: 1500 } });
}

test("flash-cascade's report: charts drawn, no error, nothing fetched, zoom and hover work", async () => {
  const dir = join(scratch, "flash");
  cascade("run", "scenarios/flash-cascade.ron", "--out", dir, "--no-charts", "--report");
  const file = join(dir, "report.html");
  assert.ok(statSync(file).size < 5e6, "flash-cascade's report is under 5 MB");
  const r = await open(file);
  await screenshot(r.page, "report-flash-cascade.png");
  // Every time chart shares the zoom: it opens on the cascade window, "Whole run" shows the
  // whole run on every chart, those drawn later (below the fold) included.
  const ranges = () => r.page.evaluate(() => [...document.querySelectorAll("div.chart")]
    .map((d) => echarts.getInstanceByDom(d)?.getOption().dataZoom?.[0])
    .filter(Boolean).map((z) => [Math.round(z.start * 180) / 10, Math.round(z.end * 180) / 10]));
  const [first] = await ranges();
  assert.ok(first[0] > 0 && first[1] < 1800, `opens on the cascade window, got ${first}`);
  await r.page.click("#zoom-whole");
  const health = await chartHealth(r.page);
  assertHealthy("flash-cascade", r, health);
  const titles = new Set(health.map((h) => h.title));
  for (const t of ["Price", "Liquidations", "Spread and depth", "Order book", "Cascade tree", "Insurance fund"]) {
    assert.ok(titles.has(t), "flash-cascade's report has a " + t + " chart");
  }
  const whole = await ranges();
  assert.ok(whole.length >= 7, "every time chart drawn");
  for (const z of whole) assert.deepEqual(z, [0, 1800], "the whole run is one click away, on every chart");
  await r.page.click("#zoom-window");
  for (const z of await ranges()) assert.deepEqual(z, first, "back to the cascade window on every chart");
  // Hover over the price chart: the tooltip shows exact values.
  await r.page.locator("div.chart").first().scrollIntoViewIfNeeded();
  const box = await r.page.locator("div.chart").first().boundingBox();
  await r.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await r.page.waitForFunction(() => [...document.querySelectorAll("div")].some((d) => d.style.display !== "none" && /t = [0-9.]+ s/.test(d.textContent) && /mid: [0-9.]+/.test(d.textContent)), null, { timeout: 5000 });
  await r.page.mouse.move(0, 0);
  await r.context.close();
});

test("the smoke sweep's report: heatmaps, bands and a table that sorts", async () => {
  const dir = join(scratch, "smoke");
  cascade("sweep", "scenarios/sweeps/smoke.ron", "--out", dir, "--threads", "2");
  cascade("report", dir);
  const r = await open(join(dir, "report.html"));
  const health = await chartHealth(r.page);
  assertHealthy("smoke sweep", r, health);
  await screenshot(r.page, "report-smoke-sweep.png");
  const kinds = await r.page.evaluate(() => [...document.querySelectorAll("div.chart")].map((d) => echarts.getInstanceByDom(d).getOption().series[0].type));
  assert.ok(kinds.includes("heatmap") && kinds.includes("line"), "heatmaps and bands: " + kinds);
  // Sorting by seed puts the rows in seed order.
  const rows = await r.page.locator("section:last-of-type tbody tr").count();
  assert.equal(rows, 36);
  await r.page.click("section:last-of-type th:has-text('seed')");
  const seeds = await r.page.evaluate(() => [...document.querySelectorAll("section:last-of-type tbody tr")].map((tr) => BigInt(tr.children[2].textContent)));
  assert.deepEqual(seeds, [...seeds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  // Any other metric is one choice away: its charts replace the previous one's.
  const options = await r.page.locator("#metric option").allTextContents();
  assert.ok(options.length > 1, "a choice of metrics");
  await r.page.selectOption("#metric", options[options.length - 1]);
  const again = await chartHealth(r.page);
  assertHealthy("smoke sweep, another metric", r, again);
  assert.equal(again.length, health.length, "the chosen metric's charts replace the others");
  const chosen = await r.page.evaluate(() => [...document.querySelectorAll("div.chart")].map((d) => echarts.getInstanceByDom(d).getOption().title?.[0]?.text ?? ""));
  assert.ok(chosen.some((t) => t.startsWith(options[options.length - 1])), "charts of the chosen metric");
  await r.context.close();
});

test("a 24-hour run's report is interactive in under 3 s", async () => {
  const dir = join(scratch, "day");
  // baseline for 24 hours (86,400 samples) with 50 noise traders instead of 200, so the run
  // takes seconds in a debug build: the page draws the samples and the book, not the trades.
  cascade("run", "scenarios/baseline.ron", "--out", dir, "--no-charts", "--set", "duration_s=86400",
    "--set", "agents.noise.count=50", "--report");
  const file = join(dir, "report.html");
  const r = await open(file);
  const health = await chartHealth(r.page);
  assertHealthy("24-hour run", r, health);
  const mb = statSync(file).size / 1e6;
  console.log(`time to interactive, 24-hour baseline report (${mb.toFixed(1)} MB, ${health.length} charts): ${r.tti.toFixed(0)} ms`);
  assert.ok(r.tti < TTI_LIMIT_MS, `time to interactive ${r.tti.toFixed(0)} ms`);
  await r.context.close();
});
