/* Loads libyespo.so with dlopen (path in argv[1]) in a process whose environment is empty, and
 * uses it: proves the library needs nothing from the Swift toolchain and leaves the host's signal
 * handlers alone (no crash handler installed behind the host's back). */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "yespo.h"

typedef const char *(*version_fn)(void);
typedef int (*client_new_fn)(const char *, yespo_client **, yespo_error **);
typedef int (*set_option_fn)(yespo_client *, yespo_option, int64_t, yespo_error **);
typedef void (*client_free_fn)(yespo_client *);

static const int watched[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGPIPE};
#define WATCHED (sizeof watched / sizeof watched[0])

static void handlers(struct sigaction *out) {
    size_t i;
    for (i = 0; i < WATCHED; i++) sigaction(watched[i], NULL, &out[i]);
}

int main(int argc, char **argv) {
    struct sigaction before[WATCHED], after[WATCHED];
    void *lib;
    version_fn version;
    client_new_fn client_new;
    set_option_fn set_option;
    client_free_fn client_free;
    yespo_client *client = NULL;
    size_t i;
    union { void *object; version_fn fn; } v;
    union { void *object; client_new_fn fn; } n;
    union { void *object; set_option_fn fn; } s;
    union { void *object; client_free_fn fn; } f;

    if (argc != 2) { fprintf(stderr, "usage: loadtest /path/libyespo.so\n"); return 2; }
    handlers(before);
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) { fprintf(stderr, "FAIL dlopen: %s\n", dlerror()); return 1; }
    v.object = dlsym(lib, "yespo_version");
    n.object = dlsym(lib, "yespo_client_new");
    s.object = dlsym(lib, "yespo_client_set_option");
    f.object = dlsym(lib, "yespo_client_free");
    version = v.fn;
    client_new = n.fn;
    set_option = s.fn;
    client_free = f.fn;
    if (!version || !client_new || !set_option || !client_free) { fprintf(stderr, "FAIL dlsym\n"); return 1; }
    if (client_new("test-key", &client, NULL) != YESPO_OK) { fprintf(stderr, "FAIL client_new\n"); return 1; }
    if (set_option(client, YESPO_OPT_CONCURRENCY, 4, NULL) != YESPO_OK) { fprintf(stderr, "FAIL set_option\n"); return 1; }
    client_free(client);
    handlers(after);
    for (i = 0; i < WATCHED; i++) {
        if (memcmp(&before[i].sa_handler, &after[i].sa_handler, sizeof before[i].sa_handler) != 0) {
            fprintf(stderr, "FAIL the library changed the handler of signal %d\n", watched[i]);
            return 1;
        }
    }
    printf("load: ok (libyespo %s from %s, signal handlers untouched)\n", version(), argv[1]);
    return 0;
}
