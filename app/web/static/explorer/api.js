// The public GraphQL API, read the way the README tells app developers to: GET with the
// persisted query's hash (so the response cache, browsers and ETags serve repeats), and the
// query itself only when the server does not know the hash yet (Apollo's APQ).

const ENDPOINT = "/graphql";
// application/json: a persisted-query miss is then a 200 whose body says so (as Apollo
// clients expect), not a 400 that browsers log as a failed load on every first visit.
const ACCEPT = "application/json";
const documents = JSON.parse(document.getElementById("tg-documents").textContent);

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export function hasDocument(name) {
  return name in documents;
}

export function documentText(name) {
  const document = documents[name];
  if (!document) throw new ApiError(`the app has no document ${name}`, "UNKNOWN_DOCUMENT");
  return document.query;
}

const RETRIES = 3;
const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    });
  });

async function getJSON(params, options) {
  let response;
  for (let attempt = 0; ; attempt += 1) {
    response = await fetch(`${ENDPOINT}?${params}`, {
      headers: { accept: ACCEPT },
      // "no-cache" revalidates with the ETag (a 304 costs no body); the default lets the
      // browser reuse an answer for max-age seconds.
      cache: options.fresh ? "no-cache" : "default",
      signal: options.signal,
    });
    // Rate limited: wait as long as the server says (bounded), then ask again.
    if (response.status !== 429 || attempt === RETRIES) break;
    const seconds = Math.min(10, Number(response.headers.get("retry-after")) || 1);
    await sleep(seconds * 1000, options.signal);
  }
  try {
    return await response.json();
  } catch {
    throw new ApiError(`the API answered HTTP ${response.status}`, "HTTP");
  }
}

/** Runs the app's query `name` with `variables`; resolves to its data or throws ApiError. */
export async function query(name, variables = {}, options = {}) {
  const { query: text, sha256Hash } = documents[name] ?? {};
  if (!text) throw new ApiError(`the app has no document ${name}`, "UNKNOWN_DOCUMENT");
  const params = new URLSearchParams({
    variables: JSON.stringify(variables),
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash } }),
  });
  let body = await getJSON(params, options);
  if (body.errors?.[0]?.extensions?.code === "PERSISTED_QUERY_NOT_FOUND") {
    params.set("query", text); // registers it: the next visitor's request is hash-only
    body = await getJSON(params, options);
  }
  return dataOf(body);
}

/** Runs document `name` by POST (never cached, never shared) with the API key the user
 * pasted: mutations, and reads of what belongs to the key (watchlists, alert rules). */
export async function withKey(name, variables, apiKey) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: {
      accept: ACCEPT,
      "content-type": "application/json",
      authorization: `Bearer ${apiKey}`,
    },
    body: JSON.stringify({ query: documentText(name), variables }),
  });
  return dataOf(await response.json());
}

function dataOf(body) {
  if (body.errors?.length && !body.data) {
    const [first] = body.errors;
    throw new ApiError(first.message, first.extensions?.code);
  }
  if (body.errors?.length) console.warn("partial answer", body.errors);
  return body.data;
}
