// "/trends/<slug>": the trend page of the seed (name, About, growth per window, the four
// analyses in the seed's wording), each signal's chart with its forecast (or why there is
// none), related trends and why; it re-renders in place when trendChanged reports a write
// to the trend.

import { ApiError, query } from "./api.js";
import { lineChart } from "./chart.js";
import { h, replace } from "./dom.js";
import { compact, count, day, isSynthetic, percent, regionName, statusName, trend as direction } from "./format.js";
import { subscribe } from "./live.js";

// The seed page's headings and labels, word for word (tests/data/asyncio-trend-page.txt).
const ANALYSES = [
  {
    key: "decomposition",
    heading: "Trend Decomposition",
    fields: [["trigger", "Trigger"], ["behaviorChange", "Behavior change"], ["enabler", "Enabler"], ["constraintRemoved", "Constraint removed"]],
  },
  {
    key: "pestle",
    heading: "PESTLE Analysis",
    fields: [["political", "Political"], ["economic", "Economic"], ["social", "Social"], ["technological", "Technological"], ["legal", "Legal"], ["environmental", "Environmental"]],
  },
  {
    key: "jobsToBeDone",
    heading: "Jobs to be done framework",
    questions: true,
    fields: [["problem", "What problem does this trend help solve?"], ["priorWorkaround", "What workaround existed before?"], ["keyOutcome", "What outcome matters most?"]],
  },
  {
    key: "consumerTrendCanvas",
    heading: "Consumer Trend canvas",
    fields: [["basicNeed", "Basic Need"], ["driversOfChange", "Drivers of Change"], ["emergingConsumerNeeds", "Emerging Consumer Needs"], ["newConsumerExpectations", "New Consumer Expectations"], ["inspirationsSignals", "Inspirations / Signals"], ["innovationsEmerging", "Innovations Emerging"]],
  },
];

function section(id, heading, ...content) {
  return h("section", { "aria-labelledby": id }, h("h2", { id }, heading), ...content);
}

function analysis(spec, value) {
  const id = `analysis-${spec.key}`;
  if (!value) return section(id, spec.heading, h("p", { class: "muted" }, "Not analysed yet."));
  const body = spec.questions
    ? spec.fields.map(([field, question]) => [h("h3", {}, question), h("p", {}, value[field])])
    : spec.fields.map(([field, label]) => h("p", {}, h("strong", {}, `${label}:`), " ", value[field]));
  const provenance = [`Source: ${value.source}`, value.generatedAt ? `, ${day(value.generatedAt)}` : ""].join("");
  return section(id, spec.heading, body, h("p", { class: "provenance" }, provenance));
}

/** One chart per signal, with its forecast band where the API has one. */
function signalFigure(signal) {
  const name = `${signal.source}, ${regionName(signal.region)}`;
  const unit = signal.unit === "COUNT" ? "count per period" : "index, 0-100";
  const band = signal.forecast?.points ?? [];
  const facts = [
    signal.latest ? `Latest: ${signal.unit === "COUNT" ? count(signal.latest.value) : signal.latest.value} on ${day(signal.latest.date)}` : null,
    signal.granularity ? signal.granularity.toLowerCase() : null,
    ...signal.growth.map((g) => `${g.label} ${percent(g.percent)}`),
  ].filter(Boolean);
  return h("div", { class: "signal" },
    h("h3", {}, name),
    lineChart([{ name, points: signal.series, band }], { title: name, unit }),
    h("p", { class: "provenance" }, facts.join(" · ")),
    signal.forecast ? forecastNote(signal.forecast) : unavailableNote(signal.forecastUnavailable));
}

const OUTLOOKS = { RISING: "Rising", STEADY: "Steady", FALLING: "Falling" };
const METHODS = { AUTO_ETS: "AutoETS" };

/** The forecast in words: where it heads, how sure, and how it did on the series' own past. */
function forecastNote(forecast) {
  const { backtest } = forecast;
  const growth = forecast.growthPercent === null ? "" : ` (${percent(forecast.growthPercent)} over ${forecast.horizonMonths} months)`;
  return h("div", { class: "forecast" },
    h("p", {},
      h("strong", {}, `Outlook: ${OUTLOOKS[forecast.outlook] ?? forecast.outlook}`), growth,
      `, confidence ${forecast.confidence.toLowerCase()}.`,
      forecast.stale ? [" ", h("span", { class: "badge stale", title: "The series changed since this forecast; a new one is being computed" }, "Stale")] : null),
    h("p", { class: "provenance" },
      `Forecast ${METHODS[forecast.method] ?? forecast.method}, ${forecast.horizonMonths} months ahead, computed ${day(forecast.generatedAt)}. `,
      `Backtest MASE ${backtest.mase.toFixed(2)} over ${backtest.origins} origins; 80% band held ${Math.round(backtest.coverage80)}%.`,
      forecast.stale ? " Stale: the series changed since; a new forecast is being computed." : ""));
}

/** Why there is no forecast band, in the API's words. */
function unavailableNote(unavailable) {
  if (!unavailable) return null;
  const lead = unavailable.reason === "NOT_COMPUTED" ? "Forecast pending" : "No forecast";
  return h("p", { class: "forecast muted" }, `${lead}: ${unavailable.message}.`);
}

const REASONS = {
  EXPLICIT: () => "linked by the trend's editors",
  CO_MOVEMENT: (edge) => `its growth moved together with this trend's over the last year (correlation ${edge.strength.toFixed(2)})`,
  SHARED_TAGS: (edge, trend) => {
    const shared = edge.node.tags.filter((tag) => trend.tags.includes(tag));
    return `shares ${shared.length === 1 ? "the tag" : "the tags"} ${shared.join(", ")} (${Math.round(edge.strength * 100)}% of this trend's tags)`;
  },
};

function why(trend, edge) {
  return (REASONS[edge.reason] ?? (() => edge.reason.toLowerCase()))(edge, trend);
}

function growthList(trend) {
  if (!trend.growth.length) return h("p", { class: "muted" }, "No growth figures yet.");
  return h("ul", { class: "growth-windows" }, trend.growth.map((window) =>
    h("li", { class: direction(window.percent) },
      h("span", { class: "window" }, window.label), " ",
      h("span", { class: "pct" }, percent(window.percent)))));
}

function page(trend) {
  const synthetic = Object.values(trend.analyses).some((one) => isSynthetic(one?.source));
  const methods = [...new Set(trend.growth.map((window) => window.method))];
  const related = trend.relatedEdges;
  return h("article", { class: "trend" },
    h("nav", { "aria-label": "Breadcrumb", class: "crumbs" },
      h("a", { href: "/" }, "Leaderboard"),
      trend.category ? [" › ", h("a", { href: `/?category=${encodeURIComponent(trend.category.slug)}` }, trend.category.name)] : null),
    h("div", { class: "title" },
      h("h1", { tabindex: "-1" }, trend.name),
      h("span", { class: `status ${(trend.status ?? "none").toLowerCase()}` }, statusName(trend.status)),
      synthetic ? h("span", { class: "badge synthetic", title: "Generated by seeds.synthetic for demos and load tests" }, "Synthetic data") : null),
    synthetic ? h("p", { class: "note" }, "This trend and its figures are synthetic: generated for demos, not measured.") : null,
    trend.aliases.length ? h("p", { class: "aliases" }, `Also known as ${trend.aliases.join(", ")}`) : null,
    section("growth-heading", "Growth", growthList(trend),
      trend.volume !== null && trend.volume !== undefined ? h("p", { class: "volume" }, `Volume: ${compact(trend.volume)} in the latest period`) : null,
      methods.length ? h("p", { class: "provenance" }, methods.includes("REPORTED") ? "Figures as reported by the source." : "Computed from the series (monthly means).") : null),
    section("about-heading", `About ${trend.name}`,
      h("p", { class: "about" }, trend.description ?? "No description yet."),
      trend.tags.length ? h("ul", { class: "tags", "aria-label": "Tags" }, trend.tags.map((tag) => h("li", {}, tag))) : null),
    section("signals-heading", "Signals",
      trend.signals.length
        ? trend.signals.map(signalFigure)
        : [h("p", { class: "muted" }, "No time series for this trend yet: its growth figures are reported, not measured here."), unavailableNote(trend.forecastUnavailable)]),
    ANALYSES.map((spec) => analysis(spec, trend.analyses[spec.key])),
    section("related-heading", "Related trends",
      related.length
        ? [h("ul", { class: "related" }, related.map((edge) => h("li", {},
            h("a", { href: `/trends/${encodeURIComponent(edge.node.slug)}` }, edge.node.name),
            edge.node.growth.length ? h("span", { class: "muted" }, ` ${edge.node.growth.at(-1).label} ${percent(edge.node.growth.at(-1).percent)}`) : null,
            h("span", { class: "why" }, `Why: ${why(trend, edge)}`)))),
           h("p", {}, h("a", { href: `/compare?slugs=${[trend.slug, ...related.slice(0, 4).map((edge) => edge.node.slug)].map(encodeURIComponent).join(",")}` }, "Compare with related trends"))]
        : h("p", { class: "muted" }, "No related trends yet.")),
    h("p", { class: "provenance" }, `Version ${trend.version}, updated ${day(trend.updatedAt)}.`));
}

export function render(main, { slug }) {
  let unsubscribe = () => {};
  const notice = h("p", { class: "notice", role: "status", "aria-live": "polite" });
  replace(main, h("p", { class: "muted" }, "Loading…"));
  const show = (trend) => {
    document.title = `${trend.name} · trendgraph`;
    replace(main, notice, page(trend));
  };
  query("TrendPage", { slug })
    .then((data) => {
      const trend = data.trend;
      if (!trend) {
        document.title = "Not found · trendgraph";
        replace(main, h("h1", {}, "No such trend"), h("p", {}, `No trend is called “${slug}”. `, h("a", { href: `/?q=${encodeURIComponent(slug)}` }, "Search for it")));
        return;
      }
      show(trend);
      main.querySelector("h1")?.focus({ preventScroll: true });
      unsubscribe = subscribe("TrendPageChanged", { slug: trend.slug }, ({ data: live }) => {
        const change = live?.trendChanged;
        if (!change) return;
        if (change.kind === "DELETED" || !change.trend) {
          notice.textContent = "This trend has just been deleted.";
          return;
        }
        show(change.trend);
        notice.textContent = `Updated live at ${new Date().toLocaleTimeString("en")}.`;
      });
    })
    .catch((error) => {
      replace(main, h("h1", {}, "Could not load the trend"), h("p", {}, error instanceof ApiError ? error.message : "The API did not answer."));
    });
  return () => unsubscribe();
}
