// The trend explorer's entry point: a small router over the History API. Each view renders
// into <main> and returns its cleanup (subscriptions, observers, requests under way).

import { h, replace } from "./dom.js";
import * as compare from "./compare.js";
import * as leaderboard from "./leaderboard.js";
import * as trend from "./trend.js";
import * as watchlists from "./watchlists.js";

const ROUTES = [
  { pattern: /^\/$/, view: leaderboard, title: "Trend leaderboard" },
  { pattern: /^\/trends\/([^/]+)\/?$/, view: trend, title: "Trend", params: (m) => ({ slug: decodeURIComponent(m[1]) }) },
  { pattern: /^\/compare\/?$/, view: compare, title: "Compare trends" },
  { pattern: /^\/watchlists\/?$/, view: watchlists, title: "Watchlists and alerts" },
];

const main = document.getElementById("main");
let cleanup = () => {};
let first = true;

function route() {
  cleanup();
  cleanup = () => {};
  for (const link of document.querySelectorAll("header.site nav a")) {
    const current = link.pathname === "/" ? location.pathname === "/" : location.pathname.startsWith(link.pathname);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  for (const { pattern, view, title, params } of ROUTES) {
    const match = location.pathname.match(pattern);
    if (!match) continue;
    document.title = `${title} · trendgraph`;
    cleanup = view.render(main, params ? params(match) : {}) ?? (() => {});
    // Moving focus to the new content tells screen readers the page changed.
    if (!first) main.focus({ preventScroll: true });
    first = false;
    return;
  }
  document.title = "Not found · trendgraph";
  replace(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/" }, "Back to the leaderboard")));
}

// Same-origin links to the app's pages change views without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || link.target || url.pathname.startsWith("/graphql")) return;
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return; // in-page
  if (!ROUTES.some(({ pattern }) => pattern.test(url.pathname))) return;
  event.preventDefault();
  if (url.href !== location.href) history.pushState(null, "", url);
  route();
  scrollTo(0, 0);
});
addEventListener("popstate", route);
route();
