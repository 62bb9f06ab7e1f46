/* Asset maps: clustered markers of the results, a single point, and the pin picker.
 * Every map repeats what the page already says in text; without JavaScript the page still
 * works (the list of results, the latitude and longitude boxes). */
(function () {
  "use strict";

  var LEICESTERSHIRE = [52.66, -1.2];

  function baseMap(element, options) {
    var map = L.map(element, Object.assign({ scrollWheelZoom: false }, options || {}));
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    return map;
  }

  function boundaryLayer(element, map) {
    var source = element.dataset.boundarySource && document.getElementById(element.dataset.boundarySource);
    var data = source ? JSON.parse(source.textContent) : null;
    if (!data) {
      return null;
    }
    return L.geoJSON(data, {
      interactive: false,
      style: { color: "#1d70b8", weight: 3, fillOpacity: 0.05 }
    }).addTo(map);
  }

  function link(url, text) {
    var a = document.createElement("a");
    a.className = "govuk-link";
    a.href = url;
    a.textContent = text;
    return a;
  }

  function initResultsMap(element) {
    var map = baseMap(element);
    var boundary = boundaryLayer(element, map);
    var clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    map.addLayer(clusters);
    map.setView(LEICESTERSHIRE, 10);
    fetch(element.dataset.pointsUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var markers = data.points.map(function (point) {
          var marker = L.circleMarker([point.lat, point.lon], {
            radius: 8, weight: 2, color: "#0b0c0c", fillColor: point.colour, fillOpacity: 0.9
          });
          marker.bindPopup(function () { return link(point.url || "/assets/" + point.id + "/", point.name); });
          return marker;
        });
        clusters.addLayers(markers);
        var bounds = boundary ? boundary.getBounds() : null;
        if (markers.length) {
          var markerBounds = clusters.getBounds();
          bounds = bounds ? bounds.extend(markerBounds) : markerBounds;
        }
        if (bounds && bounds.isValid()) {
          map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
        }
        element.classList.add("pz-map--ready");
        element.dataset.markers = String(markers.length);
      })
      .catch(function () {
        element.classList.add("pz-map--ready");
      });
  }

  function initSinglePoint(element) {
    var lat = parseFloat(element.dataset.lat);
    var lon = parseFloat(element.dataset.lon);
    var map = baseMap(element);
    map.setView([lat, lon], 16);
    L.circleMarker([lat, lon], { radius: 9, weight: 3, color: "#0b0c0c", fillColor: "#1d70b8", fillOpacity: 0.9 })
      .bindTooltip(element.dataset.name || "")
      .addTo(map);
    element.classList.add("pz-map--ready");
  }

  function initPinMap(element) {
    var latInput = document.getElementById("id_latitude");
    var lonInput = document.getElementById("id_longitude");
    var map = baseMap(element);
    var boundary = boundaryLayer(element, map);
    var marker = null;

    function place(latlng, pan) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: element.getAttribute("aria-label") }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), false); });
      } else {
        marker.setLatLng(latlng);
      }
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
      if (pan) {
        map.panTo(latlng);
      }
    }

    var lat = parseFloat(latInput.value);
    var lon = parseFloat(lonInput.value);
    if (!isNaN(lat) && !isNaN(lon)) {
      map.setView([lat, lon], 16);
      place(L.latLng(lat, lon), false);
    } else if (boundary && boundary.getBounds().isValid()) {
      map.fitBounds(boundary.getBounds());
    } else {
      map.setView(LEICESTERSHIRE, 10);
    }
    map.on("click", function (event) { place(event.latlng, false); });
    var form = element.closest("form");
    var photo = form && form.querySelector("input[type=file][name=photo]");
    if (photo && form.dataset.photoLocationUrl && window.fetch && window.FormData) {
      // A photo's GPS tag only suggests the pin, and only when none is placed yet.
      photo.addEventListener("change", function () {
        if (!photo.files.length || latInput.value || lonInput.value) {
          return;
        }
        var data = new FormData();
        data.append("photo", photo.files[0]);
        var token = form.querySelector("input[name=csrfmiddlewaretoken]");
        fetch(form.dataset.photoLocationUrl, {
          method: "POST",
          body: data,
          headers: token ? { "X-CSRFToken": token.value } : {},
          credentials: "same-origin"
        })
          .then(function (response) { return response.ok ? response.json() : {}; })
          .then(function (point) {
            if (typeof point.lat === "number" && !latInput.value) {
              map.setView([point.lat, point.lon], 17);
              place(L.latLng(point.lat, point.lon), false);
              var said = form.querySelector("[data-locate-status]");
              if (said) {
                said.textContent = form.dataset.photoPlaced || "";
              }
            }
          })
          .catch(function () {});
      });
    }
    var locate = form && form.querySelector("[data-locate]");
    var status = form && form.querySelector("[data-locate-status]");
    if (locate && "geolocation" in navigator) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            locate.disabled = false;
            map.setView([position.coords.latitude, position.coords.longitude], 18);
            place(L.latLng(position.coords.latitude, position.coords.longitude), false);
            var accuracy = document.getElementById("id_accuracy_m");
            if (accuracy) {
              accuracy.value = Math.round(position.coords.accuracy);
            }
            if (status) {
              status.textContent = "";
            }
          },
          function () {
            locate.disabled = false;
            if (status) {
              status.textContent = locate.dataset.failed || "";
            }
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      });
    }
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var la = parseFloat(latInput.value);
        var lo = parseFloat(lonInput.value);
        if (!isNaN(la) && !isNaN(lo)) {
          place(L.latLng(la, lo), true);
        }
      });
    });
    element.classList.add("pz-map--ready");
  }

  function initNearMe(form) {
    var button = form.querySelector("[data-near-me]");
    var status = document.querySelector("[data-near-status]");
    if (!button || !("geolocation" in navigator)) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("[data-near-lat]").value = position.coords.latitude.toFixed(5);
          form.querySelector("[data-near-lon]").value = position.coords.longitude.toFixed(5);
          form.submit();
        },
        function () {
          button.disabled = false;
          if (status) {
            status.classList.remove("govuk-visually-hidden");
            status.textContent = button.dataset.failed || "Your location is not available: type a postcode instead.";
          }
        },
        { timeout: 10000 }
      );
    });
  }

  function init() {
    if (typeof L === "undefined") {
      return;
    }
    document.querySelectorAll("[data-asset-map]").forEach(initResultsMap);
    document.querySelectorAll("[data-single-point]").forEach(initSinglePoint);
    document.querySelectorAll("[data-pin-map]").forEach(initPinMap);
    document.querySelectorAll("[data-asset-filters]").forEach(initNearMe);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
