// The alert rules part of "/watchlists": the key's rules with their latest deliveries, and
// a form for a new one whose fields follow the kind of condition chosen.

import { h } from "./dom.js";
import { STATUSES, WINDOWS, day, windowFor } from "./format.js";

const KINDS = [
  ["GROWTH_ABOVE", "Growth rises above"],
  ["GROWTH_BELOW", "Growth falls below"],
  ["STATUS_BECOMES", "Status becomes"],
  ["OUTLOOK_BECOMES", "Forecast outlook becomes"],
  ["NEW_TREND_IN_CATEGORY", "A new trend appears in the category"],
];
const OUTLOOKS = [["RISING", "Rising"], ["STEADY", "Steady"], ["FALLING", "Falling"]];
/** Which condition fields each kind takes. */
const NEEDS = {
  GROWTH_ABOVE: ["window", "threshold"],
  GROWTH_BELOW: ["window", "threshold"],
  STATUS_BECOMES: ["status"],
  OUTLOOK_BECOMES: ["outlook"],
  NEW_TREND_IN_CATEGORY: [],
};

function describe(rule, watchlists) {
  const { kind, window, threshold, status, outlook } = rule.condition;
  const target = rule.target.watchlistId
    ? `watchlist ${watchlists.find((list) => list.id === rule.target.watchlistId)?.name ?? rule.target.watchlistId}`
    : rule.target.slug ? `trend ${rule.target.slug}` : `category ${rule.target.category}`;
  const when = {
    GROWTH_ABOVE: () => `growth over ${windowFor(window).label} rises above ${threshold}%`,
    GROWTH_BELOW: () => `growth over ${windowFor(window).label} falls below ${threshold}%`,
    STATUS_BECOMES: () => `the status becomes ${status?.toLowerCase()}`,
    OUTLOOK_BECOMES: () => `the forecast outlook becomes ${outlook?.toLowerCase()}`,
    NEW_TREND_IN_CATEGORY: () => "a new trend appears",
  }[kind]?.() ?? kind;
  return `For the ${target}: when ${when}, POST to ${rule.webhookUrl}.`;
}

function field(id, label, control, hint) {
  return h("div", { class: "field", "data-field": id },
    h("label", { for: `rule-${id}` }, label), control, hint ? h("p", { class: "hint" }, hint) : null);
}

function options(list, value) {
  return list.map(([key, text]) => h("option", { value: key, selected: key === value }, text));
}

function ruleForm(watchlists, run, redraw) {
  const kind = h("select", { id: "rule-kind", name: "kind" }, options(KINDS, "GROWTH_ABOVE"));
  const targetKind = h("select", { id: "rule-target-kind", name: "targetKind" },
    options([...(watchlists.length ? [["watchlistId", "A watchlist"]] : []), ["slug", "One trend"], ["category", "A category"]], watchlists.length ? "watchlistId" : "slug"));
  const watchlist = h("select", { id: "rule-watchlistId", name: "watchlistId" }, options(watchlists.map((list) => [list.id, list.name])));
  const slug = h("input", { id: "rule-slug", name: "slug", autocomplete: "off", placeholder: "asyncio" });
  const category = h("input", { id: "rule-category", name: "category", autocomplete: "off", placeholder: "software-development" });
  const form = h("form", { class: "controls rule-form", "aria-labelledby": "new-rule-heading" },
    field("name", "Rule name", h("input", { id: "rule-name", name: "name", required: true, maxlength: 200, autocomplete: "off" })),
    field("target-kind", "Watch", targetKind),
    field("watchlistId", "Watchlist", watchlist),
    field("slug", "Trend (slug)", slug),
    field("category", "Category (slug)", category),
    field("kind", "Fire when", kind),
    field("window", "Window", h("select", { id: "rule-window", name: "window" }, options(WINDOWS.map((w) => [w.key, w.name]), "ONE_YEAR"))),
    field("threshold", "Threshold (%)", h("input", { id: "rule-threshold", name: "threshold", type: "number", step: "any", value: "50" })),
    field("status", "Status", h("select", { id: "rule-status", name: "status" }, options(STATUSES.map((s) => [s.key, s.name]), "EXPLODING"))),
    field("outlook", "Outlook", h("select", { id: "rule-outlook", name: "outlook" }, options(OUTLOOKS, "RISING"))),
    field("webhookUrl", "Webhook URL", h("input", { id: "rule-webhookUrl", name: "webhookUrl", type: "url", required: true, autocomplete: "off", placeholder: "https://your-receiver/trendgraph" })),
    field("secret", "Signing secret", h("input", { id: "rule-secret", name: "secret", type: "password", required: true, minlength: 16, maxlength: 200, autocomplete: "off" }), "16 to 200 characters; signs every delivery."),
    h("button", { type: "submit" }, "Create alert rule"));
  const sync = () => {
    for (const name of ["watchlistId", "slug", "category"]) form.querySelector(`[data-field="${name}"]`).hidden = targetKind.value !== name;
    for (const name of ["window", "threshold", "status", "outlook"]) form.querySelector(`[data-field="${name}"]`).hidden = !NEEDS[kind.value].includes(name);
  };
  form.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const condition = { kind: values.kind };
    for (const name of NEEDS[values.kind]) condition[name] = name === "threshold" ? Number(values.threshold) : values[name];
    const input = {
      name: values.name.trim(),
      target: { [values.targetKind]: values[values.targetKind].trim() },
      condition,
      delivery: { webhookUrl: values.webhookUrl.trim(), secret: values.secret },
    };
    if (await run("CreateAlertRule", { input }, "createAlertRule")) await redraw();
  });
  return form;
}

function deliveries(rule) {
  if (!rule.deliveries.length) return h("p", { class: "muted" }, "No delivery yet.");
  return h("div", { class: "table-wrap" }, h("table", { class: "board" },
    h("caption", {}, `Latest deliveries of ${rule.name}`),
    h("thead", {}, h("tr", {}, ["When", "Attempt", "Outcome", "HTTP", "Error"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rule.deliveries.map((d) => h("tr", {},
      h("td", {}, day(d.attemptedAt)), h("td", { class: "num" }, String(d.attempt)), h("td", {}, d.outcome.toLowerCase()),
      h("td", { class: "num" }, d.statusCode ?? "–"), h("td", {}, d.error ?? ""))))));
}

/** The section listing `rules` and creating new ones. */
export function rulesSection(rules, watchlists, run, redraw) {
  return h("section", { "aria-labelledby": "rules-heading" },
    h("h2", { id: "rules-heading" }, "Alert rules"),
    rules.length
      ? rules.map((rule) => {
          const drop = h("button", { type: "button", class: "quiet" }, `Delete rule ${rule.name}`);
          drop.addEventListener("click", async () => {
            if (await run("DeleteAlertRule", { id: rule.id }, "deleteAlertRule")) await redraw();
          });
          return h("article", { class: "rule" }, h("h3", {}, rule.name), h("p", {}, describe(rule, watchlists)), deliveries(rule), drop);
        })
      : h("p", { class: "muted" }, "No alert rule yet."),
    h("h3", { id: "new-rule-heading" }, "New alert rule"),
    ruleForm(watchlists, run, redraw));
}
