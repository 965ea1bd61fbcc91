// The addon's functions (one file each), registered in addon.cc.
#pragma once
#include <node_api.h>

namespace vaejs {

napi_value MatMul(napi_env env, napi_callback_info info);
napi_value Conv2D(napi_env env, napi_callback_info info);
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info);
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info);
napi_value Adam(napi_env env, napi_callback_info info);
napi_value Tanh(napi_env env, napi_callback_info info);
napi_value Slice(napi_env env, napi_callback_info info);
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value Sum(napi_env env, napi_callback_info info);
napi_value Exp(napi_env env, napi_callback_info info);
napi_value GatherRows(napi_env env, napi_callback_info info);
napi_value Pad(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Sigmoid(napi_env env, napi_callback_info info);
napi_value Log1p(napi_env env, napi_callback_info info);
napi_value CopyRows(napi_env env, napi_callback_info info);
napi_value Gate(napi_env env, napi_callback_info info);
napi_value GateGrad(napi_env env, napi_callback_info info);
napi_value Bernoulli(napi_env env, napi_callback_info info);
napi_value BernoulliGrad(napi_env env, napi_callback_info info);
napi_value GaussianSample(napi_env env, napi_callback_info info);
napi_value GaussianSampleGrad(napi_env env, napi_callback_info info);
napi_value GaussianKl(napi_env env, napi_callback_info info);
napi_value GaussianKlGrad(napi_env env, napi_callback_info info);

}  // namespace vaejs
