package dev.distill.core.guidance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strength schedules' values at hand-computed steps. */
class SchedulesTest {
  private static StepInfo step(int index, int numSteps, double alphaBar) {
    return new StepInfo(index, numSteps, 999.0 * (numSteps - index) / numSteps, 1.0, alphaBar);
  }

  @Test
  void x0StepAndPullFractionAreEtaTimesAlphaBarOverSqrtOneMinusAlphaBar() {
    StepInfo s = step(3, 10, 0.36);
    // 0.36 / sqrt(0.64) = 0.45
    assertThat(Schedules.x0Step(2.0).at(s)).isCloseTo(0.9, within(1e-12));
    assertThat(Schedules.pullFraction(0.5).at(s)).isCloseTo(0.225, within(1e-12));
    assertThat(Schedules.x0Step(2.0).at(step(9, 10, 1.0))).isZero();
  }

  @ParameterizedTest(name = "{0} steps, stop {1}: the first {2} are guided")
  @CsvSource({"25, 0.5, 13", "25, 0.3, 8", "10, 0.5, 5", "10, 1.0, 10", "10, 0.0, 0", "1, 0.5, 1"})
  void untilKeepsTheScheduleForTheFirstRoundedFractionOfTheStepsAndIsZeroAfter(
      int numSteps, double stop, int guided) {
    StrengthSchedule inner = Schedules.constant(0.7);
    StrengthSchedule s = Schedules.until(inner, stop);
    int active = 0;
    for (int i = 0; i < numSteps; i++) {
      double v = s.at(step(i, numSteps, 0.5));
      if (i < guided) {
        assertThat(v).as("step %s", i).isEqualTo(0.7);
        active++;
      } else {
        assertThat(v).as("step %s", i).isZero();
      }
    }
    assertThat(active).isEqualTo(guided);
    assertThat(s.toString()).contains("constant(0.7)").contains("until " + stop);
  }

  @Test
  void untilRefusesAFractionOutsideZeroToOne() {
    assertThatThrownBy(() -> Schedules.until(Schedules.constant(1), 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stopFraction must be in [0, 1] but was 1.5");
    assertThatThrownBy(() -> Schedules.until(null, 0.5))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("schedule");
  }
}
