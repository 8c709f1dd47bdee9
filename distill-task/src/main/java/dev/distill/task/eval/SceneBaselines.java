package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistilledSet;
import dev.distill.api.RunProvenance;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.Version;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.tensor.TensorScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The real-data rows of a detection/segmentation table, as {@link DistilledSet}s any evaluator of
 * this package scores like a distilled set: {@link #randomReal} (N real training scenes drawn at
 * random, the control at the same budget) and {@link #wholeSet} (every training scene, the upper
 * reference).
 *
 * <p>Each set holds the scenes' images ({@code [N, 1, canvas, canvas]} float32 CPU in {@code [-1,
 * 1]}, as {@link FashionMnistScenes#images} renders them) and their annotations (boxes, instance
 * and semantic masks, the scenes' categories), in ascending scene order. Its class names are the
 * categories' names and each image's label is the class of its <em>primary</em> object (largest box
 * area, the first in paint order on ties; the rule of {@code CocoDataset}), or 0 for a scene whose
 * every garment was hidden; the evaluators here read only the annotations. The provenance names the
 * method ({@code random-real} or {@code whole-set}), the seed and, in its config, the scenes, their
 * count and indices.
 *
 * <p>Only training scenes are accepted, so a baseline never shares a garment with the test scenes.
 * Stateless and thread-safe; the returned sets own their tensors and are closed by the caller.
 *
 * @since 0.1.0
 */
public final class SceneBaselines {
  private SceneBaselines() {}

  /**
   * {@code count} training scenes drawn uniformly without replacement, seeded: the same (scenes,
   * count, seed) always give the same scenes.
   *
   * @param trainScenes the training scenes ({@link FashionMnistScenes#train})
   * @param count how many, in {@code [1, trainScenes.size()]}
   * @param seed the draw's seed
   * @return the set; the caller closes it
   * @throws IllegalArgumentException if the scenes are not the training split or the count is out
   *     of range
   */
  public static DistilledSet randomReal(FashionMnistScenes trainScenes, int count, long seed) {
    checkTrain(trainScenes);
    checkArgument(
        count >= 1 && count <= trainScenes.size(),
        "count must be in [1, %s] (the training scenes) but was %s",
        trainScenes.size(),
        count);
    return build(trainScenes, draw(trainScenes.size(), count, seed), "random-real", seed);
  }

  /**
   * Every training scene ({@code trainScenes.size()} of them: choose the size with {@link
   * dev.distill.core.data.SceneConfig#withSize}).
   *
   * @param trainScenes the training scenes ({@link FashionMnistScenes#train})
   * @return the set; the caller closes it
   * @throws IllegalArgumentException if the scenes are not the training split
   */
  public static DistilledSet wholeSet(FashionMnistScenes trainScenes) {
    checkTrain(trainScenes);
    int[] all = new int[trainScenes.size()];
    Arrays.setAll(all, i -> i);
    return build(trainScenes, all, "whole-set", trainScenes.config().seed());
  }

  private static void checkTrain(FashionMnistScenes scenes) {
    checkNotNull(scenes, "trainScenes");
    checkArgument(
        scenes.split() == FashionMnistScenes.Split.TRAIN,
        "trainScenes must be the TRAIN split (a baseline must not share garments with the test"
            + " scenes) but was %s",
        scenes.split());
  }

  /** {@code count} of {@code 0..n-1} without replacement (partial Fisher–Yates), ascending. */
  static int[] draw(int n, int count, long seed) {
    int[] pool = new int[n];
    Arrays.setAll(pool, i -> i);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      int j = i + rng.nextInt(n - i);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    int[] chosen = Arrays.copyOf(pool, count);
    Arrays.sort(chosen);
    return chosen;
  }

  private static DistilledSet build(
      FashionMnistScenes scenes, int[] indices, String method, long seed) {
    List<ImageAnnotations> annotations = new ArrayList<>(indices.length);
    List<Integer> labels = new ArrayList<>(indices.length);
    List<Integer> ids = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Category c : FashionMnistScenes.CATEGORIES) {
      ids.add(c.id());
      names.add(c.name());
    }
    for (int i : indices) {
      ImageAnnotations a = scenes.annotations(i);
      annotations.add(a);
      labels.add(primaryClass(a, ids));
    }
    Map<String, String> config = new LinkedHashMap<>();
    config.put("scenes", scenes.toString());
    config.put("count", Integer.toString(indices.length));
    config.put("indices", Arrays.toString(indices));
    RunProvenance provenance =
        new RunProvenance(method, config, seed, "", Version.get(), Instant.now());
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = render(scenes, indices);
      return DistilledSet.builder(scope.detach(images), labels, names, provenance)
          .annotations(AnnotationSet.of(FashionMnistScenes.CATEGORIES, annotations))
          .build();
    }
  }

  /** The scenes' images; consecutive runs are rendered together. */
  private static Tensor render(FashionMnistScenes scenes, int[] indices) {
    List<Tensor> parts = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= indices.length; i++) {
      if (i == indices.length || indices[i] != indices[i - 1] + 1) {
        parts.add(scenes.images(indices[start], i - start));
        start = i;
      }
    }
    // a TensorVector's get() is a reference into the vector: never hand it out
    return parts.size() == 1
        ? parts.get(0)
        : torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
  }

  /** The class (position in the category list) of the largest box, first on ties; 0 if none. */
  private static int primaryClass(ImageAnnotations a, List<Integer> ids) {
    ObjectAnnotation best = null;
    for (ObjectAnnotation o : a.objects()) {
      if (best == null || area(o.box()) > area(best.box())) {
        best = o;
      }
    }
    return best == null ? 0 : ids.indexOf(best.categoryId());
  }

  private static double area(BoundingBox b) {
    return b.width() * b.height();
  }
}
