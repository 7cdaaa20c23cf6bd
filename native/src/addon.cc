// N-API bindings for the kernels in kernels.h. Typed in exactly one place on the TS side:
// src/tensor/backend/native.ts. Every binding checks argument types and that each array holds
// at least the elements the dims imply, throwing a TypeError/RangeError instead of reading or
// writing out of bounds. All calls are synchronous on the calling thread (which joins the pool).
#include <napi.h>

#include <cstdint>
#include <string>

#include "kernels.h"
#include "threadpool.h"

namespace {

struct Args {
  const Napi::CallbackInfo& info;
  const char* fn;

  void fail(const std::string& msg) const {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + msg);
  }

  int64_t dim(size_t i) const {
    if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a number");
    const double d = info[i].As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d))) fail("argument " + std::to_string(i) + " must be a non-negative integer");
    return static_cast<int64_t>(d);
  }

  double num(size_t i) const {
    if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a number");
    return info[i].As<Napi::Number>().DoubleValue();
  }

  bool flag(size_t i) const {
    if (!info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a boolean");
    return info[i].As<Napi::Boolean>().Value();
  }

  template <typename T, napi_typedarray_type Kind>
  T* array(size_t i, int64_t need, const char* what) const {
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != Kind) {
      throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be a " + what);
    }
    auto arr = info[i].As<Napi::TypedArrayOf<T>>();
    if (static_cast<int64_t>(arr.ElementLength()) < need) {
      fail("argument " + std::to_string(i) + " has " + std::to_string(arr.ElementLength()) + " elements, needs " + std::to_string(need));
    }
    return arr.Data();
  }

  float* f32(size_t i, int64_t need) const { return array<float, napi_float32_array>(i, need, "Float32Array"); }
  int32_t* i32(size_t i, int64_t need) const { return array<int32_t, napi_int32_array>(i, need, "Int32Array"); }
  const uint8_t* mask(size_t i, int64_t need) const {
    if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
    return array<uint8_t, napi_uint8_array>(i, need, "Uint8Array or null");
  }

  // Packed-row segment starts (B, T) or null. The attention kernels read keys from a block's first
  // start on, so anything but contiguous segments would read out of its rows: refused here.
  const int32_t* segments(size_t i, int64_t B, int64_t T) const {
    if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
    const int32_t* seg = array<int32_t, napi_int32_array>(i, B * T, "Int32Array or null");
    for (int64_t b = 0; b < B; b++) {
      for (int64_t t = 0; t < T; t++) {
        const int32_t s = seg[b * T + t];
        const bool ok = t == 0 ? s == 0 : (s == seg[b * T + t - 1] || s == t);
        if (!ok) fail("segment start " + std::to_string(s) + " at row " + std::to_string(b) + ", position " + std::to_string(t) + " is neither the previous start nor the position");
      }
    }
    return seg;
  }

  void count(size_t n) const {
    if (info.Length() != n) fail("expected " + std::to_string(n) + " arguments, got " + std::to_string(info.Length()));
  }
};

Napi::Value Isa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), genrm::gemm_isa()); }

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), genrm::pool_threads()); }

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Args a{info, "setThreads"};
  a.count(1);
  genrm::pool_resize(static_cast<int>(a.dim(0)));
  return info.Env().Undefined();
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args a{info, "gemm"};
  a.count(9);
  const int64_t M = a.dim(3), N = a.dim(4), K = a.dim(5);
  genrm::gemm(a.f32(0, M * N), a.f32(1, M * K), a.f32(2, K * N), M, N, K, a.flag(6), a.flag(7), a.flag(8));
  return info.Env().Undefined();
}

Napi::Value RmsnormForward(const Napi::CallbackInfo& info) {
  Args a{info, "rmsnormForward"};
  a.count(7);
  const int64_t N = a.dim(4), C = a.dim(5);
  genrm::rmsnorm_forward(a.f32(0, N * C), a.f32(1, N), a.f32(2, N * C), a.f32(3, C), N, C, static_cast<float>(a.num(6)));
  return info.Env().Undefined();
}

Napi::Value RmsnormBackward(const Napi::CallbackInfo& info) {
  Args a{info, "rmsnormBackward"};
  a.count(8);
  const int64_t N = a.dim(6), C = a.dim(7);
  genrm::rmsnorm_backward(a.f32(0, N * C), a.f32(1, C), a.f32(2, N * C), a.f32(3, N * C), a.f32(4, C), a.f32(5, N), N, C);
  return info.Env().Undefined();
}

Napi::Value Rope(const Napi::CallbackInfo& info) {
  Args a{info, "rope"};
  a.count(10);
  const int64_t N = a.dim(5), H = a.dim(6), D = a.dim(7);
  const int64_t style = a.dim(8);
  if (D % 2 != 0) a.fail("D must be even");
  if (style > 1) a.fail("style must be 0 (neox) or 1 (interleaved)");
  const int32_t* pos = a.i32(2, N);
  const float* cos = a.f32(3, 0);
  const float* sin = a.f32(4, 0);
  const int64_t table = info[3].As<Napi::Float32Array>().ElementLength();
  if (static_cast<int64_t>(info[4].As<Napi::Float32Array>().ElementLength()) != table) a.fail("cos and sin tables differ in size");
  for (int64_t r = 0; r < N; r++) {
    if (pos[r] < 0 || (static_cast<int64_t>(pos[r]) + 1) * (D / 2) > table) a.fail("position " + std::to_string(pos[r]) + " is outside the table");
  }
  genrm::rope(a.f32(0, N * H * D), a.f32(1, N * H * D), pos, cos, sin, N, H, D, static_cast<int>(style), a.flag(9));
  return info.Env().Undefined();
}

Napi::Value SwigluForward(const Napi::CallbackInfo& info) {
  Args a{info, "swigluForward"};
  a.count(4);
  const int64_t n = a.dim(3);
  genrm::swiglu_forward(a.f32(0, n), a.f32(1, n), a.f32(2, n), n);
  return info.Env().Undefined();
}

Napi::Value SwigluBackward(const Napi::CallbackInfo& info) {
  Args a{info, "swigluBackward"};
  a.count(6);
  const int64_t n = a.dim(5);
  genrm::swiglu_backward(a.f32(0, n), a.f32(1, n), a.f32(2, n), a.f32(3, n), a.f32(4, n), n);
  return info.Env().Undefined();
}

void check_heads(const Args& a, int64_t H, int64_t Hkv) {
  if (H == 0 || Hkv == 0 || H % Hkv != 0) a.fail("H must be a positive multiple of Hkv");
}

Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  Args a{info, "attentionForward"};
  a.count(13);
  const int64_t B = a.dim(7), T = a.dim(8), H = a.dim(9), Hkv = a.dim(10), D = a.dim(11);
  check_heads(a, H, Hkv);
  const int64_t nq = B * T * H * D, nkv = B * T * Hkv * D;
  genrm::attention_forward(a.f32(0, nq), a.f32(1, B * H * T), a.f32(2, nq), a.f32(3, nkv), a.f32(4, nkv),
                           a.mask(5, B * T), a.segments(6, B, T), B, T, H, Hkv, D, static_cast<float>(a.num(12)));
  return info.Env().Undefined();
}

Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  Args a{info, "attentionBackward"};
  a.count(17);
  const int64_t B = a.dim(11), T = a.dim(12), H = a.dim(13), Hkv = a.dim(14), D = a.dim(15);
  check_heads(a, H, Hkv);
  const int64_t nq = B * T * H * D, nkv = B * T * Hkv * D;
  genrm::attention_backward(a.f32(0, nq), a.f32(1, nkv), a.f32(2, nkv), a.f32(3, nq), a.f32(4, nq), a.f32(5, nkv),
                            a.f32(6, nkv), a.f32(7, nq), a.f32(8, B * H * T), a.mask(9, B * T), a.segments(10, B, T),
                            B, T, H, Hkv, D, static_cast<float>(a.num(16)));
  return info.Env().Undefined();
}

void check_targets(const Args& a, const int32_t* targets, int64_t N, int64_t V, int32_t ignore) {
  for (int64_t n = 0; n < N; n++) {
    if (targets[n] != ignore && (targets[n] < 0 || targets[n] >= V)) a.fail("target " + std::to_string(targets[n]) + " is outside the vocabulary");
  }
}

Napi::Value CrossentropyForward(const Napi::CallbackInfo& info) {
  Args a{info, "crossentropyForward"};
  a.count(7);
  const int64_t N = a.dim(4), V = a.dim(5);
  const auto ignore = static_cast<int32_t>(a.num(6));
  const int32_t* targets = a.i32(3, N);
  check_targets(a, targets, N, V, ignore);
  genrm::crossentropy_forward(a.f32(0, N), a.f32(1, N), a.f32(2, N * V), targets, N, V, ignore);
  return info.Env().Undefined();
}

Napi::Value CrossentropyBackward(const Napi::CallbackInfo& info) {
  Args a{info, "crossentropyBackward"};
  a.count(8);
  const int64_t N = a.dim(5), V = a.dim(6);
  const auto ignore = static_cast<int32_t>(a.num(7));
  const int32_t* targets = a.i32(4, N);
  check_targets(a, targets, N, V, ignore);
  genrm::crossentropy_backward(a.f32(0, N * V), a.f32(1, N), a.f32(2, N * V), a.f32(3, N), targets, N, V, ignore);
  return info.Env().Undefined();
}

Napi::Value Adamw(const Napi::CallbackInfo& info) {
  Args a{info, "adamw"};
  a.count(11);
  const int64_t n = a.dim(4);
  genrm::adamw(a.f32(0, n), a.f32(1, n), a.f32(2, n), a.f32(3, n), n, static_cast<float>(a.num(5)),
               static_cast<float>(a.num(6)), static_cast<float>(a.num(7)), static_cast<float>(a.num(8)),
               static_cast<float>(a.num(9)), a.dim(10));
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("isa", Napi::Function::New(env, Isa));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("rmsnormForward", Napi::Function::New(env, RmsnormForward));
  exports.Set("rmsnormBackward", Napi::Function::New(env, RmsnormBackward));
  exports.Set("rope", Napi::Function::New(env, Rope));
  exports.Set("swigluForward", Napi::Function::New(env, SwigluForward));
  exports.Set("swigluBackward", Napi::Function::New(env, SwigluBackward));
  exports.Set("attentionForward", Napi::Function::New(env, AttentionForward));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
  exports.Set("crossentropyForward", Napi::Function::New(env, CrossentropyForward));
  exports.Set("crossentropyBackward", Napi::Function::New(env, CrossentropyBackward));
  exports.Set("adamw", Napi::Function::New(env, Adamw));
  return exports;
}

}  // namespace

NODE_API_MODULE(genrm_native, Init)
