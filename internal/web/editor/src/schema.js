// The document model of the visual editor: exactly what the site's Markdown renderer
// (goldmark with tables, strikethrough, autolinks and footnotes, raw HTML allowed) can express,
// so that every document serialises back to Markdown. What Markdown cannot say (a figure with
// its caption and credit, a pull quote) is a node that writes a fixed piece of HTML, and any
// other raw HTML is an opaque node kept byte for byte.
import {Schema} from "prosemirror-model";
import {tableNodes} from "prosemirror-tables";

const cells = tableNodes({
  tableGroup: "block",
  cellContent: "inline*",
  cellAttributes: {
    align: {
      default: null,
      getFromDOM: (dom) => {
        const a = dom.getAttribute("align") || (dom.style && dom.style.textAlign);
        return a === "left" || a === "center" || a === "right" ? a : null;
      },
      setDOMAttr: (value, attrs) => {
        if (value) attrs["data-align"] = value;
      },
    },
  },
});

// Pasted text keeps only emphasis the document can hold: Google Docs marks bold and italic with
// styles on spans, and wraps everything in <b style="font-weight:normal">.
const bold = /^(bold(er)?|[5-9]\d{2,})$/;

export const schema = new Schema({
  nodes: {
    doc: {content: "block+"},
    paragraph: {
      content: "inline*", group: "block",
      parseDOM: [{tag: "p"}],
      toDOM: () => ["p", 0],
    },
    heading: {
      attrs: {level: {default: 2}}, content: "inline*", group: "block", defining: true,
      // The story's headline is the page's one <h1>: a pasted <h1> is the body's top heading.
      parseDOM: [1, 2, 3, 4, 5, 6].map((l) => ({tag: "h" + l, attrs: {level: Math.max(l, 2)}})),
      toDOM: (n) => ["h" + n.attrs.level, 0],
    },
    blockquote: {
      content: "block+", group: "block", defining: true,
      parseDOM: [{tag: "blockquote"}],
      toDOM: () => ["blockquote", 0],
    },
    horizontal_rule: {
      group: "block",
      parseDOM: [{tag: "hr"}],
      toDOM: () => ["hr"],
    },
    code_block: {
      attrs: {params: {default: ""}}, content: "text*", marks: "", group: "block", code: true, defining: true,
      parseDOM: [{tag: "pre", preserveWhitespace: "full", getAttrs: (dom) => {
        const code = dom.querySelector("code");
        const m = /(?:^|\s)language-(\S+)/.exec((code && code.className) || "");
        return {params: m ? m[1] : ""};
      }}],
      toDOM: (n) => ["pre", n.attrs.params ? {"data-language": n.attrs.params} : {}, ["code", 0]],
    },
    bullet_list: {
      attrs: {tight: {default: true}, bullet: {default: "-"}}, content: "list_item+", group: "block",
      parseDOM: [{tag: "ul"}],
      toDOM: () => ["ul", 0],
    },
    ordered_list: {
      attrs: {order: {default: 1}, tight: {default: true}}, content: "list_item+", group: "block",
      parseDOM: [{tag: "ol", getAttrs: (dom) => ({order: dom.hasAttribute("start") ? +dom.getAttribute("start") || 1 : 1})}],
      toDOM: (n) => ["ol", n.attrs.order === 1 ? {} : {start: n.attrs.order}, 0],
    },
    list_item: {
      content: "paragraph block*", defining: true,
      parseDOM: [{tag: "li"}],
      toDOM: () => ["li", 0],
    },
    // A picture with its words, written as <figure><img><figcaption>caption <small>credit</small>.
    figure: {
      attrs: {src: {}, alt: {default: ""}, caption: {default: ""}, credit: {default: ""}, width: {default: ""}, height: {default: ""}},
      group: "block", atom: true, draggable: true,
      parseDOM: [{tag: "figure", getAttrs: (dom) => {
        const img = dom.querySelector("img");
        if (!img || dom.querySelector("blockquote")) return false;
        const cap = dom.querySelector("figcaption");
        const credit = cap && cap.querySelector("small");
        let caption = "";
        if (cap) {
          const c = cap.cloneNode(true);
          c.querySelectorAll("small").forEach((s) => s.remove());
          caption = c.textContent.trim();
        }
        return {src: img.getAttribute("src"), alt: img.getAttribute("alt") || "", caption,
          credit: credit ? credit.textContent.trim() : "", width: img.getAttribute("width") || "", height: img.getAttribute("height") || ""};
      }}],
      toDOM: (n) => ["figure", ["img", {src: n.attrs.src, alt: n.attrs.alt}], ["figcaption", n.attrs.caption + (n.attrs.credit ? " " + n.attrs.credit : "")]],
    },
    // A pull quote: a line lifted from the story, set large, with whom it quotes.
    pullquote: {
      attrs: {cite: {default: ""}}, content: "text*", marks: "", group: "block", defining: true,
      parseDOM: [{tag: "figure.pullquote", contentElement: "blockquote p", getAttrs: (dom) => {
        const c = dom.querySelector("cite");
        return {cite: c ? c.textContent.trim() : ""};
      }}],
      toDOM: (n) => ["figure", {class: "pullquote", "data-cite": n.attrs.cite}, ["blockquote", ["p", 0]]],
    },
    // Raw HTML as the Markdown holds it: kept verbatim, shown as code.
    html_block: {
      attrs: {html: {default: ""}}, group: "block", atom: true,
      toDOM: (n) => ["pre", {class: "html-block"}, n.attrs.html],
    },
    // A footnote's text: Markdown keeps it at the end as [^label]: text.
    footnote_def: {
      attrs: {label: {}}, content: "block+", group: "block", defining: true,
      toDOM: (n) => ["aside", {class: "footnote-def", "data-label": n.attrs.label}, 0],
    },
    table: cells.table,
    table_row: cells.table_row,
    table_cell: cells.table_cell,
    table_header: cells.table_header,
    text: {group: "inline"},
    image: {
      inline: true, attrs: {src: {}, alt: {default: null}, title: {default: null}}, group: "inline", draggable: true,
      parseDOM: [{tag: "img[src]", getAttrs: (dom) => ({src: dom.getAttribute("src"), title: dom.getAttribute("title"), alt: dom.getAttribute("alt")})}],
      toDOM: (n) => ["img", {src: n.attrs.src, alt: n.attrs.alt || "", title: n.attrs.title}],
    },
    hard_break: {
      inline: true, group: "inline", selectable: false,
      parseDOM: [{tag: "br"}],
      toDOM: () => ["br"],
    },
    html_inline: {
      inline: true, attrs: {html: {}}, group: "inline", atom: true,
      toDOM: (n) => ["code", {class: "html-inline"}, n.attrs.html],
    },
    footnote_ref: {
      inline: true, attrs: {label: {}}, group: "inline", atom: true,
      toDOM: (n) => ["sup", {class: "footnote-ref"}, n.attrs.label],
    },
  },
  marks: {
    link: {
      // bare: written as the address alone, as it was typed (goldmark links it again).
      attrs: {href: {}, title: {default: null}, bare: {default: false}}, inclusive: false,
      parseDOM: [{tag: "a[href]", getAttrs: (dom) => {
        const href = dom.getAttribute("href");
        return /^(https?:|mailto:|\/|#)/i.test(href) ? {href, title: dom.getAttribute("title")} : false;
      }}],
      toDOM: (m) => ["a", {href: m.attrs.href, title: m.attrs.title, rel: "noopener"}, 0],
    },
    em: {
      parseDOM: [{tag: "i"}, {tag: "em"}, {style: "font-style=italic"}, {style: "font-style=normal", clearMark: (m) => m.type.name === "em"}],
      toDOM: () => ["em", 0],
    },
    strong: {
      parseDOM: [
        {tag: "strong"},
        {tag: "b", getAttrs: (dom) => dom.style.fontWeight !== "normal" && !/^docs-internal-guid/.test(dom.id) && null},
        {style: "font-weight=400", clearMark: (m) => m.type.name === "strong"},
        {style: "font-weight", getAttrs: (v) => bold.test(v) && null},
      ],
      toDOM: () => ["strong", 0],
    },
    strike: {
      parseDOM: [{tag: "s"}, {tag: "del"}, {tag: "strike"}, {style: "text-decoration=line-through"}, {style: "text-decoration-line=line-through"}],
      toDOM: () => ["s", 0],
    },
    code: {
      parseDOM: [{tag: "code"}],
      toDOM: () => ["code", 0],
    },
  },
});
