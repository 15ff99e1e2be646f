// "/watchlists": the watchlists and alert rules of the API key the user pastes. The key stays in this tab's
// sessionStorage (gone when the tab closes) and is sent only to this server's /graphql.

import { rulesSection } from "./alerts.js";
import { ApiError, hasDocument, withKey } from "./api.js";
import { h, replace } from "./dom.js";

const KEY = "trendgraph.apiKey";

export function storedKey() {
  return sessionStorage.getItem(KEY) ?? "";
}

function slugsOf(text) {
  return [...new Set(text.split(/[\s,]+/).map((slug) => slug.trim().toLowerCase()).filter(Boolean))];
}

function keyForm(onChange) {
  const input = h("input", { id: "api-key", name: "key", type: "password", autocomplete: "off", spellcheck: "false", "aria-describedby": "api-key-hint", required: true });
  const form = h("form", { class: "controls" },
    h("div", { class: "field grow" },
      h("label", { for: "api-key" }, "API key"),
      input,
      h("p", { id: "api-key-hint", class: "hint" }, "Kept in this browser tab only (sessionStorage) and sent only to this server. It needs the alerts scope.")),
    h("button", { type: "submit" }, "Use this key"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    sessionStorage.setItem(KEY, input.value.trim());
    onChange();
  });
  return form;
}

export function render(main) {
  const body = h("div");
  const problem = h("p", { class: "notice", role: "alert" });
  let alive = true;

  /** Runs a keyed document; shows user errors or a refusal, returns the payload or null. */
  async function run(name, variables, field) {
    problem.textContent = "";
    try {
      const data = await withKey(name, variables, storedKey());
      const payload = field ? data[field] : data;
      if (payload?.userErrors?.length) {
        problem.textContent = payload.userErrors.map((error) => error.message).join(" ");
        return null;
      }
      return payload;
    } catch (error) {
      problem.textContent = error instanceof ApiError ? `The API refused: ${error.message}` : "The API did not answer.";
      return null;
    }
  }

  function watchlist(list) {
    const headingId = `watchlist-${list.id}`;
    const input = h("input", { id: `add-${list.id}`, name: "slugs", autocomplete: "off", required: true });
    const add = h("form", { class: "controls" },
      h("div", { class: "field grow" }, h("label", { for: `add-${list.id}` }, `Add trends to ${list.name} (slugs, comma-separated)`), input),
      h("button", { type: "submit" }, "Add"));
    add.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await run("AddToWatchlist", { id: list.id, slugs: slugsOf(input.value) }, "addToWatchlist")) await draw();
    });
    const remove = (slug) => {
      const button = h("button", { type: "button", class: "quiet", "aria-label": `Remove ${slug} from ${list.name}` }, "Remove");
      button.addEventListener("click", async () => {
        if (await run("RemoveFromWatchlist", { id: list.id, slugs: [slug] }, "removeFromWatchlist")) await draw();
      });
      return button;
    };
    const drop = h("button", { type: "button", class: "quiet" }, `Delete ${list.name}`);
    drop.addEventListener("click", async () => {
      if (await run("DeleteWatchlist", { id: list.id }, "deleteWatchlist")) await draw();
    });
    return h("section", { class: "watchlist", "aria-labelledby": headingId },
      h("h2", { id: headingId }, list.name),
      list.slugs.length
        ? [h("ul", { class: "watched" }, list.slugs.map((slug) => h("li", {}, h("a", { href: `/trends/${encodeURIComponent(slug)}` }, slug), " ", remove(slug)))),
           h("p", {}, h("a", { href: `/compare?slugs=${list.slugs.slice(0, 20).map(encodeURIComponent).join(",")}` }, `Compare the trends of ${list.name}`))]
        : h("p", { class: "muted" }, "No trends on it yet."),
      add, drop);
  }

  function creator() {
    const name = h("input", { id: "new-name", name: "name", autocomplete: "off", required: true, maxlength: 200 });
    const slugs = h("input", { id: "new-slugs", name: "slugs", autocomplete: "off" });
    const form = h("form", { class: "controls", "aria-labelledby": "new-heading" },
      h("div", { class: "field" }, h("label", { for: "new-name" }, "Name"), name),
      h("div", { class: "field grow" }, h("label", { for: "new-slugs" }, "Trends (slugs, comma-separated)"), slugs),
      h("button", { type: "submit" }, "Create watchlist"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = { name: name.value.trim(), slugs: slugsOf(slugs.value) };
      if (await run("CreateWatchlist", { input }, "createWatchlist")) await draw();
    });
    return [h("h2", { id: "new-heading" }, "New watchlist"), form];
  }

  async function draw() {
    if (!alive) return;
    if (!storedKey()) {
      replace(body, h("p", {}, "Watchlists and alert rules belong to an API key. Paste yours to see them."), keyForm(draw));
      return;
    }
    const forget = h("button", { type: "button", class: "quiet" }, "Forget the key");
    forget.addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      problem.textContent = "";
      draw();
    });
    const keyline = h("p", { class: "keyline" }, "Using the key you pasted (this tab only). ", forget);
    if (!hasDocument("Watchlists")) {
      replace(body, keyline, h("p", { class: "notice" }, "This server's API does not offer watchlists yet."));
      return;
    }
    replace(body, keyline, problem, h("p", { class: "muted" }, "Loading…"));
    const data = await run("Watchlists", {});
    if (!alive) return;
    const lists = data?.watchlists ?? [];
    replace(body, keyline, problem,
      data ? (lists.length ? lists.map(watchlist) : h("p", { class: "muted" }, "You have no watchlist yet.")) : null,
      data ? creator() : null,
      data?.alertRules ? rulesSection(data.alertRules, lists, run, draw) : null);
  }

  replace(main, h("h1", {}, "Watchlists and alerts"), body);
  draw();
  return () => {
    alive = false;
  };
}
