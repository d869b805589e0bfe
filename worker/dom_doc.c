/* dom_doc — documents besides the page's own (see dom.h: dom_create_document). */
#include "dom.h"
#include "dom_internal.h"

GumboNode *dom_create_document(dom *d, const char *title, dom_err *err)
{
    GumboNode *doc = arena_alloc_zeroed(d->a, sizeof *doc);
    if (!doc) {
        *err = DOM_NOMEM;
        return NULL;
    }
    doc->type = GUMBO_NODE_DOCUMENT;
    doc->v.document.name = "html";
    doc->v.document.public_identifier = "";
    doc->v.document.system_identifier = "";
    doc->v.document.has_doctype = true;
    GumboNode *html = dom_create_element(d, "html", err);
    GumboNode *head = html ? dom_create_element(d, "head", err) : NULL;
    GumboNode *body = head ? dom_create_element(d, "body", err) : NULL;
    if (!body)
        return NULL;
    if ((*err = dom_append_child(d, doc, html)) != DOM_OK ||
        (*err = dom_append_child(d, html, head)) != DOM_OK)
        return NULL;
    if (title) {
        GumboNode *t = dom_create_element(d, "title", err);
        if (!t)
            return NULL;
        if ((*err = dom_append_child(d, head, t)) != DOM_OK ||
            (*err = dom_set_text_content(d, t, title, strlen(title))) != DOM_OK)
            return NULL;
    }
    if ((*err = dom_append_child(d, html, body)) != DOM_OK)
        return NULL;
    *err = DOM_OK;
    return doc;
}
