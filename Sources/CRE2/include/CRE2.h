#ifndef MESHCTL_CRE2_H
#define MESHCTL_CRE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An RE2 program compiled once; opaque to Swift.
typedef struct mesh_re2 mesh_re2;

/// Compiles `pattern` with RE2's default (Envoy's) syntax. On failure returns NULL and writes
/// RE2's reason, NUL-terminated, into `error` (at most `error_capacity` bytes).
mesh_re2 *mesh_re2_compile(const char *pattern, size_t length, char *error, size_t error_capacity);

/// Compiles `pattern` as `mesh_re2_compile` does only to judge it, keeping nothing: returns the
/// program size, or -1 with RE2's reason written into `error` as `mesh_re2_compile` writes it.
int mesh_re2_check(const char *pattern, size_t length, char *error, size_t error_capacity);

/// 1 when the whole of `text` matches, 0 otherwise.
int mesh_re2_full_match(const mesh_re2 *re, const char *text, size_t length);

/// Size of the compiled program (RE2's measure of regex cost).
int mesh_re2_program_size(const mesh_re2 *re);

/// Replaces every match of `re` in `text` with `rewrite` (\1-style groups), as Envoy's
/// regex_rewrite does. Returns a malloc'd NUL-terminated string (free with mesh_re2_string_free)
/// and its length in *out_length, or NULL when the rewrite is invalid.
char *mesh_re2_global_replace(const mesh_re2 *re, const char *text, size_t length, const char *rewrite,
                              size_t rewrite_length, size_t *out_length);

void mesh_re2_string_free(char *s);

void mesh_re2_free(mesh_re2 *re);

#ifdef __cplusplus
}
#endif

#endif
