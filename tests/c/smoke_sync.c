/* The C smoke test of incremental sync: three runs of one source against a SQLite state (all sent,
 * then only the changed/new rows, then nothing), the delete cap refusing a short source, the
 * status call, the API key absent from the state, and the same runs against a PostgreSQL state
 * (scripts/pg-temp.sh starts a throwaway server). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smoke.h"

#define SYNC_ROWS 300

static void write_source(const char *path, int rows, int changed_row) {
    FILE *f = fopen(path, "w");
    int i;
    CHECK(f != NULL);
    for (i = 0; i < rows; i++) {
        fprintf(f, "{\"firstName\":\"%s-%d\",\"channels\":[{\"type\":\"email\",\"value\":\"csync-%d@example.com\"}]}\n",
                i == changed_row ? "v2" : "v1", i, i);
    }
    fclose(f);
}

static json_t *sync_run(yespo_client *client, const char *state, const char *source, const char *options) {
    yespo_error *err = NULL;
    yespo_sync *sync = NULL;
    char *text = NULL;
    CHECK_OK(yespo_sync_begin(client, state, options, &sync, &err), err);
    CHECK_OK(yespo_sync_feed_file(sync, source, NULL, &err), err);
    CHECK_OK(yespo_sync_finish(sync, &text, &err), err);
    yespo_sync_free(sync);
    return take_json(text, "sync report");
}

static int file_contains(const char *path, const char *needle) {
    FILE *f = fopen(path, "rb");
    size_t n = strlen(needle), got, i, have = 0;
    char buf[65536 + 64];
    int found = 0;
    if (f == NULL) return 0;
    while (!found && (got = fread(buf + have, 1, 65536, f)) > 0) {
        have += got;
        for (i = 0; i + n <= have; i++) if (memcmp(buf + i, needle, n) == 0) { found = 1; break; }
        if (have >= n) { memmove(buf, buf + have - (n - 1), n - 1); have = n - 1; }
    }
    fclose(f);
    return found;
}

static void three_runs(yespo_client *client, const char *state, const char *source) {
    json_t *r;
    write_source(source, SYNC_ROWS, -1);
    r = sync_run(client, state, source, "{\"missing\":\"delete\"}");
    CHECK_MSG(json_int(r, "new") == SYNC_ROWS && json_int(r, "sent") == SYNC_ROWS, "first run: new %lld sent %lld",
              json_int(r, "new"), json_int(r, "sent"));
    CHECK(json_int(r, "committed") == SYNC_ROWS);
    CHECK(json_is_true(json_object_get(r, "clean")));
    json_decref(r);

    /* one changed, one new (SYNC_ROWS + 1 rows), nothing removed */
    write_source(source, SYNC_ROWS + 1, 5);
    r = sync_run(client, state, source, "{\"missing\":\"delete\"}");
    CHECK_MSG(json_int(r, "changed") == 1 && json_int(r, "new") == 1 && json_int(r, "sent") == 2,
              "second run: changed %lld new %lld sent %lld", json_int(r, "changed"), json_int(r, "new"), json_int(r, "sent"));
    json_decref(r);

    r = sync_run(client, state, source, "{\"missing\":\"delete\"}");
    CHECK(json_int(r, "sent") == 0 && json_int(r, "unchanged") == SYNC_ROWS + 1);
    json_decref(r);

    /* a truncated source: 201 of 301 missing, over the default 5%: refused, nothing deleted */
    write_source(source, 100, 5);
    r = sync_run(client, state, source, "{\"missing\":\"delete\"}");
    {
        json_t *missing = json_object_get(r, "missing");
        CHECK(json_int(missing, "count") == SYNC_ROWS + 1 - 100);
        CHECK(json_is_string(json_object_get(missing, "refused")));
        CHECK(json_int(missing, "acted") == 0);
    }
    json_decref(r);
    {
        json_t *c = admin_contact_by_email(&emu, "csync-250@example.com");
        CHECK_MSG(c != NULL && !json_is_true(json_object_get(c, "deleted")), "a contact was deleted despite the cap");
        json_decref(c);
    }
}

/* The PostgreSQL server is stopped at exit too, so a failing check (which exits) leaves none behind. */
static char pg_stop_cmd[512];

static void stop_postgres(void) {
    if (pg_stop_cmd[0] != 0) {
        if (system(pg_stop_cmd) != 0) fprintf(stderr, "could not stop PostgreSQL: %s\n", pg_stop_cmd);
        pg_stop_cmd[0] = 0;
    }
}

void sync_calls(yespo_client *client) {
    char dir[] = "/tmp/yespo-csync-XXXXXX";
    char state[128], source[128], cmd[512];
    yespo_error *err = NULL;
    yespo_sync *sync = NULL;
    char *text = NULL;
    json_t *status;
    FILE *pg;
    char url[256] = "";
    const char *root;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(state, sizeof state, "%s/state.db", dir);
    snprintf(source, sizeof source, "%s/crm.ndjson", dir);

    /* arguments */
    CHECK(yespo_sync_begin(client, NULL, NULL, &sync, &err) == YESPO_E_INVALID_ARGUMENT);
    yespo_error_free(err);
    err = NULL;
    CHECK(yespo_sync_begin(client, state, "{\"maxDeletes\":\"lots\"}", &sync, &err) == YESPO_E_INVALID_ARGUMENT);
    yespo_error_free(err);
    err = NULL;
    CHECK(yespo_sync_status(state, &text, &err) == YESPO_E_NOT_FOUND);
    yespo_error_free(err);
    err = NULL;
    CHECK(yespo_sync_finish(NULL, &text, NULL) == YESPO_E_INVALID_ARGUMENT);
    yespo_sync_free(NULL);

    three_runs(client, state, source);
    CHECK(!file_contains(state, "test-key"));
    CHECK(!file_contains(state, "@example.com"));

    CHECK_OK(yespo_sync_status(state, &text, &err), err);
    status = take_json(text, "sync status");
    CHECK(json_int(status, "entries") == SYNC_ROWS + 1);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(json_object_get(status, "runs"), 0), "status")), "refused") == 0);
    json_decref(status);

    /* finish twice */
    CHECK_OK(yespo_sync_begin(client, state, "{\"dryRun\":true}", &sync, &err), err);
    CHECK_OK(yespo_sync_finish(sync, &text, &err), err);
    yespo_free(text);
    CHECK(yespo_sync_finish(sync, &text, &err) == YESPO_E_STATE);
    yespo_error_free(err);
    err = NULL;
    yespo_sync_free(sync);

    /* PostgreSQL: the same three runs (the server is started and stopped here) */
    root = getenv("YESPO_REPO_ROOT") != NULL ? getenv("YESPO_REPO_ROOT") : ".";
    snprintf(cmd, sizeof cmd, "bash '%s/scripts/pg-temp.sh' start %s/pg", root, dir);
    snprintf(pg_stop_cmd, sizeof pg_stop_cmd, "bash '%s/scripts/pg-temp.sh' stop %s/pg", root, dir);
    atexit(stop_postgres);
    pg = popen(cmd, "r");
    CHECK(pg != NULL);
    if (fgets(url, sizeof url, pg) == NULL) url[0] = 0;
    pclose(pg);
    url[strcspn(url, "\n")] = 0;
    CHECK_MSG(strncmp(url, "postgres://", 11) == 0, "could not start PostgreSQL (%s)", url);
    three_runs(client, url, source);
    stop_postgres();

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}
