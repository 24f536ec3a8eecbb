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

/// 1 when the whole of `text` matches, 0 otherwise.
int mesh_re2_full_match(const mesh_re2 *re, const char *text, size_t length);

/// Size of the compiled program (RE2's measure of regex cost).
int mesh_re2_program_size(const mesh_re2 *re);

void mesh_re2_free(mesh_re2 *re);

#ifdef __cplusplus
}
#endif

#endif
