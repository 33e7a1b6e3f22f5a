// Draw every chart on the page from the JSON spec beside it. The table next to each chart
// is the accessible version; the chart is for people who would rather look than read.
// `ast: true` interprets Vega expressions instead of compiling them, so no 'unsafe-eval'.
for (const element of document.querySelectorAll("[data-chart-spec]")) {
  const spec = JSON.parse(document.getElementById(element.dataset.chartSpec).textContent);
  window.vegaEmbed(element, spec, { ast: true, actions: false, renderer: "svg", defaultStyle: false, tooltip: { disableDefaultStyle: true } }).catch((error) => {
    element.textContent = "The chart could not be drawn. The table has the same figures.";
    console.error(error);
  });
}
