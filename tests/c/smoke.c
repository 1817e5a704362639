/* The C smoke test: a real bulk upsert (NDJSON buffer, JSON array, CSV file) and every single call,
 * against an emulator this test starts itself, checked against the emulator's own state.
 * Compiled with -std=c99 -Wall -Wextra -Werror -pedantic; also run under valgrind. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smoke.h"

emulator emu;

typedef struct progress_seen {
    pthread_mutex_t lock;
    int calls;
    int saw_done;
    long long last_rows_read;
} progress_seen;

static void on_progress(const char *progress_json, void *userdata) {
    progress_seen *seen = userdata;
    json_t *doc = json_loads(progress_json, 0, NULL);
    pthread_mutex_lock(&seen->lock);
    seen->calls++;
    if (doc != NULL) {
        if (json_is_true(json_object_get(doc, "done"))) seen->saw_done = 1;
        seen->last_rows_read = (long long)json_integer_value(json_object_get(doc, "rowsRead"));
    }
    pthread_mutex_unlock(&seen->lock);
    json_decref(doc);
}

json_t *report_summary(yespo_report *report) {
    char *text = NULL;
    yespo_error *err = NULL;
    CHECK_OK(yespo_report_json(report, &text, &err), err);
    return take_json(text, "report json");
}

/* Counts must add up, whatever the input; "fatal" is null or names the expected code. */
void check_complete(const json_t *summary, long long rows, int fatal_code) {
    long long sum = json_int(summary, "accepted") + json_int(summary, "rejected") + json_int(summary, "invalid") +
                    json_int(summary, "duplicates") + json_int(summary, "notSent");
    CHECK_MSG(json_int(summary, "rows") == rows, "rows %lld, expected %lld", json_int(summary, "rows"), rows);
    CHECK_MSG(sum == rows, "outcomes add up to %lld, expected %lld", sum, rows);
    CHECK(json_is_true(json_object_get(summary, "complete")));
    if (fatal_code == 0) CHECK_MSG(json_is_null(json_object_get(summary, "fatal")), "unexpected fatal error in the report");
    else CHECK(json_int(json_object_get(summary, "fatal"), "code") == fatal_code);
}

static void flush_imports(void) {
    json_decref(admin_json(&emu, "POST", "/_emulator/imports/flush", NULL));
}

/* NDJSON: NDJSON_ACCEPTED distinct contacts, one in-chunk duplicate, two invalid lines; three chunks;
 * "wait" so that accepted rows carry contact ids; a progress callback. Returns an asyncSessionId. */
static char *ndjson_job(yespo_client *client) {
    yespo_error *err = NULL;
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    progress_seen seen;
    size_t cap = (NDJSON_ROWS) * 128, len = 0, rows_len = 0;
    char *buf = malloc(cap), *rows = NULL, *progress = NULL, *session;
    json_t *summary, *chunks, *first_chunk;
    int i;

    CHECK(buf != NULL);
    for (i = 0; i < NDJSON_VALID; i++) {
        len += (size_t)sprintf(buf + len, "{\"firstName\":\"Nd%d\",\"channels\":[{\"type\":\"email\",\"value\":\"nd%d@example.com\"}]}\n", i, i);
        if (i == 10) len += (size_t)sprintf(buf + len, "{\"firstName\":\"no channel\"}\r\n");
        if (i == 20) len += (size_t)sprintf(buf + len, "this is not json\n\n");
        /* the same email again, in the same chunk: one of the two is a "duplicate" */
        if (i == 30) len += (size_t)sprintf(buf + len, "{\"firstName\":\"Again\",\"channels\":[{\"type\":\"email\",\"value\":\"ND30@example.com\"}]}\n");
    }
    len += (size_t)sprintf(buf + len, "{\"firstName\":\"Last\",\"channels\":[{\"type\":\"email\",\"value\":\"last@example.com\"}]}");

    memset(&seen, 0, sizeof seen);
    pthread_mutex_init(&seen.lock, NULL);
    CHECK_OK(yespo_client_set_option(client, YESPO_OPT_CHUNK_SIZE, 500, &err), err);
    CHECK_OK(yespo_upsert_begin(client, "{\"dedupeOn\":\"email\",\"groupNames\":[\"smoke\"],\"wait\":true}", &job, &err), err);
    CHECK(job != NULL && err == NULL);
    CHECK_OK(yespo_job_set_progress_callback(job, on_progress, 10, &seen, &err), err);
    /* two feeds: row numbers continue across calls; split on a line boundary */
    {
        char *cut = strstr(buf + len / 2, "\n") + 1;
        size_t first = (size_t)(cut - buf);
        CHECK_OK(yespo_job_feed_ndjson(job, buf, first, &err), err);
        CHECK_OK(yespo_job_feed_ndjson(job, cut, len - first, &err), err);
    }
    free(buf);
    CHECK_OK(yespo_job_progress(job, &progress, &err), err);
    {
        json_t *p = take_json(progress, "progress");
        CHECK(json_int(p, "rowsRead") == NDJSON_ROWS);
        json_decref(p);
    }
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    CHECK(report != NULL);
    {
        yespo_report *again = (yespo_report *)1;
        CHECK(yespo_job_finish(job, &again, &err) == YESPO_E_STATE);
        CHECK(again == NULL && yespo_error_code(err) == YESPO_E_STATE);
    }
    yespo_error_free(err);
    err = NULL;
    yespo_job_free(job);

    summary = report_summary(report);
    check_complete(summary, NDJSON_ROWS, 0);
    CHECK_MSG(json_int(summary, "accepted") == NDJSON_ACCEPTED, "accepted %lld", json_int(summary, "accepted"));
    CHECK(json_int(summary, "invalid") == 2);
    CHECK(json_int(summary, "duplicates") == 1);
    chunks = json_object_get(summary, "chunks");
    CHECK_MSG(json_array_size(chunks) == 3, "chunks %lu", (unsigned long)json_array_size(chunks));
    first_chunk = json_array_get(chunks, 0);
    CHECK(json_is_string(json_object_get(first_chunk, "asyncSessionId")));
    session = strdup(json_string_value(json_object_get(first_chunk, "asyncSessionId")));
    json_decref(summary);

    pthread_mutex_lock(&seen.lock);
    CHECK_MSG(seen.calls >= 1 && seen.saw_done, "progress calls %d, done seen %d", seen.calls, seen.saw_done);
    CHECK(seen.last_rows_read == NDJSON_ROWS);
    pthread_mutex_unlock(&seen.lock);
    pthread_mutex_destroy(&seen.lock);

    /* the invalid rows, by row number: line 12 (no channel) and line 23 (not JSON) */
    CHECK_OK(yespo_report_rows(report, YESPO_ROWS_INVALID, &rows, &rows_len, &err), err);
    CHECK(rows_len == strlen(rows));
    {
        json_t *a, *b;
        char *second = strchr(rows, '\n');
        CHECK(second != NULL);
        *second++ = '\0';
        a = json_loads(rows, 0, NULL);
        b = json_loads(second, JSON_DISABLE_EOF_CHECK, NULL);
        CHECK(a != NULL && b != NULL);
        CHECK_MSG(json_int(a, "row") == 12 && json_int(b, "row") == 23, "invalid rows %lld, %lld", json_int(a, "row"), json_int(b, "row"));
        CHECK(strcmp(json_string_value(json_object_get(a, "outcome")), "invalid") == 0);
        CHECK(json_is_string(json_object_get(a, "reason")));
        json_decref(a);
        json_decref(b);
    }
    yespo_free(rows);
    /* accepted rows carry contact ids ("wait": true) */
    CHECK_OK(yespo_report_rows(report, YESPO_ROWS_ACCEPTED, &rows, &rows_len, &err), err);
    {
        json_t *first = json_loads(rows, JSON_DISABLE_EOF_CHECK, NULL);
        CHECK(first != NULL);
        CHECK(json_int(first, "row") == 1);
        CHECK(json_int(first, "contactId") > 0);
        json_decref(first);
    }
    yespo_free(rows);
    yespo_report_free(report);
    return session;
}

static void json_array_job(yespo_client *client) {
    yespo_error *err = NULL;
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    size_t cap = 300 * 128, len = 0;
    char *buf = malloc(cap);
    json_t *summary;
    int i;

    CHECK(buf != NULL);
    len += (size_t)sprintf(buf, "[");
    for (i = 0; i < 300; i++)
        len += (size_t)sprintf(buf + len, "%s{\"lastName\":\"Arr%d\",\"channels\":[{\"type\":\"email\",\"value\":\"arr%d@example.com\"}]}",
                               i ? "," : "", i, i);
    len += (size_t)sprintf(buf + len, "]");
    CHECK_OK(yespo_upsert_begin(client, NULL, &job, &err), err);
    /* not an array: an error that names the position, and no row added */
    CHECK(yespo_job_feed_json_array(job, "{\"a\":1}", 7, &err) == YESPO_E_INVALID_INPUT);
    CHECK(strlen(yespo_error_message(err)) > 0);
    yespo_error_free(err);
    err = NULL;
    CHECK_OK(yespo_job_feed_json_array(job, buf, len, &err), err);
    free(buf);
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    yespo_job_free(job);
    summary = report_summary(report);
    check_complete(summary, 300, 0);
    CHECK(json_int(summary, "accepted") == 300);
    json_decref(summary);
    yespo_report_free(report);
}

static void csv_file_job(yespo_client *client) {
    yespo_error *err = NULL;
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    size_t cap = 150 * 128, len = 0;
    char *text = malloc(cap), *path;
    json_t *summary, *contact;
    int i;

    CHECK(text != NULL);
    len += (size_t)sprintf(text, "First name,Last name,Email,Sms\n");
    for (i = 0; i < 150; i++)
        len += (size_t)sprintf(text + len, "Csv%d,\"Smith, Jr\",csv%d@example.com,38050%07d\n", i, i, i);
    path = write_temp_file("contacts.csv", text);
    free(text);
    CHECK_OK(yespo_upsert_begin(client, "{\"dedupeOn\":\"email\"}", &job, &err), err);
    CHECK(yespo_job_feed_file(job, "/nonexistent/yespo/contacts.csv", NULL, &err) == YESPO_E_IO);
    CHECK(strstr(yespo_error_message(err), "contacts.csv") != NULL);
    yespo_error_free(err);
    err = NULL;
    CHECK_OK(yespo_job_feed_file(job, path, NULL, &err), err);
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    yespo_job_free(job);
    remove_temp_file(path);
    summary = report_summary(report);
    check_complete(summary, 150, 0);
    CHECK(json_int(summary, "accepted") == 150);
    json_decref(summary);
    yespo_report_free(report);

    /* the emulator stored what the CSV said */
    flush_imports();
    CHECK(admin_contact_count(&emu) == NDJSON_ACCEPTED + 300 + 150);
    {
        char *rows;
        int status;
        rows = http_request(&emu, "GET", "/_emulator/contacts", NULL, &status, NULL);
        CHECK(status == 200);
        CHECK(strstr(rows, "csv149@example.com") != NULL);
        CHECK(strstr(rows, "Smith, Jr") != NULL);
        CHECK(strstr(rows, "arr299@example.com") != NULL);
        free(rows);
    }
    contact = admin_json(&emu, "GET", "/_emulator/summary", NULL);
    CHECK(json_int(contact, "contacts") == NDJSON_ACCEPTED + 300 + 150);
    json_decref(contact);
}

typedef struct cancel_from_callback {
    yespo_job *job;
    int cancel_rc;
    int calls;
} cancel_from_callback;

/* Cancels the job from the engine thread, as the header allows, once the first chunk is done. */
static void cancel_on_progress(const char *progress_json, void *userdata) {
    cancel_from_callback *c = userdata;
    json_t *p = json_loads(progress_json, 0, NULL);
    if (p != NULL && json_integer_value(json_object_get(p, "chunksDone")) >= 1 && c->calls++ == 0)
        c->cancel_rc = yespo_job_cancel(c->job);
    json_decref(p);
}

/* A slow server and a job cancelled from its own progress callback: no deadlock, and the rows
 * not sent are reported "notSent" — every row still has exactly one outcome. */
static void cancelled_job(yespo_client *client) {
    yespo_error *err = NULL;
    yespo_report *report = NULL;
    cancel_from_callback state;
    char *buf = malloc(2000 * 100), *rows = NULL;
    size_t len = 0, rows_len = 0;
    json_t *summary;
    int i, rc;

    CHECK(buf != NULL);
    for (i = 0; i < 2000; i++)
        len += (size_t)sprintf(buf + len, "{\"channels\":[{\"type\":\"email\",\"value\":\"slow%d@example.com\"}]}\n", i);
    json_decref(admin_json(&emu, "POST", "/_emulator/config", "{\"latencyMs\":150}"));
    memset(&state, 0, sizeof state);
    state.cancel_rc = 1;
    CHECK_OK(yespo_client_set_option(client, YESPO_OPT_CHUNK_SIZE, 100, &err), err);
    CHECK_OK(yespo_client_set_option(client, YESPO_OPT_CONCURRENCY, 1, &err), err);
    CHECK_OK(yespo_upsert_begin(client, NULL, &state.job, &err), err);
    CHECK_OK(yespo_job_set_progress_callback(state.job, cancel_on_progress, 10, &state, &err), err);
    rc = yespo_job_feed_ndjson(state.job, buf, len, &err);
    CHECK_MSG(rc == YESPO_OK || rc == YESPO_E_CANCELLED, "feed -> %d", rc);
    yespo_error_free(err);
    err = NULL;
    CHECK_OK(yespo_job_finish(state.job, &report, &err), err);
    CHECK(state.cancel_rc == YESPO_OK);
    summary = report_summary(report);
    CHECK(json_is_true(json_object_get(summary, "cancelled")));
    /* stopped early: rows were read and some sent, not all 2000 accepted */
    CHECK(json_int(summary, "rows") > 0 && json_int(summary, "rows") <= 2000);
    CHECK(json_int(summary, "accepted") >= 100 && json_int(summary, "accepted") < 2000);
    check_complete(summary, json_int(summary, "rows"), YESPO_E_CANCELLED);
    /* the rows listed as notSent are exactly as many as the summary says */
    CHECK_OK(yespo_report_rows(report, YESPO_ROWS_NOT_SENT, &rows, &rows_len, &err), err);
    {
        long long lines = 0;
        const char *p;
        for (p = rows; *p; p++) lines += (*p == '\n');
        CHECK_MSG(lines == json_int(summary, "notSent"), "%lld notSent lines, summary says %lld", lines, json_int(summary, "notSent"));
    }
    json_decref(summary);
    yespo_free(rows);
    yespo_report_free(report);
    yespo_job_free(state.job);
    free(buf);
    json_decref(admin_json(&emu, "POST", "/_emulator/config", "{\"latencyMs\":0}"));
    CHECK_OK(yespo_client_set_option(client, YESPO_OPT_CONCURRENCY, 8, &err), err);
}

typedef struct log_capture {
    pthread_mutex_t lock;
    char text[16384];
    size_t used;
} log_capture;

static void capture_log(int level, const char *message, void *userdata) {
    log_capture *c = userdata;
    size_t n = strlen(message);
    (void)level;
    pthread_mutex_lock(&c->lock);
    if (c->used + n + 2 < sizeof c->text) {
        memcpy(c->text + c->used, message, n);
        c->used += n;
        c->text[c->used++] = '\n';
        c->text[c->used] = '\0';
    }
    pthread_mutex_unlock(&c->lock);
}

/* A server that echoes the key (a combining mark right after it, and its Basic-auth form) in a
 * body the engine logs at debug level: the log callback sees both masked. */
static void log_redaction(yespo_client *client) {
    static log_capture capture;
    yespo_error *err = NULL;
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    const char *row = "{\"channels\":[{\"type\":\"email\",\"value\":\"logged@example.com\"}]}\n";
    /* "test-key" and Base64(":test-key") */
    json_decref(admin_json(&emu, "POST", "/_emulator/config",
                           "{\"duplicateBody\":\"Duplicated request: test-key\\u0301 Basic OnRlc3Qta2V5\"}"));
    json_decref(admin_json(&emu, "POST", "/_emulator/faults",
                           "{\"rules\":[{\"method\":\"POST\",\"path\":\"/api/v1/contacts\",\"count\":1,\"action\":\"duplicated\"}]}"));
    pthread_mutex_init(&capture.lock, NULL);
    CHECK_OK(yespo_client_set_log_callback(client, capture_log, YESPO_LOG_DEBUG, &capture, &err), err);
    CHECK_OK(yespo_upsert_begin(client, NULL, &job, &err), err);
    CHECK_OK(yespo_job_feed_ndjson(job, row, strlen(row), &err), err);
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    CHECK_OK(yespo_client_set_log_callback(client, NULL, YESPO_LOG_ERROR, NULL, &err), err);
    CHECK_MSG(strstr(capture.text, "Duplicated request: [redacted]") != NULL, "log: %s", capture.text);
    CHECK_MSG(strstr(capture.text, "test-key") == NULL, "the key leaked into the log: %s", capture.text);
    CHECK_MSG(strstr(capture.text, "OnRlc3Qta2V5") == NULL, "the Basic form leaked into the log: %s", capture.text);
    yespo_report_free(report);
    yespo_job_free(job);
    pthread_mutex_destroy(&capture.lock);
    json_decref(admin_json(&emu, "DELETE", "/_emulator/faults", NULL));
}

int main(void) {
    char expected[32];
    yespo_client *client;
    char *session;

    snprintf(expected, sizeof expected, "%d.%d.%d", YESPO_VERSION_MAJOR, YESPO_VERSION_MINOR, YESPO_VERSION_PATCH);
    CHECK(strcmp(yespo_version(), expected) == 0);
    CHECK(yespo_abi_version() == YESPO_ABI_VERSION);
    CHECK(strcmp(yespo_strerror(YESPO_OK), "ok") == 0);

    emulator_start(&emu, NULL);
    client = test_client(&emu);
    session = ndjson_job(client);
    json_array_job(client);
    csv_file_job(client);
    single_calls(client, session);
    cancelled_job(client);
    log_redaction(client);
    sync_calls(client);
    orders_job(client);
    free(session);
    yespo_client_free(client);
    wrong_key();
    emulator_stop(&emu);
    printf("smoke: ok\n");
    return 0;
}
