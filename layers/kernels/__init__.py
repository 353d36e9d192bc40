"""The bit-accurate compute engines the layer kinds call: ``mac`` (the MAC kernel and the
choice of its path: blas, elementwise, loop), its compiled kernels (``jit_mac``,
``jit_loop``, ``jit_gemm``), the compiled LRN and max-pool (``jit_lrn``, ``jit_pool``) and
``jit_notice`` (the word on stderr whenever numba compiles one of them)."""
