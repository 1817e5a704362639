/* libFuzzer target over the contact-input entry points of the C ABI: yespo_job_feed_ndjson,
 * yespo_job_feed_json_array and yespo_job_feed_file (CSV and NDJSON). The first input byte picks
 * the entry point and the dedupe key, the rest is the data. Jobs are dry runs on a client whose
 * base URL is a closed loopback port, so nothing touches the network.
 * Beyond "no crash", every input must keep the report's promise: each row exactly one outcome. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "yespo.h"

static yespo_client *client;
static char file_path[64];

static void remove_input_file(void) { remove(file_path); }

static void die(const char *what, int rc, yespo_error *err) {
    fprintf(stderr, "fuzz_feed: %s -> %d (%s): %s\n", what, rc, yespo_strerror(rc), yespo_error_message(err));
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    yespo_error *err = NULL;
    int rc;
    (void)argc;
    (void)argv;
    if ((rc = yespo_client_new("fuzz-key", &client, &err)) != YESPO_OK) die("client_new", rc, err);
    rc = yespo_client_set_option_str(client, YESPO_OPT_BASE_URL, "http://127.0.0.1:9/api/v1", &err);
    if (rc != YESPO_OK) die("base url", rc, err);
    /* small chunks so that chunk planning runs on small inputs too */
    if ((rc = yespo_client_set_option(client, YESPO_OPT_CHUNK_SIZE, 7, &err)) != YESPO_OK) die("chunk size", rc, err);
    snprintf(file_path, sizeof file_path, "/tmp/yespo-fuzz-%ld.input", (long)getpid());
    atexit(remove_input_file);
    return 0;
}

static const char *const job_options[] = {
    "{\"dryRun\":true}",
    "{\"dryRun\":true,\"dedupeOn\":\"sms\"}",
    "{\"dryRun\":true,\"dedupeOn\":\"email_or_sms\"}",
    "{\"dryRun\":true,\"dedupeOn\":\"externalCustomerId\"}",
};

static int feed(yespo_job *job, int mode, const uint8_t *data, size_t size, yespo_error **err) {
    FILE *f;
    switch (mode) {
    case 0: return yespo_job_feed_ndjson(job, (const char *)data, size, err);
    case 1: return yespo_job_feed_json_array(job, (const char *)data, size, err);
    default:
        f = fopen(file_path, "wb");
        if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
        return yespo_job_feed_file(job, file_path, mode == 2 ? "{\"format\":\"csv\"}" : "{\"format\":\"ndjson\"}", err);
    }
}

/* The report's counts add up, and yespo_report_rows lists every row once. */
static void check_report(yespo_report *report) {
    yespo_error *err = NULL;
    char *text = NULL, *rows = NULL, *p;
    size_t rows_len = 0, lines = 0;
    json_t *summary;
    long long n, sum;
    int rc;

    if ((rc = yespo_report_json(report, &text, &err)) != YESPO_OK) die("report_json", rc, err);
    summary = json_loads(text, 0, NULL);
    if (summary == NULL) { fprintf(stderr, "report is not JSON: %s\n", text); abort(); }
    n = json_integer_value(json_object_get(summary, "rows"));
    sum = json_integer_value(json_object_get(summary, "accepted")) + json_integer_value(json_object_get(summary, "rejected")) +
          json_integer_value(json_object_get(summary, "invalid")) + json_integer_value(json_object_get(summary, "duplicates")) +
          json_integer_value(json_object_get(summary, "notSent"));
    if (sum != n || !json_is_true(json_object_get(summary, "complete"))) {
        fprintf(stderr, "outcomes do not add up: %s\n", text);
        abort();
    }
    if ((rc = yespo_report_rows(report, YESPO_ROWS_ALL, &rows, &rows_len, &err)) != YESPO_OK) die("report_rows", rc, err);
    if (rows_len != strlen(rows)) { fprintf(stderr, "rows length %zu != strlen\n", rows_len); abort(); }
    for (p = rows; *p; p++) lines += (*p == '\n');
    if (rows_len > 0 && rows[rows_len - 1] != '\n') lines++;
    if ((long long)lines != n) { fprintf(stderr, "report_rows has %zu lines for %lld rows\n", lines, n); abort(); }
    json_decref(summary);
    yespo_free(text);
    yespo_free(rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    yespo_error *err = NULL;
    int mode, rc;

    if (size < 2) return 0;
    mode = data[0] % 4;
    if ((rc = yespo_upsert_begin(client, job_options[(data[0] / 4) % 4], &job, &err)) != YESPO_OK) die("begin", rc, err);
    rc = feed(job, mode, data + 1, size - 1, &err);
    if (rc != YESPO_OK && rc != YESPO_E_INVALID_INPUT) die("feed", rc, err);
    if (err != NULL && strlen(yespo_error_message(err)) == 0) die("feed error without message", rc, err);
    yespo_error_free(err);
    err = NULL;
    if ((rc = yespo_job_finish(job, &report, &err)) != YESPO_OK) die("finish", rc, err);
    check_report(report);
    yespo_report_free(report);
    yespo_job_free(job);
    return 0;
}
