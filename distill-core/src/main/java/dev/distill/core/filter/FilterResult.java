package dev.distill.core.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a filter kept and dropped, with a reason and evidence for every dropped sample.
 *
 * <p>Indices refer to the filtered set. {@link #counts()} gives the numbers per {@link DropReason}
 * that reports print. {@link #then} composes two filters: apply the second to the kept samples of
 * the first and map its indices back.
 *
 * <p>Immutable and thread-safe.
 *
 * @param total the size of the filtered set
 * @param kept the kept indices, ascending
 * @param dropped the dropped samples, by ascending index
 * @since 0.1.0
 */
public record FilterResult(int total, List<Integer> kept, List<DroppedSample> dropped) {
  /**
   * Copies the lists and checks that kept and dropped partition {@code [0, total)}.
   *
   * @throws IllegalArgumentException if they do not
   */
  public FilterResult {
    checkArgument(total >= 0, "total must be >= 0 but was %s", total);
    kept = List.copyOf(checkNotNull(kept, "kept"));
    List<DroppedSample> sorted = new ArrayList<>(checkNotNull(dropped, "dropped"));
    sorted.sort(Comparator.comparingInt(DroppedSample::index));
    dropped = List.copyOf(sorted);
    checkArgument(
        kept.size() + dropped.size() == total,
        "kept (%s) and dropped (%s) must add up to total %s",
        kept.size(),
        dropped.size(),
        total);
    boolean[] seen = new boolean[total];
    int previous = -1;
    for (int i : kept) {
      checkArgument(
          i > previous && i < total, "kept must be ascending in [0, %s) but was %s", total, kept);
      seen[i] = true;
      previous = i;
    }
    for (DroppedSample d : dropped) {
      checkArgument(
          d.index() < total && !seen[d.index()],
          "dropped index must be in [0, %s) and not kept or repeated but was %s",
          total,
          d.index());
      seen[d.index()] = true;
    }
  }

  /**
   * A result that keeps every sample.
   *
   * @param total the set size
   * @return the result
   */
  public static FilterResult keepAll(int total) {
    checkArgument(total >= 0, "total must be >= 0 but was %s", total);
    List<Integer> all = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      all.add(i);
    }
    return new FilterResult(total, all, List.of());
  }

  /** The kept indices as an array (ascending), ready for {@code LabeledImages.select}. */
  public int[] keptIndices() {
    return kept.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The number of dropped samples. */
  public int droppedCount() {
    return dropped.size();
  }

  /**
   * The number of dropped samples per reason, every reason present (zero if unused), in enum order.
   *
   * @return an unmodifiable map
   */
  public Map<DropReason, Integer> counts() {
    EnumMap<DropReason, Integer> counts = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      counts.put(r, 0);
    }
    for (DroppedSample d : dropped) {
      counts.merge(d.reason(), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(counts);
  }

  /**
   * Composes this result with one computed on its kept samples: the second result's indices (and
   * its sample offenders) are mapped back to this set.
   *
   * @param onKept a result whose {@code total} equals {@code kept().size()}
   * @return the combined result over this set
   * @throws IllegalArgumentException if the sizes disagree
   */
  public FilterResult then(FilterResult onKept) {
    checkNotNull(onKept, "onKept");
    checkArgument(
        onKept.total() == kept.size(),
        "onKept must have total = %s kept samples but had %s",
        kept.size(),
        onKept.total());
    List<Integer> newKept = new ArrayList<>();
    for (int i : onKept.kept()) {
      newKept.add(kept.get(i));
    }
    List<DroppedSample> newDropped = new ArrayList<>(dropped);
    for (DroppedSample d : onKept.dropped()) {
      int offender =
          d.reason().offender() == DropReason.Offender.SAMPLE
              ? kept.get(d.offender())
              : d.offender();
      newDropped.add(d.withIndices(kept.get(d.index()), offender));
    }
    return new FilterResult(total, newKept, newDropped);
  }
}
