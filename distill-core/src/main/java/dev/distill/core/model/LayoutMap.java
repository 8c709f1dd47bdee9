package dev.distill.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A low-resolution class-layout map: how a layout-conditioned {@link SmallUNet} sees the target
 * annotation of a scene (boxes with category ids {@code 1..K}).
 *
 * <p>The map has {@code K + 1} channels on a {@code side × side} grid over the image: channel 0 is
 * the presence flag (1 everywhere for a given layout), channel {@code k} is the fraction of each
 * grid cell covered by boxes of category {@code k} (the union of same-category boxes is
 * approximated by the sum, capped at 1). The <em>null layout</em> — no layout at all, the
 * unconditional branch of classifier-free guidance and the dropped samples in training — is all
 * zeros, which no real layout produces (its presence channel is 1). Only boxes are read, never
 * masks, so detection targets and segmentation targets give the same map.
 *
 * <p>Stateless.
 *
 * @since 0.1.0
 */
public final class LayoutMap {
  private LayoutMap() {}

  /**
   * The number of channels of a map over {@code numCategories} categories.
   *
   * @param numCategories K, {@code >= 1}
   * @return {@code K + 1}
   */
  public static int channels(int numCategories) {
    checkArgument(numCategories >= 1, "numCategories must be >= 1 but was %s", numCategories);
    return numCategories + 1;
  }

  /**
   * Rasterises one layout.
   *
   * @param layout the boxes (in the layout's own {@code width × height} pixel frame)
   * @param numCategories K; every category id must be in {@code [1, K]}
   * @param side the grid side, {@code >= 1}
   * @return {@code (K + 1) · side · side} values, channel-major
   * @throws IllegalArgumentException if a category id is outside {@code [1, K]}
   */
  public static float[] rasterize(ImageAnnotations layout, int numCategories, int side) {
    checkNotNull(layout, "layout");
    int channels = channels(numCategories);
    checkArgument(side >= 1, "side must be >= 1 but was %s", side);
    float[] map = new float[channels * side * side];
    int plane = side * side;
    java.util.Arrays.fill(map, 0, plane, 1f);
    double cellW = (double) layout.width() / side;
    double cellH = (double) layout.height() / side;
    List<ObjectAnnotation> objects = layout.objects();
    for (int o = 0; o < objects.size(); o++) {
      ObjectAnnotation object = objects.get(o);
      int k = object.categoryId();
      checkArgument(
          k >= 1 && k <= numCategories,
          "layout objects[%s].categoryId must be in [1, %s] but was %s",
          o,
          numCategories,
          k);
      BoundingBox b = object.box();
      for (int i = 0; i < side; i++) {
        double y0 = i * cellH;
        double dy = overlap(y0, y0 + cellH, b.y(), b.y() + b.height());
        if (dy <= 0) {
          continue;
        }
        for (int j = 0; j < side; j++) {
          double x0 = j * cellW;
          double dx = overlap(x0, x0 + cellW, b.x(), b.x() + b.width());
          if (dx > 0) {
            int at = k * plane + i * side + j;
            map[at] = (float) Math.min(1.0, map[at] + dx * dy / (cellW * cellH));
          }
        }
      }
    }
    return map;
  }

  /**
   * The maps of a batch as one tensor; a {@code null} entry is the null layout (zeros).
   *
   * @param layouts one layout or {@code null} per sample
   * @param numCategories K
   * @param side the grid side
   * @return {@code [N, K + 1, side, side]} float32 on the CPU, owned by the caller's scope
   */
  public static Tensor batch(List<ImageAnnotations> layouts, int numCategories, int side) {
    checkNotNull(layouts, "layouts");
    int channels = channels(numCategories);
    int per = channels * side * side;
    float[] all = new float[layouts.size() * per];
    for (int n = 0; n < layouts.size(); n++) {
      ImageAnnotations layout = layouts.get(n);
      if (layout != null) {
        System.arraycopy(rasterize(layout, numCategories, side), 0, all, n * per, per);
      }
    }
    return Tensors.fromFloats(all, layouts.size(), channels, side, side);
  }

  private static double overlap(double a0, double a1, double b0, double b1) {
    return Math.min(a1, b1) - Math.max(a0, b0);
  }
}
