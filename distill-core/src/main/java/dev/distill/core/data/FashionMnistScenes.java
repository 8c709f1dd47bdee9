package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.io.CocoJson;
import dev.distill.core.io.Idx;
import dev.distill.core.io.Images;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * "Fashion-MNIST scenes": a seeded, synthetic detection/segmentation dataset composed on the fly of
 * real Fashion-MNIST garments pasted onto black canvases — small enough for CPU tests of detection
 * and segmentation pipelines, with exact boxes and masks. It is a composition of real images, not a
 * natural-scene dataset; substitute a real COCO-format dataset with {@link CocoDataset}.
 *
 * <p>Splits never mix: {@link #train} scenes use only garments of the bundled training slice
 * ({@link FashionMnist#train()}), {@link #test} scenes only garments of the test set ({@link
 * FashionMnist#test()}). Nothing is stored: scene {@code i} is recomputed from (seed, split, i)
 * whenever it is asked for, with {@link java.util.Random} and integer/double arithmetic only, so it
 * is identical on every JVM.
 *
 * <p>Composition of scene {@code i} (see {@link SceneConfig}): a canvas of {@code canvasSize²}
 * black pixels; {@code minObjects..maxObjects} garments drawn uniformly from the split (with
 * replacement), each scaled to a square of side {@code minSide..maxSide} (bilinear, pixel centres)
 * and placed uniformly so that it lies inside the canvas. Garments are pasted in draw order, later
 * ones on top; a scaled garment pixel of intensity {@code >= alphaThreshold} is opaque and replaces
 * the canvas pixel, darker ones are transparent.
 *
 * <p>Annotations ({@link #annotations(int)}), computed from the final paint:
 *
 * <ul>
 *   <li>categories: {@link #CATEGORIES}, id = Fashion-MNIST class + 1 (1..10), so that 0 is the
 *       background of semantic masks;
 *   <li>per visible garment, in paint order: its category, the tight box around its
 *       <em>visible</em> opaque pixels (integer pixel edges: {@code [minX, minY, maxX - minX + 1,
 *       maxY - minY + 1]}) and its instance mask (the pixels it owns after later garments were
 *       painted); a garment hidden entirely by later ones, or without any opaque pixel, is dropped
 *       (counted in {@link SceneStatistics#droppedObjects()});
 *   <li>a semantic mask: the category id of the garment owning each pixel, 0 elsewhere (no ignore
 *       pixels).
 * </ul>
 *
 * <p>Immutable and thread-safe (the garments are held as bytes, about 8 MB per split).
 *
 * @since 0.1.0
 */
public final class FashionMnistScenes {
  /** The categories: id = Fashion-MNIST class + 1, name = {@link FashionMnist#CLASS_NAMES}. */
  public static final List<Category> CATEGORIES = categories();

  private static final int G = FashionMnist.IMAGE_SIZE;

  /** Which garments a scene set draws from. */
  public enum Split {
    /** The bundled training slice (10,000 garments). */
    TRAIN,
    /** The test set (10,000 garments). */
    TEST
  }

  private final SceneConfig config;
  private final Split split;
  private final byte[] garments;
  private final byte[] labels;
  private final int count;

  FashionMnistScenes(SceneConfig config, Split split, byte[] garments, byte[] labels) {
    this.config = checkNotNull(config, "config");
    this.split = checkNotNull(split, "split");
    this.garments = garments;
    this.labels = labels;
    this.count = labels.length;
    checkArgument(
        garments.length == count * G * G,
        "garments must be [N, 28, 28] for %s labels but had %s bytes",
        count,
        garments.length);
  }

  private static List<Category> categories() {
    List<Category> out = new ArrayList<>();
    for (int k = 0; k < FashionMnist.CLASS_NAMES.size(); k++) {
      out.add(Category.of(k + 1, FashionMnist.CLASS_NAMES.get(k)));
    }
    return List.copyOf(out);
  }

  /**
   * Scenes composed of training-slice garments.
   *
   * @param config the composition
   * @return the scenes
   * @throws IOException if the bundled resource cannot be read
   */
  public static FashionMnistScenes train(SceneConfig config) throws IOException {
    return of(config, Split.TRAIN);
  }

  /**
   * Scenes composed of test-set garments.
   *
   * @param config the composition
   * @return the scenes
   * @throws IOException if the bundled resource cannot be read
   */
  public static FashionMnistScenes test(SceneConfig config) throws IOException {
    return of(config, Split.TEST);
  }

  private static FashionMnistScenes of(SceneConfig config, Split split) throws IOException {
    checkNotNull(config, "config");
    Idx.ByteArray[] raw = FashionMnist.rawIdx(split == Split.TRAIN);
    return new FashionMnistScenes(config, split, raw[0].data(), raw[1].data());
  }

  /** The composition. */
  public SceneConfig config() {
    return config;
  }

  /** The split the garments come from. */
  public Split split() {
    return split;
  }

  /** The number of scenes ({@link SceneConfig#size()}). */
  public int size() {
    return config.size();
  }

  /** One garment as drawn: its index in the split, class, side and top-left corner. */
  record Placement(int garment, int classId, int side, int x, int y) {}

  /** A composed scene: gray pixels, owners (-1 = background) and the placements. */
  record Composition(byte[] pixels, int[] owner, List<Placement> placements) {}

  /**
   * The seed of scene {@code index}: (seed, split, index) mixed by SplitMix64's finalizer, so that
   * neighbouring indices give unrelated {@link Random} streams (the first draws of {@code Random}s
   * with close seeds are correlated).
   */
  private long sceneSeed(int index) {
    long h = mix64(config.seed() + 0x9E3779B97F4A7C15L * (split.ordinal() + 1));
    return mix64(h + 0x9E3779B97F4A7C15L * ((long) index + 1));
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  Composition compose(int index) {
    checkArgument(
        index >= 0 && index < config.size(), "index must be in [0, %s) but was %s", size(), index);
    Random r = new Random(sceneSeed(index));
    int n = config.canvasSize();
    byte[] canvas = new byte[n * n];
    int[] owner = new int[n * n];
    Arrays.fill(owner, -1);
    int objects = config.minObjects() + r.nextInt(config.maxObjects() - config.minObjects() + 1);
    List<Placement> placements = new ArrayList<>();
    for (int k = 0; k < objects; k++) {
      int g = r.nextInt(count);
      int side = config.minSide() + r.nextInt(config.maxSide() - config.minSide() + 1);
      int x0 = r.nextInt(n - side + 1);
      int y0 = r.nextInt(n - side + 1);
      Placement p = new Placement(g, labels[g], side, x0, y0);
      placements.add(p);
      int[] scaled = scaled(g, side);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          int v = scaled[y * side + x];
          if (v >= config.alphaThreshold()) {
            int at = (y0 + y) * n + x0 + x;
            canvas[at] = (byte) v;
            owner[at] = k;
          }
        }
      }
    }
    return new Composition(canvas, owner, placements);
  }

  /** A garment scaled to {@code side²} pixels, bilinear at pixel centres, rounded to 0..255. */
  int[] scaled(int garment, int side) {
    int base = garment * G * G;
    int[] out = new int[side * side];
    for (int y = 0; y < side; y++) {
      double sy = Math.max(0, Math.min(G - 1, (y + 0.5) * G / side - 0.5));
      int y0 = (int) Math.floor(sy);
      int y1 = Math.min(G - 1, y0 + 1);
      double fy = sy - y0;
      for (int x = 0; x < side; x++) {
        double sx = Math.max(0, Math.min(G - 1, (x + 0.5) * G / side - 0.5));
        int x0 = (int) Math.floor(sx);
        int x1 = Math.min(G - 1, x0 + 1);
        double fx = sx - x0;
        double top = (1 - fx) * px(base, y0, x0) + fx * px(base, y0, x1);
        double bottom = (1 - fx) * px(base, y1, x0) + fx * px(base, y1, x1);
        out[y * side + x] = (int) Math.round((1 - fy) * top + fy * bottom);
      }
    }
    return out;
  }

  private int px(int base, int y, int x) {
    return Byte.toUnsignedInt(garments[base + y * G + x]);
  }

  /** The raw 28×28 pixels of one garment of the split (for tests). */
  byte[] garment(int index) {
    return Arrays.copyOfRange(garments, index * G * G, (index + 1) * G * G);
  }

  /**
   * The annotations of one scene.
   *
   * @param index the scene, in {@code [0, size())}
   * @return its visible objects (paint order) and its semantic mask
   * @throws IllegalArgumentException if the index is out of range
   */
  public ImageAnnotations annotations(int index) {
    return annotate(compose(index));
  }

  private ImageAnnotations annotate(Composition c) {
    int n = config.canvasSize();
    List<ObjectAnnotation> objects = new ArrayList<>();
    byte[] semantic = new byte[n * n];
    for (int k = 0; k < c.placements().size(); k++) {
      int minX = n;
      int minY = n;
      int maxX = -1;
      int maxY = -1;
      byte[] mask = new byte[n * n];
      for (int i = 0; i < n * n; i++) {
        if (c.owner()[i] == k) {
          int x = i % n;
          int y = i / n;
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
          mask[i] = 1;
        }
      }
      if (maxX < 0) {
        continue; // hidden entirely, or no opaque pixel: dropped
      }
      int category = c.placements().get(k).classId() + 1;
      for (int i = 0; i < n * n; i++) {
        if (mask[i] == 1) {
          semantic[i] = (byte) category;
        }
      }
      objects.add(
          ObjectAnnotation.of(
              category,
              BoundingBox.of(minX, minY, maxX - minX + 1, maxY - minY + 1),
              Mask.ofBytes(n, n, mask)));
    }
    return ImageAnnotations.of(objects, Mask.ofBytes(n, n, semantic));
  }

  /**
   * The annotations of a run of scenes.
   *
   * @param from the first scene
   * @param count how many
   * @return {@link #CATEGORIES} and one entry per scene
   * @throws IllegalArgumentException if the range is outside {@code [0, size())}
   */
  public AnnotationSet annotationSet(int from, int count) {
    checkRange(from, count);
    List<ImageAnnotations> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      out.add(annotations(i));
    }
    return AnnotationSet.of(CATEGORIES, out);
  }

  /**
   * Renders a run of scenes.
   *
   * @param from the first scene
   * @param count how many
   * @return {@code [count, 1, canvasSize, canvasSize]} float32 CPU, pixel {@code p} of {@code
   *     0..255} as {@code p / 127.5 - 1} (black background = -1, like {@link FashionMnist}); owned
   *     by the caller's current {@link TensorScope}
   * @throws IllegalArgumentException if the range is outside {@code [0, size())}
   */
  public Tensor images(int from, int count) {
    checkRange(from, count);
    int n = config.canvasSize();
    byte[] all = new byte[count * n * n];
    for (int i = 0; i < count; i++) {
      System.arraycopy(compose(from + i).pixels(), 0, all, i * n * n, n * n);
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor t =
          Tensors.fromBytes(all, count, 1, n, n)
              .to(ScalarType.Float)
              .div(new Scalar(127.5))
              .sub(new Scalar(1.0));
      return scope.keep(t);
    }
  }

  private void checkRange(int from, int count) {
    checkArgument(
        from >= 0 && count >= 0 && (long) from + count <= size(),
        "scenes [from, from + count) must lie in [0, %s) but were [%s, %s)",
        size(),
        from,
        (long) from + count);
  }

  /**
   * Writes scenes as a COCO-format dataset, the layout {@link CocoDataset} reads: {@code
   * dir/images/<index>.png} (8-bit gray), {@code dir/instances.json} and the masks ({@link
   * CocoJson#write}).
   *
   * @param dir the folder (created if needed)
   * @param from the first scene
   * @param count how many
   * @throws IOException if writing fails
   */
  public void export(Path dir, int from, int count) throws IOException {
    checkNotNull(dir, "dir");
    checkRange(from, count);
    List<String> names = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      String name = "images/" + i + ".png";
      names.add(name);
      try (TensorScope scope = TensorScope.open()) {
        Images.writePng(dir.resolve(name), images(i, 1).squeeze(0));
      }
    }
    CocoJson.write(dir.resolve(CocoJson.INSTANCES), dir, names, annotationSet(from, count));
  }

  /**
   * Measures the first {@code count} scenes.
   *
   * @param count how many scenes, in {@code [1, size()]}
   * @return the statistics
   */
  public SceneStatistics statistics(int count) {
    checkArgument(
        count >= 1 && count <= size(), "count must be in [1, %s] but was %s", size(), count);
    int n = config.canvasSize();
    int[] perScene = new int[config.maxObjects() + 1];
    int[] classes = new int[FashionMnist.CLASS_NAMES.size()];
    List<Double> sides = new ArrayList<>();
    double widths = 0;
    double heights = 0;
    int dropped = 0;
    long foreground = 0;
    for (int i = 0; i < count; i++) {
      Composition c = compose(i);
      ImageAnnotations a = annotate(c);
      perScene[a.objects().size()]++;
      dropped += c.placements().size() - a.objects().size();
      for (ObjectAnnotation o : a.objects()) {
        classes[o.categoryId() - 1]++;
        BoundingBox b = o.box();
        sides.add(Math.sqrt(b.width() * b.height()));
        widths += b.width();
        heights += b.height();
      }
      for (int v : c.owner()) {
        if (v >= 0) {
          foreground++;
        }
      }
    }
    int objects = sides.size();
    sides.sort(null);
    List<Double> quantiles = new ArrayList<>();
    if (objects > 0) {
      for (double q : new double[] {0, 0.25, 0.5, 0.75, 1}) {
        quantiles.add(sides.get((int) Math.round(q * (objects - 1))));
      }
    }
    List<Integer> perSceneList = new ArrayList<>();
    for (int v : perScene) {
      perSceneList.add(v);
    }
    List<Integer> classList = new ArrayList<>();
    for (int v : classes) {
      classList.add(v);
    }
    return new SceneStatistics(
        count,
        perSceneList,
        (double) objects / count,
        dropped,
        quantiles,
        objects == 0 ? 0 : widths / objects,
        objects == 0 ? 0 : heights / objects,
        classList,
        (double) foreground / ((long) count * n * n));
  }

  @Override
  public String toString() {
    return "FashionMnistScenes[" + split + ", " + config + "]";
  }
}
