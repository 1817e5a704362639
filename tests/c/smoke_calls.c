/* The C smoke test, second half: every single call against the emulator, and a refused key. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smoke.h"

typedef struct log_seen {
    pthread_mutex_t lock;
    int lines;
    int bad_level;
    int leaked_key; /* a line contained the API key */
    const char *key;
} log_seen;

static void on_log(int level, const char *message, void *userdata) {
    log_seen *seen = userdata;
    pthread_mutex_lock(&seen->lock);
    seen->lines++;
    if (level < YESPO_LOG_ERROR || level > YESPO_LOG_DEBUG) seen->bad_level = 1;
    if (strstr(message, seen->key) != NULL) seen->leaked_key = 1;
    pthread_mutex_unlock(&seen->lock);
}

/* POST /contacts/upload with a link to a CSV this test serves on loopback: the import finishes
 * and the emulator holds the file's contacts, made by a "fileImport". */
static void upload_from_link(yespo_client *client) {
    yespo_error *err = NULL;
    char request[256], *out = NULL, *session;
    int port;
    json_t *doc, *contact;
    file_server *files = file_server_start("First name,Last name,Email\nUp,One,up1@example.com\nUp,Two,up2@example.com\n", &port);

    snprintf(request, sizeof request, "{\"link\":\"http://127.0.0.1:%d/contacts.csv\",\"dedupeOn\":\"email\"}", port);
    CHECK_OK(yespo_contacts_upload(client, request, &out, &err), err);
    doc = take_json(out, "upload");
    CHECK(json_is_string(json_object_get(doc, "asyncSessionId")));
    session = strdup(json_string_value(json_object_get(doc, "asyncSessionId")));
    json_decref(doc);
    CHECK_OK(yespo_import_wait(client, session, 10000, &out, &err), err);
    doc = take_json(out, "upload import");
    CHECK_MSG(strcmp(json_string_value(json_object_get(doc, "status")), "FINISHED") == 0, "upload import: %s",
              json_string_value(json_object_get(doc, "status")));
    CHECK(json_array_size(json_object_get(doc, "mapping")) == 2);
    json_decref(doc);
    free(session);
    CHECK(file_server_stop(files) == 1);
    contact = admin_contact_by_email(&emu, "up2@example.com");
    CHECK(contact != NULL);
    CHECK(strcmp(json_string_value(json_object_get(contact, "source")), "fileImport") == 0);
    CHECK(strcmp(json_string_value(json_object_get(contact, "lastName")), "Two") == 0);
    json_decref(contact);
}

/* Issue 13's calls against the emulator: an event through the derived v2 URL (in the event log),
 * a prepared message and an SMS that create contacts (in the message log), and orders deleted by
 * id and by window. */
static void events_orders_messages(yespo_client *client) {
    yespo_error *err = NULL;
    char *out = NULL;
    json_t *doc;

    CHECK_OK(yespo_event_send(client, "{\"eventTypeKey\":\"smoke_event\",\"params\":[{\"name\":\"email\",\"value\":\"ev@example.com\"},{\"name\":\"n\",\"value\":3}]}", &err), err);
    doc = admin_json(&emu, "GET", "/_emulator/events?type=smoke_event", NULL);
    CHECK(json_is_array(doc) && json_array_size(doc) == 1);
    json_decref(doc);

    CHECK_OK(yespo_message_sms(client, "{\"from\":\"Shop\",\"text\":\"hi\",\"phoneNumbers\":[\"380504445566\"]}", &out, &err), err);
    doc = take_json(out, "sms answer");
    CHECK(json_is_object(doc));
    json_decref(doc);
    CHECK_OK(yespo_message_send(client, 42, "{\"recipients\":[\"prepared@example.com\"],\"email\":true}", &out, &err), err);
    doc = take_json(out, "prepared answer");
    CHECK(json_is_object(doc));
    json_decref(doc);
    doc = admin_json(&emu, "GET", "/_emulator/messages", NULL);
    CHECK(json_is_array(doc) && json_array_size(doc) == 2);
    json_decref(doc);

    CHECK_OK(yespo_orders_delete(client, "{\"externalOrderId\":\"no-such-order\"}", &err), err);
    CHECK_OK(yespo_orders_delete(client, "{\"from\":\"2026-11-30T00:00:00\",\"to\":\"2026-11-30T12:00:00\"}", &err), err);
}

static long long contact_id_from(char *json_text) {
    json_t *doc = take_json(json_text, "id answer");
    long long id = json_int(doc, "id");
    json_decref(doc);
    return id;
}

void single_calls(yespo_client *client, const char *session) {
    yespo_error *err = NULL;
    char *out = NULL, path[128];
    long long id, sub_id, ext_id, group_id = 0;
    json_t *doc;
    size_t i;

    CHECK_OK(yespo_contact_add(client, "{\"firstName\":\"Single\",\"channels\":[{\"type\":\"email\",\"value\":\"single@example.com\"}]}", &out, &err), err);
    id = contact_id_from(out);
    CHECK(id > 0);
    CHECK_OK(yespo_contact_get(client, id, &out, &err), err);
    doc = take_json(out, "contact");
    CHECK(strcmp(json_string_value(json_object_get(doc, "firstName")), "Single") == 0);
    json_decref(doc);
    CHECK_OK(yespo_contact_update(client, id, "{\"firstName\":\"Single\",\"lastName\":\"Updated\",\"channels\":[{\"type\":\"email\",\"value\":\"single@example.com\"}]}", &err), err);
    snprintf(path, sizeof path, "/_emulator/contacts/%lld", id);
    doc = admin_json(&emu, "GET", path, NULL);
    CHECK(strcmp(json_string_value(json_object_get(doc, "lastName")), "Updated") == 0);
    CHECK(strcmp(json_string_value(json_object_get(doc, "source")), "api") == 0);
    json_decref(doc);

    CHECK_OK(yespo_subscribe(client, "{\"contact\":{\"channels\":[{\"type\":\"email\",\"value\":\"sub@example.com\"}]},\"groups\":[\"subs\"],\"formType\":\"popup\"}", &out, &err), err);
    sub_id = contact_id_from(out);
    snprintf(path, sizeof path, "/_emulator/contacts/%lld", sub_id);
    doc = admin_json(&emu, "GET", path, NULL);
    CHECK(strcmp(json_string_value(json_object_get(doc, "source")), "subscriptionForm") == 0);
    CHECK(json_is_false(json_object_get(doc, "confirmed")));
    json_decref(doc);

    CHECK_OK(yespo_contacts_search(client, "{\"email\":\"single@example.com\"}", &out, &err), err);
    doc = take_json(out, "search");
    CHECK(json_int(doc, "totalCount") >= 1);
    CHECK(json_array_size(json_object_get(doc, "contacts")) >= 1);
    json_decref(doc);

    CHECK_OK(yespo_segments_list(client, NULL, &out, &err), err);
    doc = take_json(out, "segments");
    for (i = 0; i < json_array_size(doc); i++) {
        json_t *g = json_array_get(doc, i);
        if (strcmp(json_string_value(json_object_get(g, "name")), "smoke") == 0) group_id = json_int(g, "id");
    }
    json_decref(doc);
    CHECK_MSG(group_id > 0, "segment 'smoke' made by groupNames not listed");
    CHECK_OK(yespo_segment_contacts(client, group_id, "{\"maxrows\":5}", &out, &err), err);
    doc = take_json(out, "segment contacts");
    CHECK_MSG(json_int(doc, "totalCount") == NDJSON_ACCEPTED, "segment size %lld", json_int(doc, "totalCount"));
    CHECK(json_array_size(json_object_get(doc, "contacts")) == 5);
    json_decref(doc);
    {
        char ids[64];
        snprintf(ids, sizeof ids, "{\"contactIds\":[%lld]}", id);
        CHECK_OK(yespo_segment_attach(client, group_id, ids, &err), err);
        CHECK_OK(yespo_segment_contacts(client, group_id, NULL, &out, &err), err);
        doc = take_json(out, "segment contacts");
        CHECK(json_int(doc, "totalCount") == NDJSON_ACCEPTED + 1);
        json_decref(doc);
        CHECK_OK(yespo_segment_detach(client, group_id, ids, &err), err);
        CHECK_OK(yespo_segment_contacts(client, group_id, NULL, &out, &err), err);
        doc = take_json(out, "segment contacts");
        CHECK(json_int(doc, "totalCount") == NDJSON_ACCEPTED);
        json_decref(doc);
    }

    CHECK_OK(yespo_import_status(client, session, &out, &err), err);
    doc = take_json(out, "import status");
    CHECK(strcmp(json_string_value(json_object_get(doc, "status")), "FINISHED") == 0);
    CHECK(json_array_size(json_object_get(doc, "mapping")) >= 490 && json_array_size(json_object_get(doc, "mapping")) <= 500);
    json_decref(doc);
    CHECK_OK(yespo_import_wait(client, session, 5000, &out, &err), err);
    doc = take_json(out, "import wait");
    CHECK(strcmp(json_string_value(json_object_get(doc, "status")), "FINISHED") == 0);
    json_decref(doc);
    CHECK(yespo_import_status(client, "no-such-session", &out, &err) == YESPO_E_NOT_FOUND);
    CHECK(out == NULL && yespo_error_http_status(err) == 404);
    yespo_error_free(err);
    err = NULL;

    CHECK_OK(yespo_emails_unsubscribed(client, "[\"single@example.com\"]", 1, &err), err);
    CHECK_OK(yespo_emails_unsubscribed(client, "[\"single@example.com\"]", 0, &err), err);

    CHECK_OK(yespo_contact_add(client, "{\"externalCustomerId\":\"ext-1\",\"channels\":[{\"type\":\"sms\",\"value\":\"380501112233\"}]}", &out, &err), err);
    ext_id = contact_id_from(out);
    CHECK_OK(yespo_contact_delete_external(client, "ext-1", 0, &err), err);
    snprintf(path, sizeof path, "/_emulator/contacts/%lld", ext_id);
    doc = admin_json(&emu, "GET", path, NULL);
    CHECK(json_is_true(json_object_get(doc, "deleted")));
    json_decref(doc);

    CHECK_OK(yespo_contact_delete(client, id, &err), err);
    CHECK(yespo_contact_get(client, id, &out, &err) == YESPO_E_NOT_FOUND);
    CHECK(out == NULL && yespo_error_code(err) == YESPO_E_NOT_FOUND && yespo_error_http_status(err) == 404);
    yespo_error_free(err);
    err = NULL;
    CHECK(yespo_contact_update(client, id, "{\"channels\":[{\"type\":\"email\",\"value\":\"x@example.com\"}]}", &err) == YESPO_E_NOT_FOUND);
    yespo_error_free(err);
    err = NULL;

    upload_from_link(client);
    events_orders_messages(client);

    CHECK_OK(yespo_client_stats(client, &out, &err), err);
    doc = take_json(out, "stats");
    CHECK(json_int(doc, "requests") > 10);
    CHECK(json_int(doc, "bytesSent") > 0);
    json_decref(doc);
}

/* A refused key: YESPO_E_AUTH with the status, and the key appears nowhere in the message. */
void wrong_key(void) {
    yespo_client *client = NULL;
    yespo_error *err = NULL;
    char *out = NULL;
    log_seen seen;
    int lines_before;

    memset(&seen, 0, sizeof seen);
    pthread_mutex_init(&seen.lock, NULL);
    seen.key = "wrong-secret-key";
    CHECK_OK(yespo_client_new("wrong-secret-key", &client, &err), err);
    CHECK_OK(yespo_client_set_option_str(client, YESPO_OPT_BASE_URL, emu.base_url, &err), err);
    CHECK_OK(yespo_client_set_log_callback(client, on_log, YESPO_LOG_DEBUG, &seen, &err), err);
    CHECK(yespo_contact_get(client, 1, &out, &err) == YESPO_E_AUTH);
    CHECK(yespo_error_http_status(err) == 401);
    CHECK(strstr(yespo_error_message(err), "wrong-secret-key") == NULL);
    yespo_error_free(err);
    err = NULL;
    /* a bulk job stopped by 401 still reports, with "fatal" saying why */
    {
        yespo_job *job = NULL;
        yespo_report *report = NULL;
        json_t *summary;
        static const char row[] = "{\"channels\":[{\"type\":\"email\",\"value\":\"k@example.com\"}]}";
        CHECK_OK(yespo_upsert_begin(client, NULL, &job, &err), err);
        {
            int rc = yespo_job_feed_ndjson(job, row, sizeof row - 1, &err);
            CHECK(rc == YESPO_OK || rc == YESPO_E_CANCELLED);
            yespo_error_free(err);
            err = NULL;
        }
        CHECK_OK(yespo_job_finish(job, &report, &err), err);
        summary = report_summary(report);
        CHECK(json_is_object(json_object_get(summary, "fatal")));
        CHECK(json_int(json_object_get(summary, "fatal"), "code") == YESPO_E_AUTH);
        CHECK(json_int(summary, "notSent") + json_int(summary, "rejected") == 1);
        {
            char *text = NULL;
            CHECK_OK(yespo_report_json(report, &text, &err), err);
            CHECK(strstr(text, "wrong-secret-key") == NULL);
            yespo_free(text);
        }
        json_decref(summary);
        yespo_report_free(report);
        yespo_job_free(job);
    }
    pthread_mutex_lock(&seen.lock);
    CHECK_MSG(seen.lines >= 2, "log lines: %d", seen.lines);
    CHECK(!seen.bad_level && !seen.leaked_key);
    lines_before = seen.lines;
    pthread_mutex_unlock(&seen.lock);
    /* removed: no more lines */
    CHECK_OK(yespo_client_set_log_callback(client, NULL, 0, NULL, &err), err);
    CHECK(yespo_contact_get(client, 1, &out, &err) == YESPO_E_AUTH);
    yespo_error_free(err);
    yespo_client_free(client);
    CHECK(seen.lines == lines_before);
    pthread_mutex_destroy(&seen.lock);
}
