/* SQLite for Swift (the sync state store): the system header plus the one macro that does not
 * import (SQLITE_TRANSIENT is a cast of -1 to a function pointer). Nothing else belongs here. */
#ifndef YESPO_CSQLITE_SHIM_H
#define YESPO_CSQLITE_SHIM_H
#include <sqlite3.h>

static inline int yespo_sqlite3_bind_blob_copy(sqlite3_stmt *s, int i, const void *p, int n) {
    return sqlite3_bind_blob(s, i, p, n, SQLITE_TRANSIENT);
}
static inline int yespo_sqlite3_bind_text_copy(sqlite3_stmt *s, int i, const char *p, int n) {
    return sqlite3_bind_text(s, i, p, n, SQLITE_TRANSIENT);
}
#endif
