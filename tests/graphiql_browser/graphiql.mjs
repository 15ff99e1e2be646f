// Opens GraphiQL in headless Chromium (Debian's, driven by playwright-core), sets a query in
// the editor, runs it and prints JSON: {resultText, blockedRequests, consoleErrors}.
// The browser may reach loopback only: every other request is aborted and reported.
// Usage: node graphiql.mjs <graphql url> <query> [chromium path]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, query, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!url || !query) {
  console.error("usage: node graphiql.mjs <graphql url> <query> [chromium path]");
  process.exit(2);
}
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
const userDataDir = mkdtempSync(join(tmpdir(), "trendgraph-chromium-"));
const blockedRequests = [];
const consoleErrors = [];
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  await context.route("**/*", (route) => {
    const requested = new URL(route.request().url());
    if (["http:", "https:", "ws:", "wss:"].includes(requested.protocol) && !LOOPBACK.has(requested.hostname)) {
      blockedRequests.push(requested.href);
      return route.abort("blockedbyclient");
    }
    return route.continue();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(url, { waitUntil: "load" });
  // GraphiQL 3 edits with CodeMirror 5: set the query through the editor, as typing would.
  const editor = page.locator(".graphiql-query-editor .CodeMirror").first();
  await editor.waitFor({ timeout: 30000 });
  await page.evaluate((text) => {
    document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue(text);
  }, query);
  await page.locator("button.graphiql-execute-button").click();
  const result = page.locator(".graphiql-response .CodeMirror");
  await page.waitForFunction(
    () => {
      const pane = document.querySelector(".graphiql-response .CodeMirror");
      return pane && /"data"|"errors"/.test(pane.CodeMirror.getValue());
    },
    null,
    { timeout: 30000 }
  );
  const resultText = await result.evaluate((element) => element.CodeMirror.getValue());
  const paneText = await page.locator(".graphiql-response").innerText();
  process.stdout.write(JSON.stringify({ resultText, paneText, blockedRequests, consoleErrors }));
} finally {
  if (context) await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
