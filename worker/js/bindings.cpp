/* bindings.cpp — the native primitives the prelude builds the DOM on.
 *
 * A node wrapper is an object of NodeClass whose slots hold the GumboNode*
 * and the page generation; the same node always gives the same wrapper (a
 * per-page Map keyed by the node's address, held by the global). Every
 * native takes wrappers and plain values and calls dom.h; nothing here
 * keeps a GumboNode* anywhere but in a wrapper's slot, and js_page_run
 * clears those slots before the page's arena can go. Over 900 lines on
 * purpose: one flat list of short natives and the one table that registers
 * them, so the wrapper rules above are checked in one place. */
#include "shim.hpp"

#include <stdio.h>
#include <string.h>

const JSClass bindings_global_class = {
    "Window", JSCLASS_GLOBAL_FLAGS, &JS::DefaultGlobalClassOps, nullptr, nullptr, nullptr};

static const JSClass NodeClass = {
    "Node", JSCLASS_HAS_RESERVED_SLOTS(NSLOT_COUNT), nullptr, nullptr, nullptr, nullptr};

#define CONSOLE_MAX_LINES 200
#define CONSOLE_MAX_BYTES 1000

/* ---- pointer set (arena) ---- */

static size_t ptr_hash(const void *p, size_t cap)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0x9e3779b97f4a7c15ull;
    return (size_t)(x >> 20) & (cap - 1);
}

bool ptrset_has(const ptrset *s, const void *p)
{
    if (!s->cap)
        return false;
    for (size_t i = ptr_hash(p, s->cap);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slots[i])
            return false;
        if (s->slots[i] == p)
            return true;
    }
}

bool ptrset_add(arena *a, ptrset *s, const void *p)
{
    if (ptrset_has(s, p))
        return true;
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        const void **ns = (const void **)arena_alloc_zeroed(a, ncap * sizeof(void *));
        if (!ns)
            return false;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i])
                continue;
            size_t j = ptr_hash(s->slots[i], ncap);
            while (ns[j])
                j = (j + 1) & (ncap - 1);
            ns[j] = s->slots[i];
        }
        s->slots = ns;
        s->cap = ncap;
    }
    size_t j = ptr_hash(p, s->cap);
    while (s->slots[j])
        j = (j + 1) & (s->cap - 1);
    s->slots[j] = p;
    s->n++;
    return true;
}

/* ---- helpers ---- */

static Page *page_of(JSContext *cx)
{
    js_runtime *rt = (js_runtime *)JS_GetContextPrivate(cx);
    if (!rt || !rt->page) {
        JS_ReportErrorASCII(cx, "no page is running");
        return nullptr;
    }
    return rt->page;
}

/* UTF-8 copy of a JS value (ToString). */
struct Utf8 {
    JS::UniqueChars chars;
    size_t len = 0;
    const char *get() const { return chars.get(); }
    bool init(JSContext *cx, JS::HandleValue v)
    {
        JS::RootedString s(cx, JS::ToString(cx, v));
        if (!s)
            return false;
        chars = JS_EncodeStringToUTF8(cx, s);
        if (!chars)
            return false;
        len = strlen(chars.get());
        return true;
    }
};

static bool set_string(JSContext *cx, JS::MutableHandleValue out, const char *s, size_t len)
{
    if (!s) {
        out.setNull();
        return true;
    }
    JSString *str = JS_NewStringCopyUTF8N(cx, JS::UTF8Chars(s, len));
    if (!str) {
        /* Not valid UTF-8 (a fetched body in another charset): decode with
         * U+FFFD for the bad bytes rather than fail. */
        if (JS_IsThrowingOutOfMemory(cx))
            return false;
        JS_ClearPendingException(cx);
        size_t n = 0;
        JS::TwoByteCharsZ chars =
            JS::LossyUTF8CharsToNewTwoByteCharsZ(cx, JS::UTF8Chars(s, len), &n, js::MallocArena);
        if (!chars)
            return false;
        str = JS_NewUCString(cx, JS::UniqueTwoByteChars(chars.get()), n);
        if (!str) {
            JS_free(cx, chars.get());
            return false;
        }
    }
    out.setString(str);
    return true;
}

Page *bindings_page(JSContext *cx) { return page_of(cx); }
bool bindings_string(JSContext *cx, JS::MutableHandleValue out, const char *s, size_t len)
{
    return set_string(cx, out, s, len);
}

static bool set_cstring(JSContext *cx, JS::MutableHandleValue out, const char *s)
{
    return set_string(cx, out, s, s ? strlen(s) : 0);
}

static bool dom_fail(JSContext *cx, dom_err e, const char *op)
{
    if (e == DOM_NOMEM) {
        JS_ReportOutOfMemory(cx);
        return false;
    }
    JS_ReportErrorUTF8(cx, "%s: %s", op, dom_err_word(e));
    return false;
}

static bool get_node(JSContext *cx, Page *pg, JS::HandleValue v, GumboNode **out)
{
    if (v.isObject()) {
        JSObject *o = &v.toObject();
        if (JS::GetClass(o) == &NodeClass) {
            JS::Value nv = JS::GetReservedSlot(o, NSLOT_NODE);
            JS::Value gv = JS::GetReservedSlot(o, NSLOT_GEN);
            if (!gv.isInt32() || gv.toInt32() != pg->gen || nv.isUndefined()) {
                JS_ReportErrorASCII(cx, "node belongs to a page that has ended");
                return false;
            }
            *out = (GumboNode *)nv.toPrivate();
            return true;
        }
    }
    JS_ReportErrorASCII(cx, "argument is not a Node");
    return false;
}

bool bindings_node(JSContext *cx, Page *pg, JS::HandleValue v, GumboNode **out)
{
    return get_node(cx, pg, v, out);
}

/* Nullable node argument (insertBefore's ref). */
static bool get_node_or_null(JSContext *cx, Page *pg, JS::HandleValue v, GumboNode **out)
{
    if (v.isNullOrUndefined()) {
        *out = nullptr;
        return true;
    }
    return get_node(cx, pg, v, out);
}

bool bindings_wrap(JSContext *cx, Page *pg, GumboNode *n, JS::MutableHandleValue out)
{
    if (!n) {
        out.setNull();
        return true;
    }
    JS::RootedObject global(cx, JS::CurrentGlobalOrNull(cx));
    JS::RootedObject map(cx, &JS::GetReservedSlot(global, GSLOT_NODEMAP).toObject());
    JS::RootedValue key(cx, JS::DoubleValue((double)(uintptr_t)n));
    if (!JS::MapGet(cx, map, key, out))
        return false;
    if (out.isObject())
        return true;
    int which;
    switch (n->type) {
    case GUMBO_NODE_DOCUMENT:
        which = 0;
        break;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        which = 1;
        break;
    case GUMBO_NODE_COMMENT:
        which = 3;
        break;
    default:
        which = 2;
        break;
    }
    JS::RootedObject protos(cx, &JS::GetReservedSlot(global, GSLOT_PROTOS).toObject());
    JS::RootedValue pv(cx);
    if (!JS_GetElement(cx, protos, which, &pv))
        return false;
    JS::RootedObject proto(cx, pv.isObject() ? &pv.toObject() : nullptr);
    JS::RootedObject obj(cx, JS_NewObjectWithGivenProto(cx, &NodeClass, proto));
    if (!obj)
        return false;
    JS::SetReservedSlot(obj, NSLOT_NODE, JS::PrivateValue(n));
    JS::SetReservedSlot(obj, NSLOT_GEN, JS::Int32Value(pg->gen));
    JS::RootedValue ov(cx, JS::ObjectValue(*obj));
    if (!JS::MapSet(cx, map, key, ov))
        return false;
    JS::RootedObject all(cx, &JS::GetReservedSlot(global, GSLOT_WRAPPERS).toObject());
    uint32_t len = 0;
    if (!JS::GetArrayLength(cx, all, &len) || !JS_SetElement(cx, all, len, ov))
        return false;
    out.set(ov);
    return true;
}

void bindings_clear_wrappers(JSContext *cx, JS::HandleObject global)
{
    JS::Value av = JS::GetReservedSlot(global, GSLOT_WRAPPERS);
    if (!av.isObject())
        return;
    JS::RootedObject all(cx, &av.toObject());
    uint32_t len = 0;
    if (!JS::GetArrayLength(cx, all, &len)) {
        JS_ClearPendingException(cx);
        return;
    }
    JS::RootedValue v(cx);
    for (uint32_t i = 0; i < len; i++) {
        if (!JS_GetElement(cx, all, i, &v)) {
            JS_ClearPendingException(cx);
            continue;
        }
        if (v.isObject() && JS::GetClass(&v.toObject()) == &NodeClass) {
            JS::SetReservedSlot(&v.toObject(), NSLOT_NODE, JS::UndefinedValue());
            JS::SetReservedSlot(&v.toObject(), NSLOT_GEN, JS::Int32Value(-1));
        }
    }
}

static bool list_to_array(JSContext *cx, Page *pg, const dom_list &l, JS::MutableHandleValue out)
{
    JS::RootedObject arr(cx, JS::NewArrayObject(cx, l.n));
    if (!arr)
        return false;
    JS::RootedValue v(cx);
    for (size_t i = 0; i < l.n; i++) {
        if (!bindings_wrap(cx, pg, l.items[i], &v) || !JS_SetElement(cx, arr, (uint32_t)i, v))
            return false;
    }
    out.setObject(*arr);
    return true;
}

static bool is_connected(Page *pg, const GumboNode *n)
{
    const GumboNode *doc = dom_document(pg->d);
    for (; n; n = n->parent)
        if (n == doc)
            return true;
    return false;
}

/* After an insertion: a connected script element that has not run yet will
 * run after the current script or callback. */
static void note_inserted(Page *pg, GumboNode *child)
{
    if (child->type != GUMBO_NODE_ELEMENT || !is_connected(pg, child))
        return;
    if (child->v.element.tag == GUMBO_TAG_SCRIPT) {
        pg->scripts_added = true;
        shim_script_inserted(pg, child);
        return;
    }
    if (!dom_first_element_child(child))
        return;
    dom_list l = {NULL, 0};
    if (dom_by_tag(pg->d, child, "script", &l) == DOM_OK && l.n)
        pg->scripts_added = true;
}

void bindings_mark_scripts_started(Page *pg, GumboNode *root)
{
    if (root->type == GUMBO_NODE_ELEMENT && root->v.element.tag == GUMBO_TAG_SCRIPT)
        ptrset_add(pg->a, &pg->started, root);
    if (!dom_first_element_child(root))
        return;
    dom_list l = {NULL, 0};
    if (dom_by_tag(pg->d, root, "script", &l) != DOM_OK)
        return;
    for (size_t i = 0; i < l.n; i++)
        ptrset_add(pg->a, &pg->started, l.items[i]);
}

/* ---- natives ---- */

#define NATIVE(name) static bool name(JSContext *cx, unsigned argc, JS::Value *vp)
#define PROLOGUE                                                                                   \
    JS::CallArgs args = JS::CallArgsFromVp(argc, vp);                                              \
    Page *pg = page_of(cx);                                                                        \
    if (!pg)                                                                                       \
        return false;
#define ARG_NODE(i, var)                                                                           \
    GumboNode *var = nullptr;                                                                      \
    if (!get_node(cx, pg, args.get(i), &var))                                                      \
        return false;
#define ARG_STR(i, var)                                                                            \
    Utf8 var;                                                                                      \
    if (!var.init(cx, args.get(i)))                                                                \
        return false;

NATIVE(n_document)
{
    PROLOGUE
    return bindings_wrap(cx, pg, dom_document(pg->d), args.rval());
}
NATIVE(n_head)
{
    PROLOGUE
    return bindings_wrap(cx, pg, dom_head(pg->d), args.rval());
}
NATIVE(n_body)
{
    PROLOGUE
    return bindings_wrap(cx, pg, dom_body(pg->d), args.rval());
}
NATIVE(n_doc_el)
{
    PROLOGUE
    return bindings_wrap(cx, pg, dom_document_element(pg->d), args.rval());
}
NATIVE(n_parent)
{
    PROLOGUE
    ARG_NODE(0, n)
    /* a template's content fragment has no parent (dom_template_content) */
    GumboNode *p = n->parent && n->parent->type == GUMBO_NODE_TEMPLATE ? nullptr : n->parent;
    return bindings_wrap(cx, pg, p, args.rval());
}
/* content(template) -> its content fragment, or null for another node */
NATIVE(n_content)
{
    PROLOGUE
    ARG_NODE(0, n)
    if (n->type != GUMBO_NODE_TEMPLATE) {
        args.rval().setNull();
        return true;
    }
    GumboNode *f = dom_template_content(pg->d, n);
    if (!f)
        return dom_fail(cx, DOM_NOMEM, "content");
    return bindings_wrap(cx, pg, f, args.rval());
}
NATIVE(n_first)
{
    PROLOGUE
    ARG_NODE(0, n)
    return bindings_wrap(cx, pg, dom_first_child(n), args.rval());
}
NATIVE(n_last)
{
    PROLOGUE
    ARG_NODE(0, n)
    return bindings_wrap(cx, pg, dom_last_child(n), args.rval());
}
NATIVE(n_next)
{
    PROLOGUE
    ARG_NODE(0, n)
    return bindings_wrap(cx, pg, dom_next_sibling(n), args.rval());
}
NATIVE(n_prev)
{
    PROLOGUE
    ARG_NODE(0, n)
    return bindings_wrap(cx, pg, dom_prev_sibling(n), args.rval());
}
NATIVE(n_first_el)
{
    PROLOGUE
    ARG_NODE(0, n)
    return bindings_wrap(cx, pg, dom_first_element_child(n), args.rval());
}
NATIVE(n_next_el)
{
    PROLOGUE
    ARG_NODE(0, n)
    return bindings_wrap(cx, pg, dom_next_element_sibling(n), args.rval());
}
NATIVE(n_prev_el)
{
    PROLOGUE
    ARG_NODE(0, n)
    GumboNode *p = dom_prev_sibling(n);
    while (p && p->type != GUMBO_NODE_ELEMENT && p->type != GUMBO_NODE_TEMPLATE)
        p = dom_prev_sibling(p);
    return bindings_wrap(cx, pg, p, args.rval());
}
/* kids(n, elementsOnly) -> Array */
NATIVE(n_kids)
{
    PROLOGUE
    ARG_NODE(0, n)
    bool only_el = JS::ToBoolean(args.get(1));
    JS::RootedObject arr(cx, JS::NewArrayObject(cx, 0));
    if (!arr)
        return false;
    JS::RootedValue v(cx);
    uint32_t i = 0;
    for (GumboNode *c = only_el ? dom_first_element_child(n) : dom_first_child(n); c;
         c = only_el ? dom_next_element_sibling(c) : dom_next_sibling(c)) {
        if (!bindings_wrap(cx, pg, c, &v) || !JS_SetElement(cx, arr, i++, v))
            return false;
    }
    args.rval().setObject(*arr);
    return true;
}
NATIVE(n_type)
{
    PROLOGUE
    ARG_NODE(0, n)
    int t;
    switch (n->type) {
    case GUMBO_NODE_DOCUMENT:
        t = 9;
        break;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        t = 1;
        break;
    case GUMBO_NODE_COMMENT:
        t = 8;
        break;
    case GUMBO_NODE_CDATA:
        t = 4;
        break;
    default:
        t = 3;
        break;
    }
    args.rval().setInt32(t);
    return true;
}
NATIVE(n_tag)
{
    PROLOGUE
    ARG_NODE(0, n)
    return set_cstring(cx, args.rval(), dom_tag_name(pg->d, n));
}
NATIVE(n_attr)
{
    PROLOGUE
    ARG_NODE(0, n)
    ARG_STR(1, name)
    return set_cstring(cx, args.rval(), dom_get_attr(n, name.get()));
}
NATIVE(n_set_attr)
{
    PROLOGUE
    ARG_NODE(0, n)
    ARG_STR(1, name)
    ARG_STR(2, value)
    dom_err e = dom_set_attr(pg->d, n, name.get(), value.get());
    if (e != DOM_OK)
        return dom_fail(cx, e, "setAttribute");
    args.rval().setUndefined();
    return true;
}
NATIVE(n_rm_attr)
{
    PROLOGUE
    ARG_NODE(0, n)
    ARG_STR(1, name)
    dom_err e = dom_remove_attr(pg->d, n, name.get());
    if (e != DOM_OK)
        return dom_fail(cx, e, "removeAttribute");
    args.rval().setUndefined();
    return true;
}
/* attrs(n) -> [name, value, name, value, ...] */
NATIVE(n_attrs)
{
    PROLOGUE
    ARG_NODE(0, n)
    size_t cnt = dom_attr_count(n);
    JS::RootedObject arr(cx, JS::NewArrayObject(cx, cnt * 2));
    if (!arr)
        return false;
    JS::RootedValue v(cx);
    for (size_t i = 0; i < cnt; i++) {
        const char *an = NULL, *av = NULL;
        if (!dom_attr_at(n, i, &an, &av))
            break;
        if (!set_cstring(cx, &v, an) || !JS_SetElement(cx, arr, (uint32_t)(2 * i), v))
            return false;
        if (!set_cstring(cx, &v, av ? av : "") || !JS_SetElement(cx, arr, (uint32_t)(2 * i + 1), v))
            return false;
    }
    args.rval().setObject(*arr);
    return true;
}
NATIVE(n_text)
{
    PROLOGUE
    ARG_NODE(0, n)
    size_t len = 0;
    char *t = dom_text_content(pg->d, n, &len);
    if (!t) {
        JS_ReportOutOfMemory(cx);
        return false;
    }
    return set_string(cx, args.rval(), t, len);
}
NATIVE(n_set_text)
{
    PROLOGUE
    ARG_NODE(0, n)
    ARG_STR(1, s)
    dom_err e = dom_set_text_content(pg->d, n, s.get(), s.len);
    if (e != DOM_OK)
        return dom_fail(cx, e, "textContent");
    args.rval().setUndefined();
    return true;
}
/* html(n, outer) */
NATIVE(n_html)
{
    PROLOGUE
    ARG_NODE(0, n)
    size_t len = 0;
    char *s = dom_serialize(pg->d, n, JS::ToBoolean(args.get(1)), &len);
    if (!s) {
        JS_ReportOutOfMemory(cx);
        return false;
    }
    return set_string(cx, args.rval(), s, len);
}
/* setHtml(n, html, outer) */
NATIVE(n_set_html)
{
    PROLOGUE
    ARG_NODE(0, n)
    ARG_STR(1, s)
    bool outer = JS::ToBoolean(args.get(2));
    dom_err e;
    if (!outer) {
        e = dom_set_inner_html(pg->d, n, s.get(), s.len);
        if (e == DOM_OK)
            bindings_mark_scripts_started(pg, n);
    } else {
        GumboNode *parent = n->parent;
        size_t idx = n->index_within_parent;
        size_t before = parent ? dom_child_count(parent) : 0;
        e = dom_set_outer_html(pg->d, n, s.get(), s.len);
        if (e == DOM_OK && parent) {
            size_t after = dom_child_count(parent);
            size_t added = after + 1 - before;
            GumboNode *c = idx < after ? dom_first_child(parent) : NULL;
            for (size_t i = 0; c && i < idx; i++)
                c = dom_next_sibling(c);
            for (size_t i = 0; c && i < added; i++, c = dom_next_sibling(c))
                bindings_mark_scripts_started(pg, c);
        }
    }
    if (e != DOM_OK)
        return dom_fail(cx, e, outer ? "outerHTML" : "innerHTML");
    args.rval().setUndefined();
    return true;
}
NATIVE(n_create)
{
    PROLOGUE
    ARG_STR(0, name)
    dom_err e = DOM_OK;
    GumboNode *n = dom_create_element(pg->d, name.get(), &e);
    if (!n)
        return dom_fail(cx, e == DOM_OK ? DOM_NOMEM : e, "createElement");
    return bindings_wrap(cx, pg, n, args.rval());
}
NATIVE(n_create_text)
{
    PROLOGUE
    ARG_STR(0, s)
    GumboNode *n = dom_create_text(pg->d, s.get(), s.len);
    if (!n)
        return dom_fail(cx, DOM_NOMEM, "createTextNode");
    return bindings_wrap(cx, pg, n, args.rval());
}
NATIVE(n_create_comment)
{
    PROLOGUE
    ARG_STR(0, s)
    GumboNode *n = dom_create_comment(pg->d, s.get(), s.len);
    if (!n)
        return dom_fail(cx, DOM_NOMEM, "createComment");
    return bindings_wrap(cx, pg, n, args.rval());
}
NATIVE(n_append)
{
    PROLOGUE
    ARG_NODE(0, p)
    ARG_NODE(1, c)
    dom_err e = dom_append_child(pg->d, p, c);
    if (e != DOM_OK)
        return dom_fail(cx, e, "appendChild");
    note_inserted(pg, c);
    if (pg->stop)
        return false; /* an inserted script spent the budget: end the caller too */
    args.rval().set(args.get(1));
    return true;
}
NATIVE(n_insert)
{
    PROLOGUE
    ARG_NODE(0, p)
    ARG_NODE(1, c)
    GumboNode *ref = nullptr;
    if (!get_node_or_null(cx, pg, args.get(2), &ref))
        return false;
    dom_err e = dom_insert_before(pg->d, p, c, ref);
    if (e != DOM_OK)
        return dom_fail(cx, e, "insertBefore");
    note_inserted(pg, c);
    if (pg->stop)
        return false; /* an inserted script spent the budget: end the caller too */
    args.rval().set(args.get(1));
    return true;
}
NATIVE(n_remove)
{
    PROLOGUE
    ARG_NODE(0, p)
    ARG_NODE(1, c)
    dom_err e = dom_remove_child(pg->d, p, c);
    if (e != DOM_OK)
        return dom_fail(cx, e, "removeChild");
    args.rval().set(args.get(1));
    return true;
}
NATIVE(n_replace)
{
    PROLOGUE
    ARG_NODE(0, p)
    ARG_NODE(1, nw)
    ARG_NODE(2, old)
    dom_err e = dom_replace_child(pg->d, p, nw, old);
    if (e != DOM_OK)
        return dom_fail(cx, e, "replaceChild");
    note_inserted(pg, nw);
    if (pg->stop)
        return false;
    args.rval().set(args.get(2));
    return true;
}
NATIVE(n_by_id)
{
    PROLOGUE
    ARG_NODE(0, root)
    ARG_STR(1, id)
    return bindings_wrap(cx, pg, dom_get_element_by_id(pg->d, root, id.get()), args.rval());
}
NATIVE(n_by_tag)
{
    PROLOGUE
    ARG_NODE(0, root)
    ARG_STR(1, name)
    dom_list l = {NULL, 0};
    dom_err e = dom_by_tag(pg->d, root, name.get(), &l);
    if (e != DOM_OK)
        return dom_fail(cx, e, "getElementsByTagName");
    return list_to_array(cx, pg, l, args.rval());
}
NATIVE(n_by_class)
{
    PROLOGUE
    ARG_NODE(0, root)
    ARG_STR(1, cls)
    dom_list l = {NULL, 0};
    dom_err e = dom_by_class(pg->d, root, cls.get(), &l);
    if (e != DOM_OK)
        return dom_fail(cx, e, "getElementsByClassName");
    return list_to_array(cx, pg, l, args.rval());
}
/* query(root, selector, firstOnly) -> Array (SyntaxError-like Error on a
 * selector dom_select.c cannot parse). */
NATIVE(n_query)
{
    PROLOGUE
    ARG_NODE(0, root)
    ARG_STR(1, sel)
    dom_list l = {NULL, 0};
    dom_err e = dom_query(pg->d, root, sel.get(), JS::ToBoolean(args.get(2)), &l);
    if (e != DOM_OK)
        return dom_fail(cx, e, "querySelector");
    return list_to_array(cx, pg, l, args.rval());
}
NATIVE(n_matches)
{
    PROLOGUE
    ARG_NODE(0, n)
    ARG_STR(1, sel)
    bool yes = false;
    dom_err e = dom_matches(pg->d, n, sel.get(), &yes);
    if (e != DOM_OK)
        return dom_fail(cx, e, "matches");
    args.rval().setBoolean(yes);
    return true;
}
/* cls(n, op, token): op 0 contains, 1 add, 2 remove, 3 toggle -> bool */
NATIVE(n_cls)
{
    PROLOGUE
    ARG_NODE(0, n)
    int32_t op = 0;
    if (!JS::ToInt32(cx, args.get(1), &op))
        return false;
    ARG_STR(2, tok)
    if (!*tok.get() || strpbrk(tok.get(), " \t\n\r\f")) {
        JS_ReportErrorASCII(cx, "classList: the token is empty or has whitespace");
        return false;
    }
    bool on = false;
    dom_err e = DOM_OK;
    switch (op) {
    case 0:
        on = dom_class_contains(n, tok.get());
        break;
    case 1:
        e = dom_class_add(pg->d, n, tok.get());
        on = true;
        break;
    case 2:
        e = dom_class_remove(pg->d, n, tok.get());
        break;
    default:
        e = dom_class_toggle(pg->d, n, tok.get(), &on);
        break;
    }
    if (e != DOM_OK)
        return dom_fail(cx, e, "classList");
    args.rval().setBoolean(on);
    return true;
}
/* resolve(ref[, base]) -> absolute normalised URL, or null */
NATIVE(n_resolve)
{
    PROLOGUE
    ARG_STR(0, ref)
    const char *base = dom_base_url(pg->d);
    Utf8 b;
    if (args.length() > 1 && !args[1].isNullOrUndefined()) {
        if (!b.init(cx, args[1]))
            return false;
        base = b.get();
    }
    char *out = NULL;
    if (url_resolve(pg->a, base, ref.get(), &out) != URL_OK) {
        args.rval().setNull();
        return true;
    }
    return set_cstring(cx, args.rval(), out);
}
NATIVE(n_base)
{
    PROLOGUE
    return set_cstring(cx, args.rval(), dom_base_url(pg->d));
}
/* The document's URL (location.href, document.URL). */
NATIVE(n_doc_url)
{
    PROLOGUE
    return set_cstring(cx, args.rval(), dom_url(pg->d));
}
/* write(text): buffered while a script runs and inserted after it when it
 * ends (so that markup split over several writes parses as one); outside a
 * script, appended to <body> at once. */
NATIVE(n_write)
{
    PROLOGUE
    ARG_STR(0, s)
    args.rval().setUndefined();
    if (!s.len)
        return true;
    if (!pg->current_script) {
        dom_err e = dom_insert_html_after(pg->d, NULL, s.get(), s.len);
        if (e != DOM_OK)
            return dom_fail(cx, e, "document.write");
        if (strcasestr(s.get(), "<script"))
            pg->scripts_added = true;
        return true;
    }
    if (pg->wlen + s.len + 1 > pg->wcap) {
        size_t ncap = pg->wcap ? pg->wcap : 256;
        while (ncap < pg->wlen + s.len + 1)
            ncap *= 2;
        char *nb = (char *)arena_resize(pg->a, pg->wbuf, pg->wcap, ncap);
        if (!nb) {
            JS_ReportOutOfMemory(cx);
            return false;
        }
        pg->wbuf = nb;
        pg->wcap = ncap;
    }
    memcpy(pg->wbuf + pg->wlen, s.get(), s.len);
    pg->wlen += s.len;
    pg->wbuf[pg->wlen] = '\0';
    return true;
}
NATIVE(n_current)
{
    PROLOGUE
    return bindings_wrap(cx, pg, pg->current_script, args.rval());
}
/* log(level, msg) */
NATIVE(n_log)
{
    PROLOGUE
    int32_t level = 1;
    if (!JS::ToInt32(cx, args.get(0), &level))
        return false;
    args.rval().setUndefined();
    if (pg->console_lines > CONSOLE_MAX_LINES)
        return true;
    if (++pg->console_lines > CONSOLE_MAX_LINES) {
        shim_log(pg, 2, "console: more than %d lines, the rest dropped", CONSOLE_MAX_LINES);
        return true;
    }
    ARG_STR(1, msg)
    if (level < 0 || level > 3)
        level = 1;
    shim_log(pg, level, "console: %.*s", CONSOLE_MAX_BYTES, msg.get());
    return true;
}
/* report(exception) from the prelude's try/catch around callbacks. */
NATIVE(n_report)
{
    PROLOGUE
    ARG_STR(1, where)
    shim_report_value(pg, args.get(0), where.get());
    args.rval().setUndefined();
    return true;
}
/* fetch(url) -> [status, body, finalUrl, contentType], or an error string.
 * Synchronous: the prelude calls it from a timer task, so fetch() and XHR
 * still resolve asynchronously for the page. */
NATIVE(n_fetch)
{
    PROLOGUE
    ARG_STR(0, ref)
    if (shim_page_should_stop(pg))
        return false; /* uncatchable: the page is over */
    char *abs = NULL;
    url_err ue = url_resolve(pg->a, dom_base_url(pg->d), ref.get(), &abs);
    if (ue != URL_OK) {
        char msg[160];
        snprintf(msg, sizeof(msg), "bad url: %s", url_err_str(ue));
        return set_cstring(cx, args.rval(), msg);
    }
    if (++pg->fetches > FETCH_MAX_PER_PAGE)
        return set_cstring(cx, args.rval(), "limit: too many fetches for one page");
    js_response resp;
    memset(&resp, 0, sizeof(resp));
    if (!pg->host || !pg->host->fetch || pg->host->fetch(pg->host->ud, abs, &resp) != 0)
        return set_cstring(cx, args.rval(), resp.error ? resp.error : "network: no response");
    if (shim_page_should_stop(pg))
        return false;
    JS::RootedObject arr(cx, JS::NewArrayObject(cx, 4));
    if (!arr)
        return false;
    JS::RootedValue v(cx, JS::NumberValue((double)resp.status));
    if (!JS_SetElement(cx, arr, 0, v))
        return false;
    if (!set_string(cx, &v, resp.body ? resp.body : "", resp.body ? resp.len : 0) ||
        !JS_SetElement(cx, arr, 1, v))
        return false;
    if (!set_cstring(cx, &v, resp.final_url ? resp.final_url : abs) ||
        !JS_SetElement(cx, arr, 2, v))
        return false;
    if (!set_cstring(cx, &v, resp.content_type ? resp.content_type : "") ||
        !JS_SetElement(cx, arr, 3, v))
        return false;
    args.rval().setObject(*arr);
    return true;
}
/* setProtos(document, element, text, comment) */
NATIVE(n_set_protos)
{
    PROLOGUE(void) pg; /* only checks that a page runs */
    JS::RootedObject global(cx, JS::CurrentGlobalOrNull(cx));
    JS::RootedObject protos(cx, &JS::GetReservedSlot(global, GSLOT_PROTOS).toObject());
    for (unsigned i = 0; i < 4; i++)
        if (!JS_SetElement(cx, protos, i, args.get(i)))
            return false;
    args.rval().setUndefined();
    return true;
}
/* isNode(v) -> bool (a live wrapper of this page) */
NATIVE(n_is_node)
{
    PROLOGUE
    JS::HandleValue v = args.get(0);
    bool yes = v.isObject() && JS::GetClass(&v.toObject()) == &NodeClass &&
               JS::GetReservedSlot(&v.toObject(), NSLOT_GEN) == JS::Int32Value(pg->gen);
    args.rval().setBoolean(yes);
    return true;
}

static const JSFunctionSpec natives[] = {JS_FN("document", n_document, 0, 0),
                                         JS_FN("head", n_head, 0, 0),
                                         JS_FN("body", n_body, 0, 0),
                                         JS_FN("docEl", n_doc_el, 0, 0),
                                         JS_FN("parent", n_parent, 1, 0),
                                         JS_FN("content", n_content, 1, 0),
                                         JS_FN("first", n_first, 1, 0),
                                         JS_FN("last", n_last, 1, 0),
                                         JS_FN("next", n_next, 1, 0),
                                         JS_FN("prev", n_prev, 1, 0),
                                         JS_FN("firstEl", n_first_el, 1, 0),
                                         JS_FN("nextEl", n_next_el, 1, 0),
                                         JS_FN("prevEl", n_prev_el, 1, 0),
                                         JS_FN("kids", n_kids, 2, 0),
                                         JS_FN("type", n_type, 1, 0),
                                         JS_FN("tag", n_tag, 1, 0),
                                         JS_FN("attr", n_attr, 2, 0),
                                         JS_FN("setAttr", n_set_attr, 3, 0),
                                         JS_FN("rmAttr", n_rm_attr, 2, 0),
                                         JS_FN("attrs", n_attrs, 1, 0),
                                         JS_FN("text", n_text, 1, 0),
                                         JS_FN("setText", n_set_text, 2, 0),
                                         JS_FN("html", n_html, 2, 0),
                                         JS_FN("setHtml", n_set_html, 3, 0),
                                         JS_FN("create", n_create, 1, 0),
                                         JS_FN("createText", n_create_text, 1, 0),
                                         JS_FN("createComment", n_create_comment, 1, 0),
                                         JS_FN("append", n_append, 2, 0),
                                         JS_FN("insert", n_insert, 3, 0),
                                         JS_FN("remove", n_remove, 2, 0),
                                         JS_FN("replace", n_replace, 3, 0),
                                         JS_FN("byId", n_by_id, 2, 0),
                                         JS_FN("byTag", n_by_tag, 2, 0),
                                         JS_FN("byClass", n_by_class, 2, 0),
                                         JS_FN("query", n_query, 3, 0),
                                         JS_FN("matches", n_matches, 2, 0),
                                         JS_FN("cls", n_cls, 3, 0),
                                         JS_FN("resolve", n_resolve, 2, 0),
                                         JS_FN("base", n_base, 0, 0),
                                         JS_FN("docUrl", n_doc_url, 0, 0),
                                         JS_FN("write", n_write, 1, 0),
                                         JS_FN("current", n_current, 0, 0),
                                         JS_FN("log", n_log, 2, 0),
                                         JS_FN("report", n_report, 2, 0),
                                         JS_FN("fetch", n_fetch, 1, 0),
                                         JS_FN("setProtos", n_set_protos, 4, 0),
                                         JS_FN("isNode", n_is_node, 1, 0),
                                         JS_FS_END};

bool bindings_define_natives(JSContext *cx, JS::HandleObject obj)
{
    return JS_DefineFunctions(cx, obj, natives) && bindings_doc_define(cx, obj);
}
