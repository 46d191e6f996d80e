// Broadsheet newsroom: progressive enhancement of the server-rendered admin. Every form works
// without this file; with it the editor previews Markdown as you type, keeps a copy of unsaved
// work in this browser and on the server, and suggests tags. No inline script: the CSP forbids it.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var t;
    return function () {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  function post(url, data) {
    return fetch(url, {method: "POST", body: data, credentials: "same-origin", headers: {"Accept": "application/json"}});
  }

  // Forms that destroy something ask first.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });

  // "Go back" links return through the history, so the browser restores the form as it was.
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (history.length > 1) {
        e.preventDefault();
        history.back();
      }
    });
  });

  var form = document.getElementById("editor");
  if (!form) return;
  var body = form.querySelector("#body");
  var title = form.querySelector("#title");
  var standfirst = form.querySelector("#standfirst");
  var tags = form.querySelector("#tags");
  var status = form.querySelector(".autosave-status");
  var fields = [title, standfirst, body, tags];

  // Live preview: the server renders and sanitises exactly as it will for readers.
  var preview = document.getElementById(body.dataset.preview);
  var seq = 0;
  var refresh = debounce(function () {
    var n = ++seq;
    var data = new URLSearchParams();
    data.append("body", body.value);
    post("/admin/preview", data).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      if (n === seq) preview.innerHTML = html;
    }).catch(function () {});
  }, 300);
  body.addEventListener("input", refresh);

  // The featured picture's preview shows the saved choice: it goes while another address is
  // typed or a file chosen, rather than show a picture the story will not have.
  var imageURL = form.querySelector("#image_url");
  var imageFile = form.querySelector("#image_file");
  var crop = form.querySelector(".featured-crop");
  if (imageURL && crop) {
    var chosen = imageURL.value;
    var stale = function () { crop.hidden = imageURL.value !== chosen || (imageFile && imageFile.files.length > 0); };
    imageURL.addEventListener("input", stale);
    if (imageFile) imageFile.addEventListener("change", stale);
  }

  // A copy of unsaved work in this browser, so that nothing typed is lost to an expired
  // session, a refused save or a closed tab.
  var key = "broadsheet:draft:" + form.dataset.key;
  var params = new URLSearchParams(location.search);
  function snapshot() {
    return {title: title.value, standfirst: standfirst.value, body: body.value, tags: tags.value,
      version: form.dataset.version, at: new Date().toISOString()};
  }
  function same(d) {
    return d.title === title.value && d.standfirst === standfirst.value && d.body === body.value && d.tags === tags.value;
  }
  try {
    if (params.get("msg")) {
      localStorage.removeItem(key);
      if (params.get("msg") === "created") localStorage.removeItem("broadsheet:draft:/admin/stories/new");
    }
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    var banner = document.getElementById("local-draft");
    if (kept && !same(kept) && !form.hasAttribute("data-resumed") && banner) {
      banner.querySelector(".when").textContent = new Date(kept.at).toLocaleString();
      banner.hidden = false;
      banner.querySelector(".restore").addEventListener("click", function () {
        title.value = kept.title;
        standfirst.value = kept.standfirst;
        body.value = kept.body;
        tags.value = kept.tags;
        banner.hidden = true;
        body.dispatchEvent(new Event("change")); // the visual editor reads it again
        refresh();
      });
      banner.querySelector(".discard").addEventListener("click", function () {
        localStorage.removeItem(key);
        banner.hidden = true;
      });
    }
  } catch (e) { /* storage disabled: the server autosave still works */ }
  var keep = debounce(function () {
    try { localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) {}
  }, 500);

  // Autosave to the server every 30 seconds while the story changes.
  var dirty = false, sent = false;
  fields.forEach(function (el) {
    el.addEventListener("input", function () { dirty = true; keep(); });
  });
  // A story over the server's limit is not sent at all: the text stays where it is.
  form.addEventListener("submit", function (e) {
    var maxBytes = Number(form.dataset.maxBytes || 0);
    var size = new Blob([body.value]).size;
    if (maxBytes && size > maxBytes) {
      e.preventDefault();
      status.textContent = "The story is " + (size / 1048576).toFixed(1) + " MB; the limit is " +
        (maxBytes / 1048576).toFixed(0) + " MB. Nothing was sent: shorten it, then save.";
      status.setAttribute("role", "alert");
      body.focus();
      return;
    }
    sent = true;
    keep();
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !sent) e.preventDefault();
  });
  if (form.dataset.autosave) {
    setInterval(function () {
      if (!dirty) return;
      dirty = false;
      var data = new URLSearchParams();
      data.append("title", title.value);
      data.append("standfirst", standfirst.value);
      data.append("body", body.value);
      post(form.dataset.autosave, data).then(function (r) {
        if (r.status === 401) {
          status.textContent = "Your session has ended. Your text is kept in this browser: sign in again in another tab, then save.";
          return;
        }
        if (!r.ok) throw new Error(r.status);
        status.textContent = "Autosaved at " + new Date().toLocaleTimeString() + ".";
      }).catch(function () {
        dirty = true;
        status.textContent = "Autosave failed; your text is kept in this browser.";
      });
    }, 30000);
  }

  // Tag suggestions for the tag being typed (the text after the last comma).
  if (tags && tags.dataset.suggest) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.id = "tag-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    tags.setAttribute("aria-controls", list.id);
    tags.setAttribute("aria-autocomplete", "list");
    tags.parentNode.insertBefore(list, tags.nextSibling);
    var active = -1;
    function current() {
      var parts = tags.value.split(",");
      return parts[parts.length - 1].trim();
    }
    function choose(name) {
      var parts = tags.value.split(",");
      parts[parts.length - 1] = (parts.length > 1 ? " " : "") + name;
      tags.value = parts.join(",") + ", ";
      list.hidden = true;
      tags.focus();
      dirty = true;
      keep();
    }
    function mark(i) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, j) { li.setAttribute("aria-selected", String(j === i)); });
      active = i;
    }
    var suggest = debounce(function () {
      var q = current();
      if (!q) { list.hidden = true; return; }
      fetch(tags.dataset.suggest + "?q=" + encodeURIComponent(q), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (names) {
          list.textContent = "";
          names.forEach(function (name) {
            var li = document.createElement("li");
            li.setAttribute("role", "option");
            li.textContent = name;
            li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(name); });
            list.appendChild(li);
          });
          active = -1;
          list.hidden = names.length === 0;
        }).catch(function () {});
    }, 150);
    tags.addEventListener("input", suggest);
    tags.addEventListener("blur", function () { list.hidden = true; });
    tags.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (list.hidden || items.length === 0) return;
      if (e.key === "ArrowDown") { mark((active + 1) % items.length); e.preventDefault(); }
      else if (e.key === "ArrowUp") { mark((active - 1 + items.length) % items.length); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(items[active].textContent); e.preventDefault(); }
      else if (e.key === "Escape") { list.hidden = true; }
    });
  }
})();

// A set-password link's token moves into its form as the page loads; take it out of the address
// bar and the history too, so that it is not left behind on a shared computer.
(function () {
  "use strict";
  var form = document.querySelector("form[data-clean-url]");
  if (form && window.history && history.replaceState) {
    history.replaceState(null, "", form.dataset.cleanUrl);
  }
})();
