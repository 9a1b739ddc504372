// dosageflow's optional native inflate: the system libdeflate behind two N-API calls. Loaded by
// src/io/native-deflate.ts, which falls back to Node's zlib when this did not build
// (docs/decisions/0303-native-libdeflate.md). One decompressor per Node environment (main thread
// or worker), since libdeflate's decompressors are not shared between threads.
#include <libdeflate.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>

static void free_decompressor(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  libdeflate_free_decompressor((struct libdeflate_decompressor *)data);
}

// The bytes of a Uint8Array argument: 1 with its base pointer (NULL when empty) and length, else 0.
static int bytes_of(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  void *p = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) return 0;
  static uint8_t empty[1];
  *data = p ? (uint8_t *)p : empty; // an empty array may have no storage
  return 1;
}

static int64_t int_of(napi_env env, napi_value v) {
  int64_t x = -1;
  if (napi_get_value_int64(env, v, &x) != napi_ok) return -1;
  return x;
}

// inflate(format, input, inOff, inLen, out, outOff, expected) -> true when input[inOff, inOff+inLen)
// is one whole stream (format 0: raw deflate, 1: zlib with its Adler-32 checked) that inflates to
// exactly `expected` bytes, written at out[outOff]; false for corrupt, truncated or other-sized data.
static napi_value inflate(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_value result;
  int ok = 0;
  struct libdeflate_decompressor *d = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 7 && napi_get_instance_data(env, (void **)&d) == napi_ok && d != NULL) {
    size_t inSize = 0, outSize = 0;
    uint8_t *in = NULL, *out = NULL;
    int have = bytes_of(env, argv[1], &in, &inSize) && bytes_of(env, argv[4], &out, &outSize);
    int64_t format = int_of(env, argv[0]), inOff = int_of(env, argv[2]), inLen = int_of(env, argv[3]);
    int64_t outOff = int_of(env, argv[5]), expected = int_of(env, argv[6]);
    if (have && inOff >= 0 && inLen >= 0 && (uint64_t)(inOff + inLen) <= inSize && outOff >= 0 && expected >= 0 && (uint64_t)(outOff + expected) <= outSize) {
      // With no actual-size pointer libdeflate succeeds only when the stream fills exactly `expected` bytes.
      enum libdeflate_result r = format == 1 ? libdeflate_zlib_decompress(d, in + inOff, (size_t)inLen, out + outOff, (size_t)expected, NULL)
                                             : libdeflate_deflate_decompress(d, in + inOff, (size_t)inLen, out + outOff, (size_t)expected, NULL);
      ok = format >= 0 && format <= 1 && r == LIBDEFLATE_SUCCESS;
    }
  }
  napi_get_boolean(env, ok, &result);
  return result;
}

// crc32(buf, off, len) -> the CRC-32 (gzip's) of buf[off, off+len), or -1 for bad arguments.
static napi_value crc32(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_value result;
  double crc = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == 3) {
    size_t size = 0;
    uint8_t *buf = NULL;
    int have = bytes_of(env, argv[0], &buf, &size);
    int64_t off = int_of(env, argv[1]), len = int_of(env, argv[2]);
    if (have && off >= 0 && len >= 0 && (uint64_t)(off + len) <= size) crc = (double)libdeflate_crc32(0, buf + off, (size_t)len);
  }
  napi_create_double(env, crc, &result);
  return result;
}

NAPI_MODULE_INIT() {
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  if (d == NULL || napi_set_instance_data(env, d, free_decompressor, NULL) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"inflate", NULL, inflate, NULL, NULL, NULL, napi_enumerable, NULL},
      {"crc32", NULL, crc32, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 2, props) != napi_ok) return NULL;
  return exports;
}
