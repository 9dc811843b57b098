/**
 * @fileoverview Live side of js.transforms: a toolbar to build the chain of transformations
 * (add one at the end, remove it, move it left or right, reset to the chain the view started
 * with). Each change sets the `chain` traitlet; the kernel recomputes every stage and sends back
 * new `html`, which replaces the view below the toolbar. No network, no innerHTML from the
 * learner's input: the HTML comes from the kernel, already escaped.
 */

function button(label, title, onClick, cls) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls || "jxs-transforms-btn";
  b.textContent = label;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

export default {
  render({ model, el }) {
    const data = model.get("data") || {};
    const valid = data.valid || [];
    const describe = data.describe || {};
    const initial = data.initial || [];

    const bar = document.createElement("div");
    bar.className = "jxs-transforms-toolbar";
    const chainRow = document.createElement("div");
    chainRow.className = "jxs-transforms-chainrow";
    const addRow = document.createElement("div");
    addRow.className = "jxs-transforms-addrow";
    const status = document.createElement("span");
    status.className = "jxs-transforms-status jxs-muted";
    status.setAttribute("aria-live", "polite");
    bar.append(chainRow, addRow, status);
    const body = document.createElement("div");
    body.className = "jxs-transforms-body";
    el.append(bar, body);

    function chain() {
      return [...(model.get("chain") || [])];
    }

    function setChain(next) {
      status.textContent = "recomputing…";
      model.set("chain", next);
      model.save_changes();
    }

    function drawChain() {
      chainRow.replaceChildren();
      const c = chain();
      const label = document.createElement("span");
      label.className = "jxs-transforms-chainlabel";
      label.textContent = "chain (applied left to right): f";
      chainRow.append(label);
      c.forEach((name, i) => {
        const chip = document.createElement("span");
        chip.className = "jxs-transforms-chip";
        chip.title = describe[name] || name;
        const arrow = document.createElement("span");
        arrow.textContent = " → ";
        chainRow.append(arrow);
        const text = document.createElement("b");
        text.textContent = name;
        chip.append(
          button("◀", "move earlier", () => {
            if (i === 0) return;
            const n = chain();
            [n[i - 1], n[i]] = [n[i], n[i - 1]];
            setChain(n);
          }, "jxs-transforms-mini"),
          text,
          button("▶", "move later", () => {
            const n = chain();
            if (i >= n.length - 1) return;
            [n[i + 1], n[i]] = [n[i], n[i + 1]];
            setChain(n);
          }, "jxs-transforms-mini"),
          button("×", "remove", () => {
            const n = chain();
            n.splice(i, 1);
            setChain(n);
          }, "jxs-transforms-mini"),
        );
        chainRow.append(chip);
      });
    }

    addRow.append(document.createTextNode("add: "));
    for (const name of valid) {
      addRow.append(button(`+ ${name}`, describe[name] || name, () => setChain([...chain(), name])));
    }
    addRow.append(button("reset", "back to the chain the view started with", () => setChain([...initial])));
    addRow.append(button("clear", "no transformation: f alone", () => setChain([])));

    function drawBody() {
      body.innerHTML = model.get("html");
      status.textContent = model.get("selected").startsWith("error:") ? model.get("selected") : "";
    }

    const onHtml = () => drawBody();
    const onChain = () => drawChain();
    model.on("change:html", onHtml);
    model.on("change:chain", onChain);
    model.on("change:selected", onHtml);
    drawChain();
    drawBody();
    return () => {
      model.off("change:html", onHtml);
      model.off("change:chain", onChain);
      model.off("change:selected", onHtml);
    };
  },
};
