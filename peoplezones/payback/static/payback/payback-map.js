/* Payback planner maps: sites, welfare facilities and the area within the walking time, and a
 * pin picker for the site and facility forms. The tables on the page hold everything the map
 * shows, and the forms take a typed latitude and longitude, so nothing needs this script. */
(function () {
  "use strict";

  var LEICESTERSHIRE = [52.66, -1.2];

  function baseMap(element) {
    var map = L.map(element, { scrollWheelZoom: false });
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution || "" }).addTo(map);
    }
    return map;
  }

  function link(url, text) {
    var a = document.createElement("a");
    a.className = "govuk-link";
    a.href = url;
    a.textContent = text;
    return a;
  }

  function initPlanMap(element) {
    var source = document.getElementById(element.dataset.mapSource);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var map = baseMap(element);
    // Layers are added to the map once it has a view: a circle cannot be drawn before.
    var layers = L.featureGroup();
    var bounds = L.latLngBounds([]);
    var counts = { site: 0, facility: 0, reach: 0 };
    data.features.forEach(function (feature) {
      var props = feature.properties || {};
      var coords = feature.geometry.coordinates;
      if (props.kind === "reach") {
        coords.forEach(function (line) {
          line.forEach(function (point) { bounds.extend([point[1], point[0]]); });
        });
        L.geoJSON(feature, {
          interactive: false,
          style: { color: "#00703c", weight: 4, opacity: 0.8 }
        }).addTo(layers);
        counts.reach += 1;
        return;
      }
      var latlng = L.latLng(coords[1], coords[0]);
      bounds.extend(latlng);
      var marker;
      if (props.kind === "facility") {
        if (props.radius_m && props.eligible) {
          L.circle(latlng, {
            radius: props.radius_m,
            interactive: false,
            color: "#00703c",
            weight: 1,
            fillColor: "#00703c",
            fillOpacity: 0.08
          }).addTo(layers);
        }
        marker = L.circleMarker(latlng, {
          radius: 7, weight: 2, color: "#0b0c0c", fillColor: props.eligible ? "#1d70b8" : "#b1b4b6", fillOpacity: 1
        });
        counts.facility += 1;
      } else {
        marker = L.circleMarker(latlng, {
          radius: 9, weight: 2, color: "#0b0c0c", fillColor: props.qualifies ? "#00703c" : "#d4351c", fillOpacity: 0.95
        });
        counts.site += 1;
      }
      var label = (props.kind === "facility" ? element.dataset.labelFacility : element.dataset.labelSite) || "";
      marker.bindTooltip(label + ": " + props.name);
      marker.bindPopup(function () { return link(props.url, props.name); });
      marker.addTo(layers);
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    } else {
      map.setView(LEICESTERSHIRE, 10);
    }
    layers.addTo(map);
    element.dataset.sites = String(counts.site);
    element.dataset.facilities = String(counts.facility);
    element.dataset.reach = String(counts.reach);
    element.classList.add("pz-map--ready");
  }

  function initPinMap(element) {
    var latInput = document.getElementById(element.dataset.latInput || "id_latitude");
    var lonInput = document.getElementById(element.dataset.lonInput || "id_longitude");
    if (!latInput || !lonInput) {
      return;
    }
    var map = baseMap(element);
    var marker = null;

    function place(latlng) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: element.getAttribute("aria-label") }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
    }

    var lat = parseFloat(latInput.value);
    var lon = parseFloat(lonInput.value);
    if (!isNaN(lat) && !isNaN(lon)) {
      map.setView([lat, lon], 16);
      place(L.latLng(lat, lon));
    } else {
      map.setView(LEICESTERSHIRE, 10);
    }
    map.on("click", function (event) { place(event.latlng); });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var la = parseFloat(latInput.value);
        var lo = parseFloat(lonInput.value);
        if (!isNaN(la) && !isNaN(lo)) {
          place(L.latLng(la, lo));
          map.panTo([la, lo]);
        }
      });
    });
    element.classList.add("pz-map--ready");
  }

  function init() {
    if (typeof L === "undefined") {
      return;
    }
    document.querySelectorAll("[data-payback-map]").forEach(initPlanMap);
    document.querySelectorAll("[data-payback-pin]").forEach(initPinMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
