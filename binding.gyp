{
  "targets": [
    {
      "target_name": "dosageflow_deflate",
      "sources": ["native/deflate.c"],
      "libraries": ["-ldeflate"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
