/// Process-wide allocator settings for numeric work.
public enum MemoryTuning {
  /// Keeps large freed blocks in the heap instead of returning them to the kernel.
  ///
  /// A forward or backward pass over a batch allocates tensors of tens of megabytes; by default
  /// glibc serves each from a fresh `mmap` and unmaps it on free, so every pass pays the kernel
  /// to zero the same pages again (measured: about an eighth of a GRU training step). Call once
  /// at process start.
  public static func retainLargeAllocations() {
    #if os(Linux)
      // <malloc.h>: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3.
      _ = glibcMallopt(-3, 1 << 30)
      _ = glibcMallopt(-1, 1 << 30)
    #endif
  }
}

#if os(Linux)
  // glibc's `int mallopt(int, int)`; <malloc.h> is not part of the Glibc module.
  @_silgen_name("mallopt")
  private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
