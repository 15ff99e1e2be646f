// "/": the leaderboard. Filters and sort live in the URL (deep links), pages come from the
// Relay connection (a button, pressed for you when it scrolls into view), search runs as
// you type, and rows change in place when the trendChanged subscription reports a write.

import { ApiError, query } from "./api.js";
import { sparkline } from "./chart.js";
import { debounce, h, replace } from "./dom.js";
import { REGIONS, SOURCES, STATUSES, WINDOWS, compact, count, monthsAgo, percent, statusName, trend, windowFor } from "./format.js";
import { subscribe } from "./live.js";

const PAGE_SIZE = 25;
const SORTS = [
  { key: "growth", name: "Growth, highest first", order: (w) => ({ field: "GROWTH", direction: "DESC", window: w }) },
  { key: "growth-asc", name: "Growth, lowest first", order: (w) => ({ field: "GROWTH", direction: "ASC", window: w }) },
  { key: "name", name: "Name, A to Z", order: () => ({ field: "NAME", direction: "ASC" }) },
  { key: "updated", name: "Recently updated", order: () => ({ field: "UPDATED_AT", direction: "DESC" }) },
  { key: "status", name: "Status (momentum)", order: () => ({ field: "STATUS", direction: "DESC" }) },
  { key: "volume", name: "Volume, highest first", order: () => ({ field: "VOLUME", direction: "DESC" }) },
];

/** The view's state, read from and written to the query string. */
function readState() {
  const params = new URLSearchParams(location.search);
  return {
    q: params.get("q") ?? "",
    category: params.get("category") ?? "",
    status: STATUSES.some((s) => s.key === params.get("status")) ? params.get("status") : "",
    source: /^[a-z0-9]+(-[a-z0-9]+)*$/.test(params.get("source") ?? "") ? params.get("source") : "",
    region: REGIONS.some(([key]) => key === params.get("region")) ? params.get("region") : "",
    window: windowFor(params.get("window")).key,
    sort: SORTS.some((s) => s.key === params.get("sort")) ? params.get("sort") : "growth",
  };
}

function writeState(state) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state)) {
    if (value && !(name === "window" && value === "ONE_YEAR") && !(name === "sort" && value === "growth")) {
      params.set(name, value);
    }
  }
  const search = params.toString();
  history.replaceState(null, "", search ? `/?${search}` : "/");
}

function select(name, label, options, value) {
  const id = `filter-${name}`;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("select", { id, name }, options.map(([key, text]) => h("option", { value: key, selected: key === value }, text))));
}

export function render(main) {
  const state = readState();
  let cursor = null;
  let loading = null; // the AbortController of the request under way
  let rank = 0;
  const since = monthsAgo(12);

  const search = h("input", { id: "filter-q", name: "q", type: "search", value: state.q, autocomplete: "off", placeholder: "e.g. asyncio" });
  const categories = select("category", "Category", [["", "All categories"]], state.category);
  const form = h("form", { class: "controls", role: "search", "aria-label": "Trends" },
    h("div", { class: "field grow" }, h("label", { for: "filter-q" }, "Search trends"), search),
    categories,
    select("status", "Status", [["", "Any status"], ...STATUSES.map((s) => [s.key, s.name])], state.status),
    select("source", "Signal source", [["", "Any source"], ...SOURCES.map((s) => [s, s])], state.source),
    select("region", "Region", [["", "Any region"], ...REGIONS], state.region),
    select("window", "Growth window", WINDOWS.map((w) => [w.key, w.name]), state.window),
    select("sort", "Sort by", SORTS.map((s) => [s.key, s.name]), state.sort));
  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" });
  const growthHeader = h("th", { scope: "col", class: "num" });
  const rows = h("tbody");
  const table = h("table", { class: "board" },
    h("caption", { class: "visually-hidden" }, "Trends, one per row"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", class: "num rank" }, "#"),
      h("th", { scope: "col" }, "Trend"),
      h("th", { scope: "col", class: "wide" }, "Category"),
      h("th", { scope: "col", class: "wide" }, "Status"),
      growthHeader,
      h("th", { scope: "col", class: "num wide" }, "Volume"),
      h("th", { scope: "col" }, "Last 12 months"))),
    rows);
  const more = h("button", { type: "button", class: "more", hidden: true }, "Load more trends");
  replace(main, h("h1", {}, "Trend leaderboard"), form, summary, h("div", { class: "table-wrap" }, table), more);

  query("Categories").then((data) => {
    const list = categories.querySelector("select");
    for (const category of data.categories) {
      list.append(h("option", { value: category.slug, selected: category.slug === state.category }, category.name));
    }
  }).catch(() => {});

  function row(node) {
    const growth = node.growthFor;
    const values = node.series.map((point) => point.value);
    return h("tr", { "data-slug": node.slug },
      h("td", { class: "num rank" }, String(++rank)),
      h("th", { scope: "row" }, h("a", { href: `/trends/${encodeURIComponent(node.slug)}` }, node.name)),
      h("td", { class: "wide" }, node.category?.name ?? ""),
      h("td", { class: "wide" }, h("span", { class: `status ${(node.status ?? "none").toLowerCase()}` }, statusName(node.status))),
      h("td", { class: `num growth ${growth ? trend(growth.percent) : ""}` }, growth ? percent(growth.percent) : "n/a"),
      h("td", { class: "num wide" }, node.volume === null || node.volume === undefined ? "–" : compact(node.volume)),
      h("td", { class: "spark-cell" }, sparkline(values, `${node.name}, last 12 months`)));
  }

  /** What every row document needs. Sparklines draw each trend's primary signal: one
   * series per row keeps a page's query cost near 100 points (a signal list per row would
   * cost five times as much under the API's cost rules). */
  function rowVariables() {
    return { window: state.window, since };
  }

  function variables() {
    const filter = {};
    if (state.category) filter.category = state.category;
    if (state.status) filter.status = [state.status];
    if (state.source || state.region) filter.signal = { source: state.source || null, region: state.region || null };
    return { ...rowVariables(), filter, orderBy: SORTS.find((s) => s.key === state.sort).order(state.window) };
  }

  function fail(error) {
    if (error.name === "AbortError") return;
    summary.textContent = `Could not load trends: ${error instanceof ApiError ? error.message : "the API did not answer"}.`;
    more.hidden = true;
  }

  async function load(first) {
    loading?.abort();
    const controller = (loading = new AbortController());
    growthHeader.textContent = `Growth (${windowFor(state.window).label})`;
    if (first) {
      cursor = null;
      rank = 0;
      summary.textContent = "Loading…";
    }
    more.disabled = true;
    try {
      if (state.q.trim()) {
        const data = await query("SearchTrends", { query: state.q.trim(), first: 20, ...rowVariables() }, { signal: controller.signal });
        const found = data.searchTrends.filter((node) => (!state.category || node.category?.slug === state.category) && (!state.status || node.status === state.status));
        replace(rows, found.map(row));
        summary.textContent = found.length ? `${count(found.length)} ${found.length === 1 ? "trend matches" : "trends match"} “${state.q.trim()}”` : `No trend matches “${state.q.trim()}”.`;
        more.hidden = true;
      } else {
        const data = await query("Leaderboard", { first: PAGE_SIZE, after: cursor, ...variables(), withCount: first }, { signal: controller.signal });
        const page = data.trends;
        const nodes = page.edges.map((edge) => edge.node);
        if (first) replace(rows, nodes.map(row));
        else rows.append(...nodes.map(row));
        if (first) table.dataset.total = page.totalCount;
        summary.textContent = `Showing ${count(rows.children.length)} of ${count(Number(table.dataset.total))} trends`;
        cursor = page.pageInfo.endCursor;
        more.hidden = !page.pageInfo.hasNextPage;
      }
    } catch (error) {
      fail(error);
    } finally {
      if (loading === controller) loading = null;
      more.disabled = false;
    }
  }

  const typed = debounce(() => {
    writeState(state);
    load(true);
  }, 200);
  search.addEventListener("input", () => {
    state.q = search.value;
    typed();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", (event) => {
    if (event.target === search) return;
    state[event.target.name] = event.target.value;
    writeState(state);
    resubscribe();
    load(true);
  });
  more.addEventListener("click", () => load(false));

  // Infinite scrolling: the button loads the next page by itself once it scrolls into view.
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting) && !more.hidden && !loading) load(false);
  }, { rootMargin: "200px" });
  observer.observe(more);

  let unsubscribe = () => {};
  function resubscribe() {
    unsubscribe();
    unsubscribe = subscribe("LeaderboardChanged", rowVariables(), ({ data }) => {
      const change = data?.trendChanged;
      const shown = change && rows.querySelector(`tr[data-slug="${CSS.escape(change.slug ?? "")}"]`);
      if (!shown) return;
      if (change.kind === "DELETED" || !change.trend) return shown.remove();
      const keep = rank;
      rank = Number(shown.querySelector(".rank").textContent) - 1;
      const fresh = row(change.trend);
      rank = keep;
      fresh.classList.add("changed");
      shown.replaceWith(fresh);
    });
  }
  resubscribe();
  load(true);
  return () => {
    observer.disconnect();
    loading?.abort();
    unsubscribe();
  };
}
