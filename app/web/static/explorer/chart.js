// Small inline-SVG charts: a sparkline for table rows and a line chart with optional
// forecast bands. No library: a few hundred bytes of geometry beat a charting bundle.

import { h, s } from "./dom.js";
import { day } from "./format.js";

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };
export const PALETTE = ["#1f5fbf", "#b2461d", "#2d7a3e", "#7a3fa6", "#8a6d00", "#0f7c86"];
const DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4"];

/** A sparkline of `values` (oldest first), described for screen readers by `label`. */
export function sparkline(values, label, { width = 120, height = 28 } = {}) {
  if (!values.length) return h("span", { class: "muted" }, "no series");
  const max = Math.max(...values) || 1;
  const min = Math.min(...values);
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 2) / (values.length - 1) : 0;
  const path = values
    .map((value, i) => `${i ? "L" : "M"}${(1 + i * step).toFixed(1)} ${(height - 2 - ((value - min) / span) * (height - 4)).toFixed(1)}`)
    .join("");
  return s(
    "svg",
    { class: "spark", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label },
    s("path", { d: path, fill: "none", stroke: "currentColor", "stroke-width": 1.5 }),
  );
}

function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  // Fine steps: a band reaching 110 on an index chart should not double the scale to 200.
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * magnitude).find((m) => m >= value);
}

/**
 * A line chart of several series on one scale.
 * series: [{name, points: [{date, value}], band: [{date, lower80, upper80, lower95, upper95}]}]
 */
export function lineChart(series, { title, unit = "value" } = {}) {
  const drawn = series.filter((one) => one.points.length || one.band?.length);
  if (!drawn.length) return h("p", { class: "muted" }, "No series to chart yet.");
  const times = drawn.flatMap((one) => [...one.points, ...(one.band ?? [])].map((p) => Date.parse(p.date)));
  const values = drawn.flatMap((one) => [...one.points.map((p) => p.value), ...(one.band ?? []).map((p) => p.upper95 ?? p.upper80)]);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const top = niceMax(Math.max(...values));
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (v) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (points, key = "value") =>
    points.map((p, i) => `${i ? "L" : "M"}${x(Date.parse(p.date)).toFixed(1)} ${y(p[key]).toFixed(1)}`).join("");
  const area = (band, low, high) =>
    `${line(band, high)}L${[...band].reverse().map((p) => `${x(Date.parse(p.date)).toFixed(1)} ${y(p[low]).toFixed(1)}`).join("L")}Z`;

  const grid = [0, top / 2, top].map((v) =>
    s("g", {},
      s("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "grid" }),
      s("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, v.toLocaleString("en"))));
  const ticks = [t0, (t0 + t1) / 2, t1].map((t, i) =>
    s("text", { x: x(t), y: HEIGHT - 8, "text-anchor": ["start", "middle", "end"][i] },
      new Date(t).toLocaleDateString("en", { year: "numeric", month: "short" })));
  const shapes = drawn.map((one, i) => {
    const color = PALETTE[i % PALETTE.length];
    const band = one.band ?? [];
    // The forecast line starts at the last observed point, so the two read as one path.
    const ahead = one.points.length ? [one.points.at(-1), ...band] : band;
    return s("g", { class: "series" },
      band.length && band[0].lower95 !== undefined ? s("path", { class: "band-95", d: area(band, "lower95", "upper95"), fill: color, opacity: 0.12 }) : null,
      band.length ? s("path", { class: "band-80", d: area(band, "lower80", "upper80"), fill: color, opacity: 0.22 }) : null,
      band.length ? s("path", { class: "forecast-line", d: line(ahead), fill: "none", stroke: color, "stroke-width": 2, "stroke-dasharray": "4 3" }) : null,
      one.points.length ? s("path", { d: line(one.points), fill: "none", stroke: color, "stroke-width": 2, "stroke-dasharray": DASHES[i % DASHES.length] }) : null);
  });
  const description = drawn.map(describe).join(" ");
  return h("figure", { class: "chart" },
    s("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": `${title ?? "Chart"}. ${description}` }, grid, ticks, shapes),
    h("figcaption", {},
      title ? h("span", { class: "chart-title" }, title, ` (${unit})`) : null,
      h("ul", { class: "legend" }, drawn.map((one, i) =>
        h("li", {}, s("svg", { width: 22, height: 10, "aria-hidden": "true" },
          s("line", { x1: 0, x2: 22, y1: 5, y2: 5, stroke: PALETTE[i % PALETTE.length], "stroke-width": 3, "stroke-dasharray": DASHES[i % DASHES.length] })),
          one.name, one.band?.length ? " (shaded: forecast 80% and 95% bands)" : "")))));
}

function describe(one) {
  const points = one.points;
  const band = one.band ?? [];
  const end = band.at(-1);
  const ahead = end ? ` Forecast: ${round(end.value)} by ${day(end.date)}, 80% band ${round(end.lower80)} to ${round(end.upper80)}.` : "";
  if (!points.length) return `${one.name}: forecast only.${ahead}`;
  const first = points[0];
  const last = points[points.length - 1];
  const peak = points.reduce((best, p) => (p.value > best.value ? p : best), first);
  return `${one.name}: ${first.value} on ${day(first.date)}, ${last.value} on ${day(last.date)}, peak ${peak.value} on ${day(peak.date)}.${ahead}`;
}

function round(value) {
  return Math.round(value).toLocaleString("en");
}
