/* prelude.cpp — the page's browser surface, written in JS over the natives
 * of bindings.cpp. Compiled once per runtime to a stencil and instantiated
 * in every page's realm, joined with prelude_dom.cpp's second half of the
 * body; the script's value is a function called with (natives, global,
 * userAgent, options) that returns the hooks runtime.cpp calls
 * (runTimer, fire, now). Everything outside those natives is plain JS:
 * events, virtual-time timers, fetch/Response, XMLHttpRequest, location,
 * navigator, console, storage, URL. Over ~900 lines: it is one JS source
 * in one raw string, already cut in two (prelude_dom.cpp) at the most
 * that one function body's shared scope allows. */
#include "shim.hpp"

const char prelude_source[] = R"JS(
(function (N, G, UA, OPT) {
'use strict';
const H = {};
const def = (o, name, get, set) =>
  Object.defineProperty(o, name, { get, set, configurable: true, enumerable: true });
const val = (o, name, v) =>
  Object.defineProperty(o, name, { value: v, configurable: true, writable: true, enumerable: false });
const report = (e, where) => N.report(e, where || 'callback');

/* ---------- virtual-time timers ---------- */
let now = 0, seq = 0, lastId = 0;
const heap = [], active = new Map();
const less = (a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq);
function hpush(t) {
  heap.push(t);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(heap[i], heap[p])) break;
    [heap[i], heap[p]] = [heap[p], heap[i]];
    i = p;
  }
}
function hpop() {
  const top = heap[0], last = heap.pop();
  if (heap.length) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}
function addTimer(fn, delay, args, repeat) {
  if (typeof fn !== 'function') {
    const code = String(fn);
    fn = function () { (0, eval)(code); };
  }
  delay = +delay;
  if (!(delay >= 0)) delay = 0;
  if (delay > 2147483647) delay = 1;
  if (repeat && delay < 4) delay = 4;
  const t = { id: ++lastId, fn, args, due: now + delay, seq: ++seq, every: repeat ? delay : -1, dead: false };
  active.set(t.id, t);
  hpush(t);
  return t.id;
}
function clearTimer(id) {
  const t = active.get(id);
  if (t) { t.dead = true; active.delete(id); }
}
H.runTimer = function (limit) {
  while (heap.length) {
    const t = heap[0];
    if (t.dead) { hpop(); continue; }
    if (t.due > limit) return 0;
    hpop();
    if (t.due > now) now = t.due;
    if (t.every >= 0) { t.due = now + t.every; t.seq = ++seq; hpush(t); }
    else active.delete(t.id);
    try { t.fn.apply(G, t.args); } catch (e) { report(e, 'timer'); }
    return 1;
  }
  return 0;
};
H.now = () => now;
G.setTimeout = function (fn, delay, ...args) { return addTimer(fn, delay, args, false); };
G.setInterval = function (fn, delay, ...args) { return addTimer(fn, delay, args, true); };
G.clearTimeout = G.clearInterval = clearTimer;
G.requestAnimationFrame = function (fn) {
  const d = 16 - (now % 16);
  return addTimer(() => fn(now + d), d, [], false);
};
G.cancelAnimationFrame = clearTimer;
G.requestIdleCallback = function (fn) {
  return addTimer(() => fn({ didTimeout: false, timeRemaining: () => 10 }), 1, [], false);
};
G.cancelIdleCallback = clearTimer;
G.setImmediate = function (fn, ...args) { return addTimer(fn, 0, args, false); };
G.queueMicrotask = function (fn) {
  Promise.resolve().then(() => { try { fn(); } catch (e) { report(e, 'microtask'); } });
};
const perfOrigin = Date.now();
G.performance = {
  now: () => now, timeOrigin: perfOrigin,
  mark() {}, measure() {}, getEntries: () => [], getEntriesByType: () => [], getEntriesByName: () => [],
  timing: { navigationStart: perfOrigin }
};

/* ---------- events ---------- */
/* Listeners per target and type: {fn, capture, once}, in the order added.
 * dispatch walks the path (target, its ancestors, window when the target
 * is in the page's document) in the DOM's three phases. */
const LS = new WeakMap();
const flagInit = (e, init, keys, dflt) => {
  for (const k of keys) e[k] = init && init[k] !== undefined ? init[k] : dflt;
};
class Event {
  constructor(type, init) {
    if (arguments.length < 1) throw new TypeError("Event constructor: 1 argument required");
    this.type = String(type);
    this.bubbles = !!(init && init.bubbles);
    this.cancelable = !!(init && init.cancelable);
    this.composed = !!(init && init.composed);
    this.defaultPrevented = false;
    this.target = null; this.currentTarget = null; this.srcElement = null;
    this.eventPhase = 0;
    this.timeStamp = now; this.isTrusted = false;
    val(this, '_stop', false); val(this, '_stopNow', false); val(this, '_path', []);
  }
  preventDefault() { if (this.cancelable) this.defaultPrevented = true; }
  stopPropagation() { this._stop = true; }
  stopImmediatePropagation() { this._stop = this._stopNow = true; }
  composedPath() { return this._path.slice(); }
  initEvent(type, bubbles, cancelable) {
    this.type = String(type); this.bubbles = !!bubbles; this.cancelable = !!cancelable;
  }
  get cancelBubble() { return this._stop; }
  set cancelBubble(v) { if (v) this._stop = true; }
  get returnValue() { return !this.defaultPrevented; }
  set returnValue(v) { if (v === false) this.preventDefault(); }
}
Object.assign(Event, { NONE: 0, CAPTURING_PHASE: 1, AT_TARGET: 2, BUBBLING_PHASE: 3 });
class CustomEvent extends Event {
  constructor(type, init) { super(type, init); this.detail = init && init.detail !== undefined ? init.detail : null; }
  initCustomEvent(t, b, c, d) { this.initEvent(t, b, c); this.detail = d; }
}
class UIEvent extends Event {
  constructor(type, init) { super(type, init); this.view = (init && init.view) || null; this.detail = (init && init.detail) || 0; }
  initUIEvent(t, b, c, v, d) { this.initEvent(t, b, c); this.view = v; this.detail = d; }
}
const MODS = ['ctrlKey', 'shiftKey', 'altKey', 'metaKey'];
class MouseEvent extends UIEvent {
  constructor(type, init) {
    super(type, init);
    flagInit(this, init, ['screenX', 'screenY', 'clientX', 'clientY', 'button', 'buttons', 'movementX', 'movementY'], 0);
    flagInit(this, init, MODS, false);
    this.relatedTarget = (init && init.relatedTarget) || null;
    this.pageX = this.offsetX = this.x = this.clientX; this.pageY = this.offsetY = this.y = this.clientY;
    this.which = this.button + 1;
  }
  getModifierState(k) { return !!this[String(k).toLowerCase() + 'Key']; }
  initMouseEvent(t, b, c, v, d, sx, sy, cx, cy, ctrl, alt, shift, meta, button, rel) {
    this.initUIEvent(t, b, c, v, d);
    Object.assign(this, { screenX: sx | 0, screenY: sy | 0, clientX: cx | 0, clientY: cy | 0, ctrlKey: !!ctrl,
      altKey: !!alt, shiftKey: !!shift, metaKey: !!meta, button: button | 0, relatedTarget: rel || null });
  }
}
class KeyboardEvent extends UIEvent {
  constructor(type, init) {
    super(type, init);
    flagInit(this, init, ['key', 'code'], '');
    flagInit(this, init, ['location', 'keyCode', 'charCode', 'which'], 0);
    flagInit(this, init, MODS.concat(['repeat', 'isComposing']), false);
  }
  getModifierState(k) { return !!this[String(k).toLowerCase() + 'Key']; }
}
class FocusEvent extends UIEvent {
  constructor(type, init) { super(type, init); this.relatedTarget = (init && init.relatedTarget) || null; }
}
class PointerEvent extends MouseEvent {
  constructor(type, init) { super(type, init); flagInit(this, init, ['pointerId', 'width', 'height', 'pressure'], 0); this.pointerType = (init && init.pointerType) || ''; }
}
class WheelEvent extends MouseEvent {
  constructor(type, init) { super(type, init); flagInit(this, init, ['deltaX', 'deltaY', 'deltaZ', 'deltaMode'], 0); }
}
class InputEvent extends UIEvent {
  constructor(type, init) { super(type, init); this.data = (init && init.data) || null; this.inputType = (init && init.inputType) || ''; }
}
class ErrorEvent extends Event {
  constructor(type, init) { super(type, init); flagInit(this, init, ['message', 'filename'], ''); flagInit(this, init, ['lineno', 'colno'], 0); this.error = init && init.error; }
}
class MessageEvent extends Event {
  constructor(type, init) { super(type, init); this.data = init && init.data !== undefined ? init.data : null; this.origin = (init && init.origin) || ''; this.source = (init && init.source) || null; this.ports = []; }
}
class PopStateEvent extends Event {
  constructor(type, init) { super(type, init); this.state = init && init.state !== undefined ? init.state : null; }
}
class HashChangeEvent extends Event {
  constructor(type, init) { super(type, init); flagInit(this, init, ['oldURL', 'newURL'], ''); }
}
class ProgressEvent extends Event {
  constructor(type, init) { super(type, init); this.lengthComputable = !!(init && init.lengthComputable); flagInit(this, init, ['loaded', 'total'], 0); }
}
const EVENT_CLASSES = { Event, CustomEvent, UIEvent, MouseEvent, KeyboardEvent, FocusEvent, PointerEvent,
  WheelEvent, InputEvent, ErrorEvent, MessageEvent, PopStateEvent, HashChangeEvent, ProgressEvent,
  TouchEvent: UIEvent, CompositionEvent: UIEvent, AnimationEvent: Event, TransitionEvent: Event,
  PageTransitionEvent: Event, BeforeUnloadEvent: Event, StorageEvent: Event, SubmitEvent: Event,
  DragEvent: MouseEvent, ClipboardEvent: Event };

function EventTarget() {}
const ETP = EventTarget.prototype;
const capOf = o => !!(o === true || (o && typeof o === 'object' && o.capture));
/* Called bare (addEventListener('load', f)) they act on window. */
ETP.addEventListener = function (type, fn, opts) {
  const self = this == null ? G : this;
  if (!fn || (typeof fn !== 'function' && typeof fn.handleEvent !== 'function')) return;
  let m = LS.get(self);
  if (!m) { m = new Map(); LS.set(self, m); }
  type = String(type);
  let a = m.get(type);
  if (!a) { a = []; m.set(type, a); }
  const capture = capOf(opts);
  if (a.some(l => l.fn === fn && l.capture === capture)) return;
  const l = { fn, capture, once: !!(opts && typeof opts === 'object' && opts.once), removed: false };
  a.push(l);
  const sig = opts && typeof opts === 'object' ? opts.signal : null;
  if (sig && typeof sig.addEventListener === 'function') {
    if (sig.aborted) { a.pop(); return; }
    sig.addEventListener('abort', () => self.removeEventListener(type, fn, { capture }));
  }
};
ETP.removeEventListener = function (type, fn, opts) {
  const m = LS.get(this == null ? G : this);
  const a = m && m.get(String(type));
  if (!a) return;
  const capture = capOf(opts);
  const i = a.findIndex(l => l.fn === fn && l.capture === capture);
  if (i >= 0) { a[i].removed = true; a.splice(i, 1); }
};
/* The on<type> handler of a target: a function property, else (elements,
 * body's window events) an on<type> attribute compiled as a browser does. */
const inlineHandlers = new WeakMap();
function handlerOf(target, type) {
  const h = target['on' + type];
  if (typeof h === 'function') return h;
  if (target !== G && N.isNode(target) && N.type(target) === 1) {
    const code = N.attr(target, 'on' + type);
    if (code === null) return null;
    let c = inlineHandlers.get(target);
    if (!c) { c = new Map(); inlineHandlers.set(target, c); }
    let f = c.get(type);
    if (!f || f.code !== code) {
      try { f = { code, fn: new Function('event', code) }; } catch (e) { report(e, 'on' + type + ' attribute'); return null; }
      c.set(type, f);
    }
    return f.fn;
  }
  return null;
}
/* Runs target's capture (capture true) or other listeners, with
 * eventPhase phase: capture listeners in the capture phase and first at
 * the target, the others (and the on<type> handler) at the target and in
 * the bubble phase, as Chrome orders them. */
function invoke(target, ev, phase, capture) {
  ev.currentTarget = target;
  ev.eventPhase = phase;
  if (!capture) {
    const h = handlerOf(target, ev.type);
    if (h) {
      let r;
      try { r = h.call(target, ev); } catch (e) { report(e, 'on' + ev.type); }
      if (r === false && ev.type !== 'mouseover' && ev.type !== 'error') ev.preventDefault();
      if (ev._stopNow) return;
    }
  }
  const m = LS.get(target);
  const a = m && m.get(ev.type);
  if (!a) return;
  for (const l of a.slice()) {
    if (l.removed || l.capture !== capture) continue;
    if (l.once) { l.removed = true; const i = a.indexOf(l); if (i >= 0) a.splice(i, 1); }
    try {
      if (typeof l.fn === 'function') l.fn.call(target, ev); else l.fn.handleEvent(ev);
    } catch (e) { report(e, ev.type + ' listener'); }
    if (ev._stopNow) break;
  }
}
function eventPath(self) {
  const path = [self];
  if (self !== G && N.isNode(self)) {
    let n = self;
    for (let p; (p = N.parent(n)); n = p) path.push(p);
    if (n === doc) path.push(G);
  }
  return path;
}
function dispatch(self, ev) {
  ev.target = ev.srcElement = self;
  ev._stop = ev._stopNow = false;
  const path = eventPath(self);
  ev._path = path;
  for (let i = path.length - 1; i > 0 && !ev._stop; i--) invoke(path[i], ev, 1, true);
  if (!ev._stop) { invoke(self, ev, 2, true); if (!ev._stopNow) invoke(self, ev, 2, false); }
  if (ev.bubbles) for (let i = 1; i < path.length && !ev._stop; i++) invoke(path[i], ev, 3, false);
  ev.eventPhase = 0; ev.currentTarget = null;
  return !ev.defaultPrevented;
}
ETP.dispatchEvent = function (ev) {
  const self = this == null ? G : this;
  if (!ev || typeof ev.type !== 'string') throw new TypeError('dispatchEvent: not an Event');
  return dispatch(self, ev);
};
for (const k of ['addEventListener', 'removeEventListener', 'dispatchEvent']) val(G, k, ETP[k]);

/* ---------- nodes ---------- */
const isFrag = new WeakSet();
function Node() { throw new TypeError('Illegal constructor'); }
const NodeP = Object.create(ETP);
Node.prototype = NodeP;
Object.assign(Node, { ELEMENT_NODE: 1, ATTRIBUTE_NODE: 2, TEXT_NODE: 3, CDATA_SECTION_NODE: 4,
  COMMENT_NODE: 8, DOCUMENT_NODE: 9, DOCUMENT_FRAGMENT_NODE: 11,
  DOCUMENT_POSITION_PRECEDING: 2, DOCUMENT_POSITION_FOLLOWING: 4 });
const ElP = Object.create(NodeP), TextP = Object.create(NodeP), CommentP = Object.create(NodeP),
  DocP = Object.create(NodeP);
function list(a) { return Object.setPrototypeOf(a, ListP); }
const ListP = Object.create(Array.prototype);
ListP.item = function (i) { return this[i] === undefined ? null : this[i]; };
ListP.namedItem = function (n) { return this.find(e => e.id === n || N.attr(e, 'name') === n) || null; };

const toNode = v => (N.isNode(v) ? v : N.createText(String(v)));
function insertAll(parent, node, ref) {
  if (isFrag.has(node)) {
    for (const k of N.kids(node, false)) N.insert(parent, k, ref);
    return node;
  }
  return N.insert(parent, node, ref);
}
def(NodeP, 'nodeType', function () { return isFrag.has(this) ? 11 : N.type(this); });
def(NodeP, 'nodeName', function () {
  if (isFrag.has(this)) return '#document-fragment';
  const t = N.type(this);
  return t === 1 ? N.tag(this).toUpperCase() : N.tag(this);
});
def(NodeP, 'parentNode', function () { return N.parent(this); });
def(NodeP, 'parentElement', function () { const p = N.parent(this); return p && N.type(p) === 1 ? p : null; });
def(NodeP, 'childNodes', function () { return list(N.kids(this, false)); });
def(NodeP, 'children', function () { return list(N.kids(this, true)); });
def(NodeP, 'childElementCount', function () { return N.kids(this, true).length; });
def(NodeP, 'firstChild', function () { return N.first(this); });
def(NodeP, 'lastChild', function () { return N.last(this); });
def(NodeP, 'nextSibling', function () { return N.next(this); });
def(NodeP, 'previousSibling', function () { return N.prev(this); });
def(NodeP, 'firstElementChild', function () { return N.firstEl(this); });
def(NodeP, 'lastElementChild', function () { const k = N.kids(this, true); return k.length ? k[k.length - 1] : null; });
def(NodeP, 'nextElementSibling', function () { return N.nextEl(this); });
def(NodeP, 'previousElementSibling', function () { return N.prevEl(this); });
def(NodeP, 'ownerDocument', function () { return N.type(this) === 9 ? null : doc; });
def(NodeP, 'isConnected', function () { let n = this; while (n && n !== doc) n = N.parent(n); return n === doc; });
def(NodeP, 'textContent', function () { return N.type(this) === 9 ? null : N.text(this); },
  function (v) { N.setText(this, v == null ? '' : String(v)); });
def(NodeP, 'nodeValue', function () { const t = N.type(this); return t === 3 || t === 8 || t === 4 ? N.text(this) : null; },
  function (v) { const t = N.type(this); if (t === 3 || t === 8 || t === 4) N.setText(this, String(v)); });
def(NodeP, 'baseURI', function () { return N.base(); });
NodeP.appendChild = function (c) { return insertAll(this, c, null), c; };
NodeP.insertBefore = function (c, ref) { return insertAll(this, c, ref == null ? null : ref), c; };
NodeP.removeChild = function (c) { return N.remove(this, c); };
NodeP.replaceChild = function (n, o) {
  if (isFrag.has(n)) { insertAll(this, n, o); return N.remove(this, o); }
  return N.replace(this, n, o);
};
NodeP.hasChildNodes = function () { return N.first(this) !== null; };
NodeP.contains = function (o) { for (let n = o; n; n = N.parent(n)) if (n === this) return true; return false; };
NodeP.getRootNode = function () { let n = this; for (let p; (p = N.parent(n)); ) n = p; return n; };
NodeP.isSameNode = function (o) { return o === this; };
NodeP.isEqualNode = function (o) { return !!o && N.isNode(o) && N.html(this, true) === N.html(o, true); };
NodeP.normalize = function () {};
NodeP.compareDocumentPosition = function (o) {
  if (o === this) return 0;
  const all = N.query(doc, '*', false);
  return all.indexOf(o) < all.indexOf(this) ? 2 : 4;
};
NodeP.cloneNode = function (deep) {
  const t = N.type(this);
  if (t === 3) return N.createText(N.text(this));
  if (t === 8) return N.createComment(N.text(this));
  if (t !== 1) throw new TypeError('cloneNode: unsupported node');
  const c = isFrag.has(this) ? makeFrag() : N.create(N.tag(this));
  const at = N.attrs(this);
  for (let i = 0; i < at.length; i += 2) N.setAttr(c, at[i], at[i + 1]);
  if (deep) for (const k of N.kids(this, false)) N.append(c, k.cloneNode(true));
  return c;
};
function childOps(P) {
  P.remove = function () { const p = N.parent(this); if (p) N.remove(p, this); };
  P.append = function (...ns) { for (const n of ns) insertAll(this, toNode(n), null); };
  P.prepend = function (...ns) { const f = N.first(this); for (const n of ns) insertAll(this, toNode(n), f); };
  P.before = function (...ns) { const p = N.parent(this); if (p) for (const n of ns) insertAll(p, toNode(n), this); };
  P.after = function (...ns) {
    const p = N.parent(this); if (!p) return;
    const nx = N.next(this);
    for (const n of ns) insertAll(p, toNode(n), nx);
  };
  P.replaceWith = function (...ns) {
    const p = N.parent(this); if (!p) return;
    for (const n of ns) insertAll(p, toNode(n), this);
    N.remove(p, this);
  };
  P.replaceChildren = function (...ns) {
    for (const k of N.kids(this, false)) N.remove(this, k);
    for (const n of ns) insertAll(this, toNode(n), null);
  };
}
childOps(ElP); childOps(TextP); childOps(CommentP);
def(TextP, 'data', function () { return N.text(this); }, function (v) { N.setText(this, String(v)); });
def(TextP, 'length', function () { return N.text(this).length; });
def(TextP, 'wholeText', function () { return N.text(this); });
def(CommentP, 'data', function () { return N.text(this); }, function (v) { N.setText(this, String(v)); });

/* A selector the engine cannot parse is a SyntaxError DOMException that
 * names it, as in browsers (Sizzle then falls back to its own engine). */
const badSelector = (s, e, op) => (/syntax/.test(String(e && e.message)) ?
  new G.DOMException(op + ": '" + s + "' is not a valid selector", 'SyntaxError') : e);
/* Form pseudo-classes the selector engine does not know, said with
 * attributes (the state scripts set goes to the attributes here). Tried
 * only after the engine refused the selector as written. */
const PSEUDO_ATTR = { disabled: '[disabled]', enabled: ':not([disabled])', checked: '[checked]',
  'any-link': '[href]', link: '[href]', required: '[required]', optional: ':not([required])',
  'read-only': '[readonly]', 'read-write': ':not([readonly])', 'placeholder-shown': '[placeholder]' };
function lowerPseudo(s) {
  return s.split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/).map((part, i) => (i & 1 ? part :
    part.replace(/:([a-z-]+)(?![a-z-(])/g, (m, name) => PSEUDO_ATTR[name] || m))).join('');
}
function select(fn, op, a, s, b) {
  s = String(s);
  try { return fn(a, s, b); } catch (e) {
    if (!/syntax/.test(String(e && e.message))) throw e;
    const t = lowerPseudo(s);
    if (t !== s) { try { return fn(a, t, b); } catch (e2) { /* as written */ } }
    throw badSelector(s, e, op);
  }
}
const query = (root, s, first) => select(N.query, 'querySelector', root, s, first);
const matches = (el, s) => select(N.matches, 'matches', el, s);
/* queries shared by document and elements */
function queryOps(P) {
  P.querySelector = function (s) { const r = query(this, s, true); return r.length ? r[0] : null; };
  P.querySelectorAll = function (s) { return list(query(this, s, false)); };
  P.getElementsByTagName = function (t) { return list(N.byTag(this, String(t))); };
  P.getElementsByClassName = function (c) { return list(N.byClass(this, String(c))); };
  P.getElementsByTagNameNS = function (ns, t) { return list(N.byTag(this, String(t))); };
}
queryOps(ElP); queryOps(DocP);

/* ---------- elements ---------- */
def(ElP, 'tagName', function () { return N.tag(this).toUpperCase(); });
def(ElP, 'localName', function () { return N.tag(this); });
def(ElP, 'namespaceURI', function () { return 'http://www.w3.org/1999/xhtml'; });
ElP.getAttribute = function (n) { return N.attr(this, String(n)); };
ElP.setAttribute = function (n, v) { N.setAttr(this, String(n), String(v)); };
ElP.removeAttribute = function (n) { N.rmAttr(this, String(n)); };
ElP.hasAttribute = function (n) { return N.attr(this, String(n)) !== null; };
ElP.hasAttributes = function () { return N.attrs(this).length > 0; };
ElP.getAttributeNames = function () { return N.attrs(this).filter((x, i) => !(i & 1)); };
ElP.toggleAttribute = function (n, force) {
  const has = N.attr(this, n) !== null;
  const want = force === undefined ? !has : !!force;
  if (want && !has) N.setAttr(this, n, ''); else if (!want && has) N.rmAttr(this, n);
  return want;
};
ElP.getAttributeNS = function (ns, n) { return N.attr(this, String(n)); };
ElP.setAttributeNS = function (ns, n, v) { N.setAttr(this, String(n), String(v)); };
ElP.removeAttributeNS = function (ns, n) { N.rmAttr(this, String(n)); };
def(ElP, 'attributes', function () {
  const a = N.attrs(this), r = [];
  /* Attr-like: Bootstrap 3's sanitizer reads nodeValue, others nodeType */
  for (let i = 0; i < a.length; i += 2)
    r.push({ name: a[i], localName: a[i], value: a[i + 1], nodeName: a[i], nodeValue: a[i + 1],
      textContent: a[i + 1], nodeType: 2, ownerElement: this, namespaceURI: null, prefix: null,
      specified: true });
  for (const x of r) r[x.name] = x;
  r.getNamedItem = n => r.find(x => x.name === String(n).toLowerCase()) || null;
  r.item = i => r[i] || null;
  return r;
});
const reflect = (name, attr) => def(ElP, name, function () { const v = N.attr(this, attr); return v === null ? '' : v; },
  function (v) { N.setAttr(this, attr, String(v)); });
reflect('id', 'id'); reflect('className', 'class');
for (const a of ['title', 'name', 'type', 'rel', 'target', 'alt', 'lang', 'dir', 'placeholder', 'content',
  'charset', 'media', 'download', 'htmlFor', 'hreflang', 'accept', 'enctype', 'method', 'role',
  'integrity', 'crossOrigin', 'referrerPolicy', 'loading', 'srcset', 'sizes', 'width', 'height'])
  reflect(a, a === 'htmlFor' ? 'for' : a === 'crossOrigin' ? 'crossorigin' : a === 'referrerPolicy' ? 'referrerpolicy' : a.toLowerCase());
for (const a of ['hidden', 'disabled', 'checked', 'selected', 'async', 'defer', 'required', 'readOnly', 'multiple', 'noModule'])
  def(ElP, a, function () { return N.attr(this, a.toLowerCase()) !== null; },
    function (v) { if (v) N.setAttr(this, a.toLowerCase(), ''); else N.rmAttr(this, a.toLowerCase()); });
def(ElP, 'value', function () {
  const t = N.tag(this);
  if (t === 'textarea') return N.text(this);
  const v = N.attr(this, 'value'); return v === null ? '' : v;
}, function (v) { N.setAttr(this, 'value', String(v)); });
/* URL attributes read back absolute, resolved against the base URL. */
const urlAttr = (name, attr) => def(ElP, name, function () {
  const v = N.attr(this, attr);
  if (v === null) return '';
  const r = resolveRef(v);
  return r === null ? v : r;
}, function (v) { N.setAttr(this, attr, String(v)); });
/* A reference resolved as a browser does, fragment kept (the crawler's own
 * resolver drops fragments: links are compared without them). */
function resolveRef(ref, base) {
  ref = String(ref).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
  base = base === undefined ? N.base() : String(base);
  const i = ref.indexOf('#');
  const hash = i >= 0 ? ref.slice(i) : '', pre = i >= 0 ? ref.slice(0, i) : ref;
  if (pre === '') { const b = base.indexOf('#'); return (b >= 0 ? base.slice(0, b) : base) + hash; }
  const abs = N.resolve(pre, base);
  return abs === null ? null : abs + hash;
}
urlAttr('href', 'href'); urlAttr('src', 'src'); urlAttr('action', 'action'); urlAttr('poster', 'poster');
urlAttr('cite', 'cite'); urlAttr('data', 'data'); urlAttr('formAction', 'formaction');
for (const part of ['protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash', 'origin'])
  def(ElP, part, function () { const h = this.href; return h ? parseURL(h)[part] : ''; });
def(ElP, 'text', function () { return N.text(this); }, function (v) { N.setText(this, String(v)); });
def(ElP, 'innerHTML', function () { return N.html(this, false); }, function (v) { N.setHtml(this, v == null ? '' : String(v), false); });
def(ElP, 'outerHTML', function () { return N.html(this, true); }, function (v) { N.setHtml(this, String(v), true); });
def(ElP, 'innerText', function () { return N.text(this); }, function (v) { N.setText(this, v == null ? '' : String(v)); });
def(ElP, 'outerText', function () { return N.text(this); });
function tokenList(el, attr) {
  const get = () => (N.attr(el, attr) || '').split(/[ \t\n\f\r]+/).filter(Boolean);
  const tl = {
    add(...t) { for (const x of t) N.cls(el, 1, String(x)); },
    remove(...t) { for (const x of t) N.cls(el, 2, String(x)); },
    toggle(t, force) {
      if (force === undefined) return N.cls(el, 3, String(t));
      N.cls(el, force ? 1 : 2, String(t)); return !!force;
    },
    contains(t) { return N.cls(el, 0, String(t)); },
    replace(a, b) { if (!N.cls(el, 0, String(a))) return false; N.cls(el, 2, String(a)); N.cls(el, 1, String(b)); return true; },
    item(i) { const a = get(); return i < a.length ? a[i] : null; },
    forEach(f, self) { get().forEach(f, self); },
    supports() { return true; },
    toString() { return N.attr(el, attr) || ''; },
    [Symbol.iterator]() { return get()[Symbol.iterator](); }
  };
  def(tl, 'length', () => get().length);
  def(tl, 'value', () => N.attr(el, attr) || '', v => N.setAttr(el, attr, String(v)));
  return tl;
}
def(ElP, 'classList', function () { return tokenList(this, 'class'); }, function (v) { N.setAttr(this, 'class', String(v)); });
def(ElP, 'relList', function () { return tokenList(this, 'rel'); });
/* dataset: a Proxy over the element's data-* attributes. */
const toAttr = k => 'data-' + String(k).replace(/[A-Z]/g, c => '-' + c.toLowerCase());
const toKey = a => a.slice(5).replace(/-([a-z])/g, (m, c) => c.toUpperCase());
def(ElP, 'dataset', function () {
  const el = this;
  return new Proxy({}, {
    get(t, k) { if (typeof k !== 'string') return undefined; const v = N.attr(el, toAttr(k)); return v === null ? undefined : v; },
    set(t, k, v) { if (typeof k === 'string') N.setAttr(el, toAttr(k), String(v)); return true; },
    has(t, k) { return typeof k === 'string' && N.attr(el, toAttr(k)) !== null; },
    deleteProperty(t, k) { if (typeof k === 'string') N.rmAttr(el, toAttr(k)); return true; },
    ownKeys() { return N.attrs(el).filter((x, i) => !(i & 1) && x.startsWith('data-')).map(toKey); },
    getOwnPropertyDescriptor(t, k) {
      if (typeof k !== 'string') return undefined;
      const v = N.attr(el, toAttr(k));
      return v === null ? undefined : { value: v, writable: true, enumerable: true, configurable: true };
    }
  });
});
const styles = new WeakMap();
function makeStyle() {
  const s = {
    cssText: '', length: 0,
    setProperty(k, v) { this[k] = v; }, getPropertyValue(k) { return this[k] || ''; },
    removeProperty(k) { const v = this[k]; delete this[k]; return v || ''; }, item() { return ''; }
  };
  return s;
}
def(ElP, 'style', function () { let s = styles.get(this); if (!s) { s = makeStyle(); styles.set(this, s); } return s; },
  function (v) { N.setAttr(this, 'style', String(v)); });
ElP.matches = ElP.webkitMatchesSelector = ElP.msMatchesSelector = function (s) { return matches(this, s); };
ElP.closest = function (s) {
  s = String(s);
  for (let n = this; n && N.type(n) === 1; n = N.parent(n)) if (matches(n, s)) return n;
  return null;
};
const rect = () => ({ x: 0, y: 0, width: 0, height: 0, top: 0, left: 0, right: 0, bottom: 0, toJSON() { return this; } });
ElP.getBoundingClientRect = rect;
ElP.getClientRects = function () { return []; };
for (const k of ['offsetWidth', 'offsetHeight', 'offsetTop', 'offsetLeft', 'clientWidth', 'clientHeight',
  'clientTop', 'clientLeft', 'scrollWidth', 'scrollHeight', 'scrollTop', 'scrollLeft'])
  def(ElP, k, () => 0, () => {});
def(ElP, 'offsetParent', function () { return N.body(); });
for (const k of ['focus', 'blur', 'scrollIntoView', 'scrollTo', 'scroll', 'setPointerCapture',
  'releasePointerCapture', 'submit', 'reset', 'select', 'play', 'pause', 'load', 'attachShadow'])
  ElP[k] = function () {};
ElP.click = function () {
  if (this.disabled) return;
  const ev = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true, view: G, detail: 1 });
  ev.isTrusted = false;
  const t = N.tag(this), type = (N.attr(this, 'type') || '').toLowerCase();
  /* A checkbox or radio changes before the listeners see the click, and
   * changes back when the click is cancelled (activation behaviour). */
  const box = t === 'input' && (type === 'checkbox' || type === 'radio');
  const was = box ? this.checked : false;
  if (box) this.checked = type === 'radio' ? true : !was;
  const ok = this.dispatchEvent(ev);
  if (box && !ok) this.checked = was;
  else if (box && this.checked !== was) {
    this.dispatchEvent(new Event('input', { bubbles: true }));
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }
};
ElP.insertAdjacentHTML = function (pos, html) {
  pos = String(pos).toLowerCase();
  const ctx = pos === 'beforebegin' || pos === 'afterend' ? N.parent(this) : this;
  const tmp = N.create(ctx && N.type(ctx) === 1 ? N.tag(ctx) : 'div');
  N.setHtml(tmp, String(html), false);
  placeAdjacent(this, pos, N.kids(tmp, false));
};
ElP.insertAdjacentElement = function (pos, el) { placeAdjacent(this, String(pos).toLowerCase(), [el]); return el; };
ElP.insertAdjacentText = function (pos, t) { placeAdjacent(this, String(pos).toLowerCase(), [N.createText(String(t))]); };
function placeAdjacent(el, pos, nodes) {
  const p = N.parent(el);
  for (const n of nodes) {
    if (pos === 'beforebegin') { if (p) N.insert(p, n, el); }
    else if (pos === 'afterbegin') N.insert(el, n, N.first(el));
    else if (pos === 'beforeend') N.append(el, n);
    else if (pos === 'afterend') { if (p) N.insert(p, n, N.next(el)); }
    else throw new SyntaxError('insertAdjacent: bad position ' + pos);
  }
  if (pos === 'afterbegin' && nodes.length > 1) { /* keep order */
    for (let i = nodes.length - 1; i >= 0; i--) N.insert(el, nodes[i], N.first(el));
  }
}
/* a template's children are its content fragment's (dom_template_content) */
function tplContent(t) { const f = N.content(t); if (f) isFrag.add(f); return f; }
def(ElP, 'content', function () { return tplContent(this) || undefined; });
def(ElP, 'shadowRoot', () => null);

/* ---------- document ---------- */
let doc = null; /* set once the prototypes are known to the natives */
function makeFrag() { const f = N.create('crawld-fragment'); isFrag.add(f); return f; }
def(DocP, 'documentElement', () => N.docEl());
def(DocP, 'head', () => N.head());
def(DocP, 'body', () => N.body(), () => {});
def(DocP, 'title', function () {
  const t = N.query(this, 'title', true);
  return t.length ? N.text(t[0]).replace(/[ \t\n\f\r]+/g, ' ').trim() : '';
}, function (v) {
  let t = N.query(this, 'title', true)[0];
  if (!t) { const h = this.head; if (!h) return; t = N.create('title'); N.append(h, t); }
  N.setText(t, String(v));
});
DocP.getElementById = function (id) { return N.byId(this, String(id)); };
DocP.createElement = function (n) { return N.create(String(n)); };
DocP.createElementNS = function (ns, n) { return N.create(String(n).replace(/^.*:/, '')); };
DocP.createTextNode = function (t) { return N.createText(String(t)); };
DocP.createComment = function (t) { return N.createComment(String(t)); };
DocP.createDocumentFragment = makeFrag;
DocP.createEvent = function (kind) {
  const k = String(kind).replace(/s$/, '').replace(/^HTML/, '');
  const C = EVENT_CLASSES[k] || EVENT_CLASSES[k + 'Event'] || Event;
  return new C('');
};
DocP.createRange = function () {
  return { selectNodeContents() {}, setStart() {}, setEnd() {}, collapse() {},
    createContextualFragment(html) { const f = makeFrag(); N.setHtml(f, String(html), false); return f; } };
};
DocP.importNode = function (n, deep) { return n.cloneNode(deep); };
DocP.adoptNode = function (n) { return n; };
DocP.write = function (...a) { N.write(a.join('')); };
DocP.writeln = function (...a) { N.write(a.join('') + '\n'); };
DocP.open = function () { return this; };
DocP.close = function () {};
DocP.hasFocus = () => true;
DocP.execCommand = () => false;
DocP.getSelection = () => null;
DocP.elementFromPoint = () => null;
def(DocP, 'currentScript', () => N.current());
def(DocP, 'URL', () => N.docUrl());
def(DocP, 'documentURI', () => N.docUrl());
def(DocP, 'domain', () => parseURL(N.docUrl()).hostname, () => {});
def(DocP, 'referrer', () => '');
def(DocP, 'defaultView', () => G);
def(DocP, 'location', () => location, v => { location.href = v; });
def(DocP, 'links', () => list(N.query(doc, 'a[href], area[href]', false)));
def(DocP, 'images', () => list(N.byTag(doc, 'img')));
def(DocP, 'scripts', () => list(N.byTag(doc, 'script')));
def(DocP, 'forms', () => list(N.byTag(doc, 'form')));
def(DocP, 'anchors', () => list(N.query(doc, 'a[name]', false)));
def(DocP, 'activeElement', () => N.body());
def(DocP, 'hidden', () => false);
def(DocP, 'visibilityState', () => 'visible');
def(DocP, 'compatMode', () => 'CSS1Compat');
def(DocP, 'characterSet', () => 'UTF-8');
def(DocP, 'charset', () => 'UTF-8');
def(DocP, 'contentType', () => 'text/html');
def(DocP, 'doctype', () => null);
def(DocP, 'fonts', () => ({ ready: Promise.resolve(), add() {}, check: () => true }));
let readyState = 'loading';
def(DocP, 'readyState', () => readyState);
/* the job's jar when the host has one (N.cookie() is then a string), else
 * the realm's own map */
let cookies = new Map();
def(DocP, 'cookie', () => {
  const jar = N.cookie();
  return jar !== null ? jar : Array.from(cookies, ([k, v]) => k + '=' + v).join('; ');
}, function (v) {
  if (N.setCookie(String(v))) return;
  const first = String(v).split(';')[0];
  const eq = first.indexOf('=');
  const k = (eq < 0 ? '' : first.slice(0, eq)).trim(), x = (eq < 0 ? first : first.slice(eq + 1)).trim();
  if (/expires=Thu, 01 Jan 1970/i.test(String(v)) || /max-age=0/i.test(String(v))) cookies.delete(k);
  else cookies.set(k, x);
});
N.setProtos(DocP, ElP, TextP, CommentP);
doc = N.document();

/* constructors, for instanceof and feature tests */
function ctor(name, proto) {
  const f = function () { throw new TypeError('Illegal constructor'); };
  Object.defineProperty(f, 'name', { value: name });
  f.prototype = proto;
  val(G, name, f);
}
val(G, 'Node', Node); val(G, 'EventTarget', EventTarget);
/* window is a Window, an EventTarget, not a plain object: jQuery's
 * isPlainObject(window) must be false, or $.extend(true, ...) copies the
 * window into options (jQuery UI's position `of: window`) */
function Window() { throw new TypeError('Illegal constructor'); }
Window.prototype = Object.create(ETP);
val(Window.prototype, 'constructor', Window);
try { Object.setPrototypeOf(G, Window.prototype); } catch (e) { /* stays an Object */ }
val(G, 'Window', Window);
for (const k in EVENT_CLASSES) val(G, k, EVENT_CLASSES[k]);
for (const n of ['Element', 'HTMLElement', 'HTMLAnchorElement', 'HTMLDivElement', 'HTMLScriptElement',
  'HTMLImageElement', 'HTMLFormElement', 'HTMLInputElement', 'HTMLIFrameElement', 'HTMLLinkElement',
  'HTMLTemplateElement', 'HTMLUnknownElement', 'SVGElement', 'HTMLBodyElement', 'HTMLSpanElement'])
  ctor(n, ElP);
ctor('Text', TextP); ctor('CharacterData', TextP); ctor('Comment', CommentP);
ctor('Document', DocP); ctor('HTMLDocument', DocP); ctor('DocumentFragment', ElP);
ctor('NodeList', ListP); ctor('HTMLCollection', ListP);
/* x.constructor as in browsers (document.constructor is HTMLDocument, not
 * EventTarget: Bootstrap 3's tooltip tests `el instanceof
 * document.constructor`) */
for (const [p, n] of [[DocP, 'HTMLDocument'], [ElP, 'HTMLElement'], [TextP, 'Text'],
  [CommentP, 'Comment'], [NodeP, 'Node'], [ListP, 'NodeList']])
  val(p, 'constructor', G[n]);
val(G, 'Image', function () { return N.create('img'); });
val(G, 'Option', function (t, v) { const o = N.create('option'); if (t !== undefined) N.setText(o, String(t)); if (v !== undefined) N.setAttr(o, 'value', String(v)); return o; });

/* ---------- window ---------- */
function parseURL(href) {
  href = String(href);
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(?:\/\/([^\/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(href) || [];
  const protocol = (m[1] || '').toLowerCase(), auth = m[2] || '';
  const host = auth.slice(auth.lastIndexOf('@') + 1);
  let hostname = host, port = '';
  const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  if (pm) { hostname = pm[1]; port = pm[2] || ''; }
  const search = m[4] && m[4] !== '?' ? m[4] : '', hash = m[5] && m[5] !== '#' ? m[5] : '';
  return { href, protocol, host, hostname, port, pathname: m[3] || (m[2] !== undefined ? '/' : ''),
    search, hash, origin: m[2] !== undefined ? protocol + '//' + host : 'null' };
}
const loc = parseURL(N.docUrl());
const location = {};
for (const k of ['href', 'protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash', 'origin'])
  def(location, k, () => loc[k], () => {});
location.toString = () => loc.href;
location.assign = location.replace = location.reload = function () {};
val(G, 'location', location);
val(G, 'window', G); val(G, 'self', G); val(G, 'top', G); val(G, 'parent', G); val(G, 'frames', G);
val(G, 'document', doc);
val(G, 'frameElement', null); val(G, 'opener', null); val(G, 'closed', false); val(G, 'name', '');
val(G, 'origin', loc.origin); val(G, 'isSecureContext', loc.protocol === 'https:');
val(G, 'navigator', {
  userAgent: UA, appName: 'Netscape', appVersion: '5.0', appCodeName: 'Mozilla', product: 'Gecko',
  platform: 'Linux x86_64', vendor: '', language: 'en-US', languages: ['en-US', 'en'],
  cookieEnabled: true, onLine: true, webdriver: false, doNotTrack: null, hardwareConcurrency: 2,
  maxTouchPoints: 0, plugins: [], mimeTypes: [], javaEnabled: () => false,
  sendBeacon: () => true, serviceWorker: undefined, clipboard: undefined
});
val(G, 'screen', { width: 1366, height: 768, availWidth: 1366, availHeight: 768, colorDepth: 24, pixelDepth: 24 });
for (const [k, v] of [['innerWidth', 1366], ['innerHeight', 768], ['outerWidth', 1366], ['outerHeight', 768],
  ['devicePixelRatio', 1], ['scrollX', 0], ['scrollY', 0], ['pageXOffset', 0], ['pageYOffset', 0], ['length', 0]])
  val(G, k, v);
for (const k of ['scrollTo', 'scroll', 'scrollBy', 'focus', 'blur', 'print', 'stop', 'postMessage',
  'moveTo', 'resizeTo', 'close'])
  val(G, k, function () {});
val(G, 'alert', function () {}); val(G, 'confirm', () => false); val(G, 'prompt', () => null);
val(G, 'open', () => null);
val(G, 'getComputedStyle', () => makeStyle());
val(G, 'matchMedia', q => ({ matches: false, media: String(q), addListener() {}, removeListener() {},
  addEventListener() {}, removeEventListener() {}, onchange: null }));
val(G, 'history', { length: 1, state: null, scrollRestoration: 'auto', pushState() {}, replaceState() {},
  back() {}, forward() {}, go() {} });
function Storage() { val(this, '_m', new Map()); }
Storage.prototype = {
  getItem(k) { k = String(k); return this._m.has(k) ? this._m.get(k) : null; },
  setItem(k, v) { this._m.set(String(k), String(v)); },
  removeItem(k) { this._m.delete(String(k)); },
  clear() { this._m.clear(); },
  key(i) { return Array.from(this._m.keys())[i] ?? null; },
  get length() { return this._m.size; }
};
val(G, 'localStorage', new Storage()); val(G, 'sessionStorage', new Storage()); val(G, 'Storage', Storage);
function Observer() {}
Observer.prototype = { observe() {}, unobserve() {}, disconnect() {}, takeRecords: () => [] };
for (const n of ['MutationObserver', 'IntersectionObserver', 'ResizeObserver', 'PerformanceObserver'])
  val(G, n, Observer);
const con = {};
const fmt = a => a.map(x => {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && !(x instanceof Error)) { try { return JSON.stringify(x); } catch (e) { return String(x); } }
  try { return String(x); } catch (e) { return '?'; }
}).join(' ');
for (const [k, l] of [['log', 1], ['info', 1], ['warn', 2], ['error', 3], ['debug', 0], ['trace', 0], ['dir', 0], ['table', 0]])
  con[k] = (...a) => N.log(l, fmt(a));
con.assert = (c, ...a) => { if (!c) N.log(3, 'Assertion failed: ' + fmt(a)); };
for (const k of ['group', 'groupCollapsed', 'groupEnd', 'time', 'timeEnd', 'timeLog', 'count', 'countReset', 'clear', 'profile', 'profileEnd'])
  con[k] = () => {};
val(G, 'console', con);
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
val(G, 'btoa', function (s) {
  s = String(s); let o = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
    if (a > 255 || b > 255 || c > 255) throw new Error('InvalidCharacterError');
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    o += B64[n >> 18 & 63] + B64[n >> 12 & 63] + (i + 1 < s.length ? B64[n >> 6 & 63] : '=') + (i + 2 < s.length ? B64[n & 63] : '=');
  }
  return o;
});
val(G, 'atob', function (s) {
  s = String(s).replace(/[\t\n\f\r =]/g, ''); let o = '', bits = 0, acc = 0;
  for (const ch of s) {
    const v = B64.indexOf(ch); if (v < 0) throw new Error('InvalidCharacterError');
    acc = (acc << 6) | v; bits += 6;
    if (bits >= 8) { bits -= 8; o += String.fromCharCode((acc >> bits) & 255); }
  }
  return o;
});

/* URL and URLSearchParams, resolved by the crawler's own URL code. */
function URLSearchParams(init) {
  val(this, '_l', []);
  if (init && typeof init === 'object') { for (const k in init) this._l.push([k, String(init[k])]); return; }
  const s = String(init == null ? '' : init).replace(/^\?/, '');
  const dec = x => { try { return decodeURIComponent(x.replace(/\+/g, ' ')); } catch (e) { return x; } };
  if (s) for (const p of s.split('&')) { if (!p) continue; const i = p.indexOf('='); this._l.push(i < 0 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))]); }
}
URLSearchParams.prototype = {
  get(k) { const e = this._l.find(x => x[0] === k); return e ? e[1] : null; },
  getAll(k) { return this._l.filter(x => x[0] === k).map(x => x[1]); },
  has(k) { return this._l.some(x => x[0] === k); },
  set(k, v) { const i = this._l.findIndex(x => x[0] === k); this.delete(k); if (i < 0) this._l.push([k, String(v)]); else this._l.splice(i, 0, [k, String(v)]); },
  append(k, v) { this._l.push([String(k), String(v)]); },
  delete(k) { for (let i = this._l.length - 1; i >= 0; i--) if (this._l[i][0] === k) this._l.splice(i, 1); },
  forEach(f, self) { for (const [k, v] of this._l) f.call(self, v, k, this); },
  keys() { return this._l.map(x => x[0])[Symbol.iterator](); },
  values() { return this._l.map(x => x[1])[Symbol.iterator](); },
  entries() { return this._l.map(x => [x[0], x[1]])[Symbol.iterator](); },
  [Symbol.iterator]() { return this.entries(); },
  toString() { return this._l.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&'); }
};
function URL(u, base) {
  if (!(this instanceof URL)) throw new TypeError("Constructor URL requires 'new'");
  if (u instanceof URL) u = u.href;
  if (base instanceof URL) base = base.href;
  const abs = base === undefined && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(String(u)) ? null :
    resolveRef(String(u), base === undefined ? String(u) : String(base));
  if (abs === null) {
    if (base === undefined && /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(String(u))) { val(this, '_p', parseURL(String(u))); }
    else throw new TypeError('Invalid URL: ' + u);
  } else val(this, '_p', parseURL(abs));
  val(this, 'searchParams', new URLSearchParams(this._p.search));
}
for (const k of ['protocol', 'host', 'hostname', 'port', 'pathname', 'hash', 'origin'])
  def(URL.prototype, k, function () { return this._p[k]; });
def(URL.prototype, 'search', function () { const s = this.searchParams.toString(); return s ? '?' + s : ''; });
def(URL.prototype, 'href', function () {
  const p = this._p;
  return p.origin !== 'null' ? p.protocol + '//' + p.host + p.pathname + this.search + p.hash : p.href;
});
URL.prototype.toString = URL.prototype.toJSON = function () { return this.href; };
URL.createObjectURL = () => 'blob:null'; URL.revokeObjectURL = () => {};
val(G, 'URL', URL); val(G, 'URLSearchParams', URLSearchParams); val(G, 'webkitURL', URL);

/* ---------- fetch ---------- */
function Headers(init) {
  val(this, '_m', new Map());
  if (init) for (const [k, v] of (init instanceof Headers ? init._m : Array.isArray(init) ? init : Object.entries(init)))
    this._m.set(String(k).toLowerCase(), String(v));
}
Headers.prototype = {
  get(k) { k = String(k).toLowerCase(); return this._m.has(k) ? this._m.get(k) : null; },
  has(k) { return this._m.has(String(k).toLowerCase()); },
  set(k, v) { this._m.set(String(k).toLowerCase(), String(v)); },
  append(k, v) { this.set(k, v); },
  delete(k) { this._m.delete(String(k).toLowerCase()); },
  forEach(f, self) { for (const [k, v] of this._m) f.call(self, v, k, this); },
  entries() { return this._m.entries(); }, keys() { return this._m.keys(); }, values() { return this._m.values(); },
  [Symbol.iterator]() { return this._m.entries(); }
};
function Response(r) {
  const [status, body, url, ctype] = r;
  this.status = status; this.ok = status >= 200 && status <= 299; this.statusText = '';
  this.url = url; this.redirected = false; this.type = 'basic'; this.bodyUsed = false;
  this.headers = new Headers(ctype ? { 'content-type': ctype } : null);
  val(this, '_body', body);
}
Response.prototype = {
  text() { this.bodyUsed = true; return Promise.resolve(this._body); },
  json() { this.bodyUsed = true; const b = this._body; return new Promise(res => res(JSON.parse(b))); },
  blob() { return Promise.reject(new TypeError('blob() is not supported')); },
  arrayBuffer() { return Promise.reject(new TypeError('arrayBuffer() is not supported')); },
  clone() { return new Response([this.status, this._body, this.url, this.headers.get('content-type')]); }
};
function Request(u, init) { this.url = String(u && u.url ? u.url : u); this.method = ((init && init.method) || 'GET').toUpperCase(); }
val(G, 'Headers', Headers); val(G, 'Response', Response); val(G, 'Request', Request);
/* A request body as text (FormData and URLSearchParams as a browser sends
 * them urlencoded; a Blob or ArrayBuffer is not supported). */
function bodyText(b, hdrs) {
  const setType = t => { if (hdrs && !hdrs.has('content-type')) hdrs.set('content-type', t); };
  if (typeof b === 'string') { setType('text/plain;charset=UTF-8'); return b; }
  if (b instanceof URLSearchParams) { setType('application/x-www-form-urlencoded;charset=UTF-8'); return b.toString(); }
  if (G.FormData && b instanceof G.FormData) { setType('application/x-www-form-urlencoded;charset=UTF-8'); return b._text(); }
  return String(b);
}
val(G, 'fetch', function (input, init) {
  return new Promise((resolve, reject) => {
    const method = String((init && init.method) || (input && input.method) || 'GET').toUpperCase();
    const url = input && typeof input === 'object' && 'url' in input ? String(input.url) : String(input);
    const hdrs = new Headers((init && init.headers) || (input && input.headers) || null);
    const body = init && init.body != null ? bodyText(init.body, hdrs) : null;
    const lines = [];
    hdrs.forEach((v, k) => lines.push(k + ': ' + v));
    addTimer(() => {
      const r = method === 'GET' && !lines.length ? N.fetch(url) : N.request(method, url, body, lines);
      if (typeof r === 'string') reject(new TypeError('Failed to fetch: ' + r));
      else resolve(new Response(r));
    }, 0, [], false);
  });
});

)JS";

const size_t prelude_source_len = sizeof(prelude_source) - 1;
