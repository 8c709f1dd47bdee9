package dev.distill.core.pipeline;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.filter.ConfidenceFilter;
import dev.distill.core.filter.DedupFilter;
import dev.distill.core.filter.DroppedSample;
import dev.distill.core.filter.FilterResult;
import dev.distill.core.filter.ReferenceIndex;
import java.util.Collections;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Adapters from the library's filters to the pipeline's {@link SampleFilter}.
 *
 * @since 0.1.0
 */
public final class Filters {
  private Filters() {}

  /**
   * Leakage against a reference (evaluation) set and, if the filter's config says so,
   * near-duplicates within the class (against the images already kept and among the candidates).
   * Drop reasons are {@link dev.distill.core.filter.DropReason} names ({@code
   * LEAK_PERCEPTUAL_HASH}, {@code LEAK_EMBEDDING}, {@code DUPLICATE_PERCEPTUAL_HASH}, {@code
   * DUPLICATE_EMBEDDING}).
   *
   * @param filter the pHash / embedding-cosine filter
   * @param reference the indexed evaluation set (borrowed; keep it open during the run), or null
   *     for within-set duplicates only
   * @return the sample filter
   */
  public static SampleFilter dedup(DedupFilter filter, ReferenceIndex reference) {
    checkNotNull(filter, "filter");
    return new SampleFilter() {
      @Override
      public String name() {
        return "dedup(" + filter.config() + ")";
      }

      @Override
      public String[] dropReasons(int classId, Tensor candidates, Tensor kept) {
        Tensor all = torch.cat(new TensorVector(kept, candidates), 0);
        FilterResult r = reference == null ? filter.apply(all) : filter.apply(all, reference);
        int offset = (int) kept.size(0);
        String[] out = new String[(int) candidates.size(0)];
        for (DroppedSample d : r.dropped()) {
          if (d.index() >= offset) {
            out[d.index() - offset] = d.reason().name();
          }
        }
        return out;
      }
    };
  }

  /**
   * ALIA-style proxy-confidence filter: drops candidates the proxy does not recognise as their
   * class (reason {@code LOW_CONFIDENCE} or {@code CONFIDENTLY_WRONG}).
   *
   * @param filter the confidence filter
   * @return the sample filter
   */
  public static SampleFilter confidence(ConfidenceFilter filter) {
    checkNotNull(filter, "filter");
    return new SampleFilter() {
      @Override
      public String name() {
        return "confidence(" + filter.config() + ")";
      }

      @Override
      public String[] dropReasons(int classId, Tensor candidates, Tensor kept) {
        int n = (int) candidates.size(0);
        FilterResult r = filter.apply(candidates, Collections.nCopies(n, classId));
        String[] out = new String[n];
        for (DroppedSample d : r.dropped()) {
          out[d.index()] = d.reason().name();
        }
        return out;
      }
    };
  }
}
