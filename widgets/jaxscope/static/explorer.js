/**
 * @fileoverview Live side of js.cheatsheet.explorer(): shows the static cheat sheet from the
 * kernel's HTML and adds a search box, a table filter and a "Run" button on every card. The
 * search and the runs happen in the kernel: this module sets `query`, `table` and
 * `run_request` ({id, n}); the kernel answers with `results` (a list of small card records) and
 * `run_output` ({id, n, output, error}). Everything from the kernel is inserted as text, never
 * as HTML, except the kernel's own pre-escaped `html`.
 */

const LINK_RE = /^[0-9]{2}-[a-z0-9-]+\.ipynb#[a-z0-9-]+$/;

function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined) n.textContent = text;
  return n;
}

export default {
  render({ model, el }) {
    let counter = 0;
    let timer = null;
    const pending = new Map(); // concept id -> the output box waiting for its run

    el.innerHTML = model.get("html");
    const root = el.querySelector(".jxs-explorer") || el;
    const controls = root.querySelector(".jxs-explorer-controls");
    const resultsBox = root.querySelector(".jxs-explorer-results");
    const sheet = root.querySelector(".jxs-explorer-sheet");

    // --- controls ----------------------------------------------------------------------------
    const input = node("input", "jxs-explorer-search");
    input.type = "search";
    input.placeholder = "Search the cheat sheet: e.g. split a key, recompile, for loop";
    input.setAttribute("aria-label", "search the cheat sheet");
    input.value = model.get("query") || "";
    const select = node("select", "jxs-explorer-filter");
    select.setAttribute("aria-label", "table filter");
    select.appendChild(new Option("All tables", "0"));
    for (const t of (model.get("data") || {}).tables || []) {
      select.appendChild(new Option(`${t.n}. ${t.title}`, String(t.n)));
    }
    select.value = String(model.get("table") || 0);
    const status = node("span", "jxs-explorer-status jxs-muted");
    status.setAttribute("aria-live", "polite");
    if (controls) controls.append(input, select, status);

    function sendQuery() {
      model.set("query", input.value);
      model.set("table", Number(select.value) || 0);
      model.save_changes();
    }
    function onInput() {
      clearTimeout(timer);
      timer = setTimeout(sendQuery, 150);
    }
    function onSelect() {
      clearTimeout(timer);
      sendQuery();
      showSheet();
    }
    input.addEventListener("input", onInput);
    select.addEventListener("change", onSelect);

    // --- running examples -----------------------------------------------------------------
    function outputBox(card) {
      let box = card.querySelector(".jxs-explorer-output");
      if (!box) {
        box = node("pre", "jxs-explorer-output");
        card.appendChild(box);
      }
      return box;
    }
    function addRunButton(card) {
      const id = card.dataset.id;
      if (!id || card.querySelector(".jxs-explorer-run")) return;
      const button = node("button", "jxs-explorer-run", "Run");
      button.type = "button";
      button.title = "run this example in the kernel and show what it prints";
      button.addEventListener("click", () => {
        const box = outputBox(card);
        box.classList.remove("jxs-explorer-output-error");
        box.textContent = "running…";
        pending.set(id, box);
        counter += 1;
        model.set("run_request", { id, n: counter });
        model.set("selected", id);
        model.save_changes();
      });
      const foot = card.querySelector(".jxs-explorer-card-foot") || card;
      foot.prepend(button);
    }
    function onRunOutput() {
      const out = model.get("run_output") || {};
      const box = pending.get(out.id);
      if (!box) return;
      pending.delete(out.id);
      const error = out.error || "";
      box.classList.toggle("jxs-explorer-output-error", Boolean(error));
      const text = (out.output || "") + (error ? (out.output ? "\n" : "") + error : "");
      box.textContent = text || "(ran; printed nothing)";
    }
    model.on("change:run_output", onRunOutput);

    // --- results and filter ---------------------------------------------------------------
    function resultCard(r, rank) {
      const card = node("div", "jxs-explorer-card");
      card.dataset.id = r.id;
      card.dataset.table = String(r.table);
      const head = node("div", "jxs-explorer-card-head");
      head.append(
        node("span", "jxs-explorer-rank", `${rank}. `),
        node("span", "jxs-explorer-card-title", r.title),
        " ",
        node("code", "jxs-explorer-id", r.id),
        " ",
        node("span", "jxs-badge", `table ${r.table}`),
      );
      if (r.needs) head.append(node("span", "jxs-badge", r.needs));
      if (typeof r.score === "number") {
        head.append(node("span", "jxs-badge jxs-explorer-score", `score ${r.score.toFixed(2)}`));
      }
      const pre = node("pre", "jxs-explorer-example");
      pre.appendChild(node("code", "", r.example));
      const ul = node("ul", "jxs-explorer-bullets");
      for (const b of r.bullets || []) ul.appendChild(node("li", "", b));
      const parts = [head, pre, ul];
      if (r.why) parts.push(node("div", "jxs-explorer-why", `why: ${r.why}`));
      const foot = node("div", "jxs-explorer-card-foot");
      if (LINK_RE.test(r.link || "")) {
        const a = node("a", "jxs-explorer-link", `notebook section ${r.link}`);
        a.href = r.link;
        foot.appendChild(a);
      }
      card.append(...parts, foot);
      addRunButton(card);
      return card;
    }
    function showSheet() {
      const table = Number(select.value) || 0;
      if (!sheet) return;
      for (const section of sheet.querySelectorAll(".jxs-explorer-table")) {
        section.hidden = table !== 0 && Number(section.dataset.table) !== table;
      }
      const toc = sheet.querySelector(".jxs-explorer-toc");
      if (toc) toc.hidden = table !== 0;
    }
    function renderResults() {
      const results = model.get("results") || [];
      const query = (model.get("query") || "").trim();
      if (!resultsBox) return;
      resultsBox.replaceChildren();
      if (!query) {
        status.textContent = "";
        if (sheet) sheet.hidden = false;
        showSheet();
        return;
      }
      if (sheet) sheet.hidden = true;
      status.textContent = `${results.length} match${results.length === 1 ? "" : "es"}`;
      if (!results.length) {
        resultsBox.appendChild(
          node("div", "jxs-explorer-empty jxs-muted", "No match: try other words, or fewer."),
        );
      }
      results.forEach((r, i) => resultsBox.appendChild(resultCard(r, i + 1)));
    }
    model.on("change:results", renderResults);

    for (const card of root.querySelectorAll(".jxs-explorer-card[data-id]")) addRunButton(card);
    renderResults();

    return () => {
      clearTimeout(timer);
      input.removeEventListener("input", onInput);
      select.removeEventListener("change", onSelect);
      model.off("change:results", renderResults);
      model.off("change:run_output", onRunOutput);
    };
  },
};
