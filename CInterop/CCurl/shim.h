/* libcurl for Swift: curl's variadic setopt/getinfo calls do not import, so each is wrapped in a
 * typed static inline function. Nothing else belongs here. */
#ifndef YESPO_CCURL_SHIM_H
#define YESPO_CCURL_SHIM_H
#include <curl/curl.h>

static inline CURLcode yespo_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode yespo_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode yespo_easy_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode yespo_easy_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode yespo_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*yespo_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode yespo_easy_setopt_datacb(CURL *h, CURLoption o, yespo_curl_data_cb v) { return curl_easy_setopt(h, o, v); }
typedef int (*yespo_curl_seek_cb)(void *userdata, curl_off_t offset, int origin);
static inline CURLcode yespo_easy_setopt_seekcb(CURL *h, yespo_curl_seek_cb v) { return curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, v); }
typedef int (*yespo_curl_prereq_cb)(void *userdata, char *primary_ip, char *local_ip, int primary_port, int local_port);
static inline CURLcode yespo_easy_setopt_prereqcb(CURL *h, yespo_curl_prereq_cb v) { return curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, v); }
typedef int (*yespo_curl_xferinfo_cb)(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode yespo_easy_setopt_xferinfo(CURL *h, yespo_curl_xferinfo_cb v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
static inline CURLcode yespo_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode yespo_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode yespo_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode yespo_easy_getinfo_str(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode yespo_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
#endif
