// How numbers, windows and statuses read on the page.

export const WINDOWS = [
  { key: "THREE_MONTHS", label: "3mo", name: "3 months" },
  { key: "SIX_MONTHS", label: "6mo", name: "6 months" },
  { key: "ONE_YEAR", label: "1y", name: "1 year" },
  { key: "TWO_YEARS", label: "2y", name: "2 years" },
  { key: "FIVE_YEARS", label: "5y", name: "5 years" },
];

export const STATUSES = [
  { key: "EXPLODING", name: "Exploding" },
  { key: "REGULAR", name: "Regular" },
  { key: "PEAKED", name: "Peaked" },
  { key: "DECLINING", name: "Declining" },
];

export function statusName(key) {
  return STATUSES.find((status) => status.key === key)?.name ?? "No status";
}

export function windowFor(key) {
  return WINDOWS.find((window) => window.key === key) ?? WINDOWS[2];
}

/** 20 -> "+20%", -5.25 -> "-5.3%", 0 -> "0%" (ASCII signs, so copied text stays plain). */
export function percent(value) {
  const rounded = Math.abs(value) >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  const sign = rounded > 0 ? "+" : rounded < 0 ? "-" : "";
  return `${sign}${Math.abs(rounded).toLocaleString("en")}%`;
}

export function trend(value) {
  return value > 0 ? "up" : value < 0 ? "down" : "flat";
}

export function count(value) {
  return value.toLocaleString("en");
}

export function day(iso) {
  return new Date(iso).toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric" });
}

/** The ISO date `months` months before today (UTC), for series(from:). */
export function monthsAgo(months) {
  const date = new Date();
  date.setUTCMonth(date.getUTCMonth() - months);
  return date.toISOString().slice(0, 10);
}

/** Provenance strings of generated data start with "synthetic" (seeds.synthetic). */
export function isSynthetic(source) {
  return typeof source === "string" && /^synthetic\b/i.test(source);
}

/** Signal sources the API names (any other slug may exist too). */
export const SOURCES = ["search-interest", "search-volume", "github-stars", "package-downloads", "news-mentions", "social-mentions"];

/** WORLD and a few ISO 3166-1 alpha-2 codes to filter signals by. */
export const REGIONS = [
  ["WORLD", "World"], ["US", "United States"], ["GB", "United Kingdom"], ["DE", "Germany"],
  ["FR", "France"], ["IN", "India"], ["JP", "Japan"], ["BR", "Brazil"],
];

export function regionName(code) {
  return REGIONS.find(([key]) => key === code)?.[1] ?? code;
}

/** 1234567 -> "1.2M", 12345 -> "12.3k": volumes read at a glance. */
export function compact(value) {
  return value.toLocaleString("en", { notation: "compact", maximumFractionDigits: 1 });
}
