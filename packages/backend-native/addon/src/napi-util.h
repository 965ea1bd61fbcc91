// Small helpers over Node-API's C interface: argument reading and errors. Every addon function reads typed arrays
// that are views of the tfjs wasm heap (no copy) and plain numbers.
#pragma once
#include <node_api.h>
#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vaejs {

/** Thrown by the helpers and the kernels; turned into a JS Error at the boundary. */
struct NativeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/**
 * Defers every signal while it lives, for the calls into oneDNN: Debian's oneDNN 2.6.3 corrupts the heap when a signal
 * handler runs during its JIT GEMM (reproduced in C: dnnl_sgemm in a loop with a SIGPROF timer aborts with "free():
 * invalid next size" within seconds; with signals blocked around the call, 4,800 signals and no fault). Node delivers
 * signals at any time (V8's profiler's SIGPROF, libuv's SIGCHLD, a user's SIGINT): a signal that arrives meanwhile is
 * delivered when the call returns. Two system calls a oneDNN call (well under a microsecond).
 */
class SignalsDeferred {
 public:
  SignalsDeferred() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
  }
  ~SignalsDeferred() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsDeferred(const SignalsDeferred&) = delete;
  SignalsDeferred& operator=(const SignalsDeferred&) = delete;

 private:
  sigset_t saved_;
};

inline void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw NativeError(std::string("napi call failed: ") + what);
}

/** The float32 data behind a Float32Array argument (null when the argument is null or undefined and allowNull). */
inline float* floatArray(napi_env env, napi_value value, const char* name, size_t* length = nullptr,
                         bool allowNull = false) {
  napi_valuetype type;
  check(env, napi_typeof(env, value, &type), "typeof");
  if (allowNull && (type == napi_null || type == napi_undefined)) {
    if (length) *length = 0;
    return nullptr;
  }
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), "is_typedarray");
  if (!isTyped) throw NativeError(std::string("expected ") + name + " a Float32Array");
  napi_typedarray_type arrayType;
  size_t count;
  void* data;
  check(env, napi_get_typedarray_info(env, value, &arrayType, &count, &data, nullptr, nullptr), "typedarray_info");
  if (arrayType != napi_float32_array) throw NativeError(std::string("expected ") + name + " a Float32Array");
  if (length) *length = count;
  return static_cast<float*>(data);
}

inline int64_t intArg(napi_env env, napi_value value, const char* name) {
  int64_t out;
  if (napi_get_value_int64(env, value, &out) != napi_ok) throw NativeError(std::string("expected ") + name + " a number");
  return out;
}

inline double numberArg(napi_env env, napi_value value, const char* name) {
  double out;
  if (napi_get_value_double(env, value, &out) != napi_ok) throw NativeError(std::string("expected ") + name + " a number");
  return out;
}

/** Reads `count` arguments; throws when fewer were passed. */
template <size_t N>
inline void readArgs(napi_env env, napi_callback_info info, napi_value (&argv)[N], size_t count, const char* fn) {
  size_t argc = N;
  check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "get_cb_info");
  if (argc < count) throw NativeError(std::string(fn) + ": expected " + std::to_string(count) + " arguments");
}

}  // namespace vaejs
