// "/compare?slugs=a,b,c": several trends' series on one chart and one scale, with their
// growth side by side.

import { ApiError, query } from "./api.js";
import { lineChart } from "./chart.js";
import { h, replace } from "./dom.js";
import { REGIONS, SOURCES, WINDOWS, percent, regionName, trend as direction } from "./format.js";

const MAX = 20; // compareTrends answers at most 20

function slugsOf(text) {
  return [...new Set(text.split(/[\s,]+/).map((slug) => slug.trim().toLowerCase()).filter(Boolean))].slice(0, MAX);
}

const SCALES = [
  ["JOINT_INDEX", "Joint index (largest value of all = 100)"],
  ["ABSOLUTE", "Absolute (values as measured)"],
];

function choice(name, label, options, value) {
  const id = `compare-${name}`;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("select", { id, name }, options.map(([key, text]) => h("option", { value: key, selected: key === value }, text))));
}

export function render(main) {
  const params = new URLSearchParams(location.search);
  const slugs = slugsOf(params.get("slugs") ?? "");
  const source = SOURCES.includes(params.get("source")) ? params.get("source") : "search-interest";
  const region = REGIONS.some(([key]) => key === params.get("region")) ? params.get("region") : "WORLD";
  const scale = SCALES.some(([key]) => key === params.get("scale")) ? params.get("scale") : "JOINT_INDEX";
  const input = h("input", { id: "compare-slugs", name: "slugs", value: slugs.join(", "), autocomplete: "off", "aria-describedby": "compare-hint" });
  const form = h("form", { class: "controls compare-form", action: "/compare" },
    h("div", { class: "field grow" },
      h("label", { for: "compare-slugs" }, "Trends to compare"),
      input,
      h("p", { id: "compare-hint", class: "hint" }, `Slugs separated by commas, up to ${MAX}, e.g. asyncio, fastapi`)),
    choice("source", "Signal", SOURCES.map((s) => [s, s]), source),
    choice("region", "Region", REGIONS, region),
    choice("scale", "Scale", SCALES, scale),
    h("button", { type: "submit" }, "Compare"));
  const result = h("div", { class: "compare", "aria-live": "polite" });
  replace(main, h("h1", {}, "Compare trends"), form, result);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = slugsOf(input.value);
    const next = new URLSearchParams();
    if (chosen.length) next.set("slugs", chosen.join(","));
    for (const name of ["source", "region", "scale"]) next.set(name, form.elements[name].value);
    history.pushState(null, "", `/compare?${next.toString().replaceAll("%2C", ",")}`);
    dispatchEvent(new PopStateEvent("popstate"));
  });
  if (!slugs.length) return () => {};
  const controller = new AbortController();
  replace(result, h("p", { class: "muted" }, "Loading…"));
  query("CompareTrends", { slugs, source, region, scale }, { signal: controller.signal })
    .then((data) => {
      const found = data.compareTrends.filter(Boolean);
      const missing = slugs.filter((_, i) => !data.compareTrends[i]);
      document.title = `${found.map((t) => t.name).join(" vs ")} · trendgraph`;
      const labels = WINDOWS.filter((w) => found.some((t) => t.growth.some((g) => g.label === w.label)));
      replace(result,
        missing.length ? h("p", { class: "notice" }, `No trend called ${missing.map((slug) => `“${slug}”`).join(", ")}.`) : null,
        lineChart(found.map((t) => ({ name: t.name, points: t.compared?.points ?? [] })), {
          title: `${source}, ${regionName(region)}, on one scale`,
          unit: scale === "JOINT_INDEX" ? "joint index: the largest value of all is 100" : "values as measured",
        }),
        found.some((t) => !t.compared) ? h("p", { class: "muted" }, `No ${source} signal in ${regionName(region)} for ${found.filter((t) => !t.compared).map((t) => t.name).join(", ")}.`) : null,
        found.length ? h("div", { class: "table-wrap" }, h("table", { class: "board" },
          h("caption", {}, "Growth per window"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Trend"), labels.map((w) => h("th", { scope: "col", class: "num" }, w.label)))),
          h("tbody", {}, found.map((t) => h("tr", {},
            h("th", { scope: "row" }, h("a", { href: `/trends/${encodeURIComponent(t.slug)}` }, t.name)),
            labels.map((w) => {
              const g = t.growth.find((one) => one.label === w.label);
              return h("td", { class: `num growth ${g ? direction(g.percent) : ""}` }, g ? percent(g.percent) : "n/a");
            })))))) : null);
    })
    .catch((error) => {
      if (error.name === "AbortError") return;
      replace(result, h("p", { class: "notice" }, `Could not compare: ${error instanceof ApiError ? error.message : "the API did not answer"}.`));
    });
  return () => controller.abort();
}
