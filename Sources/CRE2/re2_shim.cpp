#include "CRE2.h"

#include <re2/re2.h>
#include <cstdlib>
#include <cstring>
#include <string>

struct mesh_re2 {
  re2::RE2 regex;
  mesh_re2(const char *pattern, size_t length)
      : regex(re2::StringPiece(pattern, length), quietOptions()) {}

  static re2::RE2::Options quietOptions() {
    re2::RE2::Options options;
    options.set_log_errors(false);
    return options;
  }
};

static void copy_error(const re2::RE2 &regex, char *error, size_t error_capacity) {
  if (error == nullptr || error_capacity == 0) return;
  const std::string &reason = regex.error();
  size_t n = reason.size() < error_capacity - 1 ? reason.size() : error_capacity - 1;
  std::memcpy(error, reason.data(), n);
  error[n] = '\0';
}

extern "C" mesh_re2 *mesh_re2_compile(const char *pattern, size_t length, char *error,
                                      size_t error_capacity) {
  mesh_re2 *re = new mesh_re2(pattern, length);
  if (re->regex.ok()) return re;
  copy_error(re->regex, error, error_capacity);
  delete re;
  return nullptr;
}

extern "C" int mesh_re2_check(const char *pattern, size_t length, char *error, size_t error_capacity) {
  mesh_re2 re(pattern, length);
  if (re.regex.ok()) return re.regex.ProgramSize();
  copy_error(re.regex, error, error_capacity);
  return -1;
}

extern "C" int mesh_re2_full_match(const mesh_re2 *re, const char *text, size_t length) {
  return re2::RE2::FullMatch(re2::StringPiece(text, length), re->regex) ? 1 : 0;
}

extern "C" int mesh_re2_program_size(const mesh_re2 *re) { return re->regex.ProgramSize(); }

extern "C" char *mesh_re2_global_replace(const mesh_re2 *re, const char *text, size_t length, const char *rewrite,
                                         size_t rewrite_length, size_t *out_length) {
  std::string value(text, length);
  re2::StringPiece replacement(rewrite, rewrite_length);
  std::string error;
  if (!re->regex.CheckRewriteString(replacement, &error)) return nullptr;
  re2::RE2::GlobalReplace(&value, re->regex, replacement);
  char *out = static_cast<char *>(std::malloc(value.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, value.data(), value.size());
  out[value.size()] = '\0';
  *out_length = value.size();
  return out;
}

extern "C" void mesh_re2_string_free(char *s) { std::free(s); }

extern "C" void mesh_re2_free(mesh_re2 *re) { delete re; }
