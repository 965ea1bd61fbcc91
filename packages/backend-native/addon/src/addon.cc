// vaejs native kernels: an N-API module over oneDNN, working on buffers the caller owns (views of the tfjs wasm
// heap). Errors come back as JS exceptions; nothing here allocates JS objects per call except `info`.
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <string>

#include "kernels.h"
#include "napi-util.h"

namespace vaejs {

namespace {

const char* isaName(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
  }
}

void setNamed(napi_env env, napi_value object, const char* name, napi_value value) {
  check(env, napi_set_named_property(env, object, name, value), "set_named_property");
}

napi_value makeString(napi_env env, const std::string& text) {
  napi_value out;
  check(env, napi_create_string_utf8(env, text.c_str(), text.size(), &out), "create_string");
  return out;
}

napi_value makeInt(napi_env env, int64_t number) {
  napi_value out;
  check(env, napi_create_int64(env, number, &out), "create_int64");
  return out;
}

/** info(): { library: 'oneDNN', version: '2.6.3', isa: 'avx512_core', threads } */
napi_value Info(napi_env env, napi_callback_info) {
  const dnnl_version_t* version = dnnl_version();
  napi_value out;
  check(env, napi_create_object(env, &out), "create_object");
  setNamed(env, out, "library", makeString(env, "oneDNN"));
  setNamed(env, out, "version",
           makeString(env, std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
                               std::to_string(version->patch)));
  setNamed(env, out, "isa", makeString(env, isaName(dnnl_get_effective_cpu_isa())));
  setNamed(env, out, "threads", makeInt(env, omp_get_max_threads()));
  return out;
}

/** setThreads(n): the OpenMP threads oneDNN computes on (for calls from this, the main, thread). Returns n. */
napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  readArgs(env, info, argv, 1, "setThreads");
  const int64_t threads = intArg(env, argv[0], "threads");
  if (threads < 1 || threads > 1024) throw NativeError("setThreads: expected a count from 1 to 1024");
  omp_set_num_threads(static_cast<int>(threads));
  return makeInt(env, omp_get_max_threads());
}

using Function = napi_value (*)(napi_env, napi_callback_info);

/** Runs `F` and turns a C++ exception into a pending JS Error. */
template <Function F>
napi_value guarded(napi_env env, napi_callback_info info) {
  try {
    return F(env, info);
  } catch (const std::exception& error) {
    napi_throw_error(env, nullptr, error.what());
    return nullptr;
  }
}

}  // namespace

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"info", nullptr, guarded<Info>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, guarded<SetThreads>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matMul", nullptr, guarded<MatMul>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2D", nullptr, guarded<Conv2D>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2DBackpropInput", nullptr, guarded<Conv2DBackpropInput>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2DBackpropFilter", nullptr, guarded<Conv2DBackpropFilter>, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"adam", nullptr, guarded<Adam>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"tanh", nullptr, guarded<Tanh>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"slice", nullptr, guarded<Slice>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"transpose", nullptr, guarded<Transpose>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sum", nullptr, guarded<Sum>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"exp", nullptr, guarded<Exp>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gatherRows", nullptr, guarded<GatherRows>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"pad", nullptr, guarded<Pad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, guarded<Binary>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sigmoid", nullptr, guarded<Sigmoid>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"log1p", nullptr, guarded<Log1p>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"copyRows", nullptr, guarded<CopyRows>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gate", nullptr, guarded<Gate>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gateGrad", nullptr, guarded<GateGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bernoulli", nullptr, guarded<Bernoulli>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bernoulliGrad", nullptr, guarded<BernoulliGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gaussianSample", nullptr, guarded<GaussianSample>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gaussianSampleGrad", nullptr, guarded<GaussianSampleGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gaussianKl", nullptr, guarded<GaussianKl>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gaussianKlGrad", nullptr, guarded<GaussianKlGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  // Start on one thread (BLAS-style threads lose on a loaded machine); setThreads raises it.
  omp_set_num_threads(1);
  check(env, napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties),
        "define_properties");
  return exports;
}

}  // namespace vaejs

NAPI_MODULE(NODE_GYP_MODULE_NAME, vaejs::Init)
