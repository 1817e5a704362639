/* Implementation of testutil.h. POSIX + Linux (prctl); plain sockets for HTTP so the tests need no
 * HTTP library of their own. */
#define _GNU_SOURCE
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_EMULATORS 4
static emulator *cleanup_list[MAX_EMULATORS];

void testutil_register_for_cleanup(emulator *emu) {
    int i;
    for (i = 0; i < MAX_EMULATORS; i++) {
        if (cleanup_list[i] == NULL || cleanup_list[i] == emu) { cleanup_list[i] = emu; return; }
    }
}

void test_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    int i;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    for (i = 0; i < MAX_EMULATORS; i++) {
        if (cleanup_list[i] != NULL) emulator_stop(cleanup_list[i]);
    }
    exit(1);
}

void emulator_start(emulator *emu, const char *const *extra_args) {
    const char *path = getenv("YESPO_EMULATOR");
    const char *argv[32];
    int argc = 0, fds[2], i;
    char line[256];
    size_t used = 0;
    pid_t pid;

    memset(emu, 0, sizeof *emu);
    if (path == NULL || *path == '\0') test_fail(__FILE__, __LINE__, "YESPO_EMULATOR is not set");
    argv[argc++] = path;
    argv[argc++] = "--host";
    argv[argc++] = "127.0.0.1";
    argv[argc++] = "--port";
    argv[argc++] = "0";
    argv[argc++] = "--quiet";
    for (i = 0; extra_args != NULL && extra_args[i] != NULL && argc < 31; i++) argv[argc++] = extra_args[i];
    argv[argc] = NULL;

    if (pipe(fds) != 0) test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
    pid = fork();
    if (pid < 0) test_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    emu->pid = pid;
    emu->stdout_fd = fds[0];
    testutil_register_for_cleanup(emu);

    /* Read byte by byte up to the first newline: the rest of stdout stays in the pipe. */
    while (used < sizeof line - 1) {
        char c;
        ssize_t n = read(fds[0], &c, 1);
        if (n <= 0) break;
        if (c == '\n') break;
        line[used++] = c;
    }
    line[used] = '\0';
    {
        const char *p = strstr(line, "listening http://127.0.0.1:");
        if (p == NULL) test_fail(__FILE__, __LINE__, "emulator %s did not report its port (got '%s')", path, line);
        emu->port = atoi(p + strlen("listening http://127.0.0.1:"));
    }
    if (emu->port <= 0) test_fail(__FILE__, __LINE__, "bad emulator port in '%s'", line);
    snprintf(emu->base_url, sizeof emu->base_url, "http://127.0.0.1:%d/api/v1", emu->port);
}

void emulator_stop(emulator *emu) {
    int status, waited;
    if (emu == NULL || emu->pid <= 0) return;
    kill(emu->pid, SIGTERM);
    for (waited = 0; waited < 500; waited++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        if (waitpid(emu->pid, &status, WNOHANG) == emu->pid) {
            emu->pid = 0;
            close(emu->stdout_fd);
            return;
        }
        nanosleep(&ts, NULL);
    }
    kill(emu->pid, SIGKILL);
    waitpid(emu->pid, &status, 0);
    emu->pid = 0;
    close(emu->stdout_fd);
}

/* Appends n bytes to a growing buffer. */
static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n) {
    if (*len + n + 1 > *cap) {
        size_t want = (*cap == 0 ? 4096 : *cap);
        char *grown;
        while (want < *len + n + 1) want *= 2;
        grown = realloc(*buf, want);
        if (grown == NULL) test_fail(__FILE__, __LINE__, "out of memory");
        *buf = grown;
        *cap = want;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/* Decodes a chunked body in place; returns its new length. */
static size_t dechunk(char *body, size_t len) {
    size_t in = 0, out = 0;
    while (in < len) {
        char *end;
        unsigned long size = strtoul(body + in, &end, 16);
        char *crlf = strstr(body + in, "\r\n");
        if (crlf == NULL || end == body + in) break;
        in = (size_t)(crlf - body) + 2;
        if (size == 0 || in + size > len) break;
        memmove(body + out, body + in, size);
        out += size;
        in += size + 2;
    }
    body[out] = '\0';
    return out;
}

char *http_request(const emulator *emu, const char *method, const char *path, const char *body,
                   int *status, size_t *len_out) {
    struct sockaddr_in addr;
    char head[1024];
    char chunk[65536];
    char *resp = NULL, *header_end, *result;
    size_t len = 0, cap = 0, body_len, head_len;
    int fd, chunked;
    size_t body_size = body ? strlen(body) : 0;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) test_fail(__FILE__, __LINE__, "socket: %s", strerror(errno));
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)emu->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        test_fail(__FILE__, __LINE__, "connect to emulator: %s", strerror(errno));
    head_len = (size_t)snprintf(head, sizeof head,
                                "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                                "Content-Type: application/json\r\nContent-Length: %lu\r\n\r\n",
                                method, path, emu->port, (unsigned long)body_size);
    if (write(fd, head, head_len) != (ssize_t)head_len ||
        (body_size > 0 && write(fd, body, body_size) != (ssize_t)body_size))
        test_fail(__FILE__, __LINE__, "write to emulator: %s", strerror(errno));
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        append(&resp, &len, &cap, chunk, (size_t)n);
    }
    close(fd);
    if (resp == NULL || strncmp(resp, "HTTP/1.", 7) != 0)
        test_fail(__FILE__, __LINE__, "no HTTP answer to %s %s", method, path);
    *status = atoi(resp + 9);
    header_end = strstr(resp, "\r\n\r\n");
    if (header_end == NULL) test_fail(__FILE__, __LINE__, "unterminated headers from %s %s", method, path);
    *header_end = '\0';
    chunked = strstr(resp, "chunked") != NULL || strstr(resp, "Chunked") != NULL;
    body_len = len - (size_t)(header_end + 4 - resp);
    result = malloc(body_len + 1);
    if (result == NULL) test_fail(__FILE__, __LINE__, "out of memory");
    memcpy(result, header_end + 4, body_len);
    result[body_len] = '\0';
    free(resp);
    if (chunked) body_len = dechunk(result, body_len);
    if (len_out) *len_out = body_len;
    return result;
}

json_t *admin_json(const emulator *emu, const char *method, const char *path, const char *body) {
    int status;
    json_error_t jerr;
    char *text = http_request(emu, method, path, body, &status, NULL);
    json_t *doc;
    if (status != 200) test_fail(__FILE__, __LINE__, "%s %s -> %d: %s", method, path, status, text);
    doc = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (doc == NULL) test_fail(__FILE__, __LINE__, "%s %s: bad JSON (%s): %.200s", method, path, jerr.text, text);
    free(text);
    return doc;
}

size_t admin_contact_count(const emulator *emu) {
    int status;
    size_t count = 0;
    char *text = http_request(emu, "GET", "/_emulator/contacts", NULL, &status, NULL);
    char *line = text;
    if (status != 200) test_fail(__FILE__, __LINE__, "GET /_emulator/contacts -> %d", status);
    while (line != NULL && *line != '\0') {
        char *next = strchr(line, '\n');
        if (next != line && *line != '\r') count++;
        line = next ? next + 1 : NULL;
    }
    free(text);
    return count;
}

json_t *take_json(char *text, const char *what) {
    json_error_t jerr;
    json_t *doc;
    if (text == NULL) test_fail(__FILE__, __LINE__, "%s: NULL JSON text", what);
    doc = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (doc == NULL) test_fail(__FILE__, __LINE__, "%s: bad JSON (%s): %.300s", what, jerr.text, text);
    yespo_free(text);
    return doc;
}

long long json_int(const json_t *obj, const char *key) {
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) {
        char *dump = json_dumps(obj, JSON_COMPACT);
        fprintf(stderr, "object: %.500s\n", dump ? dump : "?");
        free(dump);
        test_fail(__FILE__, __LINE__, "missing integer member '%s'", key);
    }
    return (long long)json_integer_value(v);
}

yespo_client *test_client(const emulator *emu) {
    yespo_client *client = NULL;
    yespo_error *err = NULL;
    CHECK_OK(yespo_client_new("test-key", &client, &err), err);
    CHECK_OK(yespo_client_set_option_str(client, YESPO_OPT_BASE_URL, emu->base_url, &err), err);
    CHECK_OK(yespo_client_set_option(client, YESPO_OPT_IMPORT_POLL_MS, 20, &err), err);
    CHECK_OK(yespo_client_set_option(client, YESPO_OPT_RETRY_BASE_MS, 10, &err), err);
    CHECK_OK(yespo_client_set_option(client, YESPO_OPT_RETRY_MAX_MS, 200, &err), err);
    return client;
}

char *write_temp_file(const char *name, const char *text) {
    char dir[] = "/tmp/yespo-c-test-XXXXXX";
    char *path;
    FILE *f;
    size_t n;
    if (mkdtemp(dir) == NULL) test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
    n = strlen(dir) + strlen(name) + 2;
    path = malloc(n);
    if (path == NULL) test_fail(__FILE__, __LINE__, "out of memory");
    snprintf(path, n, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) test_fail(__FILE__, __LINE__, "writing %s", path);
    return path;
}

void remove_temp_file(char *path) {
    char *slash;
    if (path == NULL) return;
    unlink(path);
    slash = strrchr(path, '/');
    if (slash != NULL) {
        *slash = '\0';
        rmdir(path);
    }
    free(path);
}

struct file_server {
    int listen_fd;
    int served;
    pthread_mutex_t lock; /* guards stopping */
    int stopping;
    char *body;
    pthread_t thread;
};

static void *file_server_loop(void *arg) {
    file_server *fs = arg;
    for (;;) {
        char request[4096], head[256];
        int fd = accept(fs->listen_fd, NULL, NULL);
        size_t len = strlen(fs->body);
        int head_len;
        if (fd < 0) {
            if (errno == EINTR) continue;
            break;
        }
        {
            int stopping;
            pthread_mutex_lock(&fs->lock);
            stopping = fs->stopping;
            pthread_mutex_unlock(&fs->lock);
            if (stopping) { close(fd); break; }
        }
        /* one read is enough for a GET from the emulator; the answer closes the connection */
        if (read(fd, request, sizeof request) > 0) {
            head_len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n"
                                "Content-Length: %lu\r\nConnection: close\r\n\r\n", (unsigned long)len);
            if (write(fd, head, (size_t)head_len) == head_len && write(fd, fs->body, len) == (ssize_t)len) fs->served++;
        }
        close(fd);
    }
    return NULL;
}

file_server *file_server_start(const char *body, int *port_out) {
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    file_server *fs = calloc(1, sizeof *fs);
    if (fs == NULL || (fs->body = malloc(strlen(body) + 1)) == NULL) test_fail(__FILE__, __LINE__, "out of memory");
    strcpy(fs->body, body);
    pthread_mutex_init(&fs->lock, NULL);
    fs->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fs->listen_fd < 0 || bind(fs->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(fs->listen_fd, 8) != 0 || getsockname(fs->listen_fd, (struct sockaddr *)&addr, &addr_len) != 0)
        test_fail(__FILE__, __LINE__, "file server: %s", strerror(errno));
    *port_out = ntohs(addr.sin_port);
    if (pthread_create(&fs->thread, NULL, file_server_loop, fs) != 0) test_fail(__FILE__, __LINE__, "pthread_create");
    return fs;
}

int file_server_stop(file_server *fs) {
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    int served, poke;
    /* wake the accept() with one last connection, then join */
    pthread_mutex_lock(&fs->lock);
    fs->stopping = 1;
    pthread_mutex_unlock(&fs->lock);
    getsockname(fs->listen_fd, (struct sockaddr *)&addr, &addr_len);
    poke = socket(AF_INET, SOCK_STREAM, 0);
    if (poke >= 0) {
        if (connect(poke, (struct sockaddr *)&addr, sizeof addr) != 0) { /* the loop may already be gone */ }
        close(poke);
    }
    pthread_join(fs->thread, NULL);
    close(fs->listen_fd);
    served = fs->served;
    pthread_mutex_destroy(&fs->lock);
    free(fs->body);
    free(fs);
    return served;
}

json_t *admin_contact_by_email(const emulator *emu, const char *email) {
    int status;
    char *text = http_request(emu, "GET", "/_emulator/contacts", NULL, &status, NULL);
    char *line = text, *next;
    json_t *found = NULL;
    if (status != 200) test_fail(__FILE__, __LINE__, "GET /_emulator/contacts -> %d", status);
    for (; line != NULL && *line != '\0' && found == NULL; line = next) {
        json_t *contact, *channels;
        size_t i;
        next = strchr(line, '\n');
        if (next != NULL) *next++ = '\0';
        contact = json_loads(line, 0, NULL);
        channels = json_object_get(contact, "channels");
        for (i = 0; i < json_array_size(channels); i++) {
            const char *value = json_string_value(json_object_get(json_array_get(channels, i), "value"));
            if (value != NULL && strcmp(value, email) == 0) found = json_incref(contact);
        }
        json_decref(contact);
    }
    free(text);
    return found;
}
