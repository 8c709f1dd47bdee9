package dev.distill.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterResultTest {
  @Test
  void thenMapsTheSecondFiltersIndicesBackToTheOriginalSet() {
    // first filter over 6 samples drops 1 (leak) and 4 (low confidence)
    FilterResult first =
        new FilterResult(
            6,
            List.of(0, 2, 3, 5),
            List.of(
                new DroppedSample(4, DropReason.LOW_CONFIDENCE, 2, 0.1),
                new DroppedSample(1, DropReason.LEAK_PERCEPTUAL_HASH, 7, 3)));
    // second filter over the 4 kept: kept-index 2 (= original 3) duplicates kept-index 1 (= 2)
    FilterResult second =
        new FilterResult(
            4,
            List.of(0, 1, 3),
            List.of(new DroppedSample(2, DropReason.DUPLICATE_EMBEDDING, 1, 0.99)));
    FilterResult both = first.then(second);
    assertThat(both.total()).isEqualTo(6);
    assertThat(both.kept()).containsExactly(0, 2, 5);
    assertThat(both.dropped())
        .containsExactly(
            new DroppedSample(1, DropReason.LEAK_PERCEPTUAL_HASH, 7, 3),
            new DroppedSample(3, DropReason.DUPLICATE_EMBEDDING, 2, 0.99),
            new DroppedSample(4, DropReason.LOW_CONFIDENCE, 2, 0.1));
    assertThat(both.counts())
        .containsEntry(DropReason.LEAK_PERCEPTUAL_HASH, 1)
        .containsEntry(DropReason.DUPLICATE_EMBEDDING, 1)
        .containsEntry(DropReason.LOW_CONFIDENCE, 1)
        .containsEntry(DropReason.LEAK_EMBEDDING, 0);
    assertThat(both.keptIndices()).containsExactly(0, 2, 5);
    assertThat(FilterResult.keepAll(3).then(FilterResult.keepAll(3)))
        .isEqualTo(FilterResult.keepAll(3));
  }

  @Test
  void inconsistentPartitionsAreRejected() {
    assertThatThrownBy(() -> new FilterResult(3, List.of(0, 1), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kept (2) and dropped (0) must add up to total 3");
    assertThatThrownBy(
            () ->
                new FilterResult(
                    2, List.of(0), List.of(new DroppedSample(0, DropReason.LEAK_EMBEDDING, 0, 1))))
        .hasMessage("dropped index must be in [0, 2) and not kept or repeated but was 0");
    assertThatThrownBy(() -> new FilterResult(2, List.of(1, 0), List.of()))
        .hasMessageContaining("kept must be ascending");
    assertThatThrownBy(() -> FilterResult.keepAll(2).then(FilterResult.keepAll(3)))
        .hasMessage("onKept must have total = 2 kept samples but had 3");
  }

  @Test
  void recordsHaveValueSemanticsAndRejectNulls() {
    new EqualsTester()
        .addEqualityGroup(FilterResult.keepAll(2), new FilterResult(2, List.of(0, 1), List.of()))
        .addEqualityGroup(FilterResult.keepAll(1))
        .testEquals();
    new NullPointerTester().testAllPublicConstructors(FilterResult.class);
    new NullPointerTester().testAllPublicConstructors(DroppedSample.class);
    new NullPointerTester().testAllPublicConstructors(ConfidenceConfig.class);
  }

  @Test
  void configsRoundTripThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    DedupConfig dedup =
        DedupConfig.builder()
            .maxHammingDistance(5)
            .cosineThreshold(0.9)
            .withinSet(false)
            .batchSize(16)
            .build();
    assertThat(json.readValue(json.writeValueAsString(dedup), DedupConfig.class)).isEqualTo(dedup);
    ConfidenceConfig confidence =
        ConfidenceConfig.defaults().withRule(ConfidenceRule.CONFIDENTLY_WRONG).withThreshold(0.7);
    assertThat(json.readValue(json.writeValueAsString(confidence), ConfidenceConfig.class))
        .isEqualTo(confidence);
  }

  @Test
  void configDefaultsAndValidation() {
    assertThat(DedupConfig.defaults()).isEqualTo(new DedupConfig(8, 0.95, true, 64));
    assertThat(ConfidenceConfig.defaults())
        .isEqualTo(new ConfidenceConfig(ConfidenceRule.OWN_CLASS_BELOW_THRESHOLD, 0.5, 64));
    assertThatThrownBy(() -> DedupConfig.builder().maxHammingDistance(65))
        .hasMessage("maxHammingDistance must be in [0, 64] but was 65");
    assertThatThrownBy(() -> DedupConfig.defaults().withCosineThreshold(1.5))
        .hasMessage("cosineThreshold must be in [-1, 1] but was 1.5");
    assertThatThrownBy(() -> ConfidenceConfig.defaults().withThreshold(-0.1))
        .hasMessage("threshold must be in [0, 1] but was -0.1");
    assertThatThrownBy(() -> ConfidenceConfig.defaults().withBatchSize(0))
        .hasMessage("batchSize must be >= 1 but was 0");
  }
}
