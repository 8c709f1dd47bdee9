package dev.distill.core.pipeline;

import org.bytedeco.pytorch.Tensor;

/**
 * A filter applied to every method's candidates before they join the distilled set: leakage and
 * near-duplicate removal, proxy-confidence (ALIA-style) rejection. Rejected images are replaced by
 * further generator indices so the set keeps its IPC. Adapters for the library's filters are in
 * {@link Filters}.
 *
 * @since 0.1.0
 */
public interface SampleFilter {

  /** The filter's name, for manifests. */
  String name();

  /**
   * Decides which candidates to drop and why.
   *
   * @param classId the class of every candidate
   * @param candidates {@code [n, C, H, W]} float32 CPU images in [-1, 1]
   * @param kept the images of this class already accepted, {@code [m, C, H, W]} (m may be 0)
   * @return one entry per candidate: null to keep it, otherwise the drop reason (counted in reports
   *     under that name)
   */
  String[] dropReasons(int classId, Tensor candidates, Tensor kept);
}
