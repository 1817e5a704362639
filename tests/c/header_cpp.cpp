// The header compiled as C++ (-std=c++11 -Wall -Wextra -Werror -pedantic) and linked: the
// extern "C" block and every declaration must be valid C++, and the symbols must resolve.
#include "yespo.h"

#include <cstdio>
#include <cstring>

int main() {
    yespo_client *client = nullptr;
    yespo_error *err = nullptr;
    if (yespo_abi_version() != YESPO_ABI_VERSION) return 1;
    if (yespo_client_new("test-key", &client, &err) != YESPO_OK) return 2;
    int rc = yespo_client_set_option(client, YESPO_OPT_CONCURRENCY, 0, &err);
    if (rc != YESPO_E_INVALID_ARGUMENT || yespo_error_code(err) != rc) return 3;
    if (std::strlen(yespo_error_message(err)) == 0) return 4;
    yespo_error_free(err);
    yespo_log_fn log = nullptr;
    yespo_progress_fn progress = nullptr;
    (void)log;
    (void)progress;
    yespo_client_free(client);
    std::printf("c++ header: ok (libyespo %s)\n", yespo_version());
    return 0;
}
