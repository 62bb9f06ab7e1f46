/* Offline reporting: the report form keeps working with no connection.
 *
 * A report sent with no connection is kept in IndexedDB (every field, photo included) under a
 * UUID made here, and sent by itself when the connection returns: from this page (page load,
 * the "online" event) or from the service worker (Background Sync), one at a time. A report
 * is removed from the device only when the answer is the "thank you" page, so it is never
 * lost; the UUID goes with it (X-Report-Id and client_report_id) so that the server can ignore
 * a second copy if an answer is lost after the report was saved.
 *
 * The first part is shared with the service worker (report-sw.js imports this file); the page
 * part runs only where there is a document. Every word people read comes from data- attributes
 * rendered by the templates, in their language. Without this script the form works as before.
 */
(function (scope) {
  "use strict";

  var DB_NAME = "pz-offline-reports";
  var STORE = "reports";
  var LOCK = "pz-offline-reports-send";
  var CHANNEL = "pz-offline-reports";
  var SYNC_TAG = "pz-send-reports";
  // Without Web Locks, a "sending" mark older than this is taken to be from a closed tab.
  var STALE_MS = 10 * 60 * 1000;
  var SKIPPED_FIELDS = ["csrfmiddlewaretoken", "client_report_id"];

  if (scope.PZOfflineReports) {
    // The page was replaced by document.write (an answer shown after sending online): the
    // shared part is already here; only bind the new document.
    if (typeof document !== "undefined" && scope.PZOfflineReports.bindPage) {
      scope.PZOfflineReports.bindPage();
    }
    return;
  }

  /* ---- IndexedDB ---- */

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("IndexedDB blocked")); };
    });
  }

  // Runs work(store, done) in one transaction; resolves with what work passed to done once
  // the transaction has committed.
  function transaction(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error || new Error("aborted")); };
        work(tx.objectStore(STORE), function (value) { result = value; });
      });
    });
  }

  function allEntries() {
    return transaction("readonly", function (store, done) {
      var request = store.getAll();
      request.onsuccess = function () {
        done(request.result.sort(function (a, b) { return a.createdAt - b.createdAt; }));
      };
    });
  }

  function getEntry(id) {
    return transaction("readonly", function (store, done) {
      var request = store.get(id);
      request.onsuccess = function () { done(request.result || null); };
    });
  }

  function putEntry(entry) {
    return transaction("readwrite", function (store) { store.put(entry); });
  }

  function removeEntry(id) {
    return transaction("readwrite", function (store) { store.delete(id); });
  }

  // Sets fields of a stored entry, if it is still there.
  function updateEntry(id, changes) {
    return transaction("readwrite", function (store) {
      var request = store.get(id);
      request.onsuccess = function () {
        if (request.result) {
          store.put(Object.assign(request.result, changes));
        }
      };
    });
  }

  /* ---- entries ---- */

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) {
      return scope.crypto.randomUUID();
    }
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // Every field of the form as [name, value] pairs; a file is kept as a Blob with its name.
  function fieldsOf(formData) {
    var fields = [];
    formData.forEach(function (value, name) {
      if (SKIPPED_FIELDS.indexOf(name) !== -1) {
        return;
      }
      if (typeof value === "string") {
        fields.push([name, value]);
      } else if (value.size > 0) {
        fields.push([name, { blob: value, filename: value.name || "photo", type: value.type }]);
      }
    });
    return fields;
  }

  function blobOf(value) {
    return value.blob || new Blob([value.buffer], { type: value.type });
  }

  function formDataOf(entry, token) {
    var data = new FormData();
    entry.fields.forEach(function (field) {
      if (typeof field[1] === "string") {
        data.append(field[0], field[1]);
      } else {
        data.append(field[0], blobOf(field[1]), field[1].filename);
      }
    });
    data.append("csrfmiddlewaretoken", token);
    data.append("client_report_id", entry.id);
    return data;
  }

  // Some browsers cannot keep a Blob in IndexedDB: keep the bytes instead.
  function saveEntry(entry) {
    return putEntry(entry).catch(function (error) {
      if (!error || error.name !== "DataCloneError") {
        throw error;
      }
      return Promise.all(entry.fields.map(function (field) {
        if (typeof field[1] === "string") {
          return field;
        }
        return field[1].blob.arrayBuffer().then(function (buffer) {
          return [field[0], { buffer: buffer, filename: field[1].filename, type: field[1].type }];
        });
      })).then(function (fields) {
        return putEntry(Object.assign({}, entry, { fields: fields }));
      });
    });
  }

  function withoutParam(url, name) {
    var parsed = new URL(url, scope.location.href);
    parsed.searchParams.delete(name);
    return parsed.pathname + parsed.search;
  }

  /* ---- sending ---- */

  function tokenIn(html) {
    var input = /<input[^>]*name=["']csrfmiddlewaretoken["'][^>]*>/i.exec(html);
    var value = input && /value=["']([^"']+)["']/i.exec(input[0]);
    return value ? value[1] : null;
  }

  // A token saved hours ago may no longer match the cookie: ask the form page for a new one.
  // no-store keeps the service worker and the HTTP cache out of it.
  function freshToken(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) {
        return { retry: true };
      }
      return response.text().then(function (html) { return { token: tokenIn(html) }; });
    });
  }

  function post(url, data, id) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Report-Id": id }
    });
  }

  // "done": the thank-you page; "check": the server wants the person (errors, or "Is it one of
  // these?"); "retry": anything else (rate limit, server error, CSRF) may pass later.
  function outcomeOf(status, html) {
    if (status === 200 && html.indexOf("data-report-done") !== -1) {
      return "done";
    }
    if (status === 400 || (status === 200 && html.indexOf("data-issue-report") !== -1)) {
      return "check";
    }
    return "retry";
  }

  function sendEntry(entry) {
    return freshToken(entry.url).then(function (fresh) {
      if (fresh.retry) {
        return "retry";
      }
      if (!fresh.token) {
        // The category is no longer offered: only the person can choose again.
        return "check";
      }
      return post(entry.url, formDataOf(entry, fresh.token), entry.id).then(function (response) {
        return response.text().then(function (html) { return outcomeOf(response.status, html); });
      });
    }, function () { return "retry"; }).catch(function () { return "retry"; });
  }

  // Marks the oldest sendable entry "sending" inside one readwrite transaction, so that two
  // tabs (or a tab and the service worker) never take the same one.
  function claimNext(haveLock) {
    var now = Date.now();
    return transaction("readwrite", function (store, done) {
      var request = store.getAll();
      request.onsuccess = function () {
        var entries = request.result.sort(function (a, b) { return a.createdAt - b.createdAt; });
        var next = entries.filter(function (entry) {
          return entry.status === "waiting" ||
            // With the lock held, nobody else is sending: a "sending" mark is from a closed tab.
            (entry.status === "sending" && (haveLock || now - entry.sendingAt > STALE_MS));
        })[0];
        if (next) {
          next.status = "sending";
          next.sendingAt = now;
          store.put(next);
        }
        done(next || null);
      };
    });
  }

  function announce() {
    if (typeof BroadcastChannel !== "undefined") {
      var channel = new BroadcastChannel(CHANNEL);
      channel.postMessage("changed");
      channel.close();
    }
    if (scope.PZOfflineReports.onChange) {
      scope.PZOfflineReports.onChange();
    }
  }

  function sendAll(haveLock) {
    var result = { sent: 0, check: 0, retry: false };
    function next() {
      return claimNext(haveLock).then(function (entry) {
        if (!entry) {
          return result;
        }
        return sendEntry(entry).then(function (outcome) {
          var settled;
          if (outcome === "done") {
            result.sent += 1;
            settled = removeEntry(entry.id);
          } else if (outcome === "check") {
            result.check += 1;
            settled = updateEntry(entry.id, { status: "check" });
          } else {
            result.retry = true;
            settled = updateEntry(entry.id, { status: "waiting" });
          }
          return settled.then(function () {
            announce();
            // Stop at the first failure: the connection is probably gone again.
            return result.retry ? result : next();
          });
        });
      });
    }
    return next();
  }

  var flushing = null;

  // Sends every waiting report, one at a time; one sender per device at once.
  function flush() {
    if (flushing) {
      return flushing;
    }
    var locks = scope.navigator && scope.navigator.locks;
    var run = locks
      ? locks.request(LOCK, { ifAvailable: true }, function (lock) {
        return lock ? sendAll(true) : { sent: 0, check: 0, retry: false, busy: true };
      })
      : sendAll(false);
    flushing = Promise.resolve(run).catch(function () {
      return { sent: 0, check: 0, retry: true };
    }).then(function (result) {
      flushing = null;
      return result;
    });
    return flushing;
  }

  scope.PZOfflineReports = {
    CHANNEL: CHANNEL,
    SYNC_TAG: SYNC_TAG,
    all: allEntries,
    flush: flush,
    remove: removeEntry
  };

  if (typeof document === "undefined") {
    return;
  }

  /* ---- the page ---- */

  // known: the ids waiting at the last look; one that has gone from the device since was sent
  // (by this page, another tab or the service worker).
  var page = { message: "", sent: 0, known: [], retryTimer: null };

  function box() {
    return document.querySelector("[data-offline-reports]");
  }

  function say(key) {
    var element = box();
    return (element && element.getAttribute("data-" + key)) || "";
  }

  // The templates render the waiting message for 1, 2 and 5 reports, in the page's language;
  // pick the one whose plural category matches and put the real number in.
  function waitingText(count) {
    var category = "other";
    try {
      category = new Intl.PluralRules(document.documentElement.lang || "en").select(count);
    } catch (error) { /* keep "other" */ }
    var sample = { one: 1, two: 2, few: 2 }[category] || 5;
    return say("waiting-" + sample).replace(String(sample), String(count));
  }

  function checkLink(entry) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    var url = new URL(entry.url, location.href);
    url.searchParams.set("restore", entry.id);
    link.className = "govuk-link";
    link.href = url.pathname + url.search;
    var time = new Date(entry.createdAt).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "medium", timeStyle: "short"
    });
    link.textContent = say("check").replace("{time}", time);
    item.appendChild(link);
    return item;
  }

  function render() {
    var element = box();
    if (!element) {
      return Promise.resolve();
    }
    return allEntries().then(function (entries) {
      var waiting = entries.filter(function (entry) { return entry.status !== "check"; }).length;
      var checks = entries.filter(function (entry) { return entry.status === "check"; });
      var ids = entries.map(function (entry) { return entry.id; });
      var gone = page.known.filter(function (id) { return ids.indexOf(id) === -1; }).length;
      if (gone) {
        page.sent += gone;
        page.message = "";
      }
      page.known = entries.filter(function (entry) { return entry.status !== "check"; })
        .map(function (entry) { return entry.id; });
      var status = element.querySelector("[data-offline-status]");
      var list = element.querySelector("[data-offline-check]");
      var parts = [page.message];
      if (waiting > 0) {
        parts.push(waitingText(waiting));
      } else if (page.sent > 0) {
        parts.push(say("sent"));
      }
      var text = parts.filter(Boolean).join(" ");
      element.setAttribute("data-waiting-count", String(waiting));
      element.setAttribute("data-check-count", String(checks.length));
      if (status && status.textContent !== text) {
        status.textContent = text;
      }
      if (list) {
        list.replaceChildren.apply(list, checks.map(checkLink));
        list.hidden = checks.length === 0;
      }
    }).catch(function () { /* no IndexedDB here: nothing can be waiting */ });
  }

  function sendWaiting() {
    if (!navigator.onLine) {
      return Promise.resolve();
    }
    return flush().then(function (result) {
      clearTimeout(page.retryTimer);
      if (result.retry && navigator.onLine) {
        page.retryTimer = setTimeout(sendWaiting, 60000);
      }
      return render();
    });
  }

  function askForBackgroundSync() {
    if (!("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.getRegistration(box() && box().getAttribute("data-sw-scope") || undefined).then(function (registration) {
      if (registration && registration.sync) {
        return registration.sync.register(SYNC_TAG);
      }
    }).catch(function () { /* Background Sync is a bonus: the page sends them too */ });
  }

  function focusStatus() {
    var status = box() && box().querySelector("[data-offline-status]");
    if (status) {
      status.setAttribute("tabindex", "-1");
      status.focus();
    }
  }

  function queue(form, entry) {
    return saveEntry(entry).then(function () {
      askForBackgroundSync();
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        // Start again from a clean form (and map) from the cache; say it there.
        sessionStorage.setItem("pz-offline-saved", entry.id);
        location.replace(withoutParam(location.href, "restore"));
        return;
      }
      form.reset();
      page.message = say("saved");
      return render().then(focusStatus);
    }, function () {
      page.message = say("not-saved");
      return render().then(focusStatus);
    });
  }

  // Shows the server's answer as the page, as a normal form post would.
  function show(html) {
    document.open();
    document.write(html);
    document.close();
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches("form[data-issue-report]") || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("data-sending") === "true") {
      return;
    }
    var restoring = form.querySelector("input[name=client_report_id]");
    var id = restoring ? restoring.value : uuid();
    var data = new FormData(form);
    var url = withoutParam(location.href, "restore");
    var entry = { id: id, url: url, createdAt: Date.now(), status: "waiting", fields: fieldsOf(data) };
    if (!navigator.onLine) {
      queue(form, entry);
      return;
    }
    data.set("client_report_id", id);
    form.setAttribute("data-sending", "true");
    post(url, data, id).then(function (response) {
      if (response.status !== 403) {
        return response;
      }
      // The page came from the cache and its token is old: once more with a fresh one.
      return freshToken(url).then(function (fresh) {
        if (!fresh.token) {
          return response;
        }
        data.set("csrfmiddlewaretoken", fresh.token);
        return post(url, data, id);
      });
    }).then(function (response) {
      return response.text().then(function (html) {
        // The person now has the server's answer in front of them: a copy kept on the
        // device for this report is no longer needed.
        var settled = restoring ? removeEntry(id).catch(function () {}) : Promise.resolve();
        return settled.then(function () { show(html); });
      });
    }, function () {
      // No answer at all: the network failed, whatever navigator.onLine said.
      form.removeAttribute("data-sending");
      return queue(form, entry);
    });
  }

  function fill(form, entry) {
    entry.fields.forEach(function (field) {
      var name = field[0];
      var value = field[1];
      var inputs = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
      Array.prototype.forEach.call(inputs, function (input) {
        if (typeof value !== "string") {
          if (input.type === "file" && typeof DataTransfer !== "undefined") {
            var files = new DataTransfer();
            files.items.add(new File([blobOf(value)], value.filename, { type: value.type }));
            input.files = files.files;
          }
        } else if (input.type === "checkbox" || input.type === "radio") {
          input.checked = input.value === value || (input.type === "checkbox" && value === "on");
        } else if (input.type !== "file") {
          input.value = value;
        }
      });
    });
    var hidden = form.querySelector("input[name=client_report_id]") || document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "client_report_id";
    hidden.value = entry.id;
    form.appendChild(hidden);
    // The pin map follows the latitude and longitude boxes.
    ["id_latitude", "id_longitude"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) {
        input.dispatchEvent(new Event("change"));
      }
    });
  }

  function restore(form) {
    var id = new URLSearchParams(location.search).get("restore");
    if (!id || !form) {
      return Promise.resolve();
    }
    return getEntry(id).then(function (entry) {
      if (entry) {
        fill(form, entry);
        page.message = say("restored");
      }
    }).catch(function () {});
  }

  // A page from the cache may be the plain one for its category: keep the audit or zone of
  // the address on the links between the report pages.
  function keepContext() {
    var params = new URLSearchParams(location.search);
    var context = ["audit", "zone"].filter(function (name) { return params.get(name); })[0];
    if (!context) {
      return;
    }
    document.querySelectorAll("main a[href^='?'], a.govuk-back-link[href^='?']").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), location.href);
      if (!url.searchParams.get("audit") && !url.searchParams.get("zone")) {
        url.searchParams.set(context, params.get(context));
        link.setAttribute("href", url.search);
      }
    });
  }

  function registerWorker() {
    var element = box();
    var script = element && element.getAttribute("data-sw-url");
    if (!script || !("serviceWorker" in navigator)) {
      return;
    }
    navigator.serviceWorker.register(script, { scope: element.getAttribute("data-sw-scope") || "/" })
      .catch(function () { /* the page still queues reports while it is open */ });
  }

  // document.open() (see show) erases the listeners of the document and the window: bind
  // them again with each document.
  function bindPage() {
    document.addEventListener("submit", onSubmit);
    window.addEventListener("online", sendWaiting);
    page.message = "";
    var saved = sessionStorage.getItem("pz-offline-saved");
    if (saved) {
      sessionStorage.removeItem("pz-offline-saved");
      page.message = say("saved");
    }
    keepContext();
    registerWorker();
    restore(document.querySelector("form[data-issue-report]"))
      .then(render)
      .then(function () {
        if (saved) {
          focusStatus();
        }
        return sendWaiting();
      });
  }

  scope.PZOfflineReports.bindPage = bindPage;
  scope.PZOfflineReports.onChange = render;
  if (!("indexedDB" in scope)) {
    return;
  }
  if (typeof BroadcastChannel !== "undefined") {
    new BroadcastChannel(CHANNEL).onmessage = render;
  }
  bindPage();
})(self);
