// Test-only: headless Chromium (Debian's, driven by playwright-core) under the control of a
// Python test, one JSON command per stdin line, one JSON answer per stdout line:
//   {"id": 1, "cmd": "goto", "path": "/trends/asyncio"} -> {"id": 1, "ok": true, "result": ...}
// The browser may reach the server under test only: every other request (HTTP or WebSocket)
// is aborted and reported by "traffic". Usage: node driver.mjs <base url> [chromium path]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [base, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node driver.mjs <base url> [chromium path]");
  process.exit(2);
}
const origin = new URL(base).origin;
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const userDataDir = mkdtempSync(join(tmpdir(), "trendgraph-explorer-"));
const blocked = [];
const consoleErrors = [];
let requests = [];

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const allowed = (url) => new URL(url).origin.replace(/^ws/, "http") === origin;
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (/^(https?|wss?):/.test(url) && !allowed(url)) {
    blocked.push(url);
    return route.abort("blockedbyclient");
  }
  return route.continue();
});
await context.routeWebSocket((url) => !allowed(url.href), (socket) => {
  blocked.push(socket.url());
  socket.close();
});
const page = context.pages()[0] ?? (await context.newPage());
page.on("console", (message) => {
  if (message.type() === "error") consoleErrors.push(message.text());
});
page.on("pageerror", (error) => consoleErrors.push(String(error)));
page.on("requestfinished", async (request) => {
  const response = await request.response();
  const sizes = await request.sizes().catch(() => ({ responseBodySize: -1 }));
  requests.push({
    url: request.url(),
    method: request.method(),
    status: response?.status() ?? 0,
    encoding: (await response?.headerValue("content-encoding")) ?? null,
    bodyBytes: sizes.responseBodySize,
    fromCache: response?.fromServiceWorker?.() ?? false,
  });
});
page.on("websocket", (socket) => requests.push({ url: socket.url(), method: "WEBSOCKET", status: 101, bodyBytes: 0 }));

const commands = {
  async goto({ path, wait = "networkidle" }) {
    const response = await page.goto(new URL(path, base).href, { waitUntil: wait });
    return { status: response?.status() ?? 0, url: page.url() };
  },
  async waitText({ selector = "main", text, timeout = 20000 }) {
    await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout });
    return true;
  },
  async waitCount({ selector, count, timeout = 20000 }) {
    await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length >= n, [selector, count], { timeout });
    return page.locator(selector).count();
  },
  async text({ selector = "main" }) {
    return page.locator(selector).first().innerText();
  },
  async texts({ selector }) {
    return page.locator(selector).allInnerTexts();
  },
  async type({ selector, text }) {
    await page.locator(selector).pressSequentially(text, { delay: 40 });
    return true;
  },
  async fill({ selector, value }) {
    await page.locator(selector).fill(value);
    return true;
  },
  async keys({ text }) {
    await page.keyboard.type(text, { delay: 40 });
    return true;
  },
  async select({ selector, value }) {
    return page.locator(selector).selectOption(value);
  },
  async click({ selector }) {
    await page.locator(selector).first().click();
    return page.url();
  },
  async press({ key, times = 1 }) {
    const focused = [];
    for (let i = 0; i < times; i += 1) {
      await page.keyboard.press(key);
      focused.push(await page.evaluate(() => {
        const e = document.activeElement;
        return e ? `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}:${(e.getAttribute("aria-label") || e.textContent || "").trim().slice(0, 40)}` : "";
      }));
    }
    return focused;
  },
  async eval({ expression }) {
    return page.evaluate(expression);
  },
  async url() {
    return page.url();
  },
  async viewport({ width, height }) {
    await page.setViewportSize({ width, height });
    return true;
  },
  async scrollWidth() {
    return page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  },
  async screenshot({ path, fullPage = false, type = "png", quality }) {
    await page.screenshot({ path, fullPage, type, quality, animations: "disabled" });
    return path;
  },
  async axe() {
    // evaluate() runs outside the page's Content-Security-Policy, which forbids inline script.
    return page.evaluate(async (source) => {
      if (!window.axe) (0, eval)(source);
      const results = await window.axe.run(document, { resultTypes: ["violations"] });
      return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
    }, axeSource);
  },
  async traffic() {
    return { requests, blocked, consoleErrors };
  },
  async resetTraffic() {
    requests = [];
    return true;
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { id, cmd, ...args } = JSON.parse(line);
  if (cmd === "close") break;
  try {
    const result = await commands[cmd](args);
    process.stdout.write(JSON.stringify({ id, ok: true, result }) + "\n");
  } catch (error) {
    process.stdout.write(JSON.stringify({ id, ok: false, error: String(error?.stack ?? error) }) + "\n");
  }
}
await context.close();
rmSync(userDataDir, { recursive: true, force: true });
