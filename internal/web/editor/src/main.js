// Broadsheet's visual story editor: a ProseMirror view beside the Markdown box, both editing the
// one stored Markdown body. The textarea stays the form's field: this file hides it in visual
// mode and writes the Markdown back into it on every change, so saving, autosave, the local copy
// and the preview (admin.js) work as they do without it. Without JavaScript the textarea is all
// there is. No inline script or style: the site's CSP forbids both.
import {EditorState, TextSelection, NodeSelection, Plugin} from "prosemirror-state";
import {EditorView, Decoration, DecorationSet} from "prosemirror-view";
import {Slice, Fragment, DOMParser as PMDOMParser} from "prosemirror-model";
import {keymap} from "prosemirror-keymap";
import {history, undo, redo} from "prosemirror-history";
import {baseKeymap, toggleMark, setBlockType, wrapIn, chainCommands, exitCode, lift} from "prosemirror-commands";
import {wrapInList, splitListItem, liftListItem, sinkListItem} from "prosemirror-schema-list";
import {inputRules, wrappingInputRule, textblockTypeInputRule, InputRule} from "prosemirror-inputrules";
import {dropCursor} from "prosemirror-dropcursor";
import {gapCursor} from "prosemirror-gapcursor";
import {tableEditing, goToNextCell, addRowAfter, addColumnAfter, deleteRow, deleteColumn, isInTable} from "prosemirror-tables";
import {schema} from "./schema.js";
import {parse, serialize, roundTrip} from "./markdown.js";
import {cleanPaste} from "./paste.js";

const S = schema.nodes, M = schema.marks;

// ---- small dialogs (no window.prompt: it cannot say what is missing) ----

// ask shows a modal form with fields [{name, label, value, type, hint}] and resolves with the
// values, or null when cancelled.
function ask(title, fields, okLabel) {
  return new Promise((resolve) => {
    const dlg = document.createElement("dialog");
    dlg.className = "editor-dialog";
    const form = document.createElement("form");
    form.method = "dialog";
    const h = document.createElement("h2");
    h.textContent = title;
    form.appendChild(h);
    fields.forEach((f, i) => {
      const id = "editor-dlg-" + f.name;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = f.label;
      const input = document.createElement(f.type === "textarea" ? "textarea" : "input");
      input.id = id;
      input.name = f.name;
      if (f.type !== "textarea") input.type = f.type || "text";
      else input.rows = 8;
      input.value = f.value || "";
      if (f.required) input.required = true;
      form.appendChild(label);
      form.appendChild(input);
      if (f.hint) {
        const p = document.createElement("p");
        p.className = "hint" + (f.warn ? " warning" : "");
        p.textContent = f.hint;
        form.appendChild(p);
      }
      if (i === 0) setTimeout(() => input.focus(), 0);
    });
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    const ok = document.createElement("button");
    ok.type = "submit";
    ok.value = "ok";
    ok.className = "primary";
    ok.textContent = okLabel || "OK";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => dlg.close("cancel"));
    buttons.appendChild(ok);
    buttons.appendChild(cancel);
    form.appendChild(buttons);
    dlg.appendChild(form);
    document.body.appendChild(dlg);
    dlg.addEventListener("close", () => {
      const out = dlg.returnValue === "ok" ? {} : null;
      if (out) fields.forEach((f) => { out[f.name] = form.elements[f.name].value.trim(); });
      dlg.remove();
      resolve(out);
    });
    dlg.showModal();
  });
}

// ---- library pictures and uploads ----

function sameOrigin(u) {
  try {
    const url = new URL(u, location.href);
    return url.origin === location.origin ? url.pathname + url.search : url.href;
  } catch (e) {
    return u;
  }
}

// rendition picks the library's size nearest 1280 pixels wide for the body, else the original.
function rendition(item) {
  const sizes = (item.sizes || []).slice().sort((a, b) => a.w - b.w);
  const fit = sizes.find((s) => s.w >= 1280) || sizes[sizes.length - 1];
  if (!fit) return {src: sameOrigin(item.url), width: item.width || "", height: item.height || ""};
  return {src: "/media/" + fit.file, width: String(fit.w), height: String(fit.h)};
}

// focusClass names admin.css's classes that keep the item's focal point in view where a
// thumbnail is cropped, in steps of 5 % as the server's focusClass does.
function focusClass(item) {
  const step = (f) => String(Math.round(Math.min(Math.max(f == null ? 0.5 : f, 0), 1) * 20) * 5);
  return "fx-" + step(item.focus_x) + " fy-" + step(item.focus_y);
}

function figureFrom(item, words) {
  const r = rendition(item);
  return S.figure.create({src: r.src, width: r.width, height: r.height, alt: words.alt || "", caption: words.caption || "", credit: words.credit || ""});
}

const altHint = "Readers who cannot see the picture hear this. Without it they hear nothing.";

async function upload(file, words) {
  const data = new FormData();
  data.append("file", file, file.name || "pasted-image");
  data.append("alt", words.alt || "");
  data.append("caption", words.caption || "");
  data.append("credit", words.credit || "");
  const r = await fetch("/admin/media/", {method: "POST", body: data, credentials: "same-origin", headers: {Accept: "application/json"}});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || "The upload failed (" + r.status + ").");
  return body;
}

// ---- the editor ----

function markActive(state, type) {
  const {from, $from, to, empty} = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

function linkCommand(state, dispatch, view) {
  const {from, to, empty} = state.selection;
  let href = "";
  state.doc.nodesBetween(from, Math.max(to, from + 1), (n) => {
    const l = M.link.isInSet(n.marks);
    if (l) href = l.attrs.href;
  });
  if (!dispatch) return true;
  ask(href ? "Edit link" : "Add link", [{name: "href", label: "Web address", value: href, type: "url",
    hint: "Leave it empty to remove the link."}], "Apply").then((v) => {
    view.focus();
    if (!v) return;
    const st = view.state;
    let tr = st.tr;
    let a = st.selection.from, b = st.selection.to;
    if (empty || a === b) {
      // Extend over the link around the cursor, or insert the address as its own text.
      const $p = st.doc.resolve(a);
      const range = markRange($p, M.link);
      if (range) [a, b] = [range.from, range.to];
      else if (v.href) {
        tr = tr.insertText(v.href, a);
        b = a + v.href.length;
      }
    }
    tr = tr.removeMark(a, b, M.link);
    if (v.href) tr = tr.addMark(a, b, M.link.create({href: v.href}));
    view.dispatch(tr);
  });
  return true;
}

function markRange($pos, type) {
  const parent = $pos.parent, start = $pos.parentOffset;
  const child = parent.childAfter(start);
  if (!child.node || !type.isInSet(child.node.marks)) return null;
  let from = $pos.start() + child.offset, to = from + child.node.nodeSize;
  let i = child.index;
  while (i > 0 && type.isInSet(parent.child(i - 1).marks)) from -= parent.child(--i).nodeSize;
  i = child.index;
  while (i + 1 < parent.childCount && type.isInSet(parent.child(i + 1).marks)) to += parent.child(++i).nodeSize;
  return {from, to};
}

function insertBlock(node) {
  return (state, dispatch) => {
    if (dispatch) dispatch(state.tr.replaceSelectionWith(node).scrollIntoView());
    return true;
  };
}

function insertTable(state, dispatch) {
  const cell = (t) => t.createAndFill();
  const row = (t) => S.table_row.create(null, [cell(t), cell(t), cell(t)]);
  const table = S.table.create(null, [row(S.table_header), row(S.table_cell), row(S.table_cell)]);
  return insertBlock(table)(state, dispatch);
}

function toggleBlock(type, attrs) {
  return (state, dispatch) => {
    const {$from} = state.selection;
    if ($from.parent.type === type && (!attrs || $from.parent.attrs.level === attrs.level)) return setBlockType(S.paragraph)(state, dispatch);
    return setBlockType(type, attrs)(state, dispatch);
  };
}

function pullQuote(state, dispatch) {
  const {$from} = state.selection;
  if ($from.parent.type === S.pullquote) return setBlockType(S.paragraph)(state, dispatch);
  if (!setBlockType(S.pullquote)(state)) return false;
  if (dispatch) {
    // A pull quote holds plain text.
    const tr = state.tr.setBlockType(state.selection.from, state.selection.to, S.pullquote);
    dispatch(tr);
  }
  return true;
}

// The Google Docs shortcuts, and Markdown's own as input rules.
function buildKeymap(view) {
  const keys = {
    "Mod-z": undo, "Mod-Shift-z": redo, "Mod-y": redo,
    "Mod-b": toggleMark(M.strong), "Mod-i": toggleMark(M.em), "Alt-Shift-5": toggleMark(M.strike),
    "Mod-k": linkCommand, "Mod-e": toggleMark(M.code),
    "Mod-Alt-0": setBlockType(S.paragraph),
    "Mod-Shift-7": wrapInList(S.ordered_list), "Mod-Shift-8": wrapInList(S.bullet_list),
    "Mod-Shift-9": wrapIn(S.blockquote), "Mod-Alt-c": setBlockType(S.code_block),
    "Mod-]": sinkListItem(S.list_item), "Mod-[": liftListItem(S.list_item),
    "Enter": splitListItem(S.list_item),
    "Tab": chainCommands(goToNextCell(1), sinkListItem(S.list_item)),
    "Shift-Tab": chainCommands(goToNextCell(-1), liftListItem(S.list_item)),
    "Shift-Enter": chainCommands(exitCode, (state, dispatch) => {
      if (dispatch) dispatch(state.tr.replaceSelectionWith(S.hard_break.create()).scrollIntoView());
      return true;
    }),
    "Mod-Enter": exitCode,
  };
  // The story's headline is the page's one <h1>: Heading 1 in the body is an <h2>, and so on.
  for (let i = 1; i <= 6; i++) keys["Mod-Alt-" + i] = setBlockType(S.heading, {level: Math.min(i + 1, 6)});
  return keys;
}

function buildInputRules() {
  return inputRules({rules: [
    wrappingInputRule(/^\s*>\s$/, S.blockquote),
    wrappingInputRule(/^\s*([-+*])\s$/, S.bullet_list),
    wrappingInputRule(/^(\d+)\.\s$/, S.ordered_list, (m) => ({order: +m[1]}), (m, n) => n.childCount + n.attrs.order === +m[1]),
    textblockTypeInputRule(/^```$/, S.code_block),
    textblockTypeInputRule(/^(#{1,6})\s$/, S.heading, (m) => ({level: Math.max(2, m[1].length)})),
    new InputRule(/^---$/, (state, m, start, end) => state.tr.replaceWith(start - 1, end, S.horizontal_rule.create())),
  ]});
}

// Paragraphs that hold nothing but a web address become an embed (or a plain link) on the
// page: the editor labels them so.
function embedLines() {
  return new Plugin({
    props: {
      decorations(state) {
        const decos = [];
        state.doc.descendants((node, pos) => {
          if (node.type === S.paragraph && node.childCount === 1) {
            const t = node.firstChild;
            const l = t.isText && M.link.isInSet(t.marks);
            if (l && t.text === l.attrs.href && /^https?:\/\//.test(l.attrs.href)) {
              decos.push(Decoration.node(pos, pos + node.nodeSize, {class: "embed-line", "data-host": hostOf(l.attrs.href)}));
            }
          }
          return node.isBlock && !node.isTextblock;
        });
        return DecorationSet.create(state.doc, decos);
      },
    },
  });
}

function hostOf(u) {
  try { return new URL(u).hostname.replace(/^www\./, ""); } catch (e) { return ""; }
}

// Node views: what Markdown holds as HTML, shown for what it is, edited in a dialog. The
// editor leaves their inside alone and their buttons to them.
class DialogView {
  constructor(tag, className, node, view, getPos) {
    this.dom = document.createElement(tag);
    this.dom.className = className;
    this.view = view;
    this.getPos = getPos;
    this.update(node);
  }
  stopEvent(e) { return e.type === "click" && e.target.tagName === "BUTTON"; }
  ignoreMutation() { return true; }
}

class FigureView extends DialogView {
  constructor(node, view, getPos) {
    super("figure", "editor-figure", node, view, getPos);
    this.dom.addEventListener("dblclick", () => this.edit());
  }
  update(node) {
    if (node.type !== S.figure) return false;
    this.node = node;
    this.dom.textContent = "";
    const img = document.createElement("img");
    img.src = node.attrs.src;
    img.alt = node.attrs.alt;
    this.dom.appendChild(img);
    const cap = document.createElement("figcaption");
    cap.textContent = node.attrs.caption;
    if (node.attrs.credit) {
      const s = document.createElement("small");
      s.textContent = " " + node.attrs.credit;
      cap.appendChild(s);
    }
    this.dom.appendChild(cap);
    if (!node.attrs.alt) {
      const w = document.createElement("p");
      w.className = "hint warning";
      w.textContent = "This picture has no description: readers of screen readers will hear nothing.";
      this.dom.appendChild(w);
    }
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link edit-figure";
    b.textContent = "Edit description, caption, credit";
    b.addEventListener("click", (e) => { e.preventDefault(); this.edit(); });
    this.dom.appendChild(b);
    return true;
  }
  edit() {
    const a = this.node.attrs;
    ask("Picture", [
      {name: "alt", label: "Description for readers who cannot see it", value: a.alt, hint: a.alt ? "" : altHint, warn: !a.alt},
      {name: "caption", label: "Caption", value: a.caption},
      {name: "credit", label: "Credit", value: a.credit},
    ], "Save").then((v) => {
      if (!v) return;
      const pos = this.getPos();
      this.view.dispatch(this.view.state.tr.setNodeMarkup(pos, null, Object.assign({}, a, v)));
      this.view.focus();
    });
  }
}

class HTMLBlockView extends DialogView {
  constructor(node, view, getPos) {
    super("div", "editor-html", node, view, getPos);
  }
  update(node) {
    if (node.type !== S.html_block) return false;
    this.node = node;
    this.dom.textContent = "";
    const label = document.createElement("p");
    label.className = "editor-html-label";
    label.textContent = "HTML, kept as written";
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link";
    b.textContent = "Edit HTML";
    b.addEventListener("click", (e) => {
      e.preventDefault();
      ask("HTML", [{name: "html", label: "HTML (the site cleans it as it does all HTML)", value: this.node.attrs.html, type: "textarea"}], "Save").then((v) => {
        if (!v) return;
        const pos = this.getPos();
        const tr = v.html ? this.view.state.tr.setNodeMarkup(pos, null, {html: v.html})
          : this.view.state.tr.delete(pos, pos + this.node.nodeSize);
        this.view.dispatch(tr);
        this.view.focus();
      });
    });
    label.appendChild(document.createTextNode(" "));
    label.appendChild(b);
    const pre = document.createElement("pre");
    pre.textContent = node.attrs.html;
    this.dom.appendChild(label);
    this.dom.appendChild(pre);
    return true;
  }
}

// The toolbar: each button names its shortcut.
function toolbar(view, actions) {
  const bar = document.createElement("div");
  bar.className = "editor-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  bar.setAttribute("aria-controls", view.dom.id);
  const buttons = [];
  const items = [
    ["Paragraph", "¶", "Ctrl+Alt+0", toggleBlock(S.paragraph)],
    ["Heading", "H2", "Ctrl+Alt+1", toggleBlock(S.heading, {level: 2}), (s) => s.selection.$from.parent.type === S.heading && s.selection.$from.parent.attrs.level === 2],
    ["Subheading", "H3", "Ctrl+Alt+2", toggleBlock(S.heading, {level: 3}), (s) => s.selection.$from.parent.type === S.heading && s.selection.$from.parent.attrs.level === 3],
    ["Bold", "B", "Ctrl+B", toggleMark(M.strong), (s) => markActive(s, M.strong)],
    ["Italic", "I", "Ctrl+I", toggleMark(M.em), (s) => markActive(s, M.em)],
    ["Strikethrough", "S", "Alt+Shift+5", toggleMark(M.strike), (s) => markActive(s, M.strike)],
    ["Link", "Link", "Ctrl+K", linkCommand, (s) => markActive(s, M.link)],
    ["Bulleted list", "• List", "Ctrl+Shift+8", wrapInList(S.bullet_list)],
    ["Numbered list", "1. List", "Ctrl+Shift+7", wrapInList(S.ordered_list)],
    ["Block quote", "Quote", "Ctrl+Shift+9", chainCommands(wrapIn(S.blockquote), lift)],
    ["Pull quote", "Pull quote", "", pullQuote, (s) => s.selection.$from.parent.type === S.pullquote],
    ["Code block", "Code", "Ctrl+Alt+C", toggleBlock(S.code_block)],
    ["Table", "Table", "", insertTable],
    ["Add table row", "+Row", "", addRowAfter, null, isInTable],
    ["Add table column", "+Col", "", addColumnAfter, null, isInTable],
    ["Delete table row", "−Row", "", deleteRow, null, isInTable],
    ["Delete table column", "−Col", "", deleteColumn, null, isInTable],
    ["Picture from the library", "Picture", "", actions.picture],
    ["Upload a picture", "Upload", "", actions.uploadPicker],
    ["Embed (video, post, map…)", "Embed", "", actions.embed],
    ["Footnote", "Note", "", actions.footnote],
    ["HTML block", "HTML", "", actions.html],
    ["Undo", "↶", "Ctrl+Z", undo],
    ["Redo", "↷", "Ctrl+Y", redo],
  ];
  items.forEach(([label, text, key, cmd, active, visible]) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.title = key ? label + " (" + key + ")" : label;
    b.dataset.command = label;
    b.addEventListener("mousedown", (e) => e.preventDefault());
    b.addEventListener("click", (e) => {
      e.preventDefault();
      view.focus();
      cmd(view.state, view.dispatch, view);
    });
    bar.appendChild(b);
    buttons.push({b, cmd, active, visible});
  });
  function refresh(state) {
    buttons.forEach(({b, cmd, active, visible}) => {
      if (visible) b.hidden = !visible(state);
      if (active) b.setAttribute("aria-pressed", String(!!active(state)));
      b.disabled = !cmd(state, null, view);
    });
  }
  return {dom: bar, refresh};
}

// mount turns the story form's Markdown box into the two-mode editor.
function mount(textarea) {
  const field = textarea.parentNode;
  const wrap = document.createElement("div");
  wrap.className = "visual-editor";
  wrap.hidden = true;
  const host = document.createElement("div");
  host.className = "visual-host story-body";

  // The mode switch: two radio-like buttons.
  const modes = document.createElement("div");
  modes.className = "editor-modes";
  modes.setAttribute("role", "group");
  modes.setAttribute("aria-label", "Editing mode");
  const visualBtn = document.createElement("button");
  visualBtn.type = "button";
  visualBtn.textContent = "Visual";
  visualBtn.id = "mode-visual";
  const sourceBtn = document.createElement("button");
  sourceBtn.type = "button";
  sourceBtn.textContent = "Markdown";
  sourceBtn.id = "mode-markdown";
  modes.appendChild(visualBtn);
  modes.appendChild(sourceBtn);
  field.insertBefore(modes, textarea);

  const status = document.createElement("p");
  status.className = "editor-status hint";
  status.setAttribute("aria-live", "polite");

  let view = null;
  let dirty = false; // the document changed since the textarea was last written
  let timer = null;

  function flush() {
    clearTimeout(timer);
    timer = null;
    if (!view || !dirty) return;
    dirty = false;
    textarea.value = serialize(view.state.doc);
    textarea.dispatchEvent(new Event("input", {bubbles: true}));
  }

  function say(msg, alert) {
    status.textContent = msg;
    status.setAttribute("role", alert ? "alert" : "status");
  }

  // asking is a command that asks with a dialog, then applies what was filled in.
  function asking(title, fields, okLabel, apply) {
    return (state, dispatch) => {
      if (!dispatch) return true;
      ask(title, fields, okLabel).then((v) => {
        view.focus();
        if (v && fields.every((f) => !f.required || v[f.name])) apply(v);
      });
      return true;
    };
  }

  const actions = {
    picture: (state, dispatch) => {
      if (dispatch) pickPicture();
      return true;
    },
    uploadPicker: (state, dispatch) => {
      if (!dispatch) return true;
      const input = document.createElement("input");
      input.type = "file";
      input.accept = "image/jpeg,image/png,image/gif,image/webp";
      input.addEventListener("change", () => uploadFiles(Array.from(input.files), null));
      input.click();
      return true;
    },
    embed: asking("Embed", [{name: "url", label: "Address of the video, post, podcast, chart or map", type: "url", required: true,
      hint: "It stays an address on its own line; the story page shows it as an embed that loads nothing until the reader asks."}], "Embed", (v) => {
      const p = S.paragraph.create(null, schema.text(v.url, [M.link.create({href: v.url, bare: true})]));
      view.dispatch(view.state.tr.replaceSelectionWith(p).scrollIntoView());
    }),
    footnote: asking("Footnote", [{name: "text", label: "Text of the note", type: "textarea", required: true}], "Add", (v) => {
      const used = new Set();
      view.state.doc.descendants((n) => { if (n.type === S.footnote_def || n.type === S.footnote_ref) used.add(n.attrs.label); });
      let n = 1;
      while (used.has(String(n))) n++;
      const label = String(n);
      let tr = view.state.tr.replaceSelectionWith(S.footnote_ref.create({label}), false);
      tr = tr.insert(tr.doc.content.size, S.footnote_def.create({label}, parse(v.text).content));
      view.dispatch(tr.scrollIntoView());
    }),
    html: asking("HTML block", [{name: "html", label: "HTML (the site cleans it as it does all HTML)", type: "textarea", required: true}], "Insert", (v) => {
      view.dispatch(view.state.tr.replaceSelectionWith(S.html_block.create({html: v.html})).scrollIntoView());
    }),
  };

  async function pickPicture() {
    const dlg = document.createElement("dialog");
    dlg.className = "editor-dialog picker";
    const h = document.createElement("h2");
    h.textContent = "Picture from the library";
    const search = document.createElement("input");
    search.type = "search";
    search.setAttribute("aria-label", "Search the library");
    search.placeholder = "Search by name, description, caption, credit";
    const grid = document.createElement("ul");
    grid.className = "picker-grid";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "secondary";
    close.textContent = "Cancel";
    close.addEventListener("click", () => dlg.close());
    dlg.append(h, search, grid, close);
    document.body.appendChild(dlg);
    dlg.addEventListener("close", () => { dlg.remove(); view.focus(); });
    // load shows the search's page of pictures: the first replaces the list, the next ones
    // (the "More" button) add to it. An answer to a search since replaced is dropped.
    let loads = 0;
    async function load(page) {
      const seq = ++loads;
      const r = await fetch("/admin/media/?per_page=48&page=" + page + "&q=" + encodeURIComponent(search.value), {credentials: "same-origin", headers: {Accept: "application/json"}});
      const data = r.ok ? await r.json() : {items: []};
      if (seq !== loads) return;
      if (page === 1) grid.textContent = "";
      grid.querySelectorAll(".picker-more").forEach((li) => li.remove());
      const first = grid.children.length; // where this page's pictures start
      if (page === 1 && !data.items.length) {
        const li = document.createElement("li");
        li.textContent = "No pictures found. Upload one with the Upload button, or drop it into the story.";
        grid.appendChild(li);
      }
      data.items.forEach((item) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "picker-item";
        const img = document.createElement("img");
        const small = (item.sizes || []).slice().sort((x, y) => x.w - y.w)[0];
        img.src = small ? "/media/" + small.file : sameOrigin(item.url);
        img.alt = "";
        img.className = focusClass(item);
        const name = document.createElement("span");
        name.textContent = item.alt || item.name;
        b.append(img, name);
        b.setAttribute("aria-label", "Insert " + (item.alt || item.name) + (item.alt ? "" : " (no description)"));
        b.addEventListener("click", async () => {
          dlg.close();
          const v = await ask("Picture", [
            {name: "alt", label: "Description for readers who cannot see it", value: item.alt, hint: item.alt ? "" : altHint, warn: !item.alt},
            {name: "caption", label: "Caption", value: item.caption},
            {name: "credit", label: "Credit", value: item.credit},
          ], "Insert");
          if (!v) return;
          view.dispatch(view.state.tr.replaceSelectionWith(figureFrom(item, v)).scrollIntoView());
          if (!v.alt) say("The picture has no description: add one so that every reader gets it.", true);
        });
        li.appendChild(b);
        grid.appendChild(li);
      });
      const left = (data.total || 0) - page * (data.per_page || 48);
      if (left > 0) {
        const li = document.createElement("li");
        li.className = "picker-more";
        const more = document.createElement("button");
        more.type = "button";
        more.className = "secondary";
        more.textContent = "More pictures (" + left + " more)";
        more.addEventListener("click", () => load(page + 1));
        li.appendChild(more);
        grid.appendChild(li);
      }
      // After "More", the keyboard carries on from the first of the new pictures.
      const next = page > 1 && grid.children[first] && grid.children[first].querySelector("button");
      if (next) next.focus();
    }
    let t;
    search.addEventListener("input", () => { clearTimeout(t); t = setTimeout(() => load(1), 250); });
    dlg.showModal();
    load(1);
  }

  // uploadFiles sends dropped or pasted pictures to the library, asking for their words first,
  // and puts each where it was dropped (pos) or at the cursor.
  async function uploadFiles(files, pos) {
    for (const file of files) {
      if (!/^image\//.test(file.type)) {
        say(file.name + " is not a picture: only JPEG, PNG, GIF and WebP go into the library.", true);
        continue;
      }
      const v = await ask("Upload " + (file.name || "the pasted picture"), [
        {name: "alt", label: "Description for readers who cannot see it", hint: altHint, warn: true},
        {name: "caption", label: "Caption"},
        {name: "credit", label: "Credit"},
      ], "Upload");
      if (!v) continue;
      say("Uploading " + (file.name || "the picture") + "…");
      try {
        const item = await upload(file, v);
        const node = figureFrom(item, v);
        const st = view.state;
        const at = pos === null ? st.selection.from : Math.min(pos, st.doc.content.size);
        const $at = st.doc.resolve(at);
        const tr = pos === null ? st.tr.replaceSelectionWith(node) : st.tr.insert($at.depth ? $at.after(1) : at, node);
        view.dispatch(tr.scrollIntoView());
        say(v.alt ? "Picture added." : "Picture added without a description: add one so that every reader gets it.", !v.alt);
      } catch (e) {
        say(e.message + " The story is unchanged.", true);
      }
    }
  }

  function imageFiles(list) {
    return Array.from(list || []).filter((f) => f.kind === undefined || f.kind === "file").map((f) => f.getAsFile ? f.getAsFile() : f).filter(Boolean);
  }

  function create() {
    const state = EditorState.create({
      doc: parse(textarea.value),
      plugins: [
        buildInputRules(),
        keymap(buildKeymap()),
        keymap(baseKeymap),
        history(),
        dropCursor(),
        gapCursor(),
        tableEditing(),
        embedLines(),
      ],
    });
    view = new EditorView(host, {
      state,
      attributes: {id: "visual-body", role: "textbox", "aria-multiline": "true", "aria-label": "Story (visual)", class: "visual-body", spellcheck: "true"},
      nodeViews: {
        figure: (n, v, g) => new FigureView(n, v, g),
        html_block: (n, v, g) => new HTMLBlockView(n, v, g),
      },
      transformPastedHTML: cleanPaste,
      clipboardTextParser(text, $context) {
        if ($context.parent.type.spec.code) return new Slice(Fragment.from(schema.text(text)), 0, 0);
        const url = text.trim();
        if (/^https?:\/\/\S+$/.test(url)) {
          // A pasted address alone: a link, and alone on its line an embed.
          return new Slice(Fragment.from(S.paragraph.create(null, schema.text(url, [M.link.create({href: url, bare: true})]))), 1, 1);
        }
        const doc = parse(text);
        return Slice.maxOpen(doc.content);
      },
      handleDrop(v, e) {
        const files = imageFiles(e.dataTransfer && e.dataTransfer.files);
        if (!files.length) return false;
        e.preventDefault();
        const at = v.posAtCoords({left: e.clientX, top: e.clientY});
        uploadFiles(files, at ? at.pos : null);
        return true;
      },
      handlePaste(v, e) {
        const files = imageFiles(e.clipboardData && e.clipboardData.files);
        if (!files.length) return false;
        e.preventDefault();
        uploadFiles(files, null);
        return true;
      },
      dispatchTransaction(tr) {
        const next = view.state.apply(tr);
        view.updateState(next);
        bar.refresh(next);
        if (tr.docChanged) {
          dirty = true;
          clearTimeout(timer);
          timer = setTimeout(flush, 200);
        }
      },
    });
    const bar = toolbar(view, actions);
    wrap.textContent = "";
    wrap.append(bar.dom, host, status);
    bar.refresh(view.state);
  }

  function setMode(visual, remember) {
    if (visual && wrap.hidden) {
      if (view) view.destroy();
      view = null;
      dirty = false;
      try {
        create();
      } catch (e) {
        say("The visual editor could not read this story: " + e.message + ". Edit it as Markdown.", true);
        return;
      }
      textarea.hidden = true;
      wrap.hidden = false;
    } else if (!visual && !wrap.hidden) {
      flush();
      if (view) view.destroy();
      view = null;
      wrap.hidden = true;
      textarea.hidden = false;
    }
    const write = field.closest(".write");
    if (write) write.classList.toggle("is-visual", !wrap.hidden);
    visualBtn.setAttribute("aria-pressed", String(visual));
    sourceBtn.setAttribute("aria-pressed", String(!visual));
    if (remember) {
      try { localStorage.setItem("broadsheet:editor-mode", visual ? "visual" : "markdown"); } catch (e) {}
    }
  }
  visualBtn.addEventListener("click", () => { setMode(true, true); if (view) view.focus(); });
  sourceBtn.addEventListener("click", () => { setMode(false, true); textarea.focus(); });
  field.insertBefore(wrap, textarea.nextSibling);

  // Whoever sets the textarea's text (a restored local copy) tells the visual editor by "change".
  textarea.addEventListener("change", () => {
    if (!wrap.hidden) {
      // The textarea's text wins over the document's pending changes.
      dirty = false;
      clearTimeout(timer);
      setMode(false, false);
      setMode(true, false);
    }
  });
  // The form posts the textarea: write it before anything reads it.
  const form = textarea.form;
  if (form) form.addEventListener("submit", flush, true);
  window.addEventListener("pagehide", flush);

  let mode = "markdown";
  try { mode = localStorage.getItem("broadsheet:editor-mode") || "markdown"; } catch (e) {}
  setMode(mode === "visual" && !textarea.disabled && !textarea.closest("fieldset[disabled]"), false);
  return {setMode, flush, get view() { return view; }};
}

// For the tests and the console: the Markdown round trip the editor makes.
window.BroadsheetEditor = {parse, serialize, roundTrip, cleanPaste, pasteToMarkdown};

// pasteToMarkdown is what pasting html into an empty story gives, as Markdown.
function pasteToMarkdown(html) {
  // An inert document, as ProseMirror's own paste uses: the page's CSP forbids style attributes.
  const inert = new window.DOMParser().parseFromString(cleanPaste(html), "text/html");
  const doc = PMDOMParser.fromSchema(schema).parse(inert.body);
  return serialize(doc);
}

const body = document.querySelector("form#editor textarea#body");
if (body) window.BroadsheetEditor.editor = mount(body);
