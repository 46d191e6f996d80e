// The two functions markdown-it takes from the "entities" package, done by the browser's own
// HTML parser instead of a 77 KB table. A <textarea>'s content is text: nothing in it is run,
// loaded or styled.
let box = null;

function decode(s) {
  if (!box) box = document.createElement("textarea");
  box.innerHTML = s;
  return box.value;
}

// decodeHTML decodes every character reference in s.
export function decodeHTML(s) {
  return s.indexOf("&") < 0 ? s : decode(s);
}

// decodeHTMLStrict decodes references that end with a semicolon, as markdown-it asks.
export function decodeHTMLStrict(s) {
  return decode(s);
}
