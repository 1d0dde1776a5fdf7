// Maps on the portal: a progressive enhancement. Without JavaScript or tiles the list of reports and the address
// field do everything. "Reports near you" gets markers for the listed reports; the location page ("Where is it?")
// gets a marker the person places by clicking or dragging (it sets the hidden lat/long and fills the address from
// the register), and address suggestions from the register, which work even when no map is drawn.
(() => {
  "use strict";

  function drawMap(box) {
    if (!window.L || !box.dataset.tiles) return null;
    box.hidden = false;
    // People who asked their system for less motion get popups and zooms without fades or slides.
    const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const map = window.L.map(box, {
      keyboard: true, fadeAnimation: !still, zoomAnimation: !still, markerZoomAnimation: !still, zoomControl: false,
    }).setView(
      [Number(box.dataset.lat), Number(box.dataset.long)], Number(box.dataset.zoom));
    // The zoom buttons and the credit in the page's language (Leaflet's own words are English).
    window.L.control.zoom({
      zoomInTitle: box.dataset.textZoomIn || "Zoom in", zoomOutTitle: box.dataset.textZoomOut || "Zoom out",
    }).addTo(map);
    const credit = map.attributionControl.options.prefix;
    if (credit) map.attributionControl.setPrefix(credit.replace(/ title="[^"]*"/, "")); // its title is English
    window.L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
    return map;
  }

  // A popup's content from text only: nothing from a report is ever read as markup.
  function popup(report) {
    const div = document.createElement("div");
    for (const [text, strong] of [[report.service, true], [report.status, false], [report.reported, false], [report.address, false]]) {
      if (!text) continue;
      const p = document.createElement("p");
      p.style.margin = "0";
      if (strong) {
        const b = document.createElement("strong");
        b.textContent = text;
        p.append(b);
      } else {
        p.textContent = text;
      }
      div.append(p);
    }
    return div;
  }

  const CLUSTER_PX = 40; // reports closer than this on screen are drawn as one numbered marker

  // Reports that would overlap at this zoom, grouped: each group is one marker (a numbered circle that zooms in
  // on them when chosen), so a hundred pins never hide each other. Redrawn after every zoom or move.
  function clusters(map, reports) {
    const groups = [];
    for (const report of reports) {
      const at = map.latLngToLayerPoint([report.lat, report.long]);
      const near = groups.find((g) => g.at.distanceTo(at) < CLUSTER_PX);
      if (near) near.reports.push(report);
      else groups.push({ at, reports: [report] });
    }
    return groups;
  }

  function clusterMarker(map, group, words) {
    const bounds = window.L.latLngBounds(group.reports.map((r) => [r.lat, r.long]));
    const label = words.replace("{n}", String(group.reports.length));
    const icon = window.L.divIcon({
      className: "ts-map-cluster",
      html: `<span aria-hidden="true">${group.reports.length}</span>`,
      iconSize: [36, 36],
    });
    const marker = window.L.marker(bounds.getCenter(), { icon, title: label, alt: label, keyboard: true });
    marker.on("click", () => {
      if (map.getBoundsZoom(bounds, false, window.L.point(30, 30)) <= map.getZoom()) {
        const list = document.createElement("div");
        for (const r of group.reports) list.append(popup(r));
        marker.bindPopup(list).openPopup(); // no closer zoom separates them: list them instead
      } else {
        map.fitBounds(bounds, { padding: [30, 30] });
      }
    });
    const element = () => marker.getElement();
    marker.on("add", () => { element()?.setAttribute("aria-label", label); element()?.setAttribute("role", "button"); });
    return marker;
  }

  function reportsMap(box) {
    const map = drawMap(box);
    if (!map) return;
    const data = JSON.parse(document.getElementById("map-reports")?.textContent || "[]");
    const words = box.dataset.clusterLabel || "{n} reports here: zoom in";
    const layer = window.L.layerGroup().addTo(map);
    const draw = () => {
      layer.clearLayers();
      for (const group of clusters(map, data)) {
        if (group.reports.length === 1) {
          const report = group.reports[0];
          const marker = window.L.marker([report.lat, report.long], { title: `${report.service}: ${report.address || report.ref}`, alt: report.service });
          marker.bindPopup(popup(report)).addTo(layer);
        } else {
          clusterMarker(map, group, words).addTo(layer);
        }
      }
    };
    const points = data.map((report) => [report.lat, report.long]);
    if (points.length) map.fitBounds(points, { maxZoom: Number(box.dataset.zoom), padding: [30, 30] });
    map.on("zoomend", draw);
    draw();
  }

  async function lookup(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return [];
    const data = await response.json().catch(() => ({}));
    return Array.isArray(data.places) ? data.places : [];
  }

  function locationPage(address) {
    const lat = document.querySelector("[data-location-lat]");
    const long = document.querySelector("[data-location-long]");
    const status = document.querySelector("[data-location-status]");
    const box = document.querySelector("[data-map=location]");
    const base = address.dataset.places;
    let marker = null;
    let map = null;
    const say = (text) => { if (status) status.textContent = text; };
    const fire = (el) => el.dispatchEvent(new Event("input", { bubbles: true }));

    function setPoint(latlng, { fillAddress }) {
      if (lat) lat.value = latlng.lat.toFixed(6);
      if (long) long.value = latlng.lng.toFixed(6);
      if (map) {
        if (!marker) {
          marker = window.L.marker(latlng, { draggable: true, keyboard: true, title: box.dataset.textMarker, alt: box.dataset.textMarker }).addTo(map);
          marker.on("dragend", () => setPoint(marker.getLatLng(), { fillAddress: true }));
        } else {
          marker.setLatLng(latlng);
        }
      }
      if (!fillAddress) return;
      lookup(`${base}?lat=${encodeURIComponent(lat.value)}&long=${encodeURIComponent(long.value)}`).then((found) => {
        if (found.length) {
          address.value = found[0].address;
          fire(address); // autosave; our own listener below ignores it
          say(status?.dataset.textFound.replace("{address}", found[0].address) || "");
        } else {
          say(status?.dataset.textNone || "");
        }
      });
    }

    if (box) {
      map = drawMap(box);
      if (map) {
        if (lat?.value && long?.value) {
          const here = window.L.latLng(Number(lat.value), Number(long.value));
          setPoint(here, { fillAddress: false });
          map.setView(here, map.getZoom());
        }
        map.on("click", (event) => setPoint(event.latlng, { fillAddress: true }));
      }
    }

    // "Use my location": only where the browser can tell; the address field stays the way that always works.
    const useButton = document.querySelector("[data-use-location]");
    if (useButton && navigator.geolocation) {
      useButton.closest("[data-use-location-wrap]").hidden = false;
      useButton.addEventListener("click", () => {
        say(useButton.dataset.textLocating);
        navigator.geolocation.getCurrentPosition(
          (position) => {
            const here = { lat: position.coords.latitude, lng: position.coords.longitude };
            setPoint(here, { fillAddress: true });
            if (map) map.setView([here.lat, here.lng], Math.max(map.getZoom(), 17));
          },
          () => say(useButton.dataset.textDenied),
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
        );
      });
    }

    // Suggestions from the register in a datalist; choosing one places the point too.
    const list = document.createElement("datalist");
    list.id = `${address.id}-suggestions`;
    address.after(list);
    address.setAttribute("list", list.id);
    let known = new Map();
    let timer = null;
    address.addEventListener("input", (event) => {
      if (!event.isTrusted) return;
      const chosen = known.get(address.value);
      if (chosen) {
        setPoint({ lat: chosen.lat, lng: chosen.long }, { fillAddress: false });
        if (map) map.setView([chosen.lat, chosen.long], map.getZoom());
        return;
      }
      // A newly typed address is placed again when the page is sent, unless the map is used afterwards.
      if (lat) lat.value = "";
      if (long) long.value = "";
      if (marker && map) { map.removeLayer(marker); marker = null; }
      window.clearTimeout(timer);
      const text = address.value.trim();
      if (text.length < 3) return;
      timer = window.setTimeout(async () => {
        const found = await lookup(`${base}?q=${encodeURIComponent(text)}`);
        known = new Map(found.map((p) => [p.address, p]));
        list.replaceChildren(...found.map((p) => Object.assign(document.createElement("option"), { value: p.address })));
      }, 250);
    });
  }

  const reports = document.querySelector("[data-map=reports]");
  if (reports) reportsMap(reports);
  const address = document.querySelector("[data-location-address]");
  if (address) locationPage(address);
})();
