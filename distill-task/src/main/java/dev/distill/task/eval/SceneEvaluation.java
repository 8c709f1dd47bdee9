package dev.distill.task.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistilledSet;
import dev.distill.api.MetricSummary;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.Category;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What both evaluators share: the test-scene and set checks, and the report's common parts. */
final class SceneEvaluation {
  /** The report's "matcher": each student learns from the set's annotations by its own loss. */
  static final String MATCHER = "task-loss";

  private SceneEvaluation() {}

  /** Checks the real test scenes: the test split, enough scenes, a canvas the students take. */
  static void checkTestScenes(FashionMnistScenes testScenes, int count) {
    checkNotNull(testScenes, "testScenes");
    checkArgument(
        testScenes.split() == FashionMnistScenes.Split.TEST,
        "testScenes must be the TEST split (scored scenes must not share garments with training"
            + " scenes) but was %s",
        testScenes.split());
    checkArgument(
        count <= testScenes.size(),
        "testScenes must hold the protocol's %s scenes but had %s",
        count,
        testScenes.size());
    int side = testScenes.config().canvasSize();
    checkArgument(
        side % 4 == 0,
        "testScenes must have a canvas side that is a multiple of 4 (the students' stride) but was"
            + " %s",
        side);
  }

  /**
   * Checks a set against the test scenes: not empty, annotated, images of the scenes' shape,
   * annotations over the scenes' categories.
   *
   * @param what what the task needs, for messages ("box annotations", "semantic masks")
   * @return the set's annotations
   */
  static AnnotationSet checkSet(DistilledSet set, FashionMnistScenes testScenes, String what) {
    checkNotNull(set, "set");
    checkArgument(set.size() >= 1, "set must not be empty but had %s images", set.size());
    checkArgument(
        set.annotations().isPresent(),
        "set must carry %s (DistilledSet.annotations()) but has no annotations (method %s)",
        what,
        set.provenance().method());
    long[] shape = Tensors.shape(set.images());
    long side = testScenes.config().canvasSize();
    checkArgument(
        shape.length == 4 && shape[1] == 1 && shape[2] == side && shape[3] == side,
        "set images must have shape [*, 1, %s, %s] (the test scenes') but had %s (bring the set to"
            + " the test scenes' size and channels before evaluating)",
        side,
        side,
        Arrays.toString(shape));
    AnnotationSet annotations = set.annotations().get();
    checkArgument(
        new HashSet<>(annotations.categories())
            .equals(new HashSet<>(FashionMnistScenes.CATEGORIES)),
        "set annotations must use the test scenes' categories %s but had %s",
        FashionMnistScenes.CATEGORIES,
        annotations.categories());
    return annotations;
  }

  /** K for the student: the largest category id of the test scenes (ids 1..K). */
  static int numCategories() {
    return FashionMnistScenes.CATEGORIES.stream().mapToInt(Category::id).max().orElseThrow();
  }

  /** The category name of an id. */
  static String categoryName(int id) {
    for (Category c : FashionMnistScenes.CATEGORIES) {
      if (c.id() == id) {
        return c.name();
      }
    }
    return Category.BACKGROUND == id ? "background" : Integer.toString(id);
  }

  /** The report's protocol entries that describe the data, not the training. */
  static Map<String, String> dataEntries(
      String task, DistilledSet set, FashionMnistScenes testScenes, int testCount) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("task", task);
    p.put("budget", Integer.toString(set.size()));
    p.put("trainImages", Integer.toString(set.size()));
    p.put("set.method", set.provenance().method());
    p.put("imageShape", Arrays.toString(Tensors.shape(set.images())));
    p.put("testSplit", testScenes.split().name());
    p.put("testScenes", Integer.toString(testCount));
    p.put("testSceneConfig", testScenes.config().toString());
    return p;
  }

  /** Metric name → per-seed values, as summaries. */
  static Map<String, MetricSummary> summaries(Map<String, List<Double>> values) {
    Map<String, MetricSummary> out = new LinkedHashMap<>();
    values.forEach((k, v) -> out.put(k, new MetricSummary(v)));
    return out;
  }
}
