/* 16 threads at once, first all on one client, then each on its own client: each runs a bulk
 * upsert of its own contacts and a few single calls. Every result must be right and the emulator
 * must end up with exactly the contacts sent. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "yespo.h"

#define THREADS 16
#define ROWS_PER_THREAD 400

static emulator emu;

typedef struct worker {
    pthread_t thread;
    int index;
    int phase;
    yespo_client *client; /* shared (phase 1) or NULL: make an own one (phase 2) */
    char failure[512];
} worker;

/* Records the first failure of a worker; the main thread reports it. */
#define WCHECK(w, cond, ...) do { if (!(cond)) { snprintf((w)->failure, sizeof (w)->failure, __VA_ARGS__); goto done; } } while (0)

static void *work(void *arg) {
    worker *w = arg;
    yespo_client *client = w->client;
    yespo_error *err = NULL;
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    char *buf = malloc(ROWS_PER_THREAD * 128), *out = NULL, contact[256];
    size_t len = 0;
    json_t *doc = NULL;
    long long id;
    int i, rc;

    if (client == NULL) {
        rc = yespo_client_new("test-key", &client, &err);
        WCHECK(w, rc == YESPO_OK, "client_new %d", rc);
        rc = yespo_client_set_option_str(client, YESPO_OPT_BASE_URL, emu.base_url, &err);
        WCHECK(w, rc == YESPO_OK, "set base url %d", rc);
        rc = yespo_client_set_option(client, YESPO_OPT_CHUNK_SIZE, 100, &err);
        WCHECK(w, rc == YESPO_OK, "set chunk size %d", rc);
    }
    for (i = 0; i < ROWS_PER_THREAD; i++)
        len += (size_t)sprintf(buf + len, "{\"firstName\":\"T%d\",\"channels\":[{\"type\":\"email\",\"value\":\"p%d-t%d-%d@example.com\"}]}\n",
                               w->index, w->phase, w->index, i);
    rc = yespo_upsert_begin(client, "{\"dedupeOn\":\"email\"}", &job, &err);
    WCHECK(w, rc == YESPO_OK, "upsert_begin %d: %s", rc, yespo_error_message(err));
    /* several feeds per job, as a binding streaming its input would do */
    {
        size_t quarter = len / 4, start = 0;
        int part;
        for (part = 0; part < 4; part++) {
            size_t end = part == 3 ? len : (size_t)(strchr(buf + start + quarter, '\n') - buf) + 1;
            rc = yespo_job_feed_ndjson(job, buf + start, end - start, &err);
            WCHECK(w, rc == YESPO_OK, "feed %d: %s", rc, yespo_error_message(err));
            start = end;
        }
    }
    rc = yespo_job_finish(job, &report, &err);
    WCHECK(w, rc == YESPO_OK, "finish %d: %s", rc, yespo_error_message(err));
    rc = yespo_report_json(report, &out, &err);
    WCHECK(w, rc == YESPO_OK, "report_json %d", rc);
    doc = json_loads(out, 0, NULL);
    yespo_free(out);
    out = NULL;
    WCHECK(w, doc != NULL, "report is not JSON");
    WCHECK(w, json_integer_value(json_object_get(doc, "rows")) == ROWS_PER_THREAD &&
              json_integer_value(json_object_get(doc, "accepted")) == ROWS_PER_THREAD,
           "thread %d: rows %lld accepted %lld", w->index, (long long)json_integer_value(json_object_get(doc, "rows")),
           (long long)json_integer_value(json_object_get(doc, "accepted")));
    json_decref(doc);
    doc = NULL;

    snprintf(contact, sizeof contact, "{\"firstName\":\"S%d\",\"channels\":[{\"type\":\"email\",\"value\":\"single-p%d-t%d@example.com\"}]}",
             w->index, w->phase, w->index);
    rc = yespo_contact_add(client, contact, &out, &err);
    WCHECK(w, rc == YESPO_OK, "contact_add %d: %s", rc, yespo_error_message(err));
    doc = json_loads(out, 0, NULL);
    yespo_free(out);
    out = NULL;
    id = doc ? (long long)json_integer_value(json_object_get(doc, "id")) : 0;
    json_decref(doc);
    doc = NULL;
    WCHECK(w, id > 0, "contact_add gave no id");
    rc = yespo_contact_get(client, id, &out, &err);
    WCHECK(w, rc == YESPO_OK, "contact_get %d: %s", rc, yespo_error_message(err));
    doc = json_loads(out, 0, NULL);
    yespo_free(out);
    out = NULL;
    {
        char want[16];
        const char *got = doc ? json_string_value(json_object_get(doc, "firstName")) : NULL;
        snprintf(want, sizeof want, "S%d", w->index);
        WCHECK(w, got != NULL && strcmp(got, want) == 0, "contact_get %lld: firstName %s, expected %s", id, got ? got : "(none)", want);
    }
    rc = yespo_client_stats(client, &out, &err);
    WCHECK(w, rc == YESPO_OK, "stats %d", rc);
done:
    if (err != NULL) yespo_error_free(err);
    yespo_free(out);
    json_decref(doc);
    yespo_report_free(report);
    yespo_job_free(job);
    if (w->client == NULL) yespo_client_free(client);
    free(buf);
    return NULL;
}

static void run_phase(int phase, yespo_client *shared) {
    worker workers[THREADS];
    int i;
    memset(workers, 0, sizeof workers);
    for (i = 0; i < THREADS; i++) {
        workers[i].index = i;
        workers[i].phase = phase;
        workers[i].client = shared;
        CHECK(pthread_create(&workers[i].thread, NULL, work, &workers[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) pthread_join(workers[i].thread, NULL);
    for (i = 0; i < THREADS; i++) CHECK_MSG(workers[i].failure[0] == '\0', "phase %d worker %d: %s", phase, i, workers[i].failure);
}

/* Phase 3: threads keep using a client while the main thread frees it. Every call must answer
 * with a code that fits (ok, or state/cancelled/bad handle once the client is going away). */
typedef struct racer {
    pthread_t thread;
    yespo_client *client;
    int index;
    int calls;
    char failure[256];
} racer;

static int acceptable(int rc) {
    return rc == YESPO_OK || rc == YESPO_E_STATE || rc == YESPO_E_CANCELLED || rc == YESPO_E_BAD_HANDLE ||
           rc == YESPO_E_NOT_FOUND;
}

static void *race(void *arg) {
    racer *r = arg;
    static const char row[] = "{\"channels\":[{\"type\":\"email\",\"value\":\"race@example.com\"}]}";
    for (;;) {
        yespo_error *err = NULL;
        yespo_job *job = NULL;
        yespo_report *report = NULL;
        char *out = NULL;
        int rc;
        r->calls++;
        if (r->index % 2 == 0) {
            rc = yespo_contact_get(r->client, 1, &out, &err);
        } else {
            rc = yespo_upsert_begin(r->client, NULL, &job, &err);
            if (rc == YESPO_OK) {
                int feed = yespo_job_feed_ndjson(job, row, sizeof row - 1, NULL);
                int fin = yespo_job_finish(job, &report, NULL);
                if (!acceptable(feed) || !acceptable(fin)) rc = !acceptable(feed) ? feed : fin;
                yespo_report_free(report);
                yespo_job_free(job);
            }
        }
        yespo_free(out);
        if (!acceptable(rc)) snprintf(r->failure, sizeof r->failure, "call %d -> %d: %s", r->calls, rc, yespo_error_message(err));
        yespo_error_free(err);
        if (rc == YESPO_E_BAD_HANDLE || !acceptable(rc)) break;
    }
    return NULL;
}

static void free_while_in_use(void) {
    racer racers[8];
    yespo_client *client = test_client(&emu);
    struct timespec pause = {0, 300 * 1000 * 1000};
    int i;
    memset(racers, 0, sizeof racers);
    for (i = 0; i < 8; i++) {
        racers[i].client = client;
        racers[i].index = i;
        CHECK(pthread_create(&racers[i].thread, NULL, race, &racers[i]) == 0);
    }
    nanosleep(&pause, NULL);
    yespo_client_free(client);
    for (i = 0; i < 8; i++) pthread_join(racers[i].thread, NULL);
    for (i = 0; i < 8; i++) {
        CHECK_MSG(racers[i].failure[0] == '\0', "racer %d: %s", i, racers[i].failure);
    }
}

int main(void) {
    yespo_client *shared;
    yespo_error *err = NULL;
    size_t expected;

    emulator_start(&emu, NULL);
    shared = test_client(&emu);
    CHECK_OK(yespo_client_set_option(shared, YESPO_OPT_CHUNK_SIZE, 100, &err), err);
    CHECK_OK(yespo_client_set_option(shared, YESPO_OPT_CONCURRENCY, 16, &err), err);
    run_phase(1, shared);
    yespo_client_free(shared);
    run_phase(2, NULL);

    free_while_in_use();
    json_decref(admin_json(&emu, "POST", "/_emulator/imports/flush", NULL));
    /* phase 3 adds the one contact race@example.com if one of its jobs got through before the free */
    {
        json_t *raced = admin_contact_by_email(&emu, "race@example.com");
        expected = 2 * THREADS * (ROWS_PER_THREAD + 1) + (raced != NULL ? 1 : 0);
        json_decref(raced);
    }
    CHECK_MSG(admin_contact_count(&emu) == expected, "emulator has %lu contacts, expected %lu",
              (unsigned long)admin_contact_count(&emu), (unsigned long)expected);
    emulator_stop(&emu);
    printf("threads: ok (%d threads x 2 phases, %lu contacts; a client freed under 8 busy threads)\n", THREADS,
           (unsigned long)expected);
    return 0;
}
