/* Test helpers for the C suites: start/stop the emulator, talk to its admin API over plain HTTP,
 * and fail loudly (stopping the emulator first) when a check does not hold. */
#ifndef YESPO_TESTUTIL_H
#define YESPO_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include "yespo.h"

typedef struct emulator {
    pid_t pid;
    int port;
    int stdout_fd; /* kept open so the emulator never writes into a closed pipe */
    char base_url[96]; /* http://127.0.0.1:PORT/api/v1 */
} emulator;

/* Starts $YESPO_EMULATOR on a free loopback port with --quiet plus `extra_args` (NULL-terminated,
 * may be NULL) and waits for its "listening" line. Exits the test on failure. The emulator dies
 * with the test process even if the test crashes (PR_SET_PDEATHSIG). */
void emulator_start(emulator *emu, const char *const *extra_args);
/* SIGTERM, wait, SIGKILL after 5 s. Idempotent. */
void emulator_stop(emulator *emu);

/* One HTTP/1.1 request to the emulator (no auth; for /_emulator/ routes). Returns the body
 * (malloc'd, NUL-terminated; *len_out gets its length when not NULL) and the status via *status. */
char *http_request(const emulator *emu, const char *method, const char *path, const char *body,
                   int *status, size_t *len_out);
/* GET/POST an admin route and parse the JSON answer; fails the test on a non-200 or bad JSON. */
json_t *admin_json(const emulator *emu, const char *method, const char *path, const char *body);
/* Counts the non-empty lines of GET /_emulator/contacts. */
size_t admin_contact_count(const emulator *emu);

/* The stored contact (GET /_emulator/contacts) with this channel value, or NULL. */
json_t *admin_contact_by_email(const emulator *emu, const char *email);

/* Parses JSON text returned by the library; fails the test if it does not parse. Frees `text`
 * with yespo_free. */
json_t *take_json(char *text, const char *what);
/* An integer member of an object; fails the test when missing or not an integer. */
long long json_int(const json_t *obj, const char *key);

/* Creates a client pointed at the emulator with key "test-key"; fails the test otherwise. */
yespo_client *test_client(const emulator *emu);

void test_fail(const char *file, int line, const char *fmt, ...);
#define CHECK(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, "check failed: %s", #cond); } while (0)
#define CHECK_MSG(cond, ...) do { if (!(cond)) test_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
/* A library call that must succeed: on failure prints its code and message. */
#define CHECK_OK(call_with_err, errvar) do { \
    int rc_ = (call_with_err); \
    if (rc_ != YESPO_OK) test_fail(__FILE__, __LINE__, "%s -> %d (%s): %s", #call_with_err, rc_, \
                                   yespo_strerror(rc_), yespo_error_message(errvar)); \
} while (0)

/* A one-file HTTP server on 127.0.0.1 for POST /contacts/upload links: answers every GET with
 * `body` (copied) until stopped. */
typedef struct file_server file_server;
file_server *file_server_start(const char *body, int *port_out);
/* How many requests it answered. Stops the server and frees it. */
int file_server_stop(file_server *server);

/* The emulator the failure handler stops; set by emulator_start. */
void testutil_register_for_cleanup(emulator *emu);

/* Writes `text` into a new file under a fresh temp dir; returns the malloc'd path. */
char *write_temp_file(const char *name, const char *text);
/* Removes a file and its (then empty) temp dir made by write_temp_file. */
void remove_temp_file(char *path);

#endif
