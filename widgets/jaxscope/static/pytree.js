/**
 * @fileoverview Live side of js.pytree: renders the view's static HTML, then lets the learner
 * click a leaf or a subtree to see its full key path (as `jax.tree_util.keystr` prints it) in a
 * status bar, reports that path to the kernel as `selected`, and folds or unfolds every subtree.
 * Paths come from the HTML's data-path attributes, so the widget's `data` stays empty.
 */

const SEL = "jxs-pytree-sel";

export default {
  render({ model, el }) {
    el.innerHTML = model.get("html");
    const root = el.querySelector(".jxs-pytree-tree");
    if (!root) return () => {};
    const status = document.createElement("div");
    status.className = "jxs-pytree-status";
    status.textContent = "Click a leaf or a subtree for its key path.";
    const tools = document.createElement("div");
    tools.className = "jxs-pytree-tools";
    for (const [label, open] of [["unfold all", true], ["fold all", false]]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "jxs-pytree-btn";
      b.textContent = label;
      b.addEventListener("click", () => {
        for (const d of root.querySelectorAll("details")) d.open = open;
      });
      tools.appendChild(b);
    }
    root.before(tools);
    root.after(status);

    function onClick(event) {
      const row = event.target.closest("[data-path]");
      if (!row || !root.contains(row)) return;
      for (const old of root.querySelectorAll(`.${SEL}`)) old.classList.remove(SEL);
      row.classList.add(SEL);
      const path = row.getAttribute("data-path");
      status.textContent = path ? `key path: ${path}   (tree${path})` : "the whole tree (root)";
      model.set("selected", path);
      model.save_changes();
    }
    root.addEventListener("click", onClick);
    return () => root.removeEventListener("click", onClick);
  },
};
