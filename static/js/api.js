/* Calls to the shop's JSON API from a page, shared by the page scripts: the page's CSRF token,
 * JSON in and out, and RFC 9457 problem answers turned into text for a person.
 * ES5 with Promises, like checkout.js, so that it runs wherever the page scripts run. */
(function () {
  "use strict";

  /* Resolves to {ok, status, data}; data is the parsed JSON answer or null (none, or not
   * JSON). Rejects with a readable Error when the server cannot be reached. */
  function request(method, url, body, extraHeaders) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var headers = {"Accept": "application/json", "X-CSRFToken": meta ? meta.content : ""};
    var init = {method: method, credentials: "same-origin", headers: headers};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    Object.keys(extraHeaders || {}).forEach(function (k) { headers[k] = extraHeaders[k]; });
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    }, function (networkError) {
      var error = new Error("The server could not be reached.");
      error.cause = networkError;
      throw error;
    });
  }

  /* Like request, but resolves to the data alone and rejects on any answer that is not OK,
   * with an Error whose message is the problem's detail; it carries .status and .problem. */
  function call(method, url, body) {
    return request(method, url, body).then(function (answer) {
      if (answer.ok) return answer.data;
      var data = answer.data;
      var error = new Error(data && data.detail ? data.detail
        : "The server answered " + answer.status + ".");
      error.status = answer.status;
      error.problem = data;
      throw error;
    });
  }

  /* A problem's detail and its errors' messages as one text; the fallback without a detail. */
  function problemText(data, fallback) {
    if (!data || !data.detail) return fallback;
    var extra = (data.errors || []).map(function (e) { return e.message; })
      .filter(function (m) { return m && m !== data.detail; });
    return [data.detail].concat(extra).join(" ");
  }

  window.shopApi = {request: request, call: call, problemText: problemText};
})();
