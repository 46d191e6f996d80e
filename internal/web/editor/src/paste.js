// Pasted HTML from Google Docs, Word and web pages, reduced to structure before the editor reads
// it: the editor's schema then keeps headings, links, emphasis, lists and tables and drops every
// style, span, class and comment. What this file fixes is what the schema alone cannot:
// Google Docs' bold-looking wrapper, Word's lists written as paragraphs with a bullet in a
// hidden span, Word's own tags, and table cells holding paragraphs.

// cleanPaste returns html with that structure fixed. It uses an inert document: nothing in the
// pasted HTML runs or loads.
export function cleanPaste(html) {
  // Parsed into a document of this page, style sheets, style attributes and event handlers
  // would each be refused (and reported) by the page's CSP: sheets and scripts go, style
  // attributes are read as data, handlers are renamed and then dropped with every attribute.
  html = html.replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, "");
  for (let i = 0, prev = ""; i < 64 && prev !== html; i++) {
    prev = html;
    html = html.replace(/(<[a-zA-Z][^<>]*?\s)(style|on[a-zA-Z]+)(\s*=)/g, (m, tag, name, eq) => tag + "data-" + name.toLowerCase() + eq);
  }
  const doc = new DOMParser().parseFromString(html, "text/html");
  const body = doc.body;
  // Comments (Word's conditional ones, Docs' and Word's StartFragment markers) and what
  // a reader never sees.
  const walker = doc.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
  const comments = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  comments.forEach((c) => c.remove());
  body.querySelectorAll("style, script, meta, link, title, xml, o\\:p, template").forEach((e) => e.remove());
  // Word's comment marks and the comments themselves.
  body.querySelectorAll('[class*="MsoCommentReference"], [class*="msocomtxt"], [data-style*="mso-element:comment"], .MsoCommentText').forEach((e) => e.remove());
  body.querySelectorAll('a[href^="#_msocom"], a[name^="_msocom"]').forEach((e) => e.remove());
  // Docs wraps the whole fragment in <b style="font-weight:normal" id="docs-internal-guid-…">.
  body.querySelectorAll('b[id^="docs-internal-guid"]').forEach(unwrap);
  wordLists(body);
  // Table cells hold text: paragraphs inside them become lines of it.
  body.querySelectorAll("td, th").forEach((cell) => {
    cell.querySelectorAll("p, div, h1, h2, h3, h4, h5, h6").forEach((p, i) => {
      if (i > 0) p.before(doc.createTextNode(" "));
      unwrap(p);
    });
  });
  // What a reader of the source never saw.
  body.querySelectorAll("[hidden], [data-style*='display:none'], [data-style*='display: none'], [data-style*='visibility:hidden']").forEach((e) => e.remove());
  // Emphasis written as styles (Docs marks bold and italic that way) becomes tags; then
  // nothing pasted keeps a style, a class, an id or a handler: the page's CSP would refuse a
  // style attribute anyway.
  Array.from(body.querySelectorAll("[data-style]")).reverse().forEach(styleToTags);
  body.querySelectorAll("*").forEach((e) => {
    const keep = KEEP[e.localName] || [];
    const lang = e.localName === "code" && /(?:^|\s)(language-[\w+#.-]+)/.exec(e.getAttribute("class") || "");
    for (const a of Array.from(e.attributes)) if (!keep.includes(a.name)) e.removeAttribute(a.name);
    if (lang) e.setAttribute("class", lang[1]);
  });
  return body.innerHTML;
}

// KEEP lists the attributes the editor reads, by element.
const KEEP = {a: ["href", "title"], img: ["src", "alt", "title"], ol: ["start"], td: ["align"], th: ["align"], code: []};

// styleToTags turns an element's bold, italic and strike-through styles into <strong>, <em> and
// <s> around its content, and a <b> or <strong> styled not bold into plain text.
function styleToTags(e) {
  const doc = e.ownerDocument;
  const st = {};
  (e.getAttribute("data-style") || "").split(";").forEach((d) => {
    const i = d.indexOf(":");
    if (i > 0) st[d.slice(0, i).trim().toLowerCase()] = d.slice(i + 1).trim().toLowerCase();
  });
  const weight = st["font-weight"] || "", italic = st["font-style"] || "";
  const deco = (st["text-decoration"] || "") + " " + (st["text-decoration-line"] || "");
  const wraps = [];
  if (/^(bold(er)?|[6-9]00)$/.test(weight) && !/^(b|strong|h\d)$/.test(e.localName)) wraps.push("strong");
  if (italic === "italic" && !/^(i|em)$/.test(e.localName)) wraps.push("em");
  if (/line-through/.test(deco) && !/^(s|del|strike)$/.test(e.localName)) wraps.push("s");
  if ((weight === "normal" || weight === "400") && /^(b|strong)$/.test(e.localName)) {
    const span = doc.createElement("span");
    e.replaceWith(span);
    while (e.firstChild) span.appendChild(e.firstChild);
    e = span;
  }
  const align = st["text-align"];
  if (/^(td|th)$/.test(e.localName) && /^(left|center|right)$/.test(align)) e.setAttribute("align", align);
  for (const tag of wraps) {
    const w = doc.createElement(tag);
    while (e.firstChild) w.appendChild(e.firstChild);
    e.appendChild(w);
  }
}

function unwrap(e) {
  const parent = e.parentNode;
  if (!parent) return;
  while (e.firstChild) parent.insertBefore(e.firstChild, e);
  parent.removeChild(e);
}

// wordLists turns Word's list paragraphs (class MsoListParagraph…, style mso-list: l0 level2
// lfo1, with the bullet or number in a span marked mso-list:Ignore) into nested <ul>/<ol>.
function wordLists(body) {
  const doc = body.ownerDocument;
  const paras = Array.from(body.querySelectorAll("p")).filter((p) => /mso-list:\s*l\d+/i.test(p.getAttribute("data-style") || ""));
  let stack = [], last = null;
  let list = "";
  paras.forEach((p) => {
    const style = p.getAttribute("data-style");
    const level = +((/level(\d+)/i.exec(style) || [0, 1])[1]);
    const id = (/mso-list:\s*(l\d+)/i.exec(style) || [])[1];
    let marker = "";
    p.querySelectorAll("span").forEach((s) => {
      if (/mso-list:\s*Ignore/i.test(s.getAttribute("data-style") || "")) {
        marker += s.textContent;
        s.remove();
      }
    });
    const ordered = /^\s*(\d+|[a-zA-Z]|[ivxlcIVXLC]+)[.)]/.test(marker);
    const li = doc.createElement("li");
    while (p.firstChild) li.appendChild(p.firstChild);
    li.innerHTML = li.innerHTML.replace(/^(\s|&nbsp;|\u00a0)+/, "");
    if (!last || last.nextElementSibling !== p || id !== list) stack = [];
    list = id;
    while (stack.length > level) stack.pop();
    while (stack.length < level) {
      const list = doc.createElement(ordered ? "ol" : "ul");
      if (stack.length === 0) p.before(list);
      else {
        const parentList = stack[stack.length - 1];
        const host = parentList.lastElementChild || parentList.appendChild(doc.createElement("li"));
        host.appendChild(list);
      }
      stack.push(list);
    }
    stack[stack.length - 1].appendChild(li);
    last = p;
    // The next list paragraph follows the one removed: keep a marker in its place.
    const mark = doc.createElement("span");
    mark.hidden = true;
    p.replaceWith(mark);
    last = mark;
  });
  body.querySelectorAll("span[hidden]").forEach((s) => s.remove());
}
