// Broadsheet comments: progressive enhancement of the "Leave a Reply" form. Without this file the
// form, reply links and posting all work; with it, replies open inline, the reader's details
// can be remembered in this browser (only when they tick the box), with the returning-commenter
// token that lets their comments appear without waiting once one is approved, and posting does
// not reload the page.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  if (!respond || !form) return;
  var home = respond.parentNode, homeNext = respond.nextSibling;
  var title = document.getElementById("reply-title");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var parentInput = document.getElementById("comment_parent");
  var consent = document.getElementById("comment-cookies-consent");
  var fields = ["author", "email", "url"];
  var storeKey = "broadsheet-commenter";
  var tokenInput = form.querySelector("input[name=token]");
  var storyId = document.getElementById("comment_post_ID").value;

  // The form token: the page is the same for every reader (any cache may keep it), so the
  // token, single-use and this reader's own, comes from a request of its own, made when the
  // reader reaches the form. ready resolves once the token is old enough to post.
  var tokenAt = 0, wait = 0, pending = null;
  function fetchToken() {
    pending = fetch("/comments/token?story=" + encodeURIComponent(storyId), { credentials: "same-origin", cache: "no-store" })
      .then(function (res) { return res.json(); })
      .then(function (data) { tokenInput.value = data.token; wait = data.wait || 0; tokenAt = Date.now(); })
      .catch(function () { pending = null; });
    return pending;
  }
  function ready() {
    return (pending || fetchToken()).then(function () {
      var left = tokenAt + wait - Date.now();
      return left > 0 ? new Promise(function (ok) { setTimeout(ok, left); }) : null;
    });
  }
  if (window.fetch) {
    form.addEventListener("focusin", function () { if (!pending) fetchToken(); });
    if (window.IntersectionObserver) {
      new IntersectionObserver(function (seen, obs) {
        if (seen.some(function (e) { return e.isIntersecting; })) { obs.disconnect(); if (!pending) fetchToken(); }
      }).observe(form);
    }
  }
  var returning = ""; // the returning-commenter token this browser keeps, with consent

  // Remembered details: kept in this browser's storage, never in a cookie, and only with consent.
  try {
    var saved = JSON.parse(localStorage.getItem(storeKey) || "null");
    if (saved) {
      fields.forEach(function (f) {
        var el = document.getElementById(f);
        if (el && !el.value && saved[f]) el.value = saved[f];
      });
      consent.checked = true;
      returning = saved.returning || "";
    }
  } catch (e) { /* storage unavailable: nothing to restore */ }

  function setTitle(name) {
    title.firstChild.nodeValue = name ? "Leave a Reply to " + name + " " : "Leave a Reply ";
  }

  function moveForm(link) {
    var li = document.getElementById("comment-" + link.getAttribute("data-commentid"));
    if (!li) return false;
    var body = li.querySelector(".comment-body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentInput.value = link.getAttribute("data-commentid");
    setTitle(link.getAttribute("data-author"));
    cancel.hidden = false;
    document.getElementById("comment").focus();
    return true;
  }

  function resetForm() {
    home.insertBefore(respond, homeNext);
    parentInput.value = "0";
    setTitle("");
    cancel.hidden = true;
  }

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest(".comment-reply-link");
    if (link && moveForm(link)) ev.preventDefault();
  });
  cancel.addEventListener("click", function (ev) { ev.preventDefault(); resetForm(); });

  function showErrors(data) {
    form.querySelectorAll(".field-error.js, .form-error.js").forEach(function (el) { el.remove(); });
    var top = document.createElement("p");
    top.className = "form-error js";
    top.setAttribute("role", "alert");
    top.textContent = data.message || "Your comment could not be posted.";
    form.insertBefore(top, form.firstChild);
    Object.keys(data.errors || {}).forEach(function (f) {
      var id = f === "content" ? "comment" : f === "name" ? "author" : f;
      var el = document.getElementById(id);
      if (!el) return;
      var msg = document.createElement("span");
      msg.className = "field-error js";
      msg.textContent = data.errors[f];
      el.setAttribute("aria-invalid", "true");
      el.parentNode.appendChild(msg);
    });
  }

  form.addEventListener("submit", function (ev) {
    if (!window.fetch || !window.FormData) return;
    ev.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    function remember() {
      try {
        if (consent.checked) {
          var keep = { returning: returning };
          fields.forEach(function (f) { keep[f] = document.getElementById(f).value; });
          localStorage.setItem(storeKey, JSON.stringify(keep));
        } else {
          returning = "";
          localStorage.removeItem(storeKey);
        }
      } catch (e) { /* storage unavailable */ }
    }
    remember();
    ready().then(function () {
      var body = new URLSearchParams(new FormData(form));
      if (consent.checked && returning) body.set("returning", returning);
      return fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      });
    }).then(function (res) {
      return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; });
    }).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        showErrors(r.data);
        if (r.status === 400) fetchToken(); // the token may be spent or expired
        return;
      }
      if (r.data.returning) { returning = r.data.returning; remember(); }
      if (!r.data.html) { window.location.href = r.data.url; return; }
      var tmp = document.createElement("ol");
      tmp.innerHTML = r.data.html;
      var li = tmp.firstElementChild;
      var parentId = parentInput.value;
      var list;
      if (parentId !== "0") {
        var parentLi = document.getElementById("comment-" + parentId);
        list = parentLi.querySelector(":scope > ol.children");
        if (!list) { list = document.createElement("ol"); list.className = "children"; parentLi.appendChild(list); }
      } else {
        list = document.querySelector(".comment-list");
        if (!list) {
          list = document.createElement("ol");
          list.className = "comment-list";
          home.insertBefore(list, respond.parentNode === home ? respond : homeNext);
        }
      }
      list.appendChild(li);
      document.getElementById("comment").value = "";
      resetForm();
      // The token was used: the next comment needs a fresh one.
      fetchToken();
      li.scrollIntoView({ block: "center" });
      li.setAttribute("tabindex", "-1");
      li.focus();
    }).catch(function () {
      button.disabled = false;
      form.submit(); // fall back to an ordinary post; the server keeps the text on any error
    });
  });
})();
