/*
 * yespo.h — the C ABI of libyespo, a fast, safe client for the Yespo (eSputnik) contacts API.
 *
 * This header is the contract for every language binding (Python, Go, C, C++).
 * Rules that hold for every function below:
 *   - Every function returning int returns YESPO_OK (0) or a negative YESPO_E_* code.
 *   - `yespo_error **err` may be NULL. When it is not NULL and the call fails, *err receives a new
 *     error object (free it with yespo_error_free); on success *err is set to NULL.
 *   - The library copies every input before returning; the caller keeps ownership of its buffers.
 *   - Every `char **out` receives a NUL-terminated UTF-8 buffer owned by the caller: free it with
 *     yespo_free. On failure *out is set to NULL.
 *   - Handles are opaque. Passing NULL, or a handle already freed (detected where possible), returns
 *     YESPO_E_INVALID_ARGUMENT / YESPO_E_BAD_HANDLE instead of crashing. The *_free functions accept NULL.
 *   - No thread-local "last error": detailed messages travel in the error object only.
 *   - Thread safety is stated per object. Progress callbacks run on the job's own callback thread
 *     (never on the client's engine thread, so a slow callback delays only its job); log callbacks
 *     on whichever library thread logs. They must not call yespo_job_finish / *_free on the job
 *     that invoked them, and may call yespo_job_cancel.
 *   - The API key never appears in any message, report, log line or callback produced by the library.
 */
#ifndef YESPO_H
#define YESPO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

#define YESPO_VERSION_MAJOR 0
#define YESPO_VERSION_MINOR 1
#define YESPO_VERSION_PATCH 0
/* Bumped whenever a function signature or the meaning of an enum value changes.
 * Bindings compare it with yespo_abi_version() when they load the library. */
#define YESPO_ABI_VERSION 1

/* "0.1.0" — static storage, never free it. Thread-safe. */
const char *yespo_version(void);
/* The YESPO_ABI_VERSION the library was built with. Thread-safe. */
int yespo_abi_version(void);

/* ---------------------------------------------------------------- errors */

#define YESPO_OK                   0
#define YESPO_E_INVALID_ARGUMENT  -1  /* NULL pointer, zero length where data is required, bad option value */
#define YESPO_E_INVALID_INPUT     -2  /* malformed JSON/CSV/UTF-8 in data the caller handed over */
#define YESPO_E_NOMEM             -3
#define YESPO_E_IO                -4  /* a file could not be opened or read */
#define YESPO_E_AUTH              -5  /* 401/403 from the server: the API key was refused */
#define YESPO_E_RATE_LIMITED      -6  /* 429 and retries exhausted */
#define YESPO_E_HTTP              -7  /* another 4xx/5xx answer; see yespo_error_http_status */
#define YESPO_E_NOT_FOUND         -8  /* 404 */
#define YESPO_E_TRANSPORT         -9  /* connection refused/reset, DNS, TLS failure */
#define YESPO_E_TIMEOUT          -10  /* a request or a wait ran past its time limit */
#define YESPO_E_PROTOCOL         -11  /* the server answered something that cannot be understood */
#define YESPO_E_CANCELLED        -12  /* the job was cancelled */
#define YESPO_E_STATE            -13  /* the call is not allowed now (e.g. feed after finish) */
#define YESPO_E_BAD_HANDLE       -14  /* a handle that was already freed or never came from this library */
#define YESPO_E_INTERNAL         -15  /* a bug in libyespo: please report it */

typedef struct yespo_error yespo_error;

/* Static English text for a status code ("invalid argument", ...); never NULL, never free it. */
const char *yespo_strerror(int code);
/* The YESPO_E_* code of an error object (YESPO_E_INVALID_ARGUMENT for NULL). */
int yespo_error_code(const yespo_error *err);
/* The HTTP status that caused the error, or 0 when no HTTP answer was involved. */
int yespo_error_http_status(const yespo_error *err);
/* A detailed message saying what was wrong and where; valid until yespo_error_free. "" for NULL. */
const char *yespo_error_message(const yespo_error *err);
void yespo_error_free(yespo_error *err);

/* Frees any buffer this library returned through a `char **out`. NULL is fine. */
void yespo_free(void *ptr);

/* ---------------------------------------------------------------- client */

/* A client owns one pool of connections and one engine thread. It is safe to use from many
 * threads at once; jobs and calls from different threads share its pool, rate budget and stats. */
typedef struct yespo_client yespo_client;

typedef enum yespo_option {
    /* integer options (yespo_client_set_option) */
    YESPO_OPT_CONCURRENCY = 1,        /* parallel bulk requests in flight, 1..256, default 8 */
    YESPO_OPT_RATE_LIMIT = 2,         /* request budget per second for this client, 0 = none; default 100 */
    YESPO_OPT_CONNECT_TIMEOUT_MS = 3, /* default 10000 */
    YESPO_OPT_TIMEOUT_MS = 4,         /* one request, end to end; default 120000 */
    YESPO_OPT_STALL_TIMEOUT_MS = 5,   /* abort a transfer that moves no byte for this long; default 30000 */
    YESPO_OPT_MAX_RETRIES = 6,        /* retries of one request after the first try, 0..100, default 8 */
    YESPO_OPT_RETRY_BASE_MS = 7,      /* first backoff step, default 250 */
    YESPO_OPT_RETRY_MAX_MS = 8,       /* backoff cap, default 30000 */
    YESPO_OPT_CHUNK_SIZE = 9,         /* contacts per bulk request, 1..3000, default 3000 */
    YESPO_OPT_CHUNK_BYTES = 10,       /* byte cap of one bulk body, >= 64 KiB, default 8 MiB */
    YESPO_OPT_ALLOW_INSECURE_HTTP = 11, /* 1 = allow http:// to non-loopback hosts; default 0 */
    YESPO_OPT_VERIFY_TLS = 12,        /* 0 = do not verify certificates (dangerous); default 1 */
    YESPO_OPT_MAX_QUEUED_CHUNKS = 13, /* chunks buffered ahead of the senders before feed blocks; default concurrency */
    YESPO_OPT_IMPORT_POLL_MS = 14,    /* /importstatus polling interval when waiting; default 2000 */
    YESPO_OPT_IMPORT_TIMEOUT_MS = 15, /* give up waiting for an import after this; default 1200000 */
    YESPO_OPT_ADAPTIVE_CONCURRENCY = 16, /* 1 = cut concurrency on 429 and grow it back; default 1 */
    /* shared request budget (docs/beyond-one-machine.md): every process on one budget together
     * starts at most YESPO_OPT_RATE_LIMIT bulk requests per second, counted in Redis. Set the other
     * three before YESPO_OPT_SHARED_BUDGET: setting the URL connects, and fails with
     * YESPO_E_TRANSPORT (message naming the URL without its password) when Redis cannot be reached,
     * unless the fallback is 1. Redis lost later: the client goes on at rate / processes, says so
     * in the log and in the report's "sharedBudget", and rejoins when Redis is back. */
    YESPO_OPT_SHARED_BUDGET_PROCESSES = 40, /* integer: processes expected on the budget, for the fallback rate; default 4 */
    YESPO_OPT_SHARED_BUDGET_FALLBACK = 41,  /* integer 0..1: Redis unreachable at start: 0 = error, 1 = start on the local fallback; default 0 */
    YESPO_OPT_SHARED_BUDGET = 120,          /* string: "redis://[[user]:password@]host[:port][/db]"; NULL or "" = none (default) */
    YESPO_OPT_SHARED_BUDGET_NAME = 121,     /* string: the budget's name (its Redis key); NULL = derived from a hash of the API key */
    /* string options (yespo_client_set_option_str) */
    YESPO_OPT_BASE_URL = 100,         /* default "https://api.yespo.io/api/v1" */
    YESPO_OPT_USER_AGENT = 101,       /* default "yespo/<version>" */
    YESPO_OPT_CA_FILE = 102,          /* PEM bundle to verify the server with; unset: $CURL_CA_BUNDLE,
                                         else $SSL_CERT_FILE / $SSL_CERT_DIR, else the system store */
    YESPO_OPT_BASE_URL_V2 = 103       /* the v2 API's base URL (yespo_event_send); NULL or "" = derived:
                                         the base URL with its final /v1 made /v2 */
} yespo_option;

/* Creates a client. api_key must be a non-empty NUL-terminated string; it is copied and never
 * printed. *out receives the client (free with yespo_client_free). */
int yespo_client_new(const char *api_key, yespo_client **out, yespo_error **err);
/* Sets an integer option. Takes effect for requests and jobs started afterwards. Thread-safe. */
int yespo_client_set_option(yespo_client *client, yespo_option option, int64_t value, yespo_error **err);
/* Sets a string option (value copied). Thread-safe. */
int yespo_client_set_option_str(yespo_client *client, yespo_option option, const char *value, yespo_error **err);
/* The accepted range of an integer option (booleans: 0..1), so that bindings ask instead of copying
 * (zstd's getBounds). YESPO_E_INVALID_ARGUMENT for an unknown or a string option. Thread-safe. */
int yespo_option_bounds(yespo_option option, int64_t *min, int64_t *max, yespo_error **err);
/* Every client and bulk option as JSON, the library's one option table:
 * {"client":[{"id":N,"name":"YESPO_OPT_...","key":str,"type":"integer"|"boolean"|"string","min":N|null,
 *             "max":N|null,"default":str,"python":str,"pythonUnit":"s"|null,"go":str,"cli":str|null,"doc":str}],
 *  "upsert":[{"key":str,"type":str,"values":[str],"default":str,"python":str,"go":str,"cli":str|null,"doc":str}]}
 * Free with yespo_free. Thread-safe. */
int yespo_options_json(char **out_json, yespo_error **err);

#define YESPO_LOG_ERROR 1
#define YESPO_LOG_WARN  2
#define YESPO_LOG_INFO  3
#define YESPO_LOG_DEBUG 4
/* Log lines come from the library's threads: the engine thread, a job's callback thread, or the
 * calling thread for single calls; several may log at once. message is valid only during the
 * call. The API key (also in its Basic-auth form) is masked in every line. */
typedef void (*yespo_log_fn)(int level, const char *message, void *userdata);
/* Installs (or with fn = NULL removes) the log callback; lines above max_level are not produced. */
int yespo_client_set_log_callback(yespo_client *client, yespo_log_fn fn, int max_level, void *userdata, yespo_error **err);

/* Cumulative transport statistics of this client as JSON:
 * {"requests":N,"retries":N,"throttled":N,"bytesSent":N,"bytesReceived":N,"connectionsOpened":N}. */
int yespo_client_stats(yespo_client *client, char **out_json, yespo_error **err);

/* Cancels every job of the client, stops the engine thread, closes connections, frees the client.
 * Jobs obtained from it must still be freed (before or after); their calls then return
 * YESPO_E_STATE. Reports stay readable until yespo_report_free. NULL is fine. Must not be called
 * from a callback. */
void yespo_client_free(yespo_client *client);

/* ---------------------------------------------------------------- bulk upsert job */

/* A job streams contacts into POST /contacts in parallel chunks — or, with "kind", orders into
 * POST /orders (chunks of at most 1000) or events into POST /api/v2/event (one a request). A row
 * is one contact, one order or one event object (NDJSON line, JSON array element); in a CSV file
 * of orders, consecutive lines with one externalOrderId (one line per item, order columns
 * repeated, item columns "item.name" …) are one order and one row. Feed it from one thread at a time
 * (feeds are serialised internally; row numbers follow the order of the calls); yespo_job_cancel
 * and yespo_job_progress may be called from any thread at any time. */
typedef struct yespo_job yespo_job;

/* Starts a job. options_json (may be NULL or "{}"):
 *   "kind": "contacts"|"orders"|"events" (what the rows are; default "contacts"). Orders and
 *           events take only "validate" and "dryRun" besides: the contact options below (and
 *           "wait", "ackOn") with another kind are YESPO_E_INVALID_ARGUMENT naming option and kind.
 * the bulk options of POST /contacts —
 *   "dedupeOn": "email"|"sms"|"email_or_sms"|"id"|"fieldId"|"externalCustomerId"|"push"|"webpush" (default "email"),
 *   "fieldId": int (required with dedupeOn "fieldId"), "contactFields": [str], "customFieldsIDs": [int],
 *   "groupNames": [str], "groupNamesExclude": [str], "restoreDeleted": bool,
 *   "eventKeyForNewContacts": str,
 * and the job's own settings —
 *   "wait": bool (poll /importstatus to the end and attach contactIds; default false),
 *   "ackOn": "accepted"|"finished" (when an earlier row of a contact counts as written, so that a
 *            later row of it may be sent: its request's answer, or its import FINISHED, which
 *            implies "wait"; default "accepted"). Whatever the retries and the concurrency, the
 *            final state is what importing the accepted rows one by one in input order gives.
 *   "validate": bool (client-side validation; default true),
 *   "dryRun": bool (validate and plan chunks, send nothing; rows that would be sent are reported
 *             "accepted" with a null asyncSessionId, and the report says "dryRun": true).
 * Unknown keys are an error (YESPO_E_INVALID_ARGUMENT naming the key). */
int yespo_upsert_begin(yespo_client *client, const char *options_json, yespo_job **out, yespo_error **err);

/* Progress: JSON text, e.g.
 * {"rowsRead":N,"rowsSent":N,"accepted":N,"rejected":N,"invalid":N,"duplicates":N,"notSent":N,
 *  "chunksSent":N,"chunksDone":N,"inFlight":N,"concurrency":N,"requests":N,"retries":N,"throttled":N,
 *  "bytesSent":N,"elapsedMs":N,"done":bool}
 * The callback is called from the job's callback thread (never the engine thread) at most every interval_ms (>= 10) and once at the
 * end; progress_json is valid only during the call. */
typedef void (*yespo_progress_fn)(const char *progress_json, void *userdata);
/* Installs the progress callback; call before the first feed. */
int yespo_job_set_progress_callback(yespo_job *job, yespo_progress_fn fn, int interval_ms, void *userdata, yespo_error **err);
/* The same progress JSON, pulled. Thread-safe. */
int yespo_job_progress(yespo_job *job, char **out_json, yespo_error **err);

/* Feeds contacts as NDJSON: one contact object per line (blank lines skipped, "\r\n" accepted).
 * A buffer holds whole lines; a final line without '\n' is a whole line too. Each line is one input
 * row (numbered from 1 across all feeds of the job). A line that is not a valid contact becomes an
 * "invalid" row outcome with its reason — it does not fail the call. Blocks while the job's queue
 * is full (backpressure). Returns YESPO_E_CANCELLED once the job is cancelled or stopped by a fatal
 * error, YESPO_E_INVALID_INPUT only if the buffer is not UTF-8 at all (rows still reported). */
int yespo_job_feed_ndjson(yespo_job *job, const char *data, size_t len, yespo_error **err);
/* Feeds one complete JSON array of contact objects; each element is one row. A buffer that is not
 * a JSON array fails with YESPO_E_INVALID_INPUT (position in the message) and adds no row. */
int yespo_job_feed_json_array(yespo_job *job, const char *data, size_t len, yespo_error **err);
/* Streams a file (path "-" = standard input) with bounded memory. options_json (may be NULL):
 *   "format": "csv"|"ndjson"|"json" (default: from the extension, else sniffed),
 *   "columns": {"CSV header": "field"} extra column mapping for CSV (field: firstName, lastName,
 *              email, sms, address, region, town, postcode, languageCode, timeZone,
 *              externalCustomerId, id, or a custom field id as "12345"),
 *   "delimiter": ";" (CSV only; default: sniffed from the header line among , ; tab |),
 *   "encoding": "windows-1251"|"windows-1252"|"latin-1"|"utf-16"|"utf-8" (default UTF-8; converted
 *              while streaming; a UTF-8 or UTF-16 byte order mark always wins).
 * CSV uses Yespo's import column names ("First name", "Last name", "Email", "Sms", "Address",
 * "Region", "City", "Postcode", "Language code", "Timezone", "Contact id", "External customer id"),
 * matched ignoring case and punctuation, common aliases ("E-mail address", "Phone", "Mobile",
 * "Surname", "ZIP", "Postal code", ...) and numeric or "KEY.FIELD" custom-field columns. Each data
 * line is one row. The report's JSON lists how each file was read under "files". */
int yespo_job_feed_file(yespo_job *job, const char *path, const char *options_json, yespo_error **err);

/* Asks the job to stop: nothing more is sent; requests in flight finish or are abandoned; rows
 * not sent get the outcome "notSent". Safe from any thread and from callbacks. */
int yespo_job_cancel(yespo_job *job);

/* Ends the input, waits until every row has its outcome (and, with "wait", until the imports
 * finished), and returns the report. Call once. A job stopped by 401/403 or cancellation still
 * returns YESPO_OK and a report whose "fatal" says why; the return value is an error only when no
 * report could be made. */
typedef struct yespo_report yespo_report;
int yespo_job_finish(yespo_job *job, yespo_report **out, yespo_error **err);
/* Cancels the job if it is running and frees it. NULL is fine. */
void yespo_job_free(yespo_job *job);

/* ---------------------------------------------------------------- report */

/* A finished job's outcome; immutable, safe to read from many threads. */

/* Summary JSON:
 * {"rows":N,"accepted":N,"rejected":N,"invalid":N,"duplicates":N,"notSent":N,
 *  "complete": bool (accepted+rejected+invalid+duplicates+notSent == rows),
 *  "acceptedByDuplicatedRequest":N (accepted rows whose request met "Duplicated request"),
 *  "heldForOrder":N (rows sent after an earlier row of the same contact was acknowledged),
 *  "unmappedFailureCount":N, "unmappedFailures":[{"chunk":N,"reason":str}] (failedContacts entries
 *     that name no single row; never pinned on a guess; at most 100 listed),
 *  "fatal": null | {"code":int,"status":int,"message":str},
 *  "cancelled": bool, "dryRun": bool,
 *  "chunks":[{"index":N,"rows":N,"firstRow":N,"lastRow":N,"status":"accepted"|"rejected"|"notSent",
 *             "asyncSessionId":str|null,"attempts":N,"importStatus":str|null}],
 *  "requests":N,"retries":N,"throttled":N,"bytesSent":N,"elapsedMs":N,
 *  "sharedBudget": null (none set) | {"name":str,"redis":"redis://host:port/db","rate":N,"localRate":N,
 *     "expectedProcesses":N,"mode":"shared"|"local" (at the end),"fallbacks":N (Redis losses during the job),
 *     "fallbackSince":ISO time|null (the first),"rejoined":ISO time|null (the last return),"fallbackMs":N,
 *     "reason":str|null,"leases":N,"slotsUsed":N,"slotsExpired":N}} */
int yespo_report_json(const yespo_report *report, char **out_json, yespo_error **err);

#define YESPO_ROWS_ACCEPTED   1
#define YESPO_ROWS_REJECTED   2
#define YESPO_ROWS_INVALID    4
#define YESPO_ROWS_DUPLICATE  8
#define YESPO_ROWS_NOT_SENT  16
#define YESPO_ROWS_FAILED    (YESPO_ROWS_REJECTED | YESPO_ROWS_INVALID | YESPO_ROWS_DUPLICATE | YESPO_ROWS_NOT_SENT)
#define YESPO_ROWS_ALL       (YESPO_ROWS_ACCEPTED | YESPO_ROWS_FAILED)
/* Per-row outcomes of the kinds in `kinds`, NDJSON ordered by row, one line each:
 * {"row":N,"outcome":"accepted"|"rejected"|"invalid"|"duplicate"|"notSent","reason":str|null,
 *  "asyncSessionId":str|null,"contactId":int|null,"acceptedBy":null|"duplicatedRequest",
 *  "contact":{...}|null,"raw":str|null}
 * ("contact"/"raw": the row as given, for rows that failed). *out_len receives the byte length. */
int yespo_report_rows(const yespo_report *report, int kinds, char **out_ndjson, size_t *out_len, yespo_error **err);
void yespo_report_free(yespo_report *report);

/* ---------------------------------------------------------------- incremental sync */

/* A sync makes Yespo match a source (a CRM export) sending only what changed since the last
 * successful run against the same state: every run reads the whole source; rows whose normalised
 * contact hashes as the state remembers are skipped; new and changed rows go out as in a bulk upsert.
 * A row's new hash is stored only once Yespo accepted it (HTTP 200; with "wait", once its import
 * FINISHED), so a run that was interrupted, even killed, is simply run again. The state holds salted
 * key hashes, contact hashes and Yespo contact ids: no email, no API key. docs/sync.md.
 * Feed from one thread at a time; yespo_sync_cancel from any thread. */
typedef struct yespo_sync yespo_sync;

/* Starts a sync. state: a file path (SQLite, created when missing) or a "postgres://..." URL
 * (PostgreSQL through libpq, loaded at run time: libpq5 must be installed for that form only).
 * options_json (may be NULL): every key of yespo_upsert_begin (a "dryRun" sync reads the state and
 * counts, sends and stores nothing), plus
 *   "full": bool (send every row and rewrite the state; default false),
 *   "missing": "delete"|"detach:SEGMENT"|"unsubscribe"|null (contacts gone from the source; default
 *              null = counted, never touched; implies "wait", which collects Yespo contact ids),
 *   "maxDeletes": "N" | "P%" | N (refuse to act on more missing contacts than this; default "5%"),
 *   "allowInvalid": bool (act on missing contacts even when some source rows are invalid).
 * YESPO_E_STATE when another sync holds the state; YESPO_E_INVALID_ARGUMENT when the state was
 * built with another dedupeOn. */
int yespo_sync_begin(yespo_client *client, const char *state, const char *options_json, yespo_sync **out, yespo_error **err);
/* Streams a source file, like yespo_job_feed_file (same options_json). */
int yespo_sync_feed_file(yespo_sync *sync, const char *path, const char *options_json, yespo_error **err);
/* Feeds NDJSON contacts, like yespo_job_feed_ndjson; rows are numbered across all feeds. */
int yespo_sync_feed_ndjson(yespo_sync *sync, const char *data, size_t len, yespo_error **err);
/* Stops the sync: nothing more is sent and nothing is removed. Safe from any thread. */
int yespo_sync_cancel(yespo_sync *sync);
/* Ends the input, waits for every sent row's outcome, handles missing contacts, records the run in
 * the state and returns the report (free with yespo_free). Call once. Report JSON:
 * {"state":str,"store":"sqlite"|"postgres"|"none","dryRun":bool,"full":bool,"optionsChanged":bool,
 *  "rows":N,"invalid":N,"new":N,"changed":N,"unchanged":N,"repeated":N,"noContactId":N,"unkeyed":N,
 *  "forced":N,"sent":N,"accepted":N,"rejected":N,"notSent":N,"superseded":N,"committed":N,"unconfirmed":N,
 *  "missing": null | {"count":N,"withoutContactId":N,"action":str|null,"limit":N,"acted":N,"failed":N,
 *             "refused":str|null (the cap: nothing was done),"skipped":str|null,"failures":[str]},
 *  "stateEntries":N,"stateBytes":N,"failureCount":N,"failures":[{"row":N,"outcome":str,"reason":str}],
 *  "fatal":null|{"code","status","message"},"cancelled":bool,"clean":bool,"elapsedMs":N,
 *  "upsert": null | the yespo_report_json of the rows sent (its rows count sent rows only)}
 * Row numbers in "failures" are the source's (at most 1000 listed). */
int yespo_sync_finish(yespo_sync *sync, char **out_json, yespo_error **err);
/* Cancels the sync if it is running, releases the state and frees it. NULL is fine. */
void yespo_sync_free(yespo_sync *sync);
/* The state and its last runs, without starting one: {"state","store","keyScheme","createdMs",
 * "entries":N,"bytes":N,"bytesPerContact":x,"runs":[{"id","startedMs","finishedMs","status"
 * ("complete"|"failed"|"cancelled"|"refused"|"running"|"interrupted"),"summary":{report}|null}]}.
 * YESPO_E_NOT_FOUND when there is no state there. */
int yespo_sync_status(const char *state, char **out_json, yespo_error **err);

/* ---------------------------------------------------------------- single calls
 * Each call is synchronous, thread-safe, retried like bulk requests, and takes/returns JSON text in
 * the API's own shapes. Errors carry the HTTP status and the server's message. */

/* POST /contact/subscribe. request_json: {"contact":{...},"groups":[...],"formType":"..."}. out: {"id":N}. */
int yespo_subscribe(yespo_client *client, const char *request_json, char **out_json, yespo_error **err);
/* POST /contact (add or update one contact). out: {"id":N}. */
int yespo_contact_add(yespo_client *client, const char *contact_json, char **out_json, yespo_error **err);
/* PUT /contact/{id}. Never creates; YESPO_E_NOT_FOUND when there is no such contact. */
int yespo_contact_update(yespo_client *client, int64_t contact_id, const char *contact_json, yespo_error **err);
/* GET /contact/{id}. out: the contact object. */
int yespo_contact_get(yespo_client *client, int64_t contact_id, char **out_json, yespo_error **err);
/* DELETE /contact/{id}. */
int yespo_contact_delete(yespo_client *client, int64_t contact_id, yespo_error **err);
/* DELETE /contact?externalCustomerId=X&erase=0|1 (erase = GDPR erase, no restore possible). */
int yespo_contact_delete_external(yespo_client *client, const char *external_customer_id, int erase, yespo_error **err);
/* GET /contacts, one page. query_json: {"email","sms","firstname","lastname","externalCustomerId",
 * "startindex" (from 1, default 1),"maxrows" (1..500, default 500)}. out: {"totalCount":N,"contacts":[...]}. */
int yespo_contacts_search(yespo_client *client, const char *query_json, char **out_json, yespo_error **err);
/* GET /importstatus/{id}. out: {"status":str,"mapping":[{"dedupeValue":str,"contactId":N}],"description":str|null}
 * (mapping always an array). */
int yespo_import_status(yespo_client *client, const char *async_session_id, char **out_json, yespo_error **err);
/* Polls /importstatus until FINISHED or ERROR, or YESPO_E_TIMEOUT after timeout_ms (0 = client default). */
int yespo_import_wait(yespo_client *client, const char *async_session_id, int64_t timeout_ms, char **out_json, yespo_error **err);
/* POST /contacts/upload. request_json: {"link":...,"dedupeOn":...,"groupNames":[...],...}. out: {"asyncSessionId":...}. */
int yespo_contacts_upload(yespo_client *client, const char *request_json, char **out_json, yespo_error **err);
/* POST /group/{id}/contacts/attach. ids_json: {"contactIds":[N,...]} or {"externalCustomerIds":[str,...]};
 * any number of ids (sent in requests of at most 500). */
int yespo_segment_attach(yespo_client *client, int64_t group_id, const char *ids_json, yespo_error **err);
/* POST /group/{id}/contacts/detach, same ids_json; "{}" removes every contact from the segment. */
int yespo_segment_detach(yespo_client *client, int64_t group_id, const char *ids_json, yespo_error **err);
/* GET /groups?name=&startindex=&maxrows=. query_json may be NULL. out: [{"id":N,"name":str,"type":str}]. */
int yespo_segments_list(yespo_client *client, const char *query_json, char **out_json, yespo_error **err);
/* GET /group/{id}/contacts, one page. query_json: {"startindex","maxrows"}. out: {"totalCount":N,"contacts":[...]}. */
int yespo_segment_contacts(yespo_client *client, int64_t group_id, const char *query_json, char **out_json, yespo_error **err);
/* POST /emails/unsubscribed/add (unsubscribe = 1) or /emails/unsubscribed/delete (0). emails_json: ["a@b.c",...]. */
int yespo_emails_unsubscribed(yespo_client *client, const char *emails_json, int unsubscribe, yespo_error **err);

/* ---------------------------------------------------------------- events, orders, messages
 * Same rules as the single calls above. What is confirmed about these API methods and what is
 * not: docs/events-and-messages.md. */

/* POST {v2}/event, where {v2} is YESPO_OPT_BASE_URL_V2, else the base URL with its final /v1 made /v2
 * (https://api.yespo.io/api/v1 -> https://api.yespo.io/api/v2; another base URL without the option:
 * YESPO_E_INVALID_ARGUMENT). event_json: {"eventTypeKey":str,"keyValue"?:str,"params"?:[{"name":str,
 * "value":str|number|bool}]}. Checked before sending (YESPO_E_INVALID_ARGUMENT naming the problem):
 * eventTypeKey 1..100 characters, none of ‹ ; ’ \ / | " ' ^ ? ! , >; a key: keyValue, or a param named
 * contactId, externalCustomerId, email, phone or pushToken; no other top-level keys. */
int yespo_event_send(yespo_client *client, const char *event_json, yespo_error **err);
/* DELETE /orders?externalOrderId=X or ?from=&to= (asynchronous on the server). query_json:
 * {"externalOrderId":str} or {"from":str,"to":str} (ISO 8601 date-times, e.g. "2026-11-30T10:00:00",
 * sent unchanged); exactly one form, to after from, at most 24 hours apart, else YESPO_E_INVALID_ARGUMENT. */
int yespo_orders_delete(yespo_client *client, const char *query_json, yespo_error **err);
/* POST /message/email. request_json passes through; checked: "from", "subject" non-empty strings,
 * "htmlText" or "plainText", "emails" a non-empty array of addresses. Creates unknown contacts.
 * out: the answer (JSON as sent by the server; an empty answer "{}", a text answer {"message":str}). */
int yespo_message_email(yespo_client *client, const char *request_json, char **out_json, yespo_error **err);
/* POST /message/sms. request_json passes through; checked: "from", "text" non-empty strings,
 * "phoneNumbers" a non-empty array of 7..15-digit numbers. out: as yespo_message_email. */
int yespo_message_sms(yespo_client *client, const char *request_json, char **out_json, yespo_error **err);
/* POST /message/{message_id}/send: a prepared message. request_json passes through; checked:
 * "recipients" a non-empty array (emails/phones, or objects). out: as yespo_message_email. */
int yespo_message_send(yespo_client *client, int64_t message_id, const char *request_json, char **out_json, yespo_error **err);

#ifdef __cplusplus
}
#endif

#endif /* YESPO_H */
