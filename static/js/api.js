/* Calls to the shop's JSON API from a page, shared by the page scripts: the page's CSRF
 * token, JSON in and out, and RFC 9457 problem answers turned into text for a person.
 * An ES module: pages load their scripts with <script type="module">. */

/** Resolves to {ok, status, data}; data is the parsed JSON answer or null (none, or not
 * JSON). Rejects with a readable Error when the server cannot be reached. */
export async function request(method, url, body, extraHeaders = {}) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const headers = { Accept: "application/json", "X-CSRFToken": meta ? meta.content : "" };
  const init = { method, credentials: "same-origin", headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  Object.assign(headers, extraHeaders);
  let response;
  try {
    response = await fetch(url, init);
  } catch (networkError) {
    throw new Error("The server could not be reached.", { cause: networkError });
  }
  const data = await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data };
}

/** Like request, but resolves to the data alone and rejects on any answer that is not OK,
 * with an Error whose message is the problem's detail; it carries .status and .problem. */
export async function call(method, url, body) {
  const answer = await request(method, url, body);
  if (answer.ok) return answer.data;
  const data = answer.data;
  const error = new Error(data && data.detail ? data.detail : `The server answered ${answer.status}.`);
  error.status = answer.status;
  error.problem = data;
  throw error;
}

/** A problem's detail and its errors' messages as one text; the fallback without a detail. */
export function problemText(data, fallback) {
  if (!data || !data.detail) return fallback;
  const extra = (data.errors || []).map((e) => e.message).filter((m) => m && m !== data.detail);
  return [data.detail, ...extra].join(" ");
}

/** A URL the page hands its script in a data attribute, with {name} parts filled in:
 * fillUrl("/leads/{id}", {id: 7}) → "/leads/7". */
export function fillUrl(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(String(values[name])));
}
