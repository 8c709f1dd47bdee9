package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.scheduler.PredictionType;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallUNetConfigTest {

  @Test
  void defaultsRoundTripThroughJson() {
    SmallUNetConfig c = SmallUNetConfig.defaults();
    assertThat(SmallUNetConfig.fromJson(c.toJson())).isEqualTo(c);
  }

  @Test
  void customConfigRoundTripsThroughJson() {
    SmallUNetConfig c =
        SmallUNetConfig.builder()
            .image(3, 32)
            .patchSize(2)
            .channels(List.of(32, 64))
            .resBlocksPerLevel(2)
            .attentionAtLowest(false)
            .predictionType(PredictionType.V_PREDICTION)
            .betaSchedule(BetaSchedule.LINEAR, 1e-4, 0.02)
            .build();
    assertThat(SmallUNetConfig.fromJson(c.toJson())).isEqualTo(c);
  }

  @Test
  void trainerConfigRoundTripsThroughJson() {
    TrainerConfig c = TrainerConfig.defaults().withNumSteps(77).withSeed(5);
    assertThat(TrainerConfig.fromJson(c.toJson())).isEqualTo(c);
  }

  @Test
  void defaultsDescribeFashionMnist() {
    SmallUNetConfig c = SmallUNetConfig.defaults();
    assertThat(c.imageChannels()).isEqualTo(1);
    assertThat(c.imageSize()).isEqualTo(28);
    assertThat(c.numClasses()).isEqualTo(10);
    assertThat(c.nullClass()).isEqualTo(10);
    assertThat(c.numTrainTimesteps()).isEqualTo(1000);
  }

  @Test
  void rejectsImageSizeNotDivisibleByTheLevels() {
    assertThatThrownBy(() -> SmallUNetConfig.builder().image(1, 30).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imageSize must be a positive multiple of")
        .hasMessageContaining("30");
  }

  @Test
  void rejectsChannelsNotDivisibleByGroups() {
    assertThatThrownBy(() -> SmallUNetConfig.builder().channels(List.of(12, 20)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[12, 20]");
  }

  @Test
  void rejectsUnknownJsonKeys() {
    String json = SmallUNetConfig.defaults().toJson().replace("{", "{\"bogus\": 1,");
    assertThatThrownBy(() -> SmallUNetConfig.fromJson(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bogus");
  }

  @Test
  void learningRateWarmsUpThenDecaysToTheMinimum() {
    TrainerConfig c = TrainerConfig.defaults().withNumSteps(1000);
    assertThat(c.learningRateAt(0)).isLessThan(c.learningRateAt(c.warmupSteps() - 1));
    assertThat(c.learningRateAt(c.warmupSteps())).isEqualTo(c.learningRate());
    assertThat(c.learningRateAt(999))
        .isCloseTo(c.minLearningRate(), org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void cosineScheduleIsDiffusersSquaredcosCapV2() {
    // the shipped model was trained with this closed form (float64 betas, sequential float32
    // cumprod); the schedulers' torch cumprod agrees to within a few float32 ulps
    SmallUNetConfig c = SmallUNetConfig.defaults();
    NoiseSchedule schedule = NoiseSchedule.of(c);
    float prod = 1f;
    for (int t = 0; t < 1000; t++) {
      double a1 = Math.pow(Math.cos((t / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2);
      double a2 = Math.pow(Math.cos(((t + 1) / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2);
      prod *= 1f - (float) Math.min(1 - a2 / a1, 0.999);
      assertThat(schedule.alphaCumprod(t))
          .as("t=%s", t)
          .isCloseTo(prod, org.assertj.core.data.Offset.offset(1e-6));
    }
  }
}
