package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.EvalReport;
import dev.distill.api.ProgressListener;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.eval.ClassificationEvaluator;
import dev.distill.core.eval.EvalProtocol;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.method.D4M;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short real run: D4M on the built-in model, a ConvNet student, real Fashion-MNIST test data. */
class EndToEndTest {
  @TempDir Path tmp;

  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  @Test
  void d4mOnTheBuiltinModelBeatsChanceByAWideMargin() throws Exception {
    try (TensorScope scope = TensorScope.open();
        LabeledImages train = FashionMnist.train();
        LabeledImages fullTest = FashionMnist.test();
        BuiltinModel model = BuiltinModel.fashionMnist()) {
      // a class-balanced 1,000-image slice of the real test set keeps the test short
      int[] idx =
          IntStream.range(0, 10)
              .flatMap(c -> Arrays.stream(Arrays.copyOf(fullTest.indicesOf(c), 100)))
              .toArray();
      try (LabeledImages test = fullTest.select(idx);
          DistillResult r =
              Distill.from(train)
                  .method(D4M.defaults())
                  .sampler(model.sampler())
                  .ipc(2)
                  .seed(0)
                  .numSteps(10)
                  .guidanceScale(2.0)
                  .run(tmp.resolve("d4m"))) {
        assertThat(r.set().size()).isEqualTo(20);
        assertThat(Tensors.hasNonFinite(r.set().images())).isFalse();
        EvalReport report =
            ClassificationEvaluator.of(EvalProtocol.quick().withEpochs(40), test)
                .evaluate(r.set(), HardLabelMatcher.of(), ProgressListener.NONE);
        double top1 = report.metric("top1").mean();
        System.out.printf("end-to-end D4M IPC 2: top-1 %.2f %% (chance 10 %%)%n", top1);
        assertThat(top1).isGreaterThan(35.0);
      }
    }
  }
}
