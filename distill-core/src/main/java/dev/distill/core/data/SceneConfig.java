package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How {@link FashionMnistScenes} composes its scenes.
 *
 * @param size the number of scenes, {@code >= 1} (generated on demand, never stored)
 * @param canvasSize the side of the square canvas in pixels, {@code >= 8}
 * @param minObjects the fewest garments per scene, {@code >= 1}
 * @param maxObjects the most garments per scene, {@code >= minObjects}
 * @param minSide the smallest side of a pasted (square-scaled) garment in pixels, {@code >= 4}
 * @param maxSide the largest side, in {@code [minSide, canvasSize]}
 * @param alphaThreshold a scaled garment pixel of intensity {@code >= alphaThreshold} (of 255) is
 *     opaque (painted, and part of the object's mask); darker pixels are transparent; in {@code [1,
 *     255]}
 * @param seed the seed; scene {@code i} depends only on (seed, split, i)
 * @since 0.1.0
 */
public record SceneConfig(
    @JsonProperty("size") int size,
    @JsonProperty("canvas_size") int canvasSize,
    @JsonProperty("min_objects") int minObjects,
    @JsonProperty("max_objects") int maxObjects,
    @JsonProperty("min_side") int minSide,
    @JsonProperty("max_side") int maxSide,
    @JsonProperty("alpha_threshold") int alphaThreshold,
    @JsonProperty("seed") long seed) {
  /** Validates, including the cross-field rules. */
  public SceneConfig {
    checkArgument(size >= 1, "size must be >= 1 but was %s", size);
    checkArgument(canvasSize >= 8, "canvasSize must be >= 8 but was %s", canvasSize);
    checkArgument(minObjects >= 1, "minObjects must be >= 1 but was %s", minObjects);
    checkArgument(
        maxObjects >= minObjects,
        "maxObjects must be >= minObjects (%s) but was %s",
        minObjects,
        maxObjects);
    checkArgument(minSide >= 4, "minSide must be >= 4 but was %s", minSide);
    checkArgument(
        maxSide >= minSide && maxSide <= canvasSize,
        "maxSide must be in [minSide, canvasSize] = [%s, %s] but was %s",
        minSide,
        canvasSize,
        maxSide);
    checkArgument(
        alphaThreshold >= 1 && alphaThreshold <= 255,
        "alphaThreshold must be in [1, 255] but was %s",
        alphaThreshold);
  }

  /**
   * 10,000 scenes on 64×64 canvases, 1–4 garments each, garment sides 16–40 px, alpha threshold 26
   * (about 10% of full intensity), seed 0.
   *
   * @return the defaults
   */
  public static SceneConfig defaults() {
    return new SceneConfig(10_000, 64, 1, 4, 16, 40, 26, 0);
  }

  /**
   * A copy with another number of scenes.
   *
   * @param n the number of scenes
   * @return the copy
   */
  public SceneConfig withSize(int n) {
    return new SceneConfig(
        n, canvasSize, minObjects, maxObjects, minSide, maxSide, alphaThreshold, seed);
  }

  /**
   * A copy with another seed.
   *
   * @param s the seed
   * @return the copy
   */
  public SceneConfig withSeed(long s) {
    return new SceneConfig(
        size, canvasSize, minObjects, maxObjects, minSide, maxSide, alphaThreshold, s);
  }

  /**
   * A copy with another canvas size (the garment sides must still fit).
   *
   * @param side the canvas side in pixels
   * @return the copy
   */
  public SceneConfig withCanvasSize(int side) {
    return new SceneConfig(
        size, side, minObjects, maxObjects, minSide, maxSide, alphaThreshold, seed);
  }

  /**
   * A copy with another range of garments per scene.
   *
   * @param min the fewest
   * @param max the most
   * @return the copy
   */
  public SceneConfig withObjects(int min, int max) {
    return new SceneConfig(size, canvasSize, min, max, minSide, maxSide, alphaThreshold, seed);
  }

  /**
   * A copy with another range of garment sides.
   *
   * @param min the smallest side in pixels
   * @param max the largest side in pixels
   * @return the copy
   */
  public SceneConfig withSides(int min, int max) {
    return new SceneConfig(
        size, canvasSize, minObjects, maxObjects, min, max, alphaThreshold, seed);
  }

  /**
   * A copy with another alpha threshold.
   *
   * @param threshold the intensity (of 255) from which a garment pixel is opaque
   * @return the copy
   */
  public SceneConfig withAlphaThreshold(int threshold) {
    return new SceneConfig(
        size, canvasSize, minObjects, maxObjects, minSide, maxSide, threshold, seed);
  }
}
