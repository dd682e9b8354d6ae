/* The SPARQL page: YASGUI (served from /static/vendor, never a CDN) set up for this endpoint, with the
   project's prefixes and the curated queries as examples. Config comes from a JSON block in the page. */
(function () {
  "use strict";

  function germanPlugins(Yasr) {
    // YASR has no translations; its plugins take their tab label from the instance, so subclass them.
    var labels = { table: "Tabelle", response: "Antwort" };
    Object.keys(labels).forEach(function (name) {
      var Base = Yasr.plugins[name];
      if (!Base) return;
      var German = class extends Base {
        constructor(yasr) { super(yasr); this.label = labels[name]; }
      };
      Yasr.registerPlugin(name, German);
    });
  }

  function prologue(prefixes) {
    return Object.keys(prefixes).map(function (p) {
      return "PREFIX " + p + ": <" + prefixes[p] + ">";
    }).join("\n");
  }

  function start() {
    var el = document.getElementById("yasgui");
    var configEl = document.getElementById("sparql-config");
    if (!el || !configEl || typeof Yasgui === "undefined") return;
    var config = JSON.parse(configEl.textContent);
    var german = (el.getAttribute("data-lang") || "de") !== "en";
    if (german) germanPlugins(Yasgui.Yasr);

    var starter = prologue(config.prefixes) + "\n\nSELECT ?konzept ?titel WHERE {\n  ?konzept a ob:Konzept ;\n" +
      "           dcterms:title ?titel .\n}\nORDER BY ?titel\nLIMIT 50\n";
    var yasgui = new Yasgui(el, {
      requestConfig: { endpoint: config.endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
      tabName: german ? "Anfrage" : "Query",
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
    document.querySelectorAll("button.curated-query").forEach(function (button) {
      button.addEventListener("click", function () {
        var q = byName[button.getAttribute("data-query")];
        if (!q) return;
        var tab = yasgui.addTab(true, {
          name: german ? q.title : q.title_en,
          yasqe: { value: q.text },
          requestConfig: { endpoint: config.endpoint, method: "POST" },
        });
        var yasqe = tab.getYasqe();
        if (yasqe) yasqe.setValue(q.text);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
