/* The map page (pathways.site.map_page): draws the JSON island #map-data with Leaflet and filters
   the map and the tables by need. Directory text only ever goes in as textContent, never HTML.
   Base tiles (OpenStreetMap) are requested only when the browser says it is online; without
   them the districts and sites are drawn on a plain background and the tables list everything. */
(function () {
  "use strict";
  var island = document.getElementById("map-data");
  var select = document.getElementById("map-need");
  var status = document.getElementById("map-status");
  if (!island || !select) {
    return;
  }
  var data = JSON.parse(island.textContent);
  var ALL = "all";

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    return node;
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function needLabel(need) {
    if (need === ALL) {
      return "all needs";
    }
    for (var i = 0; i < data.needs.length; i++) {
      if (data.needs[i].id === need) {
        return data.needs[i].label;
      }
    }
    return need;
  }

  function pathwayList(ids) {
    var list = el("ul");
    ids.forEach(function (id) {
      var p = data.pathways[id];
      if (!p) {
        return;
      }
      var item = el("li");
      item.appendChild(el("a", p.name, { href: p.url }));
      item.appendChild(document.createTextNode(" (" + p.agency + "; " + p.delivery + ")"));
      list.appendChild(item);
    });
    return list;
  }

  function districtPopup(d, need, ids) {
    var box = el("div", null, { "class": "pw-map-popup" });
    box.appendChild(el("strong", d.label));
    box.appendChild(el("p", ids.length + " pathway" + (ids.length === 1 ? "" : "s") +
      " for " + needLabel(need) + " (district centre, not a boundary)"));
    var unmet = d.unmet[need];
    if (unmet && data.period) {
      box.appendChild(el("p", "Demand " + data.period + ": " + unmet));
    }
    box.appendChild(pathwayList(ids.slice(0, 12)));
    if (ids.length > 12) {
      box.appendChild(el("p", "and " + (ids.length - 12) + " more: see the district page."));
    }
    box.appendChild(el("a", "District page", { href: d.url }));
    return box;
  }

  function sitePopup(s, ids) {
    var box = el("div", null, { "class": "pw-map-popup" });
    box.appendChild(el("strong", s.name));
    box.appendChild(el("p", s.agency + (s.approximate ? " (approximate location)" : "")));
    box.appendChild(pathwayList(ids));
    return box;
  }

  var map = null;
  var layer = null;
  if (window.L && document.getElementById("pathways-map")) {
    map = L.map("pathways-map", { scrollWheelZoom: false });
    var points = data.districts.map(function (d) { return [d.lat, d.lon]; })
      .concat(data.sites.map(function (s) { return [s.lat, s.lon]; }));
    map.fitBounds(L.latLngBounds(points).pad(0.08));
    if (navigator.onLine) {
      var tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 18,
        attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">" +
          "OpenStreetMap</a> contributors"
      });
      tiles.once("tileerror", function () {
        document.getElementById("pathways-map").classList.add("pw-map-no-tiles");
      });
      tiles.addTo(map);
    } else {
      document.getElementById("pathways-map").classList.add("pw-map-no-tiles");
    }
    layer = L.layerGroup().addTo(map);
  }

  var middle = data.districts.reduce(function (sum, d) { return sum + d.lon; }, 0) /
    Math.max(1, data.districts.length);

  function drawMap(need) {
    if (!layer) {
      return 0;
    }
    layer.clearLayers();
    var drawn = 0;
    data.districts.forEach(function (d) {
      var ids = d.pathways[need] || [];
      var circle = L.circleMarker([d.lat, d.lon], {
        radius: 12 + 3 * Math.sqrt(ids.length),
        className: "pw-map-district" + (ids.length ? "" : " pw-map-none"),
        weight: 2
      });
      // labels point away from the middle of the county, so neighbouring centres do not collide
      circle.bindTooltip(d.label + ": " + ids.length, { permanent: true,
        direction: d.lon < middle ? "left" : "right", className: "pw-map-label" });
      circle.bindPopup(districtPopup(d, need, ids));
      layer.addLayer(circle);
    });
    data.sites.forEach(function (s) {
      var ids = s.pathways.filter(function (id) {
        var p = data.pathways[id];
        return p && (need === ALL || p.needs.indexOf(need) >= 0);
      });
      if (!ids.length) {
        return;
      }
      var dot = L.circleMarker([s.lat, s.lon], {
        radius: 6,
        className: "pw-map-site" + (s.approximate ? " pw-map-approximate" : ""),
        weight: 2
      });
      dot.bindPopup(sitePopup(s, ids));
      layer.addLayer(dot);
      drawn += 1;
    });
    return drawn;
  }

  function filterTables(need) {
    var rows = document.querySelectorAll("tr[data-needs]");
    Array.prototype.forEach.call(rows, function (row) {
      row.hidden = need !== ALL && row.getAttribute("data-needs").split(" ").indexOf(need) < 0;
    });
    data.districts.forEach(function (d) {
      var row = document.querySelector("tr[data-district=\"" + d.id + "\"]");
      if (!row) {
        return;
      }
      var count = row.querySelector(".map-count");
      if (count) {
        count.textContent = String((d.pathways[need] || []).length);
      }
      var unmet = row.querySelector(".map-unmet");
      if (unmet) {
        unmet.textContent = d.unmet[need] || "no demand";
      }
    });
  }

  function show(need) {
    if (need !== ALL && !data.needs.some(function (n) { return n.id === need; })) {
      need = ALL;
    }
    select.value = need;
    var sites = drawMap(need);
    filterTables(need);
    say(map ? sites + " site" + (sites === 1 ? "" : "s") + " shown for " + needLabel(need)
      : "The map could not be drawn; the tables below list everything.");
  }

  select.addEventListener("change", function () {
    var need = select.value;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", need === ALL ? "#" : "#need=" + need);
    }
    show(need);
  });
  var asked = /^#need=([a-z0-9_]+)$/.exec(window.location.hash);
  show(asked ? asked[1] : ALL);
}());
