{
  "targets": [
    {
      "target_name": "vaejs_native",
      "sources": ["src/addon.cc", "src/activation.cc", "src/adam.cc", "src/conv.cc", "src/elementwise.cc", "src/matmul.cc"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno", "-fopenmp"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-ldnnl", "-fopenmp", "-Wl,-rpath,'$$ORIGIN'", "-Wl,--disable-new-dtags"]
    }
  ]
}
