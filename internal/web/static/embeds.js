// Broadsheet embeds: a story's videos, posts, podcasts, charts and maps show as facades that
// load nothing from their provider. A click (or Enter) puts the provider's frame in the
// facade's place; without this file the facade is a link to the original address. The page's
// Content-Security-Policy allows frames from exactly the providers its facades name.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a.embed-facade") : null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    var src = a.getAttribute("data-embed");
    if (!src || src.indexOf("https://") !== 0) return;
    e.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = (a.getAttribute("data-provider") || "Embedded") + ": " + (a.querySelector(".embed-what") || a).textContent;
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen; clipboard-write");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.className = "embed-frame";
    a.parentNode.replaceChild(frame, a);
    frame.focus();
  });
})();
