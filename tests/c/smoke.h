/* What the two halves of the C smoke test share: the emulator and the report checks. */
#ifndef YESPO_SMOKE_H
#define YESPO_SMOKE_H

#include "testutil.h"
#include "yespo.h"

/* the distinct valid contacts of the NDJSON job: NDJSON_VALID lines plus a last line without "\n" */
#define NDJSON_VALID 1200
#define NDJSON_ACCEPTED (NDJSON_VALID + 1)
#define NDJSON_ROWS (NDJSON_VALID + 4)

extern emulator emu;

json_t *report_summary(yespo_report *report);
/* Counts must add up, whatever the input; "fatal" is null (fatal_code 0) or has that code. */
void check_complete(const json_t *summary, long long rows, int fatal_code);

/* smoke_calls.c: every single call, checked against the emulator's state */
void single_calls(yespo_client *client, const char *session);
/* smoke_calls.c: a refused key — codes, statuses, logs and reports without the key */
void wrong_key(void);
/* smoke_sync.c: incremental sync, SQLite and PostgreSQL states */
void sync_calls(yespo_client *client);
/* smoke_orders.c: "kind":"orders" — a CSV of item lines, a bad order, a refused contact option */
void orders_job(yespo_client *client);

#endif
