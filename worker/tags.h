/* tags — what the worker's HTML code knows about each HTML element, in one
 * table indexed by GumboTag: the tokenizer (scan.c), the tree walk (html.c)
 * and the serialiser (dom_serialize.c) all read it. A lookup is one array load. */
#ifndef CRAWLD_TAGS_H
#define CRAWLD_TAGS_H

#include <gumbo.h>

enum {
    TAGS_VOID = 1 << 0,         /* no content and no end tag (HTML5 void elements) */
    TAGS_RCDATA = 1 << 1,       /* content is text with character references (title, textarea) */
    TAGS_RAW_TEXT = 1 << 2,     /* content is text as it stands: RAWTEXT, script data,
                                   PLAINTEXT; serialised without escaping */
    TAGS_BLOCK = 1 << 3,        /* its boundaries separate words in the visible text */
    TAGS_HIDES_TEXT = 1 << 4,   /* its text is not shown */
    TAGS_HEAD_CONTENT = 1 << 5, /* may stand in <head> without ending it (HTML5 "in head") */
};

extern const unsigned char tags_flag_table[GUMBO_TAG_LAST + 1];

/* The TAGS_* flags of an HTML-namespace element; 0 for GUMBO_TAG_UNKNOWN and
 * anything out of range. */
static inline unsigned tags_flags(int tag)
{
    return tag >= 0 && tag <= GUMBO_TAG_LAST ? tags_flag_table[tag] : 0;
}

#endif
