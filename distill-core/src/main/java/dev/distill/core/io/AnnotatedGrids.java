package dev.distill.core.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Grids of annotated images for looking at a detection or segmentation set: each image in colour
 * with its boxes outlined ({@link Overlay#BOXES}) or its semantic mask tinted ({@link
 * Overlay#MASKS}), one fixed colour per category id.
 *
 * <p>Stateless.
 *
 * @since 0.1.0
 */
public final class AnnotatedGrids {
  /** What is drawn over each image. */
  public enum Overlay {
    /** Each object's box outline in its category's colour. */
    BOXES,
    /** The semantic mask: each labelled pixel tinted with its category's colour (45 %). */
    MASKS
  }

  private static final float TINT = 0.45f;

  private AnnotatedGrids() {}

  /**
   * The colour of a category id (a fixed, well-separated palette, repeating after 12).
   *
   * @param categoryId the id, {@code >= 1}
   * @return {r, g, b} in {@code [0, 1]}
   */
  public static float[] colour(int categoryId) {
    float hue = ((categoryId - 1) % 12) / 12f;
    int rgb = java.awt.Color.HSBtoRGB(hue, 0.9f, 1f);
    return new float[] {
      ((rgb >> 16) & 0xFF) / 255f, ((rgb >> 8) & 0xFF) / 255f, (rgb & 0xFF) / 255f
    };
  }

  /**
   * Writes a {@code rows × cols} grid PNG of annotated images, atomically.
   *
   * @param file the PNG file
   * @param images {@code [N, C, H, W]} in {@code [-1, 1]}, C 1 or 3
   * @param annotations one annotation per image, each of the images' size
   * @param overlay what to draw
   * @param rows the number of rows
   * @param cols the number of columns, {@code rows × cols >= N}
   * @throws IOException if writing fails
   * @throws IllegalArgumentException if the counts or sizes disagree, or the grid is too small
   */
  public static void write(
      Path file,
      Tensor images,
      List<ImageAnnotations> annotations,
      Overlay overlay,
      int rows,
      int cols)
      throws IOException {
    checkNotNull(file, "file");
    checkNotNull(images, "images");
    checkNotNull(annotations, "annotations");
    checkNotNull(overlay, "overlay");
    Tensors.checkShape(images, "images", -1, -1, -1, -1);
    int n = (int) images.size(0);
    int c = (int) images.size(1);
    int h = (int) images.size(2);
    int w = (int) images.size(3);
    checkArgument(c == 1 || c == 3, "images must have 1 or 3 channels but had %s", c);
    checkArgument(
        annotations.size() == n,
        "annotations must have one entry per image (%s) but had %s",
        n,
        annotations.size());
    for (int i = 0; i < n; i++) {
      ImageAnnotations a = annotations.get(i);
      checkArgument(
          a.width() == w && a.height() == h,
          "annotations[%s] must be %sx%s (width x height) like the images but was %sx%s",
          i,
          w,
          h,
          a.width(),
          a.height());
    }
    try (TensorScope scope = TensorScope.open()) {
      float[] src = Tensors.toFloats(images.detach().to(ScalarType.Float).cpu().contiguous());
      float[] rgb = new float[n * 3 * h * w];
      int plane = h * w;
      for (int i = 0; i < n; i++) {
        for (int ch = 0; ch < 3; ch++) {
          int from = i * c * plane + (c == 1 ? 0 : ch) * plane;
          for (int p = 0; p < plane; p++) {
            rgb[(i * 3 + ch) * plane + p] = (src[from + p] + 1f) / 2f;
          }
        }
        draw(rgb, i * 3 * plane, w, h, annotations.get(i), overlay);
      }
      float[] scaled = new float[rgb.length];
      for (int k = 0; k < rgb.length; k++) {
        scaled[k] = Math.max(0f, Math.min(1f, rgb[k])) * 2f - 1f;
      }
      Tensor coloured = Tensors.fromFloats(scaled, n, 3, h, w);
      Images.writePng(file, Grids.grid(coloured, rows, cols, Grids.DEFAULT_PADDING));
    }
  }

  private static void draw(
      float[] rgb, int offset, int w, int h, ImageAnnotations a, Overlay overlay) {
    int plane = w * h;
    if (overlay == Overlay.MASKS) {
      if (a.semanticMask().isEmpty()) {
        return;
      }
      Mask m = a.semanticMask().get();
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int id = m.get(x, y);
          if (id > 0) {
            float[] col = colour(id);
            for (int ch = 0; ch < 3; ch++) {
              int at = offset + ch * plane + y * w + x;
              rgb[at] = (1 - TINT) * rgb[at] + TINT * col[ch];
            }
          }
        }
      }
      return;
    }
    for (ObjectAnnotation o : a.objects()) {
      BoundingBox b = o.box();
      int x0 = clamp((int) Math.floor(b.x()), w);
      int y0 = clamp((int) Math.floor(b.y()), h);
      int x1 = clamp((int) Math.ceil(b.x() + b.width()) - 1, w);
      int y1 = clamp((int) Math.ceil(b.y() + b.height()) - 1, h);
      float[] col = colour(o.categoryId());
      for (int x = x0; x <= x1; x++) {
        paint(rgb, offset, plane, w, x, y0, col);
        paint(rgb, offset, plane, w, x, y1, col);
      }
      for (int y = y0; y <= y1; y++) {
        paint(rgb, offset, plane, w, x0, y, col);
        paint(rgb, offset, plane, w, x1, y, col);
      }
    }
  }

  private static int clamp(int v, int size) {
    return Math.max(0, Math.min(size - 1, v));
  }

  private static void paint(float[] rgb, int offset, int plane, int w, int x, int y, float[] col) {
    for (int ch = 0; ch < 3; ch++) {
      rgb[offset + ch * plane + y * w + x] = col[ch];
    }
  }
}
