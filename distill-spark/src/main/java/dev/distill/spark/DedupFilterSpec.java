package dev.distill.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.data.Dataset;
import dev.distill.core.filter.DedupConfig;
import dev.distill.core.filter.DedupFilter;
import dev.distill.core.filter.ReferenceIndex;
import dev.distill.core.pipeline.Filters;
import dev.distill.spark.internal.ExecutorCache;

/**
 * The pHash leak / near-duplicate filter ({@link Filters#dedup}) against a reference dataset.
 *
 * <p>Each task indexes the reference once (the dataset itself is opened once per JVM).
 *
 * @param reference the reference (evaluation) images
 * @param maxHammingDistance the largest pHash distance counted as a duplicate, {@code >= 0}
 * @param withinSet whether near-duplicates inside the distilled class are dropped too
 * @since 0.1.0
 */
public record DedupFilterSpec(DatasetFactory reference, int maxHammingDistance, boolean withinSet)
    implements FilterFactory {
  private static final long serialVersionUID = 1L;

  /** Validates. */
  public DedupFilterSpec {
    checkNotNull(reference, "reference");
    checkArgument(
        maxHammingDistance >= 0, "maxHammingDistance must be >= 0 but was %s", maxHammingDistance);
  }

  @Override
  public LoadedFilter create() {
    Dataset ref = ExecutorCache.dataset(reference);
    DedupFilter dedup =
        DedupFilter.of(
            DedupConfig.builder()
                .maxHammingDistance(maxHammingDistance)
                .withinSet(withinSet)
                .build());
    ReferenceIndex index = dedup.index(ref);
    return new LoadedFilter(Filters.dedup(dedup, index), index);
  }
}
