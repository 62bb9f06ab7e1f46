/* Service worker for offline reporting (served at /report-sw.js by audits.views.offline).
 *
 * The view puts `self.PZ_OFFLINE = {version, reportPath, pages, assets, pageScript}` in front
 * of this file. On install it caches exactly those GET addresses: the report pages for the
 * categories people can report now, and the static files they use. It answers:
 *   - the listed static files: cache first (their names carry a hash in production);
 *   - a visit to a report page: network first, then the cached copy (the same page without
 *     `restore`, else the page for its category, else step one) when there is no connection.
 * Nothing else passes through it: no POST, no API, no other page, no map tiles.
 * Background Sync sends the reports waiting on the device (offline-reports.js does it).
 */
(function () {
  "use strict";

  var config = self.PZ_OFFLINE;
  if (!config) {
    return;
  }
  var PREFIX = "pz-report-";
  var CACHE = PREFIX + config.version;
  // On a poor connection, show the cached page rather than wait for ever.
  var NETWORK_TIMEOUT_MS = 6000;

  function absolute(url) {
    return new URL(url, self.location.href).href;
  }

  var pages = new Set(config.pages.map(absolute));
  var assets = new Set(config.assets.map(absolute));

  try {
    importScripts(config.pageScript);
  } catch (error) {
    // Without it there is no Background Sync; the report pages still send what is waiting.
  }

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      function add(url) {
        return cache.add(new Request(url, { cache: "reload", credentials: "same-origin" }));
      }
      // The pages must all be cached (else installing fails and is tried again later); a
      // missing picture or style must not keep the whole thing from working.
      return Promise.all([
        Promise.all(Array.from(pages).map(add)),
        Promise.all(Array.from(assets).map(function (url) { return add(url).catch(function () {}); }))
      ]);
    }).then(function () { return self.skipWaiting(); }));
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); }));
  });

  // The listed page this address shows (the same page with `restore` is the same page).
  function listedPage(url) {
    var parsed = new URL(url);
    parsed.searchParams.delete("restore");
    parsed.hash = "";
    return pages.has(parsed.href) ? parsed.href : null;
  }

  function cachedPage(url) {
    var parsed = new URL(url);
    var category = parsed.searchParams.get("category");
    var candidates = [listedPage(url)];
    if (category) {
      candidates.push(absolute(config.reportPath + "?" + new URLSearchParams({ category: category })));
    }
    candidates.push(absolute(config.reportPath));
    return caches.open(CACHE).then(function (cache) {
      return candidates.filter(Boolean).reduce(function (found, candidate) {
        return found.then(function (response) {
          return response || (pages.has(candidate) ? cache.match(candidate, { ignoreVary: true }) : undefined);
        });
      }, Promise.resolve(undefined));
    });
  }

  function networkFirst(event) {
    var request = event.request;
    var listed = listedPage(request.url);
    var network = fetch(request).then(function (response) {
      if (listed && response.ok && response.type === "basic" && !response.redirected) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(listed, copy); }));
      }
      return response;
    });
    return new Promise(function (resolve) {
      var settled = false;
      function settle(response) {
        if (!settled && response) {
          settled = true;
          resolve(response);
        }
      }
      var timer = setTimeout(function () { cachedPage(request.url).then(settle); }, NETWORK_TIMEOUT_MS);
      network.then(function (response) {
        clearTimeout(timer);
        settle(response);
      }, function () {
        clearTimeout(timer);
        cachedPage(request.url).then(function (cached) { settle(cached || Response.error()); });
      });
    });
  }

  function cacheFirst(request) {
    return caches.match(request, { cacheName: CACHE, ignoreVary: true }).then(function (cached) {
      return cached || fetch(request);
    });
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    // no-store: offline-reports.js asking for a fresh CSRF token must reach the server.
    if (request.method !== "GET" || request.cache === "no-store") {
      return;
    }
    var url = new URL(request.url);
    url.hash = "";
    if (assets.has(url.href)) {
      event.respondWith(cacheFirst(request));
    } else if (request.mode === "navigate" && url.origin === self.location.origin &&
               url.pathname === config.reportPath) {
      event.respondWith(networkFirst(event));
    }
  });

  self.addEventListener("sync", function (event) {
    if (event.tag !== "pz-send-reports" || !self.PZOfflineReports) {
      return;
    }
    event.waitUntil(self.PZOfflineReports.flush().then(function (result) {
      if (result && result.retry) {
        // Ask the browser to try again later.
        throw new Error("Some reports are still waiting.");
      }
    }));
  });
})();
