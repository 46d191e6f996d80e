// Markdown ↔ document. markdown-it reads the Markdown as the server's goldmark does (CommonMark,
// GFM tables and strikethrough, bare web addresses as links, footnotes, raw HTML); the
// serialiser writes Markdown that the server renders to the same HTML. Raw HTML blocks and inline
// tags are written back byte for byte.
import MarkdownIt from "markdown-it";
import footnote from "markdown-it-footnote";
import {MarkdownParser, MarkdownSerializer, MarkdownSerializerState} from "prosemirror-markdown";
import {schema} from "./schema.js";

// The server keeps up to 32 levels of quotes and 64 columns of list indentation (see
// article.boundNesting); markdown-it's default of 20 levels would drop what lies deeper.
const md = MarkdownIt("commonmark", {html: true, linkify: true, maxNesting: 256})
  .enable(["table", "strikethrough", "linkify"])
  .use(footnote);
// goldmark links only addresses with a scheme or www., and has no inline ^[footnotes].
md.linkify.set({fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false});
md.inline.ruler.disable(["footnote_inline"]);

function listIsTight(tokens, i) {
  while (++i < tokens.length) if (tokens[i].type !== "list_item_open") return tokens[i].hidden;
  return false;
}

function cellAlign(tok) {
  const m = /text-align:\s*(left|center|right)/.exec(tok.attrGet("style") || "");
  return {align: m ? m[1] : null};
}

function escAttr(s) {
  return String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escText(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function unesc(s) {
  return String(s || "").replace(/&(quot|lt|gt|#39|amp);/g, (m, e) => ({quot: '"', lt: "<", gt: ">", "#39": "'", amp: "&"})[e]);
}

// figureHTML is the one line of HTML a figure node writes.
export function figureHTML(a) {
  let s = '<figure><img src="' + escAttr(a.src) + '" alt="' + escAttr(a.alt) + '"';
  if (a.width && a.height) s += ' width="' + escAttr(a.width) + '" height="' + escAttr(a.height) + '"';
  s += ">";
  if (a.caption || a.credit) {
    s += "<figcaption>" + escText(a.caption);
    if (a.credit) s += (a.caption ? " " : "") + "<small>" + escText(a.credit) + "</small>";
    s += "</figcaption>";
  }
  return s + "</figure>";
}

// pullquoteHTML is the one line of HTML a pull quote writes.
export function pullquoteHTML(text, cite) {
  return '<figure class="pullquote"><blockquote><p>' + escText(text) + "</p>" +
    (cite ? "<cite>" + escText(cite) + "</cite>" : "") + "</blockquote></figure>";
}

const reFigure = /^<figure><img src="([^"<>]*)" alt="([^"<>]*)"(?: width="(\d+)" height="(\d+)")?>(?:<figcaption>([^<]*?)(?: ?<small>([^<]*)<\/small>)?<\/figcaption>)?<\/figure>$/;
const rePullquote = /^<figure class="pullquote"><blockquote><p>([^<]*)<\/p>(?:<cite>([^<]*)<\/cite>)?<\/blockquote><\/figure>$/;

// htmlBlock turns a raw HTML block into a figure or pull quote when it is exactly what those
// nodes write (so writing it again gives the same bytes), and otherwise keeps it as it is.
function htmlBlock(state, tok) {
  const html = tok.content.replace(/\n$/, "");
  let m = reFigure.exec(html);
  if (m) {
    const a = {src: unesc(m[1]), alt: unesc(m[2]), width: m[3] || "", height: m[4] || "", caption: unesc(m[5]), credit: unesc(m[6])};
    if (figureHTML(a) === html) {
      state.addNode(schema.nodes.figure, a);
      return;
    }
  }
  m = rePullquote.exec(html);
  if (m && m[1] !== "" && pullquoteHTML(unesc(m[1]), unesc(m[2])) === html) {
    state.openNode(schema.nodes.pullquote, {cite: unesc(m[2])});
    state.addText(unesc(m[1]));
    state.closeNode();
    return;
  }
  state.addNode(schema.nodes.html_block, {html});
}

const parser = new MarkdownParser(schema, md, {
  blockquote: {block: "blockquote"},
  paragraph: {block: "paragraph"},
  list_item: {block: "list_item"},
  bullet_list: {block: "bullet_list", getAttrs: (tok, tokens, i) => ({tight: listIsTight(tokens, i), bullet: tok.markup || "-"})},
  ordered_list: {block: "ordered_list", getAttrs: (tok, tokens, i) => ({
    order: tok.attrGet("start") === null ? 1 : +tok.attrGet("start"),
    tight: listIsTight(tokens, i),
  })},
  heading: {block: "heading", getAttrs: (tok) => ({level: +tok.tag.slice(1)})},
  code_block: {block: "code_block", noCloseToken: true},
  fence: {block: "code_block", getAttrs: (tok) => ({params: tok.info || ""}), noCloseToken: true},
  hr: {node: "horizontal_rule"},
  image: {node: "image", getAttrs: (tok) => ({
    src: tok.attrGet("src"),
    title: tok.attrGet("title") || null,
    alt: (tok.children || []).map((c) => c.content).join("") || null,
  })},
  hardbreak: {node: "hard_break"},
  table: {block: "table"},
  thead: {ignore: true},
  tbody: {ignore: true},
  tr: {block: "table_row"},
  th: {block: "table_header", getAttrs: cellAlign},
  td: {block: "table_cell", getAttrs: cellAlign},
  footnote_block: {ignore: true},
  footnote: {block: "footnote_def", getAttrs: (tok) => ({label: tok.meta.label})},
  footnote_anchor: {ignore: true, noCloseToken: true},
  footnote_ref: {node: "footnote_ref", getAttrs: (tok) => ({label: tok.meta.label})},
  html_inline: {node: "html_inline", getAttrs: (tok) => ({html: tok.content})},
  em: {mark: "em"},
  strong: {mark: "strong"},
  s: {mark: "strike"},
  link: {mark: "link", getAttrs: (tok) => ({href: tok.attrGet("href"), title: tok.attrGet("title") || null, bare: tok.markup === "linkify"})},
  code_inline: {mark: "code", noCloseToken: true},
});
parser.tokenHandlers.html_block = htmlBlock;

// parse reads Markdown into a document.
export function parse(text) {
  return parser.parse(text);
}

function linkDest(href) {
  return /[\s<>]/.test(href) ? "<" + href.replace(/[<>]/g, (c) => encodeURIComponent(c)) + ">" : href.replace(/[()]/g, "\\$&");
}

function title(t) {
  return t ? ' "' + t.replace(/["\\]/g, "\\$&") + '"' : "";
}

// inlineMarkdown is the Markdown of a table cell's content, on one line, with pipes escaped.
function inlineMarkdown(cell) {
  const para = schema.nodes.paragraph.create(null, cell.content);
  return serializer.serialize(schema.nodes.doc.create(null, para))
    .replace(/\\\n/g, "<br>").replace(/\n/g, " ").replace(/(^|[^\\])\|/g, "$1\\|").replace(/(^|[^\\])\|/g, "$1\\|").trim();
}

function renderTable(state, node) {
  const rows = [];
  node.forEach((row) => {
    const cells = [];
    row.forEach((cell) => cells.push(inlineMarkdown(cell)));
    rows.push(cells);
  });
  const aligns = [];
  node.firstChild.forEach((cell) => aligns.push(cell.attrs.align));
  const rule = aligns.map((a) => a === "left" ? ":--" : a === "center" ? ":-:" : a === "right" ? "--:" : "---");
  const line = (cells) => "| " + cells.map((c) => c || " ").join(" | ") + " |";
  const out = [line(rows[0]), "| " + rule.join(" | ") + " |"].concat(rows.slice(1).map(line));
  state.text(out.join("\n"), false);
  state.closeBlock(node);
}

const markdownNodes = {
  blockquote(state, node) {
    state.wrapBlock("> ", null, node, () => state.renderContent(node));
  },
  code_block(state, node) {
    const ticks = node.textContent.match(/`{3,}/gm);
    const fence = ticks ? ticks.sort().slice(-1)[0] + "`" : "```";
    state.write(fence + (node.attrs.params || "") + "\n");
    if (node.textContent) {
      state.text(node.textContent, false);
      state.write("\n");
    }
    state.write(fence);
    state.closeBlock(node);
  },
  heading(state, node) {
    state.write("#".repeat(node.attrs.level) + " ");
    state.renderInline(node, false);
    state.closeBlock(node);
  },
  horizontal_rule(state, node) {
    state.write("---");
    state.closeBlock(node);
  },
  bullet_list(state, node, parent, index) {
    // Two lists in a row with one marker would be read as one list.
    let bullet = node.attrs.bullet || "-";
    const prev = index > 0 && parent.child(index - 1);
    if (prev && prev.type === node.type && (prev.attrs.bullet || "-") === bullet) bullet = bullet === "-" ? "*" : "-";
    state.renderList(node, "  ", () => bullet + " ");
  },
  ordered_list(state, node, parent, index) {
    const start = node.attrs.order;
    const prev = index > 0 && parent.child(index - 1);
    const delim = prev && prev.type === node.type ? ")" : ".";
    const width = String(start + node.childCount - 1).length;
    state.renderList(node, " ".repeat(width + 2), (i) => {
      const n = String(start + i);
      return n + delim + " ".repeat(width - n.length + 1);
    });
  },
  list_item(state, node) {
    state.renderContent(node);
  },
  paragraph(state, node) {
    state.renderInline(node);
    state.closeBlock(node);
  },
  figure(state, node) {
    state.text(figureHTML(node.attrs), false);
    state.closeBlock(node);
  },
  pullquote(state, node) {
    state.text(pullquoteHTML(node.textContent, node.attrs.cite), false);
    state.closeBlock(node);
  },
  html_block(state, node) {
    state.text(node.attrs.html, false);
    state.closeBlock(node);
  },
  footnote_def(state, node) {
    state.wrapBlock("    ", "[^" + node.attrs.label + "]: ", node, () => state.renderContent(node));
  },
  table: renderTable,
  image(state, node) {
    state.write("![" + state.esc(node.attrs.alt || "") + "](" + linkDest(node.attrs.src) + title(node.attrs.title) + ")");
  },
  hard_break(state, node, parent, index) {
    for (let i = index + 1; i < parent.childCount; i++) {
      if (parent.child(i).type !== node.type) {
        state.write("\\\n");
        return;
      }
    }
  },
  html_inline(state, node) {
    state.write(node.attrs.html);
  },
  footnote_ref(state, node) {
    state.write("[^" + node.attrs.label + "]");
  },
  text(state, node) {
    state.text(node.text, !state.inAutolink);
  },
};

function isPlainURL(link, parent, index) {
  if (link.attrs.title || !/^\w+:/.test(link.attrs.href) || /[\s<>]/.test(link.attrs.href)) return false;
  const content = parent.child(index);
  if (!content.isText || content.text !== link.attrs.href || content.marks[content.marks.length - 1] !== link) return false;
  return index === parent.childCount - 1 || !link.isInSet(parent.child(index + 1).marks);
}

// standsAlone reports whether the text at index has white space (or nothing) on both sides, so
// that an address written bare is read back as the same link.
function standsAlone(parent, index) {
  const before = index > 0 ? parent.child(index - 1) : null;
  const after = index + 1 < parent.childCount ? parent.child(index + 1) : null;
  const ok = (n, re) => !n || (n.isText && re.test(n.text)) || n.type.name === "hard_break";
  return ok(before, /\s$/) && ok(after, /^\s/) && /^https?:\/\/[^\s<>]+$/.test(parent.child(index).text);
}

function backticksFor(node, side) {
  const ticks = /`+/g;
  let m, len = 0;
  if (node.isText) while ((m = ticks.exec(node.text))) len = Math.max(len, m[0].length);
  let result = len > 0 && side > 0 ? " `" : "`";
  for (let i = 0; i < len; i++) result += "`";
  if (len > 0 && side < 0) result += " ";
  return result;
}

const markdownMarks = {
  em: {open: "*", close: "*", mixable: true, expelEnclosingWhitespace: true},
  strong: {open: "**", close: "**", mixable: true, expelEnclosingWhitespace: true},
  strike: {open: "~~", close: "~~", mixable: true, expelEnclosingWhitespace: true},
  link: {
    open(state, mark, parent, index) {
      state.inAutolink = isPlainURL(mark, parent, index);
      state.bareLink = state.inAutolink && mark.attrs.bare && standsAlone(parent, index);
      return state.bareLink ? "" : state.inAutolink ? "<" : "[";
    },
    close(state, mark) {
      const auto = state.inAutolink, bare = state.bareLink;
      state.inAutolink = state.bareLink = undefined;
      return bare ? "" : auto ? ">" : "](" + linkDest(mark.attrs.href) + title(mark.attrs.title) + ")";
    },
    mixable: true,
  },
  code: {
    open: (state, mark, parent, index) => backticksFor(parent.child(index), -1),
    close: (state, mark, parent, index) => backticksFor(parent.child(index - 1), 1),
    escape: false,
  },
};

// Text that would otherwise read as a tag, a character reference or the start of a list.
const serializer = new MarkdownSerializer(markdownNodes, markdownMarks, {
  escapeExtraCharacters: /<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)/g,
  strict: false,
});
// "1) " at the start of a line would start a list, as "1. " would (which esc escapes).
const esc = MarkdownSerializerState.prototype.esc;
MarkdownSerializerState.prototype.esc = function (str, startOfLine) {
  str = esc.call(this, str, startOfLine);
  return startOfLine ? str.replace(/^(\s*\d+)\)(\s|$)/, "$1\\)$2") : str;
};

// serialize writes a document as Markdown.
export function serialize(doc) {
  return serializer.serialize(doc, {tightLists: true}).replace(/\n+$/, "") + "\n";
}

// roundTrip is Markdown → document → Markdown, for the tests.
export function roundTrip(text) {
  return serialize(parse(text));
}
