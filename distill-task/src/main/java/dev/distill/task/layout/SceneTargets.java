package dev.distill.task.layout;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.pipeline.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

/**
 * Draws target annotations ã (boxes, instance masks, a semantic mask) from the statistics of real
 * training annotations, deterministically per (seed, index): the targets of UniDD for detection and
 * segmentation.
 *
 * <p>It lives in distill-task because targets are what the task guidance aims at (DESIGN.md: "task
 * — annotation targets"); it reads any {@link AnnotationSet}, not only {@link FashionMnistScenes},
 * so it is not part of the scene generator in core. It only ever sees the annotations it is given:
 * {@link #fromTraining(FashionMnistScenes, int)} refuses test scenes, and callers of {@link
 * #of(AnnotationSet)} must pass training annotations.
 *
 * <p>Target {@code (seed, index)}, drawn with one {@link Random} seeded by SplitMix64 of (seed,
 * index):
 *
 * <ol>
 *   <li>the number of objects: that of a uniformly drawn training image (the empirical count
 *       distribution, zero included);
 *   <li>per object, its category: that of a uniformly drawn training object (the empirical category
 *       frequencies);
 *   <li>its shape: a uniformly drawn training object of that category ({@link
 *       #MIN_OBJECTS_PER_CATEGORY} or more of them; else of any category) gives the box size and
 *       the silhouette, the object's instance mask cropped to its box (the filled box if it has no
 *       instance mask). Copying a real silhouette, rather than filling the box, keeps the
 *       segmentation target garment-shaped — a segmenter trained on real masks scores a filled
 *       rectangle badly everywhere — and keeps box size and shape jointly empirical;
 *   <li>its position: the box centre of another uniformly drawn training object (all categories
 *       pooled), the box shifted (never shrunk) to lie inside the canvas; a position that would
 *       hide an earlier object entirely is redrawn up to {@link #PLACEMENT_ATTEMPTS} times.
 * </ol>
 *
 * <p>Objects are painted in draw order, later ones on top, and annotated as {@link
 * FashionMnistScenes} annotates its scenes: per visible object its category, the tight box around
 * its visible pixels (integer edges) and its instance mask (the pixels it owns after painting); a
 * hidden object is dropped; the semantic mask holds the owner's category id, 0 elsewhere.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class SceneTargets {
  /** Categories with fewer training objects draw their shapes from all categories pooled. */
  public static final int MIN_OBJECTS_PER_CATEGORY = 20;

  /** How often a position that hides an earlier object is redrawn before it is accepted. */
  public static final int PLACEMENT_ATTEMPTS = 10;

  /** How many draws {@link #drawDominant} tries before giving up on a category. */
  public static final int MAX_DOMINANT_ATTEMPTS = 10_000;

  /** A training object's shape: box size and silhouette ({@code w * h} bytes, 1 = object). */
  private record Shape(int width, int height, byte[] silhouette) {}

  private final List<Category> categories;
  private final int width;
  private final int height;
  private final int[] counts; // object count of each training image
  private final int[] objectCategory; // category of each training object
  private final double[] centreX;
  private final double[] centreY;
  private final List<Shape> allShapes;
  private final List<Shape>[] shapesById; // index = category id

  @SuppressWarnings("unchecked")
  private SceneTargets(AnnotationSet training) {
    this.categories = training.categories();
    ImageAnnotations first = training.images().get(0);
    this.width = first.width();
    this.height = first.height();
    this.counts = new int[training.size()];
    List<Integer> cats = new ArrayList<>();
    List<double[]> centres = new ArrayList<>();
    this.allShapes = new ArrayList<>();
    this.shapesById = new List[Category.MAX_ID + 1];
    for (int i = 0; i < training.size(); i++) {
      ImageAnnotations a = training.images().get(i);
      checkArgument(
          a.width() == width && a.height() == height,
          "training images must all have one size (%sx%s, width x height) but image %s was %sx%s",
          width,
          height,
          i,
          a.width(),
          a.height());
      counts[i] = a.objects().size();
      for (ObjectAnnotation o : a.objects()) {
        Shape s = shape(o);
        cats.add(o.categoryId());
        BoundingBox b = o.box();
        centres.add(new double[] {b.x() + b.width() / 2, b.y() + b.height() / 2});
        allShapes.add(s);
        if (shapesById[o.categoryId()] == null) {
          shapesById[o.categoryId()] = new ArrayList<>();
        }
        shapesById[o.categoryId()].add(s);
      }
    }
    checkArgument(
        !cats.isEmpty(),
        "training annotations must hold at least one object but the %s images held none",
        training.size());
    this.objectCategory = cats.stream().mapToInt(Integer::intValue).toArray();
    this.centreX = centres.stream().mapToDouble(c -> c[0]).toArray();
    this.centreY = centres.stream().mapToDouble(c -> c[1]).toArray();
  }

  /** The object's instance mask cropped to its (integer-rounded) box, or the filled box. */
  private Shape shape(ObjectAnnotation o) {
    BoundingBox b = o.box();
    int x0 = (int) Math.floor(b.x());
    int y0 = (int) Math.floor(b.y());
    int w = Math.max(1, Math.min(width - x0, (int) Math.round(b.width())));
    int h = Math.max(1, Math.min(height - y0, (int) Math.round(b.height())));
    byte[] s = new byte[w * h];
    if (o.instanceMask().isEmpty()) {
      Arrays.fill(s, (byte) 1);
      return new Shape(w, h, s);
    }
    Mask m = o.instanceMask().get();
    int on = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (m.get(x0 + x, y0 + y) != 0) {
          s[y * w + x] = 1;
          on++;
        }
      }
    }
    if (on == 0) { // a mask that misses its own box: use the box
      Arrays.fill(s, (byte) 1);
    }
    return new Shape(w, h, s);
  }

  /**
   * Targets from training annotations.
   *
   * @param training the real training annotations (never test or validation annotations): every
   *     image of one size, at least one object in all
   * @return the targets
   * @throws IllegalArgumentException if the set is empty, holds no object, or its images differ in
   *     size
   */
  public static SceneTargets of(AnnotationSet training) {
    checkNotNull(training, "training");
    checkArgument(
        training.size() >= 1, "training must hold at least one image but held %s", training.size());
    return new SceneTargets(training);
  }

  /**
   * Targets from the first {@code count} training scenes.
   *
   * @param train training scenes ({@link FashionMnistScenes#train})
   * @param count how many scenes to measure, in {@code [1, train.size()]}
   * @return the targets
   * @throws IllegalArgumentException if the scenes are test scenes or the count is out of range
   */
  public static SceneTargets fromTraining(FashionMnistScenes train, int count) {
    checkNotNull(train, "train");
    checkArgument(
        train.split() == FashionMnistScenes.Split.TRAIN,
        "train must be training scenes (split TRAIN) but was split %s",
        train.split());
    checkArgument(
        count >= 1 && count <= train.size(),
        "count must be in [1, %s] but was %s",
        train.size(),
        count);
    return of(train.annotationSet(0, count));
  }

  /** The categories, as in the training annotations. */
  public List<Category> categories() {
    return categories;
  }

  /** The canvas width in pixels (that of the training images). */
  public int width() {
    return width;
  }

  /** The canvas height in pixels. */
  public int height() {
    return height;
  }

  /** The number of training objects of a category id (0 for an unknown id). */
  public int objectCount(int categoryId) {
    if (categoryId < 0 || categoryId >= shapesById.length || shapesById[categoryId] == null) {
      return 0;
    }
    return shapesById[categoryId].size();
  }

  /**
   * Target {@code index} of a run.
   *
   * @param seed the run seed
   * @param index the target index, {@code >= 0}
   * @return the target, a function of (seed, index) only
   * @throws IllegalArgumentException if the index is negative
   */
  public ImageAnnotations draw(long seed, int index) {
    checkArgument(index >= 0, "index must be >= 0 but was %s", index);
    return drawOne(new Random(key(seed, index)));
  }

  /**
   * Target {@code index} of a run whose dominant category ({@link #dominantCategory}) is {@code
   * categoryId}: the first draw of the stream of (seed, category, index) that has it — the
   * empirical distribution conditioned on the dominant category.
   *
   * @param seed the run seed
   * @param categoryId the dominant category id, one with training objects
   * @param index the target index, {@code >= 0}
   * @return the target, a function of (seed, categoryId, index) only
   * @throws IllegalArgumentException if the index is negative, the category has no training object,
   *     or no draw of {@link #MAX_DOMINANT_ATTEMPTS} had it dominant
   */
  public ImageAnnotations drawDominant(long seed, int categoryId, int index) {
    checkArgument(index >= 0, "index must be >= 0 but was %s", index);
    checkArgument(
        objectCount(categoryId) > 0,
        "categoryId must be a category with training objects %s but was %s",
        presentIds(),
        categoryId);
    Random r = new Random(key(Seeds.mix(seed) ^ (categoryId * 0xC2B2AE3D27D4EB4FL), index));
    for (int attempt = 0; attempt < MAX_DOMINANT_ATTEMPTS; attempt++) {
      ImageAnnotations a = drawOne(r);
      OptionalInt d = dominantCategory(a);
      if (d.isPresent() && d.getAsInt() == categoryId) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        String.format(
            "categoryId %s must be dominant in some of %s draws but was in none",
            categoryId, MAX_DOMINANT_ATTEMPTS));
  }

  private List<Integer> presentIds() {
    List<Integer> ids = new ArrayList<>();
    for (int id = 0; id < shapesById.length; id++) {
      if (shapesById[id] != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * The dominant category of an image: that of its object with the largest box area (the first in
   * paint order on ties).
   *
   * @param a the annotations
   * @return the category id, or empty if the image has no object
   */
  public static OptionalInt dominantCategory(ImageAnnotations a) {
    checkNotNull(a, "a");
    double best = -1;
    int id = -1;
    for (ObjectAnnotation o : a.objects()) {
      double area = o.box().width() * o.box().height();
      if (area > best) {
        best = area;
        id = o.categoryId();
      }
    }
    return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
  }

  private static long key(long seed, int index) {
    long h = Seeds.mix(seed + 0x9E3779B97F4A7C15L);
    return Seeds.mix(h + 0x9E3779B97F4A7C15L * ((long) index + 1));
  }

  private ImageAnnotations drawOne(Random r) {
    int k = counts[r.nextInt(counts.length)];
    int[] owner = new int[width * height];
    Arrays.fill(owner, -1);
    int[] ids = new int[k];
    for (int j = 0; j < k; j++) {
      int id = objectCategory[r.nextInt(objectCategory.length)];
      ids[j] = id;
      List<Shape> pool = objectCount(id) >= MIN_OBJECTS_PER_CATEGORY ? shapesById[id] : allShapes;
      Shape s = pool.get(r.nextInt(pool.size()));
      int[] trial = null;
      for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
        int c = r.nextInt(centreX.length);
        int x0 = clamp((int) Math.round(centreX[c] - s.width() / 2.0), width - s.width());
        int y0 = clamp((int) Math.round(centreY[c] - s.height() / 2.0), height - s.height());
        trial = owner.clone();
        for (int y = 0; y < s.height(); y++) {
          for (int x = 0; x < s.width(); x++) {
            if (s.silhouette()[y * s.width() + x] != 0) {
              trial[(y0 + y) * width + x0 + x] = j;
            }
          }
        }
        if (allVisible(trial, j)) {
          break;
        }
      }
      owner = trial;
    }
    return annotate(owner, ids);
  }

  private static int clamp(int v, int max) {
    return Math.max(0, Math.min(max, v));
  }

  private static boolean allVisible(int[] owner, int objects) {
    boolean[] seen = new boolean[objects];
    int missing = objects;
    for (int v : owner) {
      if (v >= 0 && v < objects && !seen[v]) {
        seen[v] = true;
        missing--;
      }
    }
    return missing == 0;
  }

  private ImageAnnotations annotate(int[] owner, int[] ids) {
    int n = width * height;
    byte[] semantic = new byte[n];
    List<ObjectAnnotation> objects = new ArrayList<>();
    for (int j = 0; j < ids.length; j++) {
      int minX = width;
      int minY = height;
      int maxX = -1;
      int maxY = -1;
      byte[] mask = new byte[n];
      for (int i = 0; i < n; i++) {
        if (owner[i] == j) {
          int x = i % width;
          int y = i / width;
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
          mask[i] = 1;
          semantic[i] = (byte) ids[j];
        }
      }
      if (maxX < 0) {
        continue; // hidden entirely by later objects: dropped
      }
      objects.add(
          ObjectAnnotation.of(
              ids[j],
              BoundingBox.of(minX, minY, maxX - minX + 1, maxY - minY + 1),
              Mask.ofBytes(width, height, mask)));
    }
    return ImageAnnotations.of(objects, Mask.ofBytes(width, height, semantic));
  }

  @Override
  public String toString() {
    return String.format(
        "SceneTargets[%sx%s, %s training images, %s objects]",
        width, height, counts.length, objectCategory.length);
  }
}
