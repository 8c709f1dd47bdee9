package dev.distill.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.MetricSummary;
import java.util.List;
import org.junit.jupiter.api.Test;

class DdRankingTest {
  @Test
  void scoresMatchHandComputedValues() {
    MetricSummary set = DdRanking.fraction(new MetricSummary(List.of(78.0, 80.0)));
    MetricSummary random = DdRanking.fraction(new MetricSummary(List.of(73.0, 74.0)));
    MetricSummary whole = DdRanking.fraction(new MetricSummary(List.of(92.0)));
    MetricSummary ior = DdRanking.ior(set, random);
    assertThat(ior.values().get(0)).isCloseTo(0.05, within(1e-12));
    assertThat(ior.values().get(1)).isCloseTo(0.06, within(1e-12)); // paired seed by seed
    MetricSummary hlr = DdRanking.hlr(whole, set); // unpaired: against the whole-data mean
    assertThat(hlr.values().get(0)).isCloseTo(0.14, within(1e-12));
    assertThat(hlr.values().get(1)).isCloseTo(0.12, within(1e-12));
    // alpha = 0.5*0.05 - 0.5*0.14 = -0.045; (e^-0.045 - e^-1) / (e - e^-1)
    double expected = (Math.exp(-0.045) - Math.exp(-1)) / (Math.E - Math.exp(-1));
    assertThat(DdRanking.lrs(ior, hlr).values().get(0)).isCloseTo(expected, within(1e-12));
    assertThat(expected).isCloseTo(0.2502, within(1e-4)); // (0.95600 - 0.36788) / 2.35040
  }

  @Test
  void lrsSpansZeroToOneAtItsExtremes() {
    // the best possible set: +1 over random, nothing to recover -> alpha = 0.5 ... and the worst
    assertThat(DdRanking.lrs(0, 1))
        .isCloseTo((Math.exp(-0.5) - Math.exp(-1)) / (Math.E - Math.exp(-1)), within(1e-12));
    assertThat(DdRanking.lrs(1, -1)).isCloseTo(1.0, within(1e-12));
    assertThat(DdRanking.lrs(-1, 1)).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void percentValuesAreRejectedAsFractions() {
    assertThatThrownBy(() -> DdRanking.lrs(5.0, 10.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not percent");
    assertThatThrownBy(() -> DdRanking.fraction(new MetricSummary(List.of(101.0))))
        .hasMessageContaining("[0, 100]");
  }
}
