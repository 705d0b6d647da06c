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

#endif
