#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
// libcurl and zlib for the HTTP outputs. curl_easy_setopt and curl_easy_getinfo are variadic and
// deflateInit2 is a macro, so Swift calls them through these typed wrappers.
#include <curl/curl.h>
#include <zlib.h>

static inline CURLcode nf_curl_set_long(CURL *handle, CURLoption option, long value) {
  return curl_easy_setopt(handle, option, value);
}

static inline CURLcode nf_curl_set_string(CURL *handle, CURLoption option, const char *value) {
  return curl_easy_setopt(handle, option, value);
}

static inline CURLcode nf_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
  return curl_easy_setopt(handle, option, value);
}

static inline CURLcode nf_curl_set_headers(CURL *handle, struct curl_slist *headers) {
  return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}

static inline CURLcode nf_curl_set_body(CURL *handle, const void *bytes, curl_off_t length) {
  CURLcode code = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, length);
  if (code != CURLE_OK) return code;
  return curl_easy_setopt(handle, CURLOPT_POSTFIELDS, bytes);
}

static inline CURLcode nf_curl_set_write(CURL *handle, curl_write_callback callback, void *context) {
  CURLcode code = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
  if (code != CURLE_OK) return code;
  return curl_easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

static inline CURLcode nf_curl_set_progress(CURL *handle, curl_xferinfo_callback callback, void *context) {
  CURLcode code = curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
  if (code != CURLE_OK) return code;
  code = curl_easy_setopt(handle, CURLOPT_XFERINFODATA, context);
  if (code != CURLE_OK) return code;
  return curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}

static inline long nf_curl_status(CURL *handle) {
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

/// Seconds the server asked to wait (Retry-After as seconds or as a date), or -1.
static inline long long nf_curl_retry_after(CURL *handle) {
  curl_off_t seconds = 0;
  if (curl_easy_getinfo(handle, CURLINFO_RETRY_AFTER, &seconds) != CURLE_OK || seconds <= 0) return -1;
  return (long long)seconds;
}

/// Starts a gzip stream (deflate with a gzip header and trailer).
static inline int nf_gzip_init(z_stream *stream, int level) {
  return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
