/* prelude_dom.cpp — the second half of the prelude's function body (the two
 * halves are one source, joined by page_run.cpp before it is compiled, and
 * share one scope): what real libraries (jQuery 1.12 to 3.x, its plugins,
 * Bootstrap, Backbone) ask of the DOM beyond the basics of prelude.cpp:
 * documents of their own (document.implementation), DOMTokenList, exact
 * tree positions, inline and computed style, geometry, focus, XMLHttpRequest
 * with any method, readyState and the page events, and the missing-property
 * trace (CRAWLD_JS_TRACE_MISSING). Over ~900 lines for the reason
 * prelude.cpp gives: one JS function body in one scope. */
#include "shim.hpp"

const char prelude_dom_source[] = R"JS(
/* ---------- DOMException ---------- */
const EXC_CODES = { IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4,
  InvalidCharacterError: 5, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
  SyntaxError: 12, InvalidAccessError: 15, AbortError: 20, TimeoutError: 23 };
class DOMException extends Error {
  constructor(message, name) {
    super(message === undefined ? '' : String(message));
    val(this, 'name', name === undefined ? 'Error' : String(name));
    val(this, 'code', EXC_CODES[this.name] || 0);
  }
}
for (const k in EXC_CODES) DOMException[k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase().replace(/_ERROR$/, '_ERR')] = EXC_CODES[k];
val(G, 'DOMException', DOMException);

/* ---------- documents ---------- */
/* Nodes a second document made, while detached: their ownerDocument. */
const owners = new WeakMap();
const isDoc = n => N.isNode(n) && N.type(n) === 9;
const childEl = (p, tag) => { for (let c = p && N.firstEl(p); c; c = N.nextEl(c)) if (N.tag(c) === tag) return c; return null; };
def(DocP, 'documentElement', function () { return this === doc ? N.docEl() : N.firstEl(this); });
def(DocP, 'head', function () { return this === doc ? N.head() : childEl(N.firstEl(this), 'head'); });
def(DocP, 'body', function () { return this === doc ? N.body() : childEl(N.firstEl(this), 'body'); }, function (v) {
  const html = this.documentElement, old = this.body;
  if (!html || !N.isNode(v)) return;
  if (old) N.replace(html, v, old); else N.append(html, v);
});
function ownerOf(n) {
  if (N.type(n) === 9) return null;
  let r = n;
  for (let p; (p = N.parent(r)); ) r = p;
  if (isDoc(r)) return r;
  return owners.get(r) || owners.get(n) || doc;
}
def(NodeP, 'ownerDocument', function () { return ownerOf(this); });
def(NodeP, 'isConnected', function () { let n = this; while (n && n !== doc) n = N.parent(n); return n === doc; });
for (const k of ['createElement', 'createElementNS', 'createTextNode', 'createComment']) {
  const f = DocP[k];
  DocP[k] = function (...a) { const n = f.apply(this, a); if (this !== doc) owners.set(n, this); return n; };
}
const mkFrag = DocP.createDocumentFragment;
DocP.createDocumentFragment = function () { const f = mkFrag(); if (this !== doc) owners.set(f, this); return f; };
DocP.importNode = function (n, deep) { const c = n.cloneNode(!!deep); if (this !== doc) owners.set(c, this); return c; };
DocP.adoptNode = function (n) { const p = N.parent(n); if (p) N.remove(p, n); if (this !== doc) owners.set(n, this); else owners.delete(n); return n; };
DocP.getElementsByName = function (n) { return list(query(this, '[name="' + String(n).replace(/["\\]/g, '\\$&') + '"]', false)); };
def(DocP, 'defaultView', function () { return this === doc ? G : null; });
def(DocP, 'readyState', function () { return this === doc ? readyState : 'complete'; });
function DOMImplementation() { throw new TypeError('Illegal constructor'); }
const implP = DOMImplementation.prototype;
implP.createHTMLDocument = function (title) { return N.newDoc(title === undefined ? undefined : String(title)); };
implP.createDocument = function () { return N.newDoc(undefined); };
implP.createDocumentType = function (name, pub, sys) { return { nodeType: 10, name: String(name), publicId: String(pub || ''), systemId: String(sys || '') }; };
implP.hasFeature = function () { return true; };
const impl = Object.create(implP);
def(DocP, 'implementation', () => impl);
val(G, 'DOMImplementation', DOMImplementation);
function DOMParser() {}
DOMParser.prototype.parseFromString = function (s, type) {
  const d = N.newDoc(undefined);
  const html = N.firstEl(d);
  N.setHtml(html, String(s), false); /* its scripts never run: setHtml marks them started */
  return d;
};
val(G, 'DOMParser', DOMParser);

/* ---------- tree positions ---------- */
const ancestors = n => { const a = [n]; for (let p; (p = N.parent(n)); n = p) a.push(p); return a; };
NodeP.compareDocumentPosition = function (o) {
  if (!N.isNode(o)) throw new TypeError('compareDocumentPosition: not a Node');
  if (o === this) return 0;
  const a = ancestors(this), b = ancestors(o);
  if (a[a.length - 1] !== b[b.length - 1])
    return 1 | 32 | (N.index(a[a.length - 1]) < N.index(b[b.length - 1]) ? 4 : 2);
  let i = a.length - 1, j = b.length - 1;
  while (i >= 0 && j >= 0 && a[i] === b[j]) { i--; j--; }
  if (i < 0) return 16 | 4; /* this contains o */
  if (j < 0) return 8 | 2;  /* o contains this */
  return N.index(b[j]) < N.index(a[i]) ? 2 : 4;
};
Object.assign(Node, { DOCUMENT_POSITION_DISCONNECTED: 1, DOCUMENT_POSITION_CONTAINS: 8,
  DOCUMENT_POSITION_CONTAINED_BY: 16, DOCUMENT_POSITION_IMPLEMENTATION_SPECIFIC: 32,
  DOCUMENT_TYPE_NODE: 10, PROCESSING_INSTRUCTION_NODE: 7, ENTITY_NODE: 6, NOTATION_NODE: 12 });
NodeP.contains = function (o) {
  if (o == null) return false;
  if (!N.isNode(o)) throw new TypeError('contains: not a Node');
  for (let n = o; n; n = N.parent(n)) if (n === this) return true;
  return false;
};
NodeP.getRootNode = function () { let n = this; for (let p; (p = N.parent(n)); ) n = p; return n; };
for (const [k, v] of Object.entries({ ELEMENT_NODE: 1, TEXT_NODE: 3, COMMENT_NODE: 8, DOCUMENT_NODE: 9,
  DOCUMENT_FRAGMENT_NODE: 11 })) val(NodeP, k, v);
NodeP.cloneNode = function (deep) {
  const t = N.type(this);
  if (t === 3) return N.createText(N.text(this));
  if (t === 8) return N.createComment(N.text(this));
  let c;
  if (t === 9) {
    c = N.newDoc(undefined);
    for (const k of N.kids(c, false)) N.remove(c, k);
  } else c = isFrag.has(this) ? makeFrag() : N.create(N.tag(this));
  if (t === 1) {
    const at = N.attrs(this);
    for (let i = 0; i < at.length; i += 2) N.setAttr(c, at[i], at[i + 1]);
  }
  if (deep) for (const k of N.kids(this, false)) N.append(c, k.cloneNode(true));
  const tc = deep && t === 1 && N.content(this);
  if (tc) for (const k of N.kids(tc, false)) N.append(N.content(c), k.cloneNode(true));
  const o = owners.get(this);
  if (o) owners.set(c, o);
  return c;
};
NodeP.isEqualNode = function (o) {
  if (!o || !N.isNode(o) || N.type(o) !== N.type(this)) return false;
  return N.type(this) === 1 || N.type(this) === 9 ? N.html(this, true) === N.html(o, true) : N.text(this) === N.text(o);
};

/* ---------- DOMTokenList: live over an attribute ---------- */
const ASCII_WS = /[ \t\n\f\r]+/;
const toks = (el, attr) => { const v = N.attr(el, attr); return v ? v.split(ASCII_WS).filter(Boolean) : []; };
function checkTok(t) {
  t = String(t);
  if (t === '') throw new DOMException('The token must not be empty.', 'SyntaxError');
  if (/[ \t\n\f\r]/.test(t)) throw new DOMException('The token must not contain whitespace.', 'InvalidCharacterError');
  return t;
}
function DOMTokenList() { throw new TypeError('Illegal constructor'); }
const TLP = DOMTokenList.prototype;
const tlSet = (tl, list) => N.setAttr(tl._el, tl._attr, Array.from(new Set(list)).join(' '));
TLP.item = function (i) { const a = toks(this._el, this._attr); i = Number(i); return i >= 0 && i < a.length ? a[i] : null; };
TLP.contains = function (t) { return toks(this._el, this._attr).includes(String(t)); };
TLP.add = function (...ts) { ts = ts.map(checkTok); const a = toks(this._el, this._attr); tlSet(this, a.concat(ts)); };
TLP.remove = function (...ts) {
  ts = ts.map(checkTok);
  if (N.attr(this._el, this._attr) === null) return;
  tlSet(this, toks(this._el, this._attr).filter(x => !ts.includes(x)));
};
TLP.toggle = function (t, force) {
  t = checkTok(t);
  if (this.contains(t)) {
    if (force === true) return true;
    this.remove(t);
    return false;
  }
  if (force !== undefined && !force) return false;
  this.add(t);
  return true;
};
TLP.replace = function (a, b) {
  a = checkTok(a); b = checkTok(b);
  const l = toks(this._el, this._attr);
  const i = l.indexOf(a);
  if (i < 0) return false;
  l[i] = b;
  tlSet(this, l.filter((x, j) => x !== a || j === i));
  return true;
};
TLP.supports = function () { return true; };
TLP.toString = function () { return this.value; };
TLP.forEach = function (f, self) { toks(this._el, this._attr).forEach((v, i) => f.call(self, v, i, this)); };
TLP.keys = function () { return toks(this._el, this._attr).keys(); };
TLP.values = TLP[Symbol.iterator] = function () { return Array.from(new Set(toks(this._el, this._attr)))[Symbol.iterator](); };
TLP.entries = function () { return Array.from(new Set(toks(this._el, this._attr))).entries(); };
def(TLP, 'length', function () { return new Set(toks(this._el, this._attr)).size; });
def(TLP, 'value', function () { const v = N.attr(this._el, this._attr); return v === null ? '' : v; },
  function (v) { N.setAttr(this._el, this._attr, String(v)); });
const tokenLists = new WeakMap();
function tokenListOf(el, attr) {
  let m = tokenLists.get(el);
  if (!m) { m = {}; tokenLists.set(el, m); }
  if (!m[attr]) {
    const tl = Object.create(TLP);
    val(tl, '_el', el); val(tl, '_attr', attr);
    m[attr] = new Proxy(tl, {
      get(t, k, r) { return typeof k === 'string' && /^\d+$/.test(k) ? (t.item(+k) ?? undefined) : Reflect.get(t, k, r); },
      has(t, k) { return typeof k === 'string' && /^\d+$/.test(k) ? +k < t.length : Reflect.has(t, k); }
    });
  }
  return m[attr];
}
def(ElP, 'classList', function () { return tokenListOf(this, 'class'); }, function (v) { N.setAttr(this, 'class', String(v)); });
def(ElP, 'relList', function () { return tokenListOf(this, 'rel'); }, function (v) { N.setAttr(this, 'rel', String(v)); });
val(G, 'DOMTokenList', DOMTokenList);

/* ---------- style ---------- */
/* element.style reads and writes the style attribute; getComputedStyle
 * answers from it, the hidden attribute and each tag's default display
 * (no style sheets are applied). */
const dashed = k => (k === 'cssFloat' ? 'float' : k.startsWith('--') ? k :
  String(k).replace(/^(webkit|moz|ms)(?=[A-Z])/, '-$1').replace(/[A-Z]/g, c => '-' + c.toLowerCase()));
function parseDecl(text) {
  const m = new Map();
  if (!text) return m;
  for (const part of String(text).split(';')) {
    const i = part.indexOf(':');
    if (i < 0) continue;
    const k = part.slice(0, i).trim().toLowerCase(), v = part.slice(i + 1).trim();
    if (k && v) m.set(k.startsWith('--') ? part.slice(0, i).trim() : k, v);
  }
  return m;
}
const declText = m => Array.from(m, ([k, v]) => k + ': ' + v + ';').join(' ');
const CSSP = {
  getPropertyValue(k) { return this._get().get(dashed(String(k)).toLowerCase()) || ''; },
  getPropertyPriority(k) { return /!important$/.test(this.getPropertyValue(k)) ? 'important' : ''; },
  setProperty(k, v, prio) {
    if (this._ro) throw new DOMException('read-only style', 'NoModificationAllowedError');
    const m = this._get(), key = dashed(String(k)).toLowerCase();
    if (v === null || v === undefined || String(v) === '') m.delete(key);
    else m.set(key, String(v) + (prio === 'important' ? ' !important' : ''));
    this._put(m);
  },
  removeProperty(k) { const v = this.getPropertyValue(k); this.setProperty(k, ''); return v; },
  item(i) { return Array.from(this._get().keys())[i] || ''; },
  get length() { return this._get().size; },
  get cssText() { return declText(this._get()); },
  set cssText(v) { if (!this._ro) this._put(parseDecl(v)); },
  get cssFloat() { return this.getPropertyValue('float'); },
  set cssFloat(v) { this.setProperty('float', v); }
};
Object.defineProperty(CSSP, Symbol.iterator, { value() { return this._get().keys(); } });
function CSSStyleDeclaration() { throw new TypeError('Illegal constructor'); }
CSSStyleDeclaration.prototype = CSSP;
val(G, 'CSSStyleDeclaration', CSSStyleDeclaration);
const VENDOR = /^(webkit|Webkit|moz|Moz|ms|O|o)[A-Z]/;
const cssKey = k => typeof k === 'string' && !(k in CSSP) && k[0] !== '_' && /^(-?[a-zA-Z][a-zA-Z0-9-]*|--.*)$/.test(k) && !/^\d/.test(k);
function styleProxy(base) {
  return new Proxy(base, {
    get(t, k, r) {
      if (typeof k === 'string' && /^\d+$/.test(k)) return t.item(+k);
      if (cssKey(k) && !(k in t)) return VENDOR.test(k) ? undefined : t.getPropertyValue(k);
      return Reflect.get(t, k, r);
    },
    set(t, k, v, r) {
      if (cssKey(k) && !(k in t)) { if (!VENDOR.test(k)) t.setProperty(k, v); return true; }
      return Reflect.set(t, k, v, r);
    },
    has(t, k) { return cssKey(k) ? !VENDOR.test(k) : Reflect.has(t, k); }
  });
}
const inlineStyles = new WeakMap();
def(ElP, 'style', function () {
  let s = inlineStyles.get(this);
  if (!s) {
    const el = this, b = Object.create(CSSP);
    val(b, '_get', () => parseDecl(N.attr(el, 'style')));
    val(b, '_put', m => { if (m.size) N.setAttr(el, 'style', declText(m)); else if (N.attr(el, 'style') !== null) N.setAttr(el, 'style', ''); });
    s = styleProxy(b);
    inlineStyles.set(this, s);
  }
  return s;
}, function (v) { N.setAttr(this, 'style', String(v)); });
const BLOCK = new Set(['html', 'body', 'div', 'p', 'ul', 'ol', 'dl', 'dd', 'dt', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'header', 'footer', 'section', 'article', 'aside', 'nav', 'main', 'form', 'fieldset', 'figure', 'figcaption',
  'blockquote', 'pre', 'hr', 'address', 'details', 'dialog', 'legend', 'center', 'menu', 'optgroup', 'search',
  'hgroup', 'frameset', 'frame', 'listing', 'xmp', 'plaintext']);
const NONE = new Set(['head', 'script', 'style', 'title', 'meta', 'link', 'base', 'template', 'noscript',
  'datalist', 'param', 'area', 'map', 'noembed', 'noframes', 'rp', 'source', 'track']);
const DISPLAY = { li: 'list-item', table: 'table', tr: 'table-row', td: 'table-cell', th: 'table-cell',
  thead: 'table-header-group', tbody: 'table-row-group', tfoot: 'table-footer-group', caption: 'table-caption',
  col: 'table-column', colgroup: 'table-column-group', summary: 'block', button: 'inline-block',
  input: 'inline-block', select: 'inline-block', textarea: 'inline-block', img: 'inline', ruby: 'ruby', rt: 'ruby-text' };
function defaultDisplay(el) {
  const t = N.tag(el);
  if (NONE.has(t)) return 'none';
  if (t === 'input' && (N.attr(el, 'type') || '').toLowerCase() === 'hidden') return 'none';
  if (BLOCK.has(t)) return 'block';
  return DISPLAY[t] || 'inline';
}
function displayOf(el) {
  const v = parseDecl(N.attr(el, 'style')).get('display');
  if (v) return v.replace(/\s*!important$/, '');
  if (N.attr(el, 'hidden') !== null) return 'none';
  return defaultDisplay(el);
}
const COMPUTED_DEFAULTS = { visibility: 'visible', position: 'static', float: 'none', opacity: '1',
  'box-sizing': 'content-box', overflow: 'visible', 'overflow-x': 'visible', 'overflow-y': 'visible',
  'z-index': 'auto', width: 'auto', height: 'auto', top: 'auto', left: 'auto', right: 'auto', bottom: 'auto',
  'margin-top': '0px', 'margin-right': '0px', 'margin-bottom': '0px', 'margin-left': '0px',
  'padding-top': '0px', 'padding-right': '0px', 'padding-bottom': '0px', 'padding-left': '0px',
  'border-top-width': '0px', 'border-right-width': '0px', 'border-bottom-width': '0px', 'border-left-width': '0px',
  'font-size': '16px', 'line-height': 'normal', color: 'rgb(0, 0, 0)', 'background-color': 'rgba(0, 0, 0, 0)',
  'pointer-events': 'auto', cursor: 'auto', direction: 'ltr', 'text-align': 'start', transform: 'none',
  transition: 'all 0s ease 0s', 'transition-duration': '0s', 'animation-duration': '0s',
  'transition-delay': '0s', 'animation-delay': '0s', 'animation-name': 'none', content: 'normal' };
function computedStyle(el) {
  const b = Object.create(CSSP);
  val(b, '_ro', true);
  val(b, '_get', () => {
    const m = parseDecl(N.attr(el, 'style'));
    for (const [k, v] of m) m.set(k, v.replace(/\s*!important$/, ''));
    for (const k in COMPUTED_DEFAULTS) if (!m.has(k)) m.set(k, COMPUTED_DEFAULTS[k]);
    m.set('display', displayOf(el));
    return m;
  });
  val(b, '_put', () => {});
  return styleProxy(b);
}
val(G, 'getComputedStyle', function (el) {
  if (!N.isNode(el) || N.type(el) !== 1) throw new TypeError("getComputedStyle: argument is not an Element");
  return computedStyle(el);
});

/* ---------- geometry: no layout, honest zeros ---------- */
/* Rendered: connected, and no display:none on the element or an ancestor.
 * A rendered element has one zero-sized client rect (so libraries that ask
 * "is it visible" get yes), a hidden or detached one none. */
function rendered(el) {
  let n = el;
  for (; n && n !== doc; n = N.parent(n)) if (N.type(n) === 1 && displayOf(n) === 'none') return false;
  return n === doc;
}
class DOMRectReadOnly {
  constructor(x, y, w, h) { this.x = x || 0; this.y = y || 0; this.width = w || 0; this.height = h || 0; }
  get top() { return Math.min(this.y, this.y + this.height); }
  get left() { return Math.min(this.x, this.x + this.width); }
  get right() { return Math.max(this.x, this.x + this.width); }
  get bottom() { return Math.max(this.y, this.y + this.height); }
  toJSON() { const { x, y, width, height, top, left, right, bottom } = this; return { x, y, width, height, top, left, right, bottom }; }
}
class DOMRect extends DOMRectReadOnly {}
val(G, 'DOMRect', DOMRect); val(G, 'DOMRectReadOnly', DOMRectReadOnly);
ElP.getBoundingClientRect = function () { return new DOMRect(0, 0, 0, 0); };
ElP.getClientRects = function () { return list(rendered(this) ? [new DOMRect(0, 0, 0, 0)] : []); };
def(ElP, 'offsetParent', function () {
  if (!rendered(this) || N.tag(this) === 'body' || N.tag(this) === 'html') return null;
  const pos = parseDecl(N.attr(this, 'style')).get('position');
  if (pos === 'fixed') return null;
  for (let p = N.parent(this); p && p !== doc; p = N.parent(p)) {
    if (N.tag(p) === 'body') return p;
    const pp = parseDecl(N.attr(p, 'style')).get('position');
    if ((pp && pp !== 'static') || ['td', 'th', 'table'].includes(N.tag(p))) return p;
  }
  return N.body();
});

/* ---------- focus ---------- */
let focused = null;
const FOCUSABLE = new Set(['a', 'area', 'button', 'input', 'select', 'textarea', 'iframe', 'summary']);
function focusable(el) {
  if (!rendered(el) || N.attr(el, 'disabled') !== null) return false;
  const t = N.tag(el);
  if (t === 'a' || t === 'area') return N.attr(el, 'href') !== null || N.attr(el, 'tabindex') !== null;
  return FOCUSABLE.has(t) || N.attr(el, 'tabindex') !== null || N.attr(el, 'contenteditable') !== null;
}
function moveFocus(to) {
  const from = focused;
  if (from === to) return;
  focused = to;
  if (from && N.isNode(from)) {
    from.dispatchEvent(new FocusEvent('blur', { relatedTarget: to, view: G }));
    from.dispatchEvent(new FocusEvent('focusout', { bubbles: true, relatedTarget: to, view: G }));
  }
  if (to && focused === to) {
    to.dispatchEvent(new FocusEvent('focus', { relatedTarget: from, view: G }));
    to.dispatchEvent(new FocusEvent('focusin', { bubbles: true, relatedTarget: from, view: G }));
  }
}
ElP.focus = function () { if (focusable(this)) moveFocus(this); };
ElP.blur = function () { if (focused === this) moveFocus(null); };
def(DocP, 'activeElement', function () {
  if (this !== doc) return null;
  if (focused && !rendered(focused)) focused = null;
  return focused || N.body();
});
DocP.hasFocus = function () { return this === doc; };
def(ElP, 'tabIndex', function () {
  const v = parseInt(N.attr(this, 'tabindex'), 10);
  return isNaN(v) ? (FOCUSABLE.has(N.tag(this)) ? 0 : -1) : v;
}, function (v) { N.setAttr(this, 'tabindex', String(v | 0)); });

/* ---------- forms: live state reflected through attributes ---------- */
def(ElP, 'defaultChecked', function () { return N.attr(this, 'checked') !== null; },
  function (v) { if (v) N.setAttr(this, 'checked', ''); else N.rmAttr(this, 'checked'); });
def(ElP, 'defaultValue', function () { return N.tag(this) === 'textarea' ? N.text(this) : (N.attr(this, 'value') || ''); },
  function (v) { if (N.tag(this) === 'textarea') N.setText(this, String(v)); else N.setAttr(this, 'value', String(v)); });
const optionsOf = sel => N.query(sel, 'option', false);
def(ElP, 'options', function () { return N.tag(this) === 'select' ? list(optionsOf(this)) : undefined; });
def(ElP, 'selectedIndex', function () {
  if (N.tag(this) !== 'select') return undefined;
  const o = optionsOf(this);
  const i = o.findIndex(x => N.attr(x, 'selected') !== null);
  return i >= 0 ? i : (o.length && N.attr(this, 'multiple') === null ? 0 : -1);
}, function (v) {
  optionsOf(this).forEach((x, i) => { if (i === (v | 0)) N.setAttr(x, 'selected', ''); else N.rmAttr(x, 'selected'); });
});
def(ElP, 'form', function () { for (let p = N.parent(this); p; p = N.parent(p)) if (N.type(p) === 1 && N.tag(p) === 'form') return p; return null; });
def(ElP, 'elements', function () { return N.tag(this) === 'form' ? list(N.query(this, 'input, select, textarea, button, fieldset, output, object', false)) : undefined; });
ElP.checkValidity = ElP.reportValidity = function () { return true; };
ElP.setCustomValidity = function () {};
def(ElP, 'validity', () => ({ valid: true, valueMissing: false, typeMismatch: false, customError: false }));
def(ElP, 'isContentEditable', function () { const v = N.attr(this, 'contenteditable'); return v !== null && v !== 'false'; });
def(ElP, 'draggable', function () { return N.attr(this, 'draggable') === 'true'; });
const valueGet = Object.getOwnPropertyDescriptor(ElP, 'value').get;
def(ElP, 'value', function () {
  if (N.tag(this) === 'select') {
    const o = optionsOf(this), i = this.selectedIndex;
    return i >= 0 && o[i] ? o[i].value : '';
  }
  if (N.tag(this) === 'option') { const v = N.attr(this, 'value'); return v === null ? N.text(this).trim() : v; }
  const t = (N.attr(this, 'type') || '').toLowerCase();
  if (N.tag(this) === 'input' && (t === 'checkbox' || t === 'radio') && N.attr(this, 'value') === null) return 'on';
  return valueGet.call(this);
}, function (v) {
  v = v == null ? '' : String(v);
  const t = N.tag(this);
  if (t === 'textarea') N.setText(this, v);
  else if (t === 'select') this.selectedIndex = optionsOf(this).findIndex(o => o.value === v);
  else N.setAttr(this, 'value', v);
});
class FormData {
  constructor(form) {
    val(this, '_l', []);
    if (form && N.isNode(form))
      for (const el of N.query(form, 'input[name], select[name], textarea[name]', false)) {
        const t = (N.attr(el, 'type') || '').toLowerCase();
        if (el.disabled || ((t === 'checkbox' || t === 'radio') && !el.checked) || t === 'file') continue;
        this._l.push([N.attr(el, 'name'), el.value]);
      }
  }
  append(k, v) { this._l.push([String(k), String(v)]); }
  set(k, v) { this.delete(k); this.append(k, v); }
  get(k) { const e = this._l.find(x => x[0] === String(k)); return e ? e[1] : null; }
  getAll(k) { return this._l.filter(x => x[0] === String(k)).map(x => x[1]); }
  has(k) { return this._l.some(x => x[0] === String(k)); }
  delete(k) { this._l = this._l.filter(x => x[0] !== String(k)); }
  entries() { return this._l.map(x => x.slice())[Symbol.iterator](); }
  keys() { return this._l.map(x => x[0])[Symbol.iterator](); }
  values() { return this._l.map(x => x[1])[Symbol.iterator](); }
  forEach(f, self) { for (const [k, v] of this._l) f.call(self, v, k, this); }
  [Symbol.iterator]() { return this.entries(); }
  _text() { return this._l.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&').replace(/%20/g, '+'); }
}
val(G, 'FormData', FormData);

/* ---------- XMLHttpRequest ---------- */
const STATUS_TEXT = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect',
  308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout' };
const FORBIDDEN_HEADERS = /^(accept-charset|accept-encoding|access-control-request-headers|access-control-request-method|connection|content-length|cookie|cookie2|date|dnt|expect|host|keep-alive|origin|referer|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/i;
function XMLHttpRequest() {
  EventTarget.call(this);
  this.readyState = 0; this.status = 0; this.statusText = ''; this.responseText = '';
  this.response = ''; this.responseType = ''; this.responseURL = ''; this.responseXML = null;
  this.timeout = 0; this.withCredentials = false;
  this.onreadystatechange = this.onload = this.onerror = this.onloadend = this.onloadstart =
    this.onprogress = this.onabort = this.ontimeout = null;
  this.upload = Object.create(ETP);
  val(this, '_send', 0);
}
const XP = XMLHttpRequest.prototype = Object.create(ETP);
XP.constructor = XMLHttpRequest;
Object.assign(XMLHttpRequest, { UNSENT: 0, OPENED: 1, HEADERS_RECEIVED: 2, LOADING: 3, DONE: 4 });
Object.assign(XP, { UNSENT: 0, OPENED: 1, HEADERS_RECEIVED: 2, LOADING: 3, DONE: 4 });
const xfire = (x, type, P) => dispatch(x, new (P || Event)(type));
XP.open = function (method, url, async) {
  if (arguments.length < 2) throw new TypeError('XMLHttpRequest.open: 2 arguments required');
  method = String(method);
  if (/^(get|post|put|delete|head|options|patch)$/i.test(method)) method = method.toUpperCase();
  if (/^(connect|trace|track)$/i.test(method)) throw new DOMException('method not allowed: ' + method, 'SecurityError');
  val(this, '_m', method); val(this, '_u', String(url));
  val(this, '_async', async === undefined ? true : !!async); val(this, '_ct', null); val(this, '_h', []);
  this._send++;
  this.status = 0; this.statusText = ''; this.responseText = ''; this.response = ''; this.responseURL = '';
  this.readyState = 1; xfire(this, 'readystatechange');
};
XP.setRequestHeader = function (n, v) {
  if (this.readyState !== 1 || this._sent) throw new DOMException('setRequestHeader: not opened', 'InvalidStateError');
  n = String(n); v = String(v).trim();
  if (FORBIDDEN_HEADERS.test(n)) return;
  const i = this._h.findIndex(h => h[0].toLowerCase() === n.toLowerCase());
  if (i >= 0) this._h[i][1] += ', ' + v; else this._h.push([n, v]);
};
XP.overrideMimeType = function () {};
XP.getResponseHeader = function (n) {
  return this.readyState >= 2 && String(n).toLowerCase() === 'content-type' ? this._ct : null;
};
XP.getAllResponseHeaders = function () { return this.readyState >= 2 && this._ct ? 'content-type: ' + this._ct + '\r\n' : ''; };
XP.abort = function () {
  const x = this;
  x._send++;
  if ((x.readyState === 1 && x._sent) || x.readyState === 2 || x.readyState === 3) {
    x._sent = false;
    x.readyState = 4; x.status = 0; x.statusText = '';
    xfire(x, 'readystatechange'); xfire(x, 'abort', ProgressEvent); xfire(x, 'loadend', ProgressEvent);
  }
  if (x.readyState === 4) x.readyState = 0;
};
XP.send = function (body) {
  if (this.readyState !== 1 || this._sent) throw new DOMException('send: the request is not opened', 'InvalidStateError');
  const x = this, ticket = x._send;
  const m = x._m;
  const hdr = new Headers(null);
  let data = null;
  if (body != null && m !== 'GET' && m !== 'HEAD') {
    data = typeof body === 'object' && G.Document && N.isNode(body) ? N.html(body, true) : bodyText(body, hdr);
  }
  for (const [k, v] of x._h) hdr.set(k, v);
  const lines = [];
  hdr.forEach((v, k) => lines.push(k + ': ' + v));
  val(x, '_sent', true);
  const run = () => {
    if (x._send !== ticket) return; /* aborted or opened again */
    const r = m === 'GET' && !lines.length ? N.fetch(x._u) : N.request(m, x._u, data, lines);
    if (x._send !== ticket) return;
    x._sent = false;
    if (typeof r === 'string') {
      x.readyState = 4; x.status = 0; x.statusText = '';
      xfire(x, 'readystatechange'); xfire(x, 'error', ProgressEvent); xfire(x, 'loadend', ProgressEvent);
      if (!x._async) throw new DOMException('NetworkError: ' + r, 'NetworkError');
      return;
    }
    x.status = r[0]; x.statusText = STATUS_TEXT[r[0]] || ''; x.responseURL = r[2]; x._ct = r[3] || null;
    x.readyState = 2; xfire(x, 'readystatechange');
    x.readyState = 3; xfire(x, 'readystatechange'); xfire(x, 'progress', ProgressEvent);
    const rt = x.responseType;
    if (rt === '' || rt === 'text') { x.responseText = r[1]; x.response = r[1]; }
    else if (rt === 'json') { try { x.response = JSON.parse(r[1]); } catch (e) { x.response = null; } }
    else if (rt === 'document') {
      const d = N.newDoc(undefined);
      N.setHtml(N.firstEl(d), r[1], false);
      x.response = x.responseXML = d;
    } else x.response = r[1];
    x.readyState = 4;
    xfire(x, 'readystatechange'); xfire(x, 'load', ProgressEvent); xfire(x, 'loadend', ProgressEvent);
  };
  xfire(this, 'loadstart', ProgressEvent);
  if (this._async) addTimer(run, 0, [], false); else run();
};
val(G, 'XMLHttpRequest', XMLHttpRequest);
val(G, 'XMLHttpRequestEventTarget', EventTarget);

/* ---------- CSS ---------- */
const CSSNS = {
  /* CSS.escape, as CSSOM specifies it. */
  escape(v) {
    const s = String(v);
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0) out += '\uFFFD';
      else if ((c >= 1 && c <= 31) || c === 127 || (i === 0 && c >= 48 && c <= 57) ||
        (i === 1 && c >= 48 && c <= 57 && s.charCodeAt(0) === 45)) out += '\\' + c.toString(16) + ' ';
      else if (i === 0 && c === 45 && s.length === 1) out += '\\' + s[i];
      else if (c >= 128 || c === 45 || c === 95 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) out += s[i];
      else out += '\\' + s[i];
    }
    return out;
  },
  supports() { return false; }
};
val(G, 'CSS', CSSNS);

/* ---------- absent interfaces, present for instanceof ---------- */
/* No node is a ShadowRoot (there is no shadow DOM), but libraries test
 * `x instanceof ShadowRoot` (Alpine); nor is any form value a File (htmx
 * tests each FormData value). */
for (const n of ['ShadowRoot', 'CDATASection', 'ProcessingInstruction', 'DocumentType', 'Attr', 'Blob', 'File',
  'HTMLCanvasElement', 'HTMLVideoElement', 'HTMLAudioElement', 'HTMLMediaElement', 'SVGSVGElement'])
  if (!(n in G)) { const f = function () { throw new TypeError('Illegal constructor'); }; Object.defineProperty(f, 'name', { value: n }); val(G, n, f); }

/* ---------- XPath: one shape only ---------- */
/* `.//*[@*[starts-with(name(), "p") or ...]]` (htmx's hx-on:* lookup):
 * the descendants with an attribute whose name starts with one of the
 * prefixes. Any other expression finds nothing (no XPath engine here). */
function XPathResult() {}
Object.assign(XPathResult, { ANY_TYPE: 0, ORDERED_NODE_ITERATOR_TYPE: 5, UNORDERED_NODE_ITERATOR_TYPE: 4,
  ORDERED_NODE_SNAPSHOT_TYPE: 7, UNORDERED_NODE_SNAPSHOT_TYPE: 6, FIRST_ORDERED_NODE_TYPE: 9 });
function xpathNodes(expr, ctx) {
  const m = /^\.\/\/\*\[@\*\[(.*)\]\]$/.exec(String(expr).trim());
  if (!m || !N.isNode(ctx)) return [];
  const pre = [];
  for (const t of m[1].split(/\s+or\s+/)) {
    const x = /^\s*starts-with\(\s*name\(\)\s*,\s*["']([^"']*)["']\s*\)\s*$/.exec(t);
    if (!x) return [];
    pre.push(x[1]);
  }
  return N.query(ctx, '*', false).filter(el => N.attrs(el).some((a, i) => !(i & 1) && pre.some(p => a.startsWith(p))));
}
function xpathResult(nodes) {
  const r = Object.create(XPathResult.prototype);
  let i = 0;
  Object.assign(r, { resultType: 5, snapshotLength: nodes.length, singleNodeValue: nodes[0] || null,
    iterateNext: () => nodes[i++] || null, snapshotItem: k => nodes[k] || null });
  return r;
}
function XPathEvaluator() {}
XPathEvaluator.prototype.createExpression = function (expr) {
  return { evaluate: ctx => xpathResult(xpathNodes(expr, ctx)) };
};
XPathEvaluator.prototype.evaluate = function (expr, ctx) { return xpathResult(xpathNodes(expr, ctx)); };
DocP.evaluate = XPathEvaluator.prototype.evaluate;
DocP.createExpression = XPathEvaluator.prototype.createExpression;
val(G, 'XPathEvaluator', XPathEvaluator); val(G, 'XPathResult', XPathResult);

/* ---------- TreeWalker, NodeIterator ---------- */
/* The DOM standard's algorithms over the natives (a template's content is
 * not under the template: content is a fragment of its own). whatToShow
 * bit (1 << (nodeType - 1)); the filter a function or { acceptNode }. */
const NodeFilter = { FILTER_ACCEPT: 1, FILTER_REJECT: 2, FILTER_SKIP: 3, SHOW_ALL: 0xFFFFFFFF,
  SHOW_ELEMENT: 0x1, SHOW_ATTRIBUTE: 0x2, SHOW_TEXT: 0x4, SHOW_CDATA_SECTION: 0x8,
  SHOW_ENTITY_REFERENCE: 0x10, SHOW_ENTITY: 0x20, SHOW_PROCESSING_INSTRUCTION: 0x40, SHOW_COMMENT: 0x80,
  SHOW_DOCUMENT: 0x100, SHOW_DOCUMENT_TYPE: 0x200, SHOW_DOCUMENT_FRAGMENT: 0x400, SHOW_NOTATION: 0x800 };
val(G, 'NodeFilter', NodeFilter);
function walkFilter(w, n) {
  const t = isFrag.has(n) ? 11 : N.type(n);
  if (!(w.whatToShow & (1 << (t - 1)))) return 3;
  const f = w.filter;
  if (f == null) return 1;
  if (w._active) throw new DOMException('filter is running', 'InvalidStateError');
  w._active = true;
  try { return Number(typeof f === 'function' ? f.call(null, n) : f.acceptNode(n)); } finally { w._active = false; }
}
function walkInit(w, root, what, filter) {
  if (!N.isNode(root)) throw new TypeError('createTreeWalker: root is not a Node');
  w.root = root;
  w.whatToShow = what === undefined ? 0xFFFFFFFF : what >>> 0;
  w.filter = filter === undefined ? null : filter;
  w._active = false;
}
class TreeWalker {
  constructor(root, what, filter) { walkInit(this, root, what, filter); this.currentNode = root; }
  parentNode() {
    let n = this.currentNode;
    while (n && n !== this.root) {
      n = N.parent(n);
      if (n && walkFilter(this, n) === 1) return (this.currentNode = n);
    }
    return null;
  }
  _children(first) {
    let n = first ? N.first(this.currentNode) : N.last(this.currentNode);
    while (n) {
      const r = walkFilter(this, n);
      if (r === 1) return (this.currentNode = n);
      if (r === 3) { const c = first ? N.first(n) : N.last(n); if (c) { n = c; continue; } }
      for (;;) {
        const s = first ? N.next(n) : N.prev(n);
        if (s) { n = s; break; }
        const p = N.parent(n);
        if (!p || p === this.root || p === this.currentNode) return null;
        n = p;
      }
    }
    return null;
  }
  firstChild() { return this._children(true); }
  lastChild() { return this._children(false); }
  _siblings(next) {
    let n = this.currentNode;
    if (n === this.root) return null;
    for (;;) {
      let s = next ? N.next(n) : N.prev(n);
      while (s) {
        n = s;
        const r = walkFilter(this, n);
        if (r === 1) return (this.currentNode = n);
        s = next ? N.first(n) : N.last(n);
        if (r === 2 || !s) s = next ? N.next(n) : N.prev(n);
      }
      n = N.parent(n);
      if (!n || n === this.root || walkFilter(this, n) === 1) return null;
    }
  }
  nextSibling() { return this._siblings(true); }
  previousSibling() { return this._siblings(false); }
  previousNode() {
    let n = this.currentNode;
    while (n !== this.root) {
      let s = N.prev(n);
      while (s) {
        n = s;
        let r = walkFilter(this, n);
        for (let c; r !== 2 && (c = N.last(n)); ) { n = c; r = walkFilter(this, n); }
        if (r === 1) return (this.currentNode = n);
        s = N.prev(n);
      }
      const p = N.parent(n);
      if (!p) return null;
      n = p;
      if (walkFilter(this, n) === 1) return (this.currentNode = n);
    }
    return null;
  }
  nextNode() {
    let n = this.currentNode, r = 1;
    for (;;) {
      for (let c; r !== 2 && (c = N.first(n)); ) {
        n = c;
        r = walkFilter(this, n);
        if (r === 1) return (this.currentNode = n);
      }
      let s = null;
      for (let t = n; t; t = N.parent(t)) {
        if (t === this.root) return null;
        if ((s = N.next(t))) break;
      }
      if (!s) return null;
      n = s;
      r = walkFilter(this, n);
      if (r === 1) return (this.currentNode = n);
    }
  }
}
/* preorder neighbours inside root, for the iterator */
function following(n, root) {
  const c = N.first(n);
  if (c) return c;
  for (; n && n !== root; n = N.parent(n)) { const s = N.next(n); if (s) return s; }
  return null;
}
function preceding(n, root) {
  if (n === root) return null;
  let s = N.prev(n);
  if (!s) return N.parent(n);
  for (let c; (c = N.last(s)); ) s = c;
  return s;
}
class NodeIterator {
  constructor(root, what, filter) {
    walkInit(this, root, what, filter);
    this.referenceNode = root;
    this.pointerBeforeReferenceNode = true;
  }
  _step(next) {
    let n = this.referenceNode, before = this.pointerBeforeReferenceNode;
    for (;;) {
      if (next) {
        if (!before) { n = following(n, this.root); if (!n) return null; } else before = false;
      } else if (before) { n = preceding(n, this.root); if (!n) return null; } else before = true;
      if (walkFilter(this, n) === 1) break;
    }
    this.referenceNode = n;
    this.pointerBeforeReferenceNode = before;
    return n;
  }
  nextNode() { return this._step(true); }
  previousNode() { return this._step(false); }
  detach() {}
}
DocP.createTreeWalker = (root, what, filter) => new TreeWalker(root, what, filter);
DocP.createNodeIterator = (root, what, filter) => new NodeIterator(root, what, filter);
val(G, 'TreeWalker', TreeWalker); val(G, 'NodeIterator', NodeIterator);

/* ---------- custom elements ---------- */
/* customElements.define / get / whenDefined, and the reactions: an element
 * of a defined name is upgraded (its class's constructor runs on the
 * existing node: HTMLElement's constructor hands it back as `this`) when
 * defined, created or inserted; connectedCallback / disconnectedCallback
 * when it enters or leaves the document, attributeChangedCallback for its
 * observedAttributes. Reactions run at once, not queued to the end of the
 * DOM call. None of it costs anything until a name is defined. */
const ceDefs = new Map(), ceByCtor = new Map(), ceWaits = new Map(), ceUp = new WeakSet();
let ceUpgrading = null, ceSel = '';
function HTMLElementCtor() {
  if (!new.target) throw new TypeError("Failed to construct 'HTMLElement': use 'new'");
  let el = ceUpgrading;
  ceUpgrading = null;
  if (!el) {
    const d = ceByCtor.get(new.target);
    if (!d) throw new TypeError('Illegal constructor');
    el = N.create(d.name);
    ceUp.add(el);
  }
  Object.setPrototypeOf(el, new.target.prototype);
  return el;
}
HTMLElementCtor.prototype = ElP;
Object.defineProperty(HTMLElementCtor, 'name', { value: 'HTMLElement' });
val(G, 'HTMLElement', HTMLElementCtor);
val(ElP, 'constructor', HTMLElementCtor); /* el.constructor === HTMLElement */
const connected = n => { while (n && n !== doc) n = N.parent(n); return n === doc; };
function ceCall(el, name, args) {
  const f = el[name];
  if (typeof f === 'function') try { f.apply(el, args); } catch (e) { report(e, 'custom element ' + name); }
}
function ceUpgrade(el) {
  const d = ceDefs.get(N.tag(el));
  if (!d || ceUp.has(el)) return;
  ceUp.add(el);
  ceUpgrading = el;
  try { new d.ctor(); } catch (e) { report(e, 'custom element constructor'); } finally { ceUpgrading = null; }
  for (const a of d.observed) { const v = N.attr(el, a); if (v !== null) ceCall(el, 'attributeChangedCallback', [a, null, v]); }
}
/* the defined elements of root's subtree, root included */
function ceIn(root) {
  const out = N.type(root) === 1 && ceDefs.has(N.tag(root)) ? [root] : [];
  return N.type(root) === 1 || N.type(root) === 9 ? out.concat(N.query(root, ceSel, false)) : out;
}
function ceConnect(root) {
  if (!ceSel || !connected(root)) return;
  for (const el of ceIn(root)) { ceUpgrade(el); if (ceUp.has(el)) ceCall(el, 'connectedCallback', []); }
}
function ceDisconnect(roots) {
  for (const r of roots) for (const el of ceIn(r)) if (ceUp.has(el)) ceCall(el, 'disconnectedCallback', []);
}
function ceLeaving(n) { return ceSel && N.isNode(n) && connected(n) ? [n] : []; }
{
  const ins = N.insert, app = N.append, rem = N.remove, rep = N.replace, setHtml = N.setHtml,
    setAttr = N.setAttr, rmAttr = N.rmAttr, write = N.write;
  const kidsOf = c => (isFrag.has(c) ? N.kids(c, false) : [c]);
  N.insert = function (p, c, ref) {
    if (!ceSel) return ins(p, c, ref);
    const ks = kidsOf(c), gone = ceLeaving(c);
    const r = ins(p, c, ref);
    ceDisconnect(gone);
    for (const k of ks) ceConnect(k);
    return r;
  };
  N.append = function (p, c) {
    if (!ceSel) return app(p, c);
    const ks = kidsOf(c), gone = ceLeaving(c);
    const r = app(p, c);
    ceDisconnect(gone);
    for (const k of ks) ceConnect(k);
    return r;
  };
  N.remove = function (p, c) {
    const gone = ceLeaving(c), r = rem(p, c);
    ceDisconnect(gone);
    return r;
  };
  N.replace = function (p, c, old) {
    if (!ceSel) return rep(p, c, old);
    const ks = kidsOf(c), gone = ceLeaving(old).concat(ceLeaving(c));
    const r = rep(p, c, old);
    ceDisconnect(gone);
    for (const k of ks) ceConnect(k);
    return r;
  };
  N.setHtml = function (n, s, outer) {
    if (!ceSel) return setHtml(n, s, outer);
    const p = outer ? N.parent(n) : n, gone = outer ? ceLeaving(n) : N.kids(n, false).filter(connected);
    const r = setHtml(n, s, outer);
    ceDisconnect(gone);
    if (p) ceConnect(p);
    return r;
  };
  N.write = function (s) { const r = write(s); if (ceSel) ceConnect(doc); return r; };
  const attrChanged = (el, name, old) => {
    const d = ceUp.has(el) && ceDefs.get(N.tag(el));
    name = String(name).toLowerCase();
    if (d && d.observed.includes(name)) ceCall(el, 'attributeChangedCallback', [name, old, N.attr(el, name)]);
  };
  N.setAttr = function (el, name, v) {
    if (!ceSel) return setAttr(el, name, v);
    const old = N.attr(el, name), r = setAttr(el, name, v);
    attrChanged(el, name, old);
    return r;
  };
  N.rmAttr = function (el, name) {
    if (!ceSel) return rmAttr(el, name);
    const old = N.attr(el, name), r = rmAttr(el, name);
    if (old !== null) attrChanged(el, name, old);
    return r;
  };
}
{
  const create = DocP.createElement;
  DocP.createElement = function (...a) {
    const el = create.apply(this, a);
    if (ceSel && ceDefs.has(N.tag(el))) ceUpgrade(el);
    return el;
  };
}
class CustomElementRegistry {
  define(name, ctor) {
    name = String(name);
    if (!/^[a-z][a-z0-9._]*-[a-z0-9._-]*$/.test(name))
      throw new DOMException("'" + name + "' is not a valid custom element name", 'SyntaxError');
    if (typeof ctor !== 'function') throw new TypeError('define: the constructor is not a function');
    if (ceDefs.has(name) || ceByCtor.has(ctor))
      throw new DOMException("'" + name + "' has already been defined", 'NotSupportedError');
    const obs = ctor.observedAttributes;
    const d = { name, ctor, observed: obs == null ? [] : Array.from(obs, String) };
    ceDefs.set(name, d); ceByCtor.set(ctor, d);
    ceSel = Array.from(ceDefs.keys()).join(',');
    for (const el of N.query(doc, name, false)) { ceUpgrade(el); if (ceUp.has(el)) ceCall(el, 'connectedCallback', []); }
    const w = ceWaits.get(name);
    if (w) { ceWaits.delete(name); w.resolve(ctor); }
  }
  get(name) { const d = ceDefs.get(String(name)); return d ? d.ctor : undefined; }
  getName(ctor) { const d = ceByCtor.get(ctor); return d ? d.name : null; }
  whenDefined(name) {
    name = String(name);
    const d = ceDefs.get(name);
    if (d) return Promise.resolve(d.ctor);
    let w = ceWaits.get(name);
    if (!w) { w = {}; w.promise = new Promise(r => { w.resolve = r; }); ceWaits.set(name, w); }
    return w.promise;
  }
  upgrade(root) { if (ceSel && N.isNode(root)) for (const el of ceIn(root)) ceUpgrade(el); }
}
val(G, 'CustomElementRegistry', CustomElementRegistry);
val(G, 'customElements', new CustomElementRegistry());

/* ---------- event handler properties ---------- */
/* 'onhashchange' in window and the like are feature tests (Backbone's
 * router, Modernizr): the handler slots exist, null until set. onfocusin
 * and the touch handlers stay absent, as in desktop Chrome. */
const HANDLERS = ('abort blur cancel change click close contextmenu copy cut dblclick drag dragend dragenter ' +
  'dragleave dragover dragstart drop error focus input invalid keydown keypress keyup load mousedown ' +
  'mouseenter mouseleave mousemove mouseout mouseover mouseup paste pointerdown pointerup pointermove ' +
  'pointercancel pointerover pointerout pointerenter pointerleave reset resize scroll select submit toggle ' +
  'wheel animationstart animationend animationiteration transitionstart transitionend transitionrun ' +
  'transitioncancel loadstart progress loadend beforeinput selectionchange selectstart').split(' ');
const WINDOW_HANDLERS = 'hashchange popstate message beforeunload unload pageshow pagehide storage online offline languagechange rejectionhandled unhandledrejection'.split(' ');
{
  /* About 0.5-1 ms of a page's prelude run (measured with the slots left
   * out): the price of answering these feature tests as Chrome does. */
  const slots = names => {
    const d = {};
    for (const h of names) d['on' + h] = { value: null, writable: true, configurable: true, enumerable: false };
    return d;
  };
  const el = slots(HANDLERS);
  Object.defineProperties(ElP, el);
  Object.defineProperties(DocP, Object.assign(slots(['readystatechange', 'visibilitychange']), el));
  Object.defineProperties(G, slots(HANDLERS.concat(WINDOW_HANDLERS)));
}

/* ---------- Date on the page's clock ---------- */
/* Timers run on virtual time; Date.now() and new Date() follow it (the real
 * clock plus the virtual time skipped), so code that compares Date.now()
 * with a timer's delay (lodash's debounce, animations) sees the delay pass. */
{
  const RealDate = Date, realNow = RealDate.now;
  const clock = () => realNow() + now;
  const VDate = function Date(...a) {
    if (!new.target) return new RealDate(clock()).toString();
    return a.length ? new RealDate(...a) : new RealDate(clock());
  };
  VDate.prototype = RealDate.prototype;
  VDate.now = clock; VDate.parse = RealDate.parse; VDate.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: VDate, writable: true, configurable: true });
  val(G, 'Date', VDate);
}

/* ---------- page events (called by page_run.cpp) ---------- */
function fireDoc(type, bubbles) {
  const e = new Event(type, { bubbles });
  dispatch(doc, e);
}
H.fire = function (type) {
  if (type === 'DOMContentLoaded') {
    readyState = 'interactive';
    fireDoc('readystatechange', false);
    fireDoc('DOMContentLoaded', true);
  } else if (type === 'load') {
    readyState = 'complete';
    fireDoc('readystatechange', false);
    const b = N.body();
    if (typeof G.onload !== 'function' && b) {
      const code = N.attr(b, 'onload');
      if (code) { try { G.onload = new Function('event', code); } catch (e) { report(e, 'body onload'); } }
    }
    /* load goes to window only (its target is the document). */
    for (const type of ['load', 'pageshow']) {
      const e = new (type === 'load' ? Event : PageTransitionEvent)(type);
      e.target = e.srcElement = doc; e._path = [G];
      invoke(G, e, 2, true);
      if (!e._stopNow) invoke(G, e, 2, false);
      e.eventPhase = 0; e.currentTarget = null;
    }
  }
};
const PageTransitionEvent = class extends Event { constructor(t, i) { super(t, i); this.persisted = false; } };
/* load / error at a script element that was fetched. */
H.fireAt = function (el, type) { dispatch(el, new Event(type)); };

/* ---------- the missing-property trace ---------- */
/* With CRAWLD_JS_TRACE_MISSING set, a Proxy at the end of the nodes' and
 * window's prototype chains counts every property read that found
 * nothing; H.missing() gives the page's counts. Nothing of it exists when
 * the switch is off. */
if (OPT && OPT.traceMissing) {
  const counts = new Map();
  const kindOf = r => {
    if (r === G) return 'window';
    if (r === doc) return 'document';
    if (N.isNode(r)) { const t = N.type(r); return t === 1 ? 'Element' : t === 9 ? 'Document' : t === 3 ? 'Text' : 'Node'; }
    return null;
  };
  const note = (r, k) => {
    if (typeof k !== 'string') return;
    const kind = kindOf(r);
    if (!kind) return;
    const key = kind + '.' + k.replace(/\d{6,}/g, 'N'); /* expandos: jQuery<random digits> */
    counts.set(key, (counts.get(key) || 0) + 1);
  };
  const end = Object.getPrototypeOf(ETP);
  const trap = new Proxy(end, {
    get(t, k, r) { if (!(k in t)) note(r, k); return Reflect.get(t, k, r); },
    has(t, k) { const y = k in t; return y; }
  });
  Object.setPrototypeOf(ETP, trap);
  /* window: its own properties first, then a proxy for what is missing. */
  const gp = Object.getPrototypeOf(G);
  try {
    Object.setPrototypeOf(G, new Proxy(gp || Object.prototype, {
      get(t, k, r) { if (!(k in t)) note(G, k); return Reflect.get(t, k, r); },
      has(t, k) { const y = k in t; if (!y && typeof k === 'string') note(G, k); return y; }
    }));
  } catch (e) { /* an immutable global prototype: nodes only */ }
  /* A global read before the page's own script defined it (typeof jQuery,
   * a function declaration's check) is not a missing API: left out. */
  H.missing = () => Array.from(counts).filter(([k]) => !(k.startsWith('window.') &&
    Object.prototype.hasOwnProperty.call(G, k.slice(7)))).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => k + ':' + n).join(' ');
}
return H;
})
)JS";

const size_t prelude_dom_source_len = sizeof(prelude_dom_source) - 1;
