package dev.distill.task.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Progress;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.eval.LrSchedule;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class AnnotationProxyTrainerTest {
  private static final ProxyNetConfig TINY = ProxyNetConfig.of(1, 32, 10, 2);

  private static ProxyTrainResult train(LrSchedule schedule, ProgressListener listener) {
    Tensor images = SceneProxies.trainImages().narrow(0, 0, 16);
    List<ImageAnnotations> targets = SceneProxies.trainTargets().subList(0, 16);
    try (CenterNetDetector d = CenterNetDetector.of(TINY, 3)) {
      return AnnotationProxyTrainer.train(
          d, d.parameters(), images, targets, 6, 4, 1e-2, schedule, 5, listener);
    }
  }

  @Test
  void cosineScheduleReportsEveryStepDecaysTheRateAndIsReproducible() {
    List<Progress> events = new ArrayList<>();
    ProxyTrainResult a = train(LrSchedule.COSINE, events::add);
    ProxyTrainResult b = train(LrSchedule.COSINE, ProgressListener.NONE);
    assertThat(a).isEqualTo(b);
    assertThat(events).hasSize(6);
    assertThat(events.get(5).done()).isEqualTo(6);
    assertThat(events.get(5).total()).isEqualTo(6);
    assertThat(events.get(0).message()).startsWith("loss ").endsWith("lr 0.0100");
    // step 5 of 6: 0.01 · (1 + cos(5π/6)) / 2 = 0.000670
    assertThat(events.get(5).message()).endsWith("lr 0.000670");
    assertThat(Double.isFinite(a.lastLoss())).isTrue();
  }

  @Test
  void constantScheduleEqualsTheOverloadWithoutOne() {
    Tensor images = SceneProxies.trainImages().narrow(0, 0, 16);
    List<ImageAnnotations> targets = SceneProxies.trainTargets().subList(0, 16);
    ProxyTrainResult plain;
    try (CenterNetDetector d = CenterNetDetector.of(TINY, 3)) {
      plain = AnnotationProxyTrainer.train(d, d.parameters(), images, targets, 6, 4, 1e-2, 5);
    }
    assertThat(train(LrSchedule.CONSTANT, ProgressListener.NONE)).isEqualTo(plain);
  }

  @Test
  void anEpochScheduleIsRefused() {
    assertThatThrownBy(() -> train(LrSchedule.STEP_HALF, ProgressListener.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schedule must be CONSTANT or COSINE but was STEP_HALF");
  }
}
