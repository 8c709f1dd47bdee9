package dev.distill.core.eval;

import dev.distill.api.Evaluator;
import dev.distill.api.Matcher;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.EvaluatorContract;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.nn.StudentSpec;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The classification evaluator honours the api's contract with a tiny protocol: a ConvNet-2 of
 * width 8, 3 epochs, one seed, scored on 20 images of {@link TinyData} (4 classes, 1×8×8).
 */
@Covers(ClassificationEvaluator.class)
class ClassificationEvaluatorContractTest extends EvaluatorContract {
  private static final EvalProtocol TINY =
      EvalProtocol.defaults()
          .withStudent(StudentSpec.convNet(8, 2))
          .withTraining(
              TrainConfig.dsaEvaluation().withEpochs(3).withOptimizer(OptimizerKind.SGD, 0.05))
          .withSeeds(List.of(3L))
          .withTestBatchSize(16);
  private static LabeledImages test;

  @BeforeAll
  static void createTestSet() {
    org.bytedeco.pytorch.global.torch.set_num_threads(1);
    test = TinyData.make(5, 2);
  }

  @AfterAll
  static void closeTestSet() {
    test.close();
  }

  @Override
  protected Evaluator createEvaluator() {
    return ClassificationEvaluator.of(TINY, test);
  }

  @Override
  protected Matcher createMatcher() {
    return HardLabelMatcher.of();
  }

  @Override
  protected int numClasses() {
    return TinyData.CLASSES;
  }

  @Override
  protected long[] imageShape() {
    return new long[] {1, 8, 8};
  }

  @Override
  protected List<Metric> expectedMetrics() {
    return List.of(
        Metric.of("top1", 0, 100),
        Metric.of("top5", 0, 100),
        Metric.seconds("trainSeconds"),
        Metric.seconds("testSeconds"));
  }
}
