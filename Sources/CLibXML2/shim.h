#ifndef KAIBAN_CLIBXML2_SHIM_H
#define KAIBAN_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
// Debian's libxml2 headers pull in ICU, which clashes with Foundation's private ICU.
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlsave.h>
#include <libxml/c14n.h>

/// `xmlFree` is a C global variable; Swift 6 refuses it as not concurrency-safe.
static inline void kaiban_xml_free(void *pointer) { xmlFree(pointer); }

/// Which nodes a canonical form shows: those inside `root` (the whole document when NULL) and
/// outside `excluded` (nothing excluded when NULL).
typedef struct {
    xmlNodePtr root;
    xmlNodePtr excluded;
} kaiban_c14n_scope;

/// libxml2's node-set visibility callback over a `kaiban_c14n_scope`. Attribute and namespace
/// nodes are judged by the element that carries them (`parent`); an xmlNs is not an xmlNode,
/// but both keep `type` at the same offset, which is all that is read from it here.
static inline int kaiban_c14n_visible(void *data, xmlNodePtr node, xmlNodePtr parent) {
    const kaiban_c14n_scope *scope = (const kaiban_c14n_scope *)data;
    xmlNodePtr current = node;
    if (node == NULL || node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE) {
        current = parent;
    }
    while (current != NULL && current->type != XML_DOCUMENT_NODE) {
        if (current == scope->excluded) return 0;
        if (current == scope->root) return 1;
        current = current->parent;
    }
    return scope->root == NULL ? 1 : 0;
}

/// The canonical form of `doc` restricted to `scope`, in a buffer the caller frees with
/// kaiban_xml_free; its length, or -1 when libxml2 failed (its errors go to the handler).
static inline int kaiban_c14n_dump(
    xmlDocPtr doc, xmlNodePtr root, xmlNodePtr excluded, int mode, int withComments, xmlChar **out) {
    *out = NULL;
    kaiban_c14n_scope scope = {root, excluded};
    xmlOutputBufferPtr buffer = xmlAllocOutputBuffer(NULL);
    if (buffer == NULL) return -1;
    int status = xmlC14NExecute(doc, kaiban_c14n_visible, &scope, mode, NULL, withComments, buffer);
    if (status < 0) {
        xmlOutputBufferClose(buffer);
        return -1;
    }
    int size = (int)xmlOutputBufferGetSize(buffer);
    const xmlChar *content = xmlOutputBufferGetContent(buffer);
    *out = xmlStrndup(content != NULL ? content : BAD_CAST "", size);
    xmlOutputBufferClose(buffer);
    return *out == NULL ? -1 : size;
}

#endif
