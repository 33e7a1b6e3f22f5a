// Draw each network on the page with Cytoscape.js from the JSON beside it. Confirmed links are
// solid, unconfirmed dashed (the policing convention). The tables beside each drawing hold the
// same nodes and links for keyboard and screen-reader users; the drawing is for looking.
const SHAPES = { adult: "ellipse", child: "round-rectangle", place: "diamond", vehicle: "triangle",
  phone: "hexagon", account: "star", group: "octagon" };
const COLOURS = { adult: "#d4351c", child: "#1d70b8", place: "#00703c", vehicle: "#6f72af",
  phone: "#f47738", account: "#912b88", group: "#505a5f" };

for (const element of document.querySelectorAll("[data-network-elements]")) {
  const data = JSON.parse(document.getElementById(element.dataset.networkElements).textContent);
  if (!data.length) {
    continue;
  }
  try {
    const cy = window.cytoscape({
      container: element,
      elements: data,
      wheelSensitivity: 0.3,
      layout: { name: data.length > 400 ? "grid" : "cose", animate: false, randomize: false },
      style: [
        { selector: "node", style: {
          label: "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 90,
          shape: (node) => SHAPES[node.data("kind")] || "ellipse",
          "background-color": (node) => COLOURS[node.data("kind")] || "#505a5f",
          width: 18, height: 18, color: "#0b0c0c" } },
        { selector: "edge", style: {
          width: 1.5, "line-color": "#505a5f", "target-arrow-color": "#505a5f",
          "target-arrow-shape": "triangle", "curve-style": "bezier",
          "line-style": (edge) => (edge.data("status") === "confirmed" ? "solid" : "dashed") } },
      ],
    });
    // Kept for the browser tests, which check how each link is drawn.
    (window.openmashNetworks = window.openmashNetworks || []).push(cy);
  } catch (error) {
    element.textContent = "The drawing could not be made. The tables below have the same network.";
    console.error(error);
  }
}
