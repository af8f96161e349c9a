#ifndef CUSTODY_CLIBXML2_SHIM_H
#define CUSTODY_CLIBXML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>

/// `xmlFree` is a global function-pointer variable, which Swift 6 refuses as shared mutable state.
static inline void custody_xml_free(void *pointer) { xmlFree(pointer); }
#endif
