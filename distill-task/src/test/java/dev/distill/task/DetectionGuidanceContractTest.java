package dev.distill.task;

import dev.distill.api.GuidanceTerm;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.GuidanceTermContract;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.task.guidance.AnnotationTaskGuidance;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.proxy.CenterNetDetector;
import dev.distill.task.proxy.ProxyNetConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The detection term honours the api's guidance contract: one target per sample (built from the
 * sample's index, so a sample has the same target alone and in a batch), 8×8 gray latents decoded
 * by identity and fitted to an untrained proxy's 16×16 input.
 */
@Covers(AnnotationTaskGuidance.class)
class DetectionGuidanceContractTest extends GuidanceTermContract {
  private static CenterNetDetector detector;

  @BeforeAll
  static void createProxy() {
    Threads.set(1);
    try (TensorScope scope = TensorScope.open()) {
      detector = CenterNetDetector.of(ProxyNetConfig.of(1, 16, 3, 4), 3);
    }
  }

  @AfterAll
  static void closeProxy() {
    detector.close();
  }

  @Override
  protected GuidanceTerm createTerm() {
    return createTerm(List.of(0, 1));
  }

  @Override
  protected GuidanceTerm createTerm(List<Integer> samples) {
    return TaskLossGuidance.detection(
        detector, ContractTargets.targets(samples), Schedules.constant(2.0));
  }

  @Override
  protected long[] latentShape(int batch) {
    return new long[] {batch, 1, 8, 8};
  }
}
