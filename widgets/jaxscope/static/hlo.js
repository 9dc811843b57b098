/**
 * @fileoverview Live side of js.hlo: renders the view's static HTML, then walks the linked chain
 * by clicking. Every element of the chain carries `data-chain` (the chain rows it belongs to,
 * space-separated): a source row, a scope, a StableHLO line, a fusion, a compiled instruction.
 * Clicking one highlights every element sharing its rows, opens the listings that hold them,
 * scrolls a link's target into view and reports the source line to the kernel as `selected`.
 * Clicking it again clears. Without this module the same links work as plain anchors.
 */

const HL = "jxs-hlo-hl";

export default {
  render({ model, el }) {
    let root = null;
    let status = null;
    let selected = "";
    const defaultStatus =
      "Click a source line, scope, StableHLO line or fusion to see what it links to.";

    function rowsOf(node) {
      return (node.getAttribute("data-chain") || "").split(" ").filter(Boolean);
    }

    function clear() {
      for (const node of root.querySelectorAll(`.${HL}`)) node.classList.remove(HL);
    }

    function whereOf(row) {
      const code = root.querySelector(`tr[data-chain="${row}"] .jxs-hlo-src code`);
      return code ? code.textContent : "";
    }

    function describe(rows) {
      const where = whereOf(rows[0]);
      const lines = root.querySelectorAll(".jxs-hlo-code > span.jxs-hlo-hl").length;
      const fusions = root.querySelectorAll(".jxs-hlo-fusions tr.jxs-hlo-hl").length;
      const more = rows.length > 1 ? ` and ${rows.length - 1} more lines` : "";
      return `${where}${more}: ${lines} listing lines, ${fusions} fusions highlighted (click again to clear)`;
    }

    function select(rows, key) {
      clear();
      selected = selected === key ? "" : key;
      if (!selected) {
        if (status) status.textContent = defaultStatus;
        model.set("selected", "");
        model.save_changes();
        return;
      }
      for (const i of rows) {
        for (const node of root.querySelectorAll(`[data-chain~="${i}"]`)) {
          node.classList.add(HL);
          const listing = node.closest("details");
          if (listing && !listing.open) listing.open = true;
        }
      }
      if (status) status.textContent = describe(rows);
      model.set("selected", whereOf(rows[0]));
      model.save_changes();
    }

    function onClick(event) {
      const node = root && event.target.closest("[data-chain]");
      if (!node || !root.contains(node)) return;
      const rows = rowsOf(node);
      if (!rows.length) return;
      const link = event.target.closest("a[href^='#']");
      if (link) {
        event.preventDefault();
        const target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          const listing = target.closest("details");
          if (listing && !listing.open) listing.open = true;
          target.scrollIntoView({ block: "nearest" });
        }
      }
      select(rows, rows.join(" ") + (link ? "" : `@${node.id || node.tagName}`));
    }

    function draw() {
      el.innerHTML = model.get("html");
      root = el.querySelector(".jxs-hlo");
      if (!root) return;
      status = document.createElement("div");
      status.className = "jxs-muted jxs-hlo-status";
      status.textContent = defaultStatus;
      const chain = root.querySelector(".jxs-hlo-chain");
      if (chain) chain.after(status);
      else root.append(status);
      selected = "";
    }

    draw();
    el.addEventListener("click", onClick);
    model.on("change:html", draw);
    return () => {
      el.removeEventListener("click", onClick);
      model.off("change:html", draw);
    };
  },
};
