/* jansson for Swift: the library header plus typed wrappers for the macros and variadic calls
 * that do not import. Nothing else belongs here. */
#ifndef YESPO_CJANSSON_SHIM_H
#define YESPO_CJANSSON_SHIM_H
#include <jansson.h>

static inline void yespo_json_decref(json_t *j) { json_decref(j); }
static inline int yespo_json_typeof(const json_t *j) { return j ? (int)json_typeof(j) : -1; }
#endif
