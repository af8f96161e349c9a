#ifndef CUSTODY_CSQLITE_SHIM_H
#define CUSTODY_CSQLITE_SHIM_H
#include <sqlite3.h>

/// Turns on SQLITE_DBCONFIG_DEFENSIVE: no writable_schema, no journal_mode=OFF, no writes to sqlite_dbpage.
/// `sqlite3_db_config` is variadic, which Swift cannot call, hence this wrapper.
static inline int custody_sqlite_set_defensive(sqlite3 *db) {
    int enabled = 0;
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &enabled);
    return rc == SQLITE_OK && enabled == 1 ? SQLITE_OK : SQLITE_ERROR;
}
#endif
