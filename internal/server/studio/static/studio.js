// Live drafting: follows the article's event stream while a job runs and
// reloads the page when it ends.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const art = document.getElementById("article");
  if (!art || art.dataset.running !== "true") return;
  const stage = document.getElementById("stage");
  const parts = document.getElementById("live-parts");
  let current = null, key = "";
  const es = new EventSource("/api/articles/" + art.dataset.id + "/events");
  es.onmessage = (msg) => {
    const e = JSON.parse(msg.data);
    if (e.type === "stage") {
      stage.textContent = e.stage + (e.parts ? " (" + e.parts + ")" : "");
    } else if (e.type === "token" && e.text) {
      const k = e.stage + ":" + e.part;
      if (k !== key) {
        key = k;
        current = document.createElement("div");
        current.className = "live-part";
        current.dataset.part = e.part || 0;
        const h = document.createElement("strong");
        h.textContent = (e.part ? e.part + "/" + e.parts + " " : "") + (e.heading || "");
        current.appendChild(h);
        current.appendChild(document.createElement("br"));
        parts.appendChild(current);
      }
      current.appendChild(document.createTextNode(e.text));
      stage.textContent = e.stage + " " + (e.part || "") + "/" + (e.parts || "") +
        (e.tokens_per_sec ? " · " + e.tokens_per_sec.toFixed(1) + " tok/s" : "") +
        (e.eta_seconds ? " · ETA " + Math.round(e.eta_seconds) + " s" : "");
    } else if (e.type === "end") {
      es.close();
      location.reload();
    }
  };
  es.onerror = () => { es.close(); setTimeout(() => location.reload(), 1000); };
});
