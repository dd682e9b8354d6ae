/* The SPARQL page: YASGUI (served from /static/vendor, never a CDN) set up for this endpoint, with the
   project's prefixes and the curated queries as examples. Config comes from a JSON block in the page.
   A curated query with parameters is run from its form through /api/queries/<name>, which binds the
   values as RDF terms; the result is drawn by the tab's YASR like any other. */
(function () {
  "use strict";

  // YASR has no translations. DataTables takes its words from a language option; YASR's own words are
  // set in the code, so they are replaced after YASR has drawn them (text, title, aria-label, placeholder).
  var TABLE_LANGUAGE_DE = {
    info: "_START_ bis _END_ von _TOTAL_ Einträgen",
    infoEmpty: "Keine Einträge",
    infoFiltered: "(gefiltert aus _MAX_ Einträgen)",
    emptyTable: "Keine Daten vorhanden",
    zeroRecords: "Keine passenden Einträge gefunden",
    search: "Suchen:",
    lengthMenu: "_MENU_ Einträge je Seite",
    loadingRecords: "Wird geladen …",
    thousands: ".",
    decimal: ",",
    entries: { _: "Einträge", 1: "Eintrag" },
    aria: {
      orderable: "Nach dieser Spalte sortieren",
      orderableReverse: "Umgekehrt nach dieser Spalte sortieren",
      paginate: { first: "Erste Seite", last: "Letzte Seite", next: "Nächste Seite", previous: "Vorherige Seite",
                  number: "" },
    },
    paginate: { first: "&lt;&lt;", last: "&gt;&gt;", next: "&gt;", previous: "&lt;" },
  };
  var WORDS_DE = {
    "Table": "Tabelle",
    "Response": "Antwort",
    "Simple view": "Einfache Ansicht",
    "Ellipse": "Kürzen",
    "Filter query results": "Ergebnisse filtern",
    "Page size:": "Zeilen je Seite:",
    "All": "Alle",
    "Download result": "Ergebnis herunterladen",
    "Download Results": "Ergebnis herunterladen",
    "Download not supported": "Herunterladen nicht möglich",
    "Show all": "Alles zeigen",
    "True": "Wahr",
    "False": "Falsch",
    "Try query in a new browser window": "Anfrage in einem neuen Browserfenster versuchen",
    "cannot render result": "Ergebnis kann nicht dargestellt werden",
    "This plugin doesn't have a help reference yet. Please contact the maintainer to fix this":
      "Zu dieser Ansicht gibt es keine Hilfe",
  };
  function decimal(s) { return s.replace(".", ","); }
  var PATTERNS_DE = [
    [/^(\d+) results? in ([\d.]+) seconds?$/, function (m, n, s) { return n + (n === "1" ? " Ergebnis" : " Ergebnisse") + " in " + decimal(s) + " s"; }],
    [/^(\d+) results?$/, function (m, n) { return n + (n === "1" ? " Ergebnis" : " Ergebnisse"); }],
    [/^Response in ([\d.]+) seconds?$/, function (m, s) { return "Antwort in " + decimal(s) + " s"; }],
    [/^Shows (.+) view$/, function (m, name) { return "Ansicht " + (WORDS_DE[name] || name) + " zeigen"; }],
    [/^View documentation of (.+)$/, function (m, name) { return "Hilfe zur Ansicht " + (WORDS_DE[name] || name); }],
  ];

  function german(text) {
    var core = text.trim();
    if (!core) return text;
    var word = WORDS_DE[core];
    if (word === undefined) {
      for (var i = 0; i < PATTERNS_DE.length && word === undefined; i++) {
        if (PATTERNS_DE[i][0].test(core)) word = core.replace(PATTERNS_DE[i][0], PATTERNS_DE[i][1]);
      }
    }
    return word === undefined ? text : text.replace(core, word);
  }

  function translate(root) {
    if (!root) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var said = german(node.nodeValue);
      if (said !== node.nodeValue) node.nodeValue = said;
    }
    [root].concat(Array.from(root.querySelectorAll("[title], [aria-label], [placeholder]"))).forEach(function (el) {
      ["title", "aria-label", "placeholder"].forEach(function (name) {
        var value = el.getAttribute && el.getAttribute(name);
        if (value) {
          var said = german(value);
          if (said !== value) el.setAttribute(name, said);
        }
      });
    });
  }

  function translateChrome(yasr) {
    // The header, the fallback note and YASR's own parts of the result area; never the result data.
    translate(yasr.headerEl);
    translate(yasr.fallbackInfoEl);
    if (yasr.resultsEl) {
      yasr.resultsEl.querySelectorAll(".overlay_content, .errorHeader, .booleanResult").forEach(translate);
    }
  }

  function germanYasr(Yasr) {
    ["table", "response"].forEach(function (name) {
      var Base = Yasr.plugins[name];
      if (!Base) return;
      var German = class extends Base {
        constructor(yasr) { super(yasr); this.label = WORDS_DE[this.label] || this.label; }
      };
      Yasr.registerPlugin(name, German);
    });
    var table = Yasr.plugins.table;
    if (table && table.defaults && table.defaults.tableConfig) {
      table.defaults.tableConfig.language = Object.assign({}, table.defaults.tableConfig.language, TABLE_LANGUAGE_DE);
    }
    // Every place where YASR (re)writes its words: translate right after it did.
    ["drawHeader", "updateResponseInfo", "updateExportHeaders", "updateHelpButton", "fillFallbackBox"]
      .forEach(function (method) {
        var original = Yasr.prototype[method];
        if (typeof original !== "function") return;
        Yasr.prototype[method] = function () {
          var result = original.apply(this, arguments);
          translateChrome(this);
          return result;
        };
      });
  }

  function prologue(prefixes) {
    return Object.keys(prefixes).map(function (p) {
      return "PREFIX " + p + ": <" + prefixes[p] + ">";
    }).join("\n");
  }

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) { return values[key] !== undefined ? values[key] : m; });
  }

  function start() {
    var el = document.getElementById("yasgui");
    var configEl = document.getElementById("sparql-config");
    if (!el || !configEl || typeof Yasgui === "undefined") return;
    var config = JSON.parse(configEl.textContent);
    var isGerman = (el.getAttribute("data-lang") || "de") !== "en";
    if (isGerman) germanYasr(Yasgui.Yasr);

    var starter = prologue(config.prefixes) + "\n\nSELECT ?konzept ?titel WHERE {\n  ?konzept a ob:Konzept ;\n" +
      "           dcterms:title ?titel .\n}\nORDER BY ?titel\nLIMIT 50\n";
    var yasgui = new Yasgui(el, {
      requestConfig: { endpoint: config.endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
      tabName: isGerman ? "Anfrage" : "Query",
      persistenceId: "stadtgraph-yasgui",
      yasqe: {
        value: starter,
        // Our own prefix list instead of prefix.cc; no LOV look-ups (no request leaves for other hosts).
        prefixCcApi: new URL("/sparql/prefixes.json", window.location.href).toString(),
        autocompleters: ["prefixes", "variables"],
      },
    });
    window.stadtgraphYasgui = yasgui;

    var byName = {};
    config.queries.forEach(function (q) { byName[q.name] = q; });
    var tabOfQuery = {};  // curated query name -> id of the tab it was opened in
    var forms = Array.from(document.querySelectorAll("form.curated-params"));

    function showForm(name) {
      forms.forEach(function (form) { form.hidden = form.getAttribute("data-query") !== name; });
    }

    function openQuery(q) {
      var tab = yasgui.addTab(true, {
        name: isGerman ? q.title : q.title_en,
        yasqe: { value: q.text },
        requestConfig: { endpoint: config.endpoint, method: "POST" },
      });
      var yasqe = tab.getYasqe();
      if (yasqe) yasqe.setValue(q.text);
      if (yasqe && q.params.length) {
        // Run unchanged, a query with parameters goes through its form (bound values), not unbound.
        var run = yasqe.query;
        yasqe.query = function () {
          var form = document.getElementById("params-" + q.name);
          if (form && yasqe.getValue() === q.text) {
            form.requestSubmit();
            return Promise.resolve();
          }
          return run.apply(yasqe, arguments);
        };
      }
      tabOfQuery[q.name] = tab.getId();
      showForm(q.params.length ? q.name : null);
      return tab;
    }

    yasgui.on("tabSelect", function (instance, tabId) {
      var name = Object.keys(tabOfQuery).find(function (n) { return tabOfQuery[n] === tabId; });
      showForm(name && byName[name].params.length ? name : null);
    });
    yasgui.on("tabClose", function (instance, tab) {
      Object.keys(tabOfQuery).forEach(function (n) { if (tabOfQuery[n] === tab.getId()) delete tabOfQuery[n]; });
    });

    document.querySelectorAll("button.curated-query").forEach(function (button) {
      button.addEventListener("click", function () {
        var q = byName[button.getAttribute("data-query")];
        if (q) openQuery(q);
      });
    });

    forms.forEach(function (form) {
      var q = byName[form.getAttribute("data-query")];
      var message = form.querySelector(".param-message");
      function tell(text, isError) {
        message.textContent = text;
        message.classList.toggle("error", !!isError);
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var args = new URLSearchParams();
        var fields = Array.from(form.elements).filter(function (f) { return f.name; });
        for (var i = 0; i < fields.length; i++) {
          var field = fields[i];
          var label = field.getAttribute("data-label") || field.name;
          field.removeAttribute("aria-invalid");
          if (field.validity && field.validity.badInput) {
            field.setAttribute("aria-invalid", "true");
            field.focus();
            return tell(say(config.messages.not_a_number, { label: label }), true);
          }
          var value = field.value.trim();
          if (!value && field.required) {
            field.setAttribute("aria-invalid", "true");
            field.focus();
            return tell(say(config.messages.missing, { label: label }), true);
          }
          if (value) args.append(field.name, value);
        }
        var tab = yasgui.getTab(tabOfQuery[q.name]);
        if (!tab || tabOfQuery[q.name] === undefined) tab = openQuery(q);
        else yasgui.selectTabId(tab.getId());
        tell(config.messages.running, false);
        var began = performance.now();
        var accept = q.graph ? "text/turtle" : "application/sparql-results+json";
        var url = q.api + (args.toString() ? "?" + args.toString() : "");
        fetch(url, { headers: { Accept: accept } }).then(function (response) {
          return response.text().then(function (text) {
            var ms = Math.round(performance.now() - began);
            if (!response.ok) {
              var detail = text;
              try { detail = JSON.parse(text).detail || text; } catch (e) { /* not problem+json */ }
              return tell(say(config.messages.failed, { detail: detail }), true);
            }
            tab.getYasr().setResponse({ data: text, contentType: response.headers.get("Content-Type"),
                                        status: response.status, executionTime: ms });
            var rows = response.headers.get("X-Result-Rows");
            tell(rows !== null ? say(config.messages.rows, { rows: rows }) : "", false);
          });
        }, function (error) {
          tell(say(config.messages.failed, { detail: String(error) }), true);
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
