/* bindings_doc.cpp — the second table of natives: documents besides the
 * page's own (document.implementation), exact tree positions (Sizzle sorts
 * by compareDocumentPosition), requests with a method, body and headers
 * (XMLHttpRequest, fetch) and document.cookie against the job's jar. Same wrapper rules as
 * bindings.cpp: nodes only in wrappers' slots, strings copied into the page arena. */
#include "shim.hpp"

#include <string.h>

#define NATIVE(name) static bool name(JSContext *cx, unsigned argc, JS::Value *vp)
#define PROLOGUE                                                                                   \
    JS::CallArgs args = JS::CallArgsFromVp(argc, vp);                                              \
    Page *pg = bindings_page(cx);                                                                  \
    if (!pg)                                                                                       \
        return false;

/* Arena copy of a JS value's UTF-8 text (ToString); *len its bytes. */
static char *arena_utf8(JSContext *cx, Page *pg, JS::HandleValue v, size_t *len)
{
    JS::RootedString s(cx, JS::ToString(cx, v));
    if (!s)
        return nullptr;
    JS::UniqueChars c = JS_EncodeStringToUTF8(cx, s);
    if (!c)
        return nullptr;
    size_t n = strlen(c.get());
    char *out = (char *)arena_alloc(pg->a, n + 1);
    if (!out) {
        JS_ReportOutOfMemory(cx);
        return nullptr;
    }
    memcpy(out, c.get(), n + 1);
    if (len)
        *len = n;
    return out;
}

/* newDoc(title or undefined) -> a new document node */
NATIVE(n_new_doc)
{
    PROLOGUE
    const char *title = nullptr;
    if (!args.get(0).isUndefined()) {
        title = arena_utf8(cx, pg, args[0], nullptr);
        if (!title)
            return false;
    }
    dom_err e = DOM_OK;
    GumboNode *doc = dom_create_document(pg->d, title, &e);
    if (!doc) {
        JS_ReportOutOfMemory(cx);
        return false;
    }
    return bindings_wrap(cx, pg, doc, args.rval());
}

/* index(n) -> n's index among its parent's children (0 when detached) */
NATIVE(n_index)
{
    PROLOGUE
    GumboNode *n = nullptr;
    if (!bindings_node(cx, pg, args.get(0), &n))
        return false;
    args.rval().setNumber((double)(n->parent ? n->index_within_parent : 0));
    return true;
}

/* request(method, url, body or null, ["Name: value", ...]) ->
 * [status, body, finalUrl, contentType], or an error string. Synchronous,
 * like fetch: the prelude calls it from a timer task. */
NATIVE(n_request)
{
    PROLOGUE
    js_request req;
    memset(&req, 0, sizeof(req));
    req.method = arena_utf8(cx, pg, args.get(0), nullptr);
    char *ref = req.method ? arena_utf8(cx, pg, args.get(1), nullptr) : nullptr;
    if (!ref)
        return false;
    if (!args.get(2).isNullOrUndefined()) {
        req.body = arena_utf8(cx, pg, args[2], &req.body_len);
        if (!req.body)
            return false;
    }
    if (args.get(3).isObject()) {
        JS::RootedObject arr(cx, &args[3].toObject());
        uint32_t n = 0;
        if (!JS::GetArrayLength(cx, arr, &n))
            return false;
        if (n > 64)
            n = 64;
        const char **h = (const char **)arena_alloc(pg->a, (n ? n : 1) * sizeof(char *));
        if (!h) {
            JS_ReportOutOfMemory(cx);
            return false;
        }
        JS::RootedValue v(cx);
        for (uint32_t i = 0; i < n; i++) {
            if (!JS_GetElement(cx, arr, i, &v) || !(h[i] = arena_utf8(cx, pg, v, nullptr)))
                return false;
            if (strpbrk(h[i], "\r\n")) {
                JS_ReportErrorASCII(cx, "setRequestHeader: a header with a line break");
                return false;
            }
        }
        req.headers = h;
        req.n_headers = (int)n;
    }
    if (shim_page_should_stop(pg))
        return false; /* uncatchable: the page is over */
    char *abs = NULL;
    url_err ue = url_resolve(pg->a, dom_base_url(pg->d), ref, &abs);
    if (ue != URL_OK) {
        const char *w = url_err_str(ue);
        return bindings_string(cx, args.rval(), w, strlen(w));
    }
    req.url = abs;
    if (++pg->fetches > FETCH_MAX_PER_PAGE) {
        static const char lim[] = "limit: too many fetches for one page";
        return bindings_string(cx, args.rval(), lim, sizeof(lim) - 1);
    }
    js_response resp;
    memset(&resp, 0, sizeof(resp));
    int rc = -1;
    if (pg->host && pg->host->request)
        rc = pg->host->request(pg->host->ud, &req, &resp);
    else if (pg->host && pg->host->fetch && strcmp(req.method, "GET") == 0)
        rc = pg->host->fetch(pg->host->ud, abs, &resp);
    else
        resp.error = "method: this host fetches with GET only";
    if (rc != 0) {
        const char *e = resp.error ? resp.error : "network: no response";
        return bindings_string(cx, args.rval(), e, strlen(e));
    }
    if (shim_page_should_stop(pg))
        return false;
    JS::RootedObject arr(cx, JS::NewArrayObject(cx, 4));
    if (!arr)
        return false;
    JS::RootedValue v(cx, JS::NumberValue((double)resp.status));
    const char *fu = resp.final_url ? resp.final_url : abs;
    const char *ct = resp.content_type ? resp.content_type : "";
    if (!JS_SetElement(cx, arr, 0, v) ||
        !bindings_string(cx, &v, resp.body ? resp.body : "", resp.body ? resp.len : 0) ||
        !JS_SetElement(cx, arr, 1, v) || !bindings_string(cx, &v, fu, strlen(fu)) ||
        !JS_SetElement(cx, arr, 2, v) || !bindings_string(cx, &v, ct, strlen(ct)) ||
        !JS_SetElement(cx, arr, 3, v))
        return false;
    args.rval().setObject(*arr);
    return true;
}

/* cookie() -> document.cookie from the job's jar, or null when the host
 * has none (the prelude keeps the realm's own) */
NATIVE(n_cookie)
{
    PROLOGUE
    if (!pg->host || !pg->host->cookie_get) {
        args.rval().setNull();
        return true;
    }
    const char *c = pg->host->cookie_get(pg->host->ud);
    if (!c) {
        JS_ReportOutOfMemory(cx);
        return false;
    }
    return bindings_string(cx, args.rval(), c, strlen(c));
}

/* setCookie(s) -> true when the job's jar took the assignment (it may
 * still refuse the cookie, as a browser does), false when the host has no
 * jar */
NATIVE(n_set_cookie)
{
    PROLOGUE
    if (!pg->host || !pg->host->cookie_set) {
        args.rval().setBoolean(false);
        return true;
    }
    /* not in the page arena: a script may assign in a loop */
    JS::RootedString str(cx, JS::ToString(cx, args.get(0)));
    if (!str)
        return false;
    JS::UniqueChars s = JS_EncodeStringToUTF8(cx, str);
    if (!s)
        return false;
    pg->host->cookie_set(pg->host->ud, s.get());
    args.rval().setBoolean(true);
    return true;
}

static const JSFunctionSpec doc_natives[] = {
    JS_FN("newDoc", n_new_doc, 1, 0),       JS_FN("index", n_index, 1, 0),
    JS_FN("request", n_request, 4, 0),      JS_FN("cookie", n_cookie, 0, 0),
    JS_FN("setCookie", n_set_cookie, 1, 0), JS_FS_END};

bool bindings_doc_define(JSContext *cx, JS::HandleObject natives)
{
    return JS_DefineFunctions(cx, natives, doc_natives);
}
