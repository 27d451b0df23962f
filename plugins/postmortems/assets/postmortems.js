/* Filter and sort the incident tables of the post-mortem site, in the page, offline.
 *
 * Markup (generated): <div data-pm-table> holding an optional <form class="pm-filter">
 * (an input[data-pm-text], selects[data-pm-field=...], an output[data-pm-count]) and a
 * table whose sortable <th> carry data-pm-sort="text|number" and whose rows carry
 * data-severity, data-status and data-services; a cell's sort key is its data-value,
 * else its text.
 */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
  }

  function compare(kind, a, b) {
    if (kind === "number") {
      var x = a === "" ? Infinity : Number(a);
      var y = b === "" ? Infinity : Number(b);
      return x - y;
    }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function setupSort(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      var kind = th.getAttribute("data-pm-sort");
      if (!kind || th.querySelector(".pm-sort")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pm-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") === "ascending";
        Array.prototype.forEach.call(headers, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(kind, cellValue(r1, index), cellValue(r2, index));
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function setupFilter(container, table) {
    var form = container.querySelector(".pm-filter");
    if (!form) return;
    var text = form.querySelector("[data-pm-text]");
    var selects = form.querySelectorAll("select[data-pm-field]");
    var count = form.querySelector("[data-pm-count]");
    var rows = table.tBodies[0].rows;

    function apply() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var visible = Array.prototype.every.call(selects, function (select) {
          if (!select.value) return true;
          var values = (row.getAttribute("data-" + select.getAttribute("data-pm-field")) || "").split(" ");
          return values.indexOf(select.value) !== -1;
        });
        if (visible && words.length) {
          var haystack = row.textContent.toLowerCase();
          visible = words.every(function (word) { return haystack.indexOf(word) !== -1; });
        }
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " incidents";
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.hidden = false;
    apply();
  }

  /* Each body cell gets its column's header text as data-label, for the stacked layout on
   * narrow screens. Headers spanning columns or rows (the durations table) are laid out on
   * a grid first, so "median" under "Time to resolve" becomes "Time to resolve median". */
  function headerLabels(table) {
    var grid = [];
    if (!table.tHead) return [];
    Array.prototype.forEach.call(table.tHead.rows, function (row, r) {
      grid[r] = grid[r] || [];
      var c = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        while (grid[r][c] !== undefined) c++;
        for (var i = 0; i < (cell.rowSpan || 1); i++) {
          for (var j = 0; j < (cell.colSpan || 1); j++) {
            grid[r + i] = grid[r + i] || [];
            grid[r + i][c + j] = cell;
          }
        }
        c += cell.colSpan || 1;
      });
    });
    var width = Math.max.apply(null, grid.map(function (row) { return row.length; }));
    var labels = [];
    for (var col = 0; col < width; col++) {
      var parts = [];
      grid.forEach(function (row) {
        var cell = row[col];
        var text = cell ? cell.textContent.trim() : "";
        if (text && parts.indexOf(text) < 0) parts.push(text);
      });
      labels.push(parts.join(" "));
    }
    return labels;
  }

  function labelCells() {
    var tables = document.querySelectorAll("table.pm-table:not([data-pm-labelled])");
    Array.prototype.forEach.call(tables, function (table) {
      var labels = headerLabels(table);
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, index) {
            if (labels[index]) cell.setAttribute("data-label", labels[index]);
          });
        });
      });
      table.setAttribute("data-pm-labelled", "");
    });
  }

  function setup() {
    labelCells();
    var containers = document.querySelectorAll("[data-pm-table]");
    Array.prototype.forEach.call(containers, function (container) {
      var table = container.querySelector("table");
      if (!table || container.getAttribute("data-pm-ready")) return;
      container.setAttribute("data-pm-ready", "1");
      setupSort(table);
      setupFilter(container, table);
    });
  }

  /* Material's instant navigation swaps pages without a load event: follow document$. */
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
