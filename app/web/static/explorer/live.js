// Live updates over the graphql-transport-ws protocol at /graphql: one WebSocket for the
// page, opened on the first subscription, closed after the last, reconnected with backoff
// (subscriptions are sent again) when the server or the network drops it.

import { documentText } from "./api.js";

const statusLine = () => document.getElementById("live-status");
const active = new Map(); // id -> {name, variables, onData}
let socket = null;
let acknowledged = false;
let nextId = 1;
let retries = 0;
let retryTimer = null;

function announce(text, state) {
  const line = statusLine();
  if (!line) return;
  line.textContent = text;
  line.dataset.state = state;
}

function send(message) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function start(id) {
  const { name, variables } = active.get(id);
  send({ id, type: "subscribe", payload: { query: documentText(name), variables } });
}

function connect() {
  const url = new URL("/graphql", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url, "graphql-transport-ws");
  socket = ws;
  acknowledged = false;
  ws.addEventListener("open", () => send({ type: "connection_init", payload: {} }));
  ws.addEventListener("message", (event) => {
    if (ws !== socket) return; // a socket this page has already let go of
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      acknowledged = true;
      retries = 0;
      announce("Live", "live");
      for (const id of active.keys()) start(id);
    } else if (message.type === "ping") {
      send({ type: "pong" });
    } else if (message.type === "next") {
      active.get(message.id)?.onData(message.payload);
    } else if (message.type === "error") {
      console.warn("subscription refused", message.payload);
    }
  });
  ws.addEventListener("close", () => {
    if (ws !== socket) return;
    socket = null;
    acknowledged = false;
    if (!active.size) return announce("", "idle");
    announce("Reconnecting…", "down");
    const delay = Math.min(30000, 500 * 2 ** retries++) * (0.5 + Math.random() / 2);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  });
}

/** Calls onData(payload) for each event of subscription `name`; returns the unsubscribe. */
export function subscribe(name, variables, onData) {
  const id = String(nextId++);
  active.set(id, { name, variables, onData });
  if (!socket && !retryTimer) {
    announce("Connecting…", "down");
    connect();
  } else if (acknowledged) {
    start(id);
  }
  return () => {
    if (!active.delete(id)) return;
    send({ id, type: "complete" });
    if (!active.size) {
      clearTimeout(retryTimer);
      retryTimer = null;
      const closing = socket;
      socket = null;
      closing?.close(1000);
      announce("", "idle");
    }
  };
}
