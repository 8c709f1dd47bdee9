package dev.distill.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.match.GradientStatistic;
import dev.distill.examples.RecipeA;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code distill recipe-a}: defaults, parsing and the one-line errors, without running. */
class CliRecipeATest {

  @Test
  void defaultsAreIpc1And10And50WithMeanAndVarianceAndAFifthReal() {
    RecipeA.Options o = CliHarness.run("recipe-a").options(RecipeA.Options.class);
    assertThat(o.out()).isEqualTo(Path.of("distill-out/recipe-a"));
    assertThat(o.ipcs()).containsExactly(1, 10, 50);
    assertThat(o.statistics())
        .containsExactlyInAnyOrder(GradientStatistic.MEAN, GradientStatistic.VARIANCE);
    assertThat(o.mixFraction()).isEqualTo(0.2);
    assertThat(o.gradWeight()).isEqualTo(1.0);
    assertThat(o.realPerClass()).isEqualTo(10);
  }

  @Test
  void statisticsParseCaseInsensitivelyAndAFullRealFractionIsRefused() {
    RecipeA.Options o =
        CliHarness.run("recipe-a", "--statistics", "direction,norm", "--ipcs", "10")
            .options(RecipeA.Options.class);
    assertThat(o.statistics())
        .containsExactlyInAnyOrder(GradientStatistic.DIRECTION, GradientStatistic.NORM);
    CliHarness.Result bad = CliHarness.run("recipe-a", "--mix-fraction", "1");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--mix-fraction must be a number in [0, 1) but was 1.0");
  }
}
