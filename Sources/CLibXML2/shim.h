#ifndef CUSTODY_CLIBXML2_SHIM_H
#define CUSTODY_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, so its encoding.h would include <unicode/ucnv.h>; Swift's Foundation
// brings its own ICU module, and the two definitions of ICU's enums clash in any module that imports both.
// Custody never touches the ICU converter fields (xmlCharEncodingHandler is only used through pointers
// libxml2 owns), so the ICU headers are left out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>

/// `xmlFree` is a global function-pointer variable, which Swift 6 refuses as shared mutable state.
static inline void custody_xml_free(void *pointer) { xmlFree(pointer); }
#endif
