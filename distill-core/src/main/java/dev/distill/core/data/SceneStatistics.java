package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * Statistics of a run of {@link FashionMnistScenes} scenes.
 *
 * @param scenes the number of scenes measured
 * @param objectsPerScene index {@code k} = the number of scenes with {@code k} visible objects
 * @param meanObjects the mean number of visible objects per scene
 * @param droppedObjects garments pasted but hidden entirely by later ones (or with no opaque
 *     pixel), hence left out of the annotations
 * @param boxSideQuantiles the square root of the box area (pixels) at quantiles 0, 0.25, 0.5, 0.75,
 *     1 (nearest rank)
 * @param meanBoxWidth the mean box width in pixels
 * @param meanBoxHeight the mean box height in pixels
 * @param classCounts index = Fashion-MNIST class, value = visible objects of that class
 * @param foregroundFraction the fraction of canvas pixels covered by some garment
 * @since 0.1.0
 */
public record SceneStatistics(
    int scenes,
    List<Integer> objectsPerScene,
    double meanObjects,
    int droppedObjects,
    List<Double> boxSideQuantiles,
    double meanBoxWidth,
    double meanBoxHeight,
    List<Integer> classCounts,
    double foregroundFraction) {
  /** Validates and copies. */
  public SceneStatistics {
    checkArgument(scenes >= 1, "scenes must be >= 1 but was %s", scenes);
    objectsPerScene = List.copyOf(checkNotNull(objectsPerScene, "objectsPerScene"));
    boxSideQuantiles = List.copyOf(checkNotNull(boxSideQuantiles, "boxSideQuantiles"));
    classCounts = List.copyOf(checkNotNull(classCounts, "classCounts"));
    checkArgument(
        boxSideQuantiles.size() == 5 || boxSideQuantiles.isEmpty(),
        "boxSideQuantiles must have 5 entries (or none) but had %s",
        boxSideQuantiles.size());
  }

  /** The total number of visible objects. */
  public int objects() {
    return classCounts.stream().mapToInt(Integer::intValue).sum();
  }
}
