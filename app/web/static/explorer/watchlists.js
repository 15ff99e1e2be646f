// "/watchlists": a user's watchlists and alert rules, read and written with the API key they
// paste. The key stays in this tab's sessionStorage: gone when the tab closes, never sent
// anywhere but this API's /graphql.

import { hasDocument } from "./api.js";
import { h, replace } from "./dom.js";

const KEY = "trendgraph.apiKey";

export function storedKey() {
  return sessionStorage.getItem(KEY) ?? "";
}

function keyForm(onChange) {
  const input = h("input", { id: "api-key", name: "key", type: "password", autocomplete: "off", spellcheck: "false", "aria-describedby": "api-key-hint" });
  const form = h("form", { class: "controls" },
    h("div", { class: "field grow" },
      h("label", { for: "api-key" }, "API key"),
      input,
      h("p", { id: "api-key-hint", class: "hint" }, "Kept in this browser tab only (sessionStorage) and sent only to this server.")),
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
  const draw = () => {
    const key = storedKey();
    if (!key) {
      replace(body, h("p", {}, "Watchlists and alert rules belong to an API key. Paste yours to see them."), keyForm(draw));
      return;
    }
    const forget = h("button", { type: "button" }, "Forget the key");
    forget.addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      draw();
    });
    replace(body,
      h("p", { class: "keyline" }, "Using the key you pasted (this tab only). ", forget),
      hasDocument("Watchlists")
        ? h("p", { class: "muted" }, "Loading…")
        : h("p", { class: "notice" }, "This server's API does not offer watchlists and alert rules yet."));
  };
  replace(main, h("h1", {}, "Watchlists and alerts"), body);
  draw();
  return () => {};
}
