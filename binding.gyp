{
  "targets": [
    {
      "target_name": "genrm_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/threadpool.cc",
        "native/src/gemm.cc",
        "native/src/attention.cc",
        "native/src/rmsnorm.cc",
        "native/src/rope.cc",
        "native/src/swiglu.cc",
        "native/src/crossentropy.cc",
        "native/src/adamw.cc"
      ],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags": ["-O3", "-fopenmp-simd", "-fno-trapping-math", "-fno-math-errno"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fopenmp-simd", "-fno-trapping-math", "-fno-math-errno", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0",
        "OTHER_CFLAGS": ["-O3", "-fopenmp-simd", "-fno-trapping-math", "-fno-math-errno"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/O2", "/std:c++17"] } }
    }
  ]
}
