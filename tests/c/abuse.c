/* Every function given NULL, freed and foreign handles, zero and absurd lengths, invalid UTF-8,
 * malformed JSON and absurd option values: each must answer with the right code and a message,
 * never crash. Argument checks must happen before any network use: the client used here points
 * at a closed port, so a request that slipped through would show up as YESPO_E_TRANSPORT. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yespo.h"

static int checks;
static int verbose;

/* Checks rc is one of the wanted codes and that *err describes it. */
static void expect_error(int line, const char *call, int rc, int want1, int want2, yespo_error *err) {
    checks++;
    if (rc != want1 && rc != want2)
        test_fail(__FILE__, line, "%s -> %d (%s), wanted %d or %d; message: %s", call, rc, yespo_strerror(rc),
                  want1, want2, yespo_error_message(err));
    if (err == NULL) test_fail(__FILE__, line, "%s -> %d but no error object", call, rc);
    if (yespo_error_code(err) != rc) test_fail(__FILE__, line, "%s: error object code %d != %d", call, yespo_error_code(err), rc);
    if (strlen(yespo_error_message(err)) == 0) test_fail(__FILE__, line, "%s: empty message", call);
    if (verbose) printf("  %-90.90s %3d %s\n", call, rc, yespo_error_message(err));
    yespo_error_free(err);
}

#define EXPECT2(want1, want2, call) do { int rc_; err = NULL; rc_ = (call); \
    expect_error(__LINE__, #call, rc_, (want1), (want2), err); } while (0)
#define EXPECT(want, call) EXPECT2(want, want, call)
/* Functions without an error object: only the code. */
#define EXPECT_RC(want, call) do { int rc_ = (call); checks++; \
    if (rc_ != (want)) test_fail(__FILE__, __LINE__, "%s -> %d, wanted %d", #call, rc_, (want)); } while (0)

/* Feeds a string literal (its length without the NUL); must succeed. */
#define FEED_LITERAL(fn, job, literal) CHECK_OK(fn((job), (literal), sizeof(literal) - 1, &err), err)

#define INV YESPO_E_INVALID_ARGUMENT
#define BADIN YESPO_E_INVALID_INPUT
#define BAD YESPO_E_BAD_HANDLE

static const char bad_utf8[] = "{\"email\":\"\xff\xfe@x.com\"}";

static void ignore_log(int level, const char *message, void *userdata) {
    (void)level;
    (void)message;
    (void)userdata;
}

static yespo_client *offline_client(void) {
    yespo_client *c = NULL;
    yespo_error *err = NULL;
    CHECK_OK(yespo_client_new("super-secret-key-123", &c, &err), err);
    /* port 9 (discard) on loopback: nothing listens there in the test environment */
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_BASE_URL, "http://127.0.0.1:9/api/v1", &err), err);
    CHECK_OK(yespo_client_set_option(c, YESPO_OPT_MAX_RETRIES, 0, &err), err);
    CHECK_OK(yespo_client_set_option(c, YESPO_OPT_CONNECT_TIMEOUT_MS, 2000, &err), err);
    return c;
}

static void static_functions(void) {
    int codes[] = {0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, 1, -16, 12345, INT_MIN, INT_MAX};
    size_t i;
    int local = 0;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *text = yespo_strerror(codes[i]);
        CHECK(text != NULL && strlen(text) > 0);
    }
    CHECK(yespo_error_code(NULL) == INV);
    CHECK(yespo_error_http_status(NULL) == 0);
    CHECK(strcmp(yespo_error_message(NULL), "") == 0);
    yespo_error_free(NULL);
    /* a pointer that never came from the library */
    CHECK(yespo_error_code((yespo_error *)&local) == BAD);
    CHECK(strcmp(yespo_error_message((yespo_error *)&local), "") == 0);
    yespo_error_free((yespo_error *)&local);
    yespo_free(NULL);
    checks += 10;
}

static void client_functions(void) {
    yespo_client *c = (yespo_client *)1, *freed = NULL, *live;
    yespo_error *err = NULL, *stale;
    char *out = (char *)1;
    int local = 0;
    yespo_client *foreign = (yespo_client *)&local;

    EXPECT(INV, yespo_client_new(NULL, &c, &err));
    CHECK(c == NULL);
    EXPECT_RC(INV, yespo_client_new(NULL, &c, NULL));
    EXPECT(INV, yespo_client_new("", &c, &err));
    EXPECT(INV, yespo_client_new("key", NULL, &err));
    EXPECT2(INV, BADIN, yespo_client_new("\xff\xfekey", &c, &err));
    EXPECT(INV, yespo_client_new("key\nwith newline", &c, &err));

    /* a failed call leaves *err set; a later success must clear it */
    live = offline_client();
    EXPECT(INV, yespo_client_set_option(live, YESPO_OPT_CONCURRENCY, 0, &err));
    stale = NULL;
    CHECK(yespo_client_set_option(live, YESPO_OPT_CONCURRENCY, 0, &stale) == INV);
    CHECK(stale != NULL);
    yespo_error_free(stale);
    CHECK(yespo_client_set_option(live, YESPO_OPT_CONCURRENCY, 4, &stale) == YESPO_OK);
    CHECK(stale == NULL);

    EXPECT(INV, yespo_client_set_option(NULL, YESPO_OPT_CONCURRENCY, 4, &err));
    EXPECT(BAD, yespo_client_set_option(foreign, YESPO_OPT_CONCURRENCY, 4, &err));
    {
        struct { yespo_option opt; int64_t value; } absurd[] = {
            {YESPO_OPT_CONCURRENCY, 0}, {YESPO_OPT_CONCURRENCY, 257}, {YESPO_OPT_CONCURRENCY, -1},
            {YESPO_OPT_CONCURRENCY, INT64_MAX}, {YESPO_OPT_CONCURRENCY, INT64_MIN},
            {YESPO_OPT_RATE_LIMIT, -5}, {YESPO_OPT_CONNECT_TIMEOUT_MS, 0}, {YESPO_OPT_TIMEOUT_MS, -1},
            {YESPO_OPT_STALL_TIMEOUT_MS, 1}, {YESPO_OPT_MAX_RETRIES, 101}, {YESPO_OPT_RETRY_BASE_MS, -1},
            {YESPO_OPT_RETRY_MAX_MS, INT64_MAX}, {YESPO_OPT_CHUNK_SIZE, 0}, {YESPO_OPT_CHUNK_SIZE, 3001},
            {YESPO_OPT_CHUNK_BYTES, 1}, {YESPO_OPT_ALLOW_INSECURE_HTTP, 2}, {YESPO_OPT_VERIFY_TLS, -1},
            {YESPO_OPT_MAX_QUEUED_CHUNKS, 0}, {YESPO_OPT_IMPORT_POLL_MS, 0}, {YESPO_OPT_IMPORT_TIMEOUT_MS, -7},
            {YESPO_OPT_ADAPTIVE_CONCURRENCY, 42}, {YESPO_OPT_BASE_URL, 1}, {YESPO_OPT_CA_FILE, 1},
            {(yespo_option)0, 1}, {(yespo_option)17, 1}, {(yespo_option)-1, 1}, {(yespo_option)99999, 1},
        };
        size_t i;
        for (i = 0; i < sizeof absurd / sizeof absurd[0]; i++)
            EXPECT(INV, yespo_client_set_option(live, absurd[i].opt, absurd[i].value, &err));
    }
    EXPECT(INV, yespo_client_set_option_str(NULL, YESPO_OPT_BASE_URL, "http://127.0.0.1:1", &err));
    EXPECT(BAD, yespo_client_set_option_str(foreign, YESPO_OPT_BASE_URL, "http://127.0.0.1:1", &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_BASE_URL, NULL, &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_BASE_URL, "", &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_BASE_URL, "ftp://example.com", &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_BASE_URL, "http://example.com/api/v1", &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_BASE_URL, "https://user:pw@example.com", &err));
    EXPECT2(INV, BADIN, yespo_client_set_option_str(live, YESPO_OPT_BASE_URL, "https://\xff.example.com", &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_USER_AGENT, "agent\r\nX-Evil: 1", &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_CA_FILE, "", &err));
    EXPECT(INV, yespo_client_set_option_str(live, YESPO_OPT_CONCURRENCY, "8", &err));
    EXPECT(INV, yespo_client_set_option_str(live, (yespo_option)555, "x", &err));

    EXPECT(INV, yespo_client_set_log_callback(NULL, NULL, 1, NULL, &err));
    EXPECT(BAD, yespo_client_set_log_callback(foreign, NULL, 1, NULL, &err));
    EXPECT(INV, yespo_client_set_log_callback(live, ignore_log, 0, NULL, &err));
    EXPECT(INV, yespo_client_set_log_callback(live, ignore_log, 5, NULL, &err));
    EXPECT(INV, yespo_client_set_log_callback(live, ignore_log, -1, NULL, &err));
    CHECK(yespo_client_set_log_callback(live, ignore_log, YESPO_LOG_DEBUG, NULL, &err) == YESPO_OK);
    CHECK(yespo_client_set_log_callback(live, NULL, 0, NULL, &err) == YESPO_OK);

    EXPECT(INV, yespo_client_stats(NULL, &out, &err));
    CHECK(out == NULL);
    EXPECT(INV, yespo_client_stats(live, NULL, &err));

    yespo_client_free(NULL);
    yespo_client_free(foreign);
    CHECK_OK(yespo_client_new("k", &freed, &err), err);
    yespo_client_free(freed);
    yespo_client_free(freed); /* double free: ignored */
    EXPECT(BAD, yespo_client_set_option(freed, YESPO_OPT_CONCURRENCY, 4, &err));
    EXPECT(BAD, yespo_client_stats(freed, &out, &err));
    /* new objects do not make the freed handle valid again */
    {
        yespo_client *others[8];
        int i;
        for (i = 0; i < 8; i++) CHECK_OK(yespo_client_new("k", &others[i], &err), err);
        EXPECT(BAD, yespo_client_set_option(freed, YESPO_OPT_CONCURRENCY, 4, &err));
        for (i = 0; i < 8; i++) yespo_client_free(others[i]);
    }
    yespo_client_free(live);
}

static void job_functions(void) {
    yespo_client *c = offline_client();
    yespo_job *job = NULL, *freed = NULL, *dry = NULL;
    yespo_report *report = NULL, *scratch = (yespo_report *)1;
    yespo_error *err = NULL;
    char *out = NULL;
    size_t out_len = 7;
    int local = 0;
    yespo_job *foreign = (yespo_job *)&local;

    EXPECT(INV, yespo_upsert_begin(NULL, NULL, &job, &err));
    EXPECT(BAD, yespo_upsert_begin((yespo_client *)&local, NULL, &job, &err));
    EXPECT(INV, yespo_upsert_begin(c, NULL, NULL, &err));
    EXPECT2(INV, BADIN, yespo_upsert_begin(c, "{", &job, &err));
    EXPECT2(INV, BADIN, yespo_upsert_begin(c, "[]", &job, &err));
    EXPECT2(INV, BADIN, yespo_upsert_begin(c, "{\"dedupeOn\":\"email\"} trailing", &job, &err));
    EXPECT(INV, yespo_upsert_begin(c, "{\"bogusKey\":1}", &job, &err));
    CHECK(strstr(yespo_error_message(NULL), "") != NULL);
    EXPECT(INV, yespo_upsert_begin(c, "{\"dedupeOn\":\"nope\"}", &job, &err));
    EXPECT(INV, yespo_upsert_begin(c, "{\"dedupeOn\":\"fieldId\"}", &job, &err));
    EXPECT(INV, yespo_upsert_begin(c, "{\"wait\":\"yes\"}", &job, &err));
    EXPECT(INV, yespo_upsert_begin(c, "{\"groupNames\":[1,2]}", &job, &err));
    EXPECT2(INV, BADIN, yespo_upsert_begin(c, bad_utf8, &job, &err));
    CHECK(job == NULL);

    CHECK_OK(yespo_upsert_begin(c, "{\"dryRun\":true}", &job, &err), err);
    EXPECT(INV, yespo_job_set_progress_callback(NULL, NULL, 100, NULL, &err));
    EXPECT(BAD, yespo_job_set_progress_callback(foreign, NULL, 100, NULL, &err));
    EXPECT(BAD, yespo_job_set_progress_callback((yespo_job *)c, NULL, 100, NULL, &err)); /* a client is not a job */
    EXPECT(INV, yespo_job_set_progress_callback(job, NULL, 0, NULL, &err));
    EXPECT(INV, yespo_job_set_progress_callback(job, NULL, -100, NULL, &err));
    EXPECT(INV, yespo_job_progress(NULL, &out, &err));
    EXPECT(INV, yespo_job_progress(job, NULL, &err));

    EXPECT(INV, yespo_job_feed_ndjson(NULL, "{}", 2, &err));
    EXPECT(BAD, yespo_job_feed_ndjson(foreign, "{}", 2, &err));
    EXPECT(INV, yespo_job_feed_ndjson(job, NULL, 2, &err));
    EXPECT(INV, yespo_job_feed_ndjson(job, "{}", 0, &err));
    EXPECT(INV, yespo_job_feed_ndjson(job, "{}", (size_t)-1, &err));
    EXPECT(INV, yespo_job_feed_json_array(NULL, "[]", 2, &err));
    EXPECT(INV, yespo_job_feed_json_array(job, NULL, 2, &err));
    EXPECT(INV, yespo_job_feed_json_array(job, "[]", 0, &err));
    EXPECT(INV, yespo_job_feed_json_array(job, "[]", (size_t)-1, &err));
    EXPECT(BADIN, yespo_job_feed_json_array(job, "[{\"a\":", 6, &err));
    EXPECT(BADIN, yespo_job_feed_json_array(job, "\"str\"", 5, &err));
    EXPECT(BADIN, yespo_job_feed_json_array(job, "[1,2] [3]", 9, &err));
    EXPECT(INV, yespo_job_feed_file(NULL, "/etc/hostname", NULL, &err));
    EXPECT(INV, yespo_job_feed_file(job, NULL, NULL, &err));
    EXPECT(INV, yespo_job_feed_file(job, "", NULL, &err));
    EXPECT(INV, yespo_job_feed_file(job, "/tmp/\xff\xfe.csv", NULL, &err));
    EXPECT(YESPO_E_IO, yespo_job_feed_file(job, "/nonexistent/dir/x.csv", NULL, &err));
    EXPECT(YESPO_E_IO, yespo_job_feed_file(job, "/", "{\"format\":\"csv\"}", &err));
    EXPECT2(INV, BADIN, yespo_job_feed_file(job, "/etc/hostname", "{", &err));
    EXPECT(INV, yespo_job_feed_file(job, "/etc/hostname", "{\"format\":\"xml\"}", &err));
    EXPECT(INV, yespo_job_feed_file(job, "/etc/hostname", "{\"delimiter\":\"ab\"}", &err));
    EXPECT(INV, yespo_job_feed_file(job, "/etc/hostname", "{\"nope\":1}", &err));

    /* rows that are bad become "invalid" outcomes; the call itself succeeds (or reports bad UTF-8) */
    FEED_LITERAL(yespo_job_feed_ndjson, job, "{\"channels\":[{\"type\":\"email\",\"value\":\"ok@example.com\"}]}\nnot json\n{\"a\":");
    {
        static const char lines[] = "{\"channels\":[{\"type\":\"email\",\"value\":\"\xff@example.com\"}]}\n\xc3\x28\n";
        int rc = yespo_job_feed_ndjson(job, lines, sizeof lines - 1, &err);
        CHECK(rc == YESPO_OK || rc == BADIN);
        yespo_error_free(err);
    }
    FEED_LITERAL(yespo_job_feed_json_array, job, "[{\"channels\":[]}, 7, null, \"x\", {\"firstName\":\"no channel\"}]");
    CHECK_OK(yespo_job_progress(job, &out, &err), err);
    yespo_free(out);

    EXPECT_RC(INV, yespo_job_cancel(NULL));
    EXPECT_RC(BAD, yespo_job_cancel(foreign));
    EXPECT(INV, yespo_job_finish(NULL, &report, &err));
    EXPECT(INV, yespo_job_finish(job, NULL, &err));
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    EXPECT(YESPO_E_STATE, yespo_job_finish(job, &scratch, &err));
    CHECK(scratch == NULL);
    EXPECT2(YESPO_E_STATE, YESPO_E_CANCELLED, yespo_job_feed_ndjson(job, "{}", 2, &err));
    yespo_job_free(job);
    yespo_job_free(job); /* double free: ignored */
    yespo_job_free(NULL);
    yespo_job_free(foreign);
    EXPECT(BAD, yespo_job_feed_ndjson(job, "{}", 2, &err));
    EXPECT_RC(BAD, yespo_job_cancel(job));
    EXPECT(BAD, yespo_job_progress(job, &out, &err));
    EXPECT(BAD, yespo_job_finish(job, &scratch, &err));
    (void)freed;

    /* the report of that job: the dry run counted every row, none sent */
    CHECK_OK(yespo_report_json(report, &out, &err), err);
    {
        json_t *s = take_json(out, "report");
        long long rows = json_int(s, "rows");
        CHECK_MSG(rows == 10, "rows %lld", rows);
        CHECK(json_int(s, "invalid") == 9);
        CHECK(json_is_true(json_object_get(s, "complete")));
        CHECK(json_is_true(json_object_get(s, "dryRun")));
        json_decref(s);
    }
    EXPECT(INV, yespo_report_json(NULL, &out, &err));
    EXPECT(BAD, yespo_report_json((yespo_report *)&local, &out, &err));
    EXPECT(INV, yespo_report_json(report, NULL, &err));
    EXPECT(INV, yespo_report_rows(NULL, YESPO_ROWS_ALL, &out, &out_len, &err));
    EXPECT(INV, yespo_report_rows(report, 0, &out, &out_len, &err));
    EXPECT(INV, yespo_report_rows(report, 32, &out, &out_len, &err));
    EXPECT(INV, yespo_report_rows(report, -1, &out, &out_len, &err));
    EXPECT(INV, yespo_report_rows(report, YESPO_ROWS_ALL, NULL, &out_len, &err));
    EXPECT(INV, yespo_report_rows(report, YESPO_ROWS_ALL, &out, NULL, &err));
    CHECK_OK(yespo_report_rows(report, YESPO_ROWS_INVALID, &out, &out_len, &err), err);
    CHECK(out_len == strlen(out) && out_len > 0);
    yespo_free(out);
    yespo_report_free(report);
    yespo_report_free(report);
    yespo_report_free(NULL);
    EXPECT(BAD, yespo_report_json(report, &out, &err));

    /* freeing the client: its jobs answer YESPO_E_STATE, its reports stay readable */
    CHECK_OK(yespo_upsert_begin(c, "{\"dryRun\":true}", &dry, &err), err);
    FEED_LITERAL(yespo_job_feed_ndjson, dry, "{\"channels\":[{\"type\":\"email\",\"value\":\"a@example.com\"}]}");
    CHECK_OK(yespo_upsert_begin(c, "{\"dryRun\":true}", &job, &err), err);
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    yespo_client_free(c);
    EXPECT(YESPO_E_STATE, yespo_job_feed_ndjson(dry, "{}", 2, &err));
    EXPECT(YESPO_E_STATE, yespo_job_progress(dry, &out, &err));
    EXPECT(YESPO_E_STATE, yespo_job_finish(dry, &scratch, &err));
    EXPECT_RC(YESPO_E_STATE, yespo_job_cancel(dry));
    CHECK_OK(yespo_report_json(report, &out, &err), err);
    yespo_free(out);
    yespo_report_free(report);
    yespo_job_free(dry);
    yespo_job_free(job);
}

static void single_call_functions(void) {
    yespo_client *c = offline_client(), *freed = NULL;
    yespo_error *err = NULL;
    char *out = (char *)1;
    int local = 0;
    yespo_client *foreign = (yespo_client *)&local;
    const char *contact = "{\"channels\":[{\"type\":\"email\",\"value\":\"a@example.com\"}]}";
    const char *malformed[] = {"{", "", "{\"a\":1} x", "nul\x01l", bad_utf8};
    size_t i;

    CHECK_OK(yespo_client_new("k", &freed, &err), err);
    yespo_client_free(freed);

    EXPECT(INV, yespo_subscribe(NULL, contact, &out, &err));
    CHECK(out == NULL);
    EXPECT(BAD, yespo_subscribe(foreign, contact, &out, &err));
    EXPECT(BAD, yespo_subscribe(freed, contact, &out, &err));
    EXPECT(INV, yespo_subscribe(c, NULL, &out, &err));
    EXPECT(INV, yespo_subscribe(c, contact, NULL, &err));
    EXPECT(INV, yespo_contact_add(NULL, contact, &out, &err));
    EXPECT(INV, yespo_contact_add(c, NULL, &out, &err));
    EXPECT(INV, yespo_contact_add(c, contact, NULL, &err));
    EXPECT(BAD, yespo_contact_add(freed, contact, &out, &err));
    EXPECT(INV, yespo_contact_update(NULL, 1, contact, &err));
    EXPECT(INV, yespo_contact_update(c, 0, contact, &err));
    EXPECT(INV, yespo_contact_update(c, -5, contact, &err));
    EXPECT(INV, yespo_contact_update(c, 1, NULL, &err));
    EXPECT(INV, yespo_contact_get(NULL, 1, &out, &err));
    EXPECT(INV, yespo_contact_get(c, 0, &out, &err));
    EXPECT(INV, yespo_contact_get(c, INT64_MIN, &out, &err));
    EXPECT(INV, yespo_contact_get(c, 1, NULL, &err));
    EXPECT(BAD, yespo_contact_get(freed, 1, &out, &err));
    EXPECT(INV, yespo_contact_delete(NULL, 1, &err));
    EXPECT(INV, yespo_contact_delete(c, -1, &err));
    EXPECT(INV, yespo_contact_delete_external(NULL, "x", 0, &err));
    EXPECT(INV, yespo_contact_delete_external(c, NULL, 0, &err));
    EXPECT(INV, yespo_contact_delete_external(c, "", 0, &err));
    EXPECT(INV, yespo_contact_delete_external(c, "x", 2, &err));
    EXPECT(INV, yespo_contact_delete_external(c, "x", -1, &err));
    EXPECT2(INV, BADIN, yespo_contact_delete_external(c, "\xff", 0, &err));
    EXPECT(INV, yespo_contacts_search(NULL, "{}", &out, &err));
    EXPECT(INV, yespo_contacts_search(c, NULL, &out, &err));
    EXPECT(INV, yespo_contacts_search(c, "{}", NULL, &err));
    EXPECT(INV, yespo_contacts_search(c, "{\"maxrows\":0}", &out, &err));
    EXPECT(INV, yespo_contacts_search(c, "{\"maxrows\":501}", &out, &err));
    EXPECT(INV, yespo_contacts_search(c, "{\"startindex\":0}", &out, &err));
    EXPECT(INV, yespo_contacts_search(c, "{\"nope\":\"x\"}", &out, &err));
    EXPECT(INV, yespo_import_status(NULL, "abc", &out, &err));
    EXPECT(INV, yespo_import_status(c, NULL, &out, &err));
    EXPECT(INV, yespo_import_status(c, "", &out, &err));
    EXPECT(INV, yespo_import_status(c, "abc", NULL, &err));
    EXPECT2(INV, BADIN, yespo_import_status(c, "\xff\xfe", &out, &err));
    /* an id that tries to leave its path segment is percent-encoded, never sent as a path */
    err = NULL;
    CHECK(yespo_import_status(c, "../../etc/passwd", &out, &err) == YESPO_E_TRANSPORT);
    CHECK(strstr(yespo_error_message(err), "..%2F..%2Fetc%2Fpasswd") != NULL);
    yespo_error_free(err);
    EXPECT(INV, yespo_import_wait(NULL, "abc", 0, &out, &err));
    EXPECT(INV, yespo_import_wait(c, "abc", -1, &out, &err));
    EXPECT(INV, yespo_import_wait(c, NULL, 0, &out, &err));
    EXPECT(INV, yespo_import_wait(c, "abc", 0, NULL, &err));
    EXPECT(INV, yespo_contacts_upload(NULL, "{}", &out, &err));
    EXPECT(INV, yespo_contacts_upload(c, NULL, &out, &err));
    EXPECT(INV, yespo_contacts_upload(c, "{\"link\":\"x\"}", NULL, &err));
    EXPECT(INV, yespo_contacts_upload(c, "{}", &out, &err)); /* no link */
    EXPECT(INV, yespo_segment_attach(NULL, 1, "{\"contactIds\":[1]}", &err));
    EXPECT(INV, yespo_segment_attach(c, 0, "{\"contactIds\":[1]}", &err));
    EXPECT(INV, yespo_segment_attach(c, 1, NULL, &err));
    EXPECT(INV, yespo_segment_attach(c, 1, "{\"contactIds\":\"1\"}", &err));
    EXPECT(INV, yespo_segment_attach(c, 1, "{\"contactIds\":[1],\"externalCustomerIds\":[\"a\"]}", &err));
    EXPECT(INV, yespo_segment_detach(NULL, 1, "{}", &err));
    EXPECT(INV, yespo_segment_detach(c, -3, "{}", &err));
    EXPECT(INV, yespo_segment_detach(c, 1, NULL, &err));
    EXPECT(INV, yespo_segments_list(NULL, NULL, &out, &err));
    EXPECT(INV, yespo_segments_list(c, NULL, NULL, &err));
    EXPECT(BAD, yespo_segments_list(freed, NULL, &out, &err));
    EXPECT(INV, yespo_segments_list(c, "{\"maxrows\":-1}", &out, &err));
    EXPECT(INV, yespo_segment_contacts(NULL, 1, NULL, &out, &err));
    EXPECT(INV, yespo_segment_contacts(c, 0, NULL, &out, &err));
    EXPECT(INV, yespo_segment_contacts(c, 1, NULL, NULL, &err));
    EXPECT(INV, yespo_emails_unsubscribed(NULL, "[\"a@b.c\"]", 1, &err));
    EXPECT(INV, yespo_emails_unsubscribed(c, NULL, 1, &err));
    EXPECT(INV, yespo_emails_unsubscribed(c, "[\"a@b.c\"]", 7, &err));
    EXPECT(INV, yespo_emails_unsubscribed(c, "{\"emails\":[]}", 1, &err));
    EXPECT(INV, yespo_emails_unsubscribed(c, "[1,2]", 1, &err));

    /* malformed JSON text in every JSON argument: rejected before anything is sent */
    for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        const char *m = malformed[i];
        EXPECT2(BADIN, INV, yespo_subscribe(c, m, &out, &err));
        EXPECT2(BADIN, INV, yespo_contact_add(c, m, &out, &err));
        EXPECT2(BADIN, INV, yespo_contact_update(c, 1, m, &err));
        EXPECT2(BADIN, INV, yespo_contacts_search(c, m, &out, &err));
        EXPECT2(BADIN, INV, yespo_contacts_upload(c, m, &out, &err));
        EXPECT2(BADIN, INV, yespo_segment_attach(c, 1, m, &err));
        EXPECT2(BADIN, INV, yespo_segment_detach(c, 1, m, &err));
        if (*m != '\0') { /* an empty optional query means "no query", like NULL */
            EXPECT2(BADIN, INV, yespo_segments_list(c, m, &out, &err));
            EXPECT2(BADIN, INV, yespo_segment_contacts(c, 1, m, &out, &err));
        }
        EXPECT2(BADIN, INV, yespo_emails_unsubscribed(c, m, 1, &err));
    }

    /* a well-formed call reaches the (closed) port: a transport error, without the key */
    EXPECT(YESPO_E_TRANSPORT, yespo_contact_get(c, 1, &out, &err));
    err = NULL;
    CHECK(yespo_contact_get(c, 1, &out, &err) == YESPO_E_TRANSPORT);
    CHECK(strstr(yespo_error_message(err), "super-secret-key-123") == NULL);
    CHECK(yespo_error_http_status(err) == 0);
    yespo_error_free(err);
    yespo_client_free(c);
}

/* Issue 13's calls: events (the v2 base URL), orders delete, message sends. Every bad argument is
 * YESPO_E_INVALID_ARGUMENT (or INVALID_INPUT for malformed JSON) before anything is sent; a good
 * call reaches the closed port (YESPO_E_TRANSPORT) without the key in its message. */
static void event_order_message_functions(void) {
    yespo_client *c = offline_client(), *freed = NULL;
    yespo_error *err = NULL;
    char *out = (char *)1;
    int local = 0;
    yespo_client *foreign = (yespo_client *)&local;
    const char *event = "{\"eventTypeKey\":\"cart\",\"keyValue\":\"a@example.com\"}";
    const char *email = "{\"from\":\"Shop <s@example.com>\",\"subject\":\"Hi\",\"htmlText\":\"<p>x</p>\",\"emails\":[\"a@example.com\"]}";
    const char *sms = "{\"from\":\"Shop\",\"text\":\"Hi\",\"phoneNumbers\":[\"380501234567\"]}";
    const char *prepared = "{\"recipients\":[\"a@example.com\"]}";
    const char *malformed[] = {"{", "", "{\"a\":1} x", "nul\x01l", bad_utf8};
    char long_key[160];
    size_t i;

    CHECK_OK(yespo_client_new("k", &freed, &err), err);
    yespo_client_free(freed);

    EXPECT(INV, yespo_event_send(NULL, event, &err));
    EXPECT(BAD, yespo_event_send(foreign, event, &err));
    EXPECT(BAD, yespo_event_send(freed, event, &err));
    EXPECT(INV, yespo_event_send(c, NULL, &err));
    EXPECT(INV, yespo_event_send(c, "{\"keyValue\":\"k\"}", &err));                      /* no type */
    EXPECT(INV, yespo_event_send(c, "{\"eventTypeKey\":\"\",\"keyValue\":\"k\"}", &err));
    EXPECT(INV, yespo_event_send(c, "{\"eventTypeKey\":\"a/b\",\"keyValue\":\"k\"}", &err));
    EXPECT(INV, yespo_event_send(c, "{\"eventTypeKey\":\"cart\"}", &err));             /* no key */
    EXPECT(INV, yespo_event_send(c, "{\"eventTypeKey\":\"cart\",\"params\":[{\"name\":\"x\",\"value\":\"1\"}]}", &err));
    EXPECT(INV, yespo_event_send(c, "{\"eventTypeKey\":\"cart\",\"params\":{\"email\":\"a@b.c\"}}", &err));
    EXPECT(INV, yespo_event_send(c, "{\"eventTypeKey\":\"cart\",\"params\":[{\"name\":\"email\"}]}", &err));
    EXPECT(INV, yespo_event_send(c, "{\"eventTypeKey\":\"cart\",\"keyValue\":\"k\",\"extra\":1}", &err));
    {
        const char *head = "{\"keyValue\":\"k\",\"eventTypeKey\":\"";
        size_t n = strlen(head);
        memset(long_key, 'a', sizeof long_key);
        memcpy(long_key, head, n);
        memcpy(long_key + n + 101, "\"}", 3);
    }
    EXPECT(INV, yespo_event_send(c, long_key, &err));                                /* 101 characters */

    EXPECT(INV, yespo_orders_delete(NULL, "{\"externalOrderId\":\"o1\"}", &err));
    EXPECT(BAD, yespo_orders_delete(freed, "{\"externalOrderId\":\"o1\"}", &err));
    EXPECT(INV, yespo_orders_delete(c, NULL, &err));
    EXPECT(INV, yespo_orders_delete(c, "{}", &err));
    EXPECT(INV, yespo_orders_delete(c, "{\"externalOrderId\":\"\"}", &err));
    EXPECT(INV, yespo_orders_delete(c, "{\"externalOrderId\":\"o1\",\"from\":\"2026-11-30T00:00:00\"}", &err));
    EXPECT(INV, yespo_orders_delete(c, "{\"from\":\"2026-11-30T00:00:00\"}", &err));
    EXPECT(INV, yespo_orders_delete(c, "{\"from\":\"2026-11-30T00:00:00\",\"to\":\"2026-12-01T00:00:01\"}", &err));
    EXPECT(INV, yespo_orders_delete(c, "{\"from\":\"2026-11-30T10:00:00\",\"to\":\"2026-11-30T09:00:00\"}", &err));
    EXPECT(INV, yespo_orders_delete(c, "{\"from\":\"yesterday\",\"to\":\"today\"}", &err));
    EXPECT(INV, yespo_orders_delete(c, "{\"from\":\"2026-02-30T00:00:00\",\"to\":\"2026-03-01T00:00:00\"}", &err));

    EXPECT(INV, yespo_message_email(NULL, email, &out, &err));
    CHECK(out == NULL);
    EXPECT(BAD, yespo_message_email(freed, email, &out, &err));
    EXPECT(INV, yespo_message_email(c, NULL, &out, &err));
    EXPECT(INV, yespo_message_email(c, email, NULL, &err));
    EXPECT(INV, yespo_message_email(c, "{\"from\":\"s@example.com\",\"subject\":\"Hi\",\"htmlText\":\"x\",\"emails\":[]}", &out, &err));
    EXPECT(INV, yespo_message_email(c, "{\"from\":\"s@example.com\",\"subject\":\"Hi\",\"emails\":[\"a@example.com\"]}", &out, &err));
    EXPECT(INV, yespo_message_email(c, "{\"subject\":\"Hi\",\"htmlText\":\"x\",\"emails\":[\"a@example.com\"]}", &out, &err));
    EXPECT(INV, yespo_message_email(c, "{\"from\":\"s@example.com\",\"subject\":\"Hi\",\"htmlText\":\"x\",\"emails\":[\"nope\"]}", &out, &err));
    EXPECT(INV, yespo_message_sms(NULL, sms, &out, &err));
    EXPECT(BAD, yespo_message_sms(foreign, sms, &out, &err));
    EXPECT(INV, yespo_message_sms(c, NULL, &out, &err));
    EXPECT(INV, yespo_message_sms(c, sms, NULL, &err));
    EXPECT(INV, yespo_message_sms(c, "{\"from\":\"Shop\",\"text\":\"Hi\",\"phoneNumbers\":[\"12\"]}", &out, &err));
    EXPECT(INV, yespo_message_sms(c, "{\"from\":\"Shop\",\"phoneNumbers\":[\"380501234567\"]}", &out, &err));
    EXPECT(INV, yespo_message_send(NULL, 1, prepared, &out, &err));
    EXPECT(BAD, yespo_message_send(freed, 1, prepared, &out, &err));
    EXPECT(INV, yespo_message_send(c, 0, prepared, &out, &err));
    EXPECT(INV, yespo_message_send(c, -7, prepared, &out, &err));
    EXPECT(INV, yespo_message_send(c, 1, NULL, &out, &err));
    EXPECT(INV, yespo_message_send(c, 1, prepared, NULL, &err));
    EXPECT(INV, yespo_message_send(c, 1, "{\"recipients\":[]}", &out, &err));
    EXPECT(INV, yespo_message_send(c, 1, "{\"recipients\":[null]}", &out, &err));

    for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        const char *m = malformed[i];
        EXPECT2(BADIN, INV, yespo_event_send(c, m, &err));
        EXPECT2(BADIN, INV, yespo_orders_delete(c, m, &err));
        EXPECT2(BADIN, INV, yespo_message_email(c, m, &out, &err));
        EXPECT2(BADIN, INV, yespo_message_sms(c, m, &out, &err));
        EXPECT2(BADIN, INV, yespo_message_send(c, 1, m, &out, &err));
    }

    /* a base URL the v2 URL cannot be derived from: a clear error until the option is set */
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_BASE_URL, "http://127.0.0.1:9/custom", &err), err);
    EXPECT(INV, yespo_event_send(c, event, &err));
    EXPECT(INV, yespo_client_set_option_str(c, YESPO_OPT_BASE_URL_V2, "ftp://x/api/v2", &err));
    EXPECT(INV, yespo_client_set_option_str(c, YESPO_OPT_BASE_URL_V2, "http://example.com/api/v2", &err));
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_BASE_URL_V2, "http://127.0.0.1:9/api/v2", &err), err);
    err = NULL;
    CHECK(yespo_event_send(c, event, &err) == YESPO_E_TRANSPORT);
    CHECK(strstr(yespo_error_message(err), "super-secret-key-123") == NULL);
    CHECK(strstr(yespo_error_message(err), "/api/v2/event") != NULL);
    yespo_error_free(err);
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_BASE_URL_V2, NULL, &err), err);   /* NULL: derived again */
    EXPECT(INV, yespo_event_send(c, event, &err));
    EXPECT(YESPO_E_TRANSPORT, yespo_orders_delete(c, "{\"from\":\"2026-11-30T00:00:00Z\",\"to\":\"2026-12-01T00:00:00Z\"}", &err));
    EXPECT(YESPO_E_TRANSPORT, yespo_message_sms(c, sms, &out, &err));
    yespo_client_free(c);
}

/* The shared budget's options (issue 16): bad values are YESPO_E_INVALID_ARGUMENT; Redis that
 * cannot be reached is YESPO_E_TRANSPORT naming the URL without its password, unless the fallback
 * is 1, and then a job's report says it ran on the local budget. */
static void shared_budget_options(void) {
    yespo_client *c = offline_client();
    yespo_error *err = NULL;
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    char *out = NULL;
    int rc;

    EXPECT(INV, yespo_client_set_option(c, YESPO_OPT_SHARED_BUDGET_PROCESSES, 0, &err));
    EXPECT(INV, yespo_client_set_option(c, YESPO_OPT_SHARED_BUDGET_PROCESSES, 100001, &err));
    EXPECT(INV, yespo_client_set_option(c, YESPO_OPT_SHARED_BUDGET_FALLBACK, 2, &err));
    EXPECT(INV, yespo_client_set_option(c, YESPO_OPT_SHARED_BUDGET, 1, &err));
    EXPECT(INV, yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET_PROCESSES, "4", &err));
    EXPECT(INV, yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET, "http://127.0.0.1:9", &err));
    EXPECT(INV, yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET, "rediss://:pw-secret@127.0.0.1:9/0", &err));
    EXPECT(INV, yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET_NAME, "has space", &err));
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET_NAME, "abuse", &err), err);

    err = NULL;
    rc = yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET, "redis://:pw-secret@127.0.0.1:9/0", &err);
    checks++;
    CHECK_MSG(rc == YESPO_E_TRANSPORT, "unreachable Redis -> %d: %s", rc, yespo_error_message(err));
    CHECK_MSG(strstr(yespo_error_message(err), "redis://127.0.0.1:9/0") != NULL, "%s", yespo_error_message(err));
    CHECK_MSG(strstr(yespo_error_message(err), "pw-secret") == NULL, "%s", yespo_error_message(err));
    CHECK_MSG(strstr(yespo_error_message(err), "super-secret-key-123") == NULL, "%s", yespo_error_message(err));
    yespo_error_free(err);

    /* Asked for: start on the local budget; a (dry-run) job's report says so. */
    CHECK_OK(yespo_client_set_option(c, YESPO_OPT_SHARED_BUDGET_FALLBACK, 1, &err), err);
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET, "redis://:pw-secret@127.0.0.1:9/0", &err), err);
    CHECK_OK(yespo_upsert_begin(c, "{\"dryRun\":true}", &job, &err), err);
    FEED_LITERAL(yespo_job_feed_ndjson, job, "{\"channels\":[{\"type\":\"email\",\"value\":\"a@b.co\"}]}\n");
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    CHECK_OK(yespo_report_json(report, &out, &err), err);
    CHECK_MSG(strstr(out, "\"sharedBudget\":{\"name\":\"abuse\"") != NULL, "%s", out);
    CHECK_MSG(strstr(out, "\"mode\":\"local\"") != NULL, "%s", out);
    CHECK_MSG(strstr(out, "pw-secret") == NULL, "%s", out);
    yespo_free(out);
    yespo_report_free(report);
    yespo_job_free(job);

    /* NULL and "" turn it off. */
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET, NULL, &err), err);
    CHECK_OK(yespo_client_set_option_str(c, YESPO_OPT_SHARED_BUDGET, "", &err), err);
    yespo_client_free(c);
}

int main(int argc, char **argv) {
    verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    static_functions();
    client_functions();
    job_functions();
    single_call_functions();
    event_order_message_functions();
    shared_budget_options();
    printf("abuse: ok (%d checks)\n", checks);
    return 0;
}
