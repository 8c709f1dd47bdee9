package dev.distill.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.assertj.core.data.Offset;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfidenceFilterEnsembleTest {
  private static final long BASE_SEED = Long.getLong("distill.seed", 0xE45EL);

  /** The "images" carry their logits in their pixels. */
  private static final Function<Tensor, Tensor> LOGITS_FROM_PIXELS =
      images -> images.reshape(images.size(0), -1).clone();

  static LongStream seeds() {
    return LongStream.range(0, 60).map(i -> BASE_SEED + i);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void anEnsembleOfIdenticalProxiesEqualsTheSingleProxy(long seed) {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(12);
    int k = 2 + r.nextInt(4);
    float[] logits = new float[n * k];
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (r.nextGaussian() * 2);
    }
    for (int i = 0; i < n; i++) {
      labels.add(r.nextInt(k));
    }
    ConfidenceConfig config =
        ConfidenceConfig.defaults()
            .withRule(
                r.nextBoolean()
                    ? ConfidenceRule.OWN_CLASS_BELOW_THRESHOLD
                    : ConfidenceRule.CONFIDENTLY_WRONG)
            .withThreshold(0.2 + 0.6 * r.nextDouble())
            .withBatchSize(1 + r.nextInt(5));
    int members = 1 + r.nextInt(4);
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = Tensors.fromFloats(logits, n, 1, 1, k);
      FilterResult single = ConfidenceFilter.of(LOGITS_FROM_PIXELS, config).apply(images, labels);
      for (EnsembleRule rule : EnsembleRule.values()) {
        ConfidenceFilter ensemble =
            ConfidenceFilter.ensemble(
                Collections.nCopies(members, LOGITS_FROM_PIXELS), rule, config);
        FilterResult e = ensemble.apply(images, labels);
        assertThat(e.kept()).as(rule.name()).isEqualTo(single.kept());
        assertThat(e.dropped()).hasSameSizeAs(single.dropped());
        for (int i = 0; i < e.dropped().size(); i++) {
          DroppedSample a = e.dropped().get(i);
          DroppedSample b = single.dropped().get(i);
          assertThat(a.index()).isEqualTo(b.index());
          assertThat(a.reason()).isEqualTo(b.reason());
          assertThat(a.offender()).isEqualTo(b.offender());
          assertThat(a.score()).isCloseTo(b.score(), Offset.offset(1e-6));
        }
      }
    }
  }

  @Test
  void meanProbabilityAndUnanimousDisagreeWhenOneMemberDoubts() {
    // member A is sure of class 0 (p0 = 0.982), member B unsure (p0 = 0.45): mean p0 = 0.716
    Function<Tensor, Tensor> unsure =
        images ->
            images
                .reshape(images.size(0), -1)
                .mul(Tensors.scalar(0.0))
                .add(Tensors.fromFloats(new float[] {0f, 0.2007f}, 1, 2));
    try (TensorScope scope = TensorScope.open()) {
      Tensor images = Tensors.fromFloats(new float[] {4f, 0f}, 1, 1, 1, 2);
      ConfidenceConfig config = ConfidenceConfig.defaults().withThreshold(0.5);
      FilterResult mean =
          ConfidenceFilter.ensemble(
                  List.of(LOGITS_FROM_PIXELS, unsure), EnsembleRule.MEAN_PROBABILITY, config)
              .apply(images, List.of(0));
      FilterResult unanimous =
          ConfidenceFilter.ensemble(
                  List.of(LOGITS_FROM_PIXELS, unsure), EnsembleRule.UNANIMOUS, config)
              .apply(images, List.of(0));
      assertThat(mean.kept()).containsExactly(0);
      assertThat(unanimous.kept()).isEmpty();
      assertThat(unanimous.dropped().get(0).reason()).isEqualTo(DropReason.LOW_CONFIDENCE);
      assertThat(unanimous.dropped().get(0).score()).isCloseTo(0.45, Offset.offset(1e-3));
      assertThatThrownBy(() -> ConfidenceFilter.ensemble(List.of(), EnsembleRule.UNANIMOUS, config))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("classifiers must not be empty");
    }
  }
}
