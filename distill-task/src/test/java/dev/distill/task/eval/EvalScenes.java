package dev.distill.task.eval;

import dev.distill.api.DistilledSet;
import dev.distill.api.RunProvenance;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Test fixture: tiny Fashion-MNIST scenes (32×32, 1–3 garments of side 10–20), loaded once. */
final class EvalScenes {
  static final SceneConfig SCENES = new SceneConfig(2000, 32, 1, 3, 10, 20, 26, 0);

  private static FashionMnistScenes train;
  private static FashionMnistScenes test;

  private EvalScenes() {}

  static synchronized FashionMnistScenes train() {
    load();
    return train;
  }

  static synchronized FashionMnistScenes test() {
    load();
    return test;
  }

  private static void load() {
    if (train != null) {
      return;
    }
    Threads.set(1);
    try {
      train = FashionMnistScenes.train(SCENES);
      test = FashionMnistScenes.test(SCENES);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Training scenes {@code [from, from + count)} as a set with the given annotations. */
  static DistilledSet set(int from, int count, AnnotationSet annotations) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = scope.detach(train().images(from, count));
      return DistilledSet.builder(
              images,
              Collections.nCopies(count, 0),
              FashionMnist.CLASS_NAMES,
              new RunProvenance("test", Map.of(), 0, "", "test", Instant.EPOCH))
          .annotations(annotations)
          .build();
    }
  }

  /** Training scenes {@code [from, from + count)} without annotations. */
  static DistilledSet unannotated(int from, int count) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = scope.detach(train().images(from, count));
      return new DistilledSet(
          images,
          Collections.nCopies(count, 0),
          null,
          FashionMnist.CLASS_NAMES,
          new RunProvenance("unannotated", Map.of(), 0, "", "test", Instant.EPOCH));
    }
  }

  /** A set of no images (annotated, with no entries). */
  static DistilledSet empty() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = scope.detach(train().images(0, 1).narrow(0, 0, 0).clone());
      return DistilledSet.builder(
              images,
              List.of(),
              FashionMnist.CLASS_NAMES,
              new RunProvenance("empty", Map.of(), 0, "", "test", Instant.EPOCH))
          .annotations(AnnotationSet.of(FashionMnistScenes.CATEGORIES, List.of()))
          .build();
    }
  }
}
