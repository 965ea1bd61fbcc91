// 2-D convolutions in tfjs' layouts on oneDNN primitives: forward (with bias and activation as oneDNN post-ops),
// backward data and backward weights. Activations stay NHWC (oneDNN's nhwc tag, no reorder); tfjs' filter
// [kh, kw, ci, co] is oneDNN's hwio tag. Filters go through the layout the primitive prefers when that is another
// (a reorder of a few thousand floats). Primitives are created once per geometry and kept (creation JIT-compiles).
#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "activation.h"
#include "kernels.h"
#include "napi-util.h"

namespace vaejs {

using dnnl::memory;
using tag = memory::format_tag;

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

namespace {

/** batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilationH, dilationW, padTop, padLeft. */
struct Geometry {
  int64_t n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl;

  std::string describe() const {
    std::string out;
    for (int64_t v : {n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl}) out += (out.empty() ? "" : ",") + std::to_string(v);
    return "[n,h,w,ci,oh,ow,co,kh,kw,sh,sw,dh,dw,pt,pl] = [" + out + "]";
  }

  std::vector<int64_t> key(int64_t kind, int64_t extra) const {
    return {kind, extra, n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl};
  }
  // x as oneDNN reads it: NHWC over the whole buffer, but only the rows and columns that the output reads when tfjs
  // sized the output so that even no padding after is too much (a numeric padding with a non-square filter or
  // strides: tfjs sizes the width with the filter's height).
  memory::desc src() const {
    return {{n, ci, used(h, oh, sh, kh, dh, pt), used(w, ow, sw, kw, dw, pl)}, memory::data_type::f32,
            memory::dims{h * w * ci, 1, w * ci, ci}};
  }
  bool cropped() const { return used(h, oh, sh, kh, dh, pt) < h || used(w, ow, sw, kw, dw, pl) < w; }
  memory::desc dst(tag t = tag::nhwc) const { return {{n, co, oh, ow}, memory::data_type::f32, t}; }
  memory::desc weights(tag t) const { return {{co, ci, kh, kw}, memory::data_type::f32, t}; }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {pt, pl}; }
  // The padding after (bottom, right) that gives tfjs' output size: oneDNN checks (in + pl + pr − k_eff) / s + 1 ==
  // out, rounding down, and wants pr ≥ 0. padAfter(...) is the least such pr, negative when rows must be cropped.
  static int64_t padAfter(int64_t in, int64_t out, int64_t stride, int64_t k, int64_t dilation, int64_t before) {
    return (out - 1) * stride + (k - 1) * dilation + 1 - in - before;
  }
  static int64_t used(int64_t in, int64_t out, int64_t stride, int64_t k, int64_t dilation, int64_t before) {
    const int64_t least = padAfter(in, out, stride, k, dilation, before);
    return least + stride - 1 >= 0 ? in : in + least;
  }
  static int64_t padAfterUsed(int64_t in, int64_t out, int64_t stride, int64_t k, int64_t dilation, int64_t before) {
    const int64_t least = padAfter(in, out, stride, k, dilation, before);
    return least > 0 ? least : 0;
  }
  memory::dims padR() const {
    return {padAfterUsed(h, oh, sh, kh, dh, pt), padAfterUsed(w, ow, sw, kw, dw, pl)};
  }
};

Geometry readGeometry(napi_env env, napi_value* argv) {
  Geometry g;
  int64_t* fields[] = {&g.n, &g.h, &g.w, &g.ci, &g.oh, &g.ow, &g.co, &g.kh, &g.kw, &g.sh, &g.sw, &g.dh, &g.dw, &g.pt, &g.pl};
  for (int i = 0; i < 15; i++) *fields[i] = intArg(env, argv[i], "geometry");
  return g;
}

dnnl::convolution_forward::primitive_desc forwardDesc(const Geometry& g, bool bias, int activation, float alpha,
                                                      dnnl::prop_kind prop) {
  auto desc = bias ? dnnl::convolution_forward::desc(prop, dnnl::algorithm::convolution_direct, g.src(),
                                                     g.weights(tag::any), {{g.co}, memory::data_type::f32, tag::a},
                                                     g.dst(), g.strides(), g.dilates(), g.padL(), g.padR())
                   : dnnl::convolution_forward::desc(prop, dnnl::algorithm::convolution_direct, g.src(),
                                                     g.weights(tag::any), g.dst(), g.strides(), g.dilates(), g.padL(),
                                                     g.padR());
  dnnl::primitive_attr attr;
  if (activation != kLinear) {
    dnnl::post_ops ops;
    switch (activation) {
      case kRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
      case kRelu6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip_v2, 0.f, 6.f); break;
      case kElu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
      case kLeakyRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;
      case kSigmoid: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
      default: throw NativeError("conv2d: unknown activation");
    }
    attr.set_post_ops(ops);
  }
  return {desc, attr, cpuEngine()};
}

/** A primitive with the filter layout it wants, and reorders between tfjs' hwio and that layout when they differ. */
struct Entry {
  dnnl::primitive primitive;
  memory::desc weightsDesc;
  bool reorderWeights = false;
  dnnl::reorder toPrimitive;  // hwio → weightsDesc (forward, backward data)
  dnnl::reorder toUser;       // weightsDesc → hwio (backward weights)
  std::unique_ptr<memory> weightsBuffer;
};

std::map<std::vector<int64_t>, Entry>& cache() {
  static std::map<std::vector<int64_t>, Entry> entries;
  // A run sees a handful of geometries (layers × train/eval batch sizes); many more means shapes that vary without
  // end: start over rather than grow.
  if (entries.size() > 512) entries.clear();
  return entries;
}

void prepareWeights(Entry& entry, const Geometry& g, const memory::desc& wanted, bool toPrimitive) {
  entry.weightsDesc = wanted;
  const memory::desc user = g.weights(tag::hwio);
  entry.reorderWeights = wanted != user;
  if (!entry.reorderWeights) return;
  entry.weightsBuffer = std::make_unique<memory>(wanted, cpuEngine());
  if (toPrimitive) entry.toPrimitive = dnnl::reorder(memory(user, cpuEngine(), DNNL_MEMORY_NONE), *entry.weightsBuffer);
  else entry.toUser = dnnl::reorder(*entry.weightsBuffer, memory(user, cpuEngine(), DNNL_MEMORY_NONE));
}

memory wrap(const memory::desc& desc, const float* data) {
  return memory(desc, cpuEngine(), const_cast<float*>(data));
}

/** The filter as the primitive reads it: the user's buffer, or the reordered copy. */
memory filterIn(Entry& entry, const Geometry& g, const float* filter) {
  memory user = wrap(g.weights(tag::hwio), filter);
  if (!entry.reorderWeights) return user;
  entry.toPrimitive.execute(cpuStream(), user, *entry.weightsBuffer);
  return *entry.weightsBuffer;
}

void sizeCheck(size_t length, int64_t expected, const char* fn, const char* name) {
  if (static_cast<int64_t>(length) < expected) {
    throw NativeError(std::string(fn) + ": expected " + name + " of " + std::to_string(expected) + " floats");
  }
}

/**
 * Up to this many input channels, the backward data of a convolution is a GEMM and a scatter (see below). Measured
 * on one core (AMD EPYC, AVX-512), batch 128 to 28×28 from 32 channels, GEMM against oneDNN's direct kernel: k4 s2
 * 0.83 vs 2.07 ms and k3 s1 2.31 vs 5.15 ms for 1 channel, k3 s1 4.28 vs 5.26 for 2, 5.73 vs 5.17 for 3 (lost).
 */
constexpr int64_t kGemmBackwardDataChannels = 2;

/**
 * dx = the gradient of conv(x, filter) for a few input channels (the last transposed convolution of a decoder, to 1
 * or 3 image channels): oneDNN's direct kernel runs such a layer at ~10 GFLOP/s here (2.2 ms for 128×14×14×32 → 28×28×1,
 * k4 s2). As a GEMM, cols [kh·kw·ci, n·oh·ow] = filter ([kh·kw·ci, co] as tfjs keeps it) · dyᵀ, then each row of
 * cols (one tap) added into the dx pixels it reaches (col2im), a run of output columns at a time.
 */
void backpropInputByGemm(const Geometry& g, const float* dy, const float* filter, float* dx) {
  const int64_t rows = g.n * g.oh * g.ow, taps = g.kh * g.kw * g.ci;
  // kept between calls: a fresh buffer of a few MB a call is a fresh mapping, and faulting its pages in costs more
  // than the product
  static thread_local std::vector<float> cols;
  if (cols.size() < static_cast<size_t>(rows * taps)) cols.resize(static_cast<size_t>(rows * taps));
  const dnnl_status_t status = dnnl_sgemm('N', 'T', taps, rows, g.co, 1.f, filter, g.co, dy, g.co, 0.f, cols.data(), rows);
  if (status != dnnl_success) throw NativeError("conv2DBackpropInput: oneDNN sgemm failed for " + g.describe());
  std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.ci);
  // the output columns ox whose input column x = ox·sw − pl + kx·dw lies in [0, w)
  const auto firstLast = [](int64_t offset, int64_t stride, int64_t size, int64_t count, int64_t* first, int64_t* last) {
    *first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    *last = (size - 1 - offset) < 0 ? -1 : (size - 1 - offset) / stride;
    if (*last > count - 1) *last = count - 1;
  };
  for (int64_t ky = 0; ky < g.kh; ky++) {
    for (int64_t kx = 0; kx < g.kw; kx++) {
      int64_t oxFirst, oxLast;
      firstLast(kx * g.dw - g.pl, g.sw, g.w, g.ow, &oxFirst, &oxLast);
      for (int64_t c = 0; c < g.ci; c++) {
        const float* tap = cols.data() + ((ky * g.kw + kx) * g.ci + c) * rows;
        for (int64_t b = 0; b < g.n; b++) {
          for (int64_t oy = 0; oy < g.oh; oy++) {
            const int64_t y = oy * g.sh - g.pt + ky * g.dh;
            if (y < 0 || y >= g.h) continue;
            const float* source = tap + (b * g.oh + oy) * g.ow;
            float* target = dx + ((b * g.h + y) * g.w + kx * g.dw - g.pl) * g.ci + c;
            const int64_t step = g.sw * g.ci;
            for (int64_t ox = oxFirst; ox <= oxLast; ox++) target[ox * step] += source[ox];
          }
        }
      }
    }
  }
}

}  // namespace

/** conv2D(x, filter, out, bias | null, activation, alpha, ...geometry): out = act(conv(x, filter) + bias), NHWC. */
napi_value Conv2D(napi_env env, napi_callback_info info) {
  napi_value argv[21];
  readArgs(env, info, argv, 21, "conv2D");
  const Geometry g = readGeometry(env, argv + 6);
  size_t xLength, filterLength, outLength, biasLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  const float* filter = floatArray(env, argv[1], "filter", &filterLength);
  float* out = floatArray(env, argv[2], "out", &outLength);
  const float* bias = floatArray(env, argv[3], "bias", &biasLength, true);
  const int activation = static_cast<int>(intArg(env, argv[4], "activation"));
  const float alpha = static_cast<float>(numberArg(env, argv[5], "alpha"));
  sizeCheck(xLength, g.n * g.h * g.w * g.ci, "conv2D", "x");
  sizeCheck(filterLength, g.kh * g.kw * g.ci * g.co, "conv2D", "filter");
  sizeCheck(outLength, g.n * g.oh * g.ow * g.co, "conv2D", "out");
  if (bias) sizeCheck(biasLength, g.co, "conv2D", "bias");
  const SignalsDeferred deferred;
  int32_t alphaBits;
  std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
  auto key = g.key(bias ? 1 : 0, activation * (int64_t(1) << 32) + alphaBits);
  auto found = cache().find(key);
  if (found == cache().end()) try {
    auto pd = forwardDesc(g, bias != nullptr, activation, alpha, dnnl::prop_kind::forward_training);
    Entry entry;
    entry.primitive = dnnl::convolution_forward(pd);
    prepareWeights(entry, g, pd.weights_desc(), true);
    found = cache().emplace(key, std::move(entry)).first;
  } catch (const dnnl::error& error) {
    throw NativeError(std::string("conv2D: oneDNN: ") + error.what() + " for " + g.describe());
  }
  Entry& entry = found->second;
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, wrap(g.src(), x)},
      {DNNL_ARG_WEIGHTS, filterIn(entry, g, filter)},
      {DNNL_ARG_DST, wrap(g.dst(), out)},
  };
  if (bias) args.insert({DNNL_ARG_BIAS, wrap({{g.co}, memory::data_type::f32, tag::a}, bias)});
  entry.primitive.execute(cpuStream(), args);
  cpuStream().wait();
  return nullptr;
}

/** conv2DBackpropInput(dy, filter, dx, ...geometry): dx = the gradient of conv(x, filter) with respect to x. */
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  napi_value argv[18];
  readArgs(env, info, argv, 18, "conv2DBackpropInput");
  const Geometry g = readGeometry(env, argv + 3);
  size_t dyLength, filterLength, dxLength;
  const float* dy = floatArray(env, argv[0], "dy", &dyLength);
  const float* filter = floatArray(env, argv[1], "filter", &filterLength);
  float* dx = floatArray(env, argv[2], "dx", &dxLength);
  sizeCheck(dyLength, g.n * g.oh * g.ow * g.co, "conv2DBackpropInput", "dy");
  sizeCheck(filterLength, g.kh * g.kw * g.ci * g.co, "conv2DBackpropInput", "filter");
  sizeCheck(dxLength, g.n * g.h * g.w * g.ci, "conv2DBackpropInput", "dx");
  const SignalsDeferred deferred;
  if (g.ci <= kGemmBackwardDataChannels) {
    backpropInputByGemm(g, dy, filter, dx);
    return nullptr;
  }
  auto key = g.key(2, 0);
  auto found = cache().find(key);
  if (found == cache().end()) try {
    auto hint = forwardDesc(g, false, kLinear, 0.f, dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, g.src(), g.weights(tag::any),
                                               g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
    dnnl::convolution_backward_data::primitive_desc pd(desc, cpuEngine(), hint);
    Entry entry;
    entry.primitive = dnnl::convolution_backward_data(pd);
    prepareWeights(entry, g, pd.weights_desc(), true);
    found = cache().emplace(key, std::move(entry)).first;
  } catch (const dnnl::error& error) {
    throw NativeError(std::string("conv2DBackpropInput: oneDNN: ") + error.what() + " for " + g.describe());
  }
  Entry& entry = found->second;
  // Rows and columns of x that no output reads get no gradient from oneDNN: zero.
  if (g.cropped()) std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.ci);
  entry.primitive.execute(cpuStream(), {
                                           {DNNL_ARG_DIFF_DST, wrap(g.dst(), dy)},
                                           {DNNL_ARG_WEIGHTS, filterIn(entry, g, filter)},
                                           {DNNL_ARG_DIFF_SRC, wrap(g.src(), dx)},
                                       });
  cpuStream().wait();
  return nullptr;
}

/** conv2DBackpropFilter(x, dy, dw, ...geometry): dw = the gradient of conv(x, filter) with respect to the filter. */
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  napi_value argv[18];
  readArgs(env, info, argv, 18, "conv2DBackpropFilter");
  const Geometry g = readGeometry(env, argv + 3);
  size_t xLength, dyLength, dwLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  const float* dy = floatArray(env, argv[1], "dy", &dyLength);
  float* dw = floatArray(env, argv[2], "dw", &dwLength);
  sizeCheck(xLength, g.n * g.h * g.w * g.ci, "conv2DBackpropFilter", "x");
  sizeCheck(dyLength, g.n * g.oh * g.ow * g.co, "conv2DBackpropFilter", "dy");
  sizeCheck(dwLength, g.kh * g.kw * g.ci * g.co, "conv2DBackpropFilter", "dw");
  const SignalsDeferred deferred;
  auto key = g.key(3, 0);
  auto found = cache().find(key);
  if (found == cache().end()) try {
    auto hint = forwardDesc(g, false, kLinear, 0.f, dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, g.src(), g.weights(tag::any),
                                                  g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
    dnnl::convolution_backward_weights::primitive_desc pd(desc, cpuEngine(), hint);
    Entry entry;
    entry.primitive = dnnl::convolution_backward_weights(pd);
    prepareWeights(entry, g, pd.diff_weights_desc(), false);
    found = cache().emplace(key, std::move(entry)).first;
  } catch (const dnnl::error& error) {
    throw NativeError(std::string("conv2DBackpropFilter: oneDNN: ") + error.what() + " for " + g.describe());
  }
  Entry& entry = found->second;
  memory user = wrap(g.weights(tag::hwio), dw);
  entry.primitive.execute(cpuStream(), {
                                           {DNNL_ARG_SRC, wrap(g.src(), x)},
                                           {DNNL_ARG_DIFF_DST, wrap(g.dst(), dy)},
                                           {DNNL_ARG_DIFF_WEIGHTS, entry.reorderWeights ? *entry.weightsBuffer : user},
                                       });
  if (entry.reorderWeights) entry.toUser.execute(cpuStream(), *entry.weightsBuffer, user);
  cpuStream().wait();
  return nullptr;
}

}  // namespace vaejs
