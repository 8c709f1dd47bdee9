package dev.distill.task.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.tensor.TensorScope;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Training, task losses and decoding leave no native objects behind (STYLE.md rule 10). */
class AnnotationProxyMemoryTest {

  private static void round(LrAsppSegmenter s, CenterNetDetector d) {
    Tensor images = SceneProxies.trainImages();
    List<ImageAnnotations> targets = SceneProxies.trainTargets();
    AnnotationProxyTrainer.train(s, s.parameters(), images, targets, 2, 4, 1e-3, 1);
    AnnotationProxyTrainer.train(d, d.parameters(), images, targets, 2, 4, 1e-3, 1);
    AnnotationProxyTrainer.train(
        d,
        d.parameters(),
        images,
        targets,
        2,
        4,
        1e-3,
        dev.distill.core.eval.LrSchedule.COSINE,
        1,
        dev.distill.api.ProgressListener.NONE);
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = images.narrow(0, 0, 2);
      s.taskLoss(x.clone().requires_grad_(true), targets.subList(0, 2)).backward();
      d.taskLoss(x.clone().requires_grad_(true), targets.subList(0, 2)).backward();
      s.segment(x);
      d.detect(x, 5);
    }
  }

  @Test
  void repeatedUseKeepsTheLiveNativeObjectCountAtBaseline() {
    try (LrAsppSegmenter s = LrAsppSegmenter.of(SceneProxies.config(), 5);
        CenterNetDetector d = CenterNetDetector.of(SceneProxies.config(), 5)) {
      round(s, d);
      long baseline = Pointer.totalCount();
      for (int i = 0; i < 5; i++) {
        round(s, d);
      }
      assertThat(Pointer.totalCount())
          .as("live native objects (the GC may free stray unscoped ones, a leak adds)")
          .isLessThanOrEqualTo(baseline);
    }
  }
}
