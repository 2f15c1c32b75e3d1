// The report's section tabs. Runs before the chart scripts so that a URL
// asking for the chart (#tab=chart) shows it before the chart first draws
// (and before its #selftest runs). Names here are prefixed (tab…): every
// script of the page shares one function scope.
const tabPanels = { performance: "performance", chart: "chart-panel", trades: "trades-panel" };
function showTab(name) {
  if (!tabPanels[name]) name = "performance";
  for (const [key, id] of Object.entries(tabPanels)) document.getElementById(id).hidden = key !== name;
  document.querySelectorAll("#tabs button").forEach((b) => {
    b.classList.toggle("active", b.dataset.tab === name);
    b.setAttribute("aria-pressed", String(b.dataset.tab === name));
  });
  document.body.dataset.tab = name;
  // The chart and the curves size themselves to their now visible canvases.
  window.dispatchEvent(new Event("resize"));
}
document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
showTab(new URLSearchParams(location.hash.slice(1)).get("tab") || "performance");
