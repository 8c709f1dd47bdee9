package dev.distill.core.pipeline;

import org.bytedeco.pytorch.Tensor;

/**
 * A filter applied to every method's candidates before they join the distilled set: leakage and
 * near-duplicate removal, proxy-confidence (ALIA-style) rejection. Rejected images are replaced by
 * further generator indices so the set keeps its IPC.
 *
 * @since 0.1.0
 */
public interface SampleFilter {

  /** The filter's name, used as the key of its count in reports. */
  String name();

  /**
   * Decides which candidates to keep.
   *
   * @param classId the class of every candidate
   * @param candidates {@code [n, C, H, W]} float32 CPU images in [-1, 1]
   * @param kept the images of this class already accepted, {@code [m, C, H, W]} (m may be 0)
   * @return one flag per candidate, true = keep
   */
  boolean[] keep(int classId, Tensor candidates, Tensor kept);
}
