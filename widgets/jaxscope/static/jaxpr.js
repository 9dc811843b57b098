/**
 * @fileoverview Live side of js.jaxpr: renders the view's static HTML, then lets the learner
 * click a variable to highlight its definition and every use (and reports it to the kernel as
 * `selected`), see an equation's source line in a status bar on hover, and fold or unfold all
 * sub-jaxprs and groups. Everything it needs is in the HTML's data attributes (data-var,
 * data-eqn, data-src); in the compact form of a big jaxpr a variable is a `<b>` (definition) or
 * `<i>` (use) named by its text. For a huge jaxpr, folded groups come empty (`data-chunk="k"`)
 * and `data.chunks[k]` holds their HTML, inserted when the learner first opens the group.
 */

const HL = "jxs-jaxpr-hl";
const HL_DEF = "jxs-jaxpr-hl-def";
const ROW_HL = "jxs-jaxpr-row-hl";

function button(label, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "jxs-jaxpr-btn";
  b.textContent = label;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

export default {
  render({ model, el }) {
    let selected = "";
    let root = null;
    let status = null;
    const defaultStatus = "Hover an equation for its source line; click a variable to trace it.";

    function clear() {
      if (!root) return;
      for (const node of root.querySelectorAll(`.${HL}, .${HL_DEF}, .${ROW_HL}`)) {
        node.classList.remove(HL, HL_DEF, ROW_HL);
      }
    }

    function named(name) {
      const out = [];
      for (const node of root.querySelectorAll(".jxs-jaxpr-compact .jxs-jaxpr-eqns i, .jxs-jaxpr-compact .jxs-jaxpr-eqns b")) {
        if (node.textContent === name) out.push(node);
      }
      return out;
    }

    function highlight(varId) {
      clear();
      if (!varId) return;
      const compact = varId.startsWith("name:");
      const nodes = compact ? named(varId.slice(5)) : root.querySelectorAll(`[data-var="${varId}"]`);
      for (const node of nodes) {
        node.classList.add(HL);
        if (node.classList.contains("jxs-jaxpr-def") || node.tagName === "B") node.classList.add(HL_DEF);
        const row = compact ? node.parentElement : node.closest(".jxs-jaxpr-row");
        if (row) row.classList.add(ROW_HL);
      }
    }

    function select(varId, name) {
      selected = selected === varId ? "" : varId;
      highlight(selected);
      if (status) {
        status.textContent = selected
          ? `${name}: definition outlined, uses highlighted (click again to clear)`
          : defaultStatus;
      }
      model.set("selected", selected ? name : "");
      model.save_changes();
    }

    function onClick(event) {
      const short = event.target.closest(".jxs-jaxpr-compact .jxs-jaxpr-eqns i, .jxs-jaxpr-compact .jxs-jaxpr-eqns b");
      if (short && root.contains(short)) {
        event.preventDefault();
        select(`name:${short.textContent}`, short.textContent);
        return;
      }
      const target = event.target.closest("[data-var]");
      if (!target || !root.contains(target)) return;
      event.preventDefault();
      const name = target.textContent || target.getAttribute("data-var");
      select(target.getAttribute("data-var"), name.trim());
    }

    function fill(details) {
      const k = details.getAttribute("data-chunk");
      if (k === null) return;
      details.removeAttribute("data-chunk");
      const chunks = (model.get("data") || {}).chunks || [];
      if (chunks[Number(k)] !== undefined) details.insertAdjacentHTML("beforeend", chunks[Number(k)]);
    }

    function onToggle(event) {
      const details = event.target;
      if (details.open && details.hasAttribute && details.hasAttribute("data-chunk")) fill(details);
    }

    function onOver(event) {
      if (!status || selected) return;
      const row = event.target.closest("[data-eqn]");
      if (!row) return;
      const src = row.getAttribute("data-src");
      const title = row.querySelector("title");
      const where = src || (title ? title.textContent : "");
      status.textContent = where ? `source: ${where}` : "source: unknown";
    }

    function onLeave() {
      if (status && !selected) status.textContent = defaultStatus;
    }

    function setAll(open) {
      // a lazily filled group is opened one level per click, so a huge jaxpr never loads at once
      for (const d of root.querySelectorAll("details.jxs-jaxpr-sub, details.jxs-jaxpr-group")) {
        if (open) fill(d);
        d.open = open;
      }
    }

    function render() {
      el.innerHTML = model.get("html");
      root = el.querySelector(".jxs-jaxpr") || el;
      status = root.querySelector(".jxs-jaxpr-status");
      if (status) status.textContent = defaultStatus;
      const tools = document.createElement("div");
      tools.className = "jxs-jaxpr-tools";
      tools.append(
        button("unfold all", "open every group and sub-jaxpr", () => setAll(true)),
        button("fold all", "close every group and sub-jaxpr", () => setAll(false)),
      );
      const header = root.querySelector(".jxs-jaxpr-header");
      if (header) header.after(tools);
      else root.prepend(tools);
      selected = "";
    }

    render();
    el.addEventListener("click", onClick);
    el.addEventListener("mouseover", onOver);
    el.addEventListener("mouseleave", onLeave);
    el.addEventListener("toggle", onToggle, true);
    model.on("change:html", render);

    return () => {
      el.removeEventListener("click", onClick);
      el.removeEventListener("mouseover", onOver);
      el.removeEventListener("mouseleave", onLeave);
      el.removeEventListener("toggle", onToggle, true);
      model.off("change:html", render);
    };
  },
};
