/* Zone maps: outlines of People Zones on a Leaflet map.
 * The page lists everything the map shows, so the map only adds a picture of where things are.
 * With no tile server (or when tiles fail to load) the outlines still show on a plain ground. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function initMap(element) {
    var source = document.getElementById(element.dataset.mapSource);
    if (!source || typeof L === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var map = L.map(element, { scrollWheelZoom: false });
    var tileUrl = element.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: element.dataset.tileAttribution || ""
      }).addTo(map);
    }
    var layer = L.geoJSON(data, {
      style: function () {
        return { color: "#1d70b8", weight: 3, fillColor: "#1d70b8", fillOpacity: 0.15 };
      },
      onEachFeature: function (feature, featureLayer) {
        var props = feature.properties || {};
        if (props.url && props.name) {
          featureLayer.bindPopup(
            '<a class="govuk-link" href="' + escapeHtml(props.url) + '">' + escapeHtml(props.name) + "</a>"
          );
        }
        if (props.name) {
          featureLayer.bindTooltip(escapeHtml(props.name), { sticky: true });
        }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16] });
    } else {
      map.setView([52.64, -1.13], 10);
    }
    element.classList.add("pz-map--ready");
  }

  function initAll() {
    var maps = document.querySelectorAll("[data-zone-map]");
    for (var i = 0; i < maps.length; i++) {
      initMap(maps[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
