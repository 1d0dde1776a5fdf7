// The hotspot map on the dashboards: drawn from the table beside it, which stays the page's content (without
// JavaScript or map tiles, the table is all there is). Each cell of the grid is a square shaded by its share of
// the busiest cell's reports; its popup repeats the table's row as text.
(() => {
  "use strict";

  function draw(box, table) {
    if (!window.L || !box.dataset.tiles) return;
    const rows = Array.from(table.querySelectorAll("tbody tr[data-lat]"));
    if (!rows.length) return;
    box.hidden = false;
    const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const map = window.L.map(box, { keyboard: true, fadeAnimation: !still, zoomAnimation: !still });
    window.L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
    const size = Number(box.dataset.cell || "0.01");
    const busiest = Math.max(...rows.map((row) => Number(row.dataset.reports)));
    const bounds = [];
    for (const row of rows) {
      const south = Number(row.dataset.lat);
      const west = Number(row.dataset.long);
      const reports = Number(row.dataset.reports);
      const cell = [[south, west], [south + size, west + size]];
      const square = window.L.rectangle(cell, {
        color: "#0b0c0c", weight: 1, fillColor: "#d4351c", fillOpacity: 0.15 + 0.65 * (reports / busiest),
      }).addTo(map);
      const text = document.createElement("p");
      text.style.margin = "0";
      text.textContent = Array.from(row.cells).map((c) => c.textContent.trim()).filter(Boolean).join(" · ");
      square.bindPopup(text);
      bounds.push(...cell);
    }
    map.fitBounds(bounds, { padding: [12, 12] });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.getElementById("hotspot-map");
    const table = document.getElementById("hotspots");
    if (box && table) draw(box, table);
  });
})();
